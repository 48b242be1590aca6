//! Checked arithmetic: `+ - * /` on numbers, texts, lists, dates, moments and durations,
//! and moving moments by durations on the workspace calendar. Every result is in range or
//! an error (a fault with its place), never a wrapped or saturated value: whole numbers fit
//! in 64 bits, numbers are finite, dates and moments fall in the years 0001 to 9999, and
//! durations are no longer than that span.

use std::sync::Arc;

use chrono::{DateTime, Datelike, Days, NaiveDate, Utc};
use play_compiler::program::{Duration, Op};

use super::Ctx;
use crate::config::Workspace;
use crate::value::Value;

/// The duration type, named apart from the `Value::Duration` variant.
type Dur = Duration;

pub use play_compiler::program::{MAX_BUSINESS_DAYS, MAX_MOMENT, MIN_MOMENT};
/// The longest duration in seconds: from the first moment to the last.
const MAX_SECONDS: i64 = MAX_MOMENT - MIN_MOMENT;

const TOO_LARGE: &str = "the result is too large (the calculation overflows)";
const OUT_OF_YEARS: &str = "the result falls outside the years 0001 to 9999";
const TOO_LONG: &str = "the resulting duration is too long (the calculation overflows)";

/// The moment a duration before `at`, kept in range.
pub(super) fn before(ctx: &Ctx, at: i64, d: Duration) -> i64 {
    shift(ctx.workspace, at, Duration { seconds: d.seconds.saturating_neg(), business_days: -d.business_days })
}

/// A moment moved by a duration (business days count on the workspace calendar), or
/// `None` when it leaves the years 0001 to 9999.
pub fn checked_shift(workspace: &Workspace, at: i64, d: Duration) -> Option<i64> {
    let t = at.checked_add(d.seconds).filter(|t| (MIN_MOMENT..=MAX_MOMENT).contains(t))?;
    if d.business_days == 0 {
        return Some(t);
    }
    if d.business_days.unsigned_abs() > MAX_BUSINESS_DAYS as u64 {
        return None;
    }
    let from = DateTime::<Utc>::from_timestamp(t, 0)?;
    let t = if d.business_days > 0 {
        workspace.calendar.add_business_days(workspace.time_zone, from, d.business_days as u32).timestamp()
    } else {
        // Counting back: step back a day at a time over business days.
        let mut left = -d.business_days;
        let mut cur = from;
        let mut guard = 0;
        while left > 0 && guard < 1_000_000 {
            cur = cur.checked_sub_signed(chrono::Duration::days(1))?;
            guard += 1;
            if workspace.calendar.is_business_day(cur.with_timezone(&workspace.time_zone).date_naive()) {
                left -= 1;
            }
        }
        cur.timestamp()
    };
    Some(t).filter(|t| (MIN_MOMENT..=MAX_MOMENT).contains(t))
}

/// A moment moved by a duration, held to the years 0001 to 9999 (for the engine's timers,
/// where a moment beyond them is as good as never).
pub fn shift(workspace: &Workspace, at: i64, d: Duration) -> i64 {
    checked_shift(workspace, at, d).unwrap_or(if d.seconds >= 0 && d.business_days >= 0 {
        MAX_MOMENT
    } else {
        MIN_MOMENT
    })
}

/// A date as the moment it starts in the workspace.
pub fn date_moment(workspace: &Workspace, d: NaiveDate) -> i64 {
    workspace.at_local(d, 0, 0).timestamp()
}

pub(super) fn local_date(workspace: &Workspace, at: i64) -> NaiveDate {
    workspace.today(DateTime::<Utc>::from_timestamp(at, 0).unwrap_or_default())
}

