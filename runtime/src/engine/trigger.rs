//! Triggers: which playbooks a change, an event or the clock fires (found through the
//! trigger index), segment membership, re-entry rules and conditions, and enrolment.

use std::sync::Arc;

use chrono::{DateTime, Utc};
use play_compiler::program::{Program, Reentry, TriggerKind};

use super::history::{Condition, Outcome};
use super::known::Known;
use super::run::{Run, RunState, TriggerInfo};
use super::{Engine, Extra, Loaded, Subject};
use crate::store::{Store, Timer};
use crate::value::{Happening, Value};
use crate::vm::{compare, Fault};

/// A segment the change moved the record into (`true`) or out of (`false`).
pub(crate) type Moved = Vec<(usize, bool)>;

impl<S: Store> Engine<S> {
    /// Re-evaluates the segments of the record that read a changed field.
    pub(super) fn membership(&mut self, loaded: &Loaded, subject: &Subject, changed: &[u32], all: bool) -> Moved {
        let index = &loaded.program.triggers;
        let mut candidates: Vec<usize> = Vec::new();
        if all {
            candidates.extend(index.segments.get(subject.record as usize).into_iter().flatten());
        } else if let Some(by_slot) = index.segment_fields.get(subject.record as usize) {
            for slot in changed {
                for s in by_slot.get(*slot as usize).into_iter().flatten() {
                    if !candidates.contains(s) {
                        candidates.push(*s);
                    }
                }
            }
        }
        candidates.sort_unstable();
        let mut moved = Vec::new();
        for s in candidates {
            let code = &loaded.program.segments[s].value;
            let now_in = match self.eval(loaded, code, subject, &Extra::default()) {
                Ok(v) => v == Value::Bool(true),
                Err(Fault::Failed { message, span } | Fault::Gone { message, span }) => {
                    self.membership_failed(loaded, subject, s, message, span);
                    false
                }
                Err(Fault::Skip { .. }) => false,
            };
            let was_in = self.store.is_member(s as u32, &subject.id);
            if now_in != was_in {
                self.store.set_member(s as u32, &subject.id, now_in);
                moved.push((s, now_in));
            }
        }
        moved
    }

    /// A segment that could not be worked out (a fault, or segments nested deeper than the
    /// engine follows) keeps the record out, and is a failure in the history of every
    /// playbook its membership would fire.
    fn membership_failed(
        &mut self,
        loaded: &Loaded,
        subject: &Subject,
        s: usize,
        message: String,
        span: play_compiler::program::SrcSpan,
    ) {
        let (file, line, column) = self.place(loaded, span);
        let record = self.record_label(subject.record, &subject.id);
        let playbooks = loaded.program.triggers.membership.get(s).cloned().unwrap_or_default();
        for p in playbooks {
            let outcome = Outcome::Failed { error: message.clone(), file: file.clone(), line, column };
            self.push_history(super::HistoryEntry::outside_runs(&loaded.names[p], &record, outcome));
        }
    }

