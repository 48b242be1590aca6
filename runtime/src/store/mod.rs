//! What the engine keeps: records with their field and event history, runs, timers,
//! segment membership, open actions and touch-budget use. [`Store`] is the trait the
//! engine's state is kept through; [`MemoryStore`] keeps it all in memory, its records in
//! compact rows (`crate::rows`).

mod history;
mod memory;
mod timers;

use std::sync::Arc;

pub(crate) use history::unreachable_events;
pub use memory::MemoryStore;

use play_compiler::program::Schema;

use crate::engine::run::Run;
use crate::retention::Retention;
use crate::value::{Happening, Value};
use crate::vm::Data;

/// A record's key: its type and id.
pub type Key = (u32, Arc<str>);

/// Something the clock will do at a moment.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize)]
pub enum Timer {
    /// Wake a run that waits; `generation` tells a stale timer from the current one.
    Run { run: u64, generation: u64 },
    /// A `date` trigger of a playbook for one record.
    Date { playbook: u32, trigger: u32, record: Arc<str> },
    /// An `every` schedule of a playbook.
    Schedule { playbook: u32, trigger: u32 },
    /// The next slot of a touch budget (a limit, for whom) frees, and actions wait for it.
    Slot { limit: u32, who: Arc<str> },
}

/// What writing a record's fields did.
#[derive(Debug, Default, PartialEq)]
pub struct Written {
    /// The record was not there (or had been deleted): every field written counts as changed.
    pub created: bool,
    /// The slots whose value changed, each once, in the order first written.
    pub changed: Vec<u32>,
    /// What each of `changed` held before.
    pub before: Vec<Value>,
}

/// The engine's state. Each method is one read or write; the engine calls `begin` before
/// a change or a tick and `commit` after, so a durable store can make each one atomic.
pub trait Store: Data {
    fn begin(&mut self) {}
    fn commit(&mut self) {}

    /// Tells the store how far back the running program reads field history and events
    /// (the engine does on every deploy): what no program reads need not be kept.
    fn set_retention(&mut self, _retention: Retention) {}

    /// Tells the store the running program's record types (the engine does on every
    /// deploy), so that it can keep each field as compactly as its type allows.
    fn set_schema(&mut self, _schema: &Schema) {}

    fn put_record(&mut self, record: u32, id: Arc<str>, fields: Vec<Value>);
    /// Keeps an index by email of the records of type `record` (the directory of
    /// teammates, `User`), its email in `slot`, for [`Data::by_email`]; the records
    /// already there are indexed at once.
    fn index_emails(&mut self, _record: u32, _slot: u32) {}
    /// Writes some fields of a record (a new one starts with `len` empty fields), and the
    /// history of each field whose value changed; a field set to the value it has is not
    /// written. What changed goes to `written`, cleared first (the caller reuses its
    /// buffers). A store that can change a record in place overrides this, since the
    /// engine calls it for every change.
    fn write_fields(
        &mut self,
        record: u32,
        id: &Arc<str>,
        len: usize,
        at: i64,
        fields: Vec<(u32, Value)>,
        written: &mut Written,
    ) {
        let stored = self.record(record, id).map(|row| row.to_vec());
        let created = stored.is_none();
        let mut new = stored.unwrap_or_else(|| vec![Value::Empty; len]);
        written.clear(created);
        for (slot, value) in fields {
            let Some(cell) = new.get_mut(slot as usize) else { continue };
            if *cell != value || created {
                written.note(slot, std::mem::replace(cell, value.clone()));
                self.push_field_history(record, id, slot, at, value);
            }
        }
        if created || !written.changed.is_empty() {
            self.put_record(record, id.clone(), new);
        }
    }
    fn delete_record(&mut self, record: u32, id: &str) -> Option<Vec<Value>>;
    /// Every id of a record type, in a stable order.
    fn record_ids(&self, record: u32) -> Vec<Arc<str>>;
    /// The id of a record as the store already keeps it, so that what else refers to the
    /// record (its events) shares it rather than keeping a copy.
    fn stored_id(&self, _record: u32, _id: &str) -> Option<Arc<str>> {
        None
    }
    /// The latest moment a field's history holds a value at (a late change older than it
    /// goes to the history only). A store that cannot tell says none.
    fn written_at(&self, _record: u32, _id: &str, _slot: u32) -> Option<i64> {
        None
    }
    /// Records a field's value at a moment, for `change(…)`, in time order.
    fn push_field_history(&mut self, record: u32, id: &Arc<str>, slot: u32, at: i64, value: Value);
    /// Records an event under a record it concerns, in time order.
    fn push_event(&mut self, record: u32, id: &Arc<str>, happening: Arc<Happening>);

