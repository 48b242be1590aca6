//! A record edited on the action page is written back to the CRM (a local Salesforce fake)
//! without its unsynced fields, naming the teammate; the sync log page shows the attempt,
//! filters and pages like the API and downloads its CSV; the blacklists pages.

use axum::http::StatusCode;
use play_runtime::config::{PullConfig, SalesforceConfig, Sinks, DEFAULT_PULL_EVERY};
use play_store::{Delivery, DeliveryQuery, DeliveryState, Outbox, SqliteStore, Store};
use serde_json::{json, Value};

use super::harness::{Daemon, PUBLIC_TASK};

#[path = "../../../../delivery/tests/support/mod.rs"]
mod http;

/// Salesforce's `PATCH /services/data/v61.0/sobjects/{Type}/{id}`: 204 No Content for a
/// record it has, 404 `NOT_FOUND` (an array of errors) for one it has not.
fn fake_salesforce() -> http::Server {
    http::Server::with(|r: &http::Request| {
        let known = r.method == "PATCH" && r.path.starts_with("/services/data/v61.0/sobjects/Account/acme");
        if known {
            (204, vec![], String::new())
        } else {
            let e = json!([{ "message": "The requested resource does not exist", "errorCode": "NOT_FOUND" }]);
            (404, vec![], e.to_string())
        }
    })
}

fn salesforce(url: &str, unsynced: &[&str]) -> Sinks {
    let pull = PullConfig {
        every: DEFAULT_PULL_EVERY,
        objects: vec!["Account".into()],
        unsynced: unsynced.iter().map(|u| u.to_string()).collect(),
    };
    let config = SalesforceConfig {
        instance_url: url.into(),
        api_version: "61.0".into(),
        token_env: "SF_TOKEN".into(),
        pull,
        task_external_id: String::new(),
    };
    Sinks { salesforce: Some(config), ..Sinks::default() }
}

/// A pass of an outbox worker of its own over the daemon's store, at the wall clock.
fn deliver(d: &Daemon, sinks: &Sinks) {
    let set = crate::deliver::SinkSet::from_settings(sinks, &|name| (name == "SF_TOKEN").then(|| "t".to_string()));
    let store = Box::new(SqliteStore::open(&d.path).unwrap());
    let mut worker = crate::deliver::Worker::new(store, set, Some("lee@example.com".into())).unwrap();
    worker.pass(crate::clock::wall()).unwrap();
}

/// The teammates' edits waiting in (or gone through) the outbox.
fn edits(d: &Daemon) -> Vec<(Delivery, Value)> {
    let query = DeliveryQuery { kind: Some("update".into()), limit: 1000, ..DeliveryQuery::default() };
    let rows = d.store.deliveries(&query).unwrap();
    let rows = rows.into_iter().map(|r| {
        let json: Value = serde_json::from_str(&r.json).unwrap();
        (r, json)
    });
    rows.filter(|(_, j)| j["edit"] == true).collect()
}

async fn edit(d: &Daemon, fields: &[(&str, &str)]) {
    let mut jo = d.signed_in("jo-token").await;
    let path = format!("/actions/{PUBLIC_TASK}");
    let saved = jo.submit(&path, &format!("{path}/record"), fields).await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
}

