//! Writing a batch: one statement per table (arrays unnested server-side), so a group
//! commit costs a handful of round trips however many rows it carries.

use std::collections::HashMap;

use postgres::{Statement, Transaction};

use super::backend;
use crate::{ActionRow, ActionUpdate, Batch, Position, Result, RunRow, SharedUse, StoreError};

/// A statement prepared once per connection, also inside a transaction.
pub(super) fn prepared(
    tx: &mut Transaction,
    statements: &mut HashMap<&'static str, Statement>,
    sql: &'static str,
) -> Result<Statement> {
    if let Some(s) = statements.get(sql) {
        return Ok(s.clone());
    }
    let s = tx.prepare(sql).map_err(backend)?;
    statements.insert(sql, s.clone());
    Ok(s)
}

pub(super) fn batch(
    tx: &mut Transaction,
    statements: &mut HashMap<&'static str, Statement>,
    batch: &Batch,
) -> Result<Position> {
    let mut sql = |tx: &mut Transaction, sql: &'static str| prepared(tx, statements, sql);
    let s = sql(tx, "SELECT coalesce(max(position), 0) FROM journal")?;
    let last: i64 = tx.query_one(&s, &[]).map_err(backend)?.get(0);
    let n = batch.commands.len() as i64;
    if n > 0 {
        let positions: Vec<i64> = (last + 1..=last + n).collect();
        let mut kinds = Vec::new();
        let mut texts: Vec<Option<String>> = Vec::new();
        let mut ats = Vec::new();
        for command in &batch.commands {
            // A change line is kept as it came, not escaped into another JSON document.
            let (kind, text, at) = command.encode();
            kinds.push(kind);
            texts.push(text);
            ats.push(at);
        }
        let s = sql(
            tx,
            "INSERT INTO journal (position, kind, text, at)
             SELECT * FROM unnest($1::bigint[], $2::text[], $3::text[], $4::bigint[])",
        )?;
        tx.execute(&s, &[&positions, &kinds, &texts, &ats]).map_err(backend)?;
    }
    if !batch.change_ids.is_empty() {
        let s = sql(tx, "INSERT INTO change_ids (id) SELECT * FROM unnest($1::text[]) ON CONFLICT DO NOTHING")?;
        tx.execute(&s, &[&batch.change_ids]).map_err(backend)?;
    }
    if !batch.actions.is_empty() {
        actions(tx, &mut sql, &batch.actions)?;
    }
    if !batch.updates.is_empty() {
        updates(tx, &mut sql, &batch.updates)?;
    }
    if !batch.outbox.is_empty() {
        let o = &batch.outbox;
        let s = sql(
            tx,
            // In the batch's order: `seq` is the order delivery walks rows in.
            "INSERT INTO outbox (action_id, kind, at, json, sink)
             SELECT action_id, kind, at, json, sink
             FROM unnest($1::text[], $2::text[], $3::bigint[], $4::text[], $5::text[])
                  WITH ORDINALITY AS t (action_id, kind, at, json, sink, ord)
             ORDER BY ord ON CONFLICT (action_id) DO NOTHING",
        )?;
        let ids: Vec<&str> = o.iter().map(|r| r.action_id.as_str()).collect();
        let kinds: Vec<&str> = o.iter().map(|r| r.kind.as_str()).collect();
        let ats: Vec<i64> = o.iter().map(|r| r.at).collect();
        let json: Vec<&str> = o.iter().map(|r| r.json.as_str()).collect();
        let sinks: Vec<&str> = o.iter().map(|r| r.sink.as_str()).collect();
        tx.execute(&s, &[&ids, &kinds, &ats, &json, &sinks]).map_err(backend)?;
    }
    if !batch.history.is_empty() {
        let h = &batch.history;
        // In the batch's order: `n` is the history's order.
        let s = sql(
            tx,
            "INSERT INTO history (at, playbook, record, run, json)
             SELECT at, playbook, record, run, json
             FROM unnest($1::bigint[], $2::text[], $3::text[], $4::bigint[], $5::text[])
                  WITH ORDINALITY AS t (at, playbook, record, run, json, ord)
             ORDER BY ord",
        )?;
        let ats: Vec<i64> = h.iter().map(|r| r.at).collect();
        let playbooks: Vec<&str> = h.iter().map(|r| r.playbook.as_str()).collect();
        let records: Vec<&str> = h.iter().map(|r| r.record.as_str()).collect();
        let runs: Vec<Option<i64>> = h.iter().map(|r| r.run.map(|n| n as i64)).collect();
        let json: Vec<&str> = h.iter().map(|r| r.json.as_str()).collect();
        tx.execute(&s, &[&ats, &playbooks, &records, &runs, &json]).map_err(backend)?;
    }
    if !batch.runs.is_empty() {
        runs(tx, &mut sql, &batch.runs)?;
    }
    if !batch.values.is_empty() {
        let v = &batch.values;
        let s = sql(
            tx,
            "INSERT INTO field_values (record, field, at, value)
             SELECT record, field, at, value
             FROM unnest($1::text[], $2::text[], $3::bigint[], $4::float8[]) AS t (record, field, at, value)",
        )?;
        let records: Vec<&str> = v.iter().map(|r| r.record.as_str()).collect();
        let fields: Vec<&str> = v.iter().map(|r| r.field.as_str()).collect();
        let ats: Vec<i64> = v.iter().map(|r| r.at).collect();
        let values: Vec<f64> = v.iter().map(|r| r.value).collect();
        tx.execute(&s, &[&records, &fields, &ats, &values]).map_err(backend)?;
    }
    Ok((last + n) as Position)
}

