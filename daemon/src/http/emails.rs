//! `POST /v1/emails`: emails from the asking teammate's mailbox, each logged to the CRM
//! record it concerns, or skipped with the reason. The company's switch and blacklist and
//! the teammate's own switches and blacklist are read first (an email they keep out is
//! not stored); the others go to the engine thread, which matches each to its record
//! and writes its `log_email` outbox row in a group commit: the answer comes once they
//! are durable, and the outbox worker logs them to the CRM with retries.

use axum::body::Bytes;
use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use play_delivery::blacklist::{skip_reason, CompanySync, EmailParts, TeammateSync};
use serde_json::{json, Value};
use tokio::sync::oneshot;

use super::deliveries::outbox;
use super::{ApiError, App, Teammate};
use crate::emails::{read_body, Bad, Matched};
use crate::writer::Request;

/// A refused body: 400 when it is not the list it should be, 422 naming the bad field.
pub(super) fn refusal(Bad { field, message }: Bad) -> ApiError {
    let status = if field.is_empty() || field == "emails" || field == "calls" {
        StatusCode::BAD_REQUEST
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let mut e = ApiError::new(status, message);
    e.field = Some(field).filter(|f| !f.is_empty());
    e
}

pub async fn post(State(app): State<App>, Teammate(who): Teammate, body: Bytes) -> Result<Json<Value>, ApiError> {
    let emails = read_body(&body, &who).map_err(refusal)?;
    let scope = format!("user:{who}");
    let (company, own) = app
        .read(move |s| {
            let o = outbox(s)?;
            Ok((o.sync_setting("company")?, o.sync_setting(&scope)?))
        })
        .await?;
    let unreadable = |e: serde_json::Error| {
        ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, format!("the saved email-sync settings do not read: {e}"))
    };
    let company: CompanySync =
        company.map(|t| serde_json::from_str(&t)).transpose().map_err(unreadable)?.unwrap_or_default();
    let own: TeammateSync = own.map(|t| serde_json::from_str(&t)).transpose().map_err(unreadable)?.unwrap_or_default();
    let mut answers: Vec<Option<Value>> = Vec::with_capacity(emails.len());
    let mut kept = Vec::new();
    for email in emails {
        let parts =
            EmailParts { from: &email.from, to: &email.to, cc: &email.cc, subject: &email.subject, body: &email.text };
        match skip_reason(&company, Some((&who, &own)), email.direction, &parts) {
            Some(reason) => {
                answers.push(Some(json!({ "message_id": email.message_id, "outcome": "skipped", "reason": reason })))
            }
            None => {
                answers.push(None);
                kept.push(email);
            }
        }
    }
    let ids: Vec<String> = kept.iter().map(|e| e.message_id.clone()).collect();
    let matched = if kept.is_empty() {
        Vec::new()
    } else {
        let (reply, answer) = oneshot::channel();
        app.send(Request::Emails { emails: kept, teammate: who, reply })?;
        answer
            .await
            .map_err(|_| ApiError::stopping())?
            .map_err(|m| ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, m))?
    };
    let mut matched = ids.into_iter().zip(matched);
    let emails: Vec<Value> = answers
        .into_iter()
        .map(|a| {
            a.unwrap_or_else(|| {
                let (id, m) = matched.next().unwrap_or_else(|| {
                    (String::new(), Matched::Skipped { reason: "the engine thread did not answer for it".into() })
                });
                let mut v = serde_json::to_value(m).unwrap_or(Value::Null);
                v["message_id"] = id.into();
                v
            })
        })
        .collect();
    Ok(Json(json!({ "emails": emails })))
}
