//! The operations behind the instructions: arithmetic, comparison, the built-in functions,
//! and moving moments by durations on the workspace calendar.

use std::borrow::Cow;
use std::cell::Cell;
use std::sync::Arc;

use chrono::{DateTime, Datelike, Days, NaiveDate, Utc};
use chrono_tz::Tz;
use play_compiler::program::{Builtin, Duration, Op};

use super::Ctx;
use crate::config::Workspace;
use crate::value::Value;

/// The duration type, named apart from the `Value::Duration` variant.
type Dur = Duration;

/// The moment a duration before `at`.
pub(super) fn before(ctx: &Ctx, at: i64, d: Duration) -> i64 {
    shift(ctx.workspace, at, Duration { seconds: -d.seconds, business_days: -d.business_days })
}

/// A moment moved by a duration; business days count on the workspace calendar.
pub fn shift(workspace: &Workspace, at: i64, d: Duration) -> i64 {
    let mut t = at.saturating_add(d.seconds);
    if d.business_days != 0 {
        let from = DateTime::<Utc>::from_timestamp(t, 0).unwrap_or_default();
        t = if d.business_days > 0 {
            workspace
                .calendar
                .add_business_days(workspace.time_zone, from, d.business_days.min(100_000) as u32)
                .timestamp()
        } else {
            // Counting back: step back a day at a time over business days.
            let mut left = (-d.business_days).min(100_000);
            let mut cur = from;
            let mut guard = 0;
            while left > 0 && guard < 1_000_000 {
                cur -= chrono::Duration::days(1);
                guard += 1;
                if workspace.calendar.is_business_day(cur.with_timezone(&workspace.time_zone).date_naive()) {
                    left -= 1;
                }
            }
            cur.timestamp()
        };
    }
    t
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
        (Op::Add, Int(a), Int(b)) => Int(a.wrapping_add(*b)),
        (Op::Sub, Int(a), Int(b)) => Int(a.wrapping_sub(*b)),
        (Op::Mul, Int(a), Int(b)) => Int(a.wrapping_mul(*b)),
        (op, a @ (Int(_) | Num(_)), b @ (Int(_) | Num(_))) => {
            let (x, y) = (a.number().unwrap_or(0.0), b.number().unwrap_or(0.0));
            match op {
                Op::Add => Num(x + y),
                Op::Sub => Num(x - y),
                Op::Mul => Num(x * y),
                _ if y == 0.0 => return Err("division by zero".into()),
                _ => Num(x / y),
            }
        }
        (Op::Add, Text(a), Text(b)) => Text(Arc::from(format!("{a}{b}"))),
        (Op::Add, List(a), List(b)) => List(a.iter().chain(b.iter()).cloned().collect()),
        (Op::Add | Op::Sub, Date(d), Duration(dur)) | (Op::Add, Duration(dur), Date(d)) => {
            let days = sign * dur.seconds.div_euclid(86_400);
            let moved = if days >= 0 {
                d.checked_add_days(Days::new(days as u64))
            } else {
                d.checked_sub_days(Days::new(days.unsigned_abs()))
            };
            let mut date = moved.unwrap_or(*d);
            if dur.business_days != 0 {
                let start = date_moment(ctx.workspace, date);
                let moved = shift(ctx.workspace, start, Dur { seconds: 0, business_days: sign * dur.business_days });
                date = local_date(ctx.workspace, moved);
            }
            Date(date)
        }
        (Op::Add | Op::Sub, Moment(t), Duration(dur)) | (Op::Add, Duration(dur), Moment(t)) => Moment(shift(
            ctx.workspace,
            *t,
            Dur { seconds: sign * dur.seconds, business_days: sign * dur.business_days },
        )),
        (Op::Sub, Date(a), Date(b)) => Duration(seconds((*a - *b).num_days() * 86_400)),
        (Op::Sub, Moment(a), Moment(b)) => Duration(seconds(a - b)),
        (Op::Sub, Date(a), Moment(b)) => Duration(seconds(date_moment(ctx.workspace, *a) - b)),
        (Op::Sub, Moment(a), Date(b)) => Duration(seconds(a - date_moment(ctx.workspace, *b))),
        (Op::Add | Op::Sub, Duration(a), Duration(b)) => Duration(Dur {
            seconds: a.seconds + sign * b.seconds,
            business_days: a.business_days + sign * b.business_days,
        }),
        (Op::Mul, Duration(a), n @ (Int(_) | Num(_))) | (Op::Mul, n @ (Int(_) | Num(_)), Duration(a)) => {
            let k = n.number().unwrap_or(0.0);
            Duration(Dur { seconds: (a.seconds as f64 * k) as i64, business_days: (a.business_days as f64 * k) as i64 })
        }
        (Op::Div, Duration(a), n @ (Int(_) | Num(_))) => {
            let k = n.number().unwrap_or(0.0);
            if k == 0.0 {
                return Err("division by zero".into());
            }
            Duration(Dur { seconds: (a.seconds as f64 / k) as i64, business_days: (a.business_days as f64 / k) as i64 })
        }
        _ => return Err("these values cannot be calculated with".into()),
    })
}

