//! The VM's fast path for the commonest conditions: `and`, `or` and `not` over comparisons
//! of the subject's fields, constants, `today()` and `now()` and arithmetic on them
//! (`account.tier == Enterprise and account.arr > 100_000`, `account.renewal_date <=
//! today() + 90d`), `in` lists of constants, `contains` and `exists` on a field. Each such
//! piece of code is compiled, when the program is loaded, into a [`Pred`] tree that is
//! evaluated to a `bool` directly, without the value stack.
//!
//! The interpreter stays the reference. A predicate answers only when every comparison
//! in it has an answer; anything else (an empty value where an order is needed, a type it
//! does not expect) sends the evaluation back to the interpreter, which gives the value or
//! the fault with its place. The property tests in `runtime/tests/rules/vm.rs` hold the
//! two to the same answers over generated conditions and records.

use std::borrow::Cow;
use std::cell::OnceCell;
use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};
use std::sync::atomic::{AtomicU64, Ordering};

use chrono_tz::Tz;
use play_compiler::program::{Builtin, Cmp, Code, Const, Node, Op, Program, TriggerKind};

use super::arith::arithmetic;
use super::ops::{compare_quick, Today};
use super::{Ctx, EMPTY};
use crate::rows::{layout, Row, Width};
use crate::value::Value;

/// A condition as a tree of tests.
#[derive(Debug, PartialEq)]
pub enum Pred {
    /// The subject's field `slot` compared with constant `index`.
    Compare {
        slot: u32,
        index: u32,
        cmp: Cmp,
    },
    /// Two terms compared.
    CompareTerms {
        left: Box<Term>,
        right: Box<Term>,
        cmp: Cmp,
    },
    /// The field among constants.
    In {
        slot: u32,
        consts: Box<[u32]>,
        negated: bool,
    },
    /// `contains(field, constant)`.
    Contains {
        slot: u32,
        index: u32,
    },
    /// `exists(field)`.
    Exists {
        slot: u32,
    },
    Not(Box<Pred>),
    And(Box<Pred>, Box<Pred>),
    Or(Box<Pred>, Box<Pred>),
}

/// A value a comparison compares.
#[derive(Debug, PartialEq)]
pub enum Term {
    Field(u32),
    Const(u32),
    Today,
    Now,
    /// `+`, `-`, `*` or `/`.
    Arithmetic {
        op: Op,
        left: Box<Term>,
        right: Box<Term>,
    },
    /// `??`: the left value, or the right when it is empty.
    Coalesce(Box<Term>, Box<Term>),
    /// A term that reads only the clock and constants (`today() + 90d`): its value is the
    /// same all through one moment, so it is worked out once per moment (see [`Memo`]).
    Clock {
        id: u32,
        term: Box<Term>,
    },
}

/// Today's date (which the interpreter reads too) and the values of a tier's clock terms,
/// at one moment in one time zone. Each is worked out the first time it is needed, through
/// a shared borrow, so that terms can lend their values out.
#[derive(Default)]
pub struct Memo {
    key: Option<(i64, Tz, u64)>,
    pub(super) today: Today,
    values: Vec<OnceCell<Value>>,
}

impl Memo {
    /// Forgets the values when the moment, the time zone or the program changed (clock
    /// terms never count business days, so the rest of the calendar does not matter).
    #[inline]
    pub(super) fn prepare(&mut self, ctx: &Ctx, tier: &Tier) {
        let key = Some((ctx.now, ctx.workspace.time_zone, tier.id));
        if key != self.key {
            self.key = key;
            self.values.clear();
            self.values.resize_with(tier.clocks as usize, OnceCell::new);
        }
    }
}

