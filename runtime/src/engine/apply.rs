//! Changes applied to the engine: a checked change as one command (a record written, an
//! event, a delete, a teammate's work on the queue), each record written followed by what
//! it triggers, and a timer that comes due.

use super::*;

impl<S: Store> Engine<S> {
    /// Applies a checked change as one command: the clock runs to `clock` first, and its
    /// field and event history is placed at `placed` (at most the clock), or at the clock.
    pub(super) fn apply(&mut self, kind: ChangeKind, clock: i64, placed: Option<i64>) -> Result<(), Rejection> {
        let mut batch = self.batch();
        if let ChangeKind::Action { .. } | ChangeKind::Activity { .. } | ChangeKind::Task(_) = kind {
            return batch.queue_change(clock, kind);
        }
        batch.advance_to(clock);
        let placed = placed.map_or(batch.now, |p| p.min(batch.now));
        let result = match kind {
            ChangeKind::Upsert { record, id, fields } => batch.upsert(record, id, fields, true, placed),
            ChangeKind::Event { event, subject, fields } => {
                batch.event(event, subject, fields, placed);
                Ok(())
            }
            ChangeKind::Delete { record, id } => {
                batch.delete(record, id);
                Ok(())
            }
            ChangeKind::Action { .. } | ChangeKind::Activity { .. } | ChangeKind::Task(_) => Ok(()),
        };
        drop(batch);
        self.end_history();
        result
    }

    /// Sets up a record that already exists (a test's `given`): no trigger fires, but
    /// segment membership and date triggers are worked out.
    pub fn given(&mut self, record: u32, id: Arc<str>, fields: Vec<(u32, Value)>) -> Result<(), Rejection> {
        if self.store.record(record, &id).is_none() {
            self.complete_on_create(record, &fields)?;
        }
        let mut batch = self.batch();
        let now = batch.now;
        batch.upsert(record, id, fields, false, now)
    }

    /// A new record must come with every required field.
    pub(super) fn complete_on_create(&self, record: u32, fields: &[(u32, Value)]) -> Result<(), Rejection> {
        let program = &self.loaded.program;
        let name = program.schema.records.get(record as usize).map_or("record", |r| r.name.as_str());
        let present: Vec<u32> = fields.iter().map(|(s, _)| *s).collect();
        let missing = crate::change::missing_required(program, record, &present);
        match missing.first() {
            None => Ok(()),
            Some(first) => Err(Rejection {
                field: Some(first.clone()),
                message: format!(
                    "a new {name} needs {}: missing {}",
                    if missing.len() == 1 { "this field" } else { "these fields" },
                    missing.iter().map(|m| format!("`{m}`")).collect::<Vec<_>>().join(", ")
                ),
            }),
        }
    }

    /// Writes a record's fields, their history placed at `placed`, and works out what
    /// follows. A new record's required fields have been checked by the caller, before the
    /// clock moved.
    pub(super) fn upsert(
        &mut self,
        record: u32,
        id: Arc<str>,
        fields: Vec<(u32, Value)>,
        triggers: bool,
        placed: i64,
    ) -> Result<(), Rejection> {
        let loaded = self.loaded.clone();
        let Some(def) = loaded.program.schema.records.get(record as usize) else {
            return Err(Rejection { field: None, message: "unknown record type".into() });
        };
        // A late change older than a field's latest value goes to that field's history only.
        let fields = if placed < self.now { self.fresh_fields(record, &id, placed, fields) } else { fields };
        // The changed slots, and what each held before, in buffers kept from one change to
        // the next. The record before the change is rebuilt from these only when a
        // playbook may fire: most changes fire none.
        let mut written = std::mem::take(&mut self.written);
        self.store.write_fields(record, &id, def.fields.len(), placed, fields, &mut written);
        if written.created || !written.changed.is_empty() {
            self.record_written(&loaded, Subject { record, id }, &written, triggers);
        }
        self.written = written;
        Ok(())
    }

