//! [`Outbox`] on PostgreSQL: the outbox rows' delivery columns (added by migration 2; a
//! row the engine thread just wrote has none yet and is due at its `at`), the `attempts`
//! sync log, `opt_outs`, `marks` and `sync_settings` (migration 3). Every write is one transaction fenced by the store's
//! lease, as the engine's writes are.

use postgres::types::ToSql;
use postgres::Row;

use super::{backend, write::prepared, PostgresStore};
use crate::outbox::{Attempt, Delivery, DeliveryQuery, DeliveryState, LogQuery, Outbox, Then};
use crate::{Result, StoreError};

/// Each read of deliveries selects, in this order: seq, action_id, kind, at, json, state,
/// attempts, next_at (or at), since, last_code, last_message, delivered_at, sink.
fn delivery(r: &Row) -> Result<Delivery> {
    let action_id: String = r.get(1);
    let state: String = r.get(5);
    let state = DeliveryState::from_name(&state)
        .ok_or_else(|| StoreError::Corrupt(format!("delivery `{action_id}` is in no known state")))?;
    Ok(Delivery {
        seq: r.get::<_, i64>(0) as u64,
        action_id,
        kind: r.get(2),
        at: r.get(3),
        json: r.get(4),
        state,
        attempts: r.get::<_, i32>(6) as u32,
        next_at: r.get(7),
        since: r.get(8),
        last_code: r.get(9),
        last_message: r.get(10),
        done_at: r.get(11),
        sink: r.get(12),
    })
}

fn attempt(r: &Row) -> Attempt {
    Attempt {
        action_id: r.get(0),
        at: r.get(1),
        sink: r.get(2),
        record: r.get(3),
        teammate: r.get(4),
        attempt: r.get::<_, i32>(5) as u32,
        outcome: r.get(6),
        code: r.get(7),
        message: r.get(8),
        next_at: r.get(9),
    }
}

impl PostgresStore {
    /// The rows of a read, on the store's connection, its statement prepared once.
    fn read(&self, sql: &'static str, params: &[&(dyn ToSql + Sync)]) -> Result<Vec<Row>> {
        let mut inner = self.inner();
        let stmt = inner.statement(sql).map_err(backend)?;
        inner.client().query(&stmt, params).map_err(backend)
    }

    fn read_deliveries(&self, sql: &'static str, params: &[&(dyn ToSql + Sync)]) -> Result<Vec<Delivery>> {
        self.read(sql, params)?.iter().map(delivery).collect()
    }
}

/// A count or limit as PostgreSQL takes it.
fn big(n: usize) -> i64 {
    i64::try_from(n).unwrap_or(i64::MAX)
}

impl Outbox for PostgresStore {
    fn due_deliveries(&self, now: i64, after: u64, limit: usize) -> Result<Vec<Delivery>> {
        self.read_deliveries(
            "SELECT seq, action_id, kind, at, json, state, attempts, coalesce(next_at, at), since, last_code,
                    last_message, delivered_at, sink
             FROM outbox WHERE state = 'pending' AND seq > $1 AND coalesce(next_at, at) <= $2
             ORDER BY seq LIMIT $3",
            &[&(after as i64), &now, &big(limit)],
        )
    }

    fn seen(&mut self, action_ids: &[&str], now: i64) -> Result<()> {
        if action_ids.is_empty() {
            return Ok(());
        }
        self.write(|tx, statements| {
            let s = prepared(
                tx,
                statements,
                "UPDATE outbox SET since = $2 WHERE action_id = ANY($1::text[]) AND since IS NULL",
            )?;
            tx.execute(&s, &[&action_ids, &now]).map(drop).map_err(backend)
        })
    }

    fn next_due(&self) -> Result<Option<i64>> {
        let rows = self.read("SELECT min(coalesce(next_at, at)) FROM outbox WHERE state = 'pending'", &[])?;
        Ok(rows.first().and_then(|r| r.get(0)))
    }

