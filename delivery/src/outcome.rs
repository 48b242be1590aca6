//! What one delivery attempt came to, as the sync log records it.

use std::time::Duration;

/// The result of one attempt.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Outcome {
    /// The other side took it. `code` is what it answered (`250`, `200`).
    Delivered { code: String },
    /// It may work later: the other side was down, busy or limiting (`after` is its
    /// `Retry-After`, when it gave one).
    Retry { code: String, message: String, after: Option<Duration> },
    /// It will never work as it is (a malformed payload, an address refused for good):
    /// the delivery is dead and the workspace owner is told.
    Failed { code: String, message: String },
    /// The sink's credentials or address no longer work (a revoked Slack hook, a refused
    /// login): the sink pauses, keeping every delivery in order until it is reconnected.
    Paused { code: String, message: String },
    /// The record it is for cannot be matched in the CRM (no CRM id for it, or the CRM
    /// answered that it does not know it): kept as an orphan until someone adopts it to
    /// another record (`POST /v1/tasks/{id}/adopt`), rather than dead.
    Orphan { code: String, message: String },
}

impl Outcome {
    pub fn code(&self) -> &str {
        match self {
            Outcome::Delivered { code }
            | Outcome::Retry { code, .. }
            | Outcome::Failed { code, .. }
            | Outcome::Paused { code, .. }
            | Outcome::Orphan { code, .. } => code,
        }
    }
}
