//! `POST /v1/sync`: pull changes from the CRM now — every configured object, or one
//! record (`{"record": "Account/001…"}`) — answered once what was pulled is durable.

use axum::body::Bytes;
use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use serde::Deserialize;

use super::{ApiError, App, Teammate};
use crate::pull::SyncReport;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Ask {
    record: Option<String>,
}

pub async fn post(State(app): State<App>, _who: Teammate, body: Bytes) -> Result<Json<SyncReport>, ApiError> {
    let record = record_of(&body)?;
    let Some(puller) = app.pull.clone() else {
        return Err(ApiError::new(
            StatusCode::CONFLICT,
            "no CRM is configured: add `[crm.salesforce]` or `[crm.hubspot]` to `play.toml`",
        ));
    };
    let done = tokio::task::spawn_blocking(move || {
        let record = record.as_ref().and_then(|r| r.split_once('/'));
        puller.sync(record, crate::clock::wall())
    })
    .await;
    match done {
        Ok(Ok(report)) => Ok(Json(report)),
        Ok(Err(message)) => Err(ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, message)),
        Err(_) => Err(ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, "the sync stopped unexpectedly")),
    }
}

/// The record asked for, `Type/id`, if any; an empty body asks for everything.
fn record_of(body: &[u8]) -> Result<Option<String>, ApiError> {
    if body.trim_ascii().is_empty() {
        return Ok(None);
    }
    let bad = |message: String| {
        let mut e = ApiError::new(StatusCode::BAD_REQUEST, message);
        e.field = Some("record".into());
        e
    };
    let ask: Ask =
        serde_json::from_slice(body).map_err(|e| bad(format!("the body is not `{{\"record\": \"Type/id\"}}`: {e}")))?;
    match ask.record {
        Some(r) if !r.split_once('/').is_some_and(|(t, id)| !t.is_empty() && !id.is_empty()) => {
            Err(bad(format!("`{r}` is not a record: write it `Type/id`, like `Account/0015g00000AbCdE`")))
        }
        r => Ok(r),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_record_is_type_slash_id_and_an_empty_body_asks_for_everything() {
        assert_eq!(record_of(b"").unwrap(), None);
        assert_eq!(record_of(b"{}").unwrap(), None);
        assert_eq!(record_of(br#"{"record":"Account/001"}"#).unwrap().as_deref(), Some("Account/001"));
        let e = record_of(br#"{"record":"acme"}"#).unwrap_err();
        assert_eq!((e.status, e.field.as_deref()), (StatusCode::BAD_REQUEST, Some("record")));
        assert_eq!(record_of(br#"{"recrd":"Account/1"}"#).unwrap_err().status, StatusCode::BAD_REQUEST);
    }
}