#[tokio::test]
async fn an_edit_is_written_back_to_the_crm_without_unsynced_fields_and_logged() {
    let d = Daemon::start().await;
    edit(&d, &[("field.health", "52.5"), ("field.risk_reason", "Champion left")]).await;
    let journal = d.store.read_journal(0, usize::MAX).unwrap();
    let line = journal.iter().rev().find_map(|(_, c)| match c {
        play_store::Command::Change { line, .. } => Some(line.clone()),
        _ => None,
    });
    let line: Value = serde_json::from_str(&line.unwrap()).unwrap();
    assert_eq!(line["by"], "jo@example.com", "the change line names who edited: {line}");
    let rows = edits(&d);
    assert_eq!(rows.len(), 1, "one CRM update for the edit");
    let (row, json) = &rows[0];
    assert_eq!((row.sink.as_str(), row.state), ("crm", DeliveryState::Pending));
    assert_eq!(json["record"], "Account/acme");
    assert_eq!(json["by"], "jo@example.com");
    assert_eq!(json["fields"], json!({"health": 52.5, "risk_reason": "Champion left"}));

    let crm = fake_salesforce();
    deliver(&d, &salesforce(&crm.root(), &["Account.health"]));
    let sent: Vec<http::Request> =
        crm.requests().into_iter().filter(|r| r.header("idempotency-key") == Some(row.action_id.as_str())).collect();
    assert_eq!(sent.len(), 1, "the edit reached Salesforce once");
    assert_eq!(sent[0].path, "/services/data/v61.0/sobjects/Account/acme");
    let body: Value = serde_json::from_str(&sent[0].body).unwrap();
    assert_eq!(body, json!({"risk_reason": "Champion left"}), "the unsynced health is left out");
    assert_eq!(d.store.delivery(&row.action_id).unwrap().unwrap().state, DeliveryState::Delivered);

    let mut jo = d.signed_in("jo-token").await;
    let log = jo.get("/sync-log?sink=crm&teammate=jo%40example.com").await;
    assert_eq!(log.status, StatusCode::OK);
    let at = log.body.find(&row.action_id).unwrap_or_else(|| panic!("the edit's attempt is listed: {}", log.body));
    let entry = &log.body[at..at + log.body[at..].find("</tr>").unwrap()];
    assert!(entry.contains("Account/acme") && entry.contains("jo@example.com"), "{entry}");
    assert!(entry.contains("delivered") && entry.contains("<code>204</code>"), "{entry}");
}

#[tokio::test]
async fn an_edit_of_unsynced_fields_only_is_skipped_with_the_reason() {
    let d = Daemon::start().await;
    edit(&d, &[("field.health", "50")]).await;
    let crm = fake_salesforce();
    deliver(&d, &salesforce(&crm.root(), &["Account.health"]));
    let (row, _) = edits(&d).pop().expect("the edit's row");
    assert_eq!(d.store.delivery(&row.action_id).unwrap().unwrap().state, DeliveryState::Skipped);
    assert!(crm.requests().iter().all(|r| r.header("idempotency-key") != Some(row.action_id.as_str())));
    let mut jo = d.signed_in("jo-token").await;
    let log = jo.get("/sync-log?outcome=skipped&record=Account%2Facme").await.body;
    assert!(log.contains("every field of this update is unsynced"), "{log}");
    assert!(log.contains("<code>unsynced</code>"), "{log}");
}

#[tokio::test]
async fn the_sync_log_filters_pages_refuses_bad_filters_and_downloads_csv() {
    let d = Daemon::start().await;
    edit(&d, &[("field.risk_reason", "Budget cut")]).await;
    let crm = fake_salesforce();
    deliver(&d, &salesforce(&crm.root(), &[]));
    let mut jo = d.signed_in("jo-token").await;
    let all = jo.get("/sync-log").await;
    assert_eq!(all.status, StatusCode::OK);
    assert!(all.body.contains("<h1>Sync log</h1>"), "{}", all.body);
    assert!(all.body.contains("Budget cut") || all.body.contains("Account/acme"), "{}", all.body);
    let none = jo.get("/sync-log?record=Account%2Fnobody").await.body;
    assert!(none.contains("No attempts under these filters."), "{none}");
    let bad = jo.get("/sync-log?outcome=lost").await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);
    assert!(bad.body.contains("`lost` is not an outcome"), "{}", bad.body);
    let bad_day = jo.get("/sync-log?since=yesterday").await;
    assert!(bad_day.body.contains("`yesterday` is not a day"), "{}", bad_day.body);
    let count = |body: &str| body.matches("<tr><td>").count();
    let page_one = jo.get("/sync-log").await.body;
    let total: usize = page_one.split(" attempts</p>").next().unwrap().rsplit('>').next().unwrap().parse().unwrap();
    assert!(total > 0);
    assert_eq!(count(&page_one), total.min(50), "a page holds 50 attempts at most");
    if total > 50 {
        let two = jo.get("/sync-log?page=2").await.body;
        assert_eq!(count(&two), (total - 50).min(50));
    }
    let csv = jo.get("/sync-log.csv?sink=crm").await;
    assert_eq!(csv.status, StatusCode::OK);
    assert!(csv.body.starts_with("at,action,playbook,sink,record,teammate,attempt,outcome,code,message,next_retry"));
    assert!(csv.body.lines().skip(1).all(|l| l.split(',').nth(3) == Some("crm")), "{}", csv.body);
    assert!(csv.body.contains("jo@example.com"), "{}", csv.body);
    let mut stranger = d.browser();
    assert_eq!(stranger.get("/sync-log.csv").await.status, StatusCode::SEE_OTHER, "signed out: sign in first");
}

