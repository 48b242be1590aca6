//! What the engine thread is asked ([`Request`]), how it answers a group of change lines
//! ([`Report`]), and what waits in a batch for its commit ([`Waiting`]).

use play_compiler::program::Program;
use play_runtime::change::Rejection;
use serde_json::{Map, Value};
use tokio::sync::oneshot;

use crate::host::RecordView;

/// What the engine thread is asked to do.
pub enum Request {
    /// Change lines, numbered as the sender numbers them.
    Changes { lines: Vec<(usize, String)>, reply: oneshot::Sender<Result<Report, String>> },
    /// A queue operation, an activity or a record edit made by a teammate: a change line
    /// without `at`, which is set to the daemon's clock.
    Queue { change: Map<String, Value>, reply: oneshot::Sender<Result<Result<(), Rejection>, String>> },
    /// The clock: tick to `wall` if a timer is due by then.
    Tick { wall: i64 },
    /// Put a program in place (from a reload), at `wall`.
    Deploy { program: Box<Program>, wall: i64 },
    /// Emails from a teammate's mailbox (`POST /v1/emails`): each matched to its record
    /// and, when one is, a `log_email` outbox row written; answered once durable.
    Emails {
        emails: Vec<crate::emails::Posted>,
        teammate: String,
        reply: oneshot::Sender<Result<Vec<crate::emails::Matched>, String>>,
    },
    /// Calls logged (`POST /v1/calls`): each matched to its record and its `log_activity`
    /// row written; answered once durable.
    Calls { calls: Vec<crate::calls::PostedCall>, teammate: String, reply: oneshot::Sender<Result<Vec<Value>, String>> },
    /// Read a record as the engine holds it (`Type/id`), with the kept history of one of
    /// its fields; answered once what came before it in its batch is committed.
    Record {
        record: String,
        trend: Option<String>,
        /// Asked by another worker: a partitioned worker answers only from its own partitions.
        here_only: bool,
        reply: oneshot::Sender<Option<RecordView>>,
    },
    /// Finish what is queued and stop.
    Shutdown,
}

/// How a group of lines was taken.
#[derive(Clone, Debug, Default, PartialEq, serde::Serialize)]
pub struct Report {
    pub accepted: usize,
    pub duplicates: usize,
    pub refused: Vec<Refused>,
}

#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct Refused {
    pub line: usize,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
    pub message: String,
}

/// How many lines a request brings to a batch.
pub(super) fn group_lines(request: &Request) -> usize {
    match request {
        Request::Changes { lines, .. } => lines.len(),
        Request::Queue { .. } => 1,
        _ => 0,
    }
}

/// Why a batch was not written.
pub enum Failed {
    /// A touch budget shared with other partitions was used up meanwhile.
    BudgetTaken(String),
    /// The store failed: the engine is ahead of what is durable.
    Store(String),
}

impl Failed {
    pub(super) fn message(self) -> String {
        match self {
            Failed::BudgetTaken(m) | Failed::Store(m) => m,
        }
    }
}

/// A request taken into the current batch, waiting for its commit to be answered.
pub(super) enum Waiting {
    Changes(oneshot::Sender<Result<Report, String>>, Report),
    Queue(oneshot::Sender<Result<Result<(), Rejection>, String>>, Result<(), Rejection>),
    Emails(oneshot::Sender<Result<Vec<crate::emails::Matched>, String>>, Vec<crate::emails::Matched>),
    Calls(oneshot::Sender<Result<Vec<Value>, String>>, Vec<Value>),
    Record(oneshot::Sender<Option<RecordView>>, Option<RecordView>),
}

impl Waiting {
    /// Answered as not taken, with why.
    pub(super) fn refuse(self, why: &str) {
        match self {
            Waiting::Changes(reply, _) => drop(reply.send(Err(why.to_string()))),
            Waiting::Queue(reply, _) => drop(reply.send(Err(why.to_string()))),
            Waiting::Emails(reply, _) => drop(reply.send(Err(why.to_string()))),
            Waiting::Calls(reply, _) => drop(reply.send(Err(why.to_string()))),
            Waiting::Record(reply, _) => drop(reply.send(None)),
        }
    }
}
