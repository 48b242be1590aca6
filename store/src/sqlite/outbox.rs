//! [`Outbox`] on SQLite: the outbox rows' delivery columns (added by migration 2; a row
//! the engine thread just wrote has none yet and is due at its `at`), the `attempts` sync
//! log, `opt_outs`, `marks` and `sync_settings` (migration 3).

use rusqlite::{params, Connection, OptionalExtension, Row};

use super::{backend, SqliteStore};
use crate::outbox::{Attempt, Delivery, DeliveryQuery, DeliveryState, LogQuery, Outbox, Then};
use crate::{Result, StoreError};

const COLUMNS: &str = "rowid, action_id, kind, at, json, state, attempts, coalesce(next_at, at), \
                       since, last_code, last_message, delivered_at, sink";

fn delivery(r: &Row) -> rusqlite::Result<(Delivery, String)> {
    let state: String = r.get(5)?;
    Ok((
        Delivery {
            seq: r.get::<_, i64>(0)? as u64,
            action_id: r.get(1)?,
            kind: r.get(2)?,
            at: r.get(3)?,
            json: r.get(4)?,
            state: DeliveryState::Pending,
            attempts: r.get::<_, i64>(6)? as u32,
            next_at: r.get(7)?,
            since: r.get(8)?,
            last_code: r.get(9)?,
            last_message: r.get(10)?,
            done_at: r.get(11)?,
            sink: r.get(12)?,
        },
        state,
    ))
}

/// The rows of a query of [`COLUMNS`], each with its state read.
fn deliveries(conn: &Connection, sql: &str, params: impl rusqlite::Params) -> Result<Vec<Delivery>> {
    let mut stmt = conn.prepare_cached(sql).map_err(backend)?;
    let rows = stmt.query_map(params, delivery).map_err(backend)?;
    let mut out = Vec::new();
    for row in rows {
        let (mut d, state) = row.map_err(backend)?;
        d.state = DeliveryState::from_name(&state)
            .ok_or_else(|| StoreError::Corrupt(format!("delivery `{}` is in no known state", d.action_id)))?;
        out.push(d);
    }
    Ok(out)
}

fn attempt(r: &Row) -> rusqlite::Result<Attempt> {
    Ok(Attempt {
        action_id: r.get(0)?,
        at: r.get(1)?,
        sink: r.get(2)?,
        record: r.get(3)?,
        teammate: r.get(4)?,
        attempt: r.get::<_, i64>(5)? as u32,
        outcome: r.get(6)?,
        code: r.get(7)?,
        message: r.get(8)?,
        next_at: r.get(9)?,
    })
}

impl Outbox for SqliteStore {
    fn due_deliveries(&self, now: i64, after: u64, limit: usize) -> Result<Vec<Delivery>> {
        let sql = format!(
            "SELECT {COLUMNS} FROM outbox WHERE state = 'pending' AND rowid > ?1 AND coalesce(next_at, at) <= ?2 \
             ORDER BY rowid LIMIT ?3"
        );
        deliveries(&self.conn, &sql, params![after as i64, now, limit as i64])
    }

    fn seen(&mut self, action_ids: &[&str], now: i64) -> Result<()> {
        let tx = self.conn.transaction().map_err(backend)?;
        {
            let mut stmt = tx
                .prepare_cached("UPDATE outbox SET since = ?2 WHERE action_id = ?1 AND since IS NULL")
                .map_err(backend)?;
            for id in action_ids {
                stmt.execute(params![id, now]).map_err(backend)?;
            }
        }
        tx.commit().map_err(backend)
    }

    fn next_due(&self) -> Result<Option<i64>> {
        self.conn
            .query_row("SELECT min(coalesce(next_at, at)) FROM outbox WHERE state = 'pending'", [], |r| r.get(0))
            .map_err(backend)
    }

    fn record_attempt(&mut self, a: &Attempt, then: Then) -> Result<()> {
        let tx = self.conn.transaction().map_err(backend)?;
        tx.prepare_cached(
            "INSERT INTO attempts (action_id, at, sink, record, teammate, attempt, outcome, code, message, next_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
        )
        .and_then(|mut s| {
            s.execute(params![
                a.action_id,
                a.at,
                a.sink,
                a.record,
                a.teammate,
                a.attempt,
                a.outcome,
                a.code,
                a.message,
                a.next_at
            ])
        })
        .map_err(backend)?;
        let (state, next_at, done_at) = match then {
            Then::Delivered => ("delivered", None, Some(a.at)),
            Then::RetryAt(at) => ("pending", Some(at), None),
            Then::Dead => ("dead", None, Some(a.at)),
            Then::Skipped => ("skipped", None, Some(a.at)),
            Then::Orphan => ("orphan", None, None),
        };
        // Only an attempt that made a call counts; a delivery skipped or declared dead
        // without one keeps its count.
        let counted = matches!(a.outcome.as_str(), "delivered" | "retry" | "paused" | "failed" | "orphan");
        tx.prepare_cached(
            "UPDATE outbox SET state = ?2, next_at = coalesce(?3, next_at), delivered_at = ?4,
             attempts = attempts + ?5, last_code = ?6, last_message = ?7
             WHERE action_id = ?1 AND state = 'pending'",
        )
        .and_then(|mut s| {
            s.execute(params![a.action_id, state, next_at, done_at, i64::from(counted), a.code, a.message])
        })
        .map_err(backend)?;
        tx.commit().map_err(backend)
    }

