//! The queries the API asks, in PostgreSQL's words (the same answers as SQLite's).

use postgres::types::ToSql;
use postgres::{Client, Row};

use super::backend;
use crate::{ActionQuery, ActionRow, ActionState, Counters, Cursor, HistoryQuery, HistoryRow, Page, Result, RunRow};

const ACTION_COLUMNS: &str =
    "id, at, seq, playbook, step, record, kind, category, assignee, priority, state, public, owner, snoozed_until, json";

type Arg = Box<dyn ToSql + Sync>;

fn action_row(r: &Row) -> ActionRow {
    let state: String = r.get(10);
    ActionRow {
        id: r.get(0),
        at: r.get(1),
        seq: r.get::<_, i64>(2) as u64,
        playbook: r.get(3),
        step: r.get(4),
        record: r.get(5),
        kind: r.get(6),
        category: r.get(7),
        assignee: r.get(8),
        priority: r.get(9),
        state: ActionState::from_name(&state).unwrap_or(ActionState::Open),
        public: r.get(11),
        owner: r.get(12),
        snoozed_until: r.get(13),
        json: r.get(14),
    }
}

fn refs(args: &[Arg]) -> Vec<&(dyn ToSql + Sync)> {
    args.iter().map(|a| a.as_ref()).collect()
}

pub fn actions(client: &mut Client, q: &ActionQuery) -> Result<Page> {
    let mut sql = format!("SELECT {ACTION_COLUMNS} FROM actions WHERE true");
    let mut args: Vec<Arg> = Vec::new();
    let mut filter = |sql: &mut String, clause: &str, value: Arg| {
        args.push(value);
        sql.push_str(&clause.replace('?', &format!("${}", args.len())));
    };
    if let Some(v) = &q.assignee {
        filter(&mut sql, " AND assignee = ?", Box::new(v.clone()));
    }
    if let Some(v) = q.state {
        filter(&mut sql, " AND state = ?", Box::new(v.name()));
    }
    if let Some(v) = &q.category {
        filter(&mut sql, " AND category = ?", Box::new(v.clone()));
    }
    if let Some(v) = &q.playbook {
        filter(&mut sql, " AND playbook = ?", Box::new(v.clone()));
    }
    if let Some(v) = &q.record {
        filter(&mut sql, " AND record = ?", Box::new(v.clone()));
    }
    if let Some(v) = &q.visible_to {
        filter(&mut sql, " AND (public OR owner = ?)", Box::new(v.clone()));
    }
    if let Some(Cursor { priority, at, seq }) = q.cursor {
        // After the cursor in the order `priority DESC, at, seq`.
        args.push(Box::new(priority));
        let p = args.len();
        args.push(Box::new(at));
        let a = args.len();
        args.push(Box::new(seq as i64));
        let s = args.len();
        sql.push_str(&format!(
            " AND (priority < ${p} OR (priority = ${p} AND (at > ${a} OR (at = ${a} AND seq > ${s}))))"
        ));
    }
    let limit = q.limit.max(1);
    sql.push_str(&format!(" ORDER BY priority DESC, at, seq LIMIT {}", limit + 1));
    let rows = client.query(&sql, &refs(&args)).map_err(backend)?;
    let mut items: Vec<ActionRow> = rows.iter().map(action_row).collect();
    let more = items.len() > limit;
    items.truncate(limit);
    let next = if more { items.last().map(Cursor::of) } else { None };
    Ok(Page { items, next })
}

pub fn action(client: &mut Client, id: &str) -> Result<Option<ActionRow>> {
    let row =
        client.query_opt(&format!("SELECT {ACTION_COLUMNS} FROM actions WHERE id = $1"), &[&id]).map_err(backend)?;
    Ok(row.as_ref().map(action_row))
}

