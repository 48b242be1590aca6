//! Activity sync through the outbox worker: a `log_activity` row (work a teammate
//! completed) becomes a completed Salesforce `Task` on the record, its idempotency key the
//! action's id with `.activity`; a record Salesforce cannot match makes an orphan (not a
//! dead delivery), its refusal verbatim in the delivery and the sync log, with the
//! teammate who did the work. An email kept out by
//! the company's or the teammate's blacklist is skipped, the reason in the log.

mod outbox;

use outbox::http::{Request, Server};
use outbox::*;
use play_runtime::config::{PullConfig, SalesforceConfig, Sinks, DEFAULT_PULL_EVERY};
use play_store::{DeliveryState, Outbox, SqliteStore};
use serde_json::{json, Value};

fn activity_row(id: &str, record: &str) -> String {
    json!({ "id": id, "action": "log_activity", "of": id.trim_end_matches(".activity"), "done": "task", "playbook": "onboarding",
            "step": "kickoff", "record": record, "subject": "Kick-off call", "body": "Went well",
            "by": "jo@example.com", "at": "2026-03-02T01:00:00Z" })
    .to_string()
}

/// Salesforce's `POST sobjects/Task/`, refusing a `WhoId` that is not a Contact or Lead id.
fn fake_salesforce() -> Server {
    Server::with(|r: &Request| {
        let task: Value = serde_json::from_str(&r.body).unwrap_or_default();
        if r.path != "/services/data/v61.0/sobjects/Task/" {
            return (
                404,
                vec![],
                json!([{ "message": "The requested resource does not exist", "errorCode": "NOT_FOUND" }]).to_string(),
            );
        }
        if let Some(who) = task["WhoId"].as_str().filter(|id| !id.starts_with("003")) {
            let e = json!([{ "message": format!("Contact/Lead ID: id value of incorrect type: {who}"),
                             "errorCode": "FIELD_INTEGRITY_EXCEPTION", "fields": ["WhoId"] }]);
            return (400, vec![], e.to_string());
        }
        (201, vec![], json!({ "id": "00T000000000001", "success": true, "errors": [] }).to_string())
    })
}

fn salesforce(url: &str) -> Sinks {
    let pull = PullConfig { every: DEFAULT_PULL_EVERY, objects: vec!["Account".into()], unsynced: Vec::new() };
    let config = SalesforceConfig {
        instance_url: url.into(),
        api_version: "61.0".into(),
        token_env: "SF_TOKEN".into(),
        pull,
        task_external_id: String::new(),
    };
    Sinks { salesforce: Some(config), ..Sinks::default() }
}

#[test]
fn completed_work_reaches_the_record_and_an_unmatched_record_is_an_orphan_logged_verbatim() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("state.db");
    let crm = fake_salesforce();
    produce(
        &path,
        &[
            ("a1.activity", "log_activity", &activity_row("a1.activity", "Account/001A")),
            ("a2.activity", "log_activity", &activity_row("a2.activity", "Lead/001B")),
        ],
        T0,
    );
    let mut worker = worker(&path, &salesforce(&crm.root()), &[("SF_TOKEN", "t")]);
    let pass = worker.pass(T0).unwrap();
    assert_eq!((pass.delivered, pass.orphaned, pass.dead), (1, 1, 0));
    // Different records go on different lanes: find the first one by its key.
    let sent = crm.requests();
    let first = sent.iter().find(|r| r.header("idempotency-key") == Some("a1.activity")).expect("a1 sent");
    let task: Value = serde_json::from_str(&first.body).unwrap();
    assert_eq!(
        task,
        json!({ "Subject": "Kick-off call", "Status": "Completed", "TaskSubtype": "Task", "ActivityDate": "2026-03-02",
                "WhatId": "001A",
                "Description": "Went well\n\nPlaybook: onboarding\nStep: kickoff\n\nDone by: jo@example.com" })
    );
    let store = SqliteStore::open(&path).unwrap();
    // Salesforce cannot match the record: an orphan, waiting to be adopted, not dead.
    let orphan = store.delivery("a2.activity").unwrap().unwrap();
    assert_eq!(orphan.state, DeliveryState::Orphan);
    assert_eq!(orphan.last_message.as_deref(), Some("Contact/Lead ID: id value of incorrect type: 001B"));
    let log = store.sync_log(0, 10).unwrap();
    let line = log.iter().find(|a| a.action_id == "a2.activity").unwrap();
    assert_eq!(
        (line.sink.as_str(), line.record.as_str(), line.teammate.as_deref(), line.outcome.as_str(), line.code.as_str()),
        ("crm", "Lead/001B", Some("jo@example.com"), "orphan", "400 FIELD_INTEGRITY_EXCEPTION")
    );
}

#[test]
fn an_email_a_blacklist_keeps_out_is_skipped_with_the_reason() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("state.db");
    let crm = fake_salesforce();
    let email = |id: &str, to: &str, subject: &str| {
        json!({ "id": id, "action": "log_activity", "of": "e", "done": "email", "playbook": "renewal",
                "step": "write", "record": "Contact/003V", "subject": subject, "body": "Hello",
                "by": "jo@example.com", "to": to, "at": "2026-03-02T01:00:00Z" })
        .to_string()
    };
    let (lawyer, salary, fine) = (
        email("e1.activity", "ann@eu.lawyers.example", "Hi"),
        email("e2.activity", "vic@acme.example", "Salary"),
        email("e3.activity", "vic@acme.example", "Renewal"),
    );
    produce(
        &path,
        &[
            ("e1.activity", "log_activity", &lawyer),
            ("e2.activity", "log_activity", &salary),
            ("e3.activity", "log_activity", &fine),
        ],
        T0,
    );
    let mut store = SqliteStore::open(&path).unwrap();
    store.set_sync_setting("company", r#"{"blacklist":{"domains":["lawyers.example"]}}"#, T0).unwrap();
    store.set_sync_setting("user:jo@example.com", r#"{"blacklist":{"keywords":["salary"]}}"#, T0).unwrap();
    let mut worker = worker(&path, &salesforce(&crm.root()), &[("SF_TOKEN", "t")]);
    let pass = worker.pass(T0).unwrap();
    assert_eq!((pass.delivered, pass.skipped), (1, 2));
    assert_eq!(crm.requests().len(), 1, "only the email no list keeps out reaches the CRM");
    let reasons: Vec<(String, String, String)> = store
        .sync_log(0, 10)
        .unwrap()
        .into_iter()
        .filter(|a| a.outcome == "skipped")
        .map(|a| (a.action_id, a.code, a.message))
        .collect();
    assert_eq!(
        reasons,
        [
            (
                "e1.activity".to_string(),
                "blacklist".to_string(),
                "the company blacklist has the domain `lawyers.example` (`ann@eu.lawyers.example`)".to_string()
            ),
            (
                "e2.activity".to_string(),
                "blacklist".to_string(),
                "jo@example.com's own blacklist has the keyword `salary` (in the subject)".to_string()
            ),
        ]
    );
    assert_eq!(store.delivery("e2.activity").unwrap().unwrap().state, DeliveryState::Skipped);
}
