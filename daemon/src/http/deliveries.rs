//! Delivery in the API: `GET /v1/deliveries` (each outbox row and where it is),
//! `POST /v1/deliveries/{id}/retry` (a dead or skipped one, after a fix), the sync log
//! (`GET /v1/sync-log`, JSON or, with `Accept: text/csv`, a CSV of the last 30 days,
//! filtered by sink, record, outcome and teammate) and `POST /v1/unsubscribe`, the one-click target of automatic emails' `List-Unsubscribe`.
//! A private playbook's deliveries are shown to its owner alone, as its actions are.

use std::collections::HashMap;

use axum::extract::{Path, Query, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use play_runtime::value::moment_text;
use play_store::{ActionRow, ActionState, Attempt, Delivery, DeliveryQuery, DeliveryState, LogQuery, Outbox, Store};
use serde::Deserialize;
use serde_json::{json, Value};

use super::{ApiError, App, Teammate};

/// The outbox of a store that keeps one.
pub(super) fn outbox(s: &dyn Store) -> play_store::Result<&dyn Outbox> {
    s.as_outbox().ok_or_else(|| play_store::StoreError::Backend("this store keeps no delivery state".into()))
}

/// Runs a write of delivery's state on a store of its own, off the async threads; `what`
/// names it should it stop.
pub(super) async fn write<T: Send + 'static>(
    app: &App,
    what: &'static str,
    change: impl FnOnce(&mut dyn Outbox) -> play_store::Result<T> + Send + 'static,
) -> Result<T, ApiError> {
    let open = app.open.clone();
    tokio::task::spawn_blocking(move || -> play_store::Result<T> {
        let mut store = open()?;
        let outbox = store
            .as_outbox_mut()
            .ok_or_else(|| play_store::StoreError::Backend("this store keeps no delivery state".into()))?;
        change(outbox)
    })
    .await
    .map_err(|_| ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, format!("{what} stopped unexpectedly")))?
    .map_err(ApiError::store)
}

fn playbook(json: &str) -> String {
    serde_json::from_str::<Value>(json).ok().and_then(|v| v["playbook"].as_str().map(String::from)).unwrap_or_default()
}

fn bad(message: String) -> ApiError {
    ApiError::new(StatusCode::BAD_REQUEST, message)
}

/// The email an approved email task sent (its outbox row), if it was approved.
pub fn sent_of(s: &dyn Store, task: &ActionRow) -> play_store::Result<Option<Delivery>> {
    if task.kind != "email_task" || task.state != ActionState::Done {
        return Ok(None);
    }
    outbox(s)?.delivery(&crate::project::approved_email_id(&task.id))
}

/// What an approved email task sent, as the action's detail shows it: the email as
/// approved (with the edits), who approved it, and where its delivery is.
pub fn sent_json(d: &Delivery) -> Value {
    let email: Value = serde_json::from_str(&d.json).unwrap_or(Value::Null);
    json!({
        "id": d.action_id,
        "to": email["to"],
        "subject": email["subject"],
        "body": email["body"],
        "approved_by": email["approved_by"],
        "approved": moment_text(d.at),
        "state": d.state.name(),
        "sent": (d.state == DeliveryState::Delivered).then(|| d.done_at.map(moment_text)).flatten(),
        "attempts": d.attempts,
        "last_code": d.last_code,
        "last_message": d.last_message,
    })
}

#[derive(Deserialize)]
pub struct ListParams {
    state: Option<String>,
    kind: Option<String>,
    sink: Option<String>,
    limit: Option<usize>,
    before: Option<u64>,
}

fn delivery_json(d: &Delivery) -> Value {
    let action: Value = serde_json::from_str(&d.json).unwrap_or(Value::Null);
    json!({
        "id": d.action_id,
        "kind": d.kind,
        "sink": d.sink,
        "state": d.state.name(),
        "record": action["record"],
        "playbook": action["playbook"],
        "produced": moment_text(d.at),
        "attempts": d.attempts,
        "next_attempt": (d.state == DeliveryState::Pending).then(|| moment_text(d.next_at)),
        "last_code": d.last_code,
        "last_message": d.last_message,
        "done": d.done_at.map(moment_text),
        "seq": d.seq,
    })
}

