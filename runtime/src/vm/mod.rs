//! The VM: runs a piece of bytecode (a condition, a priority, a template, an action's
//! argument) against a record and the store. A run-time error is a [`Fault`] with the
//! source span, never a panic, and every evaluation has a step budget.

mod arith;
mod escape;
mod history;
mod ops;
mod pred;
mod rows;

use std::sync::Arc;

use play_compiler::program::{Code, Duration, Op, Program, SrcSpan};

use crate::config::Workspace;
use crate::rows::Row;
use crate::value::{Happening, Value};
use arith::{arithmetic, before};
pub use arith::{checked_shift, date_moment, shift, MAX_MOMENT, MIN_MOMENT};
pub use escape::Escape;
use escape::Escaping;
use ops::call;
pub use ops::{compare, compare_quick, weekday};
pub use pred::{Memo, Pred, Term, Tier};

/// How many instructions one evaluation may run, segments and signals included.
pub const STEP_BUDGET: u32 = 100_000;

/// What the VM reads besides the code: records, event history and field history.
pub trait Data {
    /// A record's fields, if the record is present.
    fn record(&self, record: u32, id: &str) -> Option<Row<'_>>;
    /// The events of type `event` that concern a record, oldest first.
    fn events(&self, record: u32, id: &str, event: u32) -> &[Arc<Happening>];
    /// A field's value at a past moment, if the store knows it.
    fn value_at(&self, record: u32, id: &str, slot: u32, at: i64) -> Option<Value>;
    /// The record of type `record` whose email is `email` (any case), for the directory of
    /// teammates, whose ids need not be their addresses: its id and fields.
    fn by_email(&self, _record: u32, _email: &str) -> Option<(&Arc<str>, Row<'_>)> {
        None
    }
}

/// A record by reference; a teammate (`User`) is found by id, else by email in the
/// directory, since teammates are written as their addresses.
pub(crate) fn lookup<'c>(ctx: &Ctx<'c>, record: u32, id: &str) -> Option<Row<'c>> {
    let data: &'c dyn Data = ctx.data;
    data.record(record, id)
        .or_else(|| if is_user(ctx, record) { data.by_email(record, id).map(|(_, f)| f) } else { None })
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
    /// The program's conditions as predicates, tried before the bytecode they stand for.
    pub tier: Option<&'a Tier>,
}

/// Why an evaluation gave no value.
#[derive(Clone, Debug, PartialEq)]
pub enum Fault {
    /// `x ?? skip` met an empty `x`: the action is skipped (not an error).
    Skip { span: SrcSpan },
    /// A run-time error, at the instruction's source.
    Failed { message: String, span: SrcSpan },
    /// A record referred to is not in the store (deleted, or never fed): an error like
    /// `Failed`, except where the record is an action's recipient, which skips the action.
    Gone { message: String, span: SrcSpan },
}

impl Fault {
    /// Any fault but `Skip` as a failure: its message and place.
    pub fn failure(self) -> Option<(String, SrcSpan)> {
        match self {
            Fault::Failed { message, span } | Fault::Gone { message, span } => Some((message, span)),
            Fault::Skip { .. } => None,
        }
    }
}

/// A value on the stack. The subject's fields and constants are pushed by where they are,
/// not copied, so that a comparison of a text or list field costs no reference counting
/// and the stack needs no lifetime (it is kept between evaluations for its allocation).
enum Slot {
    Field(u32),
    Const(u32),
    Value(Value),
}

impl Slot {
    #[inline(always)]
    fn get<'v>(&'v self, ctx: &'v Ctx) -> &'v Value {
        match self {
            Slot::Field(slot) => ctx.subject.get(*slot as usize).unwrap_or(&EMPTY),
            Slot::Const(index) => ctx.consts.get(*index as usize).unwrap_or(&EMPTY),
            Slot::Value(v) => v,
        }
    }

    fn into_value(self, ctx: &Ctx) -> Value {
        match self {
            Slot::Value(v) => v,
            other => other.get(ctx).clone(),
        }
    }
}

/// The events of a record that performed none.
const NO_EVENTS: &[Arc<Happening>] = &[];

/// What an absent value reads as.
static EMPTY: Value = Value::Empty;

