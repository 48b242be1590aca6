//! Salesforce REST (`/services/data/vNN.N/`): `PATCH sobjects/{Type}/{id}` to update,
//! `POST sobjects/{Type}/` to create, or `PATCH sobjects/{Type}/{ExternalIdField}/{value}`
//! (an upsert) when an external-id field is configured, which makes a repeated attempt
//! update the record the first one made instead of making a second. Errors come as a list
//! of `{"message", "errorCode", "fields"}`: `INVALID_SESSION_ID` pauses the sink until the
//! CRM user is reconnected; `REQUEST_LIMIT_EXCEEDED`, `UNABLE_TO_LOCK_ROW` and
//! `SERVER_UNAVAILABLE` are tried again; validation errors
//! (`FIELD_CUSTOM_VALIDATION_EXCEPTION`, `REQUIRED_FIELD_MISSING`, …) fail the delivery
//! with the message the org gave.

use serde_json::{Map, Value};

use crate::http::{clip, send, Answer};
use crate::Outcome;

/// A connection: the org's instance URL, the API version and an access token.
#[derive(Clone, Debug)]
pub struct Salesforce {
    pub instance: String,
    pub version: String,
    pub token: String,
}

/// The error codes that clear up by themselves.
const TRANSIENT: [&str; 4] =
    ["REQUEST_LIMIT_EXCEEDED", "UNABLE_TO_LOCK_ROW", "SERVER_UNAVAILABLE", "API_CURRENTLY_DISABLED"];

impl Salesforce {
    fn url(&self, path: &str) -> String {
        format!("{}/services/data/v{}/{path}", self.instance.trim_end_matches('/'), self.version)
    }

    fn call(&self, method: &str, path: &str, body: &Value, key: &str) -> Outcome {
        match self.request(method, path, Some(body), key) {
            Ok(answer) => read(&answer),
            Err(o) => o,
        }
    }

    /// One call (`path` under `/services/data/vNN.N/`) and its answer as it came, or the
    /// network error as a retry.
    pub(crate) fn request(&self, method: &str, path: &str, body: Option<&Value>, key: &str) -> Result<Answer, Outcome> {
        let headers = [("authorization", format!("Bearer {}", self.token)), ("idempotency-key", key.to_string())];
        send(method, &self.url(path), &headers, &body.map(Value::to_string).unwrap_or_default())
    }

    /// Sets fields of a record.
    pub fn update(&self, object: &str, id: &str, fields: &Map<String, Value>, key: &str) -> Outcome {
        self.call("PATCH", &format!("sobjects/{object}/{}", segment(id)), &Value::Object(fields.clone()), key)
    }

    /// Makes a record (an activity: a `Task` with `Status` `Completed`, say). With
    /// `external` (`Play_Action_Id__c`, the action's id) it is an upsert by that field.
    pub fn create(
        &self,
        object: &str,
        fields: &Map<String, Value>,
        external: Option<(&str, &str)>,
        key: &str,
    ) -> Outcome {
        let body = Value::Object(fields.clone());
        match external {
            Some((field, value)) => {
                let path = format!("sobjects/{object}/{field}/{}", segment(value));
                upserted(self.call("PATCH", &path, &body, key), object, field, value)
            }
            None => self.call("POST", &format!("sobjects/{object}/"), &body, key),
        }
    }
}

/// An upsert's answer, as Salesforce documents it: 201 made, 200 (204 before API 46.0)
/// updated; 300 when several records hold the value (nothing written); 404 `NOT_FOUND`
/// when the field is not an external-id field of the object. The last two fail, saying
/// which field and value, after Salesforce's own words.
pub(crate) fn upserted(outcome: Outcome, object: &str, field: &str, value: &str) -> Outcome {
    match outcome {
        Outcome::Failed { code, message } if code.starts_with("300") => Outcome::Failed {
            code,
            message: format!("several {object} records have {field} `{value}`, so none was written: {message}"),
        },
        Outcome::Failed { code, message } if code == "404 NOT_FOUND" => Outcome::Failed {
            code,
            message: format!(
                "{message} (is `{field}` an external-id field of {object}? Set `task_external_id` under \
                 [crm.salesforce] in play.toml to the field, or to \"\" to create tasks without one)"
            ),
        },
        other => other,
    }
}

/// An id or external-id value as one path segment (or a query parameter's value).
pub(crate) fn segment(value: &str) -> String {
    value
        .bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-_.".contains(&b) {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

/// Salesforce's answer as an outcome, by its `errorCode` where it gives one.
pub(crate) fn read(answer: &Answer) -> Outcome {
    let status = answer.status;
    if (200..300).contains(&status) {
        return Outcome::Delivered { code: status.to_string() };
    }
    let errors: Vec<Value> = serde_json::from_str(&answer.body).unwrap_or_default();
    let first = errors.first();
    let error_code = first.and_then(|e| e["errorCode"].as_str()).unwrap_or("").to_string();
    let message = first.and_then(|e| e["message"].as_str()).map_or_else(|| clip(&answer.body), clip);
    let code = if error_code.is_empty() { status.to_string() } else { format!("{status} {error_code}") };
    match error_code.as_str() {
        "INVALID_SESSION_ID" | "INSUFFICIENT_ACCESS" | "INSUFFICIENT_ACCESS_OR_READONLY" => {
            Outcome::Paused { code, message }
        }
        c if TRANSIENT.contains(&c) => Outcome::Retry { code, message, after: answer.retry_after },
        _ if status == 401 => Outcome::Paused { code, message },
        _ if status >= 500 || status == 429 => Outcome::Retry { code, message, after: answer.retry_after },
        _ => Outcome::Failed { code, message },
    }
}