    /// The playbooks a created or updated record fires, among `candidates` (from
    /// [`record_candidates`]); `info.old` is the record before the change.
    #[allow(clippy::too_many_arguments)]
    pub(super) fn record_triggers(
        &mut self,
        loaded: &Arc<Loaded>,
        subject: &Subject,
        candidates: &[usize],
        created: bool,
        changed: &[u32],
        moved: &Moved,
        info: TriggerInfo,
    ) {
        let old = info.old.as_deref();
        // A field's value before the change: from the record as it was when it is kept,
        // else from what changed (a field the change did not change is as it is now, which
        // no `becomes`, `rises` or `falls` fires on); nothing for a created record.
        let before = |slot: usize| -> Option<&Value> {
            if created {
                return None;
            }
            match old {
                Some(o) => o.get(slot),
                None => {
                    changed.iter().position(|s| *s as usize == slot).and_then(|i| info.changed.get(i)).map(|c| &c.1)
                }
            }
        };
        let name = self.record_label(subject.record, &subject.id);
        // A field of the record as just stored (runs never write records, so it stays so
        // while the playbooks fire).
        let now =
            |engine: &Self, slot: usize| engine.store.record(subject.record, &subject.id).and_then(|f| f.get(slot));
        for &p in candidates {
            let pb = &loaded.program.playbooks[p];
            let mut fired = None;
            for (ti, t) in pb.triggers.iter().enumerate() {
                let hit = match &t.kind {
                    TriggerKind::Created => created,
                    TriggerKind::Updated { slots } => {
                        !created && (slots.is_empty() || slots.iter().any(|s| changed.contains(&(*s as u32))))
                    }
                    TriggerKind::Becomes { slot, value } => {
                        let slot = *slot as u32;
                        if !changed.contains(&slot) {
                            false
                        } else {
                            let want = self.eval(loaded, value, subject, &Extra::default()).unwrap_or_default();
                            let ctx_now = now(self, slot as usize).unwrap_or_default();
                            let before = before(slot as usize).cloned().unwrap_or_default();
                            self.same(loaded, &ctx_now, &want) && !self.same(loaded, &before, &want)
                        }
                    }
                    TriggerKind::Rises { slot } | TriggerKind::Falls { slot } => {
                        let before = before(*slot).and_then(Value::number);
                        let after = now(self, *slot).and_then(|v| v.number());
                        match (before, after) {
                            (Some(b), Some(a)) if matches!(t.kind, TriggerKind::Rises { .. }) => a > b,
                            (Some(b), Some(a)) => a < b,
                            _ => false,
                        }
                    }
                    TriggerKind::Enters { segment } => moved.contains(&(*segment, true)),
                    TriggerKind::Leaves { segment } => moved.contains(&(*segment, false)),
                    _ => false,
                };
                let source = &t.source;
                self.note(
                    || format!("trigger `{source}` {}", if hit { "fired" } else { "did not fire on this change" }),
                    &pb.name,
                    subject.record,
                    &subject.id,
                );
                if hit && fired.is_none() {
                    fired = Some(loaded.trigger_source(p, ti));
                }
            }
            if let Some(source) = fired {
                let info = TriggerInfo { source, ..info.clone() };
                self.fire(loaded, p, subject, info, &name, (&Known::none(), 0));
            }
        }
    }

    fn same(&self, loaded: &Loaded, a: &Value, b: &Value) -> bool {
        let ctx_fields: [Value; 0] = [];
        let id: Arc<str> = Arc::from("");
        let ctx = crate::vm::Ctx {
            program: &loaded.program,
            consts: &loaded.consts,
            data: &self.store,
            workspace: &self.workspace,
            now: self.now,
            subject_type: 0,
            subject_id: &id,
            subject: &ctx_fields,
            old: None,
            trigger_event: None,
            awaited: None,
            timed_out: false,
            tier: None,
        };
        compare(play_compiler::program::Op::Eq, a, b, &ctx).unwrap_or(false)
    }

    pub(super) fn event_triggers(
        &mut self,
        loaded: &Arc<Loaded>,
        event: u32,
        happening: &Arc<Happening>,
        concerned: &[Subject],
    ) {
        let candidates = loaded.program.triggers.event.get(event as usize).cloned().unwrap_or_default();
        for p in candidates {
            let pb = &loaded.program.playbooks[p];
            for (ti, t) in pb.triggers.iter().enumerate() {
                let TriggerKind::Event { event: e, via } = &t.kind else { continue };
                if *e as u32 != event {
                    continue;
                }
                // The subject: the event's record itself, or the record it belongs to.
                let subject = match via {
                    None => concerned.first().cloned(),
                    Some(_) => concerned.iter().skip(1).find(|s| s.record as usize == pb.subject).cloned(),
                };
                let Some(subject) = subject else { continue };
                if subject.record as usize != pb.subject {
                    continue;
                }
                let info = TriggerInfo {
                    source: loaded.trigger_source(p, ti),
                    event: Some(happening.clone()),
                    ..TriggerInfo::default()
                };
                let name = self.record_label(subject.record, &subject.id);
                self.fire(loaded, p, &subject, info, &name, (&Known::none(), 0));
                break;
            }
        }
    }

    pub(super) fn deleted_triggers(&mut self, loaded: &Arc<Loaded>, subject: &Subject, info: TriggerInfo) {
        let candidates = loaded.program.triggers.deleted.get(subject.record as usize).cloned().unwrap_or_default();
        let name = self.record_label(subject.record, &subject.id);
        for p in candidates {
            let source = loaded.program.playbooks[p]
                .triggers
                .iter()
                .position(|t| t.kind == TriggerKind::Deleted)
                .map(|t| loaded.trigger_source(p, t))
                .unwrap_or_default();
            self.fire(loaded, p, subject, TriggerInfo { source, ..info.clone() }, &name, (&Known::none(), 0));
        }
    }