impl Term {
    /// The value, or `None` to ask the interpreter.
    pub(crate) fn value<'c>(&'c self, ctx: &'c Ctx, memo: &'c Memo) -> Option<Cow<'c, Value>> {
        Some(match self {
            Term::Field(slot) => Cow::Borrowed(ctx.subject.get(*slot as usize).unwrap_or(&EMPTY)),
            Term::Const(index) => Cow::Borrowed(ctx.consts.get(*index as usize).unwrap_or(&EMPTY)),
            Term::Today => Cow::Owned(Value::Date(memo.today.get(ctx))),
            Term::Now => Cow::Owned(Value::Moment(ctx.now)),
            Term::Arithmetic { op, left, right } => {
                let (l, r) = (left.value(ctx, memo)?, right.value(ctx, memo)?);
                Cow::Owned(arithmetic(*op, &l, &r, ctx).ok()?)
            }
            Term::Coalesce(left, right) => match left.value(ctx, memo)? {
                v if v.is_empty() => right.value(ctx, memo)?,
                v => v,
            },
            Term::Clock { id, term } => {
                let cell = memo.values.get(*id as usize)?;
                Cow::Borrowed(match cell.get() {
                    Some(v) => v,
                    None => {
                        let v = term.value(ctx, memo)?.into_owned();
                        cell.get_or_init(|| v)
                    }
                })
            }
        })
    }
}

impl Pred {
    /// Whether the condition holds, or `None` to ask the interpreter.
    pub(crate) fn test(&self, ctx: &Ctx, memo: &Memo) -> Option<bool> {
        let field = |slot: &u32| ctx.subject.get(*slot as usize).unwrap_or(&EMPTY);
        let constant = |index: &u32| ctx.consts.get(*index as usize).unwrap_or(&EMPTY);
        match self {
            Pred::Compare { slot, index, cmp } => compare_quick(cmp.op(), field(slot), constant(index), ctx).ok(),
            Pred::CompareTerms { left, right, cmp } => compare_terms(left, right, *cmp, ctx, memo),
            Pred::In { slot, consts, negated } => {
                let v = field(slot);
                let found = consts.iter().any(|i| compare_quick(Op::Eq, v, constant(i), ctx).unwrap_or(false));
                Some(found != *negated)
            }
            Pred::Contains { slot, index } => contains(field(slot), constant(index), ctx),
            Pred::Exists { slot } => Some(!field(slot).is_empty()),
            Pred::Not(p) => p.test(ctx, memo).map(|b| !b),
            Pred::And(l, r) => match l.test(ctx, memo)? {
                true => r.test(ctx, memo),
                false => Some(false),
            },
            Pred::Or(l, r) => match l.test(ctx, memo)? {
                true => Some(true),
                false => r.test(ctx, memo),
            },
        }
    }
}

/// Kept out of [`Pred::test`], whose frame stays small for the commoner tests.
#[inline(never)]
fn compare_terms(left: &Term, right: &Term, cmp: Cmp, ctx: &Ctx, memo: &Memo) -> Option<bool> {
    let (l, r) = (left.value(ctx, memo)?, right.value(ctx, memo)?);
    compare_quick(cmp.op(), &l, &r, ctx).ok()
}

#[inline(never)]
fn contains(field: &Value, want: &Value, ctx: &Ctx) -> Option<bool> {
    match (field, want) {
        (Value::List(items), want) => Some(items.iter().any(|v| compare_quick(Op::Eq, v, want, ctx).unwrap_or(false))),
        (Value::Text(text), Value::Text(part)) => Some(text.contains(&**part)),
        _ => None,
    }
}

/// The predicate of a piece of code, or `None` when it is not one.
fn predicate(code: &Code) -> Option<Pred> {
    block(&code.ops, 0, code.ops.len())
}

/// What the instructions of a block leave: a test, or a term still to be used.
enum Item {
    Pred(Pred),
    Term(Term),
}

/// The test the instructions `from..until` leave as their one value.
fn block(ops: &[Op], from: usize, until: usize) -> Option<Pred> {
    match items(ops, from, until)? {
        Item::Pred(p) => Some(p),
        Item::Term(_) => None,
    }
}