    fn record_attempt(&mut self, a: &Attempt, then: Then) -> Result<()> {
        let (state, next_at, done_at) = match then {
            Then::Delivered => ("delivered", None, Some(a.at)),
            Then::RetryAt(at) => ("pending", Some(at), None),
            Then::Dead => ("dead", None, Some(a.at)),
            Then::Skipped => ("skipped", None, Some(a.at)),
            Then::Orphan => ("orphan", None, None),
        };
        // Only an attempt that made a call counts; a delivery skipped or declared dead
        // without one keeps its count.
        let counted = i32::from(matches!(a.outcome.as_str(), "delivered" | "retry" | "paused" | "failed" | "orphan"));
        let number = i32::try_from(a.attempt).unwrap_or(i32::MAX);
        self.write(|tx, statements| {
            let s = prepared(
                tx,
                statements,
                "INSERT INTO attempts (action_id, at, sink, record, teammate, attempt, outcome, code, message, next_at)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
            )?;
            tx.execute(
                &s,
                &[
                    &a.action_id,
                    &a.at,
                    &a.sink,
                    &a.record,
                    &a.teammate,
                    &number,
                    &a.outcome,
                    &a.code,
                    &a.message,
                    &a.next_at,
                ],
            )
            .map_err(backend)?;
            let s = prepared(
                tx,
                statements,
                "UPDATE outbox SET state = $2, next_at = coalesce($3, next_at), delivered_at = $4,
                 attempts = attempts + $5, last_code = $6, last_message = $7
                 WHERE action_id = $1 AND state = 'pending'",
            )?;
            tx.execute(&s, &[&a.action_id, &state, &next_at, &done_at, &counted, &a.code, &a.message])
                .map(drop)
                .map_err(backend)
        })
    }

    fn delivery(&self, action_id: &str) -> Result<Option<Delivery>> {
        let mut found = self.read_deliveries(
            "SELECT seq, action_id, kind, at, json, state, attempts, coalesce(next_at, at), since, last_code,
                    last_message, delivered_at, sink
             FROM outbox WHERE action_id = $1",
            &[&action_id],
        )?;
        Ok(found.pop())
    }

    fn deliveries(&self, q: &DeliveryQuery) -> Result<Vec<Delivery>> {
        let state = q.state.map(DeliveryState::name);
        let before = q.before.map(|b| b as i64);
        self.read_deliveries(
            "SELECT seq, action_id, kind, at, json, state, attempts, coalesce(next_at, at), since, last_code,
                    last_message, delivered_at, sink
             FROM outbox WHERE ($1::text IS NULL OR state = $1) AND ($2::text IS NULL OR kind = $2)
             AND ($3::bigint IS NULL OR seq < $3) AND ($5::text IS NULL OR sink = $5)
             ORDER BY seq DESC LIMIT $4",
            &[&state, &q.kind, &before, &big(q.limit), &q.sink],
        )
    }

    fn retry_delivery(&mut self, action_id: &str, now: i64) -> Result<bool> {
        self.write(|tx, statements| {
            let s = prepared(
                tx,
                statements,
                "UPDATE outbox SET state = 'pending', next_at = $2, since = $2, delivered_at = NULL
                 WHERE action_id = $1 AND state IN ('dead', 'skipped')",
            )?;
            Ok(tx.execute(&s, &[&action_id, &now]).map_err(backend)? == 1)
        })
    }

    fn adopt_delivery(&mut self, action_id: &str, json: &str, now: i64) -> Result<bool> {
        self.write(|tx, statements| {
            let s = prepared(
                tx,
                statements,
                "UPDATE outbox SET state = 'pending', json = $2, next_at = $3, since = $3, delivered_at = NULL
                 WHERE action_id = $1 AND state = 'orphan'",
            )?;
            Ok(tx.execute(&s, &[&action_id, &json, &now]).map_err(backend)? == 1)
        })
    }

