//! The delivery endpoints through the router: listing by state, retry by hand (and its
//! refusals), the sync log as JSON and as CSV, a private playbook's deliveries hidden from
//! others, and one-click unsubscribe only for the address the email went to.

use std::sync::{Arc, Mutex};

use axum::body::Body;
use axum::http::{Request, StatusCode};
use play_store::{Attempt, Batch, Outbox, OutboxRow, SqliteStore, Store, Then};
use tower::ServiceExt;

use super::cell;
use crate::http::{router, App, Opener};
use crate::status::Status;

fn row(id: &str, kind: &str, playbook: &str, to: &str) -> OutboxRow {
    let json =
        serde_json::json!({ "id": id, "action": kind, "playbook": playbook, "record": "Account/acme", "to": to });
    let sink = crate::deliver::sinks::sink_of(kind, &json).into();
    OutboxRow { action_id: id.into(), kind: kind.into(), sink, at: 1_772_409_600, json: json.to_string() }
}

fn attempt(id: &str, outcome: &str, code: &str, message: &str) -> Attempt {
    Attempt {
        action_id: id.into(),
        at: 1_772_409_700,
        sink: "webhook".into(),
        record: "Account/acme".into(),
        teammate: None,
        attempt: 1,
        outcome: outcome.into(),
        code: code.into(),
        message: message.into(),
        next_at: None,
    }
}

/// An app over a store with a dead webhook, a delivered email, and a dead delivery of a
/// private playbook owned by someone else; tokens `jo` and `lee`.
fn app(dir: &std::path::Path) -> (App, std::path::PathBuf) {
    let path = dir.join("state.db");
    let mut s = SqliteStore::open(&path).unwrap();
    let rows = vec![
        row("w1", "webhook", "sync", ""),
        row("e1", "email", "onboarding", "Vic@Acme.example"),
        row("p1", "webhook", "secret_plan", ""),
    ];
    s.append(&Batch { outbox: rows, ..Batch::default() }).unwrap();
    s.record_attempt(&attempt("w1", "failed", "422", "=cmd|' /C calc'!A0, \"bad\""), Then::Dead).unwrap();
    s.record_attempt(&attempt("e1", "delivered", "250", ""), Then::Delivered).unwrap();
    s.record_attempt(&attempt("p1", "failed", "422", "no"), Then::Dead).unwrap();
    s.add_token("jo@example.com", &crate::auth::token_hash("jo")).unwrap();
    let at = path.clone();
    let open: Opener = Arc::new(move || SqliteStore::open(&at).map(|s| Box::new(s) as Box<dyn Store>));
    let (requests, _inbox) = std::sync::mpsc::channel();
    let mut status = Status::default();
    status.private_playbooks.insert("secret_plan".into(), Some("lee@example.com".into()));
    (App::new(requests, open, Arc::new(Mutex::new(status)), None), path)
}

async fn call(app: &App, method: &str, uri: &str, accept: &str) -> (StatusCode, String) {
    let request = Request::builder()
        .method(method)
        .uri(uri)
        .header("authorization", "Bearer jo")
        .header("accept", accept)
        .body(Body::empty())
        .unwrap();
    let response = router(app.clone()).oneshot(request).await.unwrap();
    let status = response.status();
    let bytes = axum::body::to_bytes(response.into_body(), 1 << 20).await.unwrap();
    (status, String::from_utf8_lossy(&bytes).into_owned())
}

