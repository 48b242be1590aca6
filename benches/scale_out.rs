//! Scale-out on PostgreSQL: acknowledged changes per second through `play run` with 1, 2
//! and 4 workers on one PostgreSQL database (one active, the others standing by), next to
//! one `play run` on SQLite on the same workload in the same run; then the takeover time
//! after the active worker is killed (SIGKILL), with the lease time it is bounded by.
//! Then the same with a workspace of `PARTITIONS` (4) partitions: 1, 2 and 4 workers
//! sharing them, the posters spread over every worker (each routes the changes), the rate
//! acknowledged and the rate until every line is in its partition's journal; and the time
//! until a killed worker's partitions are all held again. Prints every figure and its ratio
//! to SQLite's.
//!
//! `cargo bench --bench scale_out` (LINES=… to change the 20,000; LEASE_MS=… the 1,000;
//! PARTITIONS=… the 4; PLAY_TEST_POSTGRES=postgres://… another server).

#[path = "support/project.rs"]
mod project;

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc::{channel, Receiver};
use std::time::{Duration, Instant};

use play_store::postgres::ScratchDatabase;

const BATCH: usize = 500;
const POSTERS: usize = 4;

/// Accounts whose health rises and falls hour by hour: changes that start and end runs
/// and fire actions, not only journal lines.
fn lines(n: usize) -> Vec<String> {
    let start = 1_773_705_600; // 2026-03-17T00:00:00Z
    (0..n)
        .map(|i| {
            let (account, hour) = (i % 500, i / 500);
            let at = chrono::DateTime::from_timestamp(start + hour as i64 * 3600, 0).unwrap().format("%Y-%m-%dT%H:%M:%SZ");
            let health = [80, 40, 75, 30, 70][hour % 5];
            format!(
                r#"{{"change_id":"b{i}","at":"{at}","change":"upsert","record":"Account","id":"a{account}","fields":{{"name":"Account {account}","tier":"Enterprise","arr":300000,"stage":"Renewal","health":{health},"owner":"jo@example.com","csm":"ana@example.com","weekly_active_users":40,"licensed_seats":50,"used_seats":38,"tags":[]}}}}"#
            )
        })
        .collect()
}

fn main() {
    let wanted: usize = std::env::var("LINES").ok().and_then(|n| n.parse().ok()).unwrap_or(20_000);
    let lease_ms: u64 = std::env::var("LEASE_MS").ok().and_then(|n| n.parse().ok()).unwrap_or(1_000);
    let all = lines(wanted);
    let bodies: Vec<String> = all.chunks(BATCH).map(|c| c.join("\n")).collect();

    let sqlite = {
        let dir = project::example_project();
        let token = token(dir.path(), None);
        let (mut child, active) = start(dir.path(), None, lease_ms);
        let (_, url) = active.recv().unwrap();
        let rate = ingest(&[url], &token, &bodies);
        let _ = child.kill();
        let _ = child.wait();
        rate
    };
    println!("{} lines in batches of {BATCH}, {POSTERS} posters at once", all.len());
    println!("SQLite, 1 worker:            {sqlite:>8.0} lines/s");

    for workers in [1, 2, 4] {
        let db = ScratchDatabase::create("bench").expect("PostgreSQL answers (PLAY_TEST_POSTGRES)");
        let dir = project::example_project();
        let token = token(dir.path(), Some(db.url()));
        let (tx, active) = channel();
        let mut children: Vec<Child> = Vec::new();
        for n in 0..workers {
            let (child, one) = start(dir.path(), Some(db.url()), lease_ms);
            children.push(child);
            let tx = tx.clone();
            std::thread::spawn(move || {
                if let Ok((_, url)) = one.recv() {
                    let _ = tx.send((n, url));
                }
            });
            if n == 0 {
                // The first takes the lease; the others join as standbys.
                std::thread::sleep(Duration::from_millis(300));
            }
        }
        let (first, url) = active.recv().unwrap();
        let rate = ingest(&[url], &token, &bodies);
        print!(
            "PostgreSQL, {workers} worker{}:        {rate:>8.0} lines/s   {:.2}x SQLite",
            if workers == 1 { " " } else { "s" },
            rate / sqlite
        );
        if workers > 1 {
            let killed = Instant::now();
            let _ = children[first].kill();
            let (_, _) = active.recv_timeout(Duration::from_secs(60)).expect("a standby takes over");
            print!("   takeover {}", takeover(killed.elapsed(), lease_ms));
        }
        println!();
        for mut c in children {
            let _ = c.kill();
            let _ = c.wait();
        }
    }

    let partitions: i32 = std::env::var("PARTITIONS").ok().and_then(|n| n.parse().ok()).unwrap_or(4);
    for workers in [1, 2, 4] {
        partitioned(&bodies, sqlite, workers, partitions, lease_ms);
    }
}

