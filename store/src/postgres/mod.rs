//! [`crate::Store`] on PostgreSQL: the same tables as SQLite's, for several workers on
//! several machines. A store opened [`PostgresStore::fenced`] checks, inside every write's
//! transaction, that its lease's fencing token is still the current one (holding the lease
//! row for the transaction), so a worker whose lease was taken over writes nothing.
//! All of this store's SQL is in this module, `write.rs`, `query.rs` and `outbox.rs`
//! (delivery's state, [`crate::Outbox`]).

mod merged;
mod outbox;
mod query;
mod schema;
mod scratch;
mod write;

pub use merged::Merged;
pub use scratch::{ScratchDatabase, DEFAULT_TEST_SERVER};

use std::collections::HashMap;
use std::sync::Mutex;

use postgres::{Client, GenericClient, NoTls, Statement};

use crate::{
    ActionQuery, ActionRow, Batch, Command, Counters, HistoryQuery, HistoryRow, Page, Position, Result, RunRow, Store,
    StoreError,
};

/// A key for `pg_advisory_xact_lock`: workers starting together migrate one at a time.
const MIGRATION_LOCK: i64 = 0x0070_6c61_796d_6967;

/// The lease a store's writes are fenced by.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Fence {
    pub partition: i32,
    pub token: i64,
}

pub struct PostgresStore {
    inner: Mutex<Inner>,
    place: String,
    fence: Option<Fence>,
    /// The leases table the fence is checked in: the workspace's, which a partition's
    /// schema reaches by its qualified name.
    leases: String,
    /// On a partition of a workspace of several: the workspace's schema (`name.`, or empty
    /// for partition 0) and this partition's number, for the touch budgets all share.
    budgets: Option<(String, i32)>,
    /// Where the schema's own tables are named from (`name.` for a partition above 0).
    home: String,
}

/// The schema partition `partition` (above 0) of a workspace keeps its tables in, beside
/// the workspace's own schema (partition 0's).
pub fn partition_schema(partition: i32) -> String {
    format!("play_p{partition}")
}

struct Inner {
    /// Always there until dropped.
    client: Option<Client>,
    statements: HashMap<&'static str, Statement>,
}

impl Drop for Inner {
    /// The synchronous client closes its connection by blocking on its own runtime, which
    /// cannot be done from inside another (a reader dropped by the HTTP server): so the
    /// closing is done on a thread of its own.
    fn drop(&mut self) {
        if let Some(client) = self.client.take() {
            let _ = std::thread::Builder::new().name("postgres-close".into()).spawn(move || drop(client));
        }
    }
}

impl Inner {
    fn client(&mut self) -> &mut Client {
        self.client.as_mut().expect("the connection is there until the store is dropped")
    }

    /// A statement prepared once per connection.
    fn statement(&mut self, sql: &'static str) -> std::result::Result<Statement, postgres::Error> {
        if let Some(s) = self.statements.get(sql) {
            return Ok(s.clone());
        }
        let s = self.client().prepare(sql)?;
        self.statements.insert(sql, s.clone());
        Ok(s)
    }
}

/// A PostgreSQL error in words: the server's message when it sent one.
pub(crate) fn backend(e: postgres::Error) -> StoreError {
    StoreError::Backend(describe(&e))
}

pub(crate) fn describe(e: &postgres::Error) -> String {
    match e.as_db_error() {
        Some(db) => format!("{} ({})", db.message(), db.code().code()),
        None => e.to_string(),
    }
}

/// The URL without its password, for messages and logs.
pub fn redact(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(scheme), Some(at)) if at > scheme => {
            let credentials = &url[scheme + 3..at];
            match credentials.find(':') {
                Some(colon) => format!("{}{}:***{}", &url[..scheme + 3], &credentials[..colon], &url[at..]),
                None => url.to_string(),
            }
        }
        _ => url.to_string(),
    }
}