type Prepare<'a> = dyn FnMut(&mut Transaction, &'static str) -> Result<Statement> + 'a;

/// An action produced again under its id (a snoozed task coming back) reopens it; it is
/// never a second row. Within one batch the first of an id is the one inserted, as a row
/// at a time would do.
fn actions(tx: &mut Transaction, sql: &mut Prepare, all: &[ActionRow]) -> Result<()> {
    let mut seen = std::collections::HashSet::new();
    let a: Vec<&ActionRow> = all.iter().filter(|a| seen.insert(a.id.as_str())).collect();
    let s = sql(
        tx,
        "INSERT INTO actions (id, at, seq, playbook, step, record, kind, category, assignee, priority, state,
                              public, owner, snoozed_until, json)
         SELECT * FROM unnest($1::text[], $2::bigint[], $3::bigint[], $4::text[], $5::text[], $6::text[],
                              $7::text[], $8::text[], $9::text[], $10::float8[], $11::text[], $12::bool[],
                              $13::text[], $14::bigint[], $15::text[])
         ON CONFLICT (id) DO UPDATE SET state = 'open', snoozed_until = NULL WHERE actions.state = 'snoozed'",
    )?;
    let ids: Vec<&str> = a.iter().map(|r| r.id.as_str()).collect();
    let ats: Vec<i64> = a.iter().map(|r| r.at).collect();
    let seqs: Vec<i64> = a.iter().map(|r| r.seq as i64).collect();
    let playbooks: Vec<&str> = a.iter().map(|r| r.playbook.as_str()).collect();
    let steps: Vec<&str> = a.iter().map(|r| r.step.as_str()).collect();
    let records: Vec<&str> = a.iter().map(|r| r.record.as_str()).collect();
    let kinds: Vec<&str> = a.iter().map(|r| r.kind.as_str()).collect();
    let categories: Vec<Option<&str>> = a.iter().map(|r| r.category.as_deref()).collect();
    let assignees: Vec<Option<&str>> = a.iter().map(|r| r.assignee.as_deref()).collect();
    let priorities: Vec<f64> = a.iter().map(|r| r.priority).collect();
    let states: Vec<&str> = a.iter().map(|r| r.state.name()).collect();
    let public: Vec<bool> = a.iter().map(|r| r.public).collect();
    let owners: Vec<Option<&str>> = a.iter().map(|r| r.owner.as_deref()).collect();
    let snoozed: Vec<Option<i64>> = a.iter().map(|r| r.snoozed_until).collect();
    let json: Vec<&str> = a.iter().map(|r| r.json.as_str()).collect();
    tx.execute(
        &s,
        &[
            &ids,
            &ats,
            &seqs,
            &playbooks,
            &steps,
            &records,
            &kinds,
            &categories,
            &assignees,
            &priorities,
            &states,
            &public,
            &owners,
            &snoozed,
            &json,
        ],
    )
    .map_err(backend)?;
    Ok(())
}

