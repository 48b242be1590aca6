//! Changes as a daemon takes them, late and out of order, and as a replay takes them, in
//! time order. A change's `at` places its field and event history (so `did(…, within:)`,
//! `count`, `last` and `changed` read it where it happened); the engine's clock moves to the
//! moment it arrived, and everything the change sets off happens then. A field a late
//! change sets keeps its newer value when one was written after the change's `at`: the
//! late value goes to the field's history only.

use std::sync::Arc;

use super::queue::Taken;
use super::Engine;
use crate::change::{Change, Rejection};
use crate::store::Store;
use crate::value::{moment_text, Value};

/// How far ahead of its arrival a change may be stamped (clocks differ a little); one
/// further ahead is refused, with its field `at`.
pub const FUTURE_TOLERANCE: i64 = 5 * 60;

/// How long a `change_id` is remembered after the change was taken: the same id sent
/// again within this window is a duplicate; after it, a new change.
pub const CHANGE_ID_WINDOW: i64 = 7 * 24 * 60 * 60;

impl<S: Store> Engine<S> {
    /// Takes a change that arrived at `arrival` (the daemon's clock when it was received,
    /// which its journal records, so a replay of the journal is exact). The clock moves to
    /// the later of now and `arrival`; the change's history is placed at its `at` (at most
    /// the clock). A change already taken under its `change_id` is acknowledged and
    /// ignored; one stamped more than [`FUTURE_TOLERANCE`] after its arrival is refused.
    /// A refused change leaves the engine as it was, except that a queue change is checked
    /// once the timers due by then have fired.
    pub fn ingest_arrived(
        &mut self,
        change: Change,
        change_id: Option<Arc<str>>,
        arrival: i64,
    ) -> Result<Taken, Rejection> {
        if change_id.as_deref().is_some_and(|id| self.is_duplicate_at(id, arrival)) {
            return Ok(Taken::Duplicate);
        }
        if change.at > arrival.saturating_add(FUTURE_TOLERANCE) {
            return Err(Rejection::field(
                "at",
                format!(
                    "`at` is in the future ({}, received at {}): a change may be stamped at most {} minutes ahead",
                    moment_text(change.at),
                    moment_text(arrival),
                    FUTURE_TOLERANCE / 60
                ),
            ));
        }
        self.check(&change)?;
        let clock = self.now.max(arrival);
        self.apply(change.kind, clock, Some(change.at))?;
        if let Some(id) = change_id {
            let now = self.now;
            self.queue.remember(id, now);
        }
        Ok(Taken::Accepted)
    }

    /// Whether a change keeps time order: a replay of a file refuses one stamped before
    /// the clock.
    pub fn in_order(&self, change: &Change) -> Result<(), Rejection> {
        if change.at < self.now {
            return Err(Rejection::field(
                "at",
                format!(
                    "`at` goes back in time (to {}, after a change at {})",
                    moment_text(change.at),
                    moment_text(self.now)
                ),
            ));
        }
        Ok(())
    }

    /// Takes a change of a file in time order, as `play replay` does: a duplicate
    /// `change_id` is acknowledged and ignored, a change before the clock refused.
    pub fn ingest_in_order(&mut self, change: Change, change_id: Option<Arc<str>>) -> Result<Taken, Rejection> {
        if change_id.as_deref().is_some_and(|id| self.is_duplicate_at(id, change.at)) {
            return Ok(Taken::Duplicate);
        }
        self.in_order(&change)?;
        self.ingest_once(change, change_id)
    }

    /// The fields of a late change (placed at `placed`, before the clock) that are newer
    /// than what the record holds; the others go to their field's history only.
    pub(super) fn fresh_fields(
        &mut self,
        record: u32,
        id: &Arc<str>,
        placed: i64,
        fields: Vec<(u32, Value)>,
    ) -> Vec<(u32, Value)> {
        if self.store.record(record, id).is_none() {
            return fields;
        }
        let mut fresh = Vec::with_capacity(fields.len());
        for (slot, value) in fields {
            match self.store.written_at(record, id, slot) {
                Some(latest) if latest > placed => self.store.push_field_history(record, id, slot, placed, value),
                _ => fresh.push((slot, value)),
            }
        }
        fresh
    }
}
