//! Emails from teammates' mailboxes (`POST /v1/emails`): the body read and checked, each
//! email matched to the record it concerns on the engine thread (a `Contact` whose
//! `email` is one of the other parties, else an `Account` whose `domain` is one of
//! theirs), and a `log_email` outbox row written for it in the engine's group commit, so
//! it is durable before the answer (an email matching no record too: an orphan, to be
//! adopted). The row's id is derived from the message id, so the same email posted twice
//! (by its sender and its recipient, say) is logged once.

use play_delivery::blacklist::{bare, Direction};
use play_store::{Batch, OutboxRow, Store};
use serde::Serialize;
use serde_json::{json, Map, Value};

use crate::directory::Directory;

/// One email as posted, checked.
#[derive(Clone, Debug, PartialEq)]
pub struct Posted {
    pub message_id: String,
    pub from: String,
    pub to: Vec<String>,
    pub cc: Vec<String>,
    pub subject: String,
    pub text: String,
    pub html: Option<String>,
    /// RFC 3339, as posted, and in seconds.
    pub sent_at: String,
    pub at: i64,
    pub direction: Direction,
    /// `{"name", "content_type", "content"}` (base64), checked.
    pub attachments: Vec<Value>,
}

impl Posted {
    /// The email as it is posted (what [`read_body`] reads back as it is).
    pub fn to_json(&self) -> Value {
        json!({
            "message_id": self.message_id,
            "from": self.from,
            "to": self.to,
            "cc": self.cc,
            "subject": self.subject,
            "text": self.text,
            "html": self.html,
            "sent_at": self.sent_at,
            "direction": if self.direction == Direction::Inbound { "inbound" } else { "outbound" },
            "attachments": self.attachments,
        })
    }
}

/// A refusal of the body: the field and what is wrong.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Bad {
    pub field: String,
    pub message: String,
}

pub(crate) fn bad(field: impl Into<String>, message: impl Into<String>) -> Bad {
    Bad { field: field.into(), message: message.into() }
}

const FIELDS: [&str; 11] =
    ["message_id", "from", "to", "cc", "subject", "text", "html", "sent_at", "direction", "attachments", "body"];

/// `{"emails": [ … ]}` posted by `teammate`, each email checked; the first bad field
/// refuses the whole body.
pub fn read_body(body: &[u8], teammate: &str) -> Result<Vec<Posted>, Bad> {
    let value: Value = serde_json::from_slice(body).map_err(|e| bad("", format!("the body is not JSON: {e}")))?;
    let Some(list) = value.get("emails").and_then(Value::as_array) else {
        return Err(bad("emails", "the body is `{\"emails\": [ … ]}`, a list of emails"));
    };
    if let Some(extra) = value.as_object().and_then(|o| o.keys().find(|k| *k != "emails")) {
        return Err(bad(extra.as_str(), format!("`{extra}` is not part of the body (only `emails`)")));
    }
    list.iter().enumerate().map(|(i, email)| read_email(email, &format!("emails[{i}]"), teammate)).collect()
}

/// The text field `k` of `object` (found at `at` in the body); a required one is not blank.
pub(crate) fn text_of(object: &Map<String, Value>, at: &str, k: &str, required: bool) -> Result<String, Bad> {
    let field = format!("{at}.{k}");
    match object.get(k) {
        None | Some(Value::Null) if !required => Ok(String::new()),
        Some(Value::String(s)) if !required || !s.trim().is_empty() => Ok(s.clone()),
        None | Some(Value::Null) => Err(bad(field.clone(), format!("`{field}` is required"))),
        Some(_) => Err(bad(field.clone(), format!("`{field}` is text"))),
    }
}

/// A moment (RFC 3339) in seconds, or the refusal of `field`.
pub(crate) fn moment_of(field: &str, text: &str) -> Result<i64, Bad> {
    chrono::DateTime::parse_from_rfc3339(text)
        .map(|t| t.timestamp())
        .map_err(|_| bad(field, format!("`{field}` is a moment such as `2026-03-02T09:00:00Z`, not `{text}`")))
}