#[tokio::test]
async fn the_owner_edits_the_company_blacklist_others_read_it() {
    let d = Daemon::start().await;
    let mut lee = d.signed_in("lee-token").await;
    let page = lee.get("/blacklists").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains(r#"action="/blacklists/company""#), "the owner gets the form: {}", page.body);
    let saved = lee
        .submit(
            "/blacklists",
            "/blacklists/company",
            &[("enabled", "on"), ("domains", " Lawyers.example \n\nhr.acme.example"), ("keywords", "salary")],
        )
        .await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
    let stored: Value = serde_json::from_str(&d.store.sync_setting("company").unwrap().unwrap()).unwrap();
    assert_eq!(
        stored,
        json!({"enabled": true, "attachments": false,
               "blacklist": {"domains": ["lawyers.example", "hr.acme.example"], "addresses": [], "keywords": ["salary"]}})
    );
    let mut jo = d.signed_in("jo-token").await;
    let read = jo.get("/blacklists").await.body;
    assert!(!read.contains(r#"action="/blacklists/company""#), "no form for others: {read}");
    assert!(read.contains("only the workspace owner (lee@example.com)"), "{read}");
    assert!(read.contains("<code>lawyers.example</code>"), "{read}");
    let refused = jo.submit("/blacklists", "/blacklists/company", &[("domains", "evil.example")]).await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    let unchanged: Value = serde_json::from_str(&d.store.sync_setting("company").unwrap().unwrap()).unwrap();
    assert_eq!(unchanged, stored, "nothing changed");
    let forged = jo.post("/blacklists/me", &[("csrf", "not-the-token"), ("keywords", "x")]).await;
    assert_eq!(forged.status, StatusCode::FORBIDDEN, "a form without the session's token is refused");
    assert_eq!(d.store.sync_setting("user:jo@example.com").unwrap(), None);
}

#[tokio::test]
async fn my_own_blacklist_is_saved_and_a_bad_entry_is_shown_in_the_form() {
    let d = Daemon::start().await;
    let mut jo = d.signed_in("jo-token").await;
    let bad = jo
        .submit(
            "/blacklists",
            "/blacklists/me",
            &[("inbound", "on"), ("addresses", "vic@acme.example\nnot an address")],
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(bad.body.contains("Nothing was saved. Addresses, entry 2:"), "{}", bad.body);
    assert!(bad.body.contains("is an address such as"), "{}", bad.body);
    assert!(bad.body.contains("not an address</textarea>"), "what was typed stays in the form: {}", bad.body);
    assert_eq!(d.store.sync_setting("user:jo@example.com").unwrap(), None, "nothing saved");
    let ok = jo.submit("/blacklists", "/blacklists/me", &[("inbound", "on"), ("addresses", "Vic@Acme.example")]).await;
    assert_eq!(ok.status, StatusCode::SEE_OTHER);
    let stored: Value = serde_json::from_str(&d.store.sync_setting("user:jo@example.com").unwrap().unwrap()).unwrap();
    assert_eq!(
        stored,
        json!({"inbound": true, "outbound": false,
               "blacklist": {"domains": [], "addresses": ["vic@acme.example"], "keywords": []}})
    );
    let page = jo.get("/blacklists?notice=me").await.body;
    assert!(page.contains("Your email sync settings were saved."), "{page}");
    assert!(page.contains(r#"id="mine-inbound" name="inbound" value="on" checked"#), "{page}");
    assert!(page.contains("vic@acme.example</textarea>"), "{page}");
}
