//! Email sync through the outbox worker: a `log_email` row (an email posted from a
//! teammate's mailbox) becomes a Salesforce `Task` on its record, its attachments as
//! `ContentVersion`s when the company logs attachments, left out (and said so in the sync
//! log) when it does not; a switch turned off after the email was accepted skips it with
//! the reason. An automatic email delivered to a real SMTP server is then logged to the
//! contact it went to, once, however often the worker passes.

mod outbox;

use outbox::http::{Request, Server};
use outbox::smtp::SmtpServer;
use outbox::*;
use play_runtime::config::{PullConfig, SalesforceConfig, Sinks, SmtpConfig, DEFAULT_PULL_EVERY};
use play_store::{DeliveryState, Outbox, SqliteStore};
use serde_json::{json, Value};

/// Salesforce's `POST sobjects/Task/` and `POST sobjects/ContentVersion/` (linked to a
/// task it made).
fn fake_salesforce() -> Server {
    let tasks = std::sync::Mutex::new(0);
    Server::with(move |r: &Request| {
        let body: Value = serde_json::from_str(&r.body).unwrap_or_default();
        match r.path.as_str() {
            "/services/data/v61.0/sobjects/Task/" => {
                let mut n = tasks.lock().unwrap();
                *n += 1;
                (201, vec![], json!({ "id": format!("00T{:012}", *n), "success": true, "errors": [] }).to_string())
            }
            "/services/data/v61.0/sobjects/ContentVersion/"
                if body["FirstPublishLocationId"].as_str().is_some_and(|t| t.starts_with("00T")) =>
            {
                (201, vec![], json!({ "id": "068000000000001", "success": true, "errors": [] }).to_string())
            }
            _ => (
                400,
                vec![],
                json!([{ "message": "invalid cross reference id", "errorCode": "INVALID_CROSS_REFERENCE_KEY" }])
                    .to_string(),
            ),
        }
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

fn posted(id: &str, direction: &str, subject: &str) -> String {
    json!({ "id": id, "action": "log_email", "record": "Contact/003A", "direction": direction,
            "message_id": format!("<{id}@acme.example>"), "from": "maria@acme.example", "to": ["jo@example.com"],
            "cc": [], "subject": subject, "text": "Seats?", "html": null, "sent_at": "2026-03-02T01:00:00Z",
            "attachments": [{ "name": "quote.txt", "content_type": "text/plain", "content": "NTAgc2VhdHM=" }],
            "by": "jo@example.com", "teammate": "jo@example.com" })
    .to_string()
}

fn paths(crm: &Server) -> Vec<String> {
    crm.requests().into_iter().map(|r| r.path.rsplit('/').nth(1).unwrap_or_default().to_string()).collect()
}

#[test]
fn a_posted_email_is_logged_with_its_attachments_only_when_the_company_says_so() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("state.db");
    let crm = fake_salesforce();
    produce(&path, &[("e1", "log_email", &posted("e1", "inbound", "Renewal"))], T0);
    let mut store = SqliteStore::open(&path).unwrap();
    let mut worker = worker(&path, &salesforce(&crm.root()), &[("SF_TOKEN", "t")]);
    assert_eq!(worker.pass(T0).unwrap().delivered, 1);
    assert_eq!(paths(&crm), ["Task"], "attachments are off by default: the task alone");
    let task: Value = serde_json::from_str(&crm.requests()[0].body).unwrap();
    assert_eq!((&task["TaskSubtype"], &task["WhoId"]), (&json!("Email"), &json!("003A")));
    let line = store.sync_log(0, 10).unwrap().pop().unwrap();
    assert_eq!(
        (line.outcome.as_str(), line.teammate.as_deref(), line.message.as_str()),
        (
            "delivered",
            Some("jo@example.com"),
            "logged without its 1 attachment(s): the company does not log attachments (`attachments` is off)"
        )
    );

    store.set_sync_setting("company", r#"{"attachments":true}"#, T0).unwrap();
    produce(&path, &[("e2", "log_email", &posted("e2", "inbound", "Quote"))], T0);
    assert_eq!(worker.pass(T0 + 1).unwrap().delivered, 1);
    assert_eq!(paths(&crm), ["Task", "Task", "ContentVersion"], "then the task and its file");
    let version: Value = serde_json::from_str(&crm.requests()[2].body).unwrap();
    assert_eq!(
        (&version["VersionData"], &version["FirstPublishLocationId"]),
        (&json!("NTAgc2VhdHM="), &json!("00T000000000002"))
    );
    assert_eq!(store.sync_log(0, 10).unwrap().pop().unwrap().message, "logged with its 1 attachment(s)");

    // Jo stops syncing received emails after this one was accepted: it is not logged.
    store.set_sync_setting("user:jo@example.com", r#"{"inbound":false}"#, T0).unwrap();
    produce(&path, &[("e3", "log_email", &posted("e3", "inbound", "Later"))], T0);
    assert_eq!(worker.pass(T0 + 2).unwrap().skipped, 1);
    assert_eq!(crm.requests().len(), 3);
    let skipped = store.delivery("e3").unwrap().unwrap();
    assert_eq!(skipped.state, DeliveryState::Skipped);
    assert_eq!(skipped.last_message.as_deref(), Some("jo@example.com does not sync the emails they receive"));
}

#[test]
fn an_automatic_email_sent_is_logged_to_its_contact_once() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("state.db");
    let crm = fake_salesforce();
    let smtp = SmtpServer::start();
    let mut sinks = salesforce(&crm.root());
    sinks.smtp = Some(SmtpConfig {
        host: "127.0.0.1".into(),
        port: smtp.port,
        security: "none".into(),
        username: None,
        password_env: None,
        from: "Customer Success <cs@example.com>".into(),
        unsubscribe: None,
    });
    let email = json!({ "id": "a1", "action": "email", "playbook": "onboarding", "step": "welcome",
                        "record": "Account/001A", "to": "maria@acme.example", "to_record": "Contact/003A",
                        "subject": "Welcome aboard", "body": "Hello Maria" });
    let approved = json!({ "id": "a2", "action": "email", "playbook": "renewal", "step": "write",
                           "record": "Account/001A", "to": "maria@acme.example", "subject": "Renewal",
                           "body": "Hi", "approved_by": "jo@example.com", "task": "t1" });
    produce(&path, &[("a1", "email", &email.to_string()), ("a2", "email", &approved.to_string())], T0);
    let mut worker = worker(&path, &sinks, &[("SF_TOKEN", "t")]);
    let first = worker.pass(T0).unwrap();
    let second = worker.pass(T0 + 1).unwrap();
    assert_eq!(smtp.received().len(), 2);
    assert_eq!(first.delivered + second.delivered, 3, "two emails, and the automatic one logged");
    worker.pass(T0 + 2).unwrap();
    let store = SqliteStore::open(&path).unwrap();
    let logged = store.delivery("a1.logged").unwrap().expect("the automatic email's log row");
    assert_eq!(
        (logged.kind.as_str(), logged.sink.as_str(), logged.state),
        ("log_email", "crm", DeliveryState::Delivered)
    );
    assert!(store.delivery("a2.logged").unwrap().is_none(), "an approved email task is logged by activity sync");
    let tasks = crm.requests();
    assert_eq!(tasks.len(), 1, "logged once");
    let task: Value = serde_json::from_str(&tasks[0].body).unwrap();
    assert_eq!((&task["Subject"], &task["WhoId"]), (&json!("Welcome aboard"), &json!("003A")));
    let description = task["Description"].as_str().unwrap();
    assert!(
        description.starts_with("From: Customer Success <cs@example.com>\nTo: maria@acme.example\nMessage-ID: <a1@example.com>\n\nHello Maria"),
        "{description}"
    );
}
