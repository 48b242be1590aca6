//! The VM: runs a piece of bytecode (a condition, a priority, a template, an action's
//! argument) against a record and the store. A run-time error is a [`Fault`] with the
//! source span, never a panic, and every evaluation has a step budget.

use std::sync::Arc;

use chrono::{DateTime, Datelike, NaiveDate, Utc};
use play_compiler::program::{Builtin, Code, Duration, History, Op, Program, SrcSpan};

use crate::config::Workspace;
use crate::value::{Happening, Value};

/// How many instructions one evaluation may run, segments and signals included.
pub const STEP_BUDGET: u32 = 100_000;

/// What the VM reads besides the code: records, event history and field history.
pub trait Data {
    /// A record's fields, if the record is present.
    fn record(&self, record: u32, id: &str) -> Option<&[Value]>;
    /// The events of type `event` that concern a record, oldest first.
    fn events(&self, record: u32, id: &str, event: u32) -> &[Arc<Happening>];
    /// A field's value at a past moment, if the store knows it.
    fn value_at(&self, record: u32, id: &str, slot: u32, at: i64) -> Option<Value>;
}

/// Everything one evaluation is about.
pub struct Ctx<'a> {
    pub program: &'a Program,
    /// The program's constants as values.
    pub consts: &'a [Value],
    pub data: &'a dyn Data,
    pub workspace: &'a Workspace,
    pub now: i64,
    pub subject_type: u32,
    pub subject_id: &'a Arc<str>,
    pub subject: &'a [Value],
    /// The subject's fields before the triggering change.
    pub old: Option<&'a [Value]>,
    pub trigger_event: Option<&'a Arc<Happening>>,
    pub awaited: Option<&'a Arc<Happening>>,
    pub timed_out: bool,
}

/// Why an evaluation gave no value.
#[derive(Clone, Debug, PartialEq)]
pub enum Fault {
    /// `x ?? skip` met an empty `x`: the action is skipped (not an error).
    Skip { span: SrcSpan },
    /// A run-time error, at the instruction's source.
    Failed { message: String, span: SrcSpan },
}

/// The VM's reusable state: its value stack.
#[derive(Default)]
pub struct Vm {
    stack: Vec<Value>,
    budget: u32,
}

impl Vm {
    pub fn new() -> Self {
        Vm { stack: Vec::with_capacity(32), budget: 0 }
    }

    /// Evaluates `code`; the result is the value left on the stack.
    pub fn eval(&mut self, code: &Code, ctx: &Ctx) -> Result<Value, Fault> {
        self.stack.clear();
        self.budget = STEP_BUDGET;
        self.run(code, ctx)?;
        Ok(self.stack.pop().unwrap_or_default())
    }

    /// Evaluates a condition: true only for `true`.
    pub fn test(&mut self, code: &Code, ctx: &Ctx) -> Result<bool, Fault> {
        Ok(matches!(self.eval(code, ctx)?, Value::Bool(true)))
    }