    fn delivery(&self, action_id: &str) -> Result<Option<Delivery>> {
        let sql = format!("SELECT {COLUMNS} FROM outbox WHERE action_id = ?1");
        Ok(deliveries(&self.conn, &sql, [action_id])?.pop())
    }

    fn deliveries(&self, q: &DeliveryQuery) -> Result<Vec<Delivery>> {
        let sql = format!(
            "SELECT {COLUMNS} FROM outbox WHERE (?1 IS NULL OR state = ?1) AND (?2 IS NULL OR kind = ?2)
             AND (?3 IS NULL OR rowid < ?3) AND (?5 IS NULL OR sink = ?5) ORDER BY rowid DESC LIMIT ?4"
        );
        let state = q.state.map(DeliveryState::name);
        let before = q.before.map(|b| b as i64);
        deliveries(&self.conn, &sql, params![state, q.kind, before, q.limit as i64, q.sink])
    }

    fn retry_delivery(&mut self, action_id: &str, now: i64) -> Result<bool> {
        let changed = self
            .conn
            .execute(
                "UPDATE outbox SET state = 'pending', next_at = ?2, since = ?2, delivered_at = NULL
                 WHERE action_id = ?1 AND state IN ('dead', 'skipped')",
                params![action_id, now],
            )
            .map_err(backend)?;
        Ok(changed == 1)
    }

    fn adopt_delivery(&mut self, action_id: &str, json: &str, now: i64) -> Result<bool> {
        let changed = self
            .conn
            .execute(
                "UPDATE outbox SET state = 'pending', json = ?2, next_at = ?3, since = ?3, delivered_at = NULL
                 WHERE action_id = ?1 AND state = 'orphan'",
                params![action_id, json, now],
            )
            .map_err(backend)?;
        Ok(changed == 1)
    }

    fn sync_log_where(&self, q: &LogQuery) -> Result<Vec<Attempt>> {
        let mut stmt = self
            .conn
            .prepare_cached(
                "SELECT action_id, at, sink, record, teammate, attempt, outcome, code, message, next_at
                 FROM attempts WHERE at >= ?1 AND (?3 IS NULL OR sink = ?3) AND (?4 IS NULL OR record = ?4)
                 AND (?5 IS NULL OR outcome = ?5) AND (?6 IS NULL OR teammate = ?6) ORDER BY at, n LIMIT ?2",
            )
            .map_err(backend)?;
        let limit = i64::try_from(q.limit).unwrap_or(i64::MAX);
        let rows = stmt
            .query_map(params![q.since, limit, q.sink, q.record, q.outcome, q.teammate], attempt)
            .map_err(backend)?;
        rows.collect::<rusqlite::Result<_>>().map_err(backend)
    }

    fn set_opt_out(&mut self, who: &str, reason: Option<&str>, at: i64) -> Result<()> {
        match reason {
            Some(reason) => self.conn.execute(
                "INSERT OR REPLACE INTO opt_outs (who, reason, at) VALUES (?1, ?2, ?3)",
                params![who, reason, at],
            ),
            None => self.conn.execute("DELETE FROM opt_outs WHERE who = ?1", [who]),
        }
        .map(drop)
        .map_err(backend)
    }

    fn opted_out(&self, who: &[&str]) -> Result<Option<String>> {
        let mut stmt = self.conn.prepare_cached("SELECT reason FROM opt_outs WHERE who = ?1").map_err(backend)?;
        for w in who {
            if let Some(reason) = stmt.query_row([w], |r| r.get(0)).optional().map_err(backend)? {
                return Ok(Some(reason));
            }
        }
        Ok(None)
    }

    fn mark(&self, name: &str) -> Result<u64> {
        let value: Option<i64> = self
            .conn
            .query_row("SELECT value FROM marks WHERE name = ?1", [name], |r| r.get(0))
            .optional()
            .map_err(backend)?;
        Ok(value.unwrap_or(0) as u64)
    }

    fn set_mark(&mut self, name: &str, value: u64) -> Result<()> {
        self.conn
            .execute("INSERT OR REPLACE INTO marks (name, value) VALUES (?1, ?2)", params![name, value as i64])
            .map(drop)
            .map_err(backend)
    }

    fn sync_setting(&self, scope: &str) -> Result<Option<String>> {
        self.conn
            .query_row("SELECT json FROM sync_settings WHERE scope = ?1", [scope], |r| r.get(0))
            .optional()
            .map_err(backend)
    }

    fn set_sync_setting(&mut self, scope: &str, json: &str, at: i64) -> Result<()> {
        self.conn
            .execute(
                "INSERT OR REPLACE INTO sync_settings (scope, json, at) VALUES (?1, ?2, ?3)",
                params![scope, json, at],
            )
            .map(drop)
            .map_err(backend)
    }

    fn enqueue(&mut self, row: &crate::OutboxRow) -> Result<bool> {
        self.conn
            .execute(
                "INSERT OR IGNORE INTO outbox (action_id, kind, at, json, sink) VALUES (?1, ?2, ?3, ?4, ?5)",
                params![row.action_id, row.kind, row.at, row.json, row.sink],
            )
            .map(|n| n > 0)
            .map_err(backend)
    }
}
