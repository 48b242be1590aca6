//! What the engine hands over per batch: the actions produced, every change of an
//! action's state, and the run history. A daemon writes these to its projections (queue
//! rows, outbox rows, run history) in the transaction that commits the batch; with
//! [`Engine::hand_over`] the engine keeps none of it afterwards.

use serde::{Deserialize, Serialize};

use super::{Action, Engine, HistoryEntry};
use crate::store::Store;

/// Everything a batch produced, in order.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Output {
    pub actions: Vec<Action>,
    pub updates: Vec<ActionUpdate>,
    pub history: Vec<HistoryEntry>,
}

/// Where an action a person works stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ActionState {
    Open,
    Snoozed,
    Done,
    Dismissed,
    /// Put away without being worked. The engine itself archives none today; the state is
    /// here so that a daemon's `state` column has one vocabulary.
    Archived,
}

/// A change of an action's state: a queue change (complete, dismiss, snooze, approve) or a
/// snooze falling due (the action is open again).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ActionUpdate {
    /// The action's id, as [`Action::id`].
    pub id: String,
    pub at: i64,
    pub state: ActionState,
    pub by: Option<String>,
    /// The note of a completion, or the reason of a dismissal.
    pub note: Option<String>,
    /// Until when a snoozed action sleeps.
    pub until: Option<i64>,
    /// An approved email's subject and body, when the person edited them.
    pub subject: Option<String>,
    pub body: Option<String>,
}

impl ActionUpdate {
    pub(crate) fn new(id: String, at: i64, state: ActionState) -> Self {
        ActionUpdate { id, at, state, by: None, note: None, until: None, subject: None, body: None }
    }
}

impl<S: Store> Engine<S> {
    /// Everything produced since the last call. Taking it ends the instant, as
    /// [`Engine::take_actions`] does; programs no run follows any more are let go.
    pub fn take_output(&mut self) -> Output {
        self.settle();
        self.drop_unfollowed_programs();
        Output {
            actions: self.actions.drain(..).collect(),
            updates: std::mem::take(&mut self.updates),
            history: std::mem::take(&mut self.history),
        }
    }

    /// What the instants that have ended produced, leaving the current one open to more
    /// changes at the same moment: for a journal whose replay must end instants where the
    /// clock moved, not where batches happened to end.
    pub fn take_settled_output(&mut self) -> Output {
        self.drop_unfollowed_programs();
        Output {
            actions: self.actions.drain(..).collect(),
            updates: std::mem::take(&mut self.updates),
            history: std::mem::take(&mut self.history),
        }
    }

    /// Notes that an action's state changed, for the daemon's projections.
    pub(crate) fn push_update(&mut self, update: ActionUpdate) {
        self.updates.push(update);
    }

    /// Snoozes that have fallen due by `t`: each action is open again.
    pub(super) fn wake_snoozed(&mut self, t: i64) {
        while let Some(&(until, seq)) = self.snoozed.first() {
            if until > t {
                break;
            }
            self.snoozed.pop_first();
            if let Some(id) = self.produced.get(&seq).map(|p| p.id.clone()) {
                if self.is_open(seq) {
                    self.push_update(ActionUpdate::new(id, until, ActionState::Open));
                }
            }
        }
    }

    /// Forgets a snooze of an action that was closed before it fell due.
    pub(super) fn unsnooze(&mut self, seq: u64) {
        if let Some(until) = self.produced.get_mut(&seq).and_then(|p| p.snoozed.take()) {
            self.snoozed.remove(&(until, seq));
        }
    }

    /// The programs runs follow: the current one and those of runs still going.
    pub(crate) fn followed_programs(&self) -> std::collections::BTreeSet<String> {
        let mut hashes = std::collections::BTreeSet::new();
        hashes.insert(self.loaded.program.hash.clone());
        if self.programs.len() > 1 {
            for id in self.store.all_active_runs() {
                if let Some(run) = self.store.run(id) {
                    hashes.insert((*run.program).to_owned());
                }
            }
        }
        hashes
    }

    /// Lets go of the programs no run follows any more.
    pub(crate) fn drop_unfollowed_programs(&mut self) {
        if self.programs.len() <= 1 {
            return;
        }
        let followed = self.followed_programs();
        self.programs.retain(|hash, _| followed.contains(hash));
    }
}