fn seconds(s: i64) -> Duration {
    Duration { seconds: s, business_days: 0 }
}

/// Compares two values; `==` holds between two empty values, and between a teammate and
/// their address.
pub fn compare(op: Op, l: &Value, r: &Value, ctx: &Ctx) -> Result<bool, String> {
    use std::cmp::Ordering;
    use Value::*;
    let ordering: Option<Ordering> = match (l, r) {
        (Empty, Empty) => Some(Ordering::Equal),
        (Empty, _) | (_, Empty) => None,
        (Int(a), Int(b)) => Some(a.cmp(b)),
        (a @ (Int(_) | Num(_)), b @ (Int(_) | Num(_))) => {
            a.number().unwrap_or(0.0).partial_cmp(&b.number().unwrap_or(0.0))
        }
        (Text(a), Text(b)) => Some(a.cmp(b)),
        (Ref { id: a, .. }, Text(b)) | (Text(b), Ref { id: a, .. }) => Some(a.as_ref().cmp(b.as_ref())),
        (Ref { record: x, id: a }, Ref { record: y, id: b }) => Some((x, a).cmp(&(y, b))),
        (Date(a), Date(b)) => Some(a.cmp(b)),
        (Moment(a), Moment(b)) => Some(a.cmp(b)),
        (Date(a), Moment(b)) => Some(date_moment(ctx.workspace, *a).cmp(b)),
        (Moment(a), Date(b)) => Some(a.cmp(&date_moment(ctx.workspace, *b))),
        (Duration(a), Duration(b)) => {
            Some((a.seconds + a.business_days * 86_400).cmp(&(b.seconds + b.business_days * 86_400)))
        }
        (Time(a), Time(b)) => Some(a.cmp(b)),
        (Bool(a), Bool(b)) => Some(a.cmp(b)),
        (Enum { ty: t1, variant: v1 }, Enum { ty: t2, variant: v2 }) => {
            if t1 == t2 {
                Some(v1.cmp(v2))
            } else {
                None
            }
        }
        (List(a), List(b)) => Some(if a == b { Ordering::Equal } else { Ordering::Less }),
        _ => None,
    };
    decide(op, ordering)
}

/// [`compare`], with the comparisons conditions make most (numbers, enums, dates of the
/// same kind) worked out in place.
#[inline(always)]
pub fn compare_quick(op: Op, l: &Value, r: &Value, ctx: &Ctx) -> Result<bool, String> {
    let ordering = match (l, r) {
        (Value::Num(a), Value::Num(b)) => a.partial_cmp(b),
        (Value::Int(a), Value::Int(b)) => Some(a.cmp(b)),
        (Value::Num(a), Value::Int(b)) => a.partial_cmp(&(*b as f64)),
        (Value::Int(a), Value::Num(b)) => (*a as f64).partial_cmp(b),
        (Value::Enum { ty: t1, variant: v1 }, Value::Enum { ty: t2, variant: v2 }) if t1 == t2 => Some(v1.cmp(v2)),
        (Value::Date(a), Value::Date(b)) => Some(a.cmp(b)),
        (Value::Text(a), Value::Text(b)) if matches!(op, Op::Eq | Op::Ne) => return Ok((a == b) == (op == Op::Eq)),
        _ => return compare(op, l, r, ctx),
    };
    decide(op, ordering)
}

/// What a comparison operator says of an ordering (none when a side is empty).
#[inline(always)]
fn decide(op: Op, ordering: Option<std::cmp::Ordering>) -> Result<bool, String> {
    use std::cmp::Ordering;
    Ok(match op {
        Op::Eq => ordering == Some(Ordering::Equal),
        Op::Ne => ordering != Some(Ordering::Equal),
        _ => {
            let Some(o) = ordering else {
                return Err("an empty value has no order".into());
            };
            match op {
                Op::Lt => o == Ordering::Less,
                Op::Le => o != Ordering::Greater,
                Op::Gt => o == Ordering::Greater,
                _ => o != Ordering::Less,
            }
        }
    })
}