    fn sync_log_where(&self, q: &LogQuery) -> Result<Vec<Attempt>> {
        let rows = self.read(
            "SELECT action_id, at, sink, record, teammate, attempt, outcome, code, message, next_at
             FROM attempts WHERE at >= $1 AND ($3::text IS NULL OR sink = $3) AND ($4::text IS NULL OR record = $4)
             AND ($5::text IS NULL OR outcome = $5) AND ($6::text IS NULL OR teammate = $6)
             ORDER BY at, n LIMIT $2",
            &[&q.since, &big(q.limit), &q.sink, &q.record, &q.outcome, &q.teammate],
        )?;
        Ok(rows.iter().map(attempt).collect())
    }

    fn set_opt_out(&mut self, who: &str, reason: Option<&str>, at: i64) -> Result<()> {
        self.write(|tx, _| {
            match reason {
                Some(reason) => tx.execute(
                    "INSERT INTO opt_outs (who, reason, at) VALUES ($1, $2, $3)
                     ON CONFLICT (who) DO UPDATE SET reason = excluded.reason, at = excluded.at",
                    &[&who, &reason, &at],
                ),
                None => tx.execute("DELETE FROM opt_outs WHERE who = $1", &[&who]),
            }
            .map(drop)
            .map_err(backend)
        })
    }

    fn opted_out(&self, who: &[&str]) -> Result<Option<String>> {
        // The first of `who` in the order given, as one round trip.
        let rows = self.read(
            "SELECT o.reason FROM unnest($1::text[]) WITH ORDINALITY AS w (who, ord)
             JOIN opt_outs o ON o.who = w.who ORDER BY w.ord LIMIT 1",
            &[&who],
        )?;
        Ok(rows.first().map(|r| r.get(0)))
    }

    fn mark(&self, name: &str) -> Result<u64> {
        let rows = self.read("SELECT value FROM marks WHERE name = $1", &[&name])?;
        Ok(rows.first().map(|r| r.get::<_, i64>(0) as u64).unwrap_or(0))
    }

    fn set_mark(&mut self, name: &str, value: u64) -> Result<()> {
        let value = i64::try_from(value)
            .map_err(|_| StoreError::Backend(format!("watermark `{name}` at {value} is past what PostgreSQL keeps")))?;
        self.write(|tx, statements| {
            let s = prepared(
                tx,
                statements,
                "INSERT INTO marks (name, value) VALUES ($1, $2)
                 ON CONFLICT (name) DO UPDATE SET value = excluded.value",
            )?;
            tx.execute(&s, &[&name, &value]).map(drop).map_err(backend)
        })
    }

    fn sync_setting(&self, scope: &str) -> Result<Option<String>> {
        let rows = self.read("SELECT json FROM sync_settings WHERE scope = $1", &[&scope])?;
        Ok(rows.first().map(|r| r.get(0)))
    }

    fn set_sync_setting(&mut self, scope: &str, json: &str, at: i64) -> Result<()> {
        self.write(|tx, statements| {
            let s = prepared(
                tx,
                statements,
                "INSERT INTO sync_settings (scope, json, at) VALUES ($1, $2, $3)
                 ON CONFLICT (scope) DO UPDATE SET json = excluded.json, at = excluded.at",
            )?;
            tx.execute(&s, &[&scope, &json, &at]).map(drop).map_err(backend)
        })
    }

    fn enqueue(&mut self, row: &crate::OutboxRow) -> Result<bool> {
        self.write(|tx, statements| {
            let s = prepared(
                tx,
                statements,
                "INSERT INTO outbox (action_id, kind, at, json, sink) VALUES ($1, $2, $3, $4, $5)
                 ON CONFLICT (action_id) DO NOTHING",
            )?;
            let n = tx.execute(&s, &[&row.action_id, &row.kind, &row.at, &row.json, &row.sink]).map_err(backend)?;
            Ok(n > 0)
        })
    }
}
