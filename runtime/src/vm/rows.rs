//! Conditions over records' rows (`crate::rows`): one row ([`Vm::eval_row`]), or many rows
//! of one record type with one context ([`Vm::test_rows`]), where the cost around the
//! condition (finding its code, preparing the clock memo, building the compiled code's
//! context) is paid once and each row costs a layout check and a direct call of the
//! compiled code, or many rows of one table ([`Vm::test_table`]: the records a schedule
//! fires for), which the compiled scan tests straight over the table's cells, leaving only
//! the rows it cannot answer alone to be tested one by one. Only when compiled code cannot
//! answer alone, or the condition is not compiled, are the row's values decoded, and then
//! only the fields the condition reads.

use std::sync::Arc;

use play_compiler::program::Code;

use super::pred::Entry;
use super::{Ctx, Fault, Machine, Memo, Slot, Vm};
use super::{Pred, Term};
use crate::jit::{Answer, Runner};
use crate::rows::{Row, Table, Texts};
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
        let Vm { stack, memo, fields, notes, .. } = self;
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
            let fallback = Fallback { stack: &mut *stack, memo, notes: notes.as_mut(), code, ctx, entry };
            each(match &runner {
                Some(r) => fallback.compiled(r, row, id),
                None => fallback.run(row, id, &mut own, false, false),
            });
        }
        if runner.is_none() {
            *fields = own;
        }
    }

    /// [`Vm::test_rows`] over rows `rows` (row numbers) of `table`, whose texts are
    /// `texts`, each with its id in the table: when the condition is compiled for the
    /// table's layout, its compiled scan tests the rows straight over the table's cells,
    /// a chunk at a time, and only the rows it cannot answer alone are tested one by one
    /// as [`Vm::test_rows`] tests them, so `each` gets the same answers and faults in the
    /// same order. Gives how many rows the scan answered alone.
    ///
    /// # Panics
    /// If a row number is not below [`Table::rows`], as [`Table::row`] does.
    pub fn test_table(
        &mut self,
        code: &Code,
        ctx: &Ctx,
        (table, texts): (&Table, &Texts),
        rows: &[u32],
        mut each: impl FnMut(Result<bool, Fault>),
    ) -> usize {
        let native =
            ctx.tier.and_then(|t| Some((t, t.entry(code)?))).and_then(|(t, e)| Some((t, e, e.native.as_ref()?)));
        let Some((tier, entry, f)) = native.filter(|(_, _, f)| f.scans(table)) else {
            self.test_rows(code, ctx, rows.iter().map(|&r| (table.row(r, texts), table.id(r))), each);
            return 0;
        };
        let Vm { stack, memo, fields, notes, .. } = self;
        memo.prepare(ctx, tier);
        let memo = &*memo;
        let runner = f.runner(ctx, memo, &entry.slots, fields);
        let mut answers = [0u8; SCAN_CHUNK];
        let mut alone = 0;
        for chunk in rows.chunks(SCAN_CHUNK) {
            let out = &mut answers[..chunk.len()];
            match runner.scan(table, texts, chunk, out) {
                // Every row answered alone: only the callback per row.
                Some(true) => {
                    alone += chunk.len();
                    out.iter().for_each(|&answer| each(Ok(answer == 1)));
                    continue;
                }
                Some(false) => {}
                // A row number past the table's end: `Table::row` below says so.
                None => out.fill(2),
            }
            for (&r, &answer) in chunk.iter().zip(out.iter()) {
                if answer < 2 {
                    alone += 1;
                    each(Ok(answer == 1));
                    continue;
                }
                let fallback = Fallback { stack: &mut *stack, memo, notes: notes.as_mut(), code, ctx, entry };
                let got = fallback.compiled(&runner, table.row(r, texts), table.id(r));
                each(got.map(|v| matches!(v, Value::Bool(true))));
            }
        }
        alone
    }
}

/// How many rows a compiled scan tests at a time (their answers kept on the stack).
const SCAN_CHUNK: usize = 512;

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
    /// The value over `row`: compiled code's answer when it gives one alone, else the
    /// predicate's or the interpreter's over the values the compiled code decoded.
    fn compiled<'r>(self, runner: &Runner<'r, '_>, row: Row<'r>, id: &Arc<str>) -> Result<Value, Fault> {
        let answer = runner.call(row);
        if let Answer::Is(b) = answer {
            return Ok(Value::Bool(b));
        }
        let decoded = runner.decoded();
        self.run(row, id, &mut runner.fields(), decoded, answer == Answer::Interpret)
    }

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
