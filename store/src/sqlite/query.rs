//! The projections' SQL: writing a batch's rows and the queries the API asks.

use rusqlite::types::Value as Sql;
use rusqlite::{params, params_from_iter, Connection, OptionalExtension, Row, Transaction};

use crate::{ActionQuery, ActionRow, ActionState, Batch, Counters, Cursor, HistoryQuery, HistoryRow, Page, RunRow};

const ACTION_COLUMNS: &str =
    "id, at, seq, playbook, step, record, kind, category, assignee, priority, state, public, owner, snoozed_until, json";

pub fn write_projections(tx: &Transaction, batch: &Batch) -> rusqlite::Result<()> {
    {
        // An action produced again under its id (a snoozed task coming back) reopens it;
        // it is never a second row.
        let mut insert = tx.prepare_cached(&format!(
            "INSERT INTO actions ({ACTION_COLUMNS}) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15)
             ON CONFLICT (id) DO UPDATE SET state = 'open', snoozed_until = NULL WHERE state = 'snoozed'"
        ))?;
        for a in &batch.actions {
            insert.execute(params![
                a.id,
                a.at,
                a.seq as i64,
                a.playbook,
                a.step,
                a.record,
                a.kind,
                a.category,
                a.assignee,
                a.priority,
                a.state.name(),
                a.public,
                a.owner,
                a.snoozed_until,
                a.json
            ])?;
        }
    }
    {
        let mut update = tx.prepare_cached(
            "UPDATE actions SET state = ?2, snoozed_until = ?3, worked_by = ?4, worked_at = ?5 WHERE id = ?1",
        )?;
        for u in &batch.updates {
            update.execute(params![u.id, u.state.name(), u.snoozed_until, u.by, u.at])?;
        }
    }
    {
        let mut outbox = tx.prepare_cached(
            "INSERT OR IGNORE INTO outbox (action_id, kind, at, json, sink) VALUES (?1, ?2, ?3, ?4, ?5)",
        )?;
        for o in &batch.outbox {
            outbox.execute(params![o.action_id, o.kind, o.at, o.json, o.sink])?;
        }
    }
    {
        let mut history =
            tx.prepare_cached("INSERT INTO history (at, playbook, record, run, json) VALUES (?1, ?2, ?3, ?4, ?5)")?;
        for h in &batch.history {
            history.execute(params![h.at, h.playbook, h.record, h.run.map(|r| r as i64), h.json])?;
        }
    }
    {
        let mut runs = tx.prepare_cached(
            "INSERT INTO runs (run, playbook, record, started, updated, step, state) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)
             ON CONFLICT (run) DO UPDATE SET updated = excluded.updated,
                 step = coalesce(excluded.step, runs.step), state = excluded.state",
        )?;
        for r in &batch.runs {
            runs.execute(params![r.run as i64, r.playbook, r.record, r.started, r.updated, r.step, r.state])?;
        }
    }
    if !batch.values.is_empty() {
        let mut values =
            tx.prepare_cached("INSERT INTO field_values (record, field, at, value) VALUES (?1, ?2, ?3, ?4)")?;
        for v in &batch.values {
            values.execute(params![v.record, v.field, v.at, v.value])?;
        }
    }
    Ok(())
}

/// The last `limit` numbers of a record's field, oldest first.
pub fn field_values(conn: &Connection, record: &str, field: &str, limit: usize) -> rusqlite::Result<Vec<(i64, f64)>> {
    let mut stmt = conn.prepare_cached(
        "SELECT at, value FROM field_values WHERE record = ?1 AND field = ?2 ORDER BY at DESC, n DESC LIMIT ?3",
    )?;
    let rows = stmt.query_map(params![record, field, limit as i64], |r| Ok((r.get(0)?, r.get(1)?)))?;
    let mut out = rows.collect::<rusqlite::Result<Vec<(i64, f64)>>>()?;
    out.reverse();
    Ok(out)
}

fn action_row(r: &Row) -> rusqlite::Result<ActionRow> {
    let state: String = r.get(10)?;
    Ok(ActionRow {
        id: r.get(0)?,
        at: r.get(1)?,
        seq: r.get::<_, i64>(2)? as u64,
        playbook: r.get(3)?,
        step: r.get(4)?,
        record: r.get(5)?,
        kind: r.get(6)?,
        category: r.get(7)?,
        assignee: r.get(8)?,
        priority: r.get(9)?,
        state: ActionState::from_name(&state).unwrap_or(ActionState::Open),
        public: r.get(11)?,
        owner: r.get(12)?,
        snoozed_until: r.get(13)?,
        json: r.get(14)?,
    })
}

