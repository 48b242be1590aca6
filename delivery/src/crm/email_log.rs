//! Email sync: an email (posted from a teammate's mailbox, or sent by Play over SMTP)
//! logged to the CRM record it concerns, with its attachments when the company's
//! `attachments` setting is on.
//!
//! - **Salesforce**: a completed `Task` (`TaskSubtype` `Email`, `WhoId` for a Contact or
//!   Lead, `WhatId` otherwise) upserted by `PATCH sobjects/Task/{task_external_id}/{key}`
//!   (a plain `POST sobjects/Task/` without that setting); then each attachment as a
//!   `ContentVersion` (`POST sobjects/ContentVersion/` with `Title`, `PathOnClient`,
//!   `Description` `{key}.{n}`, `VersionData` in base64 and `FirstPublishLocationId` the
//!   task's id), which links the file to the task. A task an earlier attempt made is
//!   asked for its files first (SOQL on `ContentVersion`), so none is attached twice.
//! - **HubSpot**: each attachment uploaded first through the files API
//!   (`POST /files/v3/files`, multipart: `file`, `options` `{"access":"PRIVATE"}`,
//!   `folderPath`), then an `emails` engagement (`hs_email_direction` `EMAIL` or
//!   `INCOMING_EMAIL`, `hs_email_headers` with the parties, `hs_attachment_ids` the
//!   files' ids) associated with the record.

use base64::Engine as _;
use play_runtime::value::moment_text;
use serde_json::{json, Value};

use super::activity::{Activity, Done};
use super::hubspot::HubSpot;
use super::salesforce::{read, segment, upserted, Salesforce};
use crate::blacklist::Direction;
use crate::http::{clip, Answer};
use crate::Outcome;

/// A file sent with the email.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Attachment {
    pub name: String,
    pub content_type: String,
    pub data: Vec<u8>,
}

/// An email to log, and the record it goes to.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LoggedEmail {
    /// `Account`, `Contact`, `Lead`, `Opportunity` or `Case`.
    pub record_type: String,
    pub record_id: String,
    pub direction: Direction,
    pub from: String,
    pub to: Vec<String>,
    pub cc: Vec<String>,
    pub subject: String,
    pub text: String,
    pub html: Option<String>,
    /// When it was sent (seconds since 1970 UTC).
    pub at: i64,
    pub message_id: String,
    /// The teammate whose mailbox it is in (none: Play sent it on its own).
    pub teammate: Option<String>,
    /// Left empty when the company does not log attachments.
    pub attachments: Vec<Attachment>,
}

/// The folder HubSpot keeps uploaded attachments in.
pub const HUBSPOT_FOLDER: &str = "/play/email-attachments";

impl LoggedEmail {
    /// The parties, then the text: what the CRM shows as the email's description.
    fn described(&self) -> String {
        let mut lines = vec![format!("From: {}", self.from), format!("To: {}", self.to.join(", "))];
        if !self.cc.is_empty() {
            lines.push(format!("Cc: {}", self.cc.join(", ")));
        }
        lines.push(format!("Message-ID: {}", self.message_id));
        format!("{}\n\n{}", lines.join("\n"), self.text.trim())
    }

    /// The email as an activity (for the record link and the HubSpot association).
    fn activity(&self) -> Activity {
        Activity {
            done: Done::Email,
            record_type: self.record_type.clone(),
            record_id: self.record_id.clone(),
            playbook: None,
            step: None,
            subject: if self.subject.trim().is_empty() { "(no subject)".into() } else { self.subject.clone() },
            body: self.described(),
            at: self.at,
            teammate: self.teammate.clone(),
        }
    }
}

