//! Acknowledged changes per second through `play run`'s HTTP API, in batches of 1,000
//! lines that fire nothing, next to raw SQLite inserts of the same bytes (one transaction
//! per 1,000, WAL, synchronous=NORMAL) in the same run: the baseline the daemon's group
//! commit is measured against. Prints both rates and their ratio.
//!
//! `cargo bench --bench daemon_ingest` (LINES=… to change the 50,000).

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::Instant;

const BATCH: usize = 1_000;

fn main() {
    let lines_wanted: usize = std::env::var("LINES").ok().and_then(|n| n.parse().ok()).unwrap_or(50_000);
    let dir = tempfile::tempdir().expect("a scratch folder");
    copy_tree(&Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/customer-success"), dir.path());
    let play = env!("CARGO_BIN_EXE_play");
    let token =
        Command::new(play).args(["token", "add", "bench@example.com"]).current_dir(dir.path()).output().unwrap();
    let token = String::from_utf8_lossy(&token.stdout).trim().to_string();
    // Teammates in the directory: no playbook fires on them.
    let lines: Vec<String> = (0..lines_wanted)
        .map(|n| {
            format!(
                r#"{{"at":"2026-03-02T08:00:00Z","change":"upsert","record":"User","id":"u{n}@example.com","fields":{{"email":"u{n}@example.com","name":"Teammate {n}"}}}}"#
            )
        })
        .collect();
    let bodies: Vec<String> = lines.chunks(BATCH).map(|c| c.join("\n")).collect();

    let mut child = Command::new(play)
        .args(["run", "--listen", "127.0.0.1:0", "--clock", "changes", "--no-watch"])
        .current_dir(dir.path())
        .env("PLAY_LOG", "warn")
        .stdout(Stdio::piped())
        .spawn()
        .expect("play run starts");
    let mut first = String::new();
    BufReader::new(child.stdout.take().unwrap()).read_line(&mut first).unwrap();
    let url = format!("{}/v1/changes", first.trim().trim_start_matches("listening on "));
    let started = Instant::now();
    let mut accepted = 0;
    for body in &bodies {
        let report: serde_json::Value = ureq::post(&url)
            .set("Authorization", &format!("Bearer {token}"))
            .send_string(body)
            .expect("the daemon answers")
            .into_json()
            .unwrap();
        accepted += report["accepted"].as_u64().unwrap_or(0);
    }
    let http = started.elapsed().as_secs_f64();
    let _ = child.kill();
    let _ = child.wait();
    assert_eq!(accepted as usize, lines.len(), "every line accepted");

    let raw_path = dir.path().join("raw.db");
    let mut conn = rusqlite::Connection::open(&raw_path).unwrap();
    conn.pragma_update(None, "journal_mode", "WAL").unwrap();
    conn.pragma_update(None, "synchronous", "NORMAL").unwrap();
    conn.execute_batch("CREATE TABLE journal (position INTEGER PRIMARY KEY, command TEXT NOT NULL)").unwrap();
    let started = Instant::now();
    for chunk in lines.chunks(BATCH) {
        let tx = conn.transaction().unwrap();
        {
            let mut insert = tx.prepare_cached("INSERT INTO journal (command) VALUES (?1)").unwrap();
            for line in chunk {
                insert.execute([line]).unwrap();
            }
        }
        tx.commit().unwrap();
    }
    let raw = started.elapsed().as_secs_f64();
    let n = lines.len() as f64;
    println!("{} lines in batches of {BATCH}", lines.len());
    println!("HTTP ingest, acknowledged: {:>10.0} lines/s", n / http);
    println!("raw SQLite inserts:        {:>10.0} lines/s", n / raw);
    println!("HTTP ingest / raw SQLite:  {:>10.3}", raw / http);
}

fn copy_tree(from: &Path, to: &Path) {
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            std::fs::create_dir_all(&target).unwrap();
            copy_tree(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), &target).unwrap();
        }
    }
}