    fn run(&mut self, code: &Code, ctx: &Ctx) -> Result<(), Fault> {
        let mut pc = 0usize;
        let ops = &code.ops;
        while let Some(op) = ops.get(pc) {
            pc += 1;
            if self.budget == 0 {
                return Err(fail(code, pc - 1, "this took too many steps to work out".into()));
            }
            self.budget -= 1;
            match *op {
                Op::Const { index } => self.stack.push(ctx.consts.get(index as usize).cloned().unwrap_or_default()),
                Op::Subject => self.stack.push(Value::Ref { record: ctx.subject_type, id: ctx.subject_id.clone() }),
                Op::SubjectField { slot } => self.stack.push(ctx.subject.get(slot as usize).cloned().unwrap_or_default()),
                Op::Awaited => self.stack.push(ctx.awaited.map_or(Value::Empty, |h| Value::Event(h.clone()))),
                Op::TriggerEvent => self.stack.push(ctx.trigger_event.map_or(Value::Empty, |h| Value::Event(h.clone()))),
                Op::TimedOut => self.stack.push(Value::Bool(ctx.timed_out)),
                Op::Field { record, slot } => {
                    let v = self.pop();
                    let out = match &v {
                        Value::Ref { id, .. } => match ctx.data.record(record, id) {
                            Some(fields) => fields.get(slot as usize).cloned().unwrap_or_default(),
                            // A teammate missing from the directory is known by address:
                            // that is their email and their name, the rest is empty.
                            None if is_user(ctx, record) => {
                                let def = &ctx.program.schema.records[record as usize];
                                match def.fields.get(slot as usize).map(|f| f.name.as_str()) {
                                    Some("email" | "name") => Value::Text(id.clone()),
                                    _ => Value::Empty,
                                }
                            }
                            None => {
                                let name = ctx.program.schema.records.get(record as usize).map_or("", |r| r.name.as_str());
                                return Err(fail(code, pc - 1, format!("the {name} `{id}` is not in the store")));
                            }
                        },
                        _ => Value::Empty,
                    };
                    self.stack.push(out);
                }
                Op::RecordId => {
                    // A teammate's address: the record's `email` when the directory has
                    // the record, else its id (teammates are addressed by email).
                    let v = self.pop();
                    self.stack.push(match v {
                        Value::Ref { record, id } => {
                            let slot = ctx.program.schema.records.get(record as usize).and_then(|r| r.slot("email"));
                            match slot.and_then(|s| ctx.data.record(record, &id).and_then(|f| f.get(s))) {
                                Some(email @ Value::Text(_)) => email.clone(),
                                _ => Value::Text(id),
                            }
                        }
                        other => other,
                    });
                }
                Op::EventField { slot, .. } => {
                    let v = self.pop();
                    self.stack.push(match &v {
                        Value::Event(h) => h.fields.get(slot as usize).cloned().unwrap_or_default(),
                        _ => Value::Empty,
                    });
                }
                Op::EventAt => {
                    let v = self.pop();
                    self.stack.push(match &v {
                        Value::Event(h) => Value::Moment(h.at),
                        _ => Value::Empty,
                    });
                }
                Op::Not => {
                    let v = self.pop();
                    self.stack.push(Value::Bool(!matches!(v, Value::Bool(true))));
                }
                Op::Neg => {
                    let v = self.pop();
                    let out = match v {
                        Value::Int(i) => Value::Int(i.wrapping_neg()),
                        Value::Num(n) => Value::Num(-n),
                        Value::Duration(d) => Value::Duration(Duration { seconds: -d.seconds, business_days: -d.business_days }),
                        Value::Empty => return Err(fail(code, pc - 1, "this value is empty".into())),
                        _ => return Err(fail(code, pc - 1, "`-` needs a number".into())),
                    };
                    self.stack.push(out);
                }
                Op::Add | Op::Sub | Op::Mul | Op::Div => {
                    let r = self.pop();
                    let l = self.pop();
                    let v = arithmetic(*op, l, r, ctx).map_err(|m| fail(code, pc - 1, m))?;
                    self.stack.push(v);
                }
                Op::Eq | Op::Ne | Op::Lt | Op::Le | Op::Gt | Op::Ge => {
                    let r = self.pop();
                    let l = self.pop();
                    let v = compare(*op, &l, &r, ctx).map_err(|m| fail(code, pc - 1, m))?;
                    self.stack.push(Value::Bool(v));
                }
                Op::JumpIfFalse { to } => {
                    if matches!(self.stack.last(), Some(Value::Bool(true))) {
                        self.stack.pop();
                    } else {
                        pc = to as usize;
                    }
                }
                Op::JumpIfTrue { to } => {
                    if matches!(self.stack.last(), Some(Value::Bool(true))) {
                        pc = to as usize;
                    } else {
                        self.stack.pop();
                    }
                }
                Op::Coalesce { to } => {
                    if self.stack.last().is_some_and(|v| !v.is_empty()) {
                        pc = to as usize;
                    } else {
                        self.stack.pop();
                    }
                }
                Op::SkipIfEmpty => {
                    if self.stack.last().is_none_or(Value::is_empty) {
                        return Err(Fault::Skip { span: span(code, pc - 1) });
                    }
                }
                Op::In { count, negated } => {
                    let items = self.split(count);
                    let v = self.pop();
                    let mut found = false;
                    for item in &items {
                        if compare(Op::Eq, &v, item, ctx).unwrap_or(false) {
                            found = true;
                            break;
                        }
                    }
                    self.stack.push(Value::Bool(found != negated));
                }
                Op::List { count } => {
                    let items = self.split(count);
                    self.stack.push(Value::List(Arc::from(items)));
                }
                Op::Concat { count } => {
                    let items = self.split(count);
                    let mut text = String::new();
                    for item in &items {
                        text.push_str(&item.display(ctx.program));
                    }
                    self.stack.push(Value::Text(Arc::from(text)));
                }
                Op::Exists => {
                    let v = self.pop();
                    self.stack.push(Value::Bool(!v.is_empty()));
                }
                Op::Segment { index } => {
                    let Some(segment) = ctx.program.segments.get(index as usize) else {
                        return Err(fail(code, pc - 1, "unknown segment".into()));
                    };
                    let base = self.stack.len();
                    self.run(&segment.value, ctx)?;
                    let v = self.stack.pop().unwrap_or_default();
                    self.stack.truncate(base);
                    self.stack.push(v);
                }
                Op::Call { function } => {
                    let args = self.split(function.arity() as u32);
                    let v = call(function, &args, ctx).map_err(|m| fail(code, pc - 1, m))?;
                    self.stack.push(v);
                }
                Op::History { kind, event, within } => {
                    let since = if within {
                        match self.pop() {
                            Value::Duration(d) => Some(before(ctx, ctx.now, d)),
                            _ => None,
                        }
                    } else {
                        None
                    };
                    let all = ctx.data.events(ctx.subject_type, ctx.subject_id, event);
                    let seen = all.iter().filter(|h| h.at <= ctx.now && since.is_none_or(|s| h.at >= s));
                    self.stack.push(match kind {
                        History::Did => Value::Bool(seen.clone().next().is_some()),
                        History::Count => Value::Int(seen.count() as i64),
                        History::Last => seen.last().map_or(Value::Empty, |h| Value::Event(h.clone())),
                    });
                }
                Op::Change { slot } => {
                    let window = match self.pop() {
                        Value::Duration(d) => d,
                        _ => Duration::default(),
                    };
                    let then_at = before(ctx, ctx.now, window);
                    let now_v = ctx.subject.get(slot as usize).and_then(Value::number);
                    let then_v = ctx.data.value_at(ctx.subject_type, ctx.subject_id, slot, then_at).and_then(|v| v.number());
                    let change = match (now_v, then_v) {
                        (Some(n), Some(t)) if t != 0.0 => (n - t) / t.abs(),
                        _ => 0.0,
                    };
                    self.stack.push(Value::Num(change));
                }
                Op::Old { slot } => {
                    let v = ctx.old.and_then(|old| old.get(slot as usize)).cloned().unwrap_or_default();
                    self.stack.push(v);
                }
            }
        }
        Ok(())
    }

