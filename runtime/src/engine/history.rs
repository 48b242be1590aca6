//! Run history: every enrolment, skip, step, wait, exit and failure, with the playbook
//! version and the values of the conditions.

use std::sync::Arc;

use serde::{Deserialize, Serialize};

/// One entry of the run history.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct HistoryEntry {
    #[serde(serialize_with = "crate::engine::action::moment")]
    pub at: i64,
    /// Shared with the program's and the run's (no copy per entry).
    #[serde(serialize_with = "shared_text")]
    pub playbook: Arc<str>,
    #[serde(serialize_with = "shared_text")]
    pub version: Arc<str>,
    /// `Account/acme`, made once per change about the record.
    #[serde(serialize_with = "shared_text")]
    pub record: Arc<str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub run: Option<u64>,
    /// Shared with the program's (no copy per entry).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub step: Option<Arc<str>>,
    pub outcome: Outcome,
}

impl HistoryEntry {
    /// An entry about a playbook and a record outside any run (a trigger, a membership);
    /// `at` is set when it is pushed.
    pub(crate) fn outside_runs(names: &(Arc<str>, Arc<str>), record: &Arc<str>, outcome: Outcome) -> Self {
        HistoryEntry {
            at: 0,
            playbook: names.0.clone(),
            version: names.1.clone(),
            record: record.clone(),
            run: None,
            step: None,
            outcome,
        }
    }
}

/// What happened.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(tag = "outcome", rename_all = "snake_case")]
pub enum Outcome {
    /// The trigger fired and the conditions held.
    /// The trigger and the conditions are shared with the program's and the run's.
    Enrolled {
        #[serde(serialize_with = "shared_text")]
        trigger: Arc<str>,
        conditions: Arc<[Condition]>,
    },
    /// The trigger fired but the record was not enrolled.
    NotEnrolled {
        #[serde(serialize_with = "shared_text")]
        trigger: Arc<str>,
        reason: String,
        conditions: Vec<Condition>,
    },
    StepCompleted,
    StepSkipped {
        reason: String,
    },
    ActionSkipped {
        action: String,
        reason: String,
    },
    /// A person worked an open action through a queue change: `completed`, `snoozed until
    /// …` or `approved` (a dismissal is `ActionSkipped`, with its reason), with who did it
    /// and the note they left.
    ActionWorked {
        action: String,
        done: String,
        #[serde(skip_serializing_if = "Option::is_none")]
        by: Option<String>,
        #[serde(skip_serializing_if = "Option::is_none")]
        note: Option<String>,
    },
    ActionDeferred {
        action: String,
        limit: String,
        until: String,
    },
    ActionDropped {
        action: String,
        limit: String,
    },
    /// A lookup fell back to a default (a teammate not in the directory, or with no
    /// manager, for `manager_of`), while working out an action.
    FellBack {
        reason: String,
    },
    Waiting {
        until: String,
    },
    WaitingFor {
        event: String,
        until: String,
    },
    StageOpened,
    StageCompleted,
    Exited {
        reason: String,
    },
    Completed,
    Cancelled {
        reason: String,
    },
    Migrated {
        to_version: String,
    },
    Failed {
        error: String,
        file: String,
        line: usize,
        column: usize,
    },
}

/// A condition's source and the value it had.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Condition {
    /// Shared with the program's copy: a condition is copied into the history, the run and
    /// each of its actions.
    #[serde(serialize_with = "shared_text")]
    pub source: Arc<str>,
    pub value: bool,
}

fn shared_text<S: serde::Serializer>(text: &Arc<str>, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(text)
}

impl HistoryEntry {
    /// The entry in words, for people: `step `review`: ran`.
    pub fn describe(&self) -> String {
        let step = self.step.as_ref().map(|s| format!("step `{s}`: ")).unwrap_or_default();
        let what = match &self.outcome {
            Outcome::Enrolled { trigger, .. } => format!("enrolled by `{trigger}`"),
            Outcome::NotEnrolled { trigger, reason, .. } => format!("`{trigger}` fired, not enrolled: {reason}"),
            Outcome::StepCompleted => "ran".into(),
            Outcome::StepSkipped { reason } => format!("skipped: {reason}"),
            Outcome::ActionSkipped { action, reason } => format!("{action} skipped: {reason}"),
            Outcome::ActionWorked { action, done, by, note } => {
                let by = by.as_ref().map(|b| format!(" by {b}")).unwrap_or_default();
                let note = note.as_ref().map(|n| format!(": {n}")).unwrap_or_default();
                format!("{action} {done}{by}{note}")
            }
            Outcome::ActionDeferred { action, limit, until } => format!("{action} deferred by `{limit}` until {until}"),
            Outcome::ActionDropped { action, limit } => format!("{action} dropped by `{limit}`"),
            Outcome::FellBack { reason } => format!("fell back: {reason}"),
            Outcome::Waiting { until } => format!("waiting until {until}"),
            Outcome::WaitingFor { event, until } => format!("waiting for {event} until {until}"),
            Outcome::StageOpened => "stage opened".into(),
            Outcome::StageCompleted => "stage completed".into(),
            Outcome::Exited { reason } => format!("exited: {reason}"),
            Outcome::Completed => "completed".into(),
            Outcome::Cancelled { reason } => format!("cancelled: {reason}"),
            Outcome::Migrated { to_version } => format!("moved to version {to_version}"),
            Outcome::Failed { error, file, line, column } => format!("failed at {file}:{line}:{column}: {error}"),
        };
        format!("{step}{what}")
    }
}
