//! Pulling from the CRM through a real engine thread and SQLite store, against a local
//! fake of Salesforce's query API: records taken as changes, the watermark moved only
//! after what it covers is acknowledged, a crash in between pulling again without taking
//! twice, a bad picklist value refused (named, in the sync log) without stopping the rest,
//! one record on `POST /v1/sync`, and unsynced fields never written back.

#[path = "../../delivery/tests/support/crm_fakes.rs"]
mod fakes;
#[path = "../../delivery/tests/support/mod.rs"]
mod support;

use std::path::Path;
use std::sync::{Arc, Mutex};

use axum::body::Body;
use axum::http::{Request as HttpRequest, StatusCode};
use play_compiler::program::Program;
use play_daemon::host::Host;
use play_daemon::http::{router, App, Opener};
use play_daemon::pull::Puller;
use play_daemon::writer::Writer;
use play_runtime::config::Workspace;
use play_store::{Outbox, SqliteStore, Store};
use serde_json::{json, Value};
use tower::ServiceExt;

const PROJECT: &str = r#"
extend record Account {
  /// A Salesforce picklist.
  segment: Segment?
}

enum Segment {
  SmallBusiness = "Small Business",
  Strategic,
}
"#;

const FIELDS: &[&str] =
    &["Name", "Tier__c", "ARR__c", "Stage__c", "Health__c", "Weekly_Active_Users__c", "OwnerId", "Segment__c"];

fn account(n: usize, segment: &str) -> Value {
    let mut account = fakes::sf_account(n, "Renewal");
    account["Segment__c"] = json!(segment);
    account
}

/// The engine thread on a fresh store, and a puller reading the fake org.
struct Daemon {
    path: std::path::PathBuf,
    puller: Arc<Puller>,
    app: App,
    _dir: tempfile::TempDir,
}

fn start(fake: &fakes::Salesforce) -> Daemon {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("state.db");
    let program: Program =
        play_compiler::lower::build(&[("schema.play", PROJECT)]).unwrap_or_else(|_| panic!("the project builds"));
    let status = Arc::new(Mutex::new(Default::default()));
    let mut writer =
        Writer::new(Host::new(program.clone()), Box::new(SqliteStore::open(&path).unwrap()), status.clone(), None);
    writer.follow_changes = true;
    writer.recover().unwrap();
    writer.deploy_if_new(program.clone(), 1_772_409_600).unwrap();
    let (requests, inbox) = std::sync::mpsc::channel();
    std::thread::spawn(move || writer.serve(inbox));
    let place = path.clone();
    let open: Opener = Arc::new(move || SqliteStore::open(&place).map(|s| Box::new(s) as Box<dyn Store>));
    let toml = format!(
        "[crm.salesforce]\ninstance_url = \"{}\"\ntoken_env = \"SF_TOKEN\"\nobjects = [\"Account\"]\nunsynced = [\"Account.health\"]\n",
        fake.root()
    );
    let sinks = Workspace::from_toml(&toml).expect("valid settings").sinks;
    let compile: play_daemon::Compile = Arc::new(move |_: &Path| Ok(program.clone()));
    let env = |name: &str| (name == "SF_TOKEN").then(|| fakes::TOKEN.to_string());
    let puller = Puller::new(dir.path(), &sinks, &env, compile, requests.clone(), open.clone()).expect("a CRM is set");
    let puller = Arc::new(puller);
    let mut store = SqliteStore::open(&path).unwrap();
    store.add_token("jo@example.com", &play_daemon::token_hash("jo-token")).unwrap();
    let app = App::new(requests, open, status, None).with_pull(Some(puller.clone()));
    Daemon { path, puller, app, _dir: dir }
}

const NOW: i64 = 1_772_500_000;

