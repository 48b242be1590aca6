//! The workspace-wide tables of a partitioned workspace on PostgreSQL, beside partition 0's
//! tables in the workspace's own schema: how many partitions it has (fixed when it is
//! made), the routes of records to partitions (fixed at a record's first sight), the
//! routed changes waiting for their partition's worker, the workers alive (each worker's
//! heartbeat, from which every worker works out its fair share of partitions), and the
//! touch budgets used by every partition (`play_budget_uses`, written and checked by each
//! partition's batches: see [`crate::PostgresStore::sharing_budgets`]), and the address
//! book (`play_addresses`: contacts and leads by address, accounts by domain, with their
//! partition, kept as changes are routed) by which any worker sends an email or a call
//! to the partition of the record it concerns.

use std::collections::HashMap;
use std::time::Duration;

use postgres::Client;

use crate::postgres::{backend, connect};
use crate::{Result, StoreError};

const TABLES: &str = "
    CREATE TABLE IF NOT EXISTS play_partitions (count INTEGER NOT NULL);
    CREATE TABLE IF NOT EXISTS play_routes (record TEXT PRIMARY KEY, partition INTEGER NOT NULL);
    CREATE TABLE IF NOT EXISTS play_routed (
        n BIGSERIAL PRIMARY KEY,
        partition INTEGER NOT NULL,
        line TEXT NOT NULL
    );
    CREATE INDEX IF NOT EXISTS play_routed_partition ON play_routed (partition, n);
    CREATE TABLE IF NOT EXISTS play_workers (name TEXT PRIMARY KEY, seen TIMESTAMPTZ NOT NULL);
    ALTER TABLE play_workers ADD COLUMN IF NOT EXISTS address TEXT;
    CREATE TABLE IF NOT EXISTS play_secret (one INTEGER PRIMARY KEY CHECK (one = 1), secret TEXT NOT NULL);
    CREATE TABLE IF NOT EXISTS play_budget_uses (
        n BIGSERIAL PRIMARY KEY,
        partition INTEGER NOT NULL,
        limit_name TEXT NOT NULL,
        who TEXT NOT NULL,
        at BIGINT NOT NULL
    );
    CREATE INDEX IF NOT EXISTS play_budget_uses_of ON play_budget_uses (limit_name, who, at);
    CREATE TABLE IF NOT EXISTS play_addresses (
        kind TEXT NOT NULL,
        id TEXT NOT NULL,
        value TEXT NOT NULL,
        partition INTEGER NOT NULL,
        PRIMARY KEY (kind, id)
    );
    CREATE INDEX IF NOT EXISTS play_addresses_value ON play_addresses (value);";

/// One entry of the address book: the record `kind/id` holds `value` (an address or a
/// domain, as kept: trimmed, lower case) and lives in `partition`; no `value` removes it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Address {
    pub kind: String,
    pub id: String,
    pub value: Option<String>,
    pub partition: i32,
}

/// A key for `pg_advisory_xact_lock`: the partition count is set once.
const PARTITIONS_LOCK: i64 = 0x0070_6c61_7970_6172;

/// The workspace-wide tables, on a connection of their own.
pub struct Routing {
    client: Client,
}

/// A change waiting in the routing table for its partition's worker.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Routed {
    pub n: i64,
    pub line: String,
}

impl Routing {
    /// Connects to the workspace at `url` (creating the tables if needed).
    pub fn open(url: &str) -> Result<Routing> {
        let mut client = connect(url, None)?;
        client.batch_execute(TABLES).map_err(backend)?;
        Ok(Routing { client })
    }

