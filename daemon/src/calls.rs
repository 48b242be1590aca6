//! Calls a teammate or a dialer logs (`POST /v1/calls`): the body read and checked, each
//! call matched on the engine thread to the record it names, or else to the contact whose
//! `email` (or the account whose `domain`) is its `with` address, and a `log_activity`
//! outbox row (`done` `call`) written for it in the engine's group commit. The CRM sink
//! logs it as a Salesforce `Task` (`TaskSubtype` `Call`) or a HubSpot `calls` engagement;
//! a call that matches no record is logged all the same and becomes an orphan, listed with
//! the tasks' orphans and adopted like them. Its id is derived from the dialer's `call_id`,
//! so a call posted twice is logged once.

use play_store::{Batch, OutboxRow, Store};
use serde_json::{json, Map, Value};

use crate::directory::Directory;
use crate::emails::{bad, moment_of, text_of, Bad};

/// One call as posted, checked.
#[derive(Clone, Debug, PartialEq)]
pub struct PostedCall {
    pub call_id: String,
    /// `Type/id`, as posted (empty: match by `with`).
    pub record: String,
    /// The other party's address.
    pub with: String,
    pub subject: String,
    pub notes: String,
    pub duration_seconds: Option<u64>,
    pub inbound: bool,
    pub outcome: String,
    /// RFC 3339, as posted, and in seconds.
    pub at_text: String,
    pub at: i64,
}

impl PostedCall {
    /// The call as it is posted (what [`read_body`] reads back as it is).
    pub fn to_json(&self) -> Value {
        json!({
            "call_id": self.call_id,
            "record": self.record,
            "with": self.with,
            "subject": self.subject,
            "notes": self.notes,
            "duration_seconds": self.duration_seconds,
            "direction": if self.inbound { "inbound" } else { "outbound" },
            "outcome": self.outcome,
            "at": self.at_text,
        })
    }
}

const FIELDS: [&str; 9] =
    ["call_id", "record", "with", "subject", "notes", "duration_seconds", "direction", "outcome", "at"];

/// `{"calls": [ … ]}`, each call checked; the first bad field refuses the whole body.
pub fn read_body(body: &[u8]) -> Result<Vec<PostedCall>, Bad> {
    let value: Value = serde_json::from_slice(body).map_err(|e| bad("", format!("the body is not JSON: {e}")))?;
    let Some(list) = value.get("calls").and_then(Value::as_array) else {
        return Err(bad("calls", "the body is `{\"calls\": [ … ]}`, a list of calls"));
    };
    if let Some(extra) = value.as_object().and_then(|o| o.keys().find(|k| *k != "calls")) {
        return Err(bad(extra.as_str(), format!("`{extra}` is not part of the body (only `calls`)")));
    }
    list.iter().enumerate().map(|(i, call)| read_call(call, &format!("calls[{i}]"))).collect()
}

fn read_call(call: &Value, at: &str) -> Result<PostedCall, Bad> {
    let Some(object) = call.as_object() else { return Err(bad(at, format!("`{at}` is not an object"))) };
    if let Some(extra) = object.keys().find(|k| !FIELDS.contains(&k.as_str())) {
        return Err(bad(format!("{at}.{extra}"), format!("`{at}.{extra}` is not a field of a call")));
    }
    let field = |k: &str| format!("{at}.{k}");
    let text = |k: &str, required: bool| text_of(object, at, k, required).map(|s| s.trim().to_string());
    let call_id = text("call_id", true)?;
    let record = text("record", false)?;
    if !record.is_empty() {
        let named = record.split_once('/').filter(|(t, i)| !t.is_empty() && !i.is_empty());
        if !named.is_some_and(|(t, _)| play_delivery::crm::activity::RECORD_TYPES.contains(&t)) {
            let f = field("record");
            return Err(bad(
                f.clone(),
                format!("`{f}` is an Account, Contact, Lead, Opportunity or Case as Type/id, like `Contact/003A`, not `{record}`"),
            ));
        }
    }
    let with = text("with", false)?.to_lowercase();
    if !with.is_empty() && !with.split_once('@').is_some_and(|(l, d)| !l.is_empty() && d.contains('.')) {
        let f = field("with");
        return Err(bad(f.clone(), format!("`{f}` is an address such as `vic@acme.com`, not `{with}`")));
    }
    let duration_seconds = match object.get("duration_seconds") {
        None | Some(Value::Null) => None,
        Some(v) => Some(v.as_u64().ok_or_else(|| {
            let f = field("duration_seconds");
            bad(f.clone(), format!("`{f}` is a whole number of seconds, not `{v}`"))
        })?),
    };
    let inbound = match text("direction", false)?.as_str() {
        "" | "outbound" => false,
        "inbound" => true,
        other => {
            let f = field("direction");
            return Err(bad(f.clone(), format!("`{f}` is `inbound` or `outbound`, not `{other}`")));
        }
    };
    let at_text = text("at", true)?;
    let at = moment_of(&field("at"), &at_text)?;
    let subject = Some(text("subject", false)?).filter(|s| !s.is_empty()).unwrap_or_else(|| "Call".into());
    Ok(PostedCall {
        call_id,
        record,
        with,
        subject,
        notes: text("notes", false)?,
        duration_seconds,
        inbound,
        outcome: text("outcome", false)?,
        at_text,
        at,
    })
}

