//! Email through the outbox worker to a real SMTP server (aiosmtpd) started by the test:
//! the Message-ID is the action's id and automatic emails carry `List-Unsubscribe`; a
//! contact who opted out (`opted_out` in a change, or an unsubscribe received) gets no
//! automatic email, recorded as skipped with the reason; a dead delivery is announced to
//! the workspace owner by email.

mod outbox;

use outbox::smtp::{header, SmtpServer};
use outbox::*;
use play_runtime::config::{Sinks, SmtpConfig};
use play_store::{Batch, Command, DeliveryState, Outbox, SqliteStore, Store};

fn smtp_sinks(port: u16) -> Sinks {
    Sinks {
        smtp: Some(SmtpConfig {
            host: "127.0.0.1".into(),
            port,
            security: "none".into(),
            username: None,
            password_env: None,
            from: "Customer Success <cs@example.com>".into(),
            unsubscribe: Some("https://play.example.com/v1/unsubscribe".into()),
        }),
        ..Sinks::default()
    }
}

fn email(id: &str, kind: &str, to: &str, contact: &str) -> String {
    serde_json::json!({
        "id": id, "action": kind, "playbook": "onboarding", "step": "invite", "record": "Account/acme",
        "to": to, "to_record": contact, "subject": "Invite your team <now> & \"soon\"",
        "body": "Hi,\nplease invite your team.", "html": "<p>Hi &amp; welcome</p>",
    })
    .to_string()
}

#[test]
fn automatic_emails_arrive_with_their_id_and_unsubscribe_and_skip_those_who_opted_out() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("state.db");
    let server = SmtpServer::start();
    let mut store = SqliteStore::open(&path).unwrap();
    // Ana opts out in the CRM; Bo unsubscribed from an earlier email.
    let line =
        r#"{"at":"2026-03-02T09:00:00Z","change":"upsert","record":"Contact","id":"ana","fields":{"opted_out":true}}"#;
    store
        .append(&Batch { commands: vec![Command::Change { line: line.into(), arrival: None }], ..Batch::default() })
        .unwrap();
    store.set_opt_out("bo@acme.example", Some("unsubscribed"), T0).unwrap();
    let rows = [
        ("e1", "email", email("e1", "email", "vic@acme.example", "Contact/vic")),
        ("e2", "email", email("e2", "email", "ana@acme.example", "Contact/ana")),
        ("e3", "email", email("e3", "email", "Bo@Acme.example", "Contact/bo")),
        ("n1", "notify_email", email("n1", "notify_email", "bo@acme.example", "User/bo")),
    ];
    let refs: Vec<(&str, &str, &str)> = rows.iter().map(|(i, k, j)| (*i, *k, j.as_str())).collect();
    produce(&path, &refs, T0);

    let mut worker = worker(&path, &smtp_sinks(server.port), &[]);
    let pass = worker.pass(T0).unwrap();
    assert_eq!((pass.delivered, pass.skipped), (2, 2), "{pass:?}");

    let got = server.received();
    assert_eq!(got.len(), 2);
    let vic = got.iter().find(|m| header(m, "To").as_deref() == Some("vic@acme.example")).expect("Vic's email");
    assert_eq!(header(vic, "Message-ID").as_deref(), Some("<e1@example.com>"), "the action id is the Message-ID");
    assert_eq!(
        header(vic, "List-Unsubscribe").as_deref(),
        Some("<https://play.example.com/v1/unsubscribe?email=vic%40acme.example&action=e1>")
    );
    assert_eq!(header(vic, "Subject").as_deref(), Some("Invite your team <now> & \"soon\""), "the subject as written");
    assert!(vic.contains("text/plain") && vic.contains("text/html") && vic.contains("&amp; welcome"), "{vic}");
    let bo = got.iter().find(|m| header(m, "To").as_deref() == Some("bo@acme.example")).expect("the notification");
    assert_eq!(header(bo, "List-Unsubscribe"), None, "a notification to a teammate is not an automatic email");

    for (id, reason) in [("e2", "opted_out"), ("e3", "unsubscribed")] {
        let d = store.delivery(id).unwrap().unwrap();
        assert_eq!(d.state, DeliveryState::Skipped, "{id}");
        let m = d.last_message.unwrap();
        assert!(m.contains(reason), "{id} is skipped with the reason: {m}");
        assert_eq!(d.attempts, 0, "{id}: nothing was sent");
    }
}

#[test]
fn a_dead_delivery_is_announced_to_the_workspace_owner() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("state.db");
    let server = SmtpServer::start();
    produce(&path, &[("e9", "email", &email("e9", "email", "not an address", "Contact/x"))], T0);
    let mut worker = worker(&path, &smtp_sinks(server.port), &[]);
    assert_eq!(worker.pass(T0).unwrap().dead, 1);
    let got = server.received();
    assert_eq!(got.len(), 1, "the owner is told");
    assert_eq!(header(&got[0], "To").as_deref(), Some("lee@example.com"));
    assert_eq!(header(&got[0], "Message-ID").as_deref(), Some("<dead-e9@example.com>"));
    assert!(got[0].contains("/v1/deliveries/e9/retry"), "{}", got[0]);
}

/// The email of an approved email task, as the writer projects it: its task and approver.
fn approved(id: &str, to: &str, contact: &str, by: &str) -> String {
    let mut email: serde_json::Value = serde_json::from_str(&email(id, "email", to, contact)).unwrap();
    email["task"] = "t1".into();
    email["approved_by"] = by.into();
    email.to_string()
}

#[test]
fn an_approved_email_goes_from_the_teammate_without_unsubscribe_unless_the_contact_opted_out() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("state.db");
    let server = SmtpServer::start();
    let mut store = SqliteStore::open(&path).unwrap();
    store.set_opt_out("ana@acme.example", Some("unsubscribed"), T0).unwrap();
    let rows = [
        ("a1", approved("a1", "vic@acme.example", "Contact/vic", "jo@example.com")),
        ("a2", approved("a2", "ana@acme.example", "Contact/ana", "jo@example.com")),
    ];
    let refs: Vec<(&str, &str, &str)> = rows.iter().map(|(i, j)| (*i, "email", j.as_str())).collect();
    produce(&path, &refs, T0);
    let mut worker = worker(&path, &smtp_sinks(server.port), &[]);
    let pass = worker.pass(T0).unwrap();
    assert_eq!((pass.delivered, pass.skipped), (1, 1), "{pass:?}");

    let got = server.received();
    assert_eq!(got.len(), 1, "the contact who opted out gets nothing");
    let m = &got[0];
    assert_eq!(header(m, "From").as_deref(), Some("jo@example.com"), "from the teammate who approved it");
    assert_eq!(header(m, "Message-ID").as_deref(), Some("<a1@example.com>"));
    assert_eq!(header(m, "List-Unsubscribe"), None, "a person's email has no List-Unsubscribe");
    assert_eq!(header(m, "Auto-Submitted"), None);
    let skipped = store.delivery("a2").unwrap().unwrap();
    assert_eq!(skipped.state, DeliveryState::Skipped);
    assert!(skipped.last_message.unwrap().contains("opted out (unsubscribed)"));
    let log = store.sync_log(0, 10).unwrap();
    assert!(
        log.iter().all(|a| a.teammate.as_deref() == Some("jo@example.com")),
        "the approver is the teammate: {log:?}"
    );
}
