//! Producing actions: arguments evaluated with their context, stable ids, dedupe while
//! open, and what people do to actions
//! (complete, dismiss, snooze, add an optional activity).

use std::sync::Arc;

use play_compiler::program::{ActionDef, ActionKind, Code, StableHash};

use super::action::{Action, Context};
use super::history::Outcome;
use super::json::{Changed, Fields};
use super::run::{OpenActivity, Run, RunState};
use super::{Engine, Extra, HistoryEntry, Loaded, Subject};
use crate::store::Store;
use crate::value::Value;
use crate::vm::{Escape, Fault};

/// An action waiting for touch-budget arbitration at the end of a pass.
pub(crate) struct Pending {
    pub action: Action,
    /// Who each budget is about: (limit index, who).
    pub budgets: Vec<(usize, Arc<str>)>,
    pub dedupe: Option<String>,
    /// It has waited in a budget's queue (and the history says it was deferred).
    pub deferred: bool,
    /// The record an activity's `creates` makes when it is completed.
    pub creates: Option<Creation>,
}

/// A record an activity creates when it is completed: its type, id (the action's id)
/// and fields, worked out when the activity opened (as the action shows them).
pub(crate) struct Creation {
    pub record: u32,
    pub id: Arc<str>,
    pub fields: Vec<(u32, Value)>,
}

/// An action worked out: it, who each touch budget it counts against is about, and the
/// record it creates when completed. A recipient that is gone gives the reason instead.
type Built = (Action, Vec<super::budget::BudgetKey>, Option<Creation>);

/// What the engine keeps of an action it produced: what closing it (completing,
/// dismissing, snoozing) needs. Not the whole action, which would be copied for every one
/// produced, most of which nobody closes.
pub(crate) struct Produced {
    pub run: u64,
    pub kind: ActionKind,
    pub playbook: Arc<str>,
    pub version: Arc<str>,
    pub step: Arc<str>,
    pub record: Arc<str>,
    /// The key it holds while open, for the actions a person works (see [`is_queued`]).
    pub dedupe: Option<String>,
    /// What completing it creates.
    pub creates: Option<Creation>,
    /// Its id, for the changes of its state handed over ([`super::ActionUpdate`]).
    pub id: String,
    /// Until when it is snoozed, while it is.
    pub snoozed: Option<i64>,
}

/// Actions a person works in the queue; the others are delivered.
pub(super) fn is_queued(kind: ActionKind) -> bool {
    matches!(kind, ActionKind::Task | ActionKind::EmailTask | ActionKind::Activity)
}

/// Whether a limit's counted kind (`email`, `task`, `notify`, …) covers an action.
fn counts(limit_action: &str, kind: ActionKind) -> bool {
    let name = kind.name();
    limit_action == name
        || (limit_action == "notify" && matches!(kind, ActionKind::NotifyEmail | ActionKind::NotifySlack))
        || (limit_action == "emails" && kind == ActionKind::Email)
        || (limit_action == "tasks" && kind == ActionKind::Task)
        || (limit_action == "touch" || limit_action == "action")
}

/// An action's id: the hash of its playbook, version, record, run ordinal, step and index
/// (docs: how action ids are made), that is of `playbook|version|record|ordinal|step|index`
/// fed to the hash piece by piece rather than built in a string first, since every action
/// needs one.
fn action_id(playbook: &str, version: &str, record: &str, ordinal: u64, step: &str, index: usize) -> String {
    let mut hash = StableHash::new();
    let mut digits = [0u8; 20];
    for part in [playbook, version, record] {
        hash.write(part.as_bytes());
        hash.write(b"|");
    }
    hash.write(decimal(ordinal, &mut digits));
    hash.write(b"|");
    hash.write(step.as_bytes());
    hash.write(b"|");
    hash.write(decimal(index as u64, &mut digits));
    hash.hex()
}

