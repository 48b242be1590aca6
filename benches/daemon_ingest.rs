//! The daemon under load, through `play run`'s HTTP API, each figure next to a baseline
//! measured in the same run:
//!
//! - acknowledged changes per second in batches of 1,000 lines that fire nothing, next to
//!   raw SQLite inserts of the same bytes (one transaction per 1,000, WAL,
//!   synchronous=NORMAL);
//! - changes that enrol (10,000 new accounts, each starting onboarding), next to `play
//!   replay` of the same lines (the in-memory engine);
//! - listing the queue (`GET /v1/actions`, one page) with those 10,000 actions open: p50
//!   and p99 of 500 requests;
//! - the daemon's peak memory with every record held, and a restart (SIGKILL, start
//!   again) until it serves again, from its latest snapshot and the journal after it.
//!
//! `cargo bench --bench daemon_ingest` (LINES=… to change the 50,000 teammates; the
//! restart figure in docs/daemon.md is with LINES=1000000).

#[path = "support/daemon.rs"]
mod daemon;
#[path = "support/project.rs"]
mod project;

use std::time::Instant;

use daemon::{peak_rss_kb, Running};

const BATCH: usize = 1_000;
const ACCOUNTS: usize = 10_000;

fn main() {
    let lines_wanted: usize = std::env::var("LINES").ok().and_then(|n| n.parse().ok()).unwrap_or(50_000);
    let dir = project::example_project();
    let token = daemon::token(dir.path());

    // Teammates in the directory: no playbook fires on them.
    let users: Vec<String> = (0..lines_wanted)
        .map(|n| {
            format!(
                r#"{{"at":"2026-03-02T08:00:00Z","change":"upsert","record":"User","id":"u{n}@example.com","fields":{{"email":"u{n}@example.com","name":"Teammate {n}"}}}}"#
            )
        })
        .collect();
    // New customers in onboarding, a thousand owners among them (the tasks-per-CSM budget
    // holds none back): each enrols and opens a task.
    let accounts: Vec<String> = (0..ACCOUNTS)
        .map(|n| {
            format!(
                r#"{{"at":"2026-03-02T09:00:00Z","change":"upsert","record":"Account","id":"a{n}","fields":{{"name":"Customer {n}","tier":"MidMarket","arr":{arr},"stage":"Onboarding","health":80,"owner":"u{o}@example.com","weekly_active_users":5,"tags":[]}}}}"#,
                arr = 10_000 + n * 7,
                o = n % 1_000
            )
        })
        .collect();
    let end_of_moment = r#"{"at":"2026-03-02T09:05:00Z","change":"upsert","record":"User","id":"late@example.com","fields":{"email":"late@example.com","name":"Late"}}"#;

    let running = Running::start(dir.path(), &token);
    let quiet = time(|| running.post_all(&users, BATCH));
    let enrolling = time(|| running.post_all(&accounts, BATCH));
    running.post_all(&[end_of_moment.to_string()], 1);
    let open = running.count_open();
    let (p50, p99) = running.list_latency(500);
    let rss_kb = peak_rss_kb(running.pid());
    let journaled = running.journal_position();
    running.kill();
    let started = Instant::now();
    let again = Running::start(dir.path(), &token);
    again.wait_serving();
    let restart = started.elapsed().as_secs_f64();
    drop(again);

    let raw = time(|| daemon::raw_sqlite(&dir.path().join("raw.db"), &users, BATCH));
    // The enrolling part of a replay: all the lines, less the teammates alone.
    let replay = daemon::replay(dir.path(), &[users.as_slice(), accounts.as_slice()].concat())
        - daemon::replay(dir.path(), &users);

    let n = users.len() as f64;
    println!("{} teammates, then {ACCOUNTS} accounts that enrol, in batches of {BATCH}", users.len());
    println!("HTTP ingest, fires nothing:    {:>10.0} lines/s", n / quiet);
    println!("raw SQLite inserts:            {:>10.0} lines/s", n / raw);
    println!("  ingest / raw SQLite:         {:>10.3}", raw / quiet);
    println!("HTTP ingest, enrols:           {:>10.0} lines/s", ACCOUNTS as f64 / enrolling);
    println!("in-memory engine (play replay): {:>9.0} lines/s (enrolling part)", ACCOUNTS as f64 / replay);
    println!("  enrolling ingest / engine:   {:>10.3}", replay / enrolling);
    println!("queue page with {open} open actions: p50 {:.2} ms, p99 {:.2} ms", p50 * 1e3, p99 * 1e3);
    println!(
        "daemon peak RSS: {:.0} MB for {} records ({:.0} bytes/record)",
        rss_kb as f64 / 1024.0,
        users.len() + ACCOUNTS,
        rss_kb as f64 * 1024.0 / (users.len() + ACCOUNTS) as f64
    );
    println!("restart after SIGKILL with {journaled} journaled commands: serving again in {restart:.2} s");
}

fn time(f: impl FnOnce()) -> f64 {
    let started = Instant::now();
    f();
    started.elapsed().as_secs_f64()
}
