//! What the engine keeps: records with their field and event history, runs, timers,
//! segment membership, open actions and touch-budget use. [`Store`] is the trait the
//! durable stores implement; [`MemoryStore`] keeps it all in memory.

use std::collections::BTreeMap;
use std::sync::Arc;

use foldhash::{HashMap, HashSet};

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
        let stored = self.record(record, id).map(<[Value]>::to_vec);
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
    fn note(&mut self, slot: u32, previous: Value) {
        if !self.changed.contains(&slot) {
            self.changed.push(slot);
            self.before.push(previous);
        }
    }
}

/// One record's state.
#[derive(Default)]
pub(crate) struct Stored {
    pub(crate) fields: Vec<Value>,
    /// (slot, moment, value), in time order: only of the fields the program reads back.
    pub(crate) history: Vec<(u32, i64, Value)>,
    /// By event type (a few per record, so a list rather than a map): the events that
    /// concern it, in time order, of the types the program reads.
    pub(crate) events: Vec<(u32, Vec<Arc<Happening>>)>,
    /// When the record was made, and when each field written since was last written, for
    /// late changes (a moment per field changed, not per field).
    pub(crate) created: i64,
    pub(crate) written: Vec<(u32, i64)>,
}

/// Everything in memory: for `play test`, `play replay` and benchmarks.
#[derive(Default)]
pub struct MemoryStore {
    pub(crate) records: Vec<HashMap<Arc<str>, Stored>>,
    pub(crate) runs: HashMap<u64, Run>,
    /// By record type, by id: the runs still going.
    pub(crate) active: HashMap<u32, HashMap<Arc<str>, Vec<u64>>>,
    /// By playbook, record type and id: three levels, so that each is looked up by a
    /// borrowed name and no key is built per call.
    pub(crate) enrolments: HashMap<Arc<str>, HashMap<u32, HashMap<Arc<str>, Enrolments>>>,
    pub(crate) timers: BTreeMap<(i64, u64), Timer>,
    pub(crate) timer_keys: HashMap<Timer, (i64, u64)>,
    pub(crate) members: HashMap<u32, HashSet<Arc<str>>>,
    pub(crate) open: HashMap<String, u64>,
    pub(crate) snoozes: HashMap<String, i64>,
    /// By limit, by whom: when the budget was used, oldest first.
    pub(crate) budgets: HashMap<u32, HashMap<Arc<str>, Vec<i64>>>,
    /// The record type and slot indexed by email, and the index: lower-case email to id.
    pub(crate) email_slot: Option<(u32, u32)>,
    pub(crate) emails: HashMap<Arc<str>, Arc<str>>,
    pub(crate) seq: u64,
    pub(crate) retention: Retention,
}

/// A record's enrolments in one playbook.
#[derive(Default)]
pub(crate) struct Enrolments {
    /// When the last one started, and when its run ended (if it has).
    pub(crate) last: Option<(i64, Option<i64>)>,
    pub(crate) count: u64,
}

const NO_EVENTS: &[Arc<Happening>] = &[];

/// Adds an entry to a history kept oldest first: at the end, unless it is a late one
/// (placed before the latest), which goes after every entry at or before its moment.
/// Notes that a field was written at `at` (a new record: the creation, for every field).
fn note_written(made: &mut i64, written: &mut Vec<(u32, i64)>, created: bool, slot: u32, at: i64) {
    if created {
        *made = at;
        written.clear();
        return;
    }
    match written.iter_mut().find(|w| w.0 == slot) {
        Some(w) => w.1 = w.1.max(at),
        None => written.push((slot, at)),
    }
}

fn in_time_order<T>(history: &mut Vec<T>, entry: T, at: impl Fn(&T) -> i64) {
    let moment = at(&entry);
    if history.last().is_none_or(|last| at(last) <= moment) {
        history.push(entry);
    } else {
        let place = history.partition_point(|h| at(h) <= moment);
        history.insert(place, entry);
    }
}

impl MemoryStore {
    pub fn new(record_types: usize) -> Self {
        MemoryStore { records: (0..record_types).map(|_| HashMap::default()).collect(), ..Default::default() }
    }

    fn stored(&mut self, record: u32, id: &Arc<str>) -> &mut Stored {
        // One hash and probe; cloning the key is a reference count, cheaper than a second
        // lookup.
        self.records[record as usize].entry(id.clone()).or_default()
    }

    /// Moves a record's entry in the email index from its old email to its new one.
    fn reindex(&mut self, record: u32, id: &Arc<str>, old: Option<&Value>, new: Option<&Value>) {
        if self.email_slot.map(|(r, _)| r) != Some(record) {
            return;
        }
        if let Some(Value::Text(e)) = old {
            let key = e.to_lowercase();
            if self.emails.get(key.as_str()) == Some(id) {
                self.emails.remove(key.as_str());
            }
        }
        if let Some(Value::Text(e)) = new {
            self.emails.insert(Arc::from(e.to_lowercase()), id.clone());
        }
    }