pub async fn list(
    State(app): State<App>,
    Teammate(who): Teammate,
    Query(q): Query<ListParams>,
) -> Result<Json<Value>, ApiError> {
    let state = match q.state.as_deref() {
        None => None,
        Some(name) => Some(DeliveryState::from_name(name).ok_or_else(|| {
            bad(format!("`state` is one of `pending`, `delivered`, `dead`, `skipped` and `orphan`, not `{name}`"))
        })?),
    };
    let limit = q.limit.unwrap_or(100).clamp(1, 1000);
    let query = DeliveryQuery { state, kind: q.kind, sink: q.sink, limit, before: q.before };
    let rows = app.read(move |s| outbox(s)?.deliveries(&query)).await?;
    let next = (rows.len() == limit).then(|| rows.last().map(|d| d.seq)).flatten();
    let status = app.status();
    let items: Vec<Value> = rows.iter().filter(|d| status.sees(&playbook(&d.json), &who)).map(delivery_json).collect();
    Ok(Json(json!({ "deliveries": items, "next_before": next })))
}

pub async fn retry(
    State(app): State<App>,
    Teammate(who): Teammate,
    Path(id): Path<String>,
) -> Result<Json<Value>, ApiError> {
    let key = id.clone();
    let found = app.read(move |s| outbox(s)?.delivery(&key)).await?;
    let Some(d) = found.filter(|d| app.status().sees(&playbook(&d.json), &who)) else {
        return Err(ApiError::not_found(&format!("delivery `{id}`")));
    };
    if d.state == DeliveryState::Orphan {
        return Err(ApiError::new(
            StatusCode::CONFLICT,
            format!("delivery `{id}` is an orphan: adopt it to a record with `POST /v1/tasks/{{id}}/adopt`"),
        ));
    }
    if matches!(d.state, DeliveryState::Pending | DeliveryState::Delivered) {
        return Err(ApiError::new(
            StatusCode::CONFLICT,
            format!("delivery `{id}` is {}: only a dead or skipped delivery is retried", d.state.name()),
        ));
    }
    let key = id.clone();
    let now = crate::clock::wall();
    let done = write(&app, "the retry", move |outbox| outbox.retry_delivery(&key, now)).await?;
    if !done {
        return Err(ApiError::new(StatusCode::CONFLICT, format!("delivery `{id}` changed meanwhile; look again")));
    }
    Ok(Json(json!({ "id": id, "state": "pending", "next_attempt": moment_text(now) })))
}

#[derive(Deserialize)]
pub struct LogParams {
    since: Option<String>,
    limit: Option<usize>,
    sink: Option<String>,
    record: Option<String>,
    outcome: Option<String>,
    teammate: Option<String>,
}

/// What an attempt can come to, as the sync log writes it.
pub const OUTCOMES: [&str; 7] = ["delivered", "retry", "paused", "failed", "dead", "skipped", "orphan"];

/// Every delivery attempt, filtered by `sink`, `record`, `outcome` and `teammate`; CSV of
/// the last 30 days (or since `since`) for `Accept: text/csv`.
pub async fn sync_log(
    State(app): State<App>,
    Teammate(who): Teammate,
    headers: HeaderMap,
    Query(q): Query<LogParams>,
) -> Result<Response, ApiError> {
    let csv = headers.get(header::ACCEPT).and_then(|v| v.to_str().ok()).is_some_and(|v| v.contains("text/csv"));
    let since = match q.since.as_deref() {
        Some(text) => chrono::DateTime::parse_from_rfc3339(text)
            .map_err(|_| bad(format!("`since` is not a moment: write it as 2026-03-02T09:00:00Z, not `{text}`")))?
            .timestamp(),
        None if csv => crate::clock::wall() - 30 * 86_400,
        None => 0,
    };
    if let Some(outcome) = q.outcome.as_deref().filter(|o| !OUTCOMES.contains(o)) {
        return Err(bad(format!(
            "`outcome` is one of {}, not `{outcome}`",
            OUTCOMES.map(|o| format!("`{o}`")).join(", ")
        )));
    }
    let limit = if csv { 1_000_000 } else { q.limit.unwrap_or(500).clamp(1, 5000) };
    let query = LogQuery { since, limit, sink: q.sink, record: q.record, outcome: q.outcome, teammate: q.teammate };
    let rows = log_rows(&app, &who, query).await?;
    if csv {
        return Ok(csv_answer(&rows));
    }
    let entries: Vec<Value> = rows
        .iter()
        .map(|(playbook, a)| {
            json!({ "at": moment_text(a.at), "action": a.action_id, "playbook": playbook, "sink": a.sink,
                    "record": a.record, "teammate": a.teammate, "attempt": a.attempt, "outcome": a.outcome,
                    "code": a.code, "message": a.message, "next_retry": a.next_at.map(moment_text) })
        })
        .collect();
    Ok(Json(json!({ "entries": entries })).into_response())
}