/// People working actions; of two updates of one action in a batch the last stands.
fn updates(tx: &mut Transaction, sql: &mut Prepare, all: &[ActionUpdate]) -> Result<()> {
    let mut last: HashMap<&str, &ActionUpdate> = HashMap::new();
    for u in all {
        last.insert(u.id.as_str(), u);
    }
    let u: Vec<&ActionUpdate> = last.into_values().collect();
    let s = sql(
        tx,
        "UPDATE actions SET state = u.state, snoozed_until = u.snoozed_until, worked_by = u.by, worked_at = u.at
         FROM unnest($1::text[], $2::text[], $3::bigint[], $4::text[], $5::bigint[])
              AS u (id, state, snoozed_until, by, at)
         WHERE actions.id = u.id",
    )?;
    let ids: Vec<&str> = u.iter().map(|r| r.id.as_str()).collect();
    let states: Vec<&str> = u.iter().map(|r| r.state.name()).collect();
    let snoozed: Vec<Option<i64>> = u.iter().map(|r| r.snoozed_until).collect();
    let by: Vec<Option<&str>> = u.iter().map(|r| r.by.as_deref()).collect();
    let ats: Vec<i64> = u.iter().map(|r| r.at).collect();
    tx.execute(&s, &[&ids, &states, &snoozed, &by, &ats]).map_err(backend)?;
    Ok(())
}

/// Runs started, moved or ended; two rows of one run in a batch fold into one as two
/// upserts in a row would.
fn runs(tx: &mut Transaction, sql: &mut Prepare, all: &[RunRow]) -> Result<()> {
    let mut merged: Vec<RunRow> = Vec::new();
    let mut at: HashMap<u64, usize> = HashMap::new();
    for r in all {
        match at.get(&r.run) {
            Some(&i) => {
                let m = &mut merged[i];
                m.updated = r.updated;
                m.state = r.state.clone();
                if r.step.is_some() {
                    m.step = r.step.clone();
                }
            }
            None => {
                at.insert(r.run, merged.len());
                merged.push(r.clone());
            }
        }
    }
    let s = sql(
        tx,
        "INSERT INTO runs (run, playbook, record, started, updated, step, state)
         SELECT * FROM unnest($1::bigint[], $2::text[], $3::text[], $4::bigint[], $5::bigint[], $6::text[], $7::text[])
         ON CONFLICT (run) DO UPDATE SET updated = excluded.updated,
             step = coalesce(excluded.step, runs.step), state = excluded.state",
    )?;
    let r = &merged;
    let runs: Vec<i64> = r.iter().map(|r| r.run as i64).collect();
    let playbooks: Vec<&str> = r.iter().map(|r| r.playbook.as_str()).collect();
    let records: Vec<&str> = r.iter().map(|r| r.record.as_str()).collect();
    let started: Vec<i64> = r.iter().map(|r| r.started).collect();
    let updated: Vec<i64> = r.iter().map(|r| r.updated).collect();
    let steps: Vec<Option<&str>> = r.iter().map(|r| r.step.as_deref()).collect();
    let states: Vec<&str> = r.iter().map(|r| r.state.as_str()).collect();
    tx.execute(&s, &[&runs, &playbooks, &records, &started, &updated, &steps, &states]).map_err(backend)?;
    Ok(())
}

/// The touch budgets a batch used, checked against every partition's uses and kept with
/// them, in the batch's transaction: each (limit, teammate) is locked for the rest of the
/// transaction, so two partitions cannot both take a budget's last slot. A use that finds
/// its window full refuses the whole batch ([`StoreError::BudgetTaken`]).
pub fn budget_uses(tx: &mut Transaction, home: &str, partition: i32, uses: &[SharedUse]) -> Result<()> {
    let count = format!("SELECT count(*) FROM {home}play_budget_uses WHERE limit_name = $1 AND who = $2 AND at > $3");
    let insert = format!("INSERT INTO {home}play_budget_uses (partition, limit_name, who, at) VALUES ($1, $2, $3, $4)");
    // Locked in one order by every partition, so that two batches never wait for each other.
    let mut uses: Vec<&SharedUse> = uses.iter().collect();
    uses.sort_by(|a, b| (&a.used.limit, &a.used.who, a.used.at).cmp(&(&b.used.limit, &b.used.who, b.used.at)));
    for u in uses {
        let key = format!("{}\u{1f}{}", u.used.limit, u.used.who);
        tx.execute("SELECT pg_advisory_xact_lock(hashtext($1))", &[&key]).map_err(backend)?;
        let used: i64 = tx.query_one(&count, &[&u.used.limit, &u.used.who, &u.since]).map_err(backend)?.get(0);
        if used as u64 >= u.count {
            return Err(StoreError::BudgetTaken { limit: u.used.limit.clone(), who: u.used.who.clone() });
        }
        tx.execute(&insert, &[&partition, &u.used.limit, &u.used.who, &u.used.at]).map_err(backend)?;
    }
    Ok(())
}
