//! [`LastRow`]: the row a memory store last found by id, tried before the table's index.
//!
//! One change asks for the same record many times (its fields written, each condition and
//! step evaluated over its row, its runs and enrolments kept in its row's meta), each time
//! by id: hashing the id and probing the index every time was a visible share of an
//! enrolling change. The row remembered is checked against the id it stands for before it
//! is used, so a stale one (another record, a table replaced) only costs the usual lookup.

use std::sync::atomic::{AtomicU64, Ordering};

use crate::rows::Table;

/// The record type (high half) and row (low half) last found. Atomic rather than a `Cell`
/// so that the store stays `Sync`; a relaxed load or store is a plain move.
#[derive(Default)]
pub(crate) struct LastRow(AtomicU64);

impl LastRow {
    /// The row of `id` in `table` (of record type `record`), if it has one.
    pub(crate) fn find(&self, record: u32, table: &Table, id: &str) -> Option<u32> {
        let last = self.0.load(Ordering::Relaxed);
        let row = last as u32;
        if (last >> 32) as u32 == record && (row as usize) < table.rows() && **table.id(row) == *id {
            return Some(row);
        }
        let row = table.find(id)?;
        self.note(record, row);
        Some(row)
    }

    /// Remembers the row just found or made for a record of type `record`.
    pub(crate) fn note(&self, record: u32, row: u32) {
        self.0.store(u64::from(record) << 32 | u64::from(row), Ordering::Relaxed);
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::*;

    fn table(ids: &[&str]) -> Table {
        let mut t = Table::default();
        for id in ids {
            t.row_of(&Arc::from(*id));
        }
        t
    }

    #[test]
    fn finds_each_id_whatever_was_found_before() {
        let t = table(&["a-1", "a-2", "a-3"]);
        let last = LastRow::default();
        for id in ["a-2", "a-2", "a-1", "a-3", "a-1"] {
            assert_eq!(last.find(0, &t, id), t.find(id), "{id}");
        }
        assert_eq!(last.find(0, &t, "a-9"), None, "an id with no row has none");
    }

    #[test]
    fn a_stale_row_is_checked_not_trusted() {
        let (t, other) = (table(&["a-1", "a-2"]), table(&["b-1"]));
        let last = LastRow::default();
        // A row of another record type, a row past the end, a row of another id.
        for (record, row) in [(1, 0), (0, 7), (0, 0)] {
            last.note(record, row);
            assert_eq!(last.find(0, &t, "a-2"), Some(1));
        }
        last.note(0, 0);
        assert_eq!(last.find(1, &other, "b-1"), Some(0), "same row number, other type");
        assert_eq!(last.find(0, &t, "b-1"), None, "an id of another type is not in this table");
    }
}
