//! Changes in, the queue out, people working it, and a restart that keeps it.

use crate::support::{example_copy, token, Daemon};

const CHANGES: &str = include_str!("../../examples/customer-success/changes.jsonl");

#[test]
fn ingested_changes_fill_the_queue_that_a_teammate_works() {
    let dir = example_copy("customer-success");
    let jo = token(dir.path(), "jo@example.com");
    let daemon = Daemon::start(dir.path(), &[], &[]);
    let (code, report) = daemon.post("/v1/changes", Some(&jo), CHANGES);
    assert_eq!(code, 200);
    assert_eq!(report["accepted"], 12, "{report}");
    let actions = daemon.all_actions(&jo);
    assert!(!actions.is_empty());
    let ranks: Vec<(f64, &str)> =
        actions.iter().map(|a| (a["priority"].as_f64().unwrap(), a["at"].as_str().unwrap())).collect();
    for pair in ranks.windows(2) {
        assert!(pair[0].0 > pair[1].0 || (pair[0].0 == pair[1].0 && pair[0].1 <= pair[1].1), "ranked: {pair:?}");
    }
    let task = actions.iter().find(|a| a["action"] == "task" && a["state"] == "open").expect("an open task");
    let id = task["id"].as_str().unwrap();
    let (code, done) = daemon.post(&format!("/v1/actions/{id}/complete"), Some(&jo), r#"{"note":"called them"}"#);
    assert_eq!(code, 200, "{done}");
    assert_eq!(done["state"], "done");
    let (code, again) = daemon.post(&format!("/v1/actions/{id}/complete"), Some(&jo), "");
    assert_eq!(code, 422, "a done action cannot be completed again: {again}");
    let (_, one) = daemon.get(&format!("/v1/actions/{id}"), Some(&jo));
    assert_eq!(one["state"], "done");
    let (_, history) = daemon.get("/v1/history?record=Account/acme&playbook=renewal_risk", Some(&jo));
    let worked = history["entries"].as_array().unwrap().iter().any(|e| e["outcome"]["outcome"] == "action_worked");
    assert!(worked, "the history says who worked it: {history}");
    assert_eq!(daemon.stop(), 0, "SIGTERM drains and exits 0");
}

#[test]
fn refused_lines_are_named_and_the_others_taken() {
    let dir = example_copy("customer-success");
    let jo = token(dir.path(), "jo@example.com");
    let daemon = Daemon::start(dir.path(), &[], &[]);
    let lines: Vec<&str> = CHANGES.lines().collect();
    let bad = r#"{"at":"2026-03-02T09:00:00Z","change":"upsert","record":"Account","id":"x","fields":{"tier":"Gold"}}"#;
    let body = format!("{}\n{bad}\n{}\n", lines[..4].join("\n"), lines[4..].join("\n"));
    let (code, report) = daemon.post("/v1/changes", Some(&jo), &body);
    assert_eq!(code, 200);
    assert_eq!(report["accepted"], 12, "{report}");
    let refused = report["refused"].as_array().unwrap();
    assert_eq!(refused.len(), 1, "{report}");
    assert_eq!(refused[0]["line"], 5);
    assert_eq!(refused[0]["field"], "tier");
    let later =
        r#"[{"at":"2026-03-20T09:00:00Z","change":"upsert","record":"Account","id":"acme","fields":{"health":70}}]"#;
    let (_, array) = daemon.post("/v1/changes", Some(&jo), later);
    assert_eq!(array["accepted"], 1, "a JSON array is taken too: {array}");
}

fn add_ids(lines: &[&str]) -> Vec<String> {
    lines.iter().enumerate().map(|(n, l)| l.replacen('{', &format!("{{\"change_id\":\"c{n}\","), 1)).collect()
}

#[test]
fn a_change_sent_twice_under_its_change_id_is_taken_once() {
    let dir = example_copy("customer-success");
    let jo = token(dir.path(), "jo@example.com");
    // On the system clock, as a CRM feed's retries arrive: the ids are remembered for a
    // week of arrivals (the file's own moments span two weeks of the changes' clock).
    let daemon = Daemon::start(dir.path(), &["--clock", "system"], &[]);
    let lines: Vec<&str> = CHANGES.lines().collect();
    let body = add_ids(&lines).join("\n");
    let (_, first) = daemon.post("/v1/changes", Some(&jo), &body);
    let (_, second) = daemon.post("/v1/changes", Some(&jo), &body);
    assert_eq!((first["accepted"].as_u64(), first["duplicates"].as_u64()), (Some(12), Some(0)));
    assert_eq!((second["accepted"].as_u64(), second["duplicates"].as_u64()), (Some(0), Some(12)), "{second}");
}

#[test]
fn a_restart_gives_the_same_queue() {
    let dir = example_copy("customer-success");
    let lee = token(dir.path(), "lee@example.com");
    let daemon = Daemon::start(dir.path(), &[], &[]);
    daemon.post("/v1/changes", Some(&lee), CHANGES);
    let before = daemon.all_actions(&lee);
    let (_, history) = daemon.get("/v1/history?limit=5000", Some(&lee));
    let (_, status) = daemon.get("/v1/status", Some(&lee));
    assert_eq!(daemon.stop(), 0);
    let daemon = Daemon::start(dir.path(), &[], &[]);
    assert_eq!(daemon.all_actions(&lee), before, "the same actions, ids and states after a restart");
    let (_, after) = daemon.get("/v1/status", Some(&lee));
    assert_eq!(after["journal_position"], status["journal_position"], "a restart journals nothing new");
    assert_eq!(after["clock"], status["clock"]);
    let (_, history_after) = daemon.get("/v1/history?limit=5000", Some(&lee));
    assert!(!history["entries"].as_array().unwrap().is_empty());
    assert_eq!(history_after, history, "recovery writes no history again");
}

#[test]
fn play_send_posts_a_file_and_names_refused_lines_by_their_place_in_it() {
    let dir = example_copy("customer-success");
    let jo = token(dir.path(), "jo@example.com");
    let daemon = Daemon::start(dir.path(), &[], &[]);
    let lines: Vec<&str> = CHANGES.lines().collect();
    let bad = r#"{"at":"2026-03-02T09:00:00Z","change":"upsert","record":"Account","id":"x","fields":{"tier":"Gold"}}"#;
    let file = format!("{}\n\n{bad}\n{}\n", lines[..4].join("\n"), lines[4..].join("\n"));
    std::fs::write(dir.path().join("send.jsonl"), file).unwrap();
    let (code, _, err) = crate::support::play(dir.path(), &["send", "send.jsonl", "--to", &daemon.url, "--token", &jo]);
    assert_eq!(code, 1, "a refused line makes the exit status 1: {err}");
    assert!(err.contains("send.jsonl:6: refused (field `tier`)"), "{err}");
    assert!(err.contains("12 accepted"), "{err}");
    let (code, _, err) = crate::support::play(dir.path(), &["send", "send.jsonl", "--to", &daemon.url]);
    assert_eq!(code, 2, "no token: {err}");
    assert!(err.contains("401"), "{err}");
}