fn read_email(email: &Value, at: &str, teammate: &str) -> Result<Posted, Bad> {
    let Some(object) = email.as_object() else { return Err(bad(at, format!("`{at}` is not an object"))) };
    if let Some(extra) = object.keys().find(|k| !FIELDS.contains(&k.as_str())) {
        return Err(bad(format!("{at}.{extra}"), format!("`{at}.{extra}` is not a field of an email")));
    }
    let field = |k: &str| format!("{at}.{k}");
    let text = |k: &str, required: bool| text_of(object, at, k, required);
    let address = |v: &str, f: String| -> Result<String, Bad> {
        let a = bare(v);
        match a.split_once('@') {
            Some((l, d)) if !l.is_empty() && d.contains('.') && !a.contains(char::is_whitespace) => Ok(v.trim().into()),
            _ => Err(bad(f.clone(), format!("`{f}` is an address such as `vic@acme.com`, not `{v}`"))),
        }
    };
    let list = |k: &str| -> Result<Vec<String>, Bad> {
        match object.get(k) {
            None | Some(Value::Null) => Ok(Vec::new()),
            Some(Value::String(s)) => Ok(vec![address(s, field(k))?]),
            Some(Value::Array(items)) => items
                .iter()
                .enumerate()
                .map(|(n, v)| {
                    let f = format!("{}[{n}]", field(k));
                    v.as_str().ok_or_else(|| bad(f.clone(), format!("`{f}` is an address"))).and_then(|s| address(s, f))
                })
                .collect(),
            Some(_) => Err(bad(field(k), format!("`{}` is a list of addresses", field(k)))),
        }
    };
    let message_id = text("message_id", true)?.trim().to_string();
    let from = address(&text("from", true)?, field("from"))?;
    let to = list("to")?;
    if to.is_empty() {
        return Err(bad(field("to"), format!("`{}` needs at least one address", field("to"))));
    }
    let cc = list("cc")?;
    let sent_at = text("sent_at", true)?;
    let at = moment_of(&field("sent_at"), &sent_at)?;
    let body = text("text", false)?;
    let body = if body.is_empty() { text("body", false)? } else { body };
    let html = Some(text("html", false)?).filter(|h| !h.is_empty());
    let direction = match text("direction", false)?.as_str() {
        "" if bare(&from) == bare(teammate) => Direction::Outbound,
        "" => Direction::Inbound,
        "inbound" => Direction::Inbound,
        "outbound" => Direction::Outbound,
        other => {
            let f = field("direction");
            return Err(bad(f.clone(), format!("`{f}` is `inbound` or `outbound`, not `{other}`")));
        }
    };
    let mut attachments = Vec::new();
    for (n, a) in object.get("attachments").and_then(Value::as_array).into_iter().flatten().enumerate() {
        let f = format!("{}[{n}]", field("attachments"));
        let part = |k: &str| a.get(k).and_then(Value::as_str).map(str::trim).filter(|s| !s.is_empty());
        let (Some(name), Some(content)) = (part("name"), part("content")) else {
            return Err(bad(f.clone(), format!("`{f}` needs `name` and `content` (base64)")));
        };
        if play_delivery::crm::email_log::decode(content).is_err() {
            return Err(bad(format!("{f}.content"), format!("`{f}.content` is not base64")));
        }
        let content_type = part("content_type").unwrap_or("application/octet-stream");
        attachments.push(json!({ "name": name, "content_type": content_type, "content": content }));
    }
    if object.get("attachments").is_some_and(|a| !a.is_array() && !a.is_null()) {
        return Err(bad(field("attachments"), format!("`{}` is a list", field("attachments"))));
    }
    let subject = text("subject", false)?;
    Ok(Posted { message_id, from, to, cc, subject, text: body, html, sent_at, at, direction, attachments })
}

/// The outbox row's id of an email: derived from its message id.
pub fn row_id(message_id: &str) -> String {
    let hash = play_compiler::program::hex_hash(message_id.trim().as_bytes());
    format!("email-{}", &hash[..hash.len().min(24)])
}

