//! Email sync in the worker: before an email is logged to the CRM (the `log_activity` row
//! of an approved email task, or a `log_email` row: an email posted from a teammate's
//! mailbox, or an automatic email Play sent), the company's settings and those of the
//! teammate whose email it is are read from the store, and an email they keep out is
//! skipped, the reason in the sync log; the company's `attachments` setting says whether
//! its attachments go with it. An automatic email delivered over SMTP gets its own
//! `log_email` row when a CRM is configured.

use play_delivery::blacklist::{skip_reason, CompanySync, Direction, EmailParts, TeammateSync};
use play_delivery::crm::email_log::{from_json, LoggedEmail};
use play_delivery::Outcome;
use play_store::{Delivery, Outbox, OutboxRow};
use serde::de::DeserializeOwned;
use serde_json::Value;

use super::sinks::{Job, SinkSet};

/// Settings saved under `scope`, or their defaults.
fn settings<T: DeserializeOwned + Default>(outbox: &dyn Outbox, scope: &str) -> Result<T, String> {
    match outbox.sync_setting(scope).map_err(|e| e.to_string())? {
        Some(text) => serde_json::from_str(&text).map_err(|e| format!("the email-sync settings `{scope}`: {e}")),
        None => Ok(T::default()),
    }
}

/// Why the email of a `log_activity` row is not logged, if a switch or a blacklist says so.
pub fn blacklisted(outbox: &dyn Outbox, action: &Value) -> Result<Option<String>, String> {
    let text = |key: &str| action[key].as_str().unwrap_or_default();
    let company: CompanySync = settings(outbox, "company")?;
    let by = action["by"].as_str();
    let own: Option<TeammateSync> = by.map(|who| settings(outbox, &format!("user:{who}"))).transpose()?;
    let to: Vec<String> = action["to"].as_str().map(String::from).into_iter().collect();
    let email =
        EmailParts { from: by.unwrap_or_default(), to: &to, cc: &[], subject: text("subject"), body: text("body") };
    let teammate = by.zip(own.as_ref());
    Ok(skip_reason(&company, teammate, Direction::Outbound, &email))
}

/// For a `log_email` row: why it is not logged (`Err`), or whether its attachments go
/// with it (`Ok`), by the settings as they are now.
pub fn settings_for(outbox: &dyn Outbox, action: &Value) -> Result<Result<bool, String>, String> {
    let company: CompanySync = settings(outbox, "company")?;
    let by = action["teammate"].as_str();
    let own: Option<TeammateSync> = by.map(|who| settings(outbox, &format!("user:{who}"))).transpose()?;
    // A row that does not read is left to the sink, which fails it naming what is wrong.
    let Ok(email) = from_json(action, false) else { return Ok(Ok(company.attachments)) };
    let parts =
        EmailParts { from: &email.from, to: &email.to, cc: &email.cc, subject: &email.subject, body: &email.text };
    Ok(match skip_reason(&company, by.zip(own.as_ref()), email.direction, &parts) {
        Some(reason) => Err(reason),
        None => Ok(company.attachments),
    })
}

/// A `log_email` row sent through `send` (the configured CRM).
pub fn log_email(job: &Job, send: impl Fn(&LoggedEmail, &str) -> Outcome) -> Outcome {
    let with = job.action["attachments_logged"].as_bool().unwrap_or(false);
    match from_json(job.action, with) {
        Ok(email) => send(&email, job.id),
        Err(message) => Outcome::Failed { code: "email".into(), message },
    }
}

/// What the sync log says of a delivered attempt: for an email logged without the
/// attachments it has, that they were left out and why.
pub fn delivered_note(kind: &str, action: &Value) -> String {
    let count = action["attachments"].as_array().map_or(0, Vec::len);
    if kind != "log_email" || count == 0 {
        return String::new();
    }
    if action["attachments_logged"].as_bool() == Some(true) {
        format!("logged with its {count} attachment(s)")
    } else {
        format!("logged without its {count} attachment(s): the company does not log attachments (`attachments` is off)")
    }
}

/// The `log_email` row of an automatic email just delivered over SMTP, when a CRM is
/// configured: to the contact it went to (`to_record`), else the action's record. Its
/// id is the action's with `.logged`, so a repeated delivery makes no second row.
pub fn sent_email_row(d: &Delivery, action: &Value, sinks: &SinkSet, now: i64) -> Option<OutboxRow> {
    let automatic = d.kind == "email" && action["approved_by"].is_null();
    let smtp = sinks.smtp.as_ref().filter(|_| automatic && sinks.by_name.contains_key("crm"))?;
    let text = |k: &str| action[k].as_str().map(String::from);
    let record = text("to_record").or_else(|| text("record")).filter(|r| r.contains('/'))?;
    let email = crate::emails::Posted {
        message_id: smtp.message_id(&d.action_id),
        from: smtp.sender(),
        to: vec![text("to")?],
        cc: Vec::new(),
        subject: text("subject").or_else(|| text("title")).or_else(|| text("playbook")).unwrap_or_default(),
        text: text("body").or_else(|| text("message")).unwrap_or_default(),
        html: text("html"),
        sent_at: play_runtime::value::moment_text(now),
        at: now,
        direction: Direction::Outbound,
        attachments: Vec::new(),
    };
    Some(crate::emails::row(&format!("{}.logged", d.action_id), &record, &email, None))
}