/// The key a queued action holds while it is open, `playbook|step|record|index`, made in
/// one string of the right size.
fn dedupe_key(playbook: &str, step: &str, record: &str, index: usize) -> String {
    let mut digits = [0u8; 20];
    let index = decimal(index as u64, &mut digits);
    let mut key = String::with_capacity(playbook.len() + step.len() + record.len() + index.len() + 3);
    for part in [playbook, step, record] {
        key.push_str(part);
        key.push('|');
    }
    // Digits are ASCII.
    key.extend(index.iter().map(|d| char::from(*d)));
    key
}

/// A number in decimal, as `Display` writes it, in `digits`.
fn decimal(mut n: u64, digits: &mut [u8; 20]) -> &[u8] {
    let mut at = digits.len();
    loop {
        at -= 1;
        digits[at] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    &digits[at..]
}

impl<S: Store> Engine<S> {
    fn text_of(
        &mut self,
        loaded: &Loaded,
        code: &Option<Code>,
        subject: &Subject,
        extra: &Extra,
    ) -> Result<Option<Value>, Fault> {
        match code {
            Some(c) => self.eval(loaded, c, subject, extra).map(Some),
            None => Ok(None),
        }
    }

    /// A recipient as text, with the record it is when it is one: a contact is written
    /// as its email address.
    fn recipient(&self, loaded: &Loaded, v: &Value) -> (Arc<str>, Option<Arc<str>>) {
        match v {
            Value::Ref { record, id } => {
                let def = &loaded.program.schema.records[*record as usize];
                // Its address field: `email`, else its only `Email` field (shared with
                // the stored record's).
                let email = def.address_slot().and_then(|s| self.store.record(*record, id).and_then(|f| f.get(s)));
                let to = match email {
                    Some(Value::Text(e)) => e,
                    _ => id.clone(),
                };
                let to_record = (def.name != "User").then(|| super::shared_name(&def.name, id));
                (to, to_record)
            }
            other => (other.shared_text(&loaded.program), None),
        }
    }

    /// Produces one action of a run's step; returns its number when it was made, nothing
    /// when it was skipped, and the fault when working out its arguments failed (which
    /// the caller turns into the run's failure).
    pub(super) fn produce(
        &mut self,
        loaded: &Loaded,
        run: &Run,
        step: &Arc<str>,
        index: usize,
        def: &ActionDef,
    ) -> Result<Option<u64>, Fault> {
        let pb = &loaded.program.playbooks[run.playbook];
        let subject = Subject { record: run.record, id: run.record_id.clone() };
        let record = self.record_label(run.record, &run.record_id);
        let dedupe = is_queued(def.kind).then(|| dedupe_key(&pb.name, step, &record, index));
        let history = |outcome| HistoryEntry {
            at: 0,
            playbook: run.playbook_name.clone(),
            version: run.version.clone(),
            record: record.clone(),
            run: Some(run.id),
            step: Some(step.clone()),
            outcome,
        };
        if let Some(key) = &dedupe {
            let snoozed = self.store.snoozed_until(key).filter(|until| *until > self.now);
            // One waiting for the end of this instant counts as open too.
            let reason = if self.store.open_action(key).is_some() || self.pending_keys.contains(key) {
                Some("the same action from this step is still open".to_string())
            } else {
                snoozed.map(|until| format!("the same action is snoozed until {}", crate::value::moment_text(until)))
            };
            if let Some(reason) = reason {
                self.push_history(history(Outcome::ActionSkipped { action: def.kind.name().into(), reason }));
                return Ok(None);
            }
        }
        self.vm.start_notes();
        let built = self.build(loaded, run, &subject, &record, step, index, def);
        // A lookup that fell back (`manager_of` a teammate with no manager) is not silent.
        for reason in self.vm.take_notes() {
            self.push_history(history(Outcome::FellBack { reason }));
        }
        let (action, budgets, creates) = match built {
            Ok(Ok(b)) => b,
            Ok(Err(gone)) => {
                // A recipient that is gone skips its action, not the run.
                let reason = format!("its recipient is gone: {gone}");
                self.push_history(history(Outcome::ActionSkipped { action: def.kind.name().into(), reason }));
                return Ok(None);
            }
            Err(Fault::Skip { span }) => {
                let (file, line, _) = loaded.program.place(span);
                let reason = format!("its recipient is empty (`?? skip`, {file} line {line})");
                self.push_history(history(Outcome::ActionSkipped { action: def.kind.name().into(), reason }));
                return Ok(None);
            }
            Err(fault) => return Err(fault),
        };
        let seq = action.seq;
        if let Some(key) = &dedupe {
            self.pending_keys.insert(key.clone());
        }
        self.pending.push(Pending { action, budgets, dedupe, deferred: false, creates });
        Ok(Some(seq))
    }

    /// Forgets the actions produced since `mark` (a step that failed produces none).
    pub(super) fn drop_pending(&mut self, mark: usize) {
        for p in self.pending.drain(mark.min(self.pending.len())..) {
            if let Some(key) = &p.dedupe {
                self.pending_keys.remove(key);
            }
        }
    }

    /// The context of a run's actions: what triggered it, what changed and its
    /// conditions, made once for the run's trigger and shared by its actions (the last
    /// one made is kept). Its parts are all shared: what changed is the trigger's list.
    fn context_of(&mut self, loaded: &Loaded, run: &Run) -> Arc<Context> {
        let last = self.context.as_ref();
        if let Some((id, trigger, context)) = last {
            if *id == run.id && Arc::ptr_eq(trigger, &run.trigger) {
                return context.clone();
            }
        }
        // What changed is the trigger's own list, shared, written as JSON only when the
        // action is.
        let changed = Changed::Values { names: loaded.json.clone(), changed: run.trigger.changed.clone() };
        let context =
            Arc::new(Context { trigger: run.trigger.source.clone(), changed, conditions: run.conditions.clone() });
        self.context = Some((run.id, run.trigger.clone(), context.clone()));
        context
    }

    #[allow(clippy::too_many_arguments)]
    fn build(
        &mut self,
        loaded: &Loaded,
        run: &Run,
        subject: &Subject,
        record: &Arc<str>,
        step: &Arc<str>,
        index: usize,
        def: &ActionDef,
    ) -> Result<Result<Built, String>, Fault> {
        let pb = &loaded.program.playbooks[run.playbook];
        let extra = Extra { trigger: Some(&run.trigger), timed_out: run.timed_out, ..Extra::default() };
        let show = |v: Option<Value>, p: &play_compiler::program::Program| v.map(|v| v.shared_text(p));
        // A recipient that is a record must be one the store has (a teammate is known by
        // address even without one); one that is gone (or reached through one that is)
        // skips the action.
        let to_value = match self.text_of(loaded, &def.to, subject, &extra) {
            Err(Fault::Gone { message, .. }) => return Ok(Err(message)),
            // An empty recipient (an optional field not set) is no recipient: no `to`.
            other => other?.filter(|v| !matches!(v, Value::Empty)),
        };
        if let Some(Value::Ref { record, id }) = &to_value {
            let def_r = &loaded.program.schema.records[*record as usize];
            if def_r.name != "User" && self.store.record(*record, id).is_none() {
                return Ok(Err(format!("the {} `{id}` is not in the store", def_r.name)));
            }
        }
        let title = self.text_of(loaded, &def.title, subject, &extra)?;
        let note = self.text_of(loaded, &def.note, subject, &extra)?;
        // A Slack message's values are escaped so that none makes a link or a mention.
        let message = match (&def.message, def.kind) {
            (Some(c), ActionKind::NotifySlack) => {
                Some(self.eval_for(loaded, c, subject, &extra, Some(Escape::Slack))?)
            }
            _ => self.text_of(loaded, &def.message, subject, &extra)?,
        };
        // An email's notification also has its HTML part.
        let message_html = match (&def.message, def.kind) {
            (Some(c), ActionKind::NotifyEmail) => {
                Some(self.eval_for(loaded, c, subject, &extra, Some(Escape::Html))?)
            }
            _ => None,
        };
        let flow = self.text_of(loaded, &def.flow, subject, &extra)?;
        let url = self.text_of(loaded, &def.url, subject, &extra)?;
        let about = self.text_of(loaded, &def.about, subject, &extra)?;
        let target = self.text_of(loaded, &def.target, subject, &extra)?;
        let due = match self.text_of(loaded, &def.due, subject, &extra)? {
            Some(Value::Duration(d)) => match crate::vm::checked_shift(&self.workspace, self.now, d) {
                Some(t) => Some(t),
                None => {
                    let span = def.due.as_ref().and_then(|c| c.spans.last()).copied().unwrap_or_default();
                    let message = "the due moment falls outside the years 0001 to 9999".to_string();
                    return Err(Fault::Failed { message, span });
                }
            },
            Some(Value::Date(d)) => Some(crate::vm::date_moment(&self.workspace, d)),
            Some(Value::Moment(t)) => Some(t),
            _ => None,
        };
        // The fields' values are kept as they are, with their names shared with the
        // loaded program's: they become JSON only when the action is written out.
        let mut fields = Vec::with_capacity(def.fields.len());
        let mut values = Vec::new();
        let created = def.creates.and_then(|r| loaded.program.schema.records.get(r).map(|d| (r, d)));
        for (i, (name, code)) in def.fields.iter().enumerate() {
            let v = self.eval(loaded, code, subject, &extra)?;
            if let Some(slot) = created.and_then(|(_, d)| d.slot(name)) {
                values.push((slot as u32, v.clone()));
            }
            fields.push((loaded.action_field(run.playbook, run.pc, index, i, name), v));
        }
        let (to, to_record) = match &to_value {
            Some(v) => {
                let (t, r) = self.recipient(loaded, v);
                (Some(t), r)
            }
            None => (None, None),
        };
        // A template is written for the recipient: the body as plain text, and as the HTML
        // part with every interpolated value escaped.
        let (mut subject_line, mut body, mut html) = (None, None, None);
        if let (Some(t), Some(to)) = (def.template, &to_value) {
            let template = &loaded.program.templates[t];
            // Written for the recipient record, or for the subject when sent to an address.
            let them = match to {
                Value::Ref { record, id } => Subject { record: *record, id: id.clone() },
                _ => Subject { record: subject.record, id: subject.id.clone() },
            };
            for (part, code) in &template.parts {
                let text = self.eval(loaded, code, &them, &Extra::default())?.shared_text(&loaded.program);
                match part.as_str() {
                    "subject" => subject_line = Some(text),
                    "body" => {
                        body = Some(text);
                        let escaped = self.eval_for(loaded, code, &them, &Extra::default(), Some(Escape::Html))?;
                        html = Some(escaped.shared_text(&loaded.program));
                    }
                    _ => {}
                }
            }
        }
        let html = html.or_else(|| message_html.map(|m| m.shared_text(&loaded.program)));
        let priority = match &pb.priority {
            Some(c) => self.eval(loaded, c, subject, &extra)?.number().unwrap_or(0.0),
            None => 0.0,
        };
        let seq = self.store.next_id();
        let context = self.context_of(loaded, run);
        let title = show(title, &loaded.program).or_else(|| subject_line.clone());
        let id = action_id(&pb.name, &pb.version, record, run.ordinal, step, index);
        // The record an activity creates is named by the action's id: the same on every
        // replay, and another for another run.
        let creates = created.map(|(r, d)| {
            let name = format!("{}/{id}", d.name);
            (name, Creation { record: r as u32, id: Arc::from(id.as_str()), fields: values })
        });
        let action = Action {
            at: self.now,
            id,
            playbook: run.playbook_name.clone(),
            version: run.version.clone(),
            step: step.clone(),
            action: def.kind,
            record: record.clone(),
            priority,
            category: pb.category,
            title,
            to,
            to_record,
            due,
            note: show(note, &loaded.program),
            message: show(message, &loaded.program),
            template: def.template.map(|t| Arc::from(loaded.program.templates[t].name.as_str())),
            subject: subject_line,
            body,
            html,
            flow: show(flow, &loaded.program),
            about: about.as_ref().map(|v| match v {
                Value::Ref { record, id } => self.record_label(*record, id),
                other => other.shared_text(&loaded.program),
            }),
            url: show(url, &loaded.program),
            target: target.as_ref().map(|v| match v {
                Value::Ref { record, id } => self.record_label(*record, id),
                other => other.shared_text(&loaded.program),
            }),
            field: def.field.as_deref().map(Arc::from),
            // The map itself, not a copy: an action shows its fields when it writes them or
            // creates a record with them.
            fields: (!def.fields.is_empty() || def.kind == ActionKind::Update || def.creates.is_some())
                .then(|| Fields::Values { names: loaded.json.clone(), fields }),
            creates: creates.as_ref().map(|(name, _)| Arc::from(name.as_str())),
            activity: def.name.as_deref().map(Arc::from),
            optional: def.optional,
            context,
            run: run.id,
            seq,
        };
        // Who each touch budget counts against.
        let mut budgets = Vec::new();
        for (l, limit) in loaded.program.limits.iter().enumerate() {
            if !counts(&limit.action, def.kind) {
                continue;
            }
            let per = limit.per.to_lowercase();
            let who: Option<Arc<str>> = match &to_value {
                Some(Value::Ref { record: r, id })
                    if loaded.program.schema.records[*r as usize].name.to_lowercase() == per =>
                {
                    Some(id.clone())
                }
                Some(Value::Text(t)) if per == "user" => Some(t.clone()),
                _ if loaded.program.schema.records[run.record as usize].name.to_lowercase() == per => {
                    Some(run.record_id.clone())
                }
                _ => None,
            };
            if let Some(who) = who {
                budgets.push((l, who));
            }
        }
        Ok(Ok((action, budgets, creates.map(|(_, c)| c))))
    }

    /// The dedupe key an action holds while it is open: none once it is closed, or when
    /// another action has taken the key since.
    pub(super) fn key_of(&self, seq: u64) -> Option<&str> {
        let key = self.produced.get(&seq)?.dedupe.as_deref()?;
        (self.store.open_action(key) == Some(seq)).then_some(key)
    }

    fn close(&mut self, seq: u64) -> Option<(u64, HistoryEntry)> {
        if let Some(key) = self.key_of(seq).map(str::to_owned) {
            self.store.set_open_action(key, None);
        }
        self.unsnooze(seq);
        let p = self.produced.get(&seq)?;
        // What a dismissal writes to the history; the outcome is filled in by the caller.
        let entry =
            self.entry_about(seq, Outcome::ActionSkipped { action: p.kind.name().into(), reason: String::new() })?;
        Some((p.run, entry))
    }

    /// A history entry about a produced action: its playbook, record, run and step.
    pub(super) fn entry_about(&self, seq: u64, outcome: Outcome) -> Option<HistoryEntry> {
        let p = self.produced.get(&seq)?;
        Some(HistoryEntry {
            at: 0,
            playbook: p.playbook.clone(),
            version: p.version.clone(),
            record: p.record.clone(),
            run: Some(p.run),
            step: Some(p.step.clone()),
            outcome,
        })
    }

    /// A person snoozed an action until a moment: while it is snoozed, the same action is
    /// not produced again, even once this one is done.
    pub fn snooze(&mut self, seq: u64, until: i64) -> bool {
        let Some(key) = self.key_of(seq).map(str::to_owned) else { return false };
        let mut batch = self.batch();
        batch.store.set_snooze(key, until);
        batch.unsnooze(seq);
        if until > batch.now {
            if let Some(p) = batch.produced.get_mut(&seq) {
                p.snoozed = Some(until);
                batch.snoozed.insert((until, seq));
            }
        }
        true
    }

    /// A person completed an action: the record an activity `creates` is created (a
    /// change of its own, whose triggers fire), and a stage's activity may complete its
    /// stage.
    pub fn complete(&mut self, seq: u64) -> bool {
        let mut batch = self.batch();
        let Some((run, entry)) = batch.close(seq) else { return false };
        if let Some(creation) = batch.produced.get_mut(&seq).and_then(|p| p.creates.take()) {
            batch.create(entry, creation);
        }
        batch.activity_done(run, seq);
        batch.forget_closed(seq);
        true
    }

    /// Once an action is closed, a handing-over engine keeps nothing of it.
    fn forget_closed(&mut self, seq: u64) {
        if !self.hand_over {
            return;
        }
        if let Some(p) = self.produced.remove(&seq) {
            self.queue.forget(&p.id, seq);
        }
    }

    /// Creates the record a completed activity makes, as a change at this moment.
    fn create(&mut self, mut entry: HistoryEntry, creation: Creation) {
        let Creation { record, id, fields } = creation;
        if self.store.record(record, &id).is_some() {
            return;
        }
        match self.complete_on_create(record, &fields) {
            Ok(()) => {
                let now = self.now;
                let _ = self.upsert(record, id, fields, true, now);
            }
            Err(rejection) => {
                // The checker asks for every required field; an empty value can still
                // come from the data.
                if let Outcome::ActionSkipped { reason, .. } = &mut entry.outcome {
                    *reason = format!("its record was not created: {}", rejection.message);
                }
                self.push_history(entry);
            }
        }
    }

    /// A person dismissed an action; the reason goes to the playbook's history.
    pub fn dismiss(&mut self, seq: u64, reason: &str) -> bool {
        let mut batch = self.batch();
        let Some((run, mut entry)) = batch.close(seq) else { return false };
        if let Outcome::ActionSkipped { reason: why, .. } = &mut entry.outcome {
            *why = format!("dismissed: {reason}");
        }
        batch.push_history(entry);
        // A dismissed activity no longer holds up its stage.
        batch.activity_done(run, seq);
        batch.forget_closed(seq);
        true
    }

    /// Adds an optional activity of the run's open stage; returns its number.
    pub fn add_activity(&mut self, run_id: u64, name: &str) -> Option<u64> {
        let run = self.store.run(run_id).cloned()?;
        if run.state != RunState::InStage {
            return None;
        }
        let loaded = self.loaded_for(&run.program);
        let play_compiler::program::Node::Stage(stage) = loaded.program.playbooks[run.playbook].body.get(run.pc)?
        else {
            return None;
        };
        let (i, def) = stage.activities.iter().enumerate().find(|(_, a)| a.name.as_deref() == Some(name))?;
        let mut batch = self.batch();
        let produced = batch.produce(&loaded, &run, &loaded.step_name(run.playbook, run.pc), i, def);
        if let Err(fault) = &produced {
            batch.fail_run(&loaded, run_id, Some(loaded.step_name(run.playbook, run.pc)), fault.clone());
        }
        let seq = produced.ok().flatten()?;
        if let Some(r) = batch.store.run_mut(run_id) {
            r.activities.push(OpenActivity { name: name.to_string(), action: seq, required: false, done: false });
        }
        Some(seq)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use play_compiler::program::hex_hash;

    /// Ids are built without `format!` for speed; they must stay the ones `format!` made.
    #[test]
    fn action_ids_are_the_hash_of_the_formatted_key() {
        for (ordinal, index) in [(0, 0), (1, 9), (10, 10), (99_999, 123), (u64::MAX, usize::MAX)] {
            let key = format!("renewal|3|Account/acme|{ordinal}|prepare|{index}");
            assert_eq!(action_id("renewal", "3", "Account/acme", ordinal, "prepare", index), hex_hash(key.as_bytes()));
        }
    }

    /// Dedupe keys are stored (snapshots, the daemon's queue), so they must stay the ones
    /// `format!` made.
    #[test]
    fn dedupe_keys_are_the_formatted_key() {
        for index in [0, 7, 10, 12_345, usize::MAX] {
            assert_eq!(
                dedupe_key("renewal", "prepare", "Account/acme", index),
                format!("renewal|prepare|Account/acme|{index}")
            );
        }
    }
}