/// Connects to `url`, in `schema` when given (created if missing), and migrates.
pub(crate) fn connect(url: &str, schema: Option<&str>) -> Result<Client> {
    let place = redact(url);
    let open_error = |message: String| StoreError::Open { place: place.clone(), message };
    let config: postgres::Config = url.parse().map_err(|e: postgres::Error| open_error(describe(&e)))?;
    let mut client = config.connect(NoTls).map_err(|e| open_error(describe(&e)))?;
    if let Some(schema) = schema {
        if !schema.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') || schema.is_empty() {
            return Err(open_error(format!("`{schema}` is not a schema name (letters, digits and _)")));
        }
        client
            .batch_execute(&format!("CREATE SCHEMA IF NOT EXISTS {schema}; SET search_path TO {schema}"))
            .map_err(|e| open_error(describe(&e)))?;
    }
    migrate(&mut client, &place)?;
    Ok(client)
}

fn migrate(client: &mut Client, place: &str) -> Result<()> {
    let known = schema::MIGRATIONS.len() as i64;
    let mut tx = client.transaction().map_err(backend)?;
    tx.execute("SELECT pg_advisory_xact_lock($1)", &[&MIGRATION_LOCK]).map_err(backend)?;
    tx.batch_execute("CREATE TABLE IF NOT EXISTS play_schema (version BIGINT NOT NULL)").map_err(backend)?;
    let found = version(&mut tx)?;
    if found > known {
        return Err(StoreError::TooNew { place: place.to_string(), found, known });
    }
    for sql in schema::MIGRATIONS.iter().skip(found as usize) {
        tx.batch_execute(sql).map_err(backend)?;
    }
    if found < known {
        tx.execute("DELETE FROM play_schema", &[]).map_err(backend)?;
        tx.execute("INSERT INTO play_schema (version) VALUES ($1)", &[&known]).map_err(backend)?;
    }
    tx.commit().map_err(backend)
}

fn version(client: &mut impl GenericClient) -> Result<i64> {
    let row = client.query_opt("SELECT max(version) FROM play_schema", &[]).map_err(backend)?;
    Ok(row.and_then(|r| r.get::<_, Option<i64>>(0)).unwrap_or(0))
}

impl PostgresStore {
    /// Opens (creating its tables, and migrating to this version's schema) the database at
    /// `url` (`postgres://user@host:port/database`).
    pub fn open(url: &str) -> Result<PostgresStore> {
        PostgresStore::open_in(url, None)
    }

    /// Opens the store kept in one schema of the database (tests keep one store per schema).
    pub fn open_in(url: &str, schema: Option<&str>) -> Result<PostgresStore> {
        let client = connect(url, schema)?;
        Ok(PostgresStore::of(client, url, String::new()))
    }

    fn of(client: Client, url: &str, home: String) -> PostgresStore {
        PostgresStore {
            inner: Mutex::new(Inner { client: Some(client), statements: HashMap::new() }),
            place: redact(url),
            fence: None,
            leases: format!("{home}leases"),
            budgets: None,
            home,
        }
    }

    /// This store is partition `partition` of a workspace of several: the touch budgets its
    /// batches use are checked against, and kept with, every partition's
    /// (`play_budget_uses`), and [`Store::budget_uses_elsewhere`] reads the others'.
    pub fn sharing_budgets(mut self, partition: i32) -> PostgresStore {
        self.budgets = Some((self.home.clone(), partition));
        self
    }

    /// Opens one partition of the workspace at `url`: partition 0 is the workspace's own
    /// schema (where a workspace of one partition keeps everything), partition `k` the
    /// schema [`partition_schema`]`(k)`, created and migrated if needed. Its writes are
    /// fenced (once [`PostgresStore::fenced`]) by the workspace's leases table.
    pub fn open_partition(url: &str, partition: i32) -> Result<PostgresStore> {
        if partition == 0 {
            return PostgresStore::open(url);
        }
        let mut base = connect(url, None)?;
        let home: String = base.query_one("SELECT current_schema()", &[]).map_err(backend)?.get(0);
        drop(base);
        let client = connect(url, Some(&partition_schema(partition)))?;
        Ok(PostgresStore::of(client, url, format!("{home}.")))
    }

    /// From now on every write checks, in its transaction, that `fence` is still the lease's
    /// token, and fails with [`StoreError::Fenced`] (writing nothing) when it is not.
    pub fn fenced(mut self, fence: Fence) -> PostgresStore {
        self.fence = Some(fence);
        self
    }

