//! Ad hoc tasks: a task a teammate makes outside any playbook (`"change":"task"`). It goes
//! to the queue at once, with no run, no touch budget and no run history, and is worked
//! (completed, dismissed, snoozed) like any task. Its id is the line's own, or a hash of
//! the line and the engine's next number, so a fold of the journal makes the same one.

use std::sync::Arc;

use play_compiler::program::{hex_hash, ActionKind};

use super::action::{Action, Context};
use super::produce::Pending;
use super::Engine;
use crate::change::{AdHocTask, Rejection};
use crate::store::Store;

/// The run an ad hoc task is of: none. No run has this id, and no run history is written
/// about it.
pub const NO_RUN: u64 = u64::MAX;

impl<S: Store> Engine<S> {
    /// Makes an ad hoc task at `at`; refused, with the clock left where it was, when its
    /// id is taken by an open action.
    pub(super) fn add_task(&mut self, at: i64, task: &AdHocTask) -> Result<(), Rejection> {
        let seq = self.store.next_id();
        let id = match &task.id {
            Some(id) => id.clone(),
            None => hex_hash(format!("task|{}|{}|{at}|{seq}", task.record, task.title).as_bytes()),
        };
        if self.queue.ids.contains_key(&id) {
            return Err(Rejection::field("id", format!("there is already an action `{}`", crate::change::clip(&id))));
        }
        self.now = self.now.max(at);
        let trigger = match &task.by {
            Some(by) => format!("ad hoc task, made by {by}"),
            None => "ad hoc task".to_string(),
        };
        let action = Action {
            at: self.now,
            id: id.clone(),
            playbook: Arc::from(""),
            version: Arc::from(""),
            step: Arc::default(),
            action: ActionKind::Task,
            record: Arc::from(task.record.as_str()),
            priority: 0.0,
            category: None,
            title: Some(Arc::from(task.title.as_str())),
            to: task.to.as_deref().map(Arc::from),
            to_record: None,
            due: task.due,
            note: task.note.as_deref().map(Arc::from),
            message: None,
            template: None,
            subject: None,
            body: None,
            html: None,
            flow: None,
            about: None,
            url: None,
            target: None,
            field: None,
            fields: None,
            creates: None,
            activity: None,
            optional: false,
            context: Arc::new(Context { trigger: Arc::from(trigger), ..Context::default() }),
            run: NO_RUN,
            seq,
        };
        let dedupe = Some(format!("task|{id}"));
        self.hand_out(Pending { action, budgets: Vec::new(), dedupe, deferred: false, creates: None });
        Ok(())
    }
}
