//! [`MemoryStore`]: the engine's whole state in memory, each record type's records in a
//! table of compact rows (`crate::rows`) with their history and events beside them.

use std::sync::Arc;

use foldhash::{HashMap, HashSet};
use play_compiler::program::Schema;

use super::history::{grown, in_time_order, note_written, snug, trim_events, trim_history};
use super::timers::Timers;
use super::{Store, Timer, Written};
use crate::engine::run::Run;
use crate::retention::Retention;
use crate::rows::{layout, Enrolment, Row, Table, Texts};
use crate::value::{Happening, Value};
use crate::vm::Data;

/// Everything in memory: for `play test`, `play replay`, the daemon and benchmarks.
#[derive(Default)]
pub struct MemoryStore {
    /// By record type.
    pub(crate) tables: Vec<Table>,
    /// The texts every table's fields hold.
    pub(crate) texts: Texts,
    pub(crate) runs: HashMap<u64, Run>,
    /// By record type, by id: the runs still going.
    /// The playbooks records are enrolled in (their enrolments are kept in their rows by
    /// number), and the numbers by name.
    pub(crate) playbooks: Vec<Arc<str>>,
    pub(crate) playbook_numbers: HashMap<Arc<str>, u32>,
    pub(crate) timers: Timers,
    pub(crate) members: HashMap<u32, HashSet<Arc<str>>>,
    /// By dedupe key (each kept in just its length: there is one per open action).
    pub(crate) open: HashMap<Box<str>, u64>,
    pub(crate) snoozes: HashMap<Box<str>, i64>,
    /// By limit, by whom: when the budget was used, oldest first.
    pub(crate) budgets: HashMap<u32, HashMap<Arc<str>, Vec<i64>>>,
    /// The record type and slot indexed by email, and the index: lower-case email to id.
    pub(crate) email_slot: Option<(u32, u32)>,
    pub(crate) emails: HashMap<Arc<str>, Arc<str>>,
    pub(crate) seq: u64,
    pub(crate) retention: Retention,
}

const NO_EVENTS: &[Arc<Happening>] = &[];

/// Takes a run off a record's list of runs going; an emptied list gives its room back.
fn let_go_of(list: &mut thin_vec::ThinVec<u64>, run: u64) {
    list.retain(|r| *r != run);
    if list.is_empty() {
        *list = thin_vec::ThinVec::new();
    }
}

/// How many other rows each new event has their old events trimmed.
const SWEPT_PER_EVENT: usize = 4;

impl MemoryStore {
    pub fn new(record_types: usize) -> Self {
        MemoryStore { tables: (0..record_types).map(|_| Table::default()).collect(), ..Default::default() }
    }

    /// How many distinct texts the records' fields hold (they are kept once each).
    pub fn distinct_texts(&self) -> usize {
        self.texts.len()
    }

