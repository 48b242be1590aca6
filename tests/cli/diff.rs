//! `play diff` and `play replay --deploy`: what a deploy changes in each playbook, and what
//! it does to the runs in flight (`tests/fixtures/deploy/`: v1 deployed, v2 about to be).

use serde_json::Value as Json;

use crate::support::{fixture, play, Run};

/// v1 built to `v1.playc` in a scratch folder, with the fixture's v2 and changes beside.
fn deployed() -> tempfile::TempDir {
    let dir = crate::support::scratch_copy("deploy");
    let run = play(dir.path(), &["build", "v1", "-o", "v1.playc"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    dir
}

fn diff(extra: &[&str]) -> Run {
    let dir = deployed();
    let mut args = vec!["diff", "v2", "--against", "v1.playc"];
    args.extend_from_slice(extra);
    play(dir.path(), &args)
}

#[test]
fn diff_names_what_changed_in_each_playbook_and_what_each_run_in_flight_would_do() {
    let run = diff(&["--changes", "changes.jsonl"]);
    assert_eq!((run.code, run.stderr.as_str()), (0, ""));
    insta::assert_snapshot!(run.stdout);
}

#[test]
fn diff_as_json_keeps_migrates_and_cancels_runs_by_each_playbooks_inflight_setting() {
    let run = diff(&["--changes", "changes.jsonl", "--format", "json"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let doc: Json = serde_json::from_str(&run.stdout).expect("one JSON document");
    let playbooks = doc["playbooks"].as_array().expect("playbooks");
    let by_name = |name: &str| playbooks.iter().find(|p| p["playbook"] == name).unwrap_or_else(|| panic!("{name}"));
    assert_eq!(by_name("renewal_watch")["status"], "changed");
    assert_eq!(by_name("renewal_watch")["exits"]["added"][0], "account.stage == Churned");
    assert_eq!(by_name("renewal_watch")["steps"]["changed"][0], "step follow_up");
    assert_eq!(by_name("renewal_watch")["runs"][0]["outcome"], "migrate");
    assert_eq!(by_name("churn_watch")["runs"][0]["outcome"], "cancel");
    assert_eq!(by_name("steady")["runs"][0]["outcome"], "keep");
    assert_eq!(by_name("steady")["runs"][0]["at"], "wait 14d before check");
    assert_eq!(by_name("welcome")["status"], "added");
    assert_eq!(by_name("old_one")["status"], "removed");
    assert_eq!(doc["runs"], serde_json::json!({"keep": 1, "migrate": 1, "cancel": 1}));
}

#[test]
fn diff_without_changes_compares_the_playbooks_only() {
    let run = diff(&[]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.stdout.contains("playbook welcome: added\n"), "{}", run.stdout);
    assert!(!run.stdout.contains("  in flight "), "{}", run.stdout);
    assert!(!run.stdout.contains("runs in flight:"), "{}", run.stdout);
}

#[test]
fn a_project_diffed_against_its_own_build_is_unchanged() {
    let dir = deployed();
    let run = play(dir.path(), &["diff", "v1", "--against", "v1.playc"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(run.stdout, "unchanged: renewal_watch, churn_watch, steady, old_one\n");
}

/// `(at, playbook, step, title)` of each action printed.
fn actions(stdout: &str) -> Vec<(String, String, String, String)> {
    stdout
        .lines()
        .map(|l| {
            let a: Json = serde_json::from_str(l).expect("an action");
            let s = |k: &str| a[k].as_str().unwrap_or_default().to_string();
            (s("at"), s("playbook"), s("step"), s("title"))
        })
        .collect()
}

#[test]
fn replay_deploys_a_second_program_mid_stream_and_runs_follow_their_inflight_setting() {
    let dir = deployed();
    let base = ["replay", "v1.playc", "--changes", "changes.jsonl", "--until", "2026-03-20T00:00:00Z"];
    let before = play(dir.path(), &base);
    let mut args = base.to_vec();
    args.extend(["--deploy", "2026-03-05T00:00:00Z=v2"]);
    let after = play(dir.path(), &args);
    assert_eq!((after.code, after.stderr.as_str()), (0, ""));
    let t = |at: &str, pb: &str, step: &str, title: &str| (at.into(), pb.into(), step.into(), title.into());
    let first = [
        t("2026-03-02T10:00:00Z", "renewal_watch", "review", "Review Acme"),
        t("2026-03-02T10:00:00Z", "churn_watch", "alert", "Churn risk at Acme"),
        t("2026-03-02T10:00:00Z", "steady", "note", "Health fell at Acme"),
    ];
    assert_eq!(actions(&before.stdout)[..3], first);
    assert!(actions(&before.stdout).contains(&t("2026-03-05T10:00:00Z", "churn_watch", "call", "Call Acme")));
    let mut expected = first.to_vec();
    // migrate: on to the new version's step; cancel: no call; keep: the old step's title.
    expected.push(t("2026-03-09T10:00:00Z", "renewal_watch", "follow_up", "Follow up with Acme and the CSM"));
    expected.push(t("2026-03-16T10:00:00Z", "steady", "check", "Check Acme again"));
    assert_eq!(actions(&after.stdout), expected);
}

#[test]
fn a_deploy_after_the_end_of_the_replay_is_named_and_a_malformed_one_is_a_usage_error() {
    let dir = deployed();
    let late = play(dir.path(), &["replay", "v1.playc", "--changes", "changes.jsonl", "--deploy", "2026-04-05=v2"]);
    assert_eq!(late.code, 0);
    assert!(late.stderr.contains("is after the end of the replay, so it was not deployed"), "{}", late.stderr);
    let bad = play(dir.path(), &["replay", "v1.playc", "--changes", "changes.jsonl", "--deploy", "v2.playc"]);
    assert_eq!(bad.code, 2);
    assert!(bad.stderr.contains("needs a moment and a program"), "{}", bad.stderr);
}

#[test]
fn diff_and_replay_help_show_examples_of_deploying() {
    let diff = play(&fixture("deploy"), &["diff", "--help"]);
    assert_eq!(diff.code, 0);
    assert!(diff.stdout.contains("EXAMPLES:") && diff.stdout.contains("--against deployed.playc"), "{}", diff.stdout);
    let replay = play(&fixture("deploy"), &["replay", "--help"]);
    assert!(replay.stdout.contains("--deploy 2026-03-10T00:00:00Z=v2.playc"), "{}", replay.stdout);
}

#[test]
fn a_run_whose_step_is_gone_from_the_new_version_is_cancelled_even_with_inflight_migrate() {
    let dir = deployed();
    let v2 = std::fs::read_to_string(dir.path().join("v2/watch.play")).expect("v2 is readable");
    crate::support::write(dir.path(), "v3/watch.play", v2.replace("step follow_up {", "step follow_up_call {"));
    let run =
        play(dir.path(), &["diff", "v3", "--against", "v1.playc", "--changes", "changes.jsonl", "--format", "json"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let doc: Json = serde_json::from_str(&run.stdout).expect("one JSON document");
    let renewal =
        doc["playbooks"].as_array().and_then(|p| p.iter().find(|p| p["playbook"] == "renewal_watch")).cloned();
    let renewal = renewal.expect("renewal_watch");
    // The wait before the step is named by it, so it reads as replaced as well.
    let names = |key: &str| renewal["steps"][key].as_array().cloned().unwrap_or_default();
    assert!(names("added").contains(&"step follow_up_call".into()), "{renewal}");
    assert!(names("removed").contains(&"step follow_up".into()), "{renewal}");
    assert_eq!(renewal["runs"][0]["outcome"], "cancel");
    assert_eq!(renewal["runs"][0]["reason"], "its step is gone from the new version (inflight migrate)");
}
