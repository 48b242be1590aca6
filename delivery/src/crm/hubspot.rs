//! HubSpot CRM v3 (`/crm/v3/objects/{type}`): `PATCH …/{id}` with `{"properties": …}` to
//! update, `POST` to create (an activity: a `tasks` object with `hs_task_status`
//! `COMPLETED`, associated with the record). Errors come as `{"status": "error",
//! "message", "category", "correlationId"}`: `INVALID_AUTHENTICATION` (401) and
//! `MISSING_SCOPES` (403) pause the sink; 429 (`RATE_LIMIT`) waits for the interval its
//! `X-HubSpot-RateLimit-Interval-Milliseconds` header gives, or its `Retry-After`; 5xx is
//! tried again; `VALIDATION_ERROR` and other 4xx fail with HubSpot's message.

use std::time::Duration;

use serde_json::{json, Map, Value};

use crate::http::{clip, send};
use crate::Outcome;

/// A connection: the API's root (`https://api.hubapi.com`) and a private-app token.
#[derive(Clone, Debug)]
pub struct HubSpot {
    pub root: String,
    pub token: String,
}

/// A record an activity is associated with: its object type's id for the association
/// (`"HUBSPOT_DEFINED"` type id, e.g. 204 for a task to a contact) and the record's id.
#[derive(Clone, Debug)]
pub struct Association {
    pub type_id: u32,
    pub id: String,
}

impl HubSpot {
    fn call(&self, method: &str, path: &str, body: &Value, key: &str) -> Outcome {
        let url = format!("{}/crm/v3/objects/{path}", self.root.trim_end_matches('/'));
        let headers = [("authorization", format!("Bearer {}", self.token)), ("idempotency-key", key.to_string())];
        let answer = match send(method, &url, &headers, &body.to_string()) {
            Ok(a) => a,
            Err(o) => return o,
        };
        let status = answer.status;
        if (200..300).contains(&status) {
            return Outcome::Delivered { code: status.to_string() };
        }
        let error: Value = serde_json::from_str(&answer.body).unwrap_or_default();
        let category = error["category"].as_str().or_else(|| error["errorType"].as_str()).unwrap_or("").to_string();
        let message = error["message"].as_str().map_or_else(|| clip(&answer.body), clip);
        let code = if category.is_empty() { status.to_string() } else { format!("{status} {category}") };
        match status {
            401 | 403 => Outcome::Paused { code, message },
            429 => {
                let after = answer.retry_after.or(answer.rate_interval).or(Some(Duration::from_secs(1)));
                Outcome::Retry { code, message, after }
            }
            s if s >= 500 => Outcome::Retry { code, message, after: answer.retry_after },
            _ => Outcome::Failed { code, message },
        }
    }

    /// Sets properties of a record (`contacts`, `companies`, `deals`, `tickets`).
    pub fn update(&self, object: &str, id: &str, properties: &Map<String, Value>, key: &str) -> Outcome {
        self.call("PATCH", &format!("{object}/{id}"), &json!({ "properties": properties }), key)
    }

    /// Makes a record, associated with others.
    pub fn create(&self, object: &str, properties: &Map<String, Value>, with: &[Association], key: &str) -> Outcome {
        let associations: Vec<Value> = with
            .iter()
            .map(|a| {
                json!({
                    "to": { "id": a.id },
                    "types": [{ "associationCategory": "HUBSPOT_DEFINED", "associationTypeId": a.type_id }]
                })
            })
            .collect();
        self.call("POST", object, &json!({ "properties": properties, "associations": associations }), key)
    }
}
