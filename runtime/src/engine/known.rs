//! Conditions worked out for many records at once: when a schedule fires a playbook for
//! every record of its type, each of the playbook's conditions that has a predicate is
//! tested over all their rows in one pass ([`crate::vm::Vm::test_table`]: the condition
//! found, the clock memo prepared and compiled code's context made once, and the rows
//! tested by the compiled scan over their table's cells), before the
//! records are enrolled one by one. Conditions read only the subject's fields and the
//! clock, which enrolling other records does not change.

use std::sync::Arc;

use super::{Engine, Loaded};
use crate::rows::{Row, Table, Texts};
use crate::store::Store;
use crate::vm::Fault;

/// The answers of a playbook's conditions, by condition then by record (`None`: worked
/// out when the record is enrolled, as usual).
pub(super) struct Known(Vec<Vec<Option<Result<bool, Fault>>>>);

impl Known {
    /// No answers: every condition is worked out at enrolment.
    pub(super) fn none() -> Known {
        Known(Vec::new())
    }

    /// Condition `condition`'s answer for record number `record`, if known.
    pub(super) fn get(&self, condition: usize, record: usize) -> Option<Result<bool, Fault>> {
        self.0.get(condition)?.get(record)?.clone()
    }
}

impl<S: Store> Engine<S> {
    /// Playbook `p`'s conditions over the records `ids` of type `record`.
    pub(super) fn conditions_over(&mut self, loaded: &Loaded, p: usize, record: u32, ids: &[Arc<str>]) -> Known {
        let Some(first) = ids.first() else { return Known::none() };
        let pb = &loaded.program.playbooks[p];
        let rows: Vec<Option<Row>> = ids.iter().map(|id| self.store.record(record, id)).collect();
        let ctx = loaded.about(&self.store, &self.workspace, self.now, record, first, &[], Some(&loaded.tier));
        let present: Vec<usize> = (0..ids.len()).filter(|&i| rows[i].is_some()).collect();
        // Over one table the rows are tested in row order (the ids' order is another), so
        // that rows kept one after another are tested many at once: `order` is where
        // each answer goes among `present`.
        let table = one_table(&rows).map(|(table, numbers)| {
            let mut order: Vec<usize> = (0..numbers.len()).collect();
            order.sort_unstable_by_key(|&k| numbers[k]);
            let numbers: Vec<u32> = order.iter().map(|&k| numbers[k]).collect();
            (table, numbers, order)
        });
        let mut known = Vec::with_capacity(pb.conditions.len());
        for code in &pb.conditions {
            let mut answers: Vec<Option<Result<bool, Fault>>> = vec![None; ids.len()];
            if loaded.tier.get(code).is_some() {
                match &table {
                    Some((table, numbers, order)) => {
                        let mut at = order.iter();
                        self.vm.test_table(code, &ctx, *table, numbers, |answer| {
                            if let Some(&k) = at.next() {
                                answers[present[k]] = Some(answer);
                            }
                        });
                    }
                    None => {
                        let mut at = present.iter();
                        let over = present.iter().filter_map(|&i| Some((rows[i]?, &ids[i])));
                        self.vm.test_rows(code, &ctx, over, |answer| {
                            if let Some(&i) = at.next() {
                                answers[i] = Some(answer);
                            }
                        });
                    }
                }
            }
            known.push(answers);
        }
        Known(known)
    }
}

/// The table of the rows that are there, with their row numbers in order, when they are all
/// one table's (as the memory store keeps them): the compiled scan can test them over the
/// table's cells.
fn one_table<'a>(rows: &[Option<Row<'a>>]) -> Option<((&'a Table, &'a Texts), Vec<u32>)> {
    let first = rows.iter().flatten().next()?;
    let (table, texts) = (first.place().0, first.texts());
    let same = |row: &Row| std::ptr::eq(row.place().0, table) && std::ptr::eq(row.texts(), texts);
    let numbers = rows.iter().flatten().map(|row| same(row).then(|| row.place().1)).collect::<Option<Vec<u32>>>()?;
    Some(((table, texts), numbers))
}