/// `+`, `-`, `*` or `/` on two values.
pub(super) fn arithmetic(op: Op, l: &Value, r: &Value, ctx: &Ctx) -> Result<Value, String> {
    use Value::*;
    if l.is_empty() || r.is_empty() {
        return Err("this value is empty, so it cannot be calculated with".into());
    }
    let sign = if op == Op::Sub { -1 } else { 1 };
    Ok(match (op, l, r) {
        (Op::Add, Int(a), Int(b)) => Int(a.checked_add(*b).ok_or(TOO_LARGE)?),
        (Op::Sub, Int(a), Int(b)) => Int(a.checked_sub(*b).ok_or(TOO_LARGE)?),
        (Op::Mul, Int(a), Int(b)) => Int(a.checked_mul(*b).ok_or(TOO_LARGE)?),
        (op, a @ (Int(_) | Num(_)), b @ (Int(_) | Num(_))) => {
            let (x, y) = (a.number().unwrap_or(0.0), b.number().unwrap_or(0.0));
            let n = match op {
                Op::Add => x + y,
                Op::Sub => x - y,
                Op::Mul => x * y,
                _ if y == 0.0 => return Err("division by zero".into()),
                _ => x / y,
            };
            Num(finite(n)?)
        }
        (Op::Add, Text(a), Text(b)) => Text(Arc::from(format!("{a}{b}"))),
        (Op::Add, List(a), List(b)) => List(a.iter().chain(b.iter()).cloned().collect()),
        (Op::Add | Op::Sub, Date(d), Duration(dur)) | (Op::Add, Duration(dur), Date(d)) => {
            Date(move_date(ctx, *d, sign, dur).ok_or(OUT_OF_YEARS)?)
        }
        (Op::Add | Op::Sub, Moment(t), Duration(dur)) | (Op::Add, Duration(dur), Moment(t)) => {
            let dur = Dur { seconds: sign * dur.seconds, business_days: sign * dur.business_days };
            Moment(checked_shift(ctx.workspace, *t, dur).ok_or(OUT_OF_YEARS)?)
        }
        (Op::Sub, Date(a), Date(b)) => Duration(seconds((*a - *b).num_days().checked_mul(86_400))?),
        (Op::Sub, Moment(a), Moment(b)) => Duration(seconds(a.checked_sub(*b))?),
        (Op::Sub, Date(a), Moment(b)) => Duration(seconds(date_moment(ctx.workspace, *a).checked_sub(*b))?),
        (Op::Sub, Moment(a), Date(b)) => Duration(seconds(a.checked_sub(date_moment(ctx.workspace, *b)))?),
        (Op::Add | Op::Sub, Duration(a), Duration(b)) => Duration(duration(
            a.seconds.checked_add(sign * b.seconds),
            a.business_days.checked_add(sign * b.business_days),
        )?),
        (Op::Mul, Duration(a), n @ (Int(_) | Num(_))) | (Op::Mul, n @ (Int(_) | Num(_)), Duration(a)) => {
            let k = n.number().unwrap_or(0.0);
            Duration(duration(scaled(a.seconds as f64 * k), scaled(a.business_days as f64 * k))?)
        }
        (Op::Div, Duration(a), n @ (Int(_) | Num(_))) => {
            let k = n.number().unwrap_or(0.0);
            if k == 0.0 {
                return Err("division by zero".into());
            }
            Duration(duration(scaled(a.seconds as f64 / k), scaled(a.business_days as f64 / k))?)
        }
        _ => return Err("these values cannot be calculated with".into()),
    })
}

/// A date moved by whole days of a duration, then by its business days; `None` when it
/// leaves the years 0001 to 9999.
fn move_date(ctx: &Ctx, d: NaiveDate, sign: i64, dur: &Dur) -> Option<NaiveDate> {
    let days = sign * dur.seconds.div_euclid(86_400);
    let mut date = if days >= 0 {
        d.checked_add_days(Days::new(days as u64))
    } else {
        d.checked_sub_days(Days::new(days.unsigned_abs()))
    }?;
    if dur.business_days != 0 {
        let start = date_moment(ctx.workspace, date);
        let moved = checked_shift(ctx.workspace, start, Dur { seconds: 0, business_days: sign * dur.business_days })?;
        date = local_date(ctx.workspace, moved);
    }
    Some(date).filter(|d| (1..=9999).contains(&d.year()))
}

fn finite(n: f64) -> Result<f64, String> {
    if n.is_finite() {
        Ok(n)
    } else {
        Err(TOO_LARGE.into())
    }
}

/// A scaled amount back to whole units, if it stays a duration's length.
fn scaled(x: f64) -> Option<i64> {
    (x.is_finite() && x.abs() <= MAX_SECONDS as f64).then_some(x as i64)
}

fn seconds(s: Option<i64>) -> Result<Duration, String> {
    duration(s, Some(0))
}

/// A duration, if both parts were worked out and it is no longer than the years Play counts.
fn duration(seconds: Option<i64>, business_days: Option<i64>) -> Result<Duration, String> {
    match (seconds, business_days) {
        (Some(s), Some(b))
            if s.unsigned_abs() <= MAX_SECONDS as u64 && b.unsigned_abs() <= MAX_BUSINESS_DAYS as u64 =>
        {
            Ok(Duration { seconds: s, business_days: b })
        }
        _ => Err(TOO_LONG.into()),
    }
}