/// The email as a Salesforce `Task`, then its attachments as `ContentVersion`s linked to
/// it. With `external` (`task_external_id`) the task is upserted by the action's id and
/// each attachment carries `{key}.{n}` as its `Description`: a repeated attempt (after a
/// lost answer, or a refused attachment fixed and retried) updates the task the first one
/// made and attaches only what is not there yet. Without it the task is a plain `POST`.
pub fn to_salesforce(sf: &Salesforce, email: &LoggedEmail, external: Option<&str>, key: &str) -> Outcome {
    let activity = email.activity();
    let mut fields = match activity.salesforce_fields() {
        Ok(fields) => fields,
        Err(message) => return Outcome::Failed { code: "unknown record type".into(), message },
    };
    // The description without the playbook lines an activity carries.
    fields.insert("Description".into(), truncated(&email.described(), 32_000).into());
    let fields = Value::Object(fields);
    let external = external.filter(|f| !f.is_empty());
    let (answer, outcome) = match external {
        Some(field) => {
            let path = format!("sobjects/Task/{field}/{}", segment(key));
            match sf.request("PATCH", &path, Some(&fields), key) {
                Ok(answer) => {
                    let outcome = upserted(read(&answer), "Task", field, key);
                    (answer, outcome)
                }
                Err(outcome) => return outcome,
            }
        }
        None => match sf.request("POST", "sobjects/Task/", Some(&fields), key) {
            Ok(answer) => {
                let outcome = read(&answer);
                (answer, outcome)
            }
            Err(outcome) => return outcome,
        },
    };
    if !matches!(outcome, Outcome::Delivered { .. }) || email.attachments.is_empty() {
        return outcome;
    }
    let task = match task_id(sf, &answer, external, key) {
        Ok(task) => task,
        Err(outcome) => return outcome,
    };
    // A task made just now has no attachments; one made by an earlier attempt may.
    let attached = match answer.status {
        201 => Vec::new(),
        _ => match attached(sf, &task, key) {
            Ok(marks) => marks,
            Err(outcome) => return outcome,
        },
    };
    for (i, a) in email.attachments.iter().enumerate() {
        let mark = format!("{key}.{i}");
        if attached.contains(&mark) {
            continue;
        }
        let version = json!({
            "Title": a.name,
            "PathOnClient": a.name,
            "Description": mark,
            "VersionData": base64::engine::general_purpose::STANDARD.encode(&a.data),
            "FirstPublishLocationId": task,
        });
        let outcome = match sf.request("POST", "sobjects/ContentVersion/", Some(&version), &mark) {
            Ok(answer) => read(&answer),
            Err(outcome) => outcome,
        };
        match outcome {
            Outcome::Delivered { .. } => {}
            other => {
                let message = format!(
                    "the email was logged as Task {task}, but the attachment `{}` was not: {} {}",
                    a.name,
                    other.code(),
                    message_of(&other)
                );
                return match other {
                    // Tried again, the task is updated and only what is missing attached.
                    Outcome::Retry { code, after, .. } if external.is_some() => Outcome::Retry { code, message, after },
                    other => Outcome::Failed { code: other.code().to_string(), message },
                };
            }
        }
    }
    outcome
}

/// The task's id: from the answer (`id`), or, for an upsert that updated it before API
/// 46.0 (204, no body), read back by its external id.
fn task_id(sf: &Salesforce, answer: &Answer, external: Option<&str>, key: &str) -> Result<String, Outcome> {
    let body: Value = serde_json::from_str(&answer.body).unwrap_or_default();
    if let Some(id) = body["id"].as_str() {
        return Ok(id.to_string());
    }
    if let Some(field) = external {
        let path = format!("sobjects/Task/{field}/{}?fields=Id", segment(key));
        let found = sf.request("GET", &path, None, key)?;
        let record: Value = serde_json::from_str(&found.body).unwrap_or_default();
        if let (200, Some(id)) = (found.status, record["Id"].as_str()) {
            return Ok(id.to_string());
        }
        return Err(match read(&found) {
            Outcome::Delivered { code } => Outcome::Failed {
                code,
                message: format!("the task with {field} `{key}` came back without an Id: {}", clip(&found.body)),
            },
            refused => refused,
        });
    }
    Err(Outcome::Failed {
        code: "answer".into(),
        message: format!("Salesforce made no task id: {}", clip(&answer.body)),
    })
}

