//! Ad hoc tasks and orphans: `POST /v1/tasks` makes a task outside any playbook (journaled
//! as a `"change":"task"` line, so a replay makes it again with its id); `GET
//! /v1/tasks/orphans` lists completed work whose record the CRM could not match, a page
//! at a time; `POST /v1/tasks/{id}/adopt` attaches one to another record, after which it
//! is delivered again. An orphan of a private playbook is 404 to whoever may not see it.

use std::sync::atomic::{AtomicU64, Ordering};

use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::Json;
use play_delivery::crm::activity::RECORD_TYPES;
use play_runtime::value::moment_text;
use play_store::{Delivery, DeliveryQuery, DeliveryState};
use serde::Deserialize;
use serde_json::{json, Value};

use super::deliveries::{outbox, write};
use super::queue::{journal, object, visible};
use super::{ApiError, App, Teammate};
use crate::project::action_json;

/// What a new task may carry.
const TASK_KEYS: [&str; 5] = ["title", "record", "to", "due", "note"];

/// A new task's id: unique to this daemon (the teammate, the moment to the nanosecond and
/// a counter), and journaled with the task, so that a replay gives the same one.
fn new_id(who: &str) -> String {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let n = COUNTER.fetch_add(1, Ordering::Relaxed);
    let nanos = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_nanos());
    play_compiler::program::hex_hash(format!("task|{who}|{nanos}|{n}").as_bytes())
}

pub async fn create(
    State(app): State<App>,
    Teammate(who): Teammate,
    body: axum::body::Bytes,
) -> Result<Json<Value>, ApiError> {
    let mut change = object(&body)?;
    if let Some(key) = change.keys().find(|k| !TASK_KEYS.contains(&k.as_str())) {
        return Err(ApiError {
            status: StatusCode::BAD_REQUEST,
            message: format!("`{key}` is not something a task has: use title, record, to, due or note"),
            field: Some(key.clone()),
        });
    }
    let id = new_id(&who);
    change.insert("change".into(), "task".into());
    change.insert("id".into(), id.clone().into());
    change.insert("by".into(), who.clone().into());
    journal(&app, change).await?;
    let row = visible(&app, id, &who).await?;
    Ok(Json(action_json(&row)))
}

#[derive(Deserialize)]
pub struct OrphanQuery {
    limit: Option<usize>,
    cursor: Option<String>,
}

/// The task an orphan delivery logs (`of`), its record and what the CRM said.
fn orphan_json(d: &Delivery) -> Value {
    let action: Value = serde_json::from_str(&d.json).unwrap_or(Value::Null);
    let task =
        action["of"].as_str().map_or_else(|| d.action_id.trim_end_matches(".activity").to_string(), String::from);
    json!({
        "id": task,
        "kind": if d.kind == "log_email" { "email" } else if action["done"] == "call" { "call" } else { "task" },
        "delivery": d.action_id,
        "record": action["record"],
        "playbook": action["playbook"],
        "step": action["step"],
        "subject": action["subject"],
        "by": action["by"],
        "done": if action["at"].is_null() { action["sent_at"].clone() } else { action["at"].clone() },
        "code": d.last_code,
        "message": d.last_message,
    })
}

fn playbook_of(d: &Delivery) -> String {
    let action: Value = serde_json::from_str(&d.json).unwrap_or(Value::Null);
    action["playbook"].as_str().unwrap_or_default().to_string()
}

pub async fn orphans(
    State(app): State<App>,
    Teammate(who): Teammate,
    Query(q): Query<OrphanQuery>,
) -> Result<Json<Value>, ApiError> {
    let before = match q.cursor.as_deref() {
        None => None,
        Some(c) => Some(c.parse::<u64>().map_err(|_| ApiError {
            field: Some("cursor".into()),
            ..ApiError::new(StatusCode::BAD_REQUEST, "the cursor is not one this daemon gave")
        })?),
    };
    let limit = q.limit.unwrap_or(50).clamp(1, 500);
    // Orphaned work and orphaned emails, newest first: each kind's page, merged.
    let rows = app
        .read(move |s| {
            let o = outbox(s)?;
            let mut rows = Vec::new();
            for kind in ["log_activity", "log_email"] {
                let query = DeliveryQuery {
                    state: Some(DeliveryState::Orphan),
                    kind: Some(kind.into()),
                    sink: None,
                    limit,
                    before,
                };
                rows.extend(o.deliveries(&query)?);
            }
            rows.sort_by(|a, b| b.seq.cmp(&a.seq));
            rows.truncate(limit);
            Ok(rows)
        })
        .await?;
    let next = (rows.len() == limit).then(|| rows.last().map(|d| d.seq.to_string())).flatten();
    let status = app.status();
    let items: Vec<Value> = rows.iter().filter(|d| status.sees(&playbook_of(d), &who)).map(orphan_json).collect();
    Ok(Json(json!({ "items": items, "next_cursor": next })))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Adopt {
    record: String,
}

pub async fn adopt(
    State(app): State<App>,
    Teammate(who): Teammate,
    Path(id): Path<String>,
    body: axum::body::Bytes,
) -> Result<Json<Value>, ApiError> {
    let field =
        |message: String| ApiError { field: Some("record".into()), ..ApiError::new(StatusCode::BAD_REQUEST, message) };
    let Adopt { record } = serde_json::from_slice(&body).map_err(|e| {
        ApiError::new(StatusCode::BAD_REQUEST, format!("the body must be {{\"record\":\"Type/id\"}}: {e}"))
    })?;
    let Some((ty, _)) = record.split_once('/').filter(|(t, i)| !t.is_empty() && !i.trim().is_empty()) else {
        return Err(field(format!("`{record}` is not a record: write it as Type/id, like `Account/001A`")));
    };
    if !RECORD_TYPES.contains(&ty) {
        return Err(field(format!(
            "an activity is logged to an Account, Contact, Lead, Opportunity or Case, not a `{ty}`"
        )));
    }
    // Work's delivery is `{id}.activity`; an orphaned email's is its own id.
    let lookup = id.clone();
    let found = app
        .read(move |s| {
            let o = outbox(s)?;
            match o.delivery(&format!("{lookup}.activity"))? {
                Some(d) => Ok(Some(d)),
                None => Ok(o.delivery(&lookup)?.filter(|d| d.kind == "log_email")),
            }
        })
        .await?;
    let key = found.as_ref().map_or_else(String::new, |d| d.action_id.clone());
    let Some(d) = found.filter(|d| app.status().sees(&playbook_of(d), &who)) else {
        return Err(ApiError::not_found(&format!("orphan `{id}`")));
    };
    if d.state != DeliveryState::Orphan {
        return Err(ApiError::new(
            StatusCode::CONFLICT,
            format!("the work of `{id}` is {}, not an orphan: only an orphan is adopted", d.state.name()),
        ));
    }
    let mut action: Value = serde_json::from_str(&d.json).unwrap_or_else(|_| json!({}));
    let was = action["record"].clone();
    action["record"] = record.clone().into();
    action["adopted_from"] = was;
    action["adopted_by"] = who.clone().into();
    let now = crate::clock::wall();
    let text = action.to_string();
    let done = write(&app, "the adoption", move |outbox| outbox.adopt_delivery(&key, &text, now)).await?;
    if !done {
        return Err(ApiError::new(StatusCode::CONFLICT, format!("the orphan `{id}` changed meanwhile; look again")));
    }
    Ok(Json(json!({ "id": id, "delivery": d.action_id, "record": record, "state": "pending",
                    "next_attempt": moment_text(now) })))
}