/// One run on a workspace of `partitions` partitions shared by `workers` workers.
fn partitioned(bodies: &[String], sqlite: f64, workers: usize, partitions: i32, lease_ms: u64) {
    let db = ScratchDatabase::create("bench").expect("PostgreSQL answers (PLAY_TEST_POSTGRES)");
    let dir = project::example_project();
    let token = token(dir.path(), Some(db.url()));
    let count = partitions.to_string();
    let mut children = Vec::new();
    let mut urls = Vec::new();
    for _ in 0..workers {
        let (child, one) = start_with(dir.path(), Some(db.url()), lease_ms, &["--partitions", &count]);
        children.push(child);
        urls.push(one.recv().unwrap().1);
    }
    let sql = |q: &str| -> i64 {
        let mut client = postgres::Client::connect(db.url(), postgres::NoTls).unwrap();
        client.query_one(q, &[]).unwrap().get(0)
    };
    let shared = (partitions as usize).min(workers) as i64;
    wait_for(|| {
        sql("SELECT count(*) FROM leases WHERE expires > now()") == i64::from(partitions)
            && sql("SELECT count(DISTINCT holder) FROM leases WHERE expires > now()") == shared
    });
    let started = Instant::now();
    let acknowledged = ingest(&urls, &token, bodies);
    wait_for(|| sql("SELECT count(*) FROM play_routed") == 0);
    let journaled = bodies.iter().map(|b| b.lines().count()).sum::<usize>() as f64 / started.elapsed().as_secs_f64();
    print!(
        "{partitions} partitions, {workers} worker{}: {acknowledged:>8.0} lines/s acknowledged {:.2}x SQLite, \
         {journaled:>8.0} lines/s journaled {:.2}x",
        if workers == 1 { " " } else { "s" },
        acknowledged / sqlite,
        journaled / sqlite
    );
    if workers > 1 {
        // The worker holding the most partitions dies.
        let mut client = postgres::Client::connect(db.url(), postgres::NoTls).unwrap();
        let row = client
            .query_one(
                "SELECT holder, count(*) FROM leases WHERE expires > now() GROUP BY holder ORDER BY 2 DESC LIMIT 1",
                &[],
            )
            .unwrap();
        let (holder, held): (String, i64) = (row.get(0), row.get(1));
        let pid: u32 = holder.rsplit(':').next().and_then(|p| p.parse().ok()).unwrap();
        let victim = children.iter_mut().find(|c| c.id() == pid).expect("a worker holds them");
        let killed = Instant::now();
        let _ = victim.kill();
        let _ = victim.wait();
        let others = format!("SELECT count(*) FROM leases WHERE expires > now() AND holder NOT LIKE '%:{pid}'");
        wait_for(|| sql(&others) == i64::from(partitions));
        print!("   its {held} partitions held again after {}", takeover(killed.elapsed(), lease_ms));
    }
    println!();
    for mut c in children {
        let _ = c.kill();
        let _ = c.wait();
    }
}

fn wait_for(mut done: impl FnMut() -> bool) {
    let start = Instant::now();
    while !done() {
        assert!(start.elapsed() < Duration::from_secs(600), "waited ten minutes");
        std::thread::sleep(Duration::from_millis(10));
    }
}

/// Posts every body, `POSTERS` at a time, each poster to its own worker of `urls` (in
/// turn): acknowledged lines per second.
fn ingest(urls: &[String], token: &str, bodies: &[String]) -> f64 {
    let started = Instant::now();
    let accepted: u64 = std::thread::scope(|s| {
        let handles: Vec<_> = (0..POSTERS)
            .map(|p| {
                let url = &urls[p % urls.len()];
                s.spawn(move || {
                    let mut accepted = 0;
                    for body in bodies.iter().skip(p).step_by(POSTERS) {
                        let report: serde_json::Value = ureq::post(&format!("{url}/v1/changes"))
                            .set("Authorization", &format!("Bearer {token}"))
                            .send_string(body)
                            .expect("the daemon answers")
                            .into_json()
                            .unwrap();
                        accepted += report["accepted"].as_u64().unwrap_or(0);
                    }
                    accepted
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).sum()
    });
    let lines: usize = bodies.iter().map(|b| b.lines().count()).sum();
    assert_eq!(accepted as usize, lines, "every line accepted");
    lines as f64 / started.elapsed().as_secs_f64()
}

/// How long a takeover took, and as a multiple of the lease.
fn takeover(took: Duration, lease_ms: u64) -> String {
    let ms = took.as_secs_f64() * 1e3;
    format!("{ms:.0} ms ({:.2}x the {lease_ms} ms lease)", ms / lease_ms as f64)
}

/// `play run` (on PostgreSQL when `url` is given), and where its address will arrive.
fn start(dir: &Path, url: Option<&str>, lease_ms: u64) -> (Child, Receiver<(usize, String)>) {
    start_with(dir, url, lease_ms, &[])
}

fn start_with(dir: &Path, url: Option<&str>, lease_ms: u64, extra: &[&str]) -> (Child, Receiver<(usize, String)>) {
    let lease = lease_ms.to_string();
    let mut args = vec!["run", "--listen", "127.0.0.1:0", "--clock", "changes", "--no-watch", "--lease-ms", &lease];
    if let Some(url) = url {
        args.extend(["--store", url]);
    }
    args.extend(extra);
    let mut child = Command::new(env!("CARGO_BIN_EXE_play"))
        .args(&args)
        .current_dir(dir)
        .env("PLAY_LOG", "warn")
        .stdout(Stdio::piped())
        .spawn()
        .expect("play run starts");
    let stdout = child.stdout.take().unwrap();
    let (tx, rx) = channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            if let Some(url) = line.trim().strip_prefix("listening on ") {
                let _ = tx.send((0, url.to_string()));
            }
        }
    });
    (child, rx)
}

fn token(dir: &Path, url: Option<&str>) -> String {
    let mut args = vec!["token", "add", "bench@example.com"];
    if let Some(url) = url {
        args.extend(["--store", url]);
    }
    let out = Command::new(env!("CARGO_BIN_EXE_play")).args(&args).current_dir(dir).output().unwrap();
    String::from_utf8_lossy(&out.stdout).trim().to_string()
}
