//! What a `brief` action tells, captured when the action is projected into the outbox (the
//! worker never reads the engine): the record's key fields, how its numeric fields moved
//! over the last 30 days, its events of those 30 days (the latest 10) and the actions open
//! on it in the queue. Kept in the outbox row as `data`; `play_delivery::brief` writes it out.

use play_runtime::engine::Engine;
use play_runtime::store::MemoryStore;
use play_runtime::value::moment_text;
use play_runtime::vm::Data;
use play_store::{ActionQuery, ActionRow, ActionState, Batch, Store};
use serde_json::{json, Map, Value};

const DAY: i64 = 86_400;
/// How far back trends and events look.
const WINDOW: i64 = 30 * DAY;
const EVENTS: usize = 10;
const OPEN_ACTIONS: usize = 20;

/// The data of a brief about `record` (`Account/acme`) at `now`: the open actions are those
/// of `store` with what `batch` (not committed yet) changes of them, so that the data is the
/// same however commands were grouped into batches (a refold of the journal agrees).
pub fn data(engine: &Engine<MemoryStore>, store: &dyn Store, batch: &Batch, record: &str, now: i64) -> Value {
    let program = engine.program();
    let (kind, id) = record.split_once('/').unwrap_or((record, ""));
    let Some(rt) = program.schema.records.iter().position(|r| r.name == kind) else {
        return json!({ "record": record });
    };
    let def = &program.schema.records[rt];
    let mut fields = Map::new();
    let mut trends = Vec::new();
    if let Some(row) = engine.store.record(rt as u32, id) {
        for (slot, field) in def.fields.iter().enumerate() {
            let value = row.value(slot);
            if matches!(value, play_runtime::value::Value::Empty) {
                continue;
            }
            if let Some(n) = value.number() {
                let before = engine.store.value_at(rt as u32, id, slot as u32, now - WINDOW).and_then(|v| v.number());
                if let Some(before) = before.filter(|b| *b != n) {
                    trends.push(json!({ "field": field.name, "before": before, "now": n, "since": "30 days" }));
                }
            }
            fields.insert(field.name.clone(), value.to_json(program));
        }
    }
    let mut events: Vec<(i64, Value)> = Vec::new();
    for (e, event) in program.schema.events.iter().enumerate() {
        let concerns = event.subject == rt || event.owners.iter().any(|(r, _)| *r == rt);
        if !concerns {
            continue;
        }
        for h in engine.store.events(rt as u32, id, e as u32).iter().filter(|h| h.at > now - WINDOW) {
            let named: Map<String, Value> = event
                .fields
                .iter()
                .zip(&h.fields)
                .filter(|(_, v)| !matches!(v, play_runtime::value::Value::Empty))
                .map(|(f, v)| (f.name.clone(), v.to_json(program)))
                .collect();
            events.push((h.at, json!({ "at": moment_text(h.at), "event": event.name, "fields": named })));
        }
    }
    events.sort_by_key(|(at, _)| std::cmp::Reverse(*at));
    let events: Vec<Value> = events.into_iter().take(EVENTS).map(|(_, v)| v).collect();
    let open: Vec<Value> = open_actions(store, batch, record)
        .iter()
        .map(|row| {
            let j: Value = serde_json::from_str(&row.json).unwrap_or(Value::Null);
            json!({ "id": row.id, "action": row.kind, "title": j["title"], "to": j["to"], "playbook": row.playbook })
        })
        .collect();
    json!({ "record": record, "fields": fields, "trends": trends, "events": events, "open_actions": open })
}

/// The actions open on `record`, ranked as the queue is (priority, then age), at most
/// [`OPEN_ACTIONS`].
fn open_actions(store: &dyn Store, batch: &Batch, record: &str) -> Vec<ActionRow> {
    let query = ActionQuery {
        record: Some(record.to_string()),
        state: Some(ActionState::Open),
        limit: 10 * OPEN_ACTIONS,
        ..ActionQuery::default()
    };
    let mut open = store.actions(&query).map(|page| page.items).unwrap_or_default();
    open.extend(batch.actions.iter().filter(|a| a.record == record && a.state == ActionState::Open).cloned());
    for u in &batch.updates {
        if u.state != ActionState::Open {
            open.retain(|a| a.id != u.id);
        }
    }
    open.sort_by(|a, b| b.priority.total_cmp(&a.priority).then(a.at.cmp(&b.at)).then(a.seq.cmp(&b.seq)));
    open.dedup_by(|a, b| a.id == b.id);
    open.truncate(OPEN_ACTIONS);
    open
}
