//! `POST /v1/emails` against a real engine thread and SQLite store: each email matched to
//! a contact by address or an account by domain, stored as a `log_email` outbox row
//! before the answer, once per message id; kept out by a blacklist, skipped with the
//! reason; matching no record, stored as an orphan to adopt; a bad field refused by name,
//! nothing stored.

use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use play_store::{DeliveryQuery, Outbox};
use serde_json::{json, Value};
use tower::ServiceExt;

use super::*;
use crate::inbox::tests::harness::{Daemon, CHANGES};

async fn post(daemon: &Daemon, token: &str, body: &Value) -> (StatusCode, Value) {
    let request = Request::post("/v1/emails")
        .header(header::AUTHORIZATION, format!("Bearer {token}"))
        .header(header::CONTENT_TYPE, "application/json")
        .body(Body::from(body.to_string()))
        .unwrap();
    let answer = daemon.router.clone().oneshot(request).await.unwrap();
    let status = answer.status();
    let bytes = axum::body::to_bytes(answer.into_body(), usize::MAX).await.unwrap();
    (status, serde_json::from_slice(&bytes).unwrap_or(Value::Null))
}

fn email(id: &str, from: &str, to: &[&str], subject: &str) -> Value {
    json!({ "message_id": id, "from": from, "to": to, "subject": subject, "text": "Hello",
            "sent_at": "2026-03-04T10:00:00Z" })
}

fn log_rows(daemon: &Daemon) -> Vec<(String, Value)> {
    let query = DeliveryQuery { kind: Some("log_email".into()), limit: 100, ..DeliveryQuery::default() };
    let mut rows: Vec<(String, Value)> = daemon
        .store
        .deliveries(&query)
        .unwrap()
        .into_iter()
        .map(|d| (d.sink, serde_json::from_str(&d.json).unwrap()))
        .collect();
    rows.reverse();
    rows
}