/// The VM's reusable state: the value stack (empty between evaluations, kept for its
/// allocation), today's date and the clock terms of predicates, which conditions ask for
/// again and again at the same moment.
#[derive(Default)]
pub struct Vm {
    stack: Vec<Slot>,
    memo: Memo,
    /// The values of the subject's row, decoded when code evaluated over a row needs them
    /// (kept between evaluations for its allocation).
    fields: Vec<Value>,
    /// While set, lookups that fell back (a teammate with no manager, or not in the
    /// directory) are written here, for the run history.
    notes: Option<Vec<String>>,
    /// The text interpolation writes (`Concat`), kept between evaluations for its
    /// allocation: each text is then shared once, in one allocation of its exact size.
    text: String,
}

impl Vm {
    pub fn new() -> Self {
        Vm {
            stack: Vec::with_capacity(32),
            memo: Memo::default(),
            fields: Vec::new(),
            notes: None,
            text: String::new(),
        }
    }

    /// Evaluates a text for a channel: the values its interpolations give are escaped
    /// with `escape`, the text written around them is not.
    pub fn eval_escaped(&mut self, code: &Code, ctx: &Ctx, escape: Escape) -> Result<Value, Fault> {
        let mut machine = self.machine(ctx);
        machine.escape = Some(escape);
        machine.run(code)?;
        Ok(machine.stack.pop().map_or(Value::Empty, |v| v.into_value(ctx)))
    }

    /// Starts noting the lookups that fall back (see [`Vm::take_notes`]).
    pub fn start_notes(&mut self) {
        self.notes = Some(Vec::new());
    }

    /// The lookups that fell back since [`Vm::start_notes`], each once; stops noting.
    pub fn take_notes(&mut self) -> Vec<String> {
        self.notes.take().unwrap_or_default()
    }

    fn machine<'m, 'a>(&'m mut self, ctx: &'m Ctx<'a>) -> Machine<'a, 'm> {
        let mut machine = Machine::new(&mut self.stack, &self.memo, self.notes.as_mut(), ctx);
        machine.text = Some(&mut self.text);
        machine
    }

    /// Evaluates `code`; the result is the value left on the stack.
    pub fn eval(&mut self, code: &Code, ctx: &Ctx) -> Result<Value, Fault> {
        if let Some(b) = self.predicate(code, ctx) {
            return Ok(Value::Bool(b));
        }
        self.interpret(code, ctx)
    }

    /// What the code's predicate says, when it has one and it answers.
    #[inline(always)]
    fn predicate(&mut self, code: &Code, ctx: &Ctx) -> Option<bool> {
        let tier = ctx.tier?;
        let entry = tier.entry(code)?;
        self.memo.prepare(ctx, tier);
        entry.pred.test(ctx, &self.memo)
    }

    /// Evaluates `code` with the interpreter, the reference for every other tier.
    #[inline(never)]
    pub fn interpret(&mut self, code: &Code, ctx: &Ctx) -> Result<Value, Fault> {
        let mut machine = self.machine(ctx);
        machine.run(code)?;
        Ok(machine.stack.pop().map_or(Value::Empty, |v| v.into_value(ctx)))
    }

    /// Evaluates a condition: true only for `true`.
    pub fn test(&mut self, code: &Code, ctx: &Ctx) -> Result<bool, Fault> {
        if let Some(b) = self.predicate(code, ctx) {
            return Ok(b);
        }
        let mut machine = self.machine(ctx);
        machine.run(code)?;
        Ok(machine.top_is_true())
    }
}

/// One evaluation under way.
struct Machine<'a, 'c> {
    ctx: &'c Ctx<'a>,
    stack: &'c mut Vec<Slot>,
    budget: u32,
    today: &'c ops::Today,
    /// How many segments deep the evaluation is.
    depth: u32,
    notes: Option<&'c mut Vec<String>>,
    /// Escaping for the interpolated values of the text the code gives (its last `Concat`).
    escape: Option<Escape>,
    /// The VM's buffer for interpolation, when it lends it (else each `Concat` writes
    /// into a text of its own).
    text: Option<&'c mut String>,
}

/// How deep segments may use segments: the checker refuses a deeper chain, but a program
/// file could say anything, and this keeps the stack safe.
use play_compiler::program::SEGMENT_DEPTH;