#[test]
fn a_pull_takes_each_record_once_and_a_crash_before_the_watermark_moves_takes_nothing_twice() {
    let fake = fakes::Salesforce::start("Account", FIELDS, 2);
    for n in 1..=5 {
        fake.put(account(n, if n == 4 { "Galactic" } else { "Small Business" }));
    }
    let daemon = start(&fake);

    let report = daemon.puller.sync(None, NOW).unwrap();
    assert_eq!((report.pulled, report.accepted, report.duplicates), (5, 4, 0), "{report:?}");
    assert_eq!(report.refused.len(), 1, "{report:?}");
    let refused = &report.refused[0];
    assert_eq!((refused.record.as_str(), refused.field.as_deref()), ("Account/001A04", Some("segment")));
    assert!(refused.message.contains("Galactic"), "the value is named: {}", refused.message);
    assert!(report.errors.is_empty());

    let store = SqliteStore::open(&daemon.path).unwrap();
    let mark = store.mark("pull:salesforce:Account").unwrap() as i64;
    assert_eq!(mark, chrono::DateTime::parse_from_rfc3339("2026-03-02T09:05:00Z").unwrap().timestamp_millis());
    let log = store.sync_log(0, 100).unwrap();
    let line = log.iter().find(|a| a.outcome == "refused").expect("the refusal is in the sync log");
    assert_eq!((line.sink.as_str(), line.record.as_str()), ("salesforce", "Account/001A04"));
    assert!(line.message.contains("segment"), "{}", line.message);

    // Again: only the record at the watermark comes back, a duplicate.
    let again = daemon.puller.sync(None, NOW + 60).unwrap();
    assert_eq!((again.pulled, again.accepted, again.duplicates), (1, 0, 1), "{again:?}");

    // A crash after the changes were acknowledged but before the watermark moved: the
    // store holds the changes and the old watermark. Everything is pulled again, and
    // nothing is taken twice.
    let journal = store.journal_position().unwrap();
    let mut outbox = SqliteStore::open(&daemon.path).unwrap();
    outbox.set_mark("pull:salesforce:Account", 0).unwrap();
    let after_crash = daemon.puller.sync(None, NOW + 120).unwrap();
    assert_eq!((after_crash.pulled, after_crash.accepted, after_crash.duplicates), (5, 0, 4), "{after_crash:?}");
    assert_eq!(after_crash.refused.len(), 1, "the refused record is refused again, not taken");
    assert_eq!(store.journal_position().unwrap(), journal, "nothing new in the journal");
    assert_eq!(store.mark("pull:salesforce:Account").unwrap() as i64, mark, "the watermark is back where it was");

    // A record changed in the CRM is a new change.
    let mut changed = account(2, "Strategic");
    changed["SystemModstamp"] = "2026-03-02T10:00:00.000+0000".into();
    fake.put(changed);
    let later = daemon.puller.sync(None, NOW + 180).unwrap();
    assert_eq!((later.accepted, later.duplicates), (1, 1), "{later:?}");
}

#[test]
fn a_crm_error_is_reported_verbatim_and_logged() {
    let fake = fakes::Salesforce::start("Lead", FIELDS, 2);
    let daemon = start(&fake);
    let report = daemon.puller.sync(None, NOW).unwrap();
    assert_eq!(report.errors.len(), 1, "{report:?}");
    assert_eq!(report.errors[0].code, "404 NOT_FOUND");
    let store = SqliteStore::open(&daemon.path).unwrap();
    let log = store.sync_log(0, 100).unwrap();
    assert!(
        log.iter()
            .any(|a| a.outcome == "failed" && a.code == "404 NOT_FOUND" && a.action_id == "pull:salesforce:Account"),
        "{log:?}"
    );
    assert_eq!(store.mark("pull:salesforce:Account").unwrap(), 0, "nothing pulled, the watermark stays");
}