pub fn actions(conn: &Connection, q: &ActionQuery) -> rusqlite::Result<Page> {
    let mut sql = format!("SELECT {ACTION_COLUMNS} FROM actions WHERE 1 = 1");
    let mut args: Vec<Sql> = Vec::new();
    let mut filter = |sql: &mut String, clause: &str, value: Sql| {
        args.push(value);
        sql.push_str(&clause.replace('?', &format!("?{}", args.len())));
    };
    if let Some(v) = &q.assignee {
        filter(&mut sql, " AND assignee = ?", Sql::Text(v.clone()));
    }
    if let Some(v) = q.state {
        filter(&mut sql, " AND state = ?", Sql::Text(v.name().into()));
    }
    if let Some(v) = &q.category {
        filter(&mut sql, " AND category = ?", Sql::Text(v.clone()));
    }
    if let Some(v) = &q.playbook {
        filter(&mut sql, " AND playbook = ?", Sql::Text(v.clone()));
    }
    if let Some(v) = &q.record {
        filter(&mut sql, " AND record = ?", Sql::Text(v.clone()));
    }
    if let Some(v) = &q.visible_to {
        filter(&mut sql, " AND (public = 1 OR owner = ?)", Sql::Text(v.clone()));
    }
    if let Some(Cursor { priority, at, seq }) = q.cursor {
        // After the cursor in the order `priority DESC, at, seq`.
        args.push(Sql::Real(priority));
        let p = args.len();
        args.push(Sql::Integer(at));
        let a = args.len();
        args.push(Sql::Integer(seq as i64));
        let s = args.len();
        sql.push_str(&format!(
            " AND (priority < ?{p} OR (priority = ?{p} AND (at > ?{a} OR (at = ?{a} AND seq > ?{s}))))"
        ));
    }
    let limit = q.limit.max(1);
    sql.push_str(&format!(" ORDER BY priority DESC, at, seq LIMIT {}", limit + 1));
    let mut stmt = conn.prepare_cached(&sql)?;
    let mut items = stmt.query_map(params_from_iter(args), action_row)?.collect::<rusqlite::Result<Vec<_>>>()?;
    let more = items.len() > limit;
    items.truncate(limit);
    let next = if more { items.last().map(Cursor::of) } else { None };
    Ok(Page { items, next })
}

pub fn action(conn: &Connection, id: &str) -> rusqlite::Result<Option<ActionRow>> {
    conn.query_row(&format!("SELECT {ACTION_COLUMNS} FROM actions WHERE id = ?1"), [id], action_row).optional()
}

pub fn open_action(conn: &Connection, playbook: &str, name: &str, record: &str) -> rusqlite::Result<Option<ActionRow>> {
    conn.query_row(
        &format!(
            "SELECT {ACTION_COLUMNS} FROM actions WHERE playbook = ?1 AND step = ?2 AND record = ?3
             AND state IN ('open', 'snoozed') ORDER BY seq DESC LIMIT 1"
        ),
        [playbook, name, record],
        action_row,
    )
    .optional()
}

pub fn history(conn: &Connection, q: &HistoryQuery) -> rusqlite::Result<Vec<HistoryRow>> {
    let mut sql = "SELECT at, playbook, record, run, json FROM history WHERE 1 = 1".to_string();
    let mut args: Vec<Sql> = Vec::new();
    if let Some(v) = &q.record {
        args.push(Sql::Text(v.clone()));
        sql.push_str(&format!(" AND record = ?{}", args.len()));
    }
    if let Some(v) = &q.playbook {
        args.push(Sql::Text(v.clone()));
        sql.push_str(&format!(" AND playbook = ?{}", args.len()));
    }
    if let Some(v) = q.since {
        args.push(Sql::Integer(v));
        sql.push_str(&format!(" AND at >= ?{}", args.len()));
    }
    for hidden in &q.hidden {
        args.push(Sql::Text(hidden.clone()));
        sql.push_str(&format!(" AND playbook != ?{}", args.len()));
    }
    sql.push_str(&format!(" ORDER BY n LIMIT {}", q.limit.max(1)));
    let mut stmt = conn.prepare_cached(&sql)?;
    let rows = stmt.query_map(params_from_iter(args), |r| {
        Ok(HistoryRow {
            at: r.get(0)?,
            playbook: r.get(1)?,
            record: r.get(2)?,
            run: r.get::<_, Option<i64>>(3)?.map(|n| n as u64),
            json: r.get(4)?,
        })
    })?;
    rows.collect()
}

pub fn runs(conn: &Connection, record: Option<&str>, limit: usize) -> rusqlite::Result<Vec<RunRow>> {
    let sql = "SELECT run, playbook, record, started, updated, step, state FROM runs
               WHERE ?1 IS NULL OR record = ?1 ORDER BY state != 'active', run LIMIT ?2";
    let mut stmt = conn.prepare_cached(sql)?;
    let rows = stmt.query_map(params![record, limit.max(1) as i64], |r| {
        Ok(RunRow {
            run: r.get::<_, i64>(0)? as u64,
            playbook: r.get(1)?,
            record: r.get(2)?,
            started: r.get(3)?,
            updated: r.get(4)?,
            step: r.get(5)?,
            state: r.get(6)?,
        })
    })?;
    rows.collect()
}

pub fn counters(conn: &Connection) -> rusqlite::Result<Counters> {
    let count = |sql: &str| conn.query_row(sql, [], |r| r.get::<_, i64>(0)).map(|n| n as u64);
    Ok(Counters {
        journal_position: count("SELECT coalesce(max(position), 0) FROM journal")?,
        actions: count("SELECT count(*) FROM actions")?,
        actions_open: count("SELECT count(*) FROM actions WHERE state = 'open'")?,
        outbox_backlog: count("SELECT count(*) FROM outbox WHERE state = 'pending'")?,
        history_entries: count("SELECT count(*) FROM history")?,
        runs_active: count("SELECT count(*) FROM runs WHERE state = 'active'")?,
        snapshot_position: conn
            .query_row("SELECT max(position) FROM snapshots", [], |r| r.get::<_, Option<i64>>(0))?
            .map(|n| n as u64),
    })
}