    /// Where the store is, without a password.
    pub fn place(&self) -> &str {
        &self.place
    }

    fn inner(&self) -> std::sync::MutexGuard<'_, Inner> {
        self.inner.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Runs `work` in one transaction, after the fence check.
    fn write<T>(
        &mut self,
        work: impl FnOnce(&mut postgres::Transaction, &mut HashMap<&'static str, Statement>) -> Result<T>,
    ) -> Result<T> {
        let fence = self.fence;
        let mut inner = self.inner.lock().unwrap_or_else(|e| e.into_inner());
        let Inner { client, statements } = &mut *inner;
        let client = client.as_mut().expect("the connection is there until the store is dropped");
        let mut tx = client.transaction().map_err(backend)?;
        if let Some(fence) = fence {
            check_fence(&mut tx, fence, &self.leases)?;
        }
        let out = work(&mut tx, statements)?;
        tx.commit().map_err(backend)?;
        Ok(out)
    }
}

/// Holds the lease row for the rest of the transaction (a takeover waits for the commit)
/// and fails unless the token is still `fence`'s.
fn check_fence(tx: &mut postgres::Transaction, fence: Fence, leases: &str) -> Result<()> {
    let sql = format!("SELECT token, holder FROM {leases} WHERE partition = $1 FOR SHARE");
    let row = tx.query_opt(&sql, &[&fence.partition]).map_err(backend)?;
    let (current, holder) = match row {
        Some(r) => (Some(r.get::<_, i64>(0)), Some(r.get::<_, String>(1))),
        None => (None, None),
    };
    if current == Some(fence.token) {
        return Ok(());
    }
    Err(StoreError::Fenced { partition: fence.partition, token: fence.token, current, holder })
}

impl Store for PostgresStore {
    fn append(&mut self, batch: &Batch) -> Result<Position> {
        let budgets = self.budgets.clone();
        self.write(|tx, statements| {
            if let Some((home, partition)) = &budgets {
                write::budget_uses(tx, home, *partition, &batch.budget_uses)?;
            }
            write::batch(tx, statements, batch)
        })
    }

    fn read_journal(&self, after: Position, limit: usize) -> Result<Vec<(Position, Command)>> {
        let mut inner = self.inner();
        let stmt = inner
            .statement("SELECT position, kind, text, at FROM journal WHERE position > $1 ORDER BY position LIMIT $2")
            .map_err(backend)?;
        let rows = inner.client().query(&stmt, &[&(after as i64), &(limit as i64)]).map_err(backend)?;
        rows.iter()
            .map(|r| {
                let position: i64 = r.get(0);
                let Some(command) = Command::decode(r.get::<_, String>(1).as_str(), r.get(2), r.get(3)) else {
                    return Err(StoreError::Corrupt(format!("journal entry {position} is not a command")));
                };
                Ok((position as Position, command))
            })
            .collect()
    }

    fn journal_position(&self) -> Result<Position> {
        let mut inner = self.inner();
        let row = inner.client().query_one("SELECT coalesce(max(position), 0) FROM journal", &[]).map_err(backend)?;
        Ok(row.get::<_, i64>(0) as Position)
    }

    fn put_snapshot(&mut self, at: Position, bytes: &[u8]) -> Result<()> {
        self.write(|tx, _| {
            tx.execute(
                "INSERT INTO snapshots (position, bytes) VALUES ($1, $2)
                 ON CONFLICT (position) DO UPDATE SET bytes = excluded.bytes",
                &[&(at as i64), &bytes],
            )
            .map_err(backend)?;
            // Only the latest is ever read.
            tx.execute("DELETE FROM snapshots WHERE position < $1", &[&(at as i64)]).map_err(backend)?;
            Ok(())
        })
    }

    fn latest_snapshot(&self) -> Result<Option<(Position, Vec<u8>)>> {
        let mut inner = self.inner();
        let row = inner
            .client()
            .query_opt("SELECT position, bytes FROM snapshots ORDER BY position DESC LIMIT 1", &[])
            .map_err(backend)?;
        Ok(row.map(|r| (r.get::<_, i64>(0) as Position, r.get(1))))
    }