async fn post(app: &App, token: Option<&str>, body: &str) -> (StatusCode, Value) {
    let mut request = HttpRequest::builder().method("POST").uri("/v1/sync");
    if let Some(token) = token {
        request = request.header("authorization", format!("Bearer {token}"));
    }
    let answer = router(app.clone()).oneshot(request.body(Body::from(body.to_string())).unwrap()).await.unwrap();
    let status = answer.status();
    let bytes = axum::body::to_bytes(answer.into_body(), 1 << 20).await.unwrap();
    (status, serde_json::from_slice(&bytes).unwrap_or(Value::Null))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn post_v1_sync_pulls_now_or_one_record() {
    let fake = fakes::Salesforce::start("Account", FIELDS, 2000);
    for n in 1..=3 {
        fake.put(account(n, "Strategic"));
    }
    let daemon = start(&fake);
    let (status, _) = post(&daemon.app, None, "").await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    let (status, body) = post(&daemon.app, Some("jo-token"), r#"{"record":"acme"}"#).await;
    assert_eq!((status, body["field"].as_str()), (StatusCode::BAD_REQUEST, Some("record")), "{body}");

    let (status, body) = post(&daemon.app, Some("jo-token"), r#"{"record":"Account/001A02"}"#).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!((body["pulled"].as_u64(), body["accepted"].as_u64()), (Some(1), Some(1)), "{body}");
    assert!(fake.queries.lock().unwrap().last().unwrap().contains("WHERE Id = '001A02'"));
    let store = SqliteStore::open(&daemon.path).unwrap();
    assert_eq!(store.mark("pull:salesforce:Account").unwrap(), 0, "one record does not move the watermark");

    let (status, body) = post(&daemon.app, Some("jo-token"), "").await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(
        (body["pulled"].as_u64(), body["accepted"].as_u64(), body["duplicates"].as_u64()),
        (Some(3), Some(2), Some(1)),
        "{body}"
    );
    assert_eq!(body["refused"], json!([]));

    let (status, body) = post(
        &App::new(std::sync::mpsc::channel().0, daemon.app_open(), Default::default(), None),
        Some("jo-token"),
        "",
    )
    .await;
    assert_eq!(status, StatusCode::CONFLICT, "no CRM configured: {body}");
}

impl Daemon {
    fn app_open(&self) -> Opener {
        let place = self.path.clone();
        Arc::new(move || SqliteStore::open(&place).map(|s| Box::new(s) as Box<dyn Store>))
    }
}

#[test]
fn unsynced_fields_are_never_written_back() {
    let unsynced = vec!["Account.health".to_string()];
    let update =
        json!({ "action": "update", "record": "Account/001A01", "fields": { "health": 40, "stage": "Renewal" } });
    let fields = play_daemon::deliver::sinks::synced_fields(&update, &unsynced);
    assert_eq!(Value::Object(fields), json!({ "stage": "Renewal" }));
    let contact = json!({ "action": "update", "record": "Contact/c1", "fields": { "health": 40 } });
    assert_eq!(play_daemon::deliver::sinks::synced_fields(&contact, &unsynced).len(), 1, "only the record named");
}

#[test]
fn a_record_deleted_in_salesforce_is_a_delete_change_taken_once() {
    let fake = fakes::Salesforce::start("Account", FIELDS, 2);
    for n in 1..=3 {
        fake.put(account(n, "Strategic"));
    }
    let daemon = start(&fake);
    let first = daemon.puller.sync(None, NOW).unwrap();
    assert_eq!((first.accepted, first.deleted), (3, 0), "{first:?}");
    fake.delete("001A02", "2026-03-03T08:00:00.000+0000");
    let second = daemon.puller.sync(None, NOW + 60).unwrap();
    assert_eq!(second.deleted, 1, "{second:?}");
    assert!(second.errors.is_empty() && second.refused.is_empty(), "{second:?}");
    let store = SqliteStore::open(&daemon.path).unwrap();
    let position = store.journal_position().unwrap();
    let last = store.read_journal(position - 1, 1).unwrap();
    let play_store::Command::Change { line, .. } = &last[0].1 else { panic!("a change: {last:?}") };
    let line: Value = serde_json::from_str(line).unwrap();
    assert_eq!(
        (&line["change"], &line["record"], &line["id"]),
        (&json!("delete"), &json!("Account"), &json!("001A02"))
    );
    let third = daemon.puller.sync(None, NOW + 120).unwrap();
    assert_eq!(
        (third.deleted, third.duplicates),
        (0, 2),
        "the deletion at its watermark comes back, taken once: {third:?}"
    );
    assert_eq!(store.journal_position().unwrap(), position, "nothing new in the journal");
}

#[test]
fn a_pull_maps_through_the_program_deployed_not_the_project_being_edited() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("state.db");
    let program =
        play_compiler::lower::build(&[("schema.play", PROJECT)]).unwrap_or_else(|_| panic!("the project builds"));
    let status = Arc::new(Mutex::new(Default::default()));
    let mut writer =
        Writer::new(Host::new(program.clone()), Box::new(SqliteStore::open(&path).unwrap()), status.clone(), None);
    let place = path.clone();
    let open: Opener = Arc::new(move || SqliteStore::open(&place).map(|s| Box::new(s) as Box<dyn Store>));
    // The project on disk no longer builds (an edit under way): the compile says so.
    let compile: play_daemon::Compile = Arc::new(|_: &Path| Err("the project has errors".to_string()));
    let program_of = play_daemon::pull::deployed(status.clone(), open, compile);
    assert_eq!(program_of(dir.path()).err().as_deref(), Some("the project has errors"), "nothing deployed yet");
    writer.recover().unwrap();
    writer.deploy_if_new(program.clone(), 1_772_409_600).unwrap();
    let read = program_of(dir.path()).expect("the deployed program, from the store");
    assert_eq!(read.hash, program.hash);
    assert!(read.schema.records.iter().any(|r| r.name == "Account"));
}
