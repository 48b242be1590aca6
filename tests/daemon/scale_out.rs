//! Workers on PostgreSQL: three `play run` workers share one store; the active one is
//! killed (SIGKILL) at random moments while a stream of changes goes on to whichever is
//! active, and the stored actions equal `play replay` of exactly the acknowledged changes —
//! none lost, none twice. A worker paused (SIGSTOP) past its lease and resumed writes
//! nothing, says so in its log and exits 2; so does one whose lease ran out while its
//! lease keeper was stalled, stopped by the fencing token at its next write. Each test makes
//! a database of its own.
//!
//! `PLAY_SCALE_KILLS=N` kills N times (6 by default).

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use play_store::postgres::ScratchDatabase;
use play_store::{PostgresStore, Store};

use crate::crash::{line, Rng};
use crate::support::{example_copy, play};
use crate::workers::{Pool, Worker, LEASE_MS};

const BATCH: usize = 4;

pub(crate) fn token(dir: &std::path::Path, url: &str) -> String {
    let (code, out, err) = play(dir, &["token", "add", "jo@example.com", "--store", url]);
    assert_eq!(code, 0, "token add: {err}");
    out.trim().to_string()
}

/// The report of a post the worker answered with success; none when it did not.
pub(crate) fn post(url: &str, token: &str, body: &str) -> Option<serde_json::Value> {
    ureq::post(&format!("{url}/v1/changes"))
        .set("Authorization", &format!("Bearer {token}"))
        .timeout(Duration::from_secs(20))
        .send_string(body)
        .ok()
        .map(|r| r.into_json().expect("a report"))
}