    fn put_program(&mut self, hash: &str, bytes: &[u8]) -> Result<()> {
        self.write(|tx, _| {
            tx.execute("INSERT INTO programs (hash, bytes) VALUES ($1, $2) ON CONFLICT DO NOTHING", &[&hash, &bytes])
                .map(drop)
                .map_err(backend)
        })
    }

    fn program(&self, hash: &str) -> Result<Option<Vec<u8>>> {
        let mut inner = self.inner();
        let row = inner.client().query_opt("SELECT bytes FROM programs WHERE hash = $1", &[&hash]).map_err(backend)?;
        Ok(row.map(|r| r.get(0)))
    }

    fn actions(&self, query: &ActionQuery) -> Result<Page> {
        query::actions(self.inner().client(), query)
    }

    fn action(&self, id: &str) -> Result<Option<ActionRow>> {
        query::action(self.inner().client(), id)
    }

    fn open_action(&self, playbook: &str, name: &str, record: &str) -> Result<Option<ActionRow>> {
        query::open_action(self.inner().client(), playbook, name, record)
    }

    fn history(&self, query: &HistoryQuery) -> Result<Vec<HistoryRow>> {
        query::history(self.inner().client(), query)
    }

    fn runs(&self, record: Option<&str>, limit: usize) -> Result<Vec<RunRow>> {
        query::runs(self.inner().client(), record, limit)
    }

    fn field_values(&self, record: &str, field: &str, limit: usize) -> Result<Vec<(i64, f64)>> {
        query::field_values(self.inner().client(), record, field, limit)
    }

    fn add_token(&mut self, email: &str, token_sha256: &str) -> Result<()> {
        // Tokens are the workspace's, not a partition's: any worker (or `play token add`)
        // may add one, so this write is not fenced.
        let mut inner = self.inner();
        inner
            .client()
            .execute(
                "INSERT INTO tokens (sha256, email) VALUES ($1, $2)
                 ON CONFLICT (sha256) DO UPDATE SET email = excluded.email",
                &[&token_sha256, &email],
            )
            .map(drop)
            .map_err(backend)
    }

    fn token_owner(&self, token_sha256: &str) -> Result<Option<String>> {
        let mut inner = self.inner();
        let stmt = inner.statement("SELECT email FROM tokens WHERE sha256 = $1").map_err(backend)?;
        let row = inner.client().query_opt(&stmt, &[&token_sha256]).map_err(backend)?;
        Ok(row.map(|r| r.get(0)))
    }

    fn change_id_taken(&self, change_id: &str) -> Result<bool> {
        let mut inner = self.inner();
        let stmt = inner.statement("SELECT 1 FROM change_ids WHERE id = $1").map_err(backend)?;
        Ok(inner.client().query_opt(&stmt, &[&change_id]).map_err(backend)?.is_some())
    }

    fn counters(&self) -> Result<Counters> {
        query::counters(self.inner().client())
    }

    fn schema_version(&self) -> Result<i64> {
        version(self.inner().client())
    }

    fn budget_uses_elsewhere(&self, after: i64) -> Result<(Vec<crate::BudgetUse>, i64)> {
        let Some((home, partition)) = &self.budgets else { return Ok((Vec::new(), after)) };
        let sql = format!(
            "SELECT n, limit_name, who, at FROM {home}play_budget_uses WHERE n > $1 AND partition != $2 ORDER BY n"
        );
        let rows = self.inner().client().query(&sql, &[&after, partition]).map_err(backend)?;
        let upto = rows.last().map_or(after, |r| r.get(0));
        let uses = rows.iter().map(|r| crate::BudgetUse { limit: r.get(1), who: r.get(2), at: r.get(3) }).collect();
        Ok((uses, upto))
    }

    fn as_outbox(&self) -> Option<&dyn crate::Outbox> {
        Some(self)
    }

    fn as_outbox_mut(&mut self) -> Option<&mut dyn crate::Outbox> {
        Some(self)
    }
}