/// The attempts `query` picks that `who` may see, each with its action's playbook, oldest
/// first (the inbox's sync-log page reads them too).
pub async fn log_rows(app: &App, who: &str, query: LogQuery) -> Result<Vec<(String, Attempt)>, ApiError> {
    let rows = app
        .read(move |s| {
            let outbox = outbox(s)?;
            let mut playbooks: HashMap<String, String> = HashMap::new();
            let mut out = Vec::new();
            for a in outbox.sync_log_where(&query)? {
                if !playbooks.contains_key(&a.action_id) {
                    let name = outbox.delivery(&a.action_id)?.map(|d| playbook(&d.json)).unwrap_or_default();
                    playbooks.insert(a.action_id.clone(), name);
                }
                out.push((playbooks[&a.action_id].clone(), a));
            }
            Ok(out)
        })
        .await?;
    let status = app.status();
    Ok(rows.into_iter().filter(|(p, _)| status.sees(p, who)).collect())
}

/// The sync log as a CSV download (`sync-log.csv`).
pub fn csv_answer(rows: &[(String, Attempt)]) -> Response {
    let disposition = "attachment; filename=\"sync-log.csv\"";
    ([(header::CONTENT_TYPE, "text/csv; charset=utf-8"), (header::CONTENT_DISPOSITION, disposition)], to_csv(rows))
        .into_response()
}

/// The sync log as CSV: a header line, then one line per attempt.
fn to_csv(rows: &[(String, Attempt)]) -> String {
    let mut out = String::from("at,action,playbook,sink,record,teammate,attempt,outcome,code,message,next_retry\r\n");
    for (playbook, a) in rows {
        let cells = [
            moment_text(a.at),
            a.action_id.clone(),
            playbook.clone(),
            a.sink.clone(),
            a.record.clone(),
            a.teammate.clone().unwrap_or_default(),
            a.attempt.to_string(),
            a.outcome.clone(),
            a.code.clone(),
            a.message.clone(),
            a.next_at.map(moment_text).unwrap_or_default(),
        ];
        let line: Vec<String> = cells.iter().map(|c| cell(c)).collect();
        out.push_str(&line.join(","));
        out.push_str("\r\n");
    }
    out
}

/// One CSV cell: quoted when it must be, and a leading `=`, `+`, `-` or `@` made inert so
/// that a spreadsheet never runs a remote message as a formula.
fn cell(text: &str) -> String {
    let text = if text.starts_with(['=', '+', '-', '@']) { format!("'{text}") } else { text.to_string() };
    if text.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", text.replace('"', "\"\""))
    } else {
        text
    }
}

#[derive(Deserialize)]
pub struct UnsubscribeParams {
    email: Option<String>,
    action: Option<String>,
}

/// One-click unsubscribe (RFC 8058): no token, but the action must be an email Play sent
/// to that address, so that nobody can opt someone else out.
pub async fn unsubscribe(State(app): State<App>, Query(q): Query<UnsubscribeParams>) -> Result<Json<Value>, ApiError> {
    let (Some(email), Some(action)) = (q.email, q.action) else {
        return Err(bad("the link lacks `email` or `action`: use the link from the email as it came".into()));
    };
    let address = email.trim().to_lowercase();
    let key = action.clone();
    let sent = app.read(move |s| outbox(s)?.delivery(&key)).await?;
    let to = sent
        .as_ref()
        .and_then(|d| serde_json::from_str::<Value>(&d.json).ok())
        .and_then(|v| (v["action"] == "email").then(|| v["to"].as_str().map(|t| t.trim().to_lowercase())).flatten());
    if to.as_deref() != Some(address.as_str()) {
        return Err(ApiError::not_found("email with this link"));
    }
    let now = crate::clock::wall();
    let who = address.clone();
    write(&app, "the unsubscribe", move |outbox| outbox.set_opt_out(&who, Some("unsubscribed"), now)).await?;
    Ok(Json(json!({ "unsubscribed": address })))
}

#[cfg(test)]
#[path = "deliveries_tests.rs"]
mod tests;
