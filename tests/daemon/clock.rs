//! The clock and hot reload: timers that fell due while the daemon was down fire when it
//! comes back, in order; an edit that checks is deployed, one that does not is shown.

use std::collections::BTreeSet;

use crate::support::{example_copy, play, token, Daemon};

const CHANGES: &str = include_str!("../../examples/customer-success/changes.jsonl");

#[test]
fn timers_that_fell_due_while_the_daemon_was_down_fire_when_it_comes_back() {
    let dir = example_copy("customer-success");
    let lee = token(dir.path(), "lee@example.com");
    let daemon = Daemon::start(dir.path(), &[], &[]);
    daemon.post("/v1/changes", Some(&lee), CHANGES);
    let before = daemon.all_actions(&lee).len();
    assert_eq!(daemon.stop(), 0);
    // Months pass: back on the system clock, every wait and schedule since fires.
    let daemon = Daemon::start(dir.path(), &["--clock", "system"], &[]);
    let status = daemon.status_when(&lee, |s| s["clock"].as_str().is_some_and(|c| c > "2026-11-01"));
    let clock = status["clock"].as_str().unwrap().to_string();
    let stored: BTreeSet<String> =
        daemon.all_actions(&lee).iter().map(|a| a["id"].as_str().unwrap().to_string()).collect();
    assert!(stored.len() > before, "the timers due since produced actions");
    let (code, out, err) = play(dir.path(), &["replay", "--changes", "changes.jsonl", "--until", &clock]);
    assert_eq!(code, 0, "{err}");
    let replayed: BTreeSet<String> = out
        .lines()
        .map(|l| serde_json::from_str::<serde_json::Value>(l).unwrap()["id"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(stored, replayed, "the same actions as a replay run up to the daemon's clock");
}

/// The example project run with its folder watched: the first program's hash, and the
/// file the tests edit with its source.
struct Watched {
    dir: tempfile::TempDir,
    lee: String,
    daemon: Daemon,
    hash: String,
    file: std::path::PathBuf,
    source: String,
}

fn watched() -> Watched {
    let dir = example_copy("customer-success");
    let lee = token(dir.path(), "lee@example.com");
    let daemon = Daemon::start(dir.path(), &["--watch"], &[]);
    let (_, first) = daemon.get("/v1/status", Some(&lee));
    let hash = first["program"]["hash"].as_str().unwrap().to_string();
    let file = dir.path().join("renewals.play");
    let source = std::fs::read_to_string(&file).unwrap();
    Watched { dir, lee, daemon, hash, file, source }
}

#[test]
fn an_edit_that_checks_is_deployed_and_one_that_does_not_is_shown_in_the_status() {
    let Watched { dir, lee, daemon, hash, file, source } = watched();
    std::fs::write(&file, format!("{source}\nplaybook broken {{\n")).unwrap();
    let refused = daemon.status_when(&lee, |s| !s["refused_reload"].is_null());
    assert_eq!(refused["program"]["hash"], hash, "the last good program keeps running");
    assert!(refused["refused_reload"]["diagnostics"].as_str().unwrap().contains("renewals.play"));
    std::fs::write(&file, source.replacen("Review renewal risk", "Review the renewal risk", 1)).unwrap();
    let deployed = daemon.status_when(&lee, |s| s["program"]["hash"] != hash.as_str());
    assert!(deployed["refused_reload"].is_null(), "a good deploy clears the refusal");
    assert_eq!(daemon.stop(), 0);
    let daemon = Daemon::start(dir.path(), &[], &[]);
    let (_, after) = daemon.get("/v1/status", Some(&lee));
    assert_eq!(after["program"]["hash"], deployed["program"]["hash"], "the deploy was journaled");
}

#[test]
fn a_deploy_that_makes_a_published_playbook_private_again_is_refused() {
    let Watched { dir, lee, daemon, hash, file, source } = watched();
    assert_eq!(source.matches("visibility public").count(), 1);
    std::fs::write(&file, source.replace("visibility public", "visibility private")).unwrap();
    let refused = daemon.status_when(&lee, |s| !s["refused_reload"].is_null());
    assert_eq!(refused["program"]["hash"], hash, "the published program keeps running");
    let words = refused["refused_reload"]["diagnostics"].as_str().unwrap();
    assert!(words.contains("publishing is permanent") && words.contains("playbook "), "{words}");
    assert_eq!(daemon.stop(), 0);
    // Nor is it deployed at the next start.
    let daemon = Daemon::start(dir.path(), &[], &[]);
    let (_, after) = daemon.get("/v1/status", Some(&lee));
    assert_eq!(after["program"]["hash"], hash.as_str(), "still the published program");
    assert!(!after["refused_reload"].is_null(), "and the refusal is shown");
}

#[test]
fn a_playbook_published_once_stays_published_after_a_version_without_it_and_a_restart() {
    let Watched { dir, lee, daemon, hash, .. } = watched();
    let extra = dir.path().join("welcome.play");
    let welcome = |visibility: &str| {
        format!(
            "playbook welcome_note \"Welcome note\" {{\n  for account: Account\n  visibility {visibility}\n  \
             on account.health falls\n  step note {{\n    notify slack \"#cs\" \"{{account.name}}\"\n  }}\n}}\n"
        )
    };
    std::fs::write(&extra, welcome("public")).unwrap();
    let published = daemon.status_when(&lee, |s| s["program"]["hash"] != hash.as_str());
    let published = published["program"]["hash"].as_str().unwrap().to_string();
    // A version without it is deployed: removing an item is not unpublishing it.
    std::fs::remove_file(&extra).unwrap();
    daemon.status_when(&lee, |s| s["program"]["hash"] == hash.as_str());
    assert_eq!(daemon.stop(), 0);
    // Across a restart from a snapshot, it comes back private: refused.
    let daemon = Daemon::start(dir.path(), &["--watch", "--snapshot-every", "1"], &[]);
    let (_, body) = daemon.post("/v1/changes", Some(&lee), CHANGES.lines().next().unwrap());
    assert_eq!(body["accepted"], 1, "{body}");
    assert_eq!(daemon.stop(), 0);
    let daemon = Daemon::start(dir.path(), &["--watch"], &[]);
    std::fs::write(&extra, welcome("private")).unwrap();
    let refused = daemon.status_when(&lee, |s| !s["refused_reload"].is_null());
    assert_eq!(refused["program"]["hash"], hash, "the version without it keeps running");
    assert_ne!(refused["program"]["hash"], published.as_str());
    let words = refused["refused_reload"]["diagnostics"].as_str().unwrap();
    assert!(words.contains("playbook welcome_note"), "{words}");
}
