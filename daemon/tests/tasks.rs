//! Ad hoc tasks and orphans through a real engine thread, the HTTP API, a SQLite store and
//! the outbox worker, against a local fake of Salesforce's `Task` (upsert by external id):
//! a task made with `POST /v1/tasks` is in the queue, is worked like any task, survives a
//! restart that folds the journal (same id, still open), and once completed is logged to
//! the record with the playbook and step blank, upserted by its id. Work whose record
//! Salesforce cannot match is an orphan: listed, adopted by another record, then synced.
//! A call logged with `POST /v1/calls` becomes a `Call` task on its record, once per
//! `call_id`; one that matches no record is an orphan like any other, and so is an email
//! posted to `POST /v1/emails` that matches none.

mod outbox;

use std::path::{Path, PathBuf};
use std::sync::mpsc::Sender;
use std::sync::{Arc, Mutex};

use axum::body::Body;
use axum::http::{Request as HttpRequest, StatusCode};
use outbox::http::sf_tasks::{SfTasks, EXTERNAL_ID};
use play_compiler::program::Program;
use play_daemon::host::Host;
use play_daemon::http::{router, App, Opener};
use play_daemon::writer::{Request, Writer};
use play_runtime::config::Workspace;
use play_store::{DeliveryState, Outbox, SqliteStore, Store};
use serde_json::{json, Value};
use tower::ServiceExt;

const PROJECT: &str = "extend record Account {\n  /// How the account is.\n  mood: Text?\n}\n";

struct Daemon {
    app: App,
    requests: Sender<Request>,
    thread: std::thread::JoinHandle<()>,
}

fn program() -> Program {
    play_compiler::lower::build(&[("schema.play", PROJECT)]).unwrap_or_else(|_| panic!("the project builds"))
}

/// The engine thread on the store at `path`, recovered from its journal.
fn start(path: &Path) -> Daemon {
    let program = program();
    let status = Arc::new(Mutex::new(Default::default()));
    let mut writer =
        Writer::new(Host::new(program.clone()), Box::new(SqliteStore::open(path).unwrap()), status.clone(), None);
    writer.recover().unwrap();
    writer.deploy_if_new(program, 1_772_409_600).unwrap();
    let (requests, inbox) = std::sync::mpsc::channel();
    let thread = std::thread::spawn(move || writer.serve(inbox));
    let place = path.to_path_buf();
    let open: Opener = Arc::new(move || SqliteStore::open(&place).map(|s| Box::new(s) as Box<dyn Store>));
    let app = App::new(requests.clone(), open, status, None);
    Daemon { app, requests, thread }
}

impl Daemon {
    fn stop(self) {
        let Daemon { app, requests, thread } = self;
        drop(app);
        requests.send(Request::Shutdown).unwrap();
        thread.join().unwrap();
    }
}

async fn call(app: &App, method: &str, uri: &str, body: Value) -> (StatusCode, Value) {
    let request = HttpRequest::builder()
        .method(method)
        .uri(uri)
        .header("authorization", "Bearer jo-token")
        .header("content-type", "application/json")
        .body(Body::from(if body.is_null() { String::new() } else { body.to_string() }))
        .unwrap();
    let answer = router(app.clone()).oneshot(request).await.unwrap();
    let status = answer.status();
    let bytes = axum::body::to_bytes(answer.into_body(), 1 << 20).await.unwrap();
    (status, serde_json::from_slice(&bytes).unwrap_or(Value::Null))
}

fn store_at(dir: &tempfile::TempDir) -> PathBuf {
    let path = dir.path().join("state.db");
    let mut store = SqliteStore::open(&path).unwrap();
    store.add_token("jo@example.com", &play_daemon::token_hash("jo-token")).unwrap();
    path
}

fn salesforce(fake: &SfTasks) -> play_runtime::config::Sinks {
    let toml = format!("[crm.salesforce]\ninstance_url = \"{}\"\ntoken_env = \"SF_TOKEN\"\n", fake.root());
    Workspace::from_toml(&toml).expect("valid settings").sinks
}

