//! Changes checked against what the store holds, and the queue's changes: an event's
//! subject and a deleted record must exist, a new record must come whole; an open action
//! is completed, dismissed, snoozed or approved (by its id, or by playbook, step or
//! activity and record), an optional activity is added; a change sent twice under one
//! `change_id` is taken once.

use std::collections::{HashMap, VecDeque};
use std::sync::Arc;

use play_compiler::program::{hex_hash, ActionKind, Node};

use super::output::{ActionState, ActionUpdate};
use super::{Action, Engine, HistoryEntry, Outcome};
use crate::change::{ActionRef, Change, ChangeKind, QueueOp, Rejection};
use crate::store::Store;

/// What the engine keeps for the queue's changes.
#[derive(Default)]
pub(crate) struct Queue {
    /// Actions a person works (tasks, email tasks, activities), by id.
    pub(super) ids: HashMap<String, u64>,
    /// Email tasks' drafts, by number, until approved.
    pub(super) drafts: HashMap<u64, Box<Action>>,
    /// The `change_id`s taken, with when (those older than [`super::CHANGE_ID_WINDOW`]
    /// are let go as others come).
    pub(super) change_ids: HashMap<Arc<str>, i64>,
    /// The same, with when each was taken, oldest first, to let them go in order.
    pub(super) change_order: VecDeque<(i64, Arc<str>)>,
}

impl Queue {
    /// Notes an action just produced.
    pub(crate) fn produced(&mut self, action: &Action) {
        if matches!(action.action, ActionKind::Task | ActionKind::EmailTask | ActionKind::Activity) {
            self.ids.insert(action.id.clone(), action.seq);
        }
        if action.action == ActionKind::EmailTask {
            self.drafts.insert(action.seq, Box::new(action.clone()));
        }
    }

    /// Forgets a closed action.
    pub(super) fn forget(&mut self, id: &str, seq: u64) {
        if self.ids.get(id) == Some(&seq) {
            self.ids.remove(id);
        }
        self.drafts.remove(&seq);
    }

    /// Remembers a `change_id` taken at `at`, and lets go of those taken more than
    /// [`super::CHANGE_ID_WINDOW`] before.
    pub(super) fn remember(&mut self, id: Arc<str>, at: i64) {
        assert!(self.change_order.back().is_none_or(|(last, _)| *last <= at), "change ids are taken in time order");
        let horizon = at.saturating_sub(super::CHANGE_ID_WINDOW);
        while self.change_order.front().is_some_and(|(t, _)| *t < horizon) {
            if let Some((t, old)) = self.change_order.pop_front() {
                // Unless it was taken again since.
                if self.change_ids.get(&old) == Some(&t) {
                    self.change_ids.remove(&old);
                }
            }
        }
        self.change_ids.insert(id.clone(), at);
        self.change_order.push_back((at, id));
    }
}

/// How a change was taken.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Taken {
    Accepted,
    /// Its `change_id` was taken already: acknowledged, and nothing done.
    Duplicate,
}

impl<S: Store> Engine<S> {
    /// Whether a change with this `change_id` was taken already, within
    /// [`super::CHANGE_ID_WINDOW`] of the clock.
    pub fn is_duplicate(&self, change_id: &str) -> bool {
        self.is_duplicate_at(change_id, self.now)
    }

    /// Whether a change with this `change_id` arriving at `at` is a duplicate: one was
    /// taken within [`super::CHANGE_ID_WINDOW`] before the later of `at` and the clock.
    pub fn is_duplicate_at(&self, change_id: &str, at: i64) -> bool {
        let horizon = self.now.max(at).saturating_sub(super::CHANGE_ID_WINDOW);
        self.queue.change_ids.get(change_id).is_some_and(|taken| *taken >= horizon)
    }

    /// Feeds a change sent with the sender's id for it: one whose id was taken already is
    /// acknowledged and ignored; a refused one does not take its id.
    pub fn ingest_once(&mut self, change: Change, change_id: Option<Arc<str>>) -> Result<Taken, Rejection> {
        if change_id.as_deref().is_some_and(|id| self.is_duplicate_at(id, change.at)) {
            return Ok(Taken::Duplicate);
        }
        self.ingest(change)?;
        if let Some(id) = change_id {
            let now = self.now;
            self.queue.remember(id, now);
        }
        Ok(Taken::Accepted)
    }