    fn enrolments(&self, playbook: &str, record: u32, id: &str) -> Option<&Enrolments> {
        self.enrolments.get(playbook)?.get(&record)?.get(id)
    }

    fn enrolments_mut(&mut self, playbook: &Arc<str>, record: u32, id: &Arc<str>) -> &mut Enrolments {
        self.enrolments.entry(playbook.clone()).or_default().entry(record).or_default().entry(id.clone()).or_default()
    }
}

impl Data for MemoryStore {
    fn record(&self, record: u32, id: &str) -> Option<&[Value]> {
        let s = self.records.get(record as usize)?.get(id)?;
        (!s.fields.is_empty()).then_some(s.fields.as_slice())
    }

    fn events(&self, record: u32, id: &str, event: u32) -> &[Arc<Happening>] {
        self.records
            .get(record as usize)
            .and_then(|t| t.get(id))
            .and_then(|s| s.events.iter().find(|(e, _)| *e == event))
            .map_or(NO_EVENTS, |(_, list)| list.as_slice())
    }

    fn by_email(&self, record: u32, email: &str) -> Option<(&Arc<str>, &[Value])> {
        if self.email_slot.map(|(r, _)| r) != Some(record) {
            return None;
        }
        let id = self.emails.get(email.to_lowercase().as_str())?;
        Some((id, self.record(record, id)?))
    }

    fn value_at(&self, record: u32, id: &str, slot: u32, at: i64) -> Option<Value> {
        let s = self.records.get(record as usize)?.get(id)?;
        let mut found = None;
        let mut first = None;
        for (sl, t, v) in &s.history {
            if *sl != slot {
                continue;
            }
            if first.is_none() {
                first = Some(v);
            }
            if *t <= at {
                found = Some(v);
            } else {
                break;
            }
        }
        found.or(first).cloned()
    }
}

impl Store for MemoryStore {
    fn put_record(&mut self, record: u32, id: Arc<str>, fields: Vec<Value>) {
        if let Some((r, slot)) = self.email_slot.filter(|(r, _)| *r == record) {
            let old = self.record(r, &id).and_then(|f| f.get(slot as usize)).cloned();
            self.reindex(record, &id, old.as_ref(), fields.get(slot as usize));
        }
        self.stored(record, &id).fields = fields;
    }

    fn index_emails(&mut self, record: u32, slot: u32) {
        self.email_slot = Some((record, slot));
        self.emails.clear();
        for id in self.record_ids(record) {
            let email = self.record(record, &id).and_then(|f| f.get(slot as usize)).cloned();
            self.reindex(record, &id, None, email.as_ref());
        }
    }

    fn write_fields(
        &mut self,
        record: u32,
        id: &Arc<str>,
        len: usize,
        at: i64,
        fields: Vec<(u32, Value)>,
        written: &mut Written,
    ) {
        // In place: one lookup, and no copy of the record.
        let retention = &self.retention;
        let stored = self.records[record as usize].entry(id.clone()).or_default();
        let created = stored.fields.is_empty();
        if created {
            stored.fields = vec![Value::Empty; len];
        }
        written.clear(created);
        for (slot, value) in fields {
            let Some(cell) = stored.fields.get_mut(slot as usize) else { continue };
            if *cell != value || created {
                note_written(&mut stored.created, &mut stored.written, created, slot, at);
                if retention.field(record, slot).is_read() {
                    written.note(slot, std::mem::replace(cell, value.clone()));
                    in_time_order(&mut stored.history, (slot, at, value), |h| h.1);
                } else {
                    written.note(slot, std::mem::replace(cell, value));
                }
            }
        }
        if grown(stored.history.len()) {
            trim_history(&mut stored.history, record, at, retention);
        }
        if let Some((_, slot)) = self.email_slot.filter(|(r, _)| *r == record) {
            if let Some(i) = written.changed.iter().position(|s| *s == slot) {
                let new = self.record(record, id).and_then(|f| f.get(slot as usize)).cloned();
                let old = (!written.created).then(|| written.before[i].clone());
                self.reindex(record, id, old.as_ref(), new.as_ref());
            }
        }
    }

    fn delete_record(&mut self, record: u32, id: &str) -> Option<Vec<Value>> {
        let s = self.records.get_mut(record as usize)?.get_mut(id)?;
        if s.fields.is_empty() {
            return None;
        }
        let fields = std::mem::take(&mut s.fields);
        if let Some((_, slot)) = self.email_slot.filter(|(r, _)| *r == record) {
            let id: Arc<str> = Arc::from(id);
            self.reindex(record, &id, fields.get(slot as usize), None);
        }
        Some(fields)
    }