#[tokio::test(flavor = "multi_thread")]
async fn an_ad_hoc_task_is_queued_worked_kept_across_a_restart_and_synced_with_blank_playbook() {
    let dir = tempfile::tempdir().unwrap();
    let path = store_at(&dir);
    let daemon = start(&path);
    let task = json!({ "title": "Call Vic about the renewal", "record": "Account/001A", "to": "lee@example.com",
                       "due": "2026-03-10T09:00:00Z", "note": "He asked for a call" });
    let (code, made) = call(&daemon.app, "POST", "/v1/tasks", task).await;
    assert_eq!(code, StatusCode::OK, "{made}");
    let id = made["id"].as_str().expect("an id").to_string();
    assert_eq!(
        (&made["action"], &made["playbook"], &made["record"], &made["to"], &made["state"], &made["visibility"]),
        (
            &json!("task"),
            &json!(""),
            &json!("Account/001A"),
            &json!("lee@example.com"),
            &json!("open"),
            &json!("public")
        )
    );
    assert_eq!((&made["due"], &made["note"]), (&json!("2026-03-10T09:00:00Z"), &json!("He asked for a call")));

    // Refusals name their field; nothing is made.
    let (code, body) = call(&daemon.app, "POST", "/v1/tasks", json!({ "title": "x", "record": "Acount/1" })).await;
    assert_eq!((code, body["field"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("record")), "{body}");
    assert!(body["error"].as_str().unwrap().contains("did you mean `Account`"), "{body}");
    let (code, body) = call(&daemon.app, "POST", "/v1/tasks", json!({ "record": "Account/1" })).await;
    assert_eq!(code, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert!(body["error"].as_str().unwrap().contains("missing `title`"), "{body}");
    let (code, body) =
        call(&daemon.app, "POST", "/v1/tasks", json!({ "title": "x", "record": "Account/1", "to": "lee" })).await;
    assert_eq!((code, body["field"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("to")), "{body}");
    let (code, body) =
        call(&daemon.app, "POST", "/v1/tasks", json!({ "title": "x", "record": "Account/1", "colour": "red" })).await;
    assert_eq!((code, body["field"].as_str()), (StatusCode::BAD_REQUEST, Some("colour")), "{body}");

    // In the queue, and snoozed like any task.
    let (_, page) = call(&daemon.app, "GET", "/v1/actions?record=Account/001A", Value::Null).await;
    let ids: Vec<&str> = page["items"].as_array().unwrap().iter().filter_map(|a| a["id"].as_str()).collect();
    assert_eq!(ids, [id.as_str()], "only the one task was made");
    let (code, snoozed) =
        call(&daemon.app, "POST", &format!("/v1/actions/{id}/snooze"), json!({ "until": "2030-01-01T00:00:00Z" }))
            .await;
    assert_eq!((code, &snoozed["state"]), (StatusCode::OK, &json!("snoozed")), "{snoozed}");

    // A second one, left open across a restart that folds the journal again.
    let (_, other) =
        call(&daemon.app, "POST", "/v1/tasks", json!({ "title": "Send the deck", "record": "Account/001B" })).await;
    let other = other["id"].as_str().unwrap().to_string();
    daemon.stop();
    let daemon = start(&path);
    let (code, dismissed) =
        call(&daemon.app, "POST", &format!("/v1/actions/{other}/dismiss"), json!({ "reason": "sent already" })).await;
    assert_eq!((code, &dismissed["state"]), (StatusCode::OK, &json!("dismissed")), "the engine knows it: {dismissed}");
    let (code, done) =
        call(&daemon.app, "POST", &format!("/v1/actions/{id}/complete"), json!({ "note": "Renewal agreed" })).await;
    assert_eq!((code, &done["state"]), (StatusCode::OK, &json!("done")), "{done}");
    let (code, again) = call(&daemon.app, "POST", &format!("/v1/actions/{id}/complete"), Value::Null).await;
    assert_eq!(code, StatusCode::UNPROCESSABLE_ENTITY, "done once: {again}");
    daemon.stop();

    // Completed, it is logged to the record: playbook and step blank, upserted by its id.
    let fake = SfTasks::start(&["001A"]);
    let mut worker = outbox::worker(&path, &salesforce(&fake), &[("SF_TOKEN", "t")]);
    let pass = worker.pass(chrono::Utc::now().timestamp() + 5).unwrap();
    assert_eq!(pass.delivered, 1, "{pass:?}");
    let tasks = fake.tasks();
    assert_eq!(tasks.len(), 1, "the dismissed task is not logged");
    assert_eq!(tasks[0]["Subject"], "Call Vic about the renewal");
    assert_eq!(tasks[0][EXTERNAL_ID], format!("{id}.activity"));
    assert_eq!(
        tasks[0]["Description"], "Renewal agreed\n\nPlaybook: \nStep: \n\nDone by: jo@example.com",
        "an ad hoc task's playbook and step are blank"
    );
    let sent = fake.server.requests();
    assert_eq!(sent[0].path, format!("/services/data/v61.0/sobjects/Task/{EXTERNAL_ID}/{id}.activity"));
}

#[tokio::test(flavor = "multi_thread")]
async fn an_orphan_is_listed_adopted_by_another_record_and_then_synced() {
    let dir = tempfile::tempdir().unwrap();
    let path = store_at(&dir);
    let daemon = start(&path);
    let mut ids = Vec::new();
    for record in ["Account/001Z", "Account/001A"] {
        let (_, made) = call(&daemon.app, "POST", "/v1/tasks", json!({ "title": "Kick-off", "record": record })).await;
        let id = made["id"].as_str().unwrap().to_string();
        let (code, _) = call(&daemon.app, "POST", &format!("/v1/actions/{id}/complete"), Value::Null).await;
        assert_eq!(code, StatusCode::OK);
        ids.push(id);
    }
    let fake = SfTasks::start(&["001A", "001B"]);
    let mut worker = outbox::worker(&path, &salesforce(&fake), &[("SF_TOKEN", "t")]);
    let now = chrono::Utc::now().timestamp() + 5;
    let pass = worker.pass(now).unwrap();
    assert_eq!((pass.delivered, pass.orphaned, pass.dead), (1, 1, 0), "{pass:?}");

    let store = SqliteStore::open(&path).unwrap();
    let orphan = store.delivery(&format!("{}.activity", ids[0])).unwrap().unwrap();
    assert_eq!(orphan.state, DeliveryState::Orphan);
    let line = store.sync_log(0, 10).unwrap().into_iter().find(|a| a.outcome == "orphan").expect("logged");
    assert_eq!((line.record.as_str(), line.code.as_str()), ("Account/001Z", "400 INVALID_CROSS_REFERENCE_KEY"));
    assert!(worker.pass(now + 86_400).unwrap().delivered == 0, "an orphan is not tried again by itself");

    let (code, page) = call(&daemon.app, "GET", "/v1/tasks/orphans?limit=1", Value::Null).await;
    assert_eq!(code, StatusCode::OK, "{page}");
    assert_eq!(page["items"][0]["id"], ids[0].as_str(), "{page}");
    assert_eq!(page["items"][0]["record"], "Account/001Z");
    assert_eq!(page["items"][0]["message"], "invalid cross reference id", "the CRM's words");
    let cursor = page["next_cursor"].as_str().expect("a page of one may have more");
    let (_, rest) = call(&daemon.app, "GET", &format!("/v1/tasks/orphans?cursor={cursor}"), Value::Null).await;
    assert_eq!(rest["items"], json!([]), "one orphan in all");

    let adopt = format!("/v1/tasks/{}/adopt", ids[0]);
    let (code, body) = call(&daemon.app, "POST", &adopt, json!({ "record": "Invoice/9" })).await;
    assert_eq!((code, body["field"].as_str()), (StatusCode::BAD_REQUEST, Some("record")), "{body}");
    let (code, _) = call(&daemon.app, "POST", "/v1/tasks/nope/adopt", json!({ "record": "Account/001B" })).await;
    assert_eq!(code, StatusCode::NOT_FOUND);
    let (code, _) =
        call(&daemon.app, "POST", &format!("/v1/tasks/{}/adopt", ids[1]), json!({ "record": "Account/001B" })).await;
    assert_eq!(code, StatusCode::CONFLICT, "delivered work is no orphan");
    let (code, adopted) = call(&daemon.app, "POST", &adopt, json!({ "record": "Account/001B" })).await;
    assert_eq!((code, &adopted["state"]), (StatusCode::OK, &json!("pending")), "{adopted}");
    let (code, _) = call(&daemon.app, "POST", &adopt, json!({ "record": "Account/001B" })).await;
    assert_eq!(code, StatusCode::CONFLICT, "adopted once");

    let later = chrono::Utc::now().timestamp() + 10;
    assert_eq!(worker.pass(later).unwrap().delivered, 1);
    let tasks = fake.tasks();
    assert_eq!(tasks.len(), 2);
    assert_eq!(tasks[1]["WhatId"], "001B", "synced to the record that adopted it");
    let (_, page) = call(&daemon.app, "GET", "/v1/tasks/orphans", Value::Null).await;
    assert_eq!(page["items"], json!([]), "no orphan left");
    daemon.stop();
}

#[tokio::test(flavor = "multi_thread")]
async fn a_call_is_logged_as_a_call_task_and_one_matching_no_record_is_an_orphan_to_adopt() {
    let dir = tempfile::tempdir().unwrap();
    let path = store_at(&dir);
    let daemon = start(&path);
    let calls = json!({ "calls": [
        { "call_id": "dialer-1", "record": "Account/001A", "subject": "Renewal call", "notes": "Seats agreed.",
          "duration_seconds": 300, "direction": "inbound", "outcome": "connected", "at": "2026-03-02T09:00:00Z" },
        { "call_id": "dialer-2", "with": "Vic@Nowhere.example", "notes": "No answer.", "outcome": "left voicemail",
          "at": "2026-03-02T10:00:00Z" },
    ]});
    let (code, answer) = call(&daemon.app, "POST", "/v1/calls", calls.clone()).await;
    assert_eq!(code, StatusCode::OK, "{answer}");
    let outcomes: Vec<(&str, &str)> = answer["calls"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| (c["outcome"].as_str().unwrap(), c["record"].as_str().or(c["reason"].as_str()).unwrap()))
        .collect();
    assert_eq!(
        outcomes,
        [
            ("logged", "Account/001A"),
            (
                "orphan",
                "no contact has the address and no account has the domain of `vic@nowhere.example`: adopt it with POST /v1/tasks/{id}/adopt"
            )
        ]
    );
    let orphan_id = answer["calls"][1]["id"].as_str().unwrap().to_string();
    let (_, again) = call(&daemon.app, "POST", "/v1/calls", calls).await;
    assert_eq!((&again["calls"][0]["duplicate"], &again["calls"][1]["duplicate"]), (&json!(true), &json!(true)));
    let bad = json!({ "calls": [{ "call_id": "x", "record": "Account/001A", "duration_seconds": -1, "at": "2026-03-02T09:00:00Z" }] });
    let (code, refused) = call(&daemon.app, "POST", "/v1/calls", bad).await;
    assert_eq!(
        (code, refused["field"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("calls[0].duration_seconds"))
    );

    let fake = SfTasks::start(&["001A", "001B"]);
    let mut worker = outbox::worker(&path, &salesforce(&fake), &[("SF_TOKEN", "t")]);
    let now = chrono::Utc::now().timestamp() + 5;
    let pass = worker.pass(now).unwrap();
    assert_eq!((pass.delivered, pass.orphaned, pass.dead), (1, 1, 0), "{pass:?}");
    let tasks = fake.tasks();
    assert_eq!(tasks.len(), 1, "the call posted twice is logged once");
    let t = &tasks[0];
    assert_eq!(
        (&t["TaskSubtype"], &t["CallType"], &t["CallDurationInSeconds"], &t["CallDisposition"], &t["WhatId"]),
        (&json!("Call"), &json!("Inbound"), &json!(300), &json!("connected"), &json!("001A"))
    );
    assert_eq!((&t["Subject"], &t["ActivityDate"]), (&json!("Renewal call"), &json!("2026-03-02")));
    assert!(t["Description"].as_str().unwrap().starts_with("Seats agreed.\n\nOutcome: connected"), "{t}");
    assert_eq!(t[EXTERNAL_ID], format!("{}.activity", answer["calls"][0]["id"].as_str().unwrap()));

    let (_, page) = call(&daemon.app, "GET", "/v1/tasks/orphans", Value::Null).await;
    assert_eq!(page["items"][0]["id"], orphan_id.as_str(), "{page}");
    let adopt = format!("/v1/tasks/{orphan_id}/adopt");
    let (code, adopted) = call(&daemon.app, "POST", &adopt, json!({ "record": "Account/001B" })).await;
    assert_eq!(code, StatusCode::OK, "{adopted}");
    assert_eq!(worker.pass(now + 5).unwrap().delivered, 1);
    let tasks = fake.tasks();
    assert_eq!((&tasks[1]["WhatId"], &tasks[1]["CallType"]), (&json!("001B"), &json!("Outbound")));
    daemon.stop();
}

#[tokio::test(flavor = "multi_thread")]
async fn an_email_matching_no_record_is_an_orphan_listed_adopted_and_then_logged() {
    let dir = tempfile::tempdir().unwrap();
    let path = store_at(&dir);
    let daemon = start(&path);
    let email = json!({ "message_id": "<m9@example.com>", "from": "jo@example.com", "to": ["vic@nowhere.example"],
                        "subject": "Pilot", "text": "Shall we start?", "sent_at": "2026-03-02T11:00:00Z" });
    let (code, answer) = call(&daemon.app, "POST", "/v1/emails", json!({ "emails": [email] })).await;
    assert_eq!((code, &answer["emails"][0]["outcome"]), (StatusCode::OK, &json!("orphan")), "{answer}");
    let delivery = answer["emails"][0]["delivery"].as_str().unwrap().to_string();

    let fake = SfTasks::start(&["003A"]);
    let mut worker = outbox::worker(&path, &salesforce(&fake), &[("SF_TOKEN", "t")]);
    let now = chrono::Utc::now().timestamp() + 5;
    assert_eq!(worker.pass(now).unwrap().orphaned, 1);
    assert!(fake.server.requests().is_empty(), "no call is made for an email without a record");
    let (_, page) = call(&daemon.app, "GET", "/v1/tasks/orphans", Value::Null).await;
    let item = &page["items"][0];
    assert_eq!(
        (&item["id"], &item["kind"], &item["subject"], &item["done"]),
        (&json!(delivery), &json!("email"), &json!("Pilot"), &json!("2026-03-02T11:00:00Z")),
        "{page}"
    );
    let adopt = format!("/v1/tasks/{delivery}/adopt");
    let (code, adopted) = call(&daemon.app, "POST", &adopt, json!({ "record": "Contact/003A" })).await;
    assert_eq!(code, StatusCode::OK, "{adopted}");
    assert_eq!(worker.pass(now + 5).unwrap().delivered, 1);
    let tasks = fake.tasks();
    assert_eq!(tasks.len(), 1);
    assert_eq!((&tasks[0]["TaskSubtype"], &tasks[0]["WhoId"]), (&json!("Email"), &json!("003A")));
    assert_eq!(tasks[0][EXTERNAL_ID], delivery.as_str(), "upserted by the email's delivery id");
    daemon.stop();
}