/// What became of one email on the engine thread.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(tag = "outcome", rename_all = "snake_case")]
pub enum Matched {
    /// A `log_email` row was written (or was there already: `duplicate`).
    Logged { record: String, delivery: String, duplicate: bool },
    /// No record matched: a `log_email` row was written all the same, with no record; the
    /// worker makes it an orphan, to be adopted by a record (`POST /v1/tasks/{id}/adopt`).
    Orphan { delivery: String, reason: String, duplicate: bool },
    /// No one but the teammate is concerned.
    Skipped { reason: String },
}

/// The parties other than the teammate: for an email they sent, its recipients; for one
/// they received, its sender, then the other recipients.
pub(crate) fn others(email: &Posted, teammate: &str) -> Vec<String> {
    let me = bare(teammate);
    let mut parties: Vec<String> = match email.direction {
        Direction::Outbound => email.to.iter().chain(&email.cc).map(|p| bare(p)).collect(),
        Direction::Inbound => std::iter::once(&email.from).chain(&email.to).chain(&email.cc).map(|p| bare(p)).collect(),
    };
    parties.retain(|p| *p != me);
    parties.dedup();
    parties
}

/// On the engine thread: each email matched to its record, and its `log_email` row put in
/// the batch (none for an email already in the outbox); one that matches no record gets
/// its row too, with no record: an orphan to adopt.
pub fn take(
    directory: &Directory,
    store: &dyn Store,
    batch: &mut Batch,
    emails: &[Posted],
    teammate: &str,
) -> Vec<Matched> {
    let mut answers = Vec::with_capacity(emails.len());
    for email in emails {
        let parties = others(email, teammate);
        if parties.is_empty() {
            answers.push(Matched::Skipped { reason: "the email has no party other than the teammate".into() });
            continue;
        }
        let record = directory.record_for(&parties);
        let id = row_id(&email.message_id);
        let stored = store.as_outbox().and_then(|o| o.delivery(&id).ok().flatten()).is_some();
        let duplicate = stored || batch.outbox.iter().any(|r| r.action_id == id);
        if !duplicate {
            batch.outbox.push(row(&id, record.as_deref().unwrap_or_default(), email, Some(teammate)));
        }
        let Some(record) = record else {
            let reason = format!(
                "no contact has the address and no account has the domain of {}",
                parties.iter().map(|p| format!("`{p}`")).collect::<Vec<_>>().join(", ")
            );
            answers.push(Matched::Orphan { delivery: id, reason, duplicate });
            continue;
        };
        answers.push(Matched::Logged { record, delivery: id, duplicate });
    }
    answers
}

/// The `log_email` outbox row of an email, to `record`.
pub fn row(id: &str, record: &str, email: &Posted, teammate: Option<&str>) -> OutboxRow {
    let mut json = Map::new();
    let mut put = |k: &str, v: Value| {
        json.insert(k.to_string(), v);
    };
    put("id", id.into());
    put("action", "log_email".into());
    put("record", record.into());
    put("direction", if email.direction == Direction::Inbound { "inbound" } else { "outbound" }.into());
    put("message_id", email.message_id.clone().into());
    put("from", email.from.clone().into());
    put("to", email.to.clone().into());
    put("cc", email.cc.clone().into());
    put("subject", email.subject.clone().into());
    put("text", email.text.clone().into());
    put("html", email.html.clone().map_or(Value::Null, Value::String));
    put("sent_at", email.sent_at.clone().into());
    put("attachments", email.attachments.clone().into());
    if let Some(t) = teammate {
        put("by", t.into());
        put("teammate", t.into());
    }
    OutboxRow {
        action_id: id.to_string(),
        kind: "log_email".into(),
        sink: "crm".into(),
        at: email.at,
        json: Value::Object(json).to_string(),
    }
}

#[cfg(test)]
#[path = "emails_tests.rs"]
mod tests;