/// The one item the instructions `from..until` leave.
fn items(ops: &[Op], from: usize, until: usize) -> Option<Item> {
    let mut stack: Vec<Item> = Vec::new();
    let mut pc = from;
    while pc < until {
        let item = match ops[pc] {
            Op::SubjectField { slot } => Item::Term(Term::Field(slot)),
            Op::Const { index } => Item::Term(Term::Const(index)),
            Op::Call { function: Builtin::Today } => Item::Term(Term::Today),
            Op::Call { function: Builtin::Now } => Item::Term(Term::Now),
            Op::FieldCompare { slot, index, cmp } => Item::Pred(Pred::Compare { slot, index, cmp }),
            op @ (Op::Eq | Op::Ne | Op::Lt | Op::Le | Op::Gt | Op::Ge) => {
                let (right, left) = (term(stack.pop()?)?, term(stack.pop()?)?);
                Item::Pred(Pred::CompareTerms { left: Box::new(left), right: Box::new(right), cmp: Cmp::of(op)? })
            }
            op @ (Op::Add | Op::Sub | Op::Mul | Op::Div) => {
                let (right, left) = (term(stack.pop()?)?, term(stack.pop()?)?);
                Item::Term(Term::Arithmetic { op, left: Box::new(left), right: Box::new(right) })
            }
            Op::Exists => match stack.pop()? {
                Item::Term(Term::Field(slot)) => Item::Pred(Pred::Exists { slot }),
                _ => return None,
            },
            Op::In { count, negated } => {
                let at = stack.len().checked_sub(count as usize)?;
                let consts = stack
                    .split_off(at)
                    .into_iter()
                    .map(|i| if let Item::Term(Term::Const(c)) = i { Some(c) } else { None })
                    .collect::<Option<_>>()?;
                match stack.pop()? {
                    Item::Term(Term::Field(slot)) => Item::Pred(Pred::In { slot, consts, negated }),
                    _ => return None,
                }
            }
            Op::Call { function: Builtin::Contains } => match (stack.pop()?, stack.pop()?) {
                (Item::Term(Term::Const(index)), Item::Term(Term::Field(slot))) => {
                    Item::Pred(Pred::Contains { slot, index })
                }
                _ => return None,
            },
            Op::Not => match stack.pop()? {
                Item::Pred(p) => Item::Pred(Pred::Not(Box::new(p))),
                Item::Term(_) => return None,
            },
            Op::JumpIfFalse { to } | Op::JumpIfTrue { to } | Op::Coalesce { to } => {
                let end = to as usize;
                if end <= pc || end > until {
                    return None;
                }
                let left = stack.pop()?;
                let right = items(ops, pc + 1, end)?;
                stack.push(match (ops[pc], left, right) {
                    (Op::JumpIfFalse { .. }, Item::Pred(l), Item::Pred(r)) => {
                        Item::Pred(Pred::And(Box::new(l), Box::new(r)))
                    }
                    (Op::JumpIfTrue { .. }, Item::Pred(l), Item::Pred(r)) => {
                        Item::Pred(Pred::Or(Box::new(l), Box::new(r)))
                    }
                    (Op::Coalesce { .. }, Item::Term(l), Item::Term(r)) => {
                        Item::Term(Term::Coalesce(Box::new(l), Box::new(r)))
                    }
                    _ => return None,
                });
                pc = end;
                continue;
            }
            _ => return None,
        };
        stack.push(item);
        pc += 1;
    }
    match (stack.pop(), stack.is_empty()) {
        (Some(item), true) => Some(item),
        _ => None,
    }
}

/// Wraps the largest terms of `pred` that read only the clock and constants, and do some
/// work (arithmetic), in [`Term::Clock`], numbering them from `next`. A term that counts
/// business days is left as it is: its value depends on the calendar too.
fn clockify(pred: &mut Pred, consts: &[Const], next: &mut u32) {
    match pred {
        Pred::CompareTerms { left, right, .. } => {
            clock_term(left, consts, next);
            clock_term(right, consts, next);
        }
        Pred::Not(p) => clockify(p, consts, next),
        Pred::And(l, r) | Pred::Or(l, r) => {
            clockify(l, consts, next);
            clockify(r, consts, next);
        }
        Pred::Compare { .. } | Pred::In { .. } | Pred::Contains { .. } | Pred::Exists { .. } => {}
    }
}

