//! kill -9 during delivery on PostgreSQL: `play run --store postgres://…` with a local HTTP
//! sink, SIGKILLed several times while webhooks are out and started again each time. The
//! receiver de-duplicates by `Idempotency-Key`: at the end it holds one key per webhook
//! the engine made (none lost), and the store's sync log holds a delivered attempt for
//! each, numbered without gaps.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use play_store::postgres::ScratchDatabase;
use play_store::{DeliveryQuery, DeliveryState, Outbox, PostgresStore};

use crate::support::Daemon;

#[path = "../../delivery/tests/support/mod.rs"]
mod http;

const SECRET: &str = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";

#[test]
fn on_postgres_kills_during_delivery_lose_no_webhook_and_leave_complete_attempts() {
    let db = ScratchDatabase::create("delivery_kill").unwrap();
    let taken = Arc::new(Mutex::new(BTreeSet::<String>::new()));
    let seen = taken.clone();
    let receiver = http::Server::with(move |request| {
        // Slow enough that each kill lands while deliveries are out.
        std::thread::sleep(Duration::from_millis(20));
        seen.lock().unwrap().insert(request.header("idempotency-key").unwrap_or_default().to_string());
        (200, vec![], "ok".to_string())
    });
    let (dir, jo) = super::delivery::webhook_project(db.url(), &receiver.url);
    let jo = jo.as_str();
    // A short lease, so that each restart takes over from the killed worker soon.
    let store_flag = ["--store", db.url(), "--lease-ms", "1000"];
    let env = [("HOOK_SECRET", SECRET)];

    let daemon = Daemon::start(dir.path(), &store_flag, &env);
    let (code, report) = daemon.post("/v1/changes", Some(jo), &super::delivery::changes());
    assert_eq!(code, 200, "{report}");
    let mut daemon = Some(daemon);
    let mut kills = 0;
    for round in 1..=3 {
        // Killed once more webhooks have arrived than before, while others are still to go.
        for _ in 0..1000 {
            if taken.lock().unwrap().len() >= round * 8 {
                break;
            }
            std::thread::sleep(Duration::from_millis(10));
        }
        let running = daemon.take().unwrap();
        let pid = running.child.id().to_string();
        std::process::Command::new("kill").args(["-KILL", &pid]).status().unwrap();
        drop(running);
        kills += 1;
        daemon = Some(Daemon::start(dir.path(), &store_flag, &env));
    }
    let daemon = daemon.unwrap();
    daemon.status_when(jo, |s| s["outbox_backlog"] == 0);

    let store = PostgresStore::open(db.url()).unwrap();
    let hooks = store
        .deliveries(&DeliveryQuery { sink: Some("webhook".into()), limit: 100_000, ..DeliveryQuery::default() })
        .unwrap();
    assert!(hooks.len() >= 40, "the changes made webhooks: {}", hooks.len());
    assert_eq!(kills, 3);
    let undelivered: Vec<_> = hooks.iter().filter(|d| d.state != DeliveryState::Delivered).collect();
    assert!(undelivered.is_empty(), "every webhook delivered after the restarts: {undelivered:?}");
    let made: BTreeSet<String> = hooks.iter().map(|d| d.action_id.clone()).collect();
    assert_eq!(*taken.lock().unwrap(), made, "one distinct key per deliverable webhook: none lost, none foreign");
    // Each delivery's attempts: numbered 1, 2, … without a gap, the last one delivered.
    let mut attempts: BTreeMap<String, Vec<(u32, String)>> = BTreeMap::new();
    for a in store.sync_log(0, 1_000_000).unwrap() {
        attempts.entry(a.action_id.clone()).or_default().push((a.attempt, a.outcome.clone()));
    }
    for d in &hooks {
        let log = attempts.get(&d.action_id).unwrap_or_else(|| panic!("{} has no attempt logged", d.action_id));
        let numbers: Vec<u32> = log.iter().map(|(n, _)| *n).collect();
        assert_eq!(numbers, (1..=log.len() as u32).collect::<Vec<_>>(), "{}: {log:?}", d.action_id);
        assert_eq!(log.last().unwrap().1, "delivered", "{}: {log:?}", d.action_id);
        assert_eq!(d.attempts as usize, log.len(), "{}: the row counts its logged attempts", d.action_id);
    }
    assert_eq!(daemon.stop(), 0);
}