    /// How many partitions the workspace has. The first worker of a new workspace (its
    /// journal empty) sets it to `wanted` (1 if not said); after that it is fixed, and a
    /// `wanted` that differs is refused. A workspace made before partitions has one.
    pub fn partitions(&mut self, wanted: Option<i32>) -> Result<i32> {
        let mut tx = self.client.transaction().map_err(backend)?;
        tx.execute("SELECT pg_advisory_xact_lock($1)", &[&PARTITIONS_LOCK]).map_err(backend)?;
        let found: Option<i32> =
            tx.query_opt("SELECT count FROM play_partitions", &[]).map_err(backend)?.map(|r| r.get(0));
        let count = match found {
            Some(count) => count,
            None => {
                let used = tx.query_opt("SELECT 1 FROM journal LIMIT 1", &[]).map_err(backend)?.is_some();
                let count = if used { 1 } else { wanted.unwrap_or(1) };
                tx.execute("INSERT INTO play_partitions (count) VALUES ($1)", &[&count]).map_err(backend)?;
                count
            }
        };
        tx.commit().map_err(backend)?;
        match wanted {
            Some(w) if w != count => Err(StoreError::Backend(format!(
                "this workspace has {count} partition{}, fixed when it was made; it cannot be run with {w}: \
                 leave --partitions out (a workspace's partition count cannot be changed; a new workspace, \
                 in another database, is made with --partitions {w})",
                if count == 1 { "" } else { "s" }
            ))),
            _ => Ok(count),
        }
    }

    /// The partitions of records routed before (`Type/id`), for those that were.
    pub fn routes(&mut self, records: &[String]) -> Result<HashMap<String, i32>> {
        if records.is_empty() {
            return Ok(HashMap::new());
        }
        let rows = self
            .client
            .query("SELECT record, partition FROM play_routes WHERE record = ANY($1)", &[&records])
            .map_err(backend)?;
        Ok(rows.iter().map(|r| (r.get(0), r.get(1))).collect())
    }

    /// Routes records at their first sight: each `(record, partition)` is kept unless the
    /// record has a route already (another worker may have given it one meanwhile).
    /// Answers the routes as kept.
    pub fn claim(&mut self, claims: &[(String, i32)]) -> Result<HashMap<String, i32>> {
        if claims.is_empty() {
            return Ok(HashMap::new());
        }
        let (records, partitions): (Vec<String>, Vec<i32>) = claims.iter().cloned().unzip();
        self.client
            .execute(
                "INSERT INTO play_routes (record, partition) SELECT * FROM unnest($1::text[], $2::int[])
                 ON CONFLICT (record) DO NOTHING",
                &[&records, &partitions],
            )
            .map_err(backend)?;
        self.routes(&records)
    }

    /// Appends changes for partitions held by other workers, in one transaction: once it
    /// commits they are durable, and the partition's worker takes them in this order.
    pub fn route(&mut self, lines: &[(i32, String)]) -> Result<()> {
        if lines.is_empty() {
            return Ok(());
        }
        let (partitions, texts): (Vec<i32>, Vec<String>) = lines.iter().cloned().unzip();
        self.client
            .execute(
                "INSERT INTO play_routed (partition, line)
                 SELECT p, l FROM unnest($1::int[], $2::text[]) WITH ORDINALITY AS t(p, l, o) ORDER BY o",
                &[&partitions, &texts],
            )
            .map(drop)
            .map_err(backend)
    }

    /// The changes waiting for `partition`, oldest first, at most `limit`.
    pub fn waiting(&mut self, partition: i32, limit: usize) -> Result<Vec<Routed>> {
        let rows = self
            .client
            .query(
                "SELECT n, line FROM play_routed WHERE partition = $1 ORDER BY n LIMIT $2",
                &[&partition, &(limit as i64)],
            )
            .map_err(backend)?;
        Ok(rows.iter().map(|r| Routed { n: r.get(0), line: r.get(1) }).collect())
    }

    /// The partitions (of `count`) with changes waiting in the table.
    pub fn backlogged(&mut self, count: i32) -> Result<Vec<i32>> {
        let rows = self
            .client
            .query(
                "SELECT p FROM generate_series(0, $1 - 1) AS p
                 WHERE EXISTS (SELECT 1 FROM play_routed WHERE partition = p)",
                &[&count],
            )
            .map_err(backend)?;
        Ok(rows.iter().map(|r| r.get(0)).collect())
    }