impl<'a, 'c> Machine<'a, 'c> {
    /// An evaluation with the VM's parts (borrowed one by one, so that compiled code may
    /// hold the memo meanwhile).
    fn new(stack: &'c mut Vec<Slot>, memo: &'c Memo, notes: Option<&'c mut Vec<String>>, ctx: &'c Ctx<'a>) -> Self {
        stack.clear();
        Machine { ctx, stack, budget: STEP_BUDGET, today: &memo.today, depth: 0, notes, escape: None, text: None }
    }

    /// Runs `code`; its value is the one left on the stack.
    fn value(&mut self, code: &Code) -> Result<Value, Fault> {
        self.run(code)?;
        Ok(self.stack.pop().map_or(Value::Empty, |v| v.into_value(self.ctx)))
    }
}

impl<'a> Machine<'a, '_> {
    fn run(&mut self, code: &Code) -> Result<(), Fault> {
        let ctx = self.ctx;
        let ops = &code.ops;
        // Code runs forward, so a pass costs at most its length: the budget is charged
        // that much on entry and again at every jump back, not instruction by instruction.
        self.charge(code, 0)?;
        let mut pc = 0usize;
        while let Some(op) = ops.get(pc) {
            pc += 1;
            match *op {
                Op::Const { index } => self.stack.push(Slot::Const(index)),
                Op::SubjectField { slot } => self.stack.push(Slot::Field(slot)),
                Op::FieldCompare { slot, index, cmp } => {
                    let field = ctx.subject.get(slot as usize).unwrap_or(&EMPTY);
                    let constant = ctx.consts.get(index as usize).unwrap_or(&EMPTY);
                    let v = compare_quick(cmp.op(), field, constant, ctx).map_err(|m| fail(code, pc - 1, m))?;
                    self.push(Value::Bool(v));
                }
                Op::Subject => self.push(Value::Ref { record: ctx.subject_type, id: ctx.subject_id.clone() }),
                Op::Awaited => self.push(ctx.awaited.map_or(Value::Empty, |h| Value::Event(h.clone()))),
                Op::TriggerEvent => self.push(ctx.trigger_event.map_or(Value::Empty, |h| Value::Event(h.clone()))),
                Op::TimedOut => self.push(Value::Bool(ctx.timed_out)),
                Op::Field { record, slot } => {
                    let v = self.pop();
                    let out = match v.get(ctx) {
                        Value::Ref { id, .. } => match lookup(ctx, record, id) {
                            Some(fields) => fields.value(slot as usize),
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
                                let name =
                                    ctx.program.schema.records.get(record as usize).map_or("", |r| r.name.as_str());
                                let message = format!("the {name} `{id}` is not in the store");
                                return Err(Fault::Gone { message, span: span(code, pc - 1) });
                            }
                        },
                        _ => Value::Empty,
                    };
                    self.push(out);
                }
                Op::RecordId => {
                    // A teammate's address: the record's `email` when the directory has
                    // the record, else its id (teammates are addressed by email).
                    let v = self.pop();
                    let out = match v.get(ctx) {
                        Value::Ref { record, id } => {
                            let slot = ctx.program.schema.records.get(*record as usize).and_then(|r| r.slot("email"));
                            match slot.and_then(|s| lookup(ctx, *record, id).and_then(|f| f.get(s))) {
                                Some(email @ Value::Text(_)) => email,
                                _ => Value::Text(id.clone()),
                            }
                        }
                        _ => v.into_value(ctx),
                    };
                    self.push(out);
                }
                Op::EventField { slot, .. } => {
                    let v = self.pop();
                    let out = match v.get(ctx) {
                        Value::Event(h) => h.fields.get(slot as usize).cloned().unwrap_or_default(),
                        _ => Value::Empty,
                    };
                    self.push(out);
                }
                Op::EventAt => {
                    let v = self.pop();
                    let out = match v.get(ctx) {
                        Value::Event(h) => Value::Moment(h.at),
                        _ => Value::Empty,
                    };
                    self.push(out);
                }
                Op::Not => {
                    let v = self.pop();
                    let out = !matches!(v.get(ctx), Value::Bool(true));
                    self.push(Value::Bool(out));
                }
                Op::Neg => {
                    let v = self.pop();
                    let out = match *v.get(ctx) {
                        Value::Int(i) => match i.checked_neg() {
                            Some(n) => Value::Int(n),
                            None => {
                                return Err(fail(
                                    code,
                                    pc - 1,
                                    "the result is too large (the calculation overflows)".into(),
                                ))
                            }
                        },
                        Value::Num(n) => Value::Num(-n),
                        Value::Duration(d) => {
                            Value::Duration(Duration { seconds: -d.seconds, business_days: -d.business_days })
                        }
                        Value::Empty => return Err(fail(code, pc - 1, "this value is empty".into())),
                        _ => return Err(fail(code, pc - 1, "`-` needs a number".into())),
                    };
                    self.push(out);
                }
                Op::Add | Op::Sub | Op::Mul | Op::Div => {
                    let r = self.pop();
                    let l = self.pop();
                    let v = arithmetic(*op, l.get(ctx), r.get(ctx), ctx).map_err(|m| fail(code, pc - 1, m))?;
                    self.push(v);
                }
                Op::Eq | Op::Ne | Op::Lt | Op::Le | Op::Gt | Op::Ge => {
                    let r = self.pop();
                    let l = self.pop();
                    let v = compare_quick(*op, l.get(ctx), r.get(ctx), ctx).map_err(|m| fail(code, pc - 1, m))?;
                    self.push(Value::Bool(v));
                }
                Op::JumpIfFalse { to } => {
                    if self.top_is_true() {
                        self.stack.pop();
                    } else {
                        pc = self.jump(code, pc, to)?;
                    }
                }
                Op::JumpIfTrue { to } => {
                    if self.top_is_true() {
                        pc = self.jump(code, pc, to)?;
                    } else {
                        self.stack.pop();
                    }
                }
                Op::Coalesce { to } => {
                    if self.stack.last().is_some_and(|v| !v.get(ctx).is_empty()) {
                        pc = self.jump(code, pc, to)?;
                    } else {
                        self.stack.pop();
                    }
                }
                Op::SkipIfEmpty => {
                    if self.stack.last().is_none_or(|v| v.get(ctx).is_empty()) {
                        return Err(Fault::Skip { span: span(code, pc - 1) });
                    }
                }
                Op::In { count, negated } => {
                    let at = self.stack.len().saturating_sub(count as usize);
                    let found = match at.checked_sub(1).map(|v| self.stack[v].get(ctx)) {
                        Some(v) => self.stack[at..]
                            .iter()
                            .any(|item| compare_quick(Op::Eq, v, item.get(ctx), ctx).unwrap_or(false)),
                        None => false,
                    };
                    self.stack.truncate(at.saturating_sub(1));
                    self.push(Value::Bool(found != negated));
                }
                Op::List { count } => {
                    let at = self.stack.len().saturating_sub(count as usize);
                    let items: Arc<[Value]> = self.stack.drain(at..).map(|v| v.into_value(ctx)).collect();
                    self.push(Value::List(items));
                }
                Op::Concat { count } => {
                    let at = self.stack.len().saturating_sub(count as usize);
                    let mut own = String::new();
                    let text = match self.text.as_deref_mut() {
                        Some(kept) => kept,
                        None => &mut own,
                    };
                    text.clear();
                    // Only the text the code gives is escaped (not a text inside one of its
                    // values, which would be escaped twice); what the source wrote (a
                    // constant) is kept as written.
                    let escape = self.escape.filter(|_| self.depth == 0 && pc == ops.len());
                    for item in &self.stack[at..] {
                        match (item, item.get(ctx), escape) {
                            (Slot::Const(_), Value::Text(t), _) | (_, Value::Text(t), None) => text.push_str(t),
                            (_, Value::Text(t), Some(e)) => e.write(t, text),
                            (_, other, Some(e)) => {
                                other.write_display(ctx.program, &mut Escaping { escape: e, out: text })
                            }
                            (_, other, None) => other.write_display(ctx.program, text),
                        }
                    }
                    let shared = Value::Text(Arc::from(text.as_str()));
                    self.stack.truncate(at);
                    self.push(shared);
                }
                Op::Exists => {
                    let v = self.pop();
                    let out = !v.get(ctx).is_empty();
                    self.push(Value::Bool(out));
                }
                Op::Segment { index } => {
                    let Some(segment) = ctx.program.segments.get(index as usize) else {
                        return Err(fail(code, pc - 1, "unknown segment".into()));
                    };
                    if self.depth >= SEGMENT_DEPTH {
                        return Err(fail(code, pc - 1, "segments use each other too deeply to work out".into()));
                    }
                    let base = self.stack.len();
                    self.depth += 1;
                    let done = self.run(&segment.value);
                    self.depth -= 1;
                    done?;
                    let v = self.stack.pop().unwrap_or(Slot::Value(Value::Empty));
                    self.stack.truncate(base);
                    self.stack.push(v);
                }
                Op::Call { function } => {
                    let at = self.stack.len().saturating_sub(function.arity());
                    let mut args = [&EMPTY; 2];
                    for (arg, slot) in args.iter_mut().zip(&self.stack[at..]) {
                        *arg = slot.get(ctx);
                    }
                    if let (play_compiler::program::Builtin::ManagerOf, Some(notes)) =
                        (function, self.notes.as_deref_mut())
                    {
                        if let Some(note) = ops::manager_fallback(args[0], ctx) {
                            if !notes.contains(&note) {
                                notes.push(note);
                            }
                        }
                    }
                    let v = call(function, args, ctx, self.today).map_err(|m| fail(code, pc - 1, m))?;
                    self.stack.truncate(at);
                    self.push(v);
                }
                Op::History { kind, event, within, by, filter } => {
                    let since = if within {
                        match *self.pop().get(ctx) {
                            Value::Duration(d) => Some(before(ctx, ctx.now, d)),
                            _ => None,
                        }
                    } else {
                        None
                    };
                    // `by: record`: the events that record performed itself; an empty
                    // record performed none.
                    let performer = if by { Some(self.pop().into_value(ctx)) } else { None };
                    let (all, only) = match performer {
                        None => (ctx.data.events(ctx.subject_type, ctx.subject_id, event), None),
                        Some(Value::Ref { record, id }) => (ctx.data.events(record, &id, event), Some(id)),
                        Some(_) => (NO_EVENTS, None),
                    };
                    let v = self.history(code, pc, kind, all, since, only.as_deref(), filter)?;
                    self.push(v);
                }
                Op::Change { slot } => {
                    let window = match *self.pop().get(ctx) {
                        Value::Duration(d) => d,
                        _ => Duration::default(),
                    };
                    let then_at = before(ctx, ctx.now, window);
                    let now_v = ctx.subject.get(slot as usize).and_then(Value::number);
                    let then_v =
                        ctx.data.value_at(ctx.subject_type, ctx.subject_id, slot, then_at).and_then(|v| v.number());
                    let change = match (now_v, then_v) {
                        (Some(n), Some(t)) if t != 0.0 => (n - t) / t.abs(),
                        _ => 0.0,
                    };
                    self.push(Value::Num(change));
                }
                Op::Old { slot } => {
                    let v = ctx.old.and_then(|old| old.get(slot as usize)).cloned().unwrap_or_default();
                    self.push(v);
                }
            }
        }
        Ok(())
    }

    #[inline(always)]
    fn push(&mut self, v: Value) {
        self.stack.push(Slot::Value(v));
    }

    #[inline(always)]
    fn pop(&mut self) -> Slot {
        match self.stack.pop() {
            Some(v) => v,
            None => Slot::Value(Value::Empty),
        }
    }

    /// Charges the budget for a pass over `code` from the instruction after `at`.
    fn charge(&mut self, code: &Code, at: usize) -> Result<(), Fault> {
        let cost = code.ops.len().min(u32::MAX as usize) as u32;
        if self.budget < cost {
            return Err(fail(code, at, "this took too many steps to work out".into()));
        }
        self.budget -= cost;
        Ok(())
    }

    /// The instruction after a jump from `pc - 1` to `to`; a jump back starts a new pass.
    #[inline(always)]
    fn jump(&mut self, code: &Code, pc: usize, to: u32) -> Result<usize, Fault> {
        let to = to as usize;
        if to < pc {
            self.charge(code, pc - 1)?;
        }
        Ok(to)
    }

    fn top_is_true(&self) -> bool {
        matches!(self.stack.last().map(|v| v.get(self.ctx)), Some(Value::Bool(true)))
    }
}

pub(crate) fn is_user(ctx: &Ctx, record: u32) -> bool {
    ctx.program.schema.records.get(record as usize).is_some_and(|r| r.name == "User")
}

fn span(code: &Code, at: usize) -> SrcSpan {
    code.spans.get(at).copied().unwrap_or_default()
}

fn fail(code: &Code, at: usize, message: String) -> Fault {
    Fault::Failed { message, span: span(code, at) }
}