    fn record_ids(&self, record: u32) -> Vec<Arc<str>> {
        let mut ids: Vec<Arc<str>> = self
            .records
            .get(record as usize)
            .map(|t| t.iter().filter(|(_, s)| !s.fields.is_empty()).map(|(id, _)| id.clone()).collect())
            .unwrap_or_default();
        ids.sort();
        ids
    }

    fn written_at(&self, record: u32, id: &str, slot: u32) -> Option<i64> {
        let s = self.records.get(record as usize)?.get(id)?;
        let field = s.written.iter().find(|w| w.0 == slot).map(|w| w.1);
        field.or((!s.fields.is_empty()).then_some(s.created))
    }

    fn push_field_history(&mut self, record: u32, id: &Arc<str>, slot: u32, at: i64, value: Value) {
        if !self.retention.field(record, slot).is_read() {
            return;
        }
        let retention = &self.retention;
        let stored = self.records[record as usize].entry(id.clone()).or_default();
        in_time_order(&mut stored.history, (slot, at, value), |h| h.1);
        if grown(stored.history.len()) {
            trim_history(&mut stored.history, record, at, retention);
        }
    }

    fn push_event(&mut self, record: u32, id: &Arc<str>, happening: Arc<Happening>) {
        let (event, at) = (happening.event, happening.at);
        let reach = self.retention.event(event);
        if (record as usize) >= self.records.len() || !reach.is_read() {
            return;
        }
        let stored = self.records[record as usize].entry(id.clone()).or_default();
        let list = match stored.events.iter().position(|(e, _)| *e == event) {
            Some(i) => &mut stored.events[i].1,
            None => {
                stored.events.push((event, Vec::new()));
                &mut stored.events.last_mut().expect("just pushed").1
            }
        };
        in_time_order(list, happening, |h| h.at);
        if reach.all {
            return;
        }
        if let Some(cutoff) = self.retention.cutoff(reach, at) {
            // Oldest first: what is older than every window goes, but the latest stays
            // when `last` reads it. A long list waits until half of it is old, so that
            // each event is moved a constant number of times.
            let keep = list.len() - usize::from(reach.latest);
            let old = list[..keep].partition_point(|h| h.at < cutoff);
            if old > 0 && (list.len() <= 16 || old * 2 >= list.len()) {
                list.drain(..old);
                // Most lists are short and often empty again: an empty one goes, and a
                // long one emptied gives its room back.
                if list.is_empty() {
                    stored.events.swap_remove(stored.events.iter().position(|(e, _)| *e == event).unwrap_or(0));
                    stored.events.shrink_to_fit();
                } else if list.capacity() > 2 * list.len() + 4 {
                    list.shrink_to_fit();
                }
            }
        }
    }

    fn set_retention(&mut self, retention: Retention) {
        self.retention = retention;
    }

    fn run(&self, run: u64) -> Option<&Run> {
        self.runs.get(&run)
    }

    fn run_mut(&mut self, run: u64) -> Option<&mut Run> {
        self.runs.get_mut(&run)
    }

    fn put_run(&mut self, run: Run) {
        let list = self.active.entry(run.record).or_default().entry(run.record_id.clone()).or_default();
        if run.is_active() {
            if !list.contains(&run.id) {
                list.push(run.id);
            }
        } else {
            list.retain(|r| *r != run.id);
        }
        self.runs.insert(run.id, run);
    }

    fn forget_run(&mut self, run: u64) {
        let Some(r) = self.runs.remove(&run) else { return };
        if let Some(list) = self.active.get_mut(&r.record).and_then(|t| t.get_mut(&r.record_id)) {
            list.retain(|id| *id != run);
        }
    }

    fn active_runs(&self, record: u32, id: &str) -> Vec<u64> {
        self.active.get(&record).and_then(|t| t.get(id)).cloned().unwrap_or_default()
    }

    fn all_active_runs(&self) -> Vec<u64> {
        let mut all: Vec<u64> = self.active.values().flat_map(|t| t.values()).flatten().copied().collect();
        all.sort_unstable();
        all
    }

    fn next_id(&mut self) -> u64 {
        self.seq += 1;
        self.seq
    }

    fn last_enrolment(&self, playbook: &str, record: u32, id: &str) -> Option<(i64, Option<i64>)> {
        self.enrolments(playbook, record, id).and_then(|e| e.last)
    }

    fn set_last_enrolment(
        &mut self,
        playbook: &Arc<str>,
        record: u32,
        id: &Arc<str>,
        started: i64,
        ended: Option<i64>,
    ) {
        self.enrolments_mut(playbook, record, id).last = Some((started, ended));
    }