/// Today in the workspace, worked out once for a moment and time zone: conditions ask for
/// it over and over with the same clock. Read through a shared borrow, so that the
/// interpreter and predicates keep one.
#[derive(Default)]
pub(super) struct Today(Cell<Option<(i64, Tz, NaiveDate)>>);

impl Today {
    pub(super) fn get(&self, ctx: &Ctx) -> NaiveDate {
        match self.0.get() {
            Some((now, tz, today)) if now == ctx.now && tz == ctx.workspace.time_zone => today,
            _ => {
                let today = local_date(ctx.workspace, ctx.now);
                self.0.set(Some((ctx.now, ctx.workspace.time_zone, today)));
                today
            }
        }
    }
}

/// Calls a built-in function; `args` holds as many arguments as it takes, then empties.
pub(super) fn call(function: Builtin, args: [&Value; 2], ctx: &Ctx, today: &Today) -> Result<Value, String> {
    let text = |i: usize| -> Result<Cow<str>, String> {
        match args[i] {
            Value::Text(t) => Ok(Cow::Borrowed(t)),
            Value::Ref { id, .. } => Ok(Cow::Borrowed(id)),
            Value::Empty => Err("this text is empty".to_string()),
            other => Ok(Cow::Owned(other.display(ctx.program))),
        }
    };
    Ok(match function {
        Builtin::Now => Value::Moment(ctx.now),
        Builtin::Today => Value::Date(today.get(ctx)),
        Builtin::Lower => Value::Text(Arc::from(text(0)?.to_lowercase())),
        Builtin::Upper => Value::Text(Arc::from(text(0)?.to_uppercase())),
        Builtin::Contains => match args[0] {
            Value::List(items) => {
                Value::Bool(items.iter().any(|v| compare_quick(Op::Eq, v, args[1], ctx).unwrap_or(false)))
            }
            _ => Value::Bool(text(0)?.contains(text(1)?.as_ref())),
        },
        Builtin::StartsWith => Value::Bool(text(0)?.starts_with(text(1)?.as_ref())),
        Builtin::EndsWith => Value::Bool(text(0)?.ends_with(text(1)?.as_ref())),
        Builtin::Len => match args[0] {
            Value::List(items) => Value::Int(items.len() as i64),
            _ => Value::Int(text(0)?.chars().count() as i64),
        },
        Builtin::DaysUntil | Builtin::DaysSince => {
            let date = match args[0] {
                Value::Date(d) => *d,
                Value::Moment(t) => local_date(ctx.workspace, *t),
                _ => return Err("this date is empty".into()),
            };
            let until = (date - today.get(ctx)).num_days();
            Value::Int(if function == Builtin::DaysUntil { until } else { -until })
        }
        Builtin::ManagerOf => {
            let user = args[0];
            match manager(user, ctx) {
                Ok(m) => m.clone(),
                Err(_) => user.clone(),
            }
        }
    })
}

/// A teammate's manager from the directory (the teammate found by address), or why
/// there is none.
fn manager<'c>(user: &Value, ctx: &Ctx<'c>) -> Result<&'c Value, String> {
    let Value::Ref { record, id } = user else { return Err("no teammate".into()) };
    let Some(fields) = super::lookup(ctx, *record, id) else {
        return Err(format!("`{id}` is not in the directory: `manager_of` gives the teammate themself"));
    };
    let slot = ctx.program.schema.records.get(*record as usize).and_then(|r| r.slot("manager"));
    match slot.and_then(|s| fields.get(s)) {
        Some(m) if !m.is_empty() => Ok(m),
        _ => Err(format!("`{id}` has no manager in the directory: `manager_of` gives the teammate themself")),
    }
}

/// Why `manager_of(user)` falls back to the teammate themself, when it does.
pub(super) fn manager_fallback(user: &Value, ctx: &Ctx) -> Option<String> {
    match user {
        Value::Ref { .. } => manager(user, ctx).err(),
        _ => None,
    }
}

/// The weekday number of a date, Monday 0, for calendars.
pub fn weekday(d: NaiveDate) -> u32 {
    d.weekday().num_days_from_monday()
}