fn clock_term(term: &mut Term, consts: &[Const], next: &mut u32) {
    if matches!(term, Term::Arithmetic { .. }) && clock_only(term, consts) {
        let inner = std::mem::replace(term, Term::Now);
        *term = Term::Clock { id: *next, term: Box::new(inner) };
        *next += 1;
        return;
    }
    match term {
        Term::Arithmetic { left, right, .. } | Term::Coalesce(left, right) => {
            clock_term(left, consts, next);
            clock_term(right, consts, next);
        }
        Term::Field(_) | Term::Const(_) | Term::Today | Term::Now | Term::Clock { .. } => {}
    }
}

fn clock_only(term: &Term, consts: &[Const]) -> bool {
    match term {
        Term::Field(_) => false,
        Term::Const(index) => !matches!(consts.get(*index as usize), Some(Const::Duration(d)) if d.business_days != 0),
        Term::Today | Term::Now | Term::Clock { .. } => true,
        Term::Arithmetic { left, right, .. } | Term::Coalesce(left, right) => {
            clock_only(left, consts) && clock_only(right, consts)
        }
    }
}

fn term(item: Item) -> Option<Term> {
    match item {
        Item::Term(t) => Some(t),
        Item::Pred(_) => None,
    }
}

/// The predicates of a program's conditions, found by the address of their code. The
/// codes live in the program's vectors, whose buffers do not move while it is loaded.
/// With the JIT on, each predicate also has native code (`crate::jit`).
#[derive(Default)]
pub struct Tier {
    preds: HashMap<usize, Entry, BuildHasherDefault<AddressHasher>>,
    /// How many clock terms the predicates have.
    clocks: u32,
    /// Tells tiers apart for [`Memo`]: unique in the process, unlike an address.
    id: u64,
    /// The memory of the compiled predicates, which [`Entry::native`] points into: freed
    /// with the tier, after the entries.
    code: Option<crate::jit::Code>,
}

/// A predicate, boxed so that compiled code can point at its parts, and its native code.
pub(super) struct Entry {
    pub(super) pred: Box<Pred>,
    pub(super) native: Option<crate::jit::Function>,
    /// The subject's fields the predicate (and so its code) reads, in order: a row is
    /// decoded only there.
    pub(super) slots: Box<[u32]>,
}

/// The next [`Tier::id`].
static TIERS: AtomicU64 = AtomicU64::new(0);

impl Tier {
    /// The predicates of `program`'s `when`, `exit when`, step filters and segments,
    /// compiled to native code unless the JIT is off for the process
    /// ([`crate::jit::set_enabled`]).
    pub fn new(program: &Program) -> Tier {
        Tier::build(program, crate::jit::enabled())
    }