    fn pop(&mut self) -> Value {
        self.stack.pop().unwrap_or_default()
    }

    /// The top `count` values, in order.
    fn split(&mut self, count: u32) -> Vec<Value> {
        let at = self.stack.len().saturating_sub(count as usize);
        self.stack.split_off(at)
    }
}

fn is_user(ctx: &Ctx, record: u32) -> bool {
    ctx.program.schema.records.get(record as usize).is_some_and(|r| r.name == "User")
}

fn span(code: &Code, at: usize) -> SrcSpan {
    code.spans.get(at).copied().unwrap_or_default()
}

fn fail(code: &Code, at: usize, message: String) -> Fault {
    Fault::Failed { message, span: span(code, at) }
}

/// The moment a duration before `at`.
fn before(ctx: &Ctx, at: i64, d: Duration) -> i64 {
    shift(ctx.workspace, at, Duration { seconds: -d.seconds, business_days: -d.business_days })
}

/// A moment moved by a duration; business days count on the workspace calendar.
pub fn shift(workspace: &Workspace, at: i64, d: Duration) -> i64 {
    let mut t = at.saturating_add(d.seconds);
    if d.business_days != 0 {
        let from = DateTime::<Utc>::from_timestamp(t, 0).unwrap_or_default();
        t = if d.business_days > 0 {
            workspace.calendar.add_business_days(workspace.time_zone, from, d.business_days.min(100_000) as u32).timestamp()
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

fn local_date(workspace: &Workspace, at: i64) -> NaiveDate {
    workspace.today(DateTime::<Utc>::from_timestamp(at, 0).unwrap_or_default())
}

fn arithmetic(op: Op, l: Value, r: Value, ctx: &Ctx) -> Result<Value, String> {
    use Value::*;
    if l.is_empty() || r.is_empty() {
        return Err("this value is empty, so it cannot be calculated with".into());
    }
    Ok(match (op, l, r) {
        (Op::Add, Int(a), Int(b)) => Int(a.wrapping_add(b)),
        (Op::Sub, Int(a), Int(b)) => Int(a.wrapping_sub(b)),
        (Op::Mul, Int(a), Int(b)) => Int(a.wrapping_mul(b)),
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
        (Op::Add | Op::Sub, Date(d), Duration(dur)) => {
            let sign = if op == Op::Add { 1 } else { -1 };
            let days = sign * dur.seconds.div_euclid(86_400);
            let mut date = d.checked_add_signed(chrono::Duration::days(days)).unwrap_or(d);
            if dur.business_days != 0 {
                let start = date_moment(ctx.workspace, date);
                let moved = shift(ctx.workspace, start, play_compiler::program::Duration { seconds: 0, business_days: sign * dur.business_days });
                date = local_date(ctx.workspace, moved);
            }
            Date(date)
        }
        (Op::Add, Duration(dur), Date(d)) => return arithmetic(Op::Add, Date(d), Duration(dur), ctx),
        (Op::Add | Op::Sub, Moment(t), Duration(dur)) => {
            let sign = if op == Op::Add { 1 } else { -1 };
            Moment(shift(ctx.workspace, t, play_compiler::program::Duration { seconds: sign * dur.seconds, business_days: sign * dur.business_days }))
        }
        (Op::Add, Duration(dur), Moment(t)) => return arithmetic(Op::Add, Moment(t), Duration(dur), ctx),
        (Op::Sub, Date(a), Date(b)) => Duration(seconds((a - b).num_days() * 86_400)),
        (Op::Sub, Moment(a), Moment(b)) => Duration(seconds(a - b)),
        (Op::Sub, Date(a), Moment(b)) => Duration(seconds(date_moment(ctx.workspace, a) - b)),
        (Op::Sub, Moment(a), Date(b)) => Duration(seconds(a - date_moment(ctx.workspace, b))),
        (Op::Add, Duration(a), Duration(b)) => Duration(play_compiler::program::Duration { seconds: a.seconds + b.seconds, business_days: a.business_days + b.business_days }),
        (Op::Sub, Duration(a), Duration(b)) => Duration(play_compiler::program::Duration { seconds: a.seconds - b.seconds, business_days: a.business_days - b.business_days }),
        (Op::Mul, Duration(a), n @ (Int(_) | Num(_))) | (Op::Mul, n @ (Int(_) | Num(_)), Duration(a)) => {
            let k = n.number().unwrap_or(0.0);
            Duration(play_compiler::program::Duration { seconds: (a.seconds as f64 * k) as i64, business_days: (a.business_days as f64 * k) as i64 })
        }
        (Op::Div, Duration(a), n @ (Int(_) | Num(_))) => {
            let k = n.number().unwrap_or(0.0);
            if k == 0.0 {
                return Err("division by zero".into());
            }
            Duration(play_compiler::program::Duration { seconds: (a.seconds as f64 / k) as i64, business_days: (a.business_days as f64 / k) as i64 })
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
        (a @ (Int(_) | Num(_)), b @ (Int(_) | Num(_))) => a.number().unwrap_or(0.0).partial_cmp(&b.number().unwrap_or(0.0)),
        (Text(a), Text(b)) => Some(a.cmp(b)),
        (Ref { id: a, .. }, Text(b)) | (Text(b), Ref { id: a, .. }) => Some(a.as_ref().cmp(b.as_ref())),
        (Ref { record: x, id: a }, Ref { record: y, id: b }) => Some((x, a).cmp(&(y, b))),
        (Date(a), Date(b)) => Some(a.cmp(b)),
        (Moment(a), Moment(b)) => Some(a.cmp(b)),
        (Date(a), Moment(b)) => Some(date_moment(ctx.workspace, *a).cmp(b)),
        (Moment(a), Date(b)) => Some(a.cmp(&date_moment(ctx.workspace, *b))),
        (Duration(a), Duration(b)) => Some((a.seconds + a.business_days * 86_400).cmp(&(b.seconds + b.business_days * 86_400))),
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

fn call(function: Builtin, args: &[Value], ctx: &Ctx) -> Result<Value, String> {
    let text = |i: usize| match args.get(i) {
        Some(Value::Text(t)) => Ok(t.clone()),
        Some(Value::Ref { id, .. }) => Ok(id.clone()),
        Some(Value::Empty) | None => Err("this text is empty".to_string()),
        Some(other) => Ok(Arc::from(other.display(ctx.program))),
    };
    Ok(match function {
        Builtin::Now => Value::Moment(ctx.now),
        Builtin::Today => Value::Date(local_date(ctx.workspace, ctx.now)),
        Builtin::Lower => Value::Text(Arc::from(text(0)?.to_lowercase())),
        Builtin::Upper => Value::Text(Arc::from(text(0)?.to_uppercase())),
        Builtin::Contains => match args.first() {
            Some(Value::List(items)) => {
                let want = args.get(1).cloned().unwrap_or_default();
                Value::Bool(items.iter().any(|v| compare(Op::Eq, v, &want, ctx).unwrap_or(false)))
            }
            _ => Value::Bool(text(0)?.contains(text(1)?.as_ref())),
        },
        Builtin::StartsWith => Value::Bool(text(0)?.starts_with(text(1)?.as_ref())),
        Builtin::EndsWith => Value::Bool(text(0)?.ends_with(text(1)?.as_ref())),
        Builtin::Len => match args.first() {
            Some(Value::List(items)) => Value::Int(items.len() as i64),
            _ => Value::Int(text(0)?.chars().count() as i64),
        },
        Builtin::DaysUntil | Builtin::DaysSince => {
            let date = match args.first() {
                Some(Value::Date(d)) => *d,
                Some(Value::Moment(t)) => local_date(ctx.workspace, *t),
                _ => return Err("this date is empty".into()),
            };
            let today = local_date(ctx.workspace, ctx.now);
            let until = (date - today).num_days();
            Value::Int(if function == Builtin::DaysUntil { until } else { -until })
        }
        Builtin::ManagerOf => {
            let user = args.first().cloned().unwrap_or_default();
            let manager = match &user {
                Value::Ref { record, id } => {
                    let slot = ctx.program.schema.records.get(*record as usize).and_then(|r| r.slot("manager"));
                    slot.and_then(|s| ctx.data.record(*record, id).and_then(|f| f.get(s)).cloned())
                }
                _ => None,
            };
            match manager {
                Some(m) if !m.is_empty() => m,
                _ => user,
            }
        }
    })
}

/// The weekday number of a date, Monday 0, for calendars.
pub fn weekday(d: NaiveDate) -> u32 {
    d.weekday().num_days_from_monday()
}
