//! Run history: every enrolment, skip, step, wait, exit and failure, with the playbook
//! version and the values of the conditions.

use serde::Serialize;

/// One entry of the run history.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct HistoryEntry {
    #[serde(serialize_with = "crate::engine::action::moment")]
    pub at: i64,
    pub playbook: String,
    pub version: String,
    /// `Account/acme`.
    pub record: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub run: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub step: Option<String>,
    pub outcome: Outcome,
}

/// What happened.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(tag = "outcome", rename_all = "snake_case")]
pub enum Outcome {
    /// The trigger fired and the conditions held.
    Enrolled { trigger: String, conditions: Vec<Condition> },
    /// The trigger fired but the record was not enrolled.
    NotEnrolled { trigger: String, reason: String, conditions: Vec<Condition> },
    StepCompleted,
    StepSkipped { reason: String },
    ActionSkipped { action: String, reason: String },
    ActionDeferred { action: String, limit: String, until: String },
    ActionDropped { action: String, limit: String },
    Waiting { until: String },
    WaitingFor { event: String, until: String },
    StageOpened,
    StageCompleted,
    Exited { reason: String },
    Completed,
    Cancelled { reason: String },
    Migrated { to_version: String },
    Failed { error: String, file: String, line: usize, column: usize },
}

/// A condition's source and the value it had.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Condition {
    pub source: String,
    pub value: bool,
}