    /// Forgets the changes of `partition` up to `n`, once its journal has them.
    pub fn taken(&mut self, partition: i32, n: i64) -> Result<()> {
        self.client
            .execute("DELETE FROM play_routed WHERE partition = $1 AND n <= $2", &[&partition, &n])
            .map(drop)
            .map_err(backend)
    }

    /// This worker is alive (and answers at `address`, once it listens): it says so,
    /// forgets workers silent for three `ttl`s, and answers the workers seen within one
    /// `ttl` (itself included), sorted.
    pub fn heartbeat(&mut self, name: &str, address: Option<&str>, ttl: Duration) -> Result<Vec<String>> {
        let secs = ttl.as_secs_f64();
        self.client
            .execute(
                "INSERT INTO play_workers (name, seen, address) VALUES ($1, now(), $2)
                 ON CONFLICT (name) DO UPDATE SET seen = now(), address = EXCLUDED.address",
                &[&name, &address],
            )
            .map_err(backend)?;
        self.client
            .execute("DELETE FROM play_workers WHERE seen < now() - make_interval(secs => $1)", &[&(secs * 3.0)])
            .map_err(backend)?;
        let rows = self
            .client
            .query(
                "SELECT name FROM play_workers WHERE seen >= now() - make_interval(secs => $1) ORDER BY name",
                &[&secs],
            )
            .map_err(backend)?;
        Ok(rows.iter().map(|r| r.get(0)).collect())
    }

    /// A worker stopping cleanly leaves at once, so the others take its share.
    pub fn leave(&mut self, name: &str) -> Result<()> {
        self.client.execute("DELETE FROM play_workers WHERE name = $1", &[&name]).map(drop).map_err(backend)
    }

    /// Keeps the address book up to date with records as they are routed, in order (the
    /// last entry for a record wins).
    pub fn index_addresses(&mut self, entries: &[Address]) -> Result<()> {
        if entries.is_empty() {
            return Ok(());
        }
        let mut tx = self.client.transaction().map_err(backend)?;
        for e in entries {
            match &e.value {
                Some(value) => tx.execute(
                    "INSERT INTO play_addresses (kind, id, value, partition) VALUES ($1, $2, $3, $4)
                     ON CONFLICT (kind, id) DO UPDATE SET value = EXCLUDED.value, partition = EXCLUDED.partition",
                    &[&e.kind, &e.id, value, &e.partition],
                ),
                None => tx.execute("DELETE FROM play_addresses WHERE kind = $1 AND id = $2", &[&e.kind, &e.id]),
            }
            .map_err(backend)?;
        }
        tx.commit().map_err(backend)
    }

    /// The entries of the address book holding any of `values`.
    pub fn addresses(&mut self, values: &[String]) -> Result<Vec<Address>> {
        if values.is_empty() {
            return Ok(Vec::new());
        }
        let rows = self
            .client
            .query("SELECT kind, id, value, partition FROM play_addresses WHERE value = ANY($1)", &[&values])
            .map_err(backend)?;
        Ok(rows
            .iter()
            .map(|r| Address { kind: r.get(0), id: r.get(1), value: Some(r.get(2)), partition: r.get(3) })
            .collect())
    }

    /// The address of the worker holding `partition` now (its lease unexpired), if it said
    /// one.
    pub fn holder_address(&mut self, partition: i32) -> Result<Option<String>> {
        let row = self
            .client
            .query_opt(
                "SELECT w.address FROM leases l JOIN play_workers w ON w.name = l.holder
                 WHERE l.partition = $1 AND l.expires > now()",
                &[&partition],
            )
            .map_err(backend)?;
        Ok(row.and_then(|r| r.get(0)))
    }

    /// The secret by which workers know each other's requests: `made` when there is none
    /// yet (the first worker's), else the one kept.
    pub fn worker_secret(&mut self, made: &str) -> Result<String> {
        self.client
            .execute("INSERT INTO play_secret (one, secret) VALUES (1, $1) ON CONFLICT (one) DO NOTHING", &[&made])
            .map_err(backend)?;
        Ok(self.client.query_one("SELECT secret FROM play_secret", &[]).map_err(backend)?.get(0))
    }
}
