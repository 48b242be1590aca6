//! The daemon's durable state behind one trait: the journal (the truth), snapshots of the
//! engine (opaque bytes at a journal position), programs by hash, and the projections the
//! API queries (actions, outbox, run history, runs), plus API tokens and `change_id`s.
//!
//! The trait is synchronous: the daemon calls it from its engine thread (writes) and from
//! blocking tasks (reads), so an implementation over a blocking driver (rusqlite, postgres) or an
//! async one run on its own runtime both fit. Every implementation passes
//! [`conformance::run`].

pub mod conformance;
pub mod lease;
pub mod migrate;
mod model;
pub mod outbox;
pub mod outbox_conformance;
pub mod place;
pub mod postgres;
pub mod routing;
pub mod sqlite;

pub use crate::postgres::{Fence, PostgresStore};
pub use model::*;
pub use outbox::{Attempt, Delivery, DeliveryQuery, DeliveryState, LogQuery, Outbox, Then};
pub use place::Place;
pub use sqlite::SqliteStore;

/// A failure of the storage layer, in words for an operator.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("the store could not be opened at `{place}`: {message}")]
    Open { place: String, message: String },
    #[error("the store failed: {0}")]
    Backend(String),
    #[error(
        "the store at `{place}` was written by a newer version of play (schema {found}, this one knows up to {known})"
    )]
    TooNew { place: String, found: i64, known: i64 },
    #[error("the store holds something this version cannot read: {0}")]
    Corrupt(String),
    /// A write of a worker whose lease was taken over: nothing of it was written.
    #[error(
        "this worker lost its lease on partition {partition} (its fencing token {token}, the lease's now {}{}): it writes nothing more",
        current.map_or("gone".to_string(), |c| c.to_string()),
        holder.as_ref().map_or(String::new(), |h| format!(", held by {h}"))
    )]
    Fenced { partition: i32, token: i64, current: Option<i64>, holder: Option<String> },
    /// A batch used a touch budget that other partitions filled meanwhile: nothing of it
    /// was written; folded again with their uses, it decides otherwise.
    #[error("the touch budget `{limit}` of {who} was used up by another partition meanwhile: nothing was written")]
    BudgetTaken { limit: String, who: String },
}

pub type Result<T> = std::result::Result<T, StoreError>;

/// Where the journal is: the number of commands appended so far (the first is 1).
pub type Position = u64;

/// Durable state. Writes come from one thread at a time (the engine thread); reads may come
/// from any number of other instances opened on the same place.
pub trait Store: Send {
    /// Appends a batch in ONE transaction: its commands to the journal, and the
    /// projections they produced. Returns the journal position after it. Nothing of a
    /// batch is visible, or durable, unless all of it is.
    fn append(&mut self, batch: &Batch) -> Result<Position>;
    /// The commands after `after`, at most `limit` of them, in order.
    fn read_journal(&self, after: Position, limit: usize) -> Result<Vec<(Position, Command)>>;
    /// The position of the last command appended.
    fn journal_position(&self) -> Result<Position>;

    /// Keeps a snapshot of the engine taken after the command at `at`.
    fn put_snapshot(&mut self, at: Position, bytes: &[u8]) -> Result<()>;
    /// The latest snapshot, with the position it was taken at.
    fn latest_snapshot(&self) -> Result<Option<(Position, Vec<u8>)>>;

    /// Keeps a program's bytes under its hash (a second put of the same hash is harmless).
    fn put_program(&mut self, hash: &str, bytes: &[u8]) -> Result<()>;
    fn program(&self, hash: &str) -> Result<Option<Vec<u8>>>;

    /// The queue, ranked by priority (highest first) then age (oldest first).
    fn actions(&self, query: &ActionQuery) -> Result<Page>;
    fn action(&self, id: &str) -> Result<Option<ActionRow>>;
    /// The open (or snoozed) action of a playbook's step or activity for a record.
    fn open_action(&self, playbook: &str, name: &str, record: &str) -> Result<Option<ActionRow>>;
    /// Run history, oldest first.
    fn history(&self, query: &HistoryQuery) -> Result<Vec<HistoryRow>>;
    /// The last `limit` numbers a record's field took (by the time they were taken at),
    /// oldest first.
    fn field_values(&self, record: &str, field: &str, limit: usize) -> Result<Vec<(i64, f64)>>;
    /// Runs, in flight first; of one record when `record` is given.
    fn runs(&self, record: Option<&str>, limit: usize) -> Result<Vec<RunRow>>;

    /// Keeps a teammate's token by the SHA-256 of the token (hex), never the token.
    fn add_token(&mut self, email: &str, token_sha256: &str) -> Result<()>;
    /// Whose token has this hash.
    fn token_owner(&self, token_sha256: &str) -> Result<Option<String>>;

    /// Whether a `change_id` was taken by an appended batch.
    fn change_id_taken(&self, change_id: &str) -> Result<bool>;
    /// Counters for `/v1/status` and `/metrics`.
    fn counters(&self) -> Result<Counters>;
    /// The version of the schema the store is at.
    fn schema_version(&self) -> Result<i64>;

    /// Delivery's state in this store ([`Outbox`]), when this kind of store keeps it.
    /// The touch budgets other partitions of the workspace used after their shared row
    /// `after`, with the last row's number; none on a store that shares no budgets.
    fn budget_uses_elsewhere(&self, after: i64) -> Result<(Vec<BudgetUse>, i64)> {
        Ok((Vec::new(), after))
    }

    fn as_outbox(&self) -> Option<&dyn Outbox> {
        None
    }
    fn as_outbox_mut(&mut self) -> Option<&mut dyn Outbox> {
        None
    }
}