#[tokio::test]
async fn emails_are_matched_to_their_record_stored_once_and_skipped_with_the_reason() {
    let globex = r#"{"at":"2026-03-03T12:00:00Z","change":"upsert","record":"Account","id":"globex","fields":{"domain":"globex.example"}}"#;
    let mut daemon = Daemon::with_changes(&format!("{CHANGES}\n{globex}\n")).await;
    daemon
        .store
        .set_sync_setting("company", r#"{"blacklist":{"keywords":["salary"]}}"#, 0)
        .expect("the company blacklist is saved");
    let mut sent = email("<m1@example.com>", "Jo Chen <jo@example.com>", &["Maria@Acme.example"], "Renewal");
    sent["attachments"] = json!([{ "name": "quote.txt", "content_type": "text/plain", "content": "cXVvdGU=" }]);
    let body = json!({ "emails": [
        sent,
        email("<m2@globex.example>", "bob@sales.globex.example", &["jo@example.com"], "Pilot"),
        email("<m3@example.com>", "jo@example.com", &["x@nowhere.example"], "Hi"),
        email("<m4@example.com>", "jo@example.com", &["maria@acme.example"], "Your salary"),
    ]});
    let (status, answer) = post(&daemon, "jo-token", &body).await;
    assert_eq!(status, StatusCode::OK, "{answer}");
    let outcomes: Vec<(&str, &str)> = answer["emails"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| (e["outcome"].as_str().unwrap(), e["record"].as_str().or(e["reason"].as_str()).unwrap()))
        .collect();
    assert_eq!(
        outcomes,
        [
            ("logged", "Contact/c-17"),
            ("logged", "Account/globex"),
            ("orphan", "no contact has the address and no account has the domain of `x@nowhere.example`"),
            ("skipped", "the company blacklist has the keyword `salary` (in the subject)"),
        ]
    );
    let rows = log_rows(&daemon);
    assert_eq!(rows.len(), 3, "the two emails matched, and the orphan, are in the outbox before the answer");
    assert_eq!(rows[2].1["record"], "", "the orphan has no record until it is adopted");
    let (sink, first) = &rows[0];
    assert_eq!(sink, "crm");
    assert_eq!(
        (&first["record"], &first["direction"], &first["by"], &first["attachments"][0]["name"]),
        (&json!("Contact/c-17"), &json!("outbound"), &json!("jo@example.com"), &json!("quote.txt"))
    );
    assert_eq!(rows[1].1["direction"], "inbound", "an email from someone else is one the teammate received");
    assert_eq!(answer["emails"][0]["delivery"], json!(row_id("<m1@example.com>")));

    // Lee (cc'd) posts the same message: it is logged once.
    let again = json!({ "emails": [email("<m1@example.com>", "jo@example.com", &["maria@acme.example"], "Renewal")] });
    let (status, answer) = post(&daemon, "lee-token", &again).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(answer["emails"][0]["duplicate"], true);
    assert_eq!(log_rows(&daemon).len(), 3, "the same message id makes no second row");
}

#[tokio::test]
async fn a_teammates_switches_and_bad_fields_are_answered() {
    let mut daemon = Daemon::start().await;
    daemon.store.set_sync_setting("user:jo@example.com", r#"{"inbound":false}"#, 0).unwrap();
    let inbound = json!({ "emails": [email("<in@acme.example>", "maria@acme.example", &["jo@example.com"], "Hi")] });
    let (status, answer) = post(&daemon, "jo-token", &inbound).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(answer["emails"][0]["reason"], "jo@example.com does not sync the emails they receive");
    let (status, answer) = post(&daemon, "lee-token", &inbound).await;
    assert_eq!(
        (status, &answer["emails"][0]["record"]),
        (StatusCode::OK, &json!("Contact/c-17")),
        "lee's own switch is on"
    );

    let mut bad = email("<b@example.com>", "jo@example.com", &["maria@acme.example"], "Hi");
    bad["attachments"] = json!([{ "name": "a.pdf", "content": "not base64!" }]);
    let (status, answer) = post(
        &daemon,
        "jo-token",
        &json!({ "emails": [email("<ok@x.example>", "jo@example.com", &["maria@acme.example"], ""), bad] }),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(answer["field"], "emails[1].attachments[0].content");
    let mut late = email("<c@example.com>", "jo@example.com", &["maria@acme.example"], "Hi");
    late["sent_at"] = json!("yesterday");
    let (status, answer) = post(&daemon, "jo-token", &json!({ "emails": [late] })).await;
    assert_eq!((status, answer["field"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("emails[0].sent_at")));
    let (status, _) = post(&daemon, "jo-token", &json!({ "mails": [] })).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    let (status, _) = post(&daemon, "nobody", &inbound).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_eq!(log_rows(&daemon).len(), 1, "only lee's email was stored; nothing of a refused body");
}

#[tokio::test]
async fn the_address_index_follows_each_change_to_a_contact_or_an_account() {
    let daemon = Daemon::start().await;
    let record = |answer: &Value| answer["emails"][0]["record"].as_str().unwrap_or("none").to_string();
    let mail =
        |n: u32, to: &str| json!({ "emails": [email(&format!("<i{n}@example.com>"), "jo@example.com", &[to], "Hi")] });
    // The index is built at the first email, then kept up to date by changes.
    assert_eq!(record(&post(&daemon, "jo-token", &mail(1, "maria@acme.example")).await.1), "Contact/c-17");
    let (_, first) = post(&daemon, "jo-token", &mail(2, "vic@initech.example")).await;
    assert_eq!(first["emails"][0]["outcome"], "orphan", "{first}");
    daemon
        .changes(concat!(
            r#"{"at":"2026-03-03T12:00:00Z","change":"upsert","record":"Contact","id":"c-17","fields":{"email":"Vic@Initech.example"}}"#,
            "\n",
            r#"{"at":"2026-03-03T12:00:00Z","change":"upsert","record":"Account","id":"globex","fields":{"domain":"www.initech.example"}}"#,
            "\n"
        ))
        .await;
    assert_eq!(record(&post(&daemon, "jo-token", &mail(3, "vic@initech.example")).await.1), "Contact/c-17");
    assert_eq!(record(&post(&daemon, "jo-token", &mail(4, "amy@eu.initech.example")).await.1), "Account/globex");
    let (_, old) = post(&daemon, "jo-token", &mail(5, "maria@acme.example")).await;
    assert_ne!(record(&old), "Contact/c-17", "the contact's old address is no longer hers: {old}");
    daemon
        .changes(concat!(
            r#"{"at":"2026-03-03T13:00:00Z","change":"upsert","record":"Account","id":"globex","fields":{"domain":"globex.example"}}"#,
            "\n"
        ))
        .await;
    let (_, moved) = post(&daemon, "jo-token", &mail(6, "amy@eu.initech.example")).await;
    assert_eq!(moved["emails"][0]["outcome"], "orphan", "the account's old domain matches nothing: {moved}");
}

#[tokio::test]
async fn a_lead_is_matched_by_address_after_contacts() {
    let changes = include_str!("../../examples/sales-automation/changes.jsonl");
    let daemon = Daemon::example("sales-automation", changes).await;
    let body = json!({ "emails": [email("<l1@example.com>", "jo@example.com", &["Dana@Initech.example"], "Demo")] });
    let (status, answer) = post(&daemon, "jo-token", &body).await;
    assert_eq!((status, &answer["emails"][0]["record"]), (StatusCode::OK, &json!("Lead/l-301")), "{answer}");
}

#[test]
fn the_direction_follows_the_sender_unless_given() {
    let body = json!({ "emails": [
        email("<1>", "Jo <JO@example.com>", &["a@b.example"], ""),
        email("<2>", "a@b.example", &["jo@example.com"], ""),
    ]});
    let read = read_body(body.to_string().as_bytes(), "jo@example.com").unwrap();
    assert_eq!((read[0].direction, read[1].direction), (Direction::Outbound, Direction::Inbound));
    let mut odd = email("<3>", "a@b.example", &["jo@example.com"], "");
    odd["direction"] = json!("sideways");
    let e = read_body(json!({ "emails": [odd] }).to_string().as_bytes(), "jo@example.com").unwrap_err();
    assert_eq!(e.field, "emails[0].direction");
    let e = read_body(
        br#"{"emails":[{"message_id":"<4>","from":"nope","to":["a@b.example"],"sent_at":"2026-03-04T10:00:00Z"}]}"#,
        "jo@example.com",
    )
    .unwrap_err();
    assert_eq!(
        (e.field.as_str(), e.message.as_str()),
        ("emails[0].from", "`emails[0].from` is an address such as `vic@acme.com`, not `nope`")
    );
}
