//! The outbox worker against a real local HTTP receiver, with the clock driven by the
//! test: a sink down for three weeks, then back (everything once, in order); down for 31
//! days (dead, and back by hand); Slack's 429 and `Retry-After`; a revoked hook that
//! pauses the sink until it is replaced; a missing secret; a refusal for good.

mod outbox;

use outbox::*;
use play_store::{DeliveryQuery, DeliveryState, Outbox, SqliteStore};

fn store(path: &std::path::Path) -> SqliteStore {
    SqliteStore::open(path).expect("the store opens")
}

/// Ten webhook rows over three records, in one batch: `a-0`, `b-1`, `c-2`, `a-3`, …
fn ten_hooks(path: &std::path::Path, url: &str) -> Vec<String> {
    let ids: Vec<String> = (0..10).map(|n| format!("{}-{n}", ["a", "b", "c"][n % 3])).collect();
    let rows: Vec<(String, String)> =
        ids.iter().map(|id| (id.clone(), webhook(id, &format!("Account/{}", &id[..1]), url))).collect();
    let refs: Vec<(&str, &str, &str)> = rows.iter().map(|(id, json)| (id.as_str(), "webhook", json.as_str())).collect();
    produce(path, &refs, T0);
    ids
}

#[test]
fn a_sink_down_for_three_weeks_gets_every_delivery_once_in_order_when_it_is_back() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("state.db");
    let receiver = Receiver::start();
    receiver.set(503);
    let ids = ten_hooks(&path, &receiver.server.url);
    let mut worker = worker(&path, &webhook_sinks(&receiver.server.url), &[("HOOK_SECRET", SECRET)]);

    let now = run_until(&mut worker, T0, T0 + 21 * DAY);
    assert!(receiver.taken().is_empty());
    let s = store(&path);
    let log = s.sync_log(0, 100_000).unwrap();
    assert!(log.iter().all(|a| a.outcome == "retry" && a.code == "503"), "only retries while down");
    assert!(log.iter().all(|a| a.next_at.is_some_and(|n| n > a.at)), "each retry says when the next is");
    // A held sink gets one probe at each retry, not every row: 3 weeks of back-off
    // (capped at 6 hours, jittered over its upper half) is about 110 probes.
    assert_eq!(receiver.calls(), log.len(), "every call is in the log");
    assert!(log.len() < 150, "{} calls to a sink that was down", log.len());
    assert!(s
        .deliveries(&DeliveryQuery { limit: 100, ..Default::default() })
        .unwrap()
        .iter()
        .all(|d| d.state == DeliveryState::Pending));

    receiver.set(200);
    run_until(&mut worker, now, T0 + 22 * DAY);
    let taken = receiver.taken();
    assert_eq!(taken.len(), ids.len(), "every delivery arrived, once: {taken:?}");
    for record in ["a", "b", "c"] {
        let sent: Vec<&String> = taken.iter().filter(|k| k.starts_with(record)).collect();
        let made: Vec<&String> = ids.iter().filter(|k| k.starts_with(record)).collect();
        assert_eq!(sent, made, "the deliveries of record {record} arrived in the order made");
    }
    for id in &ids {
        let d = s.delivery(id).unwrap().unwrap();
        assert_eq!(d.state, DeliveryState::Delivered);
        let attempts: Vec<_> = s.sync_log(0, 100_000).unwrap().into_iter().filter(|a| &a.action_id == id).collect();
        let numbers: Vec<u32> = attempts.iter().map(|a| a.attempt).collect();
        assert_eq!(numbers, (1..=attempts.len() as u32).collect::<Vec<_>>(), "{id}: every attempt logged, numbered");
        assert_eq!(attempts.last().unwrap().outcome, "delivered");
        assert!(attempts.last().unwrap().at >= T0 + 21 * DAY);
    }
}

#[test]
fn a_sink_down_for_31_days_leaves_its_deliveries_dead_until_retried_by_hand() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("state.db");
    let receiver = Receiver::start();
    receiver.set(503);
    let ids = ten_hooks(&path, &receiver.server.url);
    let mut worker = worker(&path, &webhook_sinks(&receiver.server.url), &[("HOOK_SECRET", SECRET)]);
    let now = run_until(&mut worker, T0, T0 + 31 * DAY);
    let mut s = store(&path);
    for id in &ids {
        let d = s.delivery(id).unwrap().unwrap();
        assert_eq!(d.state, DeliveryState::Dead, "{id} is dead after 30 days");
        assert!(d.done_at.unwrap() <= T0 + 30 * DAY + 6 * 3600, "{id} died within a probe of the 30 days");
        assert!(d.done_at.unwrap() > T0 + 29 * DAY, "{id} did not die early");
    }
    assert!(receiver.taken().is_empty());
    assert_eq!(s.next_due().unwrap(), None, "nothing more is tried");

    receiver.set(200);
    assert!(s.retry_delivery("a-0", now).unwrap());
    run_until(&mut worker, now, now + DAY);
    assert_eq!(receiver.taken(), ["a-0"], "the one retried by hand arrived, the dead ones stayed dead");
    assert_eq!(s.delivery("b-1").unwrap().unwrap().state, DeliveryState::Dead);
}