    /// [`Tier::new`], with the JIT on or off for this tier alone.
    pub fn build(program: &Program, jit: bool) -> Tier {
        // Each piece of code with the record type it is about, and whether it is tested
        // over many rows of a table (the conditions of a playbook a schedule fires for
        // every record of its type, `on every …`), so gets a compiled scan too.
        let mut codes: Vec<(&Code, usize, bool)> = Vec::new();
        for playbook in &program.playbooks {
            let about = |scan| move |code| (code, playbook.subject, scan);
            let scheduled = playbook.triggers.iter().any(|t| matches!(t.kind, TriggerKind::Every { .. }));
            codes.extend(playbook.conditions.iter().map(about(scheduled)));
            codes.extend(playbook.exits.iter().map(about(false)));
            for node in &playbook.body {
                if let Node::Step(step) = node {
                    codes.extend(step.filter.iter().map(about(false)));
                }
            }
        }
        codes.extend(program.segments.iter().map(|s| (&s.value, s.subject, false)));
        let mut clocks = 0;
        let mut preds: HashMap<usize, Entry, _> = HashMap::default();
        let mut subjects: Vec<(usize, usize, bool)> = Vec::new();
        for (code, subject, scan) in codes {
            if let Some(mut pred) = predicate(code) {
                clockify(&mut pred, &program.consts, &mut clocks);
                let mut slots = Vec::new();
                pred.reads(&mut slots);
                slots.sort_unstable();
                slots.dedup();
                let slots = slots.into();
                preds.insert(address(code), Entry { pred: Box::new(pred), native: None, slots });
                subjects.push((address(code), subject, scan));
            }
        }
        let mut code = None;
        if jit && !preds.is_empty() {
            // The row layout of each record type, as the store keeps its table once told
            // the schema (`Store::set_schema`).
            let widths: Vec<Vec<Width>> = program.schema.records.iter().map(layout::of_record).collect();
            let numbers: Vec<Vec<u8>> = program.schema.records.iter().map(layout::number_tags).collect();
            let all: Vec<(usize, crate::jit::Job)> = subjects
                .iter()
                .filter_map(|(key, subject, scan)| {
                    let (widths, numbers) = (widths.get(*subject)?.as_slice(), numbers.get(*subject)?.as_slice());
                    Some((*key, (&*preds.get(key)?.pred, widths, numbers, *scan)))
                })
                .collect();
            let jobs: Vec<crate::jit::Job> = all.iter().map(|(_, job)| *job).collect();
            if let Some((compiled, functions)) = crate::jit::compile(&jobs, &program.consts) {
                let keys: Vec<usize> = all.iter().map(|(k, _)| *k).collect();
                for (key, f) in keys.iter().zip(functions) {
                    if let Some(entry) = preds.get_mut(key) {
                        entry.native = Some(f);
                    }
                }
                code = Some(compiled);
            }
        }
        Tier { preds, clocks, id: TIERS.fetch_add(1, Ordering::Relaxed), code }
    }

    /// The predicate of a piece of code, if it is one.
    #[inline]
    pub fn get(&self, code: &Code) -> Option<&Pred> {
        self.entry(code).map(|e| &*e.pred)
    }

    #[inline]
    pub(super) fn entry(&self, code: &Code) -> Option<&Entry> {
        if self.preds.is_empty() {
            return None;
        }
        self.preds.get(&address(code))
    }

    /// Whether a piece of code runs as native code (the JIT compiled its predicate).
    pub fn compiled(&self, code: &Code) -> bool {
        self.entry(code).is_some_and(|e| e.native.is_some())
    }

    /// How the compiled scan of `code` tests many rows, if it has one (the conditions of
    /// a playbook a schedule fires).
    pub fn scanning(&self, code: &Code) -> Option<crate::jit::Scanning> {
        self.entry(code)?.native.as_ref()?.scanning()
    }

    /// What the compiled code of `code` answers by itself over the subject's `row`
    /// (`None`: not compiled, a row of another layout, it called the predicate for a
    /// part, or it hands over to the interpreter), for tests that the JIT does its own
    /// work.
    pub fn native_answer(&self, code: &Code, ctx: &Ctx, row: Row) -> Option<bool> {
        let entry = self.entry(code)?;
        let mut memo = Memo::default();
        memo.prepare(ctx, self);
        let mut fields = Vec::new();
        let runner = entry.native.as_ref()?.runner(ctx, &memo, &entry.slots, &mut fields);
        match runner.call(row) {
            crate::jit::Answer::Is(b) if !runner.decoded() => Some(b),
            _ => None,
        }
    }

    /// Whether the JIT compiled this tier's predicates.
    pub fn is_compiled(&self) -> bool {
        self.code.is_some()
    }
}

fn address(code: &Code) -> usize {
    code as *const Code as usize
}

/// Addresses are spread already: a multiplication mixes their high bits down.
#[derive(Default)]
pub struct AddressHasher(u64);

impl Hasher for AddressHasher {
    fn write(&mut self, bytes: &[u8]) {
        for b in bytes {
            self.0 = (self.0 ^ u64::from(*b)).wrapping_mul(0x100_0000_01B3);
        }
    }

    fn write_usize(&mut self, n: usize) {
        self.0 = (n as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15).rotate_left(29);
    }

    fn finish(&self) -> u64 {
        self.0
    }
}