/// How a worker exited, once it does within `limit` (killed, and the test failed, if not).
fn exit_within(child: &mut std::process::Child, limit: Duration) -> std::process::ExitStatus {
    let start = Instant::now();
    while start.elapsed() < limit {
        if let Some(status) = child.try_wait().unwrap() {
            return status;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    let _ = child.kill();
    panic!("the worker did not stop within {limit:?}");
}

#[test]
fn killed_at_random_moments_the_workers_keep_every_acknowledged_change_and_no_action_twice() {
    let db = ScratchDatabase::create("kill").unwrap();
    let dir = example_copy("customer-success");
    let jo = token(dir.path(), db.url());
    let kills_wanted: usize = std::env::var("PLAY_SCALE_KILLS").ok().and_then(|k| k.parse().ok()).unwrap_or(6);
    let mut rng = Rng(0x5ca1_e0a7_0000_0001);
    let mut pool = Pool::new(dir.path(), db.url(), &["--snapshot-every", "5"]);
    let mut workers: BTreeMap<usize, Worker> = (0..3).map(|_| pool.start()).collect();
    let (mut active, mut url, _) = pool.next_active(Instant::now());
    let mut acknowledged: Vec<String> = Vec::new();
    let mut takeovers = Vec::new();
    let mut next = 0;
    for kill in 0..=kills_wanted {
        let last_run = kill == kills_wanted;
        let killer = (!last_run).then(|| {
            let pid = workers[&active].pid();
            let wait = Duration::from_millis(2 + rng.next() % 80);
            std::thread::spawn(move || {
                std::thread::sleep(wait);
                let _ = std::process::Command::new("kill").args(["-KILL", &pid.to_string()]).status();
                Instant::now()
            })
        });
        let mut posts = 0;
        while !last_run || posts < 10 {
            let end = next + BATCH;
            let body = (next..end).map(line).collect::<Vec<_>>().join("\n");
            match post(&url, &jo, &body) {
                Some(report) => {
                    assert!(report["refused"].as_array().is_some_and(Vec::is_empty), "{report}");
                    acknowledged.extend((next..end).map(line));
                    next = end;
                    posts += 1;
                }
                // Killed: not acknowledged (it may have been committed); sent again below.
                None => break,
            }
        }
        let Some(killer) = killer else { break };
        let killed_at = killer.join().unwrap();
        let mut dead = workers.remove(&active).unwrap();
        let _ = dead.child.wait();
        // Three workers again: the new one stands by.
        let (n, w) = pool.start();
        workers.insert(n, w);
        let (n, u, took) = pool.next_active(killed_at);
        assert!(workers.contains_key(&n), "a live worker took over");
        takeovers.push(took);
        (active, url) = (n, u);
    }
    // Standbys first, so that nobody takes over after the clean stop.
    let last = workers.remove(&active).unwrap();
    for (_, w) in std::mem::take(&mut workers) {
        w.signal("KILL");
    }
    last.signal("TERM");
    let mut last = last;
    assert_eq!(last.child.wait().unwrap().code(), Some(0), "SIGTERM drains and exits 0: {}", last.log_text());

    // What the workers kept, against a replay of exactly the acknowledged changes.
    let store = PostgresStore::open(db.url()).unwrap();
    let stored =
        crate::support::stored_match_replay(dir.path(), &store, &acknowledged).unwrap_or_else(|lost| panic!("{lost}"));
    assert!(stored > 20, "the stream fires actions: {stored}");
    assert_eq!(takeovers.len(), kills_wanted, "every kill was taken over");
    eprintln!(
        "{kills_wanted} kills, {} lines acknowledged, {} actions stored; takeovers (lease {LEASE_MS} ms): {takeovers:?}",
        acknowledged.len(),
        stored
    );
}

#[test]
fn a_worker_paused_past_its_lease_writes_nothing_when_it_resumes_and_says_so() {
    let db = ScratchDatabase::create("stale").unwrap();
    let dir = example_copy("customer-success");
    let jo = token(dir.path(), db.url());
    let mut pool = Pool::new(dir.path(), db.url(), &[]);
    let (a, mut first) = pool.start();
    let (na, url_a, _) = pool.next_active(Instant::now());
    assert_eq!(na, a, "the only worker takes the lease");
    let (_, second) = pool.start();
    assert!(post(&url_a, &jo, &line(0)).is_some(), "the active worker takes changes");

    first.signal("STOP");
    let (_, url_b, _) = pool.next_active(Instant::now());
    for n in 1..6 {
        post(&url_b, &jo, &line(n)).expect("the new active worker takes changes");
    }
    let reader = PostgresStore::open(db.url()).unwrap();
    let position = reader.journal_position().unwrap();

    // A change sent to the paused worker waits in its socket; then it wakes up.
    let stale_line = line(7).replacen("\"change_id\":\"s7\"", "\"change_id\":\"stale\"", 1);
    assert!(stale_line.contains("\"stale\""));
    let sent = std::thread::spawn(move || {
        post(&url_a, &jo, &stale_line).is_some_and(|report| report["accepted"].as_u64() != Some(0))
    });
    std::thread::sleep(Duration::from_millis(100));
    first.signal("CONT");
    assert!(!sent.join().unwrap(), "the stale worker acknowledges nothing");
    let status = exit_within(&mut first.child, Duration::from_secs(30));
    assert_eq!(status.code(), Some(2), "it stops with status 2");
    let log = first.log_text();
    assert!(log.contains("lost its lease"), "it says why in its log:\n{log}");
    assert!(!reader.change_id_taken("stale").unwrap(), "its change was not written");
    assert_eq!(reader.journal_position().unwrap(), position, "it wrote nothing at all");
    drop(second);
}

#[test]
fn a_worker_whose_lease_ran_out_unnoticed_is_stopped_by_the_fence_at_its_next_write() {
    let db = ScratchDatabase::create("fence").unwrap();
    let dir = example_copy("customer-success");
    let jo = token(dir.path(), db.url());
    let mut pool = Pool::new(dir.path(), db.url(), &[]);
    // Its lease keeper never runs: nothing but the fence can stop its writer.
    let (a, mut first) = pool.start_with(&[("PLAY_FAULT_STALLED_KEEPER", "1")]);
    let (na, url_a, _) = pool.next_active(Instant::now());
    assert_eq!(na, a, "the only worker takes the lease");
    assert!(post(&url_a, &jo, &line(0)).is_some(), "the active worker takes changes");
    let (b, second) = pool.start();
    let (nb, url_b, _) = pool.next_active(Instant::now());
    assert_eq!(nb, b, "the standby takes over once the unrenewed lease runs out");
    post(&url_b, &jo, &line(1)).expect("the new active worker takes changes");
    let reader = PostgresStore::open(db.url()).unwrap();
    let position = reader.journal_position().unwrap();

    // A line this worker would take (it knows only what it took itself) meets the fence.
    let stale_line = line(0).replacen("\"change_id\":\"s0\"", "\"change_id\":\"stale\"", 1);
    assert!(stale_line.contains("\"stale\""));
    let answer = post(&url_a, &jo, &stale_line);
    assert!(
        answer.as_ref().is_none_or(|r| r["accepted"].as_u64() == Some(0)),
        "the stale worker acknowledges nothing: {answer:?}"
    );
    let status = exit_within(&mut first.child, Duration::from_secs(30));
    assert_eq!(status.code(), Some(2), "it stops with status 2");
    let log = first.log_text();
    assert!(log.contains("lost its lease") && log.contains("fencing token"), "the fence says why in its log:\n{log}");
    assert!(!reader.change_id_taken("stale").unwrap(), "its change was not written");
    assert_eq!(reader.journal_position().unwrap(), position, "it wrote nothing at all");
    drop(second);
}
