//! The simulator's store: SQLite for real, with failures the seed decides (an append that
//! fails before its commit, or after it so that its answer is lost; a snapshot lost or torn)
//! and a record of every action row that became durable, to count the ones written twice.

use std::path::Path;
use std::sync::{Arc, Mutex};

use play_store::{
    ActionQuery, ActionRow, Batch, Command, Counters, HistoryQuery, HistoryRow, Page, Position, Result, RunRow,
    SqliteStore, Store, StoreError,
};

/// What the next calls of the store do wrong, as the seed decided.
#[derive(Debug, Default)]
pub struct Faults {
    /// The next append fails, before (`Some(false)`) or after (`Some(true)`) it commits.
    pub append: Option<bool>,
    /// The next snapshot is lost (`Some(false)`) or kept torn, cut in half (`Some(true)`).
    pub snapshot: Option<bool>,
    /// Every action row that became durable, in order, and how often a snapshot was read.
    pub durable: Vec<String>,
    pub snapshots_read: u64,
}

/// The simulator's store: one connection to the database file, as after a restart.
pub struct SimStore {
    inner: SqliteStore,
    faults: Arc<Mutex<Faults>>,
}

impl SimStore {
    pub fn open(path: &Path, faults: Arc<Mutex<Faults>>) -> SimStore {
        SimStore { inner: SqliteStore::open(path).expect("the simulator's database opens"), faults }
    }

    fn faults(&self) -> std::sync::MutexGuard<'_, Faults> {
        self.faults.lock().unwrap()
    }
}

fn failure(what: &str) -> StoreError {
    StoreError::Backend(format!("simulated failure: {what}"))
}

impl Store for SimStore {
    fn append(&mut self, batch: &Batch) -> Result<Position> {
        let fault = self.faults().append.take();
        if fault == Some(false) {
            return Err(failure("the disk refused the batch"));
        }
        let position = self.inner.append(batch)?;
        self.faults().durable.extend(batch.actions.iter().map(|a| a.id.clone()));
        if fault == Some(true) {
            return Err(failure("the batch committed but its answer was lost"));
        }
        Ok(position)
    }

    fn read_journal(&self, after: Position, limit: usize) -> Result<Vec<(Position, Command)>> {
        self.inner.read_journal(after, limit)
    }

    fn journal_position(&self) -> Result<Position> {
        self.inner.journal_position()
    }

    fn put_snapshot(&mut self, at: Position, bytes: &[u8]) -> Result<()> {
        let fault = self.faults().snapshot.take();
        match fault {
            Some(false) => Err(failure("the snapshot could not be written")),
            Some(true) => self.inner.put_snapshot(at, &bytes[..bytes.len() / 2]),
            None => self.inner.put_snapshot(at, bytes),
        }
    }

    fn latest_snapshot(&self) -> Result<Option<(Position, Vec<u8>)>> {
        let snapshot = self.inner.latest_snapshot()?;
        if snapshot.is_some() {
            self.faults().snapshots_read += 1;
        }
        Ok(snapshot)
    }

    fn put_program(&mut self, hash: &str, bytes: &[u8]) -> Result<()> {
        self.inner.put_program(hash, bytes)
    }

    fn program(&self, hash: &str) -> Result<Option<Vec<u8>>> {
        self.inner.program(hash)
    }

    fn actions(&self, query: &ActionQuery) -> Result<Page> {
        self.inner.actions(query)
    }

    fn action(&self, id: &str) -> Result<Option<ActionRow>> {
        self.inner.action(id)
    }

    fn open_action(&self, playbook: &str, name: &str, record: &str) -> Result<Option<ActionRow>> {
        self.inner.open_action(playbook, name, record)
    }

    fn history(&self, query: &HistoryQuery) -> Result<Vec<HistoryRow>> {
        self.inner.history(query)
    }

    fn runs(&self, record: Option<&str>, limit: usize) -> Result<Vec<RunRow>> {
        self.inner.runs(record, limit)
    }

    fn field_values(&self, record: &str, field: &str, limit: usize) -> Result<Vec<(i64, f64)>> {
        self.inner.field_values(record, field, limit)
    }

    fn add_token(&mut self, email: &str, token_sha256: &str) -> Result<()> {
        self.inner.add_token(email, token_sha256)
    }

    fn token_owner(&self, token_sha256: &str) -> Result<Option<String>> {
        self.inner.token_owner(token_sha256)
    }

    fn change_id_taken(&self, change_id: &str) -> Result<bool> {
        self.inner.change_id_taken(change_id)
    }

    fn counters(&self) -> Result<Counters> {
        self.inner.counters()
    }

    fn schema_version(&self) -> Result<i64> {
        self.inner.schema_version()
    }
}