/// The id of a call's work (what an orphan is adopted by): derived from its `call_id`.
pub fn work_id(call_id: &str) -> String {
    let hash = play_compiler::program::hex_hash(call_id.as_bytes());
    format!("call-{}", &hash[..hash.len().min(24)])
}

/// On the engine thread: each call matched to its record and its row put in the batch
/// (none for a call already in the outbox). The answer for each call.
pub fn take(
    directory: &Directory,
    store: &dyn Store,
    batch: &mut Batch,
    calls: &[PostedCall],
    teammate: &str,
) -> Vec<Value> {
    calls
        .iter()
        .map(|call| {
            let record = if call.record.is_empty() {
                directory.record_for(std::slice::from_ref(&call.with))
            } else {
                Some(call.record.clone())
            };
            let of = work_id(&call.call_id);
            let id = format!("{of}.activity");
            let stored = store.as_outbox().and_then(|o| o.delivery(&id).ok().flatten()).is_some();
            let duplicate = stored || batch.outbox.iter().any(|r| r.action_id == id);
            if !duplicate {
                batch.outbox.push(row(&id, &of, record.as_deref(), call, teammate));
            }
            let mut answer = json!({ "call_id": call.call_id, "id": of, "delivery": id, "duplicate": duplicate });
            match record {
                Some(record) => {
                    answer["outcome"] = "logged".into();
                    answer["record"] = record.into();
                }
                None => {
                    answer["outcome"] = "orphan".into();
                    answer["reason"] = if call.with.is_empty() {
                        "the call names no record and no `with` address: adopt it with POST /v1/tasks/{id}/adopt".into()
                    } else {
                        format!("no contact has the address and no account has the domain of `{}`: adopt it with POST /v1/tasks/{{id}}/adopt", call.with).into()
                    };
                }
            }
            answer
        })
        .collect()
}

/// The `log_activity` row of a call (an empty `record` when none matched: an orphan).
fn row(id: &str, of: &str, record: Option<&str>, call: &PostedCall, teammate: &str) -> OutboxRow {
    let mut body = call.notes.clone();
    if !call.outcome.is_empty() {
        body = format!("{}\n\nOutcome: {}", body.trim(), call.outcome).trim().to_string();
    }
    let mut json = Map::new();
    let mut put = |k: &str, v: Value| {
        json.insert(k.to_string(), v);
    };
    put("id", id.into());
    put("action", "log_activity".into());
    put("of", of.into());
    put("done", "call".into());
    put("record", record.unwrap_or_default().into());
    put("with", call.with.clone().into());
    put("call_id", call.call_id.clone().into());
    put("subject", call.subject.clone().into());
    put("body", body.into());
    put("duration_seconds", call.duration_seconds.map_or(Value::Null, Value::from));
    put("direction", if call.inbound { "inbound" } else { "outbound" }.into());
    put("outcome", call.outcome.clone().into());
    put("at", call.at_text.clone().into());
    put("by", teammate.into());
    OutboxRow {
        action_id: id.to_string(),
        kind: "log_activity".into(),
        sink: "crm".into(),
        at: call.at,
        json: Value::Object(json).to_string(),
    }
}
