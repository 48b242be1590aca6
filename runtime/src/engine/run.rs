//! A run: one record going through one playbook, step by step, with what started it.

use std::sync::Arc;

use serde::{Deserialize, Serialize};

use super::history::Condition;
use crate::value::{Happening, Value};

/// Where a run is.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum RunState {
    /// Between steps, about to go on.
    Running,
    /// At a `wait` until the moment.
    Waiting {
        until: i64,
    },
    /// At a `wait until`, re-evaluated when the record changes.
    WaitingUntil {
        until: i64,
    },
    /// At a `wait for`: events from `since` count, until `deadline`.
    WaitingFor {
        event: u32,
        since: i64,
        deadline: i64,
    },
    /// In a stage, until its required activities are complete.
    InStage,
    Completed,
    Exited,
    Cancelled,
    Failed,
}

/// What started a run, as its actions' context shows it. The parts one change shares with
/// every playbook it fires are behind `Arc`s, so that firing many costs no copies of them.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct TriggerInfo {
    /// The trigger as written (`account.health falls`), shared with the program's.
    pub source: Arc<str>,
    /// Fields the triggering change changed: (name, before, after).
    /// The names are shared with the loaded program's.
    pub changed: Arc<[(Arc<str>, Value, Value)]>,
    pub event: Option<Arc<Happening>>,
    /// The record's fields before the change (`old(…)`); for a deleted record, its last
    /// fields.
    pub old: Option<Arc<[Value]>>,
}

/// An activity opened by a stage.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct OpenActivity {
    pub name: String,
    pub action: u64,
    pub required: bool,
    pub done: bool,
}

/// What a run is. What never changes after enrolment is shared (`Arc`), because the engine
/// reads a run by copying it out of the store, several times a step.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Run {
    pub id: u64,
    /// The hash of the program the run follows, and the playbook's index in it.
    pub program: Arc<str>,
    pub playbook: usize,
    pub playbook_name: Arc<str>,
    pub version: Arc<str>,
    pub record: u32,
    pub record_id: Arc<str>,
    /// The index of the body node the run is at.
    pub pc: usize,
    pub state: RunState,
    pub timed_out: bool,
    /// Bumped whenever the run is rescheduled, so stale timers are ignored.
    pub generation: u64,
    pub started: i64,
    pub trigger: Arc<TriggerInfo>,
    /// The playbook's conditions with the values they had at enrolment.
    pub conditions: Arc<[Condition]>,
    pub activities: Vec<OpenActivity>,
    /// Which enrolment of this record in this playbook the run is (1 for the first): with
    /// the playbook, version, record and step it makes action ids, which therefore do not
    /// depend on anything else that happened.
    pub ordinal: u64,
    /// Events of the latest instant that the run has used already (the one that started
    /// it, those a `wait for` took): a later `wait for` starting in that same instant
    /// must not count them again.
    pub spent: Vec<Arc<Happening>>,
}

impl Run {
    pub fn is_active(&self) -> bool {
        !matches!(self.state, RunState::Completed | RunState::Exited | RunState::Cancelled | RunState::Failed)
    }

    /// Whether the run has used this event already.
    pub fn has_spent(&self, happening: &Arc<Happening>) -> bool {
        self.spent.iter().any(|h| Arc::ptr_eq(h, happening))
    }

    /// Notes that the run used an event; only the latest instant's are kept, as only those
    /// could be counted again.
    pub fn spend(&mut self, happening: &Arc<Happening>) {
        // In time order this keeps the one instant's; a late event (placed before the
        // clock) keeps those after it too, so the current instant's are never let go.
        self.spent.retain(|h| h.at >= happening.at);
        self.spent.push(happening.clone());
    }
}
