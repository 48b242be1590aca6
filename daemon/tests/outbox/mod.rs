//! What the outbox worker's tests share: a store with outbox rows written the way the
//! engine thread writes them, a worker on its own handle, and a local HTTP receiver that
//! can be taken down and that keeps what it took by idempotency key.
#![allow(dead_code)] // each test binary uses part of it

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::atomic::{AtomicU16, Ordering};
use std::sync::{Arc, Mutex};

use play_daemon::deliver::{SinkSet, Worker};
use play_runtime::config::Sinks;
use play_store::{Batch, OutboxRow, SqliteStore, Store};

pub mod smtp;

#[path = "../../../delivery/tests/support/mod.rs"]
pub mod http;

/// 2026-03-02T00:00:00Z.
pub const T0: i64 = 1_772_409_600;
pub const DAY: i64 = 86_400;
pub const SECRET: &str = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";

/// Writes outbox rows as the engine thread's group commit does.
pub fn produce(path: &Path, rows: &[(&str, &str, &str)], at: i64) {
    let mut store = SqliteStore::open(path).expect("the store opens");
    let outbox = rows
        .iter()
        .map(|(id, kind, json)| OutboxRow {
            action_id: id.to_string(),
            kind: kind.to_string(),
            sink: play_daemon::deliver::sinks::sink_of(kind, &serde_json::from_str(json).unwrap_or_default()).into(),
            at,
            json: json.to_string(),
        })
        .collect();
    store.append(&Batch { outbox, ..Batch::default() }).expect("the batch is written");
}

/// A `webhook` action of a record.
pub fn webhook(id: &str, record: &str, url: &str) -> String {
    format!(
        r#"{{"id":"{id}","action":"webhook","playbook":"sync","step":"push","record":"{record}","url":"{url}","fields":{{"n":"{id}"}}}}"#
    )
}

pub fn slack(id: &str, record: &str) -> String {
    format!(
        r##"{{"id":"{id}","action":"notify_slack","playbook":"risk","step":"tell","record":"{record}","to":"#cs","message":"{id} needs a look"}}"##
    )
}

/// A worker on its own handle of the store at `path`, with these sinks and their secrets.
pub fn worker(path: &Path, sinks: &Sinks, env: &[(&str, &str)]) -> Worker {
    let env: BTreeMap<String, String> = env.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
    let set = SinkSet::from_settings(sinks, &|name| env.get(name).cloned());
    let store = Box::new(SqliteStore::open(path).expect("the store opens"));
    Worker::new(store, set, Some("lee@example.com".into())).expect("a worker")
}

pub fn webhook_sinks(url: &str) -> Sinks {
    Sinks {
        webhook: Some(play_runtime::config::WebhookConfig { url: url.into(), secret_env: "HOOK_SECRET".into() }),
        ..Sinks::default()
    }
}

/// A receiver that answers with whatever status is set (200 takes the request, keeping
/// the first copy of each idempotency key, as a receiver that honours it does).
pub struct Receiver {
    pub server: http::Server,
    pub status: Arc<AtomicU16>,
    pub extra: Arc<Mutex<Vec<(String, String)>>>,
    /// Idempotency keys taken, in the order taken (each once).
    pub taken: Arc<Mutex<Vec<String>>>,
}

impl Receiver {
    pub fn start() -> Receiver {
        let status = Arc::new(AtomicU16::new(200));
        let extra: Arc<Mutex<Vec<(String, String)>>> = Arc::default();
        let taken: Arc<Mutex<Vec<String>>> = Arc::default();
        let (s, e, t) = (status.clone(), extra.clone(), taken.clone());
        let server = http::Server::with(move |request| {
            let code = s.load(Ordering::SeqCst);
            if code == 200 {
                let key = request.header("idempotency-key").unwrap_or_default().to_string();
                let mut taken = t.lock().unwrap();
                if !taken.contains(&key) {
                    taken.push(key);
                }
            }
            // Slack's words for a hook that is gone, so the Slack sink reads them as such.
            let body = match code {
                200 => "ok".to_string(),
                403 => "invalid_token".to_string(),
                404 => "no_service".to_string(),
                _ => format!("status {code}"),
            };
            (code, e.lock().unwrap().clone(), body)
        });
        Receiver { server, status, extra, taken }
    }

    pub fn set(&self, status: u16) {
        self.status.store(status, Ordering::SeqCst);
    }

    pub fn taken(&self) -> Vec<String> {
        self.taken.lock().unwrap().clone()
    }

    /// Requests received, taken or not.
    pub fn calls(&self) -> usize {
        self.server.requests().len()
    }
}

/// Runs passes from `from`, each at the moment the next delivery is due, until nothing is
/// due or `until` is passed: weeks in a moment.
pub fn run_until(worker: &mut Worker, from: i64, until: i64) -> i64 {
    let mut now = from;
    let mut passes = 0;
    loop {
        worker.pass(now).expect("a pass");
        passes += 1;
        assert!(passes < 10_000, "the worker keeps passing");
        match worker.next_due(now).expect("next due") {
            Some(next) if next <= until => now = next.max(now + 1),
            _ => return now,
        }
    }
}