    /// (Re)schedules the `date` triggers about a record after it changed: every one when
    /// `changed` is `None` (a new record, a new program), else those whose date may have
    /// moved with the changed slots.
    pub(super) fn schedule_dates(&mut self, loaded: &Loaded, subject: &Subject, changed: Option<&[u32]>) {
        for d in &loaded.dates {
            if d.subject != subject.record {
                continue;
            }
            if let (Some(slots), Some(reads)) = (changed, &d.reads) {
                if !slots.iter().any(|s| reads.contains(s)) {
                    continue;
                }
            }
            let (p, t) = (d.playbook, d.trigger);
            let TriggerKind::Date { date, at } = &loaded.program.playbooks[p].triggers[t].kind else { continue };
            let timer = Timer::Date { playbook: p as u32, trigger: t as u32, record: subject.id.clone() };
            let when = match self.eval(loaded, date, subject, &Extra::default()) {
                Ok(Value::Date(d)) => {
                    let m = at.unwrap_or(0);
                    Some(self.workspace.at_local(d, m / 60, m % 60).timestamp())
                }
                Ok(Value::Moment(t)) => Some(t),
                _ => None,
            };
            match when {
                // Not retroactive: a date already past does not fire.
                Some(w) if w > self.now => self.store.schedule(w, timer),
                _ => self.store.unschedule(&timer),
            }
        }
    }

    /// (Re)schedules the `date` triggers of every record a timed playbook is about.
    pub(super) fn schedule_all_dates(&mut self, loaded: &Loaded) {
        let mut subjects: Vec<u32> = Vec::new();
        for &p in &loaded.program.triggers.timed {
            let pb = &loaded.program.playbooks[p];
            let dated = pb.triggers.iter().any(|t| matches!(t.kind, TriggerKind::Date { .. }));
            if dated && !subjects.contains(&(pb.subject as u32)) {
                subjects.push(pb.subject as u32);
            }
        }
        for record in subjects {
            for id in self.store.record_ids(record) {
                self.schedule_dates(loaded, &Subject { record, id }, None);
            }
        }
    }

    /// Removes every date and schedule timer of a program's timed playbooks.
    pub(super) fn unschedule_timed(&mut self, loaded: &Loaded) {
        let mut subjects: Vec<u32> = Vec::new();
        for &p in &loaded.program.triggers.timed {
            let pb = &loaded.program.playbooks[p];
            for (t, trig) in pb.triggers.iter().enumerate() {
                match trig.kind {
                    TriggerKind::Date { .. } if !subjects.contains(&(pb.subject as u32)) => {
                        subjects.push(pb.subject as u32)
                    }
                    TriggerKind::Every { .. } => {
                        self.store.unschedule(&Timer::Schedule { playbook: p as u32, trigger: t as u32 })
                    }
                    _ => {}
                }
            }
        }
        for record in subjects {
            for id in self.store.record_ids(record) {
                self.unschedule_dates(loaded, &Subject { record, id });
            }
        }
    }

    /// Removes the `date` triggers scheduled for a record (it was deleted, or the program
    /// they belong to is replaced).
    pub(super) fn unschedule_dates(&mut self, loaded: &Loaded, subject: &Subject) {
        for &p in &loaded.program.triggers.timed {
            let pb = &loaded.program.playbooks[p];
            if pb.subject as u32 != subject.record {
                continue;
            }
            for (t, trig) in pb.triggers.iter().enumerate() {
                if matches!(trig.kind, TriggerKind::Date { .. }) {
                    let record = subject.id.clone();
                    self.store.unschedule(&Timer::Date { playbook: p as u32, trigger: t as u32, record });
                }
            }
        }
    }

    pub(super) fn date_fired(&mut self, p: usize, t: usize, id: Arc<str>) {
        let loaded = self.loaded.clone();
        let Some(pb) = loaded.program.playbooks.get(p) else { return };
        let subject = Subject { record: pb.subject as u32, id };
        if self.store.record(subject.record, &subject.id).is_none() {
            return;
        }
        let source = loaded.trigger_source(p, t);
        let name = self.record_label(subject.record, &subject.id);
        self.fire(&loaded, p, &subject, TriggerInfo { source, ..TriggerInfo::default() }, &name, (&Known::none(), 0));
    }