pub fn open_action(client: &mut Client, playbook: &str, name: &str, record: &str) -> Result<Option<ActionRow>> {
    let sql = format!(
        "SELECT {ACTION_COLUMNS} FROM actions WHERE playbook = $1 AND step = $2 AND record = $3
         AND state IN ('open', 'snoozed') ORDER BY seq DESC LIMIT 1"
    );
    let row = client.query_opt(&sql, &[&playbook, &name, &record]).map_err(backend)?;
    Ok(row.as_ref().map(action_row))
}

pub fn history(client: &mut Client, q: &HistoryQuery) -> Result<Vec<HistoryRow>> {
    let mut sql = "SELECT at, playbook, record, run, json FROM history WHERE true".to_string();
    let mut args: Vec<Arg> = Vec::new();
    if let Some(v) = &q.record {
        args.push(Box::new(v.clone()));
        sql.push_str(&format!(" AND record = ${}", args.len()));
    }
    if let Some(v) = &q.playbook {
        args.push(Box::new(v.clone()));
        sql.push_str(&format!(" AND playbook = ${}", args.len()));
    }
    if let Some(v) = q.since {
        args.push(Box::new(v));
        sql.push_str(&format!(" AND at >= ${}", args.len()));
    }
    for hidden in &q.hidden {
        args.push(Box::new(hidden.clone()));
        sql.push_str(&format!(" AND playbook != ${}", args.len()));
    }
    sql.push_str(&format!(" ORDER BY n LIMIT {}", q.limit.max(1)));
    let rows = client.query(&sql, &refs(&args)).map_err(backend)?;
    Ok(rows
        .iter()
        .map(|r| HistoryRow {
            at: r.get(0),
            playbook: r.get(1),
            record: r.get(2),
            run: r.get::<_, Option<i64>>(3).map(|n| n as u64),
            json: r.get(4),
        })
        .collect())
}

pub fn runs(client: &mut Client, record: Option<&str>, limit: usize) -> Result<Vec<RunRow>> {
    let sql = "SELECT run, playbook, record, started, updated, step, state FROM runs
               WHERE $1::text IS NULL OR record = $1 ORDER BY state != 'active', run LIMIT $2";
    let rows = client.query(sql, &[&record, &(limit.max(1) as i64)]).map_err(backend)?;
    Ok(rows
        .iter()
        .map(|r| RunRow {
            run: r.get::<_, i64>(0) as u64,
            playbook: r.get(1),
            record: r.get(2),
            started: r.get(3),
            updated: r.get(4),
            step: r.get(5),
            state: r.get(6),
        })
        .collect())
}

/// The last `limit` numbers of a record's field, oldest first.
pub fn field_values(client: &mut Client, record: &str, field: &str, limit: usize) -> Result<Vec<(i64, f64)>> {
    let sql = "SELECT at, value FROM field_values WHERE record = $1 AND field = $2 ORDER BY at DESC, n DESC LIMIT $3";
    let rows = client.query(sql, &[&record, &field, &(limit as i64)]).map_err(backend)?;
    Ok(rows.iter().rev().map(|r| (r.get(0), r.get(1))).collect())
}

pub fn counters(client: &mut Client) -> Result<Counters> {
    // One round trip for all of them.
    let row = client
        .query_one(
            "SELECT (SELECT coalesce(max(position), 0) FROM journal),
                    (SELECT count(*) FROM actions),
                    (SELECT count(*) FROM actions WHERE state = 'open'),
                    (SELECT count(*) FROM outbox WHERE delivered_at IS NULL),
                    (SELECT count(*) FROM history),
                    (SELECT count(*) FROM runs WHERE state = 'active'),
                    (SELECT max(position) FROM snapshots)",
            &[],
        )
        .map_err(backend)?;
    let n = |i: usize| row.get::<_, i64>(i) as u64;
    Ok(Counters {
        journal_position: n(0),
        actions: n(1),
        actions_open: n(2),
        outbox_backlog: n(3),
        history_entries: n(4),
        runs_active: n(5),
        snapshot_position: row.get::<_, Option<i64>>(6).map(|n| n as u64),
    })
}