/// The `Description`s of the files already published to the task, which mark those an
/// earlier attempt attached (`{key}.{n}`).
fn attached(sf: &Salesforce, task: &str, key: &str) -> Result<Vec<String>, Outcome> {
    let soql = format!(
        "SELECT Id, Description FROM ContentVersion WHERE FirstPublishLocationId = '{}'",
        task.replace('\\', "\\\\").replace('\'', "\\'")
    );
    let answer = sf.request("GET", &format!("query?q={}", segment(&soql)), None, key)?;
    if answer.status != 200 {
        return Err(read(&answer));
    }
    let found: Value = serde_json::from_str(&answer.body).unwrap_or_default();
    Ok(found["records"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|r| r["Description"].as_str().map(String::from))
        .collect())
}

fn message_of(outcome: &Outcome) -> &str {
    match outcome {
        Outcome::Delivered { .. } => "",
        Outcome::Retry { message, .. }
        | Outcome::Paused { message, .. }
        | Outcome::Failed { message, .. }
        | Outcome::Orphan { message, .. } => message,
    }
}

/// Each attachment uploaded to HubSpot's files API, then the email as an `emails`
/// engagement carrying their ids, associated with the record.
pub fn to_hubspot(hs: &HubSpot, email: &LoggedEmail, key: &str) -> Outcome {
    let (object, mut properties, with) = match email.activity().hubspot_object() {
        Ok(made) => made,
        Err(message) => return Outcome::Failed { code: "unknown record type".into(), message },
    };
    let mut files = Vec::new();
    for a in &email.attachments {
        match upload(hs, a) {
            Ok(id) => files.push(id),
            Err(outcome) => return outcome,
        }
    }
    let headers = json!({
        "from": { "email": crate::blacklist::bare(&email.from) },
        "to": email.to.iter().map(|t| json!({ "email": crate::blacklist::bare(t) })).collect::<Vec<_>>(),
        "cc": email.cc.iter().map(|t| json!({ "email": crate::blacklist::bare(t) })).collect::<Vec<_>>(),
    });
    let mut set = |k: &str, v: Value| {
        properties.insert(k.to_string(), v);
    };
    set("hs_timestamp", moment_text(email.at).into());
    set("hs_email_text", truncated(&email.described(), 65_000).into());
    set("hs_email_direction", if email.direction == Direction::Inbound { "INCOMING_EMAIL" } else { "EMAIL" }.into());
    set("hs_email_status", "SENT".into());
    set("hs_email_headers", headers.to_string().into());
    if let Some(html) = &email.html {
        set("hs_email_html", truncated(html, 65_000).into());
    }
    if !files.is_empty() {
        set("hs_attachment_ids", files.join(";").into());
    }
    hs.create(object, &properties, &[with], key)
}