#[tokio::test]
async fn deliveries_are_listed_by_state_and_a_dead_one_is_retried_once() {
    let dir = tempfile::tempdir().unwrap();
    let (app, path) = app(dir.path());
    let (code, body) = call(&app, "GET", "/v1/deliveries?state=dead", "application/json").await;
    assert_eq!(code, StatusCode::OK);
    let v: serde_json::Value = serde_json::from_str(&body).unwrap();
    let ids: Vec<&str> = v["deliveries"].as_array().unwrap().iter().map(|d| d["id"].as_str().unwrap()).collect();
    assert_eq!(ids, ["w1"], "dead ones, and not a private playbook of someone else's");
    assert_eq!(v["deliveries"][0]["last_code"], "422");
    let (code, _) = call(&app, "GET", "/v1/deliveries?state=lost", "").await;
    assert_eq!(code, StatusCode::BAD_REQUEST);
    let (_, body) = call(&app, "GET", "/v1/deliveries?sink=smtp", "").await;
    let v: serde_json::Value = serde_json::from_str(&body).unwrap();
    let smtp: Vec<(&str, &str)> = v["deliveries"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| (d["id"].as_str().unwrap(), d["sink"].as_str().unwrap()))
        .collect();
    assert_eq!(smtp, [("e1", "smtp")], "by the sink each row was projected to");

    assert_eq!(call(&app, "POST", "/v1/deliveries/w1/retry", "").await.0, StatusCode::OK);
    let state = SqliteStore::open(&path).unwrap().delivery("w1").unwrap().unwrap().state;
    assert_eq!(state, play_store::DeliveryState::Pending);
    assert_eq!(call(&app, "POST", "/v1/deliveries/w1/retry", "").await.0, StatusCode::CONFLICT, "pending now");
    assert_eq!(call(&app, "POST", "/v1/deliveries/e1/retry", "").await.0, StatusCode::CONFLICT, "delivered");
    assert_eq!(call(&app, "POST", "/v1/deliveries/p1/retry", "").await.0, StatusCode::NOT_FOUND, "not yours");
    assert_eq!(call(&app, "POST", "/v1/deliveries/nope/retry", "").await.0, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn the_sync_log_is_json_or_a_csv_that_no_spreadsheet_runs() {
    let dir = tempfile::tempdir().unwrap();
    let (app, _) = app(dir.path());
    let (code, body) = call(&app, "GET", "/v1/sync-log?since=2026-03-01T00:00:00Z", "application/json").await;
    assert_eq!(code, StatusCode::OK);
    let v: serde_json::Value = serde_json::from_str(&body).unwrap();
    let entries = v["entries"].as_array().unwrap();
    assert_eq!(entries.len(), 2, "the private playbook's line is hidden: {body}");
    assert_eq!(entries[0]["message"], "=cmd|' /C calc'!A0, \"bad\"", "the remote message verbatim");
    let (code, csv) = call(&app, "GET", "/v1/sync-log?since=2026-03-01T00:00:00Z", "text/csv").await;
    assert_eq!(code, StatusCode::OK);
    let lines: Vec<&str> = csv.lines().collect();
    assert_eq!(lines[0], "at,action,playbook,sink,record,teammate,attempt,outcome,code,message,next_retry");
    assert_eq!(
        lines[1],
        "2026-03-02T00:01:40Z,w1,sync,webhook,Account/acme,,1,failed,422,\"'=cmd|' /C calc'!A0, \"\"bad\"\"\","
    );
    assert_eq!(lines.len(), 3);
    let (code, _) = call(&app, "GET", "/v1/sync-log?since=yesterday", "").await;
    assert_eq!(code, StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn the_sync_log_is_filtered_by_sink_record_outcome_and_teammate() {
    let dir = tempfile::tempdir().unwrap();
    let (app, path) = app(dir.path());
    let mut logged = attempt("e1", "retry", "421", "busy");
    (logged.sink, logged.record, logged.teammate) =
        ("smtp".into(), "Contact/vic".into(), Some("lee@example.com".into()));
    SqliteStore::open(&path).unwrap().record_attempt(&logged, Then::RetryAt(1_772_409_800)).unwrap();
    let ids = |body: &str| -> Vec<String> {
        let v: serde_json::Value = serde_json::from_str(body).unwrap();
        v["entries"].as_array().unwrap().iter().map(|e| format!("{} {}", e["action"], e["outcome"])).collect()
    };
    for (query, want) in [
        ("sink=smtp", vec![r#""e1" "retry""#]),
        ("record=Account/acme", vec![r#""w1" "failed""#, r#""e1" "delivered""#]),
        ("outcome=delivered", vec![r#""e1" "delivered""#]),
        ("teammate=lee@example.com", vec![r#""e1" "retry""#]),
        ("outcome=failed", vec![r#""w1" "failed""#]), // p1 failed too, but is not jo's to see
        ("sink=smtp&outcome=failed", vec![]),
    ] {
        let (code, body) = call(&app, "GET", &format!("/v1/sync-log?{query}"), "application/json").await;
        assert_eq!(code, StatusCode::OK, "{query}: {body}");
        assert_eq!(ids(&body), want, "{query}");
    }
    let (code, csv) = call(&app, "GET", "/v1/sync-log?since=2026-03-01T00:00:00Z&sink=smtp", "text/csv").await;
    assert_eq!(code, StatusCode::OK);
    assert_eq!(csv.lines().count(), 2, "the CSV filtered too: {csv}");
    let (code, body) = call(&app, "GET", "/v1/sync-log?outcome=lost", "").await;
    assert_eq!(code, StatusCode::BAD_REQUEST);
    assert!(body.contains("`outcome` is one of `delivered`, `retry`"), "{body}");
}

#[tokio::test]
async fn unsubscribing_takes_the_address_the_email_went_to_and_no_other() {
    let dir = tempfile::tempdir().unwrap();
    let (app, path) = app(dir.path());
    let (code, _) = call(&app, "POST", "/v1/unsubscribe?email=someone@else.example&action=e1", "").await;
    assert_eq!(code, StatusCode::NOT_FOUND, "only the address the email went to");
    let (code, _) = call(&app, "POST", "/v1/unsubscribe?email=x@y.z&action=w1", "").await;
    assert_eq!(code, StatusCode::NOT_FOUND, "only an automatic email");
    let (code, body) = call(&app, "POST", "/v1/unsubscribe?email=vic%40acme.example&action=e1", "").await;
    assert_eq!(code, StatusCode::OK, "{body}");
    let reason = SqliteStore::open(&path).unwrap().opted_out(&["vic@acme.example"]).unwrap();
    assert_eq!(reason.as_deref(), Some("unsubscribed"));
}

#[test]
fn csv_cells_are_quoted_and_never_formulas() {
    assert_eq!(cell("plain"), "plain");
    assert_eq!(cell("a, b"), "\"a, b\"");
    assert_eq!(cell("say \"no\"\nthen"), "\"say \"\"no\"\"\nthen\"");
    assert_eq!(cell("-1"), "'-1");
}