    /// Lets go of the store part by part, calling `each` with each part's name after it
    /// goes: how a test measures what each part held (`tests/memory.rs`).
    #[doc(hidden)]
    pub fn let_go_in_parts(&mut self, each: &mut dyn FnMut(&'static str)) {
        for table in &mut self.tables {
            table.let_go_in_parts(each);
        }
        self.texts = Texts::default();
        each("texts");
        self.emails = HashMap::default();
        each("email index");
        self.runs = HashMap::default();
        each("runs");
        (self.playbooks, self.playbook_numbers) = Default::default();
        each("enrolments");
        self.timers = Timers::default();
        each("timers");
        self.members = HashMap::default();
        each("segment members");
        self.open = HashMap::default();
        each("open actions");
        self.snoozes = HashMap::default();
        each("snoozes");
        self.budgets = HashMap::default();
        each("budgets");
    }

    /// The table of a record type's rows, with the texts its rows name: a record reached by
    /// its row number ([`Table::find`] maps an id to it once) rather than by id.
    pub fn table(&self, record: u32) -> Option<(&Table, &Texts)> {
        Some((self.tables.get(record as usize)?, &self.texts))
    }

    /// The table of a record type, made if the store has none yet (a reloaded schema may
    /// add types).
    pub(crate) fn table_mut(&mut self, record: u32) -> &mut Table {
        let i = record as usize;
        if i >= self.tables.len() {
            self.tables.resize_with(i + 1, Table::default);
        }
        &mut self.tables[i]
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

    fn enrolment(&self, playbook: &str, record: u32, id: &str) -> Option<&Enrolment> {
        let number = *self.playbook_numbers.get(playbook)?;
        let table = self.tables.get(record as usize)?;
        table.meta[table.find(id)? as usize].enrolled.iter().find(|e| e.playbook == number)
    }

    pub(crate) fn enrolment_mut(&mut self, playbook: &Arc<str>, record: u32, id: &Arc<str>) -> &mut Enrolment {
        let number = match self.playbook_numbers.get(&**playbook) {
            Some(n) => *n,
            None => {
                self.playbooks.push(playbook.clone());
                let n = (self.playbooks.len() - 1) as u32;
                self.playbook_numbers.insert(playbook.clone(), n);
                n
            }
        };
        let table = self.table_mut(record);
        let row = table.row_of(id);
        let list = &mut table.meta[row as usize].enrolled;
        match list.iter().position(|e| e.playbook == number) {
            Some(i) => &mut list[i],
            None => {
                snug(list).push(Enrolment::new(number, None, 0));
                list.last_mut().expect("just pushed")
            }
        }
    }

    /// The values one field of a record took, oldest first, as far back as the running
    /// program reads them (a field no `change(…)` reads keeps none): for showing a trend.
    pub fn field_history(&self, record: u32, id: &str, slot: u32) -> Vec<(i64, Value)> {
        self.extra(record, id).map_or_else(Vec::new, |x| {
            x.history.iter().filter(|(s, _, _)| *s == slot).map(|(_, at, v)| (*at, v.clone())).collect()
        })
    }

    /// The history and events of a record, if it has any.
    fn extra(&self, record: u32, id: &str) -> Option<&crate::rows::Extra> {
        let table = self.tables.get(record as usize)?;
        Some(&table.meta[table.find(id)? as usize].extra)
    }
}

impl Data for MemoryStore {
    fn record(&self, record: u32, id: &str) -> Option<Row<'_>> {
        self.tables.get(record as usize)?.record(id, &self.texts)
    }

    fn events(&self, record: u32, id: &str, event: u32) -> &[Arc<Happening>] {
        self.extra(record, id).map_or(NO_EVENTS, |x| x.events_of(event))
    }

    fn by_email(&self, record: u32, email: &str) -> Option<(&Arc<str>, Row<'_>)> {
        if self.email_slot.map(|(r, _)| r) != Some(record) {
            return None;
        }
        let id = self.emails.get(email.to_lowercase().as_str())?;
        Some((id, self.record(record, id)?))
    }

    fn value_at(&self, record: u32, id: &str, slot: u32, at: i64) -> Option<Value> {
        let x = self.extra(record, id)?;
        let mut found = None;
        let mut first = None;
        for (sl, t, v) in &x.history {
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
            let old = self.record(r, &id).and_then(|f| f.get(slot as usize));
            self.reindex(record, &id, old.as_ref(), fields.get(slot as usize));
        }
        let width = fields.len();
        self.table_mut(record);
        let table = &mut self.tables[record as usize];
        table.widen(width, &mut self.texts);
        let row = table.row_of(&id);
        table.meta[row as usize].present = true;
        let texts = &mut self.texts;
        let table = &mut self.tables[record as usize];
        for slot in 0..table.width() {
            let value = fields.get(slot).cloned().unwrap_or_default();
            table.set(row, slot, value, texts);
        }
    }

    fn index_emails(&mut self, record: u32, slot: u32) {
        self.email_slot = Some((record, slot));
        self.emails.clear();
        for id in self.record_ids(record) {
            let email = self.record(record, &id).and_then(|f| f.get(slot as usize));
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
        self.table_mut(record);
        self.tables[record as usize].widen(len, &mut self.texts);
        let (retention, texts) = (&self.retention, &mut self.texts);
        let table = &mut self.tables[record as usize];
        let row = table.row_of(id);
        let created = !table.meta[row as usize].present;
        if created {
            table.clear(row, texts);
            table.meta[row as usize].present = true;
        }
        written.clear(created);
        let width = table.width();
        for (slot, value) in fields {
            let s = slot as usize;
            if s >= width || (!created && table.holds(row, s, &value, texts)) {
                continue;
            }
            let meta = &mut table.meta[row as usize];
            if created {
                meta.created = at;
                meta.extra.written.clear();
            } else {
                note_written(&mut meta.created, &mut meta.extra.written, false, slot, at);
            }
            if retention.field(record, slot).is_read() {
                let old = table.set(row, s, value.clone(), texts);
                written.note(slot, old);
                let x = table.meta[row as usize].extra_mut();
                in_time_order(&mut x.history, (slot, at, value), |h| h.1);
            } else {
                let old = table.set(row, s, value, texts);
                written.note(slot, old);
            }
        }
        let x = &mut table.meta[row as usize].extra;
        if grown(x.history.len()) {
            trim_history(&mut x.history, record, at, retention);
        }
        if let Some((_, slot)) = self.email_slot.filter(|(r, _)| *r == record) {
            if let Some(i) = written.changed.iter().position(|s| *s == slot) {
                let new = self.record(record, id).and_then(|f| f.get(slot as usize));
                let old = (!written.created).then(|| written.before[i].clone());
                self.reindex(record, id, old.as_ref(), new.as_ref());
            }
        }
    }

    fn delete_record(&mut self, record: u32, id: &str) -> Option<Vec<Value>> {
        let table = self.tables.get_mut(record as usize)?;
        let row = table.find(id)?;
        if !table.meta[row as usize].present {
            return None;
        }
        let fields = table.row(row, &self.texts).to_vec();
        table.clear(row, &mut self.texts);
        table.meta[row as usize].present = false;
        if let Some((_, slot)) = self.email_slot.filter(|(r, _)| *r == record) {
            let id: Arc<str> = Arc::from(id);
            self.reindex(record, &id, fields.get(slot as usize), None);
        }
        Some(fields)
    }

    fn record_ids(&self, record: u32) -> Vec<Arc<str>> {
        let mut ids: Vec<Arc<str>> = self
            .tables
            .get(record as usize)
            .map(|t| t.present().map(|r| t.id(r).clone()).collect())
            .unwrap_or_default();
        ids.sort();
        ids
    }

    fn stored_id(&self, record: u32, id: &str) -> Option<Arc<str>> {
        let table = self.tables.get(record as usize)?;
        Some(table.id(table.find(id)?).clone())
    }

    fn written_at(&self, record: u32, id: &str, slot: u32) -> Option<i64> {
        let table = self.tables.get(record as usize)?;
        let meta = &table.meta[table.find(id)? as usize];
        let field = meta.extra.written.iter().find(|w| w.0 == slot).map(|w| w.1);
        field.or(meta.present.then_some(meta.created))
    }

    fn push_field_history(&mut self, record: u32, id: &Arc<str>, slot: u32, at: i64, value: Value) {
        if !self.retention.field(record, slot).is_read() {
            return;
        }
        let retention = &self.retention;
        let table = &mut self.tables[record as usize];
        let row = table.row_of(id);
        let x = table.meta[row as usize].extra_mut();
        in_time_order(&mut x.history, (slot, at, value), |h| h.1);
        if grown(x.history.len()) {
            trim_history(&mut x.history, record, at, retention);
        }
    }

    fn push_event(&mut self, record: u32, id: &Arc<str>, happening: Arc<Happening>) {
        let (event, at) = (happening.event, happening.at);
        if (record as usize) >= self.tables.len() || !self.retention.event(event).is_read() {
            return;
        }
        let retention = &self.retention;
        let table = &mut self.tables[record as usize];
        let row = table.row_of(id);
        let stored = table.meta[row as usize].extra_mut();
        let place = stored.events.partition_point(|h| (h.event, h.at) <= (event, at));
        snug(&mut stored.events).insert(place, happening);
        trim_events(&mut stored.events, at, retention);
        // A few other rows' events too, in turn, so that what no window reaches any more
        // goes even from a record that has no new event (`at` is never past the clock).
        table.sweep_events(SWEPT_PER_EVENT, |x| trim_events(&mut x.events, at, retention));
    }

    fn set_retention(&mut self, retention: Retention) {
        self.retention = retention;
    }

    fn set_schema(&mut self, schema: &Schema) {
        for (record, def) in schema.records.iter().enumerate() {
            self.table_mut(record as u32);
            self.tables[record].reshape(layout::of_record(def), &mut self.texts);
        }
    }

    fn run(&self, run: u64) -> Option<&Run> {
        self.runs.get(&run)
    }

    fn run_mut(&mut self, run: u64) -> Option<&mut Run> {
        self.runs.get_mut(&run)
    }

    fn put_run(&mut self, run: Run) {
        let table = self.table_mut(run.record);
        let row = table.row_of(&run.record_id);
        let list = &mut table.meta[row as usize].active;
        if run.is_active() {
            if !list.contains(&run.id) {
                snug(list).push(run.id);
            }
        } else {
            let_go_of(list, run.id);
        }
        self.runs.insert(run.id, run);
    }

    fn forget_run(&mut self, run: u64) {
        let Some(r) = self.runs.remove(&run) else { return };
        if let Some(table) = self.tables.get_mut(r.record as usize) {
            if let Some(row) = table.find(&r.record_id) {
                let_go_of(&mut table.meta[row as usize].active, run);
            }
        }
    }

    fn active_runs(&self, record: u32, id: &str) -> Vec<u64> {
        let Some(table) = self.tables.get(record as usize) else { return Vec::new() };
        table.find(id).map(|row| table.meta[row as usize].active.to_vec()).unwrap_or_default()
    }

    fn all_active_runs(&self) -> Vec<u64> {
        let rows = self.tables.iter().flat_map(|t| t.meta.iter());
        let mut all: Vec<u64> = rows.flat_map(|m| m.active.iter().copied()).collect();
        all.sort_unstable();
        all
    }

    fn next_id(&mut self) -> u64 {
        self.seq += 1;
        self.seq
    }

    fn last_enrolment(&self, playbook: &str, record: u32, id: &str) -> Option<(i64, Option<i64>)> {
        self.enrolment(playbook, record, id).and_then(|e| e.last())
    }

    fn set_last_enrolment(
        &mut self,
        playbook: &Arc<str>,
        record: u32,
        id: &Arc<str>,
        started: i64,
        ended: Option<i64>,
    ) {
        self.enrolment_mut(playbook, record, id).set_last(started, ended);
    }

    fn count_enrolment(&mut self, playbook: &Arc<str>, record: u32, id: &Arc<str>) -> u64 {
        let e = self.enrolment_mut(playbook, record, id);
        e.count += 1;
        e.count
    }

    fn schedule(&mut self, at: i64, timer: Timer) {
        self.unschedule(&timer);
        self.seq += 1;
        let key = (at, self.seq);
        self.timers.insert(key, timer);
    }

    fn unschedule(&mut self, timer: &Timer) {
        self.timers.remove(timer);
    }

    fn pop_due(&mut self, until: i64) -> Option<(i64, Timer)> {
        self.timers.pop_due(until)
    }

    fn next_due(&self) -> Option<i64> {
        self.timers.iter().next().map(|(k, _)| k.0)
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
        // A budget's slot timer follows its limit, keeping its place in time; a removed
        // limit's timer goes with it.
        let slots: Vec<((i64, u64), Timer)> =
            self.timers.iter().filter(|(_, t)| matches!(t, Timer::Slot { .. })).map(|(k, t)| (*k, t.clone())).collect();
        for (_, timer) in &slots {
            self.timers.remove(timer);
        }
        for (key, timer) in slots {
            let Timer::Slot { limit, who } = timer else { continue };
            if let Some(limit) = moved(limit, limits) {
                self.timers.insert(key, Timer::Slot { limit, who });
            }
        }
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
            Some(a) => self.open.insert(key.into_boxed_str(), a),
            None => self.open.remove(key.as_str()),
        };
    }

    fn snoozed_until(&self, key: &str) -> Option<i64> {
        self.snoozes.get(key).copied()
    }

    fn set_snooze(&mut self, key: String, until: i64) {
        self.snoozes.insert(key.into_boxed_str(), until);
    }

    fn budget_uses(&self, limit: u32, who: &str, since: i64) -> Vec<i64> {
        let Some(uses) = self.budgets.get(&limit).and_then(|b| b.get(who)) else { return Vec::new() };
        // Used in time order: the ones in the window are at the end.
        let from = uses.partition_point(|t| *t <= since);
        uses[from..].to_vec()
    }

    fn use_budget(&mut self, limit: u32, who: &Arc<str>, at: i64, since: i64) {
        let uses = self.budgets.entry(limit).or_default().entry(who.clone()).or_default();
        // In time order, a use made elsewhere (another partition's) among them.
        let place = uses.partition_point(|t| *t <= at);
        uses.insert(place, at);
        // In time order: those outside the window are at the front.
        let old = uses.partition_point(|t| *t <= since);
        if old * 2 >= uses.len() {
            uses.drain(..old);
        }
    }
}