#[test]
fn slack_429_holds_the_sink_for_its_retry_after_then_drains_in_order() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("state.db");
    let receiver = Receiver::start();
    receiver.set(429);
    receiver.extra.lock().unwrap().push(("retry-after".into(), "120".into()));
    let (one, two) = (slack("s1", "Account/acme"), slack("s2", "Account/acme"));
    produce(&path, &[("s1", "notify_slack", &one), ("s2", "notify_slack", &two)], T0);
    let sinks = play_runtime::config::Sinks {
        slack: Some(play_runtime::config::SlackConfig { webhook_env: "SLACK_HOOK".into() }),
        ..Default::default()
    };
    let mut worker = worker(&path, &sinks, &[("SLACK_HOOK", &receiver.server.url)]);
    worker.pass(T0).unwrap();
    assert_eq!(receiver.calls(), 1, "after a 429 nothing more goes to the sink");
    let s = store(&path);
    let log = s.sync_log(0, 10).unwrap();
    assert_eq!((log[0].code.as_str(), log[0].next_at), ("429", Some(T0 + 120)), "Retry-After is honoured");
    worker.pass(T0 + 119).unwrap();
    assert_eq!(receiver.calls(), 1, "not before Retry-After");
    assert_eq!(worker.next_due(T0 + 119).unwrap(), Some(T0 + 120));
    receiver.set(200);
    worker.pass(T0 + 120).unwrap();
    assert_eq!(receiver.taken(), ["s1", "s2"]);
    let body = &receiver.server.requests()[1].body;
    assert_eq!(body, r#"{"text":"s1 needs a look"}"#, "Slack gets its JSON");
}

#[test]
fn a_revoked_slack_hook_pauses_the_sink_until_it_is_replaced() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("state.db");
    let receiver = Receiver::start();
    receiver.set(404);
    let rows: Vec<(String, String)> =
        (0..6).map(|n| (format!("s{n}"), slack(&format!("s{n}"), &format!("Account/{}", n % 2)))).collect();
    let refs: Vec<(&str, &str, &str)> = rows.iter().map(|(i, j)| (i.as_str(), "notify_slack", j.as_str())).collect();
    produce(&path, &refs, T0);
    let sinks = play_runtime::config::Sinks {
        slack: Some(play_runtime::config::SlackConfig { webhook_env: "SLACK_HOOK".into() }),
        ..Default::default()
    };
    let mut worker = worker(&path, &sinks, &[("SLACK_HOOK", &receiver.server.url)]);
    let now = run_until(&mut worker, T0, T0 + 3 * DAY);
    let s = store(&path);
    let log = s.sync_log(0, 1000).unwrap();
    assert!(!log.is_empty() && log.iter().all(|a| a.outcome == "paused" && a.code == "404 no_service"), "{log:?}");
    assert!(receiver.taken().is_empty());
    receiver.set(200);
    run_until(&mut worker, now, now + DAY);
    let taken = receiver.taken();
    assert_eq!(
        taken.iter().filter(|k| ["s0", "s2", "s4"].contains(&k.as_str())).collect::<Vec<_>>(),
        ["s0", "s2", "s4"]
    );
    assert_eq!(
        taken.iter().filter(|k| ["s1", "s3", "s5"].contains(&k.as_str())).collect::<Vec<_>>(),
        ["s1", "s3", "s5"]
    );
    assert_eq!(taken.len(), 6, "drained once reconnected, once each");
}

#[test]
fn a_missing_secret_pauses_the_sink_and_says_which_variable() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("state.db");
    let receiver = Receiver::start();
    ten_hooks(&path, &receiver.server.url);
    let mut worker = worker(&path, &webhook_sinks(&receiver.server.url), &[]);
    worker.pass(T0).unwrap();
    let log = store(&path).sync_log(0, 100).unwrap();
    assert_eq!(log[0].outcome, "paused");
    assert_eq!(log[0].message, "the environment variable `HOOK_SECRET` is not set");
    assert_eq!(receiver.calls(), 0);
}

#[test]
fn a_refusal_for_good_is_dead_at_once_with_the_remote_message_verbatim() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("state.db");
    let receiver = Receiver::start();
    receiver.set(422);
    ten_hooks(&path, &receiver.server.url);
    let mut worker = worker(&path, &webhook_sinks(&receiver.server.url), &[("HOOK_SECRET", SECRET)]);
    let pass = worker.pass(T0).unwrap();
    assert_eq!(pass.dead, 10);
    let d = store(&path).delivery("a-0").unwrap().unwrap();
    assert_eq!(
        (d.state, d.last_code.as_deref(), d.last_message.as_deref()),
        (DeliveryState::Dead, Some("422"), Some("status 422"))
    );
    assert_eq!(worker.next_due(T0).unwrap(), None);
}

#[test]
fn a_webhook_is_signed_with_the_action_id_as_its_key() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("state.db");
    let receiver = Receiver::start();
    ten_hooks(&path, &receiver.server.url);
    let mut worker = worker(&path, &webhook_sinks(&receiver.server.url), &[("HOOK_SECRET", SECRET)]);
    assert_eq!(worker.pass(T0 + 5).unwrap().delivered, 10);
    let r = &receiver.server.requests()[0];
    let id = r.header("webhook-id").unwrap();
    assert_eq!(r.header("idempotency-key"), Some(id));
    assert_eq!(r.header("webhook-timestamp"), Some((T0 + 5).to_string().as_str()));
    assert!(play_delivery::webhook::verify(SECRET, id, T0 + 5, &r.body, r.header("webhook-signature").unwrap()));
}