    /// What follows a record's change: segments, dates, triggers, and the runs it is in.
    pub(super) fn record_written(&mut self, loaded: &Arc<Loaded>, subject: Subject, written: &Written, triggers: bool) {
        let Written { created, changed, before } = written;
        let (created, record) = (*created, subject.record);
        let program = &loaded.program;
        let def = &program.schema.records[record as usize];
        let entered = self.membership(loaded, &subject, changed, created);
        self.schedule_dates(loaded, &subject, (!created).then_some(changed.as_slice()));
        // The candidates in a buffer kept from one change to the next.
        let mut candidates = std::mem::take(&mut self.candidates);
        candidates.clear();
        if triggers {
            trigger::record_candidates(program, record, created, changed, &entered, &mut candidates);
        }
        if !candidates.is_empty() {
            // The record before the change, and the changed fields, read from the record as
            // just stored (not copied first: most changes fire nothing).
            let new = self.store.record(record, &subject.id);
            let after = |slot: u32| new.and_then(|row| row.get(slot as usize)).unwrap_or_default();
            // As wide as the stored record (which a reloaded schema may have widened).
            let width = new.map_or(0, |row| row.len()).max(def.fields.len());
            // Made in place in its shared buffer: one allocation, and only when some code
            // reads it (`old(…)`): decoding every field of the row costs more than the
            // rest of an enrolment's reading of it.
            let old = (!created && loaded.reads_old.get(record as usize).copied().unwrap_or(true)).then(|| {
                (0..width)
                    .map(|slot| {
                        changed
                            .iter()
                            .position(|s| *s as usize == slot)
                            .map_or_else(|| after(slot as u32), |i| before[i].clone())
                    })
                    .collect::<Arc<[Value]>>()
            });
            let info = TriggerInfo {
                source: Arc::default(),
                changed: changed
                    .iter()
                    .zip(before)
                    .map(|(s, before)| (loaded.fields[record as usize][*s as usize].clone(), before.clone(), after(*s)))
                    .collect(),
                event: None,
                old,
            };
            self.record_triggers(loaded, &subject, &candidates, created, changed, &entered, info);
        }
        self.candidates = candidates;
        self.record_changed(&subject);
    }

    pub(super) fn event(&mut self, event: u32, subject_id: Arc<str>, fields: Vec<(u32, Value)>, placed: i64) {
        let loaded = self.loaded.clone();
        let Some(def) = loaded.program.schema.events.get(event as usize) else { return };
        let mut payload = vec![Value::Empty; def.fields.len()];
        for (slot, v) in fields {
            if let Some(cell) = payload.get_mut(slot as usize) {
                *cell = v;
            }
        }
        let on = def.subject as u32;
        let subject_id = self.store.stored_id(on, &subject_id).unwrap_or(subject_id);
        let happening = Arc::new(Happening { event, at: placed, subject: subject_id.clone(), fields: payload });
        // The records it concerns: its own, and those its record belongs to.
        let mut concerned = vec![Subject { record: on, id: subject_id.clone() }];
        for (owner, slot) in &def.owners {
            if let Some(Value::Ref { id, .. }) = self.store.record(on, &subject_id).and_then(|f| f.get(*slot)) {
                concerned.push(Subject { record: *owner as u32, id });
            }
        }
        for s in &concerned {
            self.store.push_event(s.record, &s.id, happening.clone());
        }
        self.event_triggers(&loaded, event, &happening, &concerned);
        for s in &concerned {
            self.awaited_event(&happening, s);
            self.record_changed(s);
        }
    }

    pub(super) fn delete(&mut self, record: u32, id: Arc<str>) {
        let loaded = self.loaded.clone();
        let Some(old) = self.store.delete_record(record, &id) else { return };
        let subject = Subject { record, id: id.clone() };
        // A deleted record's dates no longer come.
        self.unschedule_dates(&loaded, &subject);
        let info = TriggerInfo { old: Some(Arc::from(old)), ..TriggerInfo::default() };
        // A deleted record leaves its segments.
        for s in loaded.program.triggers.segments.get(record as usize).cloned().unwrap_or_default() {
            if self.store.is_member(s as u32, &id) {
                self.store.set_member(s as u32, &id, false);
            }
        }
        self.deleted_triggers(&loaded, &subject, info);
        for run in self.store.active_runs(record, &id) {
            let started_by_delete = self
                .store
                .run(run)
                .is_some_and(|r| r.trigger.old.is_some() && r.trigger.changed.is_empty() && r.trigger.event.is_none());
            if !started_by_delete {
                self.end_run(run, run::RunState::Exited, Outcome::Exited { reason: "the record was deleted".into() });
            }
        }
    }

    pub(super) fn on_timer(&mut self, timer: Timer) {
        match timer {
            Timer::Run { run, generation } => self.wake(run, generation),
            Timer::Date { playbook, trigger, record } => self.date_fired(playbook as usize, trigger as usize, record),
            Timer::Schedule { playbook, trigger } => self.schedule_fired(playbook as usize, trigger as usize),
            Timer::Slot { limit, who } => self.slot_freed(limit, who),
        }
    }
}
