//! Delivery end to end: `play run` with `[sinks.webhook]` in `play.toml`, killed (SIGKILL)
//! while it delivers and started again. Every webhook action the engine produced reaches
//! the receiver, which keeps the first copy of each `Idempotency-Key`: none is lost, and
//! a copy sent again after the kill is told apart by its key.

use std::collections::BTreeSet;
use std::time::Duration;

use play_store::postgres::ScratchDatabase;
use play_store::{DeliveryQuery, DeliveryState, Outbox, PostgresStore, SqliteStore};

use crate::support::{example_copy, token, Daemon};

#[path = "../../delivery/tests/support/mod.rs"]
mod http;

const SECRET: &str = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";

/// Twelve enterprise accounts, then their health moving hour by hour: each update is a
/// `warehouse_sync` webhook.
pub fn changes() -> String {
    let mut lines = Vec::new();
    for h in 0..60 {
        let at = format!("2026-03-17T{:02}:{:02}:00Z", h / 60, h % 60);
        let k = h % 12;
        lines.push(if h < 12 {
            format!(
                r#"{{"at":"{at}","change":"upsert","record":"Account","id":"a{k}","fields":{{"name":"Account {k}","tier":"Enterprise","arr":300000,"stage":"Renewal","health":80,"owner":"jo@example.com","csm":"ana@example.com","weekly_active_users":40,"licensed_seats":50,"used_seats":38,"tags":[]}}}}"#
            )
        } else {
            format!(r#"{{"at":"{at}","change":"upsert","record":"Account","id":"a{k}","fields":{{"health":{}}}}}"#, 20 + h)
        });
    }
    lines.join("\n")
}

#[test]
fn killed_while_delivering_the_daemon_loses_no_webhook_and_the_key_tells_repeats_apart() {
    let taken = std::sync::Arc::new(std::sync::Mutex::new(Vec::<String>::new()));
    let seen = taken.clone();
    let receiver = http::Server::with(move |request| {
        // A receiver that takes its time, so that the kill lands while deliveries are out.
        std::thread::sleep(Duration::from_millis(15));
        let key = request.header("idempotency-key").unwrap_or_default().to_string();
        let mut taken = seen.lock().unwrap();
        if !taken.contains(&key) {
            taken.push(key);
        }
        (200, vec![], "ok".to_string())
    });
    let dir = webhook_example(&receiver.url);
    let jo = token(dir.path(), "jo@example.com");
    let env = [("HOOK_SECRET", SECRET)];

    let daemon = Daemon::start(dir.path(), &[], &env);
    let (code, report) = daemon.post("/v1/changes", Some(&jo), &changes());
    assert_eq!(code, 200, "{report}");
    // Killed once some webhooks are out and some are not.
    for _ in 0..600 {
        if taken.lock().unwrap().len() >= 5 {
            break;
        }
        std::thread::sleep(Duration::from_millis(10));
    }
    let pid = daemon.child.id().to_string();
    std::process::Command::new("kill").args(["-KILL", &pid]).status().unwrap();
    drop(daemon);
    let at_kill = taken.lock().unwrap().len();

    let daemon = Daemon::start(dir.path(), &[], &env);
    daemon.status_when(&jo, |s| s["outbox_backlog"] == 0);
    let store = SqliteStore::open(&dir.path().join(".play/state.db")).unwrap();
    let hooks = store
        .deliveries(&DeliveryQuery { kind: Some("webhook".into()), limit: 100_000, ..DeliveryQuery::default() })
        .unwrap();
    assert!(hooks.len() >= 40, "the changes made webhooks: {}", hooks.len());
    assert!(at_kill < hooks.len(), "the kill landed while deliveries were still to go ({at_kill} of {})", hooks.len());
    let undelivered: Vec<_> = hooks.iter().filter(|d| d.state != DeliveryState::Delivered).collect();
    assert!(undelivered.is_empty(), "every webhook delivered after the restart: {undelivered:?}");
    let made: BTreeSet<String> = hooks.iter().map(|d| d.action_id.clone()).collect();
    let got: BTreeSet<String> = taken.lock().unwrap().iter().cloned().collect();
    assert_eq!(got, made, "the receiver has every webhook the engine made, and nothing else");
    let calls = receiver.requests().len();
    assert!(calls >= made.len(), "at least once: {calls} calls for {} webhooks", made.len());
    for r in receiver.requests() {
        assert_eq!(r.header("webhook-id"), r.header("idempotency-key"), "the key is the webhook id");
        let ts: i64 = r.header("webhook-timestamp").unwrap().parse().unwrap();
        assert!(play_delivery::webhook::verify(
            SECRET,
            r.header("webhook-id").unwrap(),
            ts,
            &r.body,
            r.header("webhook-signature").unwrap()
        ));
    }
    assert_eq!(daemon.stop(), 0);
}

#[test]
fn on_postgres_the_active_worker_delivers_every_webhook_once_and_lists_them() {
    let db = ScratchDatabase::create("delivery").unwrap();
    let receiver = http::Server::with(|_| (200, vec![], "ok".to_string()));
    let (dir, jo) = webhook_project(db.url(), &receiver.url);
    let jo = jo.as_str();

    let daemon = Daemon::start(dir.path(), &["--store", db.url()], &[("HOOK_SECRET", SECRET)]);
    let (code, report) = daemon.post("/v1/changes", Some(jo), &changes());
    assert_eq!(code, 200, "{report}");
    daemon.status_when(jo, |s| s["outbox_backlog"] == 0);

    let store = PostgresStore::open(db.url()).unwrap();
    let hooks = store
        .deliveries(&DeliveryQuery { kind: Some("webhook".into()), limit: 100_000, ..DeliveryQuery::default() })
        .unwrap();
    assert!(hooks.len() >= 40, "the changes made webhooks: {}", hooks.len());
    assert!(hooks.iter().all(|d| d.state == DeliveryState::Delivered && d.attempts == 1), "{hooks:?}");
    let made: BTreeSet<String> = hooks.iter().map(|d| d.action_id.clone()).collect();
    let keys: Vec<String> =
        receiver.requests().iter().map(|r| r.header("idempotency-key").unwrap_or_default().to_string()).collect();
    assert_eq!(keys.len(), made.len(), "one call per webhook");
    assert_eq!(keys.into_iter().collect::<BTreeSet<_>>(), made, "the receiver has every webhook the engine made");
    let logged: Vec<_> =
        store.sync_log(0, 100_000).unwrap().into_iter().filter(|a| made.contains(&a.action_id)).collect();
    assert_eq!(logged.len(), made.len(), "the sync log has every webhook's attempt");
    assert!(logged.iter().all(|a| a.outcome == "delivered" && a.code == "200"), "{logged:?}");

    // The workspace's owner sees every playbook's deliveries.
    let (code, lee, err) = crate::support::play(dir.path(), &["token", "add", "lee@example.com", "--store", db.url()]);
    assert_eq!(code, 0, "token add: {err}");
    let (code, listed) = daemon.get("/v1/deliveries?state=delivered&kind=webhook", Some(lee.trim()));
    assert_eq!(code, 200, "the deliveries endpoint answers on PostgreSQL: {listed}");
    assert!(listed.to_string().contains(hooks[0].action_id.as_str()), "{listed}");
    assert_eq!(daemon.stop(), 0);
}

/// The customer-success example with its `warehouse_sync` webhooks (and `[sinks.webhook]`)
/// sent to `receiver`, signed with `HOOK_SECRET`.
pub fn webhook_example(receiver: &str) -> tempfile::TempDir {
    let dir = example_copy("customer-success");
    let sync = dir.path().join("sync.play");
    let text = std::fs::read_to_string(&sync).unwrap();
    std::fs::write(&sync, text.replace("https://warehouse.example.com/hooks/crm/accounts", receiver)).unwrap();
    let settings = format!("[sinks.webhook]\nurl = \"{receiver}\"\nsecret_env = \"HOOK_SECRET\"\n");
    std::fs::write(dir.path().join("play.toml"), settings).unwrap();
    dir
}

/// `webhook_example` on the PostgreSQL store at `db`, and jo's token there.
pub fn webhook_project(db: &str, receiver: &str) -> (tempfile::TempDir, String) {
    let dir = webhook_example(receiver);
    let (code, jo, err) = crate::support::play(dir.path(), &["token", "add", "jo@example.com", "--store", db]);
    assert_eq!(code, 0, "token add: {err}");
    (dir, jo.trim().to_string())
}
