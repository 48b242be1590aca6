//! The queue: listing actions, one action, and working them (`complete`, `dismiss`,
//! `snooze`, `approve`) or adding an activity, each journaled as a change line made by the
//! teammate asking. An action the teammate may not see is 404, as if it were not there.

use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::Json;
use play_store::{ActionQuery, ActionRow, ActionState, Cursor};
use serde::Deserialize;
use serde_json::{Map, Value};
use tokio::sync::oneshot;

use super::{may_see, ApiError, App, Teammate};
use crate::project::action_json;
use crate::writer::Request;

#[derive(Deserialize)]
pub struct ListQuery {
    assignee: Option<String>,
    state: Option<String>,
    category: Option<String>,
    playbook: Option<String>,
    record: Option<String>,
    limit: Option<usize>,
    cursor: Option<String>,
}

const MAX_PAGE: usize = 500;

pub async fn list(
    State(app): State<App>,
    Teammate(who): Teammate,
    Query(q): Query<ListQuery>,
) -> Result<Json<Value>, ApiError> {
    let bad = |m: String| ApiError::new(StatusCode::BAD_REQUEST, m);
    let state = match q.state.as_deref() {
        None => None,
        Some(s) => Some(
            ActionState::from_name(s)
                .ok_or_else(|| bad(format!("`{s}` is not a state: use open, snoozed, done, dismissed or archived")))?,
        ),
    };
    let cursor = match q.cursor.as_deref() {
        None => None,
        Some(c) => Some(Cursor::decode(c).ok_or_else(|| bad("the cursor is not one this daemon gave".into()))?),
    };
    let query = ActionQuery {
        assignee: q.assignee,
        state,
        category: q.category,
        playbook: q.playbook,
        record: q.record,
        visible_to: Some(who),
        limit: q.limit.unwrap_or(50).clamp(1, MAX_PAGE),
        cursor,
    };
    let page = app.read(move |s| s.actions(&query)).await?;
    let items: Vec<Value> = page.items.iter().map(action_json).collect();
    Ok(Json(serde_json::json!({ "items": items, "next_cursor": page.next.map(|c| c.encode()) })))
}

/// The action, if there is one `who` may see.
pub(super) async fn visible(app: &App, id: String, who: &str) -> Result<ActionRow, ApiError> {
    let row = app.read(move |s| s.action(&id)).await?;
    row.filter(|r| may_see(r.public, r.owner.as_deref(), who)).ok_or_else(|| ApiError::not_found("such action"))
}

/// One action as the API shows it, with, for an approved email task, the email sent.
async fn detail(app: &App, id: String, who: &str) -> Result<Value, ApiError> {
    let row = visible(app, id, who).await?;
    let mut json = action_json(&row);
    let sent = app.read(move |s| super::deliveries::sent_of(s, &row)).await?;
    if let (Some(d), Value::Object(map)) = (sent, &mut json) {
        map.insert("sent".into(), super::deliveries::sent_json(&d));
    }
    Ok(json)
}

pub async fn one(
    State(app): State<App>,
    Teammate(who): Teammate,
    Path(id): Path<String>,
) -> Result<Json<Value>, ApiError> {
    Ok(Json(detail(&app, id, &who).await?))
}

/// What working an action may carry.
const OP_KEYS: [&str; 5] = ["note", "reason", "until", "subject", "body"];

pub async fn work(
    State(app): State<App>,
    Teammate(who): Teammate,
    Path((id, op)): Path<(String, String)>,
    body: axum::body::Bytes,
) -> Result<Json<Value>, ApiError> {
    if !["complete", "dismiss", "snooze", "approve"].contains(&op.as_str()) {
        return Err(ApiError::not_found(&format!("operation `{op}` on an action")));
    }
    visible(&app, id.clone(), &who).await?;
    let mut change = object(&body)?;
    if let Some(key) = change.keys().find(|k| !OP_KEYS.contains(&k.as_str())) {
        return Err(ApiError::new(
            StatusCode::BAD_REQUEST,
            format!("`{key}` is not something to send with an action: use note, reason, until, subject or body"),
        ));
    }
    change.insert("change".into(), "action".into());
    change.insert("op".into(), op.into());
    change.insert("action".into(), id.clone().into());
    change.insert("by".into(), who.clone().into());
    journal(&app, change).await?;
    Ok(Json(detail(&app, id, &who).await?))
}

#[derive(Deserialize)]
pub struct Activity {
    playbook: String,
    activity: String,
}

pub async fn activity(
    State(app): State<App>,
    Teammate(_who): Teammate,
    Path((record_type, id)): Path<(String, String)>,
    Json(a): Json<Activity>,
) -> Result<Json<Value>, ApiError> {
    journal(&app, activity_change(&format!("{record_type}/{id}"), &a.playbook, &a.activity)).await?;
    Ok(Json(serde_json::json!({ "accepted": true })))
}

/// The change that adds an optional activity to the stage a run of `playbook` on `record`
/// (`Type/id`) is in; the inbox's case page makes the same.
pub(crate) fn activity_change(record: &str, playbook: &str, activity: &str) -> Map<String, Value> {
    let mut change = Map::new();
    change.insert("change".into(), "activity".into());
    change.insert("record".into(), record.into());
    change.insert("playbook".into(), playbook.into());
    change.insert("activity".into(), activity.into());
    change
}

/// An optional JSON object body.
pub(super) fn object(body: &[u8]) -> Result<Map<String, Value>, ApiError> {
    if body.trim_ascii().is_empty() {
        return Ok(Map::new());
    }
    match serde_json::from_slice(body) {
        Ok(Value::Object(map)) => Ok(map),
        _ => Err(ApiError::new(StatusCode::BAD_REQUEST, "the body is not a JSON object")),
    }
}

/// Hands a queue change to the engine thread; its refusal is 422 with the engine's words.
pub(super) async fn journal(app: &App, change: Map<String, Value>) -> Result<(), ApiError> {
    let (reply, answer) = oneshot::channel();
    app.send(Request::Queue { change, reply })?;
    match answer.await {
        Ok(Ok(Ok(()))) => Ok(()),
        Ok(Ok(Err(r))) => {
            Err(ApiError { status: StatusCode::UNPROCESSABLE_ENTITY, message: r.message, field: r.field })
        }
        Ok(Err(message)) => Err(ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, message)),
        Err(_) => Err(ApiError::stopping()),
    }
}
