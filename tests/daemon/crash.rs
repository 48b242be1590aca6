//! The crash test: a stream of changes posted while `play run` is killed (SIGKILL) at
//! random moments and restarted, then the stored actions compared with `play replay` of
//! exactly the acknowledged changes: the same action ids, none twice, none lost. Kills land
//! during snapshots (one every five commands) and, every other start, during a hot reload
//! of an edit that changes the program but not what it does.
//!
//! `PLAY_CRASH_KILLS=N` kills N times (20 by default; `scripts/crash-soak` runs 1,000).

use std::time::Duration;

use play_store::SqliteStore;

use crate::support::{example_copy, Daemon};

const BASE: &str = include_str!("../../examples/customer-success/changes.jsonl");
const BATCH: usize = 4;

/// A small deterministic generator, so that a failure can be run again.
pub(crate) struct Rng(pub u64);

impl Rng {
    pub(crate) fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
}

/// The `n`th line of an endless stream: the example's changes, then accounts whose health
/// rises and falls, hour by hour; every line with a `change_id`, so that a batch sent again
/// after a kill is taken once.
pub(crate) fn line(n: usize) -> String {
    let base: Vec<&str> = BASE.lines().collect();
    let start = chrono::DateTime::parse_from_rfc3339("2026-03-17T00:00:00Z").unwrap().timestamp();
    let h = n.saturating_sub(base.len()) as i64;
    let at = chrono::DateTime::from_timestamp(start + h * 3600, 0).unwrap().format("%Y-%m-%dT%H:%M:%SZ");
    let k = h % 12;
    let text = if n < base.len() {
        base[n].to_string()
    } else if h < 12 {
        format!(
            r#"{{"at":"{at}","change":"upsert","record":"Account","id":"a{k}","fields":{{"name":"Account {k}","tier":"Enterprise","arr":300000,"stage":"Renewal","health":80,"owner":"jo@example.com","csm":"ana@example.com","weekly_active_users":40,"licensed_seats":50,"used_seats":38,"tags":[]}}}}"#
        )
    } else {
        let health = [80, 40, 75, 30, 70][(h / 12) as usize % 5];
        format!(r#"{{"at":"{at}","change":"upsert","record":"Account","id":"a{k}","fields":{{"health":{health}}}}}"#)
    };
    text.replacen('{', &format!("{{\"change_id\":\"s{n}\","), 1)
}

/// An edit that changes the program's hash but nothing it does: a segment no playbook
/// reads, there one time and gone the next.
fn toggle(extra: &std::path::Path) {
    if extra.exists() {
        std::fs::remove_file(extra).unwrap();
    } else {
        std::fs::write(extra, "/// Never used.\nsegment never_used for account: Account = account.arr < 0\n").unwrap();
    }
}

#[test]
fn killed_at_random_moments_the_daemon_keeps_every_acknowledged_change_and_no_action_twice() {
    let dir = example_copy("customer-success");
    let jo = crate::support::token(dir.path(), "jo@example.com");
    let kills_wanted: usize = std::env::var("PLAY_CRASH_KILLS").ok().and_then(|k| k.parse().ok()).unwrap_or(20);
    let mut rng = Rng(0x5eed_1234_abcd_0001);
    let extra = dir.path().join("extra.play");
    let mut acknowledged: Vec<String> = Vec::new();
    let mut next = 0;
    let mut kills = 0;
    let mut resent_duplicates = 0;
    // Killed at random moments until KILLS kills, then once more to stop it cleanly: the
    // stream is as long as that takes.
    while kills <= kills_wanted {
        // Snapshots every few commands, so that kills land during them too and most
        // restarts go through the latest snapshot and the journal after it.
        let mut daemon = Daemon::start(dir.path(), &["--snapshot-every", "5", "--watch"], &[]);
        let pid = daemon.child.id();
        let last_run = kills >= kills_wanted;
        let reload = kills % 2 == 1;
        let killer = (!last_run).then(|| {
            // A reload is deployed about 300 ms after the edit (the watcher's debounce).
            let wait = if reload { 250 + rng.next() % 250 } else { 2 + rng.next() % 60 };
            let wait = Duration::from_millis(wait);
            let extra = extra.clone();
            std::thread::spawn(move || {
                if reload {
                    toggle(&extra);
                }
                std::thread::sleep(wait);
                let _ = std::process::Command::new("kill").args(["-KILL", &pid.to_string()]).status();
            })
        });
        let mut posts = 0;
        while !last_run || posts < 10 {
            let end = next + BATCH;
            let body = (next..end).map(line).collect::<Vec<_>>().join("\n");
            let sent = ureq::post(&format!("{}/v1/changes", daemon.url))
                .set("Authorization", &format!("Bearer {jo}"))
                .send_string(&body);
            match sent {
                Ok(r) => {
                    let report: serde_json::Value = r.into_json().expect("a report");
                    assert!(report["refused"].as_array().is_some_and(Vec::is_empty), "{report}");
                    resent_duplicates += report["duplicates"].as_u64().unwrap_or(0);
                    acknowledged.extend((next..end).map(line));
                    next = end;
                    posts += 1;
                }
                // Killed: this batch was not acknowledged (it may have been committed).
                Err(_) => break,
            }
        }
        if let Some(killer) = killer {
            let _ = killer.join();
            let _ = daemon.child.wait();
        } else {
            assert_eq!(daemon.stop(), 0, "SIGTERM drains and exits 0");
        }
        kills += 1;
    }

    // What the daemon kept, against a replay of exactly the acknowledged changes.
    let store = SqliteStore::open(&dir.path().join(".play/state.db")).unwrap();
    let stored = crate::support::stored_match_replay(dir.path(), &store, &acknowledged).unwrap_or_else(|lost| {
        let kept = dir.keep();
        panic!("{lost}\n(the project, its store and acknowledged.jsonl are kept in {kept:?})")
    });
    assert!(stored > 50, "the stream fires actions: {stored}");
    eprintln!(
        "{kills_wanted} kills, {} lines acknowledged, {} actions stored, {resent_duplicates} lines sent again after a kill were duplicates",
        acknowledged.len(),
        stored
    );
}