    /// Schedules every `every` trigger's next firing.
    pub(super) fn schedule_every(&mut self) {
        let loaded = self.loaded.clone();
        for &p in &loaded.program.triggers.timed {
            for (t, trig) in loaded.program.playbooks[p].triggers.iter().enumerate() {
                if let TriggerKind::Every { every, at } = &trig.kind {
                    let after = DateTime::<Utc>::from_timestamp(self.now, 0).unwrap_or_default();
                    let next = self.workspace.next_schedule(*every, at / 60, at % 60, after).timestamp();
                    self.store.schedule(next, Timer::Schedule { playbook: p as u32, trigger: t as u32 });
                }
            }
        }
    }

    pub(super) fn schedule_fired(&mut self, p: usize, t: usize) {
        let loaded = self.loaded.clone();
        let Some(pb) = loaded.program.playbooks.get(p) else { return };
        let Some(trig) = pb.triggers.get(t) else { return };
        if let TriggerKind::Every { every, at } = &trig.kind {
            let after = DateTime::<Utc>::from_timestamp(self.now, 0).unwrap_or_default();
            let next = self.workspace.next_schedule(*every, at / 60, at % 60, after).timestamp();
            self.store.schedule(next, Timer::Schedule { playbook: p as u32, trigger: t as u32 });
        }
        let record = pb.subject as u32;
        let ids = self.store.record_ids(record);
        // The conditions over every record first, in one pass each.
        let known = self.conditions_over(&loaded, p, record, &ids);
        for (i, id) in ids.into_iter().enumerate() {
            let info = TriggerInfo { source: loaded.trigger_source(p, t), ..TriggerInfo::default() };
            let name = self.record_label(record, &id);
            self.fire(&loaded, p, &Subject { record, id }, info, &name, (&known, i));
        }
    }

    /// A trigger fired for a record: enrol it if re-entry allows and the conditions hold.
    /// `record` is the record's name (`Account/acme`), made once by callers that fire
    /// many playbooks for one record. `known` has the answers of the playbook's conditions
    /// already worked out for this record (as its record number `at`), where it has them.
    pub(super) fn fire(
        &mut self,
        loaded: &Arc<Loaded>,
        p: usize,
        subject: &Subject,
        info: TriggerInfo,
        record: &Arc<str>,
        (known, at): (&Known, usize),
    ) {
        let pb = &loaded.program.playbooks[p];
        let entry = |outcome| super::HistoryEntry::outside_runs(&loaded.names[p], record, outcome);
        if let Some(reason) = self.reentry_blocks(pb, subject) {
            let r = reason.clone();
            self.note(|| format!("not enrolled: {r}"), &pb.name, subject.record, &subject.id);
            let e = entry(Outcome::NotEnrolled { trigger: info.source.clone(), reason, conditions: Vec::new() });
            self.push_history(e);
            return;
        }
        // The conditions' values, in a buffer kept from one firing to the next: an
        // enrolment shares one copy of them between its run and its history entry.
        let mut conditions = std::mem::take(&mut self.conditions);
        conditions.clear();
        let mut failed = None;
        let extra = Extra { trigger: Some(&info), ..Extra::default() };
        for (i, (c, source)) in pb.conditions.iter().zip(&loaded.conditions[p]).enumerate() {
            let source = source.clone();
            let got = match known.get(i, at) {
                Some(answer) => answer.map(Value::Bool),
                None => self.eval(loaded, c, subject, &extra),
            };
            match got {
                Ok(v) => conditions.push(Condition { source, value: v == Value::Bool(true) }),
                Err(Fault::Skip { .. }) => conditions.push(Condition { source, value: false }),
                Err(fault) => {
                    failed = fault.failure();
                    break;
                }
            }
        }
        if self.trace.is_some() {
            for c in &conditions {
                let (s, v) = (c.source.clone(), c.value);
                self.note(|| format!("condition `{s}` is {v}"), &pb.name, subject.record, &subject.id);
            }
        }
        if let Some((message, span)) = failed {
            let (file, line, column) = self.place(loaded, span);
            self.push_history(entry(Outcome::Failed { error: message, file, line, column }));
            self.conditions = conditions;
            return;
        }
        if let Some(c) = conditions.iter().find(|c| !c.value) {
            let reason = format!("the condition `{}` is false", c.source);
            let e =
                entry(Outcome::NotEnrolled { trigger: info.source.clone(), reason, conditions: conditions.clone() });
            self.push_history(e);
            self.conditions = conditions;
            return;
        }
        let shared: Arc<[Condition]> = Arc::from(conditions.as_slice());
        self.conditions = conditions;
        let id = self.store.next_id();
        let (name, version) = loaded.names[p].clone();
        let source = info.source.clone();
        let info = Arc::new(info);
        let ordinal = self.store.count_enrolment(&name, subject.record, &subject.id);
        self.store.set_last_enrolment(&name, subject.record, &subject.id, self.now, None);
        let run = Run {
            id,
            program: loaded.hash.clone(),
            playbook: p,
            playbook_name: name,
            version,
            record: subject.record,
            record_id: subject.id.clone(),
            pc: 0,
            state: RunState::Running,
            timed_out: false,
            generation: 0,
            started: self.now,
            conditions: shared.clone(),
            activities: Vec::new(),
            ordinal,
            // The event that started the run is not one a `wait for` waits for.
            spent: info.event.iter().cloned().collect(),
            trigger: info,
        };
        self.store.put_run(run);
        if self.trace.is_some() {
            let s = source.clone();
            self.note(|| format!("enrolled by `{s}`"), &pb.name, subject.record, &subject.id);
        }
        let mut e = entry(Outcome::Enrolled { trigger: source, conditions: shared });
        e.run = Some(id);
        self.push_history(e);
        self.continue_run(id);
    }