    /// Checks a record change against the store, before the clock moves: a new record
    /// has every required field, an event happens to a record there is, a deleted record
    /// is there. (The queue's changes are checked as they are done, once the timers due
    /// before them have fired.)
    pub fn check(&self, change: &Change) -> Result<(), Rejection> {
        let schema = &self.loaded.program.schema;
        match &change.kind {
            ChangeKind::Upsert { record, id, fields } if self.store.record(*record, id).is_none() => {
                self.complete_on_create(*record, fields)
            }
            ChangeKind::Event { event, subject, .. } => {
                let Some(def) = schema.events.get(*event as usize) else { return Ok(()) };
                let on = def.subject as u32;
                let on_name = schema.records.get(def.subject).map_or("record", |r| r.name.as_str());
                // A teammate is known by address without a record.
                let teammate = on_name == "User" && crate::change::is_email(subject);
                if teammate || self.store.record(on, subject).is_some() {
                    return Ok(());
                }
                let elsewhere = (0..schema.records.len() as u32)
                    .find(|r| *r != on && self.store.record(*r, subject).is_some())
                    .and_then(|r| schema.records.get(r as usize));
                let message = match elsewhere {
                    Some(other) => format!(
                        "`{}` is {}, not {}: {} happens to {}",
                        clip(subject),
                        crate::change::with_article(&other.name),
                        crate::change::with_article(on_name),
                        def.name,
                        crate::change::with_article(on_name)
                    ),
                    None => format!(
                        "there is no {on_name} `{}`: an event happens to a record the changes created before it",
                        clip(subject)
                    ),
                };
                Err(Rejection::field("subject", message))
            }
            ChangeKind::Delete { record, id } if self.store.record(*record, id).is_none() => {
                let name = schema.records.get(*record as usize).map_or("record", |r| r.name.as_str());
                Err(Rejection::field("id", format!("there is no {name} `{}` to delete", clip(id))))
            }
            _ => Ok(()),
        }
    }

    /// A queue change at `at`: the timers due by then fire first (the action may come of
    /// one); the clock moves to `at` only when the change is taken.
    pub(super) fn queue_change(&mut self, at: i64, kind: ChangeKind) -> Result<(), Rejection> {
        self.fire_due(at);
        // The actions of this instant are arbitrated now, so that one produced at this very
        // moment can be named (changes later in the instant are arbitrated on their own).
        self.settle();
        match kind {
            ChangeKind::Action { op, action, by } => {
                // Only an email task is approved: naming a step picks its email task.
                let seq = self.find_open(&action, matches!(op, QueueOp::Approve { .. }))?;
                self.now = self.now.max(at);
                self.work(seq, op, by.as_deref())
            }
            ChangeKind::Task(task) => self.add_task(at, &task),
            ChangeKind::Activity { record, id, playbook, activity } => {
                let run = self.stage_run(record, &id, &playbook, &activity)?;
                let before = self.now;
                self.now = self.now.max(at);
                match self.add_activity(run, &activity) {
                    Some(_) => Ok(()),
                    // Refused: the clock stays where it was.
                    None => Err(Rejection::field(
                        "activity",
                        format!("`{activity}` was not added: see the run history of `{playbook}`"),
                    ))
                    .inspect_err(|_| self.now = before),
                }
            }
            _ => Ok(()),
        }
    }

    fn work(&mut self, seq: u64, op: QueueOp, by: Option<&str>) -> Result<(), Rejection> {
        let by_whom = by.map(|b| format!(" by {b}")).unwrap_or_default();
        // Written first: what was done, by whom, then what followed from it.
        let worked = |engine: &Self, done: String, note: Option<String>| {
            let action = engine.produced.get(&seq).map(|p| p.kind.name().to_owned()).unwrap_or_default();
            engine.entry_about(seq, Outcome::ActionWorked { action, done, by: by.map(str::to_owned), note })
        };
        // The change of its state, for the daemon's projections.
        let update = |engine: &Self, state: ActionState| {
            let id = engine.produced.get(&seq).map(|p| p.id.clone()).unwrap_or_default();
            ActionUpdate { by: by.map(str::to_owned), ..ActionUpdate::new(id, engine.now, state) }
        };
        match op {
            QueueOp::Complete { note } => {
                let done = ActionUpdate { note: note.clone(), ..update(self, ActionState::Done) };
                self.push_update(done);
                let entry = worked(self, "completed".into(), note);
                self.push_worked(entry);
                self.queue.drafts.remove(&seq);
                self.complete(seq);
            }
            QueueOp::Dismiss { reason } => {
                self.queue.drafts.remove(&seq);
                let reason = reason.unwrap_or_else(|| "no reason given".into());
                let dismissed = ActionUpdate { note: Some(reason.clone()), ..update(self, ActionState::Dismissed) };
                self.push_update(dismissed);
                self.dismiss(seq, &format!("{reason}{by_whom}"));
            }
            QueueOp::Snooze { until } => {
                let entry = worked(self, format!("snoozed until {}", crate::value::moment_text(until)), None);
                self.push_update(ActionUpdate { until: Some(until), ..update(self, ActionState::Snoozed) });
                self.push_worked(entry);
                self.snooze(seq, until);
            }
            QueueOp::Approve { subject, body } => {
                let Some(draft) = self.queue.drafts.remove(&seq) else {
                    return Err(Rejection::field(
                        "op",
                        "only an email task is approved (which sends its email): `complete` or `dismiss` this one",
                    ));
                };
                let edited = subject.is_some() || body.is_some();
                let approved =
                    ActionUpdate { subject: subject.clone(), body: body.clone(), ..update(self, ActionState::Done) };
                self.push_update(approved);
                let entry = worked(self, if edited { "approved, edited".into() } else { "approved".into() }, None);
                let mut email = *draft;
                email.id = hex_hash(format!("{}|approved", email.id).as_bytes());
                email.action = ActionKind::Email;
                email.at = self.now;
                email.seq = self.store.next_id();
                email.subject = subject.map(Arc::from).or(email.subject);
                if let Some(body) = body {
                    // A person's edit is plain text: its HTML part is all of it escaped.
                    let mut html = String::new();
                    crate::vm::Escape::Html.write(&body, &mut html);
                    email.html = Some(Arc::from(html));
                    email.body = Some(Arc::from(body));
                }
                self.push_worked(entry);
                self.actions.push(email);
                self.complete(seq);
            }
        }
        Ok(())
    }

