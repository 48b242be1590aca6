//! `POST /v1/calls`: calls a teammate or a dialer logs, each written to the CRM record it
//! names or matches (an orphan, to adopt, when none does) by the outbox worker. The calls
//! go to the engine thread, which writes their rows in a group commit: the answer comes
//! once they are durable.

use axum::body::Bytes;
use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use serde_json::{json, Value};
use tokio::sync::oneshot;

use super::{ApiError, App, Teammate};
use crate::calls::read_body;
use crate::writer::Request;

pub async fn post(State(app): State<App>, Teammate(who): Teammate, body: Bytes) -> Result<Json<Value>, ApiError> {
    let calls = read_body(&body).map_err(super::emails::refusal)?;
    let (reply, answer) = oneshot::channel();
    app.send(Request::Calls { calls, teammate: who, reply })?;
    let calls = answer
        .await
        .map_err(|_| ApiError::stopping())?
        .map_err(|m| ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, m))?;
    Ok(Json(json!({ "calls": calls })))
}