    /// Why re-entry keeps the record out, if it does. The store is asked only what the
    /// playbook's rule needs (`reentry always` needs nothing).
    fn reentry_blocks(&self, pb: &play_compiler::program::PlaybookDef, subject: &Subject) -> Option<String> {
        let active = || {
            self.store
                .active_runs(subject.record, &subject.id)
                .into_iter()
                .any(|r| self.store.run(r).is_some_and(|run| *run.playbook_name == *pb.name))
        };
        let last = || self.store.last_enrolment(&pb.name, subject.record, &subject.id);
        match &pb.reentry {
            Reentry::Always => None,
            Reentry::AfterExit if active() => {
                Some("the record is already in this playbook (reentry after_exit)".into())
            }
            Reentry::AfterExit => None,
            Reentry::Never if last().is_some() => Some("the record was enrolled before (reentry never)".into()),
            Reentry::Never => None,
            Reentry::After(d) => {
                if active() {
                    return Some("the record is already in this playbook".into());
                }
                // Counted from the end of the previous run.
                let (started, ended) = last()?;
                let ended = ended.unwrap_or(started);
                let free = crate::vm::shift(&self.workspace, ended, *d);
                (self.now < free).then(|| {
                    format!(
                        "the last run ended {} ago; reentry after {} allows it again at {}",
                        play_compiler::program::duration_text(&play_compiler::program::Duration {
                            seconds: self.now - ended,
                            business_days: 0
                        }),
                        play_compiler::program::duration_text(d),
                        crate::value::moment_text(free)
                    )
                })
            }
        }
    }

    pub(super) fn push_history(&mut self, mut entry: super::HistoryEntry) {
        // An ad hoc task has no run, and so no run history.
        if entry.run == Some(super::adhoc::NO_RUN) {
            return;
        }
        entry.at = self.now;
        self.history.push(entry);
    }
}

/// The playbooks a created or updated record may fire, found through the trigger index,
/// in program order and each once. Sorting and deduplicating at the end keeps this linear
/// in the candidates when thousands of playbooks watch one field.
pub(super) fn record_candidates(
    program: &Program,
    record: u32,
    created: bool,
    changed: &[u32],
    moved: &Moved,
    candidates: &mut Vec<usize>,
) {
    let index = &program.triggers;
    let r = record as usize;
    if created {
        candidates.extend(index.created.get(r).into_iter().flatten());
    } else {
        candidates.extend(index.updated_any.get(r).into_iter().flatten());
    }
    // A record created with a value `becomes` it too (the field went from nothing to it).
    for slot in changed {
        candidates.extend(index.field.get(r).and_then(|f| f.get(*slot as usize)).into_iter().flatten());
    }
    for (s, _) in moved {
        candidates.extend(index.membership.get(*s).into_iter().flatten());
    }
    candidates.sort_unstable();
    candidates.dedup();
}