    fn push_worked(&mut self, entry: Option<HistoryEntry>) {
        if let Some(entry) = entry {
            self.push_history(entry);
        }
    }

    /// The open action a queue change names.
    fn find_open(&self, action: &ActionRef, email_task: bool) -> Result<u64, Rejection> {
        let (playbook, step, activity, record, id) = match action {
            ActionRef::Id(id) => {
                return match self.queue.ids.get(id) {
                    Some(seq) if self.is_open(*seq) => Ok(*seq),
                    Some(_) => {
                        Err(Rejection::field("action", format!("the action `{}` is not open any more", clip(id))))
                    }
                    None => Err(Rejection::field("action", format!("there is no action `{}` in the queue", clip(id)))),
                };
            }
            ActionRef::Open { playbook, step, activity, record, id } => (playbook, step, activity, *record, id),
        };
        let program = &self.loaded.program;
        let label = self.record_name(record, id);
        let mut open = Vec::new();
        if let Some(p) = program.playbook_named(playbook) {
            for node in &program.playbooks[p].body {
                let (name, defs) = match node {
                    Node::Step(s) => (&s.name, &s.actions),
                    Node::Stage(s) => (&s.name, &s.activities),
                    Node::Wait(_) => continue,
                };
                if step.as_ref().is_some_and(|s| s != name) {
                    continue;
                }
                for (i, def) in defs.iter().enumerate() {
                    if activity.is_some() && def.name != *activity || email_task && def.kind != ActionKind::EmailTask {
                        continue;
                    }
                    let key = format!("{playbook}|{name}|{label}|{i}");
                    if let Some(seq) = self.store.open_action(&key).filter(|seq| self.is_open(*seq)) {
                        open.push(seq);
                    }
                }
            }
        }
        let what = match (step, activity) {
            (_, Some(a)) => format!("activity `{a}`"),
            (Some(s), None) => format!("step `{s}`"),
            (None, None) => "playbook".to_string(),
        };
        match open[..] {
            [seq] => Ok(seq),
            [] => Err(Rejection::line(format!("no open action of {what} of `{playbook}` for {label}"))),
            _ => Err(Rejection::line(format!(
                "{} open actions of {what} of `{playbook}` for {label}: name one by its `action` id",
                open.len()
            ))),
        }
    }

    /// The run of `playbook` for the record that is in the stage offering `activity`.
    fn stage_run(&self, record: u32, id: &str, playbook: &str, activity: &str) -> Result<u64, Rejection> {
        let label = self.record_name(record, id);
        let runs: Vec<u64> = self
            .store
            .active_runs(record, id)
            .into_iter()
            .filter(|r| self.store.run(*r).is_some_and(|run| *run.playbook_name == *playbook))
            .collect();
        let Some(&run_id) = runs.first() else {
            return Err(Rejection::field("record", format!("{label} has no run of `{playbook}` in flight")));
        };
        let Some(run) = self.store.run(run_id) else {
            return Err(Rejection::field("record", format!("{label} has no run of `{playbook}` in flight")));
        };
        let loaded = self.loaded_for(&run.program);
        let stage = match loaded.program.playbooks.get(run.playbook).and_then(|p| p.body.get(run.pc)) {
            Some(Node::Stage(stage)) if run.state == super::run::RunState::InStage => stage,
            _ => {
                return Err(Rejection::field(
                    "activity",
                    format!("the run of `{playbook}` for {label} is not in a stage: `{activity}` cannot be added now"),
                ))
            }
        };
        if !stage.activities.iter().any(|a| a.name.as_deref() == Some(activity)) {
            return Err(Rejection::field(
                "activity",
                format!("the run of `{playbook}` for {label} is in stage `{}`, which has no `{activity}`", stage.name),
            ));
        }
        if run.activities.iter().any(|a| a.name == activity && !a.done && self.is_open(a.action)) {
            return Err(Rejection::field("activity", format!("`{activity}` is open already for {label}")));
        }
        Ok(run_id)
    }
}

fn clip(text: &str) -> String {
    crate::change::clip(text)
}