/// One file through `POST /files/v3/files`: its id, or the outcome that stops the email.
fn upload(hs: &HubSpot, a: &Attachment) -> Result<String, Outcome> {
    let boundary = "play-attachment-7d1c5e0b9a4f";
    let name = a.name.replace(['"', '\r', '\n'], "_");
    let mut body = Vec::new();
    let mut part = |head: String, content: &[u8]| {
        body.extend_from_slice(format!("--{boundary}\r\n{head}\r\n\r\n").as_bytes());
        body.extend_from_slice(content);
        body.extend_from_slice(b"\r\n");
    };
    part(
        format!(
            "Content-Disposition: form-data; name=\"file\"; filename=\"{name}\"\r\nContent-Type: {}",
            a.content_type
        ),
        &a.data,
    );
    part("Content-Disposition: form-data; name=\"options\"".into(), br#"{"access":"PRIVATE"}"#);
    part("Content-Disposition: form-data; name=\"folderPath\"".into(), HUBSPOT_FOLDER.as_bytes());
    body.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
    let url = format!("{}/files/v3/files", hs.root.trim_end_matches('/'));
    let answer = ureq::AgentBuilder::new()
        .timeout(std::time::Duration::from_secs(60))
        .build()
        .post(&url)
        .set("authorization", &format!("Bearer {}", hs.token))
        .set("content-type", &format!("multipart/form-data; boundary={boundary}"))
        .send_bytes(&body);
    let response = match answer {
        Ok(r) => r,
        Err(ureq::Error::Status(_, r)) => r,
        Err(ureq::Error::Transport(t)) => {
            return Err(Outcome::Retry { code: "network".into(), message: t.to_string(), after: None })
        }
    };
    let status = response.status();
    let retry_after =
        response.header("retry-after").and_then(|v| v.trim().parse().ok()).map(std::time::Duration::from_secs);
    let text = response.into_string().unwrap_or_default();
    let answer: Value = serde_json::from_str(&text).unwrap_or_default();
    if (200..300).contains(&status) {
        return answer["id"].as_str().map(String::from).ok_or_else(|| Outcome::Failed {
            code: "answer".into(),
            message: format!("HubSpot's files API gave no file id: {}", clip(&text)),
        });
    }
    let category = answer["category"].as_str().unwrap_or_default();
    let code = if category.is_empty() { status.to_string() } else { format!("{status} {category}") };
    let message =
        format!("the attachment `{}`: {}", a.name, answer["message"].as_str().map_or_else(|| clip(&text), clip));
    Err(match status {
        401 | 403 => Outcome::Paused { code, message },
        429 | 500..=599 => Outcome::Retry { code, message, after: retry_after },
        _ => Outcome::Failed { code, message },
    })
}

/// At most `max` characters.
fn truncated(text: &str, max: usize) -> String {
    match text.char_indices().nth(max) {
        Some((i, _)) => text[..i].to_string(),
        None => text.to_string(),
    }
}

/// The JSON of a `log_email` outbox row's email, as the daemon writes it.
pub fn from_json(email: &Value, with_attachments: bool) -> Result<LoggedEmail, String> {
    let text = |k: &str| email[k].as_str().unwrap_or_default().to_string();
    let list = |k: &str| -> Vec<String> {
        email[k].as_array().into_iter().flatten().filter_map(Value::as_str).map(String::from).collect()
    };
    let record = text("record");
    let Some((record_type, record_id)) = record.split_once('/') else {
        return Err(format!("`{record}` names no CRM record"));
    };
    let mut attachments = Vec::new();
    if with_attachments {
        for (i, a) in email["attachments"].as_array().into_iter().flatten().enumerate() {
            let data = decode(a["content"].as_str().unwrap_or_default())
                .map_err(|e| format!("`attachments[{i}].content` is not base64: {e}"))?;
            let name = a["name"].as_str().unwrap_or("attachment").to_string();
            let content_type = a["content_type"].as_str().unwrap_or("application/octet-stream").to_string();
            attachments.push(Attachment { name, content_type, data });
        }
    }
    Ok(LoggedEmail {
        record_type: record_type.into(),
        record_id: record_id.into(),
        direction: if text("direction") == "inbound" { Direction::Inbound } else { Direction::Outbound },
        from: text("from"),
        to: list("to"),
        cc: list("cc"),
        subject: text("subject"),
        text: text("text"),
        html: email["html"].as_str().map(String::from),
        at: chrono::DateTime::parse_from_rfc3339(&text("sent_at")).map_or(0, |t| t.timestamp()),
        message_id: text("message_id"),
        teammate: email["teammate"].as_str().map(String::from),
        attachments,
    })
}

/// An attachment's content, from standard base64.
pub fn decode(content: &str) -> Result<Vec<u8>, String> {
    base64::engine::general_purpose::STANDARD.decode(content.trim()).map_err(|e| e.to_string())
}
