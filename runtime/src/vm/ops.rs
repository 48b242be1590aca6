//! The operations behind the instructions: comparison and the built-in functions
//! (arithmetic and moving moments by durations are in `arith.rs`).

use std::borrow::Cow;
use std::cell::Cell;
use std::sync::Arc;

use chrono::{Datelike, NaiveDate};
use chrono_tz::Tz;
use play_compiler::program::{Builtin, Duration, Op};

use super::arith::{date_moment, local_date};
use super::Ctx;
use crate::value::Value;

/// The duration type, named apart from the `Value::Duration` variant.
type Dur = Duration;

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
            let length = |d: &Dur| i128::from(d.seconds) + i128::from(d.business_days) * 86_400;
            Some(length(a).cmp(&length(b)))
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
                Ok(m) => m,
                Err(_) => user.clone(),
            }
        }
    })
}

/// Why `manager_of` finds no manager: told in words only when someone notes it (the
/// run history), so that a lookup that falls back costs no text otherwise.
enum NoManager<'v> {
    NoTeammate,
    NotInDirectory(&'v str),
    NoneGiven(&'v str),
}

impl NoManager<'_> {
    fn reason(&self) -> Option<String> {
        match self {
            NoManager::NoTeammate => None,
            NoManager::NotInDirectory(id) => {
                Some(format!("`{id}` is not in the directory: `manager_of` gives the teammate themself"))
            }
            NoManager::NoneGiven(id) => {
                Some(format!("`{id}` has no manager in the directory: `manager_of` gives the teammate themself"))
            }
        }
    }
}

/// A teammate's manager from the directory (the teammate found by address), or why
/// there is none.
fn manager<'v>(user: &'v Value, ctx: &Ctx) -> Result<Value, NoManager<'v>> {
    let Value::Ref { record, id } = user else { return Err(NoManager::NoTeammate) };
    let Some(fields) = super::lookup(ctx, *record, id) else {
        return Err(NoManager::NotInDirectory(id));
    };
    let slot = ctx.program.schema.records.get(*record as usize).and_then(|r| r.slot("manager"));
    match slot.and_then(|s| fields.get(s)) {
        Some(m) if !m.is_empty() => Ok(m),
        _ => Err(NoManager::NoneGiven(id)),
    }
}

/// Why `manager_of(user)` falls back to the teammate themself, when it does.
pub(super) fn manager_fallback(user: &Value, ctx: &Ctx) -> Option<String> {
    match user {
        Value::Ref { .. } => manager(user, ctx).err().and_then(|why| why.reason()),
        _ => None,
    }
}

/// The weekday number of a date, Monday 0, for calendars.
pub fn weekday(d: NaiveDate) -> u32 {
    d.weekday().num_days_from_monday()
}