    fn count_enrolment(&mut self, playbook: &Arc<str>, record: u32, id: &Arc<str>) -> u64 {
        let e = self.enrolments_mut(playbook, record, id);
        e.count += 1;
        e.count
    }

    fn schedule(&mut self, at: i64, timer: Timer) {
        self.unschedule(&timer);
        self.seq += 1;
        let key = (at, self.seq);
        self.timers.insert(key, timer.clone());
        self.timer_keys.insert(timer, key);
    }

    fn unschedule(&mut self, timer: &Timer) {
        if let Some(key) = self.timer_keys.remove(timer) {
            self.timers.remove(&key);
        }
    }

    fn pop_due(&mut self, until: i64) -> Option<(i64, Timer)> {
        let (&key, _) = self.timers.iter().next()?;
        if key.0 > until {
            return None;
        }
        let timer = self.timers.remove(&key)?;
        self.timer_keys.remove(&timer);
        Some((key.0, timer))
    }

    fn next_due(&self) -> Option<i64> {
        self.timers.keys().next().map(|k| k.0)
    }

    fn next_due_where(&self, want: &dyn Fn(&Timer) -> bool) -> Option<i64> {
        self.timers.iter().find(|(_, t)| want(t)).map(|(k, _)| k.0)
    }

    fn is_member(&self, segment: u32, id: &str) -> bool {
        self.members.get(&segment).is_some_and(|m| m.contains(id))
    }

    fn renumber(&mut self, segments: &[Option<u32>], limits: &[Option<u32>]) {
        let moved = |old: u32, map: &[Option<u32>]| map.get(old as usize).copied().flatten();
        self.members = std::mem::take(&mut self.members)
            .into_iter()
            .filter_map(|(s, set)| moved(s, segments).map(|n| (n, set)))
            .collect();
        self.budgets = std::mem::take(&mut self.budgets)
            .into_iter()
            .filter_map(|(l, uses)| moved(l, limits).map(|n| (n, uses)))
            .collect();
    }

    fn set_member(&mut self, segment: u32, id: &Arc<str>, member: bool) {
        let set = self.members.entry(segment).or_default();
        if member {
            set.insert(id.clone());
        } else {
            set.remove(id);
        }
    }

    fn open_action(&self, key: &str) -> Option<u64> {
        self.open.get(key).copied()
    }

    fn set_open_action(&mut self, key: String, action: Option<u64>) {
        match action {
            Some(a) => self.open.insert(key, a),
            None => self.open.remove(&key),
        };
    }

    fn snoozed_until(&self, key: &str) -> Option<i64> {
        self.snoozes.get(key).copied()
    }

    fn set_snooze(&mut self, key: String, until: i64) {
        self.snoozes.insert(key, until);
    }

    fn budget_uses(&self, limit: u32, who: &str, since: i64) -> Vec<i64> {
        let Some(uses) = self.budgets.get(&limit).and_then(|b| b.get(who)) else { return Vec::new() };
        // Used in time order: the ones in the window are at the end.
        let from = uses.partition_point(|t| *t <= since);
        uses[from..].to_vec()
    }

    fn use_budget(&mut self, limit: u32, who: &Arc<str>, at: i64, since: i64) {
        let uses = self.budgets.entry(limit).or_default().entry(who.clone()).or_default();
        uses.push(at);
        // In time order: those outside the window are at the front.
        let old = uses.partition_point(|t| *t <= since);
        if old * 2 >= uses.len() {
            uses.drain(..old);
        }
    }
}

/// Whether a history list has grown enough to be trimmed: each time its length reaches a
/// power of two, so that trimming costs a constant per entry.
fn grown(len: usize) -> bool {
    len >= 4 && len.is_power_of_two()
}

/// Lets go of field history older than every window the program reads it over, keeping
/// each field's last value from before the oldest window (`change(…)` compares with it).
fn trim_history(history: &mut Vec<(u32, i64, Value)>, record: u32, now: i64, retention: &Retention) {
    let mut cutoffs: Vec<(u32, Option<i64>)> = Vec::new();
    let mut seen_before: Vec<u32> = Vec::new();
    let mut keep = vec![true; history.len()];
    for (i, (slot, at, _)) in history.iter().enumerate().rev() {
        let cutoff = match cutoffs.iter().find(|(s, _)| s == slot) {
            Some((_, c)) => *c,
            None => {
                let c = retention.cutoff(retention.field(record, *slot), now);
                cutoffs.push((*slot, c));
                c
            }
        };
        if cutoff.is_some_and(|c| *at < c) {
            if seen_before.contains(slot) {
                keep[i] = false;
            } else {
                seen_before.push(*slot);
            }
        }
    }
    let mut flags = keep.into_iter();
    history.retain(|_| flags.next().unwrap_or(true));
}