    fn run(&self, run: u64) -> Option<&Run>;
    fn run_mut(&mut self, run: u64) -> Option<&mut Run>;
    fn put_run(&mut self, run: Run);
    /// Lets go of an ended run altogether (see [`Engine::keep_ended_runs`]).
    fn forget_run(&mut self, run: u64);
    /// The runs of a record that are still going, in the order they started.
    fn active_runs(&self, record: u32, id: &str) -> Vec<u64>;
    fn all_active_runs(&self) -> Vec<u64>;
    fn next_id(&mut self) -> u64;

    /// When a playbook last enrolled a record, and when that run ended (if it has).
    fn last_enrolment(&self, playbook: &str, record: u32, id: &str) -> Option<(i64, Option<i64>)>;
    fn set_last_enrolment(&mut self, playbook: &Arc<str>, record: u32, id: &Arc<str>, started: i64, ended: Option<i64>);
    /// How many times a playbook has enrolled a record; counts each new enrolment.
    fn count_enrolment(&mut self, playbook: &Arc<str>, record: u32, id: &Arc<str>) -> u64;

    fn schedule(&mut self, at: i64, timer: Timer);
    fn unschedule(&mut self, timer: &Timer);
    /// The earliest timer due at or before `until`, removed.
    fn pop_due(&mut self, until: i64) -> Option<(i64, Timer)>;
    fn next_due(&self) -> Option<i64>;
    /// When the earliest timer `want` accepts is due. A store that cannot tell may give
    /// the earliest of all, which only makes the engine skip less.
    fn next_due_where(&self, want: &dyn Fn(&Timer) -> bool) -> Option<i64> {
        let _ = want;
        self.next_due()
    }

    fn is_member(&self, segment: u32, id: &str) -> bool;
    fn set_member(&mut self, segment: u32, id: &Arc<str>, member: bool);
    /// After a deploy, segments and limits are numbered as the new program numbers them:
    /// `segments[old]` and `limits[old]` are the new numbers, `None` for one that is gone.
    fn renumber(&mut self, segments: &[Option<u32>], limits: &[Option<u32>]);

    /// The open action with this dedupe key, if any.
    fn open_action(&self, key: &str) -> Option<u64>;
    fn set_open_action(&mut self, key: String, action: Option<u64>);
    /// Until when regenerating the action with this dedupe key is suppressed.
    fn snoozed_until(&self, key: &str) -> Option<i64>;
    fn set_snooze(&mut self, key: String, until: i64);
    /// When the touch budget `limit` for `who` was used after `since`, oldest first.
    fn budget_uses(&self, limit: u32, who: &str, since: i64) -> Vec<i64>;
    /// Counts a use of a budget at `at`; uses at or before `since` (outside its window
    /// from now on) need not be kept.
    fn use_budget(&mut self, limit: u32, who: &Arc<str>, at: i64, since: i64);
}

impl Written {
    /// Ready for another write, keeping the buffers.
    pub fn clear(&mut self, created: bool) {
        self.created = created;
        self.changed.clear();
        self.before.clear();
    }

    /// A slot changed from `previous`; only its first change in one write counts.
    pub(crate) fn note(&mut self, slot: u32, previous: Value) {
        if !self.changed.contains(&slot) {
            self.changed.push(slot);
            self.before.push(previous);
        }
    }
}
