//! Conditions over records' rows (`crate::rows`): one row ([`Vm::eval_row`]), or many rows
//! of one record type with one context ([`Vm::test_rows`]: a segment's members, the
//! records a schedule fires for), where the cost around the condition (finding its code,
//! preparing the clock memo, building the compiled code's context) is paid once and each
//! row costs a layout check and a direct call of the compiled code. Only when compiled
//! code cannot answer alone, or the condition is not compiled, are the row's values
//! decoded, and then only the fields the condition reads.

use std::sync::Arc;

use play_compiler::program::Code;

use super::pred::Entry;
use super::{Ctx, Fault, Machine, Memo, Slot, Vm};
use super::{Pred, Term};
use crate::jit::Answer;
use crate::rows::Row;
use crate::value::Value;

impl Vm {
    /// Evaluates `code` about the subject whose fields are `row` (`ctx.subject` is not
    /// read).
    pub fn eval_row(&mut self, code: &Code, ctx: &Ctx, row: Row) -> Result<Value, Fault> {
        let mut got = Ok(Value::Empty);
        self.over_rows(code, ctx, [(row, ctx.subject_id)], |v| got = v);
        got
    }

    /// [`Vm::eval_row`] for a condition: true only for `true`.
    pub fn test_row(&mut self, code: &Code, ctx: &Ctx, row: Row) -> Result<bool, Fault> {
        Ok(matches!(self.eval_row(code, ctx, row)?, Value::Bool(true)))
    }

    /// Tests a condition over many records of `ctx`'s subject type, each a row and its
    /// id (`ctx`'s subject and its values are not read), giving `each` the answer for
    /// each row in turn: what [`Vm::test_row`] gives for each, with the context made once.
    pub fn test_rows<'r>(
        &mut self,
        code: &Code,
        ctx: &Ctx,
        rows: impl IntoIterator<Item = (Row<'r>, &'r Arc<str>)>,
        mut each: impl FnMut(Result<bool, Fault>),
    ) {
        self.over_rows(code, ctx, rows, |v| each(v.map(|v| matches!(v, Value::Bool(true)))));
    }

    fn over_rows<'r>(
        &mut self,
        code: &Code,
        ctx: &Ctx,
        rows: impl IntoIterator<Item = (Row<'r>, &'r Arc<str>)>,
        mut each: impl FnMut(Result<Value, Fault>),
    ) {
        let Vm { stack, memo, fields, notes } = self;
        let Some((tier, entry)) = ctx.tier.and_then(|t| Some((t, t.entry(code)?))) else {
            // No predicate: the interpreter, over every field's value.
            for (row, id) in rows {
                row.decode_into(fields);
                let ctx = Ctx { subject: &fields[..], subject_id: id, ..*ctx };
                each(Machine::new(&mut *stack, &*memo, notes.as_mut(), &ctx).value(code));
            }
            return;
        };
        memo.prepare(ctx, tier);
        let memo = &*memo;
        // Compiled code decodes into the VM's buffer; without it, this one does (the
        // buffer's room kept either way).
        let mut own = if entry.native.is_none() { std::mem::take(fields) } else { Vec::new() };
        let runner = entry.native.as_ref().map(|f| f.runner(ctx, memo, &entry.slots, fields));
        for (row, id) in rows {
            let answer = runner.as_ref().map(|r| r.call(row));
            if let Some(Answer::Is(b)) = answer {
                each(Ok(Value::Bool(b)));
                continue;
            }
            let fallback = Fallback { stack: &mut *stack, memo, notes: notes.as_mut(), code, ctx, entry };
            each(match &runner {
                Some(r) => {
                    let decoded = r.decoded();
                    fallback.run(row, id, &mut r.fields(), decoded, answer == Some(Answer::Interpret))
                }
                None => fallback.run(row, id, &mut own, false, false),
            });
        }
        if runner.is_none() {
            *fields = own;
        }
    }
}

/// What evaluates a row that compiled code did not answer alone: the predicate, then the
/// interpreter, over the values of the fields the condition reads.
struct Fallback<'m, 'a> {
    stack: &'m mut Vec<Slot>,
    memo: &'m Memo,
    notes: Option<&'m mut Vec<String>>,
    code: &'m Code,
    ctx: &'m Ctx<'a>,
    entry: &'m Entry,
}

impl Fallback<'_, '_> {
    /// The value over `row`, whose values are in `fields` if `decoded`; straight to the
    /// interpreter when compiled code said the predicate would hand over (`interpret`).
    fn run(
        self,
        row: Row,
        id: &Arc<str>,
        fields: &mut Vec<Value>,
        decoded: bool,
        interpret: bool,
    ) -> Result<Value, Fault> {
        if !decoded {
            row.decode_slots_into(&self.entry.slots, fields);
        }
        let ctx = Ctx { subject: fields, subject_id: id, ..*self.ctx };
        if !interpret {
            if let Some(b) = self.entry.pred.test(&ctx, self.memo) {
                return Ok(Value::Bool(b));
            }
        }
        Machine::new(self.stack, self.memo, self.notes, &ctx).value(self.code)
    }
}

impl Pred {
    /// Adds the subject's fields the predicate reads to `out`.
    pub(super) fn reads(&self, out: &mut Vec<u32>) {
        match self {
            Pred::Compare { slot, .. }
            | Pred::In { slot, .. }
            | Pred::Contains { slot, .. }
            | Pred::Exists { slot } => out.push(*slot),
            Pred::CompareTerms { left, right, .. } => {
                left.reads(out);
                right.reads(out);
            }
            Pred::Not(p) => p.reads(out),
            Pred::And(l, r) | Pred::Or(l, r) => {
                l.reads(out);
                r.reads(out);
            }
        }
    }
}

impl Term {
    pub(super) fn reads(&self, out: &mut Vec<u32>) {
        match self {
            Term::Field(slot) => out.push(*slot),
            Term::Arithmetic { left, right, .. } | Term::Coalesce(left, right) => {
                left.reads(out);
                right.reads(out);
            }
            Term::Clock { term, .. } => term.reads(out),
            Term::Const(_) | Term::Today | Term::Now => {}
        }
    }
}
