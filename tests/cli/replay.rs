//! `play replay`: recorded changes (`tests/fixtures/replay/*.jsonl`) through the example
//! projects in simulated time. The snapshots of what it prints are the contract of
//! INTERFACES.md "Actions out": one JSON object per action, in the order produced.

use std::path::Path;

use serde_json::Value as Json;

use crate::support::{play, write, Run};

/// Runs `play replay` from the repository's root, so that file names in reports read
/// `examples/…` and `tests/fixtures/…`.
fn replay(project: &str, changes: &str, extra: &[&str]) -> Run {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let changes = format!("tests/fixtures/replay/{changes}");
    let mut args = vec!["replay", project, "--changes", changes.as_str()];
    args.extend_from_slice(extra);
    play(root, &args)
}

const ACTIONS: [&str; 11] = [
    "task",
    "email_task",
    "email",
    "assign",
    "notify_email",
    "notify_slack",
    "enroll",
    "brief",
    "update",
    "webhook",
    "activity",
];

/// Checks every line against INTERFACES.md "Actions out" and gives them back parsed.
fn actions(stdout: &str) -> Vec<Json> {
    assert!(stdout.is_empty() || stdout.ends_with('\n'), "every action ends its line");
    let mut ids = std::collections::HashSet::new();
    let mut previous = String::new();
    stdout
        .lines()
        .map(|line| {
            let action: Json = serde_json::from_str(line).unwrap_or_else(|e| panic!("{e}: {line}"));
            let object = action.as_object().unwrap_or_else(|| panic!("an object: {line}"));
            for key in ["at", "id", "playbook", "version", "step", "action", "record", "priority", "context"] {
                assert!(object.contains_key(key), "`{key}` missing: {line}");
            }
            for (key, value) in object {
                assert!(!value.is_null(), "`{key}` is null rather than left out: {line}");
            }
            let at = action["at"].as_str().expect("`at` is text");
            chrono::DateTime::parse_from_rfc3339(at).unwrap_or_else(|e| panic!("`at` is RFC 3339 ({e}): {line}"));
            assert!(at >= previous.as_str(), "actions come in the order produced: {line}");
            previous = at.to_string();
            if let Some(due) = action.get("due").and_then(Json::as_str) {
                chrono::DateTime::parse_from_rfc3339(due).unwrap_or_else(|e| panic!("`due` is RFC 3339 ({e}): {line}"));
                assert!(due >= at, "due before it was produced: {line}");
            }
            assert!(ACTIONS.contains(&action["action"].as_str().unwrap_or_default()), "{line}");
            assert!(action["priority"].is_number(), "{line}");
            assert!(action["record"].as_str().is_some_and(|r| r.contains('/')), "`record` is Type/id: {line}");
            assert!(ids.insert(action["id"].as_str().unwrap_or_default().to_string()), "ids are unique: {line}");
            let context = &action["context"];
            assert!(context["trigger"].is_string(), "{line}");
            assert!(context["conditions"]
                .as_array()
                .is_some_and(|c| c.iter().all(|c| c["source"].is_string() && c["value"].is_boolean())));
            action
        })
        .collect()
}

#[test]
fn an_account_whose_health_falls_during_its_renewal_is_reviewed_followed_up_and_escalated() {
    let run = replay("examples/customer-success", "renewal_health_falls.jsonl", &["--until", "2026-03-20T00:00:00Z"]);
    assert_eq!((run.code, run.stderr.as_str()), (0, ""));
    let steps: Vec<String> =
        actions(&run.stdout).iter().map(|a| format!("{} {} {}", a["playbook"], a["step"], a["action"])).collect();
    assert!(steps.contains(&r#""renewal_risk" "escalate" "assign""#.to_string()), "{steps:#?}");
    insta::assert_snapshot!(run.stdout);
}

#[test]
fn a_new_customer_is_onboarded_over_45_days_as_its_waits_fall_due() {
    let run = replay("examples/customer-success", "onboarding_45_days.jsonl", &["--until", "2026-04-16T09:00:00Z"]);
    assert_eq!((run.code, run.stderr.as_str()), (0, ""));
    let steps: Vec<String> =
        actions(&run.stdout).iter().map(|a| a["step"].as_str().unwrap_or_default().to_string()).collect();
    assert_eq!(
        steps,
        [
            "kickoff",
            "kickoff",
            "welcome",
            "invite_nudge",
            "invite_nudge",
            "training",
            "thirty_day_review",
            "thirty_day_review"
        ]
    );
    insta::assert_snapshot!(run.stdout);
}

#[test]
fn logins_arriving_during_waits_skip_the_follow_up_and_only_the_awaited_event_ends_a_wait_for() {
    let run = replay("examples/customer-success", "login_during_waits.jsonl", &["--until", "2026-03-14T00:00:00Z"]);
    assert_eq!((run.code, run.stderr.as_str()), (0, ""));
    let steps: Vec<String> =
        actions(&run.stdout).iter().map(|a| a["step"].as_str().unwrap_or_default().to_string()).collect();
    // Initech's champion logged in within 3 days, so no drafted follow-up; Hooli's champion
    // logged in (not awaited) and then invited the team (awaited), so no nudge and no
    // training.
    for step in ["follow_up", "invite_nudge", "training"] {
        assert!(!steps.iter().any(|s| s == step), "{step} in {steps:?}");
    }
    insta::assert_snapshot!(run.stdout);
}

#[test]
fn cases_opening_are_triaged_and_an_unanswered_critical_case_is_escalated_at_its_deadline() {
    let run = replay("examples/case-management", "case_triage.jsonl", &["--until", "2026-03-02T18:00:00Z"]);
    assert_eq!((run.code, run.stderr.as_str()), (0, ""));
    let actions = actions(&run.stdout);
    // The question case (5003000002) starts nothing; the case answered before its deadline
    // (5003000004) is not escalated.
    assert!(actions.iter().all(|a| a["record"] != "Case/5003000002"));
    assert!(!actions.iter().any(|a| a["record"] == "Case/5003000004" && a["step"] == "breach"));
    insta::assert_snapshot!(run.stdout);
}

#[test]
fn tracker_hits_on_a_sales_call_send_the_battlecard_and_loop_in_the_deal_desk() {
    let run = replay("examples/sales-automation", "call_tracker.jsonl", &["--until", "2026-03-06T00:00:00Z"]);
    assert_eq!((run.code, run.stderr.as_str()), (0, ""));
    let actions = actions(&run.stdout);
    // The lost deal's tracker hit is ignored.
    assert!(actions.iter().all(|a| a["record"] == "Opportunity/0061"));
    insta::assert_snapshot!(run.stdout);
}

#[test]
fn waits_fall_due_up_to_until_and_without_it_the_clock_stops_at_the_last_change() {
    let run = |until: &[&str]| -> String {
        let run = replay("examples/customer-success", "renewal_health_falls.jsonl", until);
        assert_eq!(run.code, 0, "{}", run.stderr);
        run.stdout
    };
    let risk = |stdout: &str| -> Vec<String> {
        actions(stdout)
            .iter()
            .filter(|a| a["playbook"] == "renewal_risk")
            .map(|a| format!("{}.{}", a["step"].as_str().unwrap_or(""), a["action"].as_str().unwrap_or("")))
            .collect()
    };
    // The last change is on 3 March: the follow-up (5 March) and the escalation (16 March)
    // are still waiting.
    let stopped = run(&[]);
    assert_eq!(risk(&stopped), ["review.task", "review.notify_slack"]);
    let midway = run(&["--until", "2026-03-10T00:00:00Z"]);
    assert_eq!(risk(&midway), ["review.task", "review.notify_slack", "follow_up.email_task"]);
    let after = run(&["--until", "2026-03-20T00:00:00Z"]);
    assert_eq!(
        risk(&after),
        ["review.task", "review.notify_slack", "follow_up.email_task", "escalate.assign", "escalate.notify_email"]
    );
    // Running the clock further only adds actions at the end.
    assert!(midway.starts_with(&stopped) && after.starts_with(&midway));
    // A moment before the last change cannot turn the clock back: every change is still
    // replayed, and the clock stops at the last one.
    assert_eq!(run(&["--until", "2026-03-01"]), stopped);
}

#[test]
fn until_accepts_a_date_and_refuses_anything_else() {
    let run = replay("examples/customer-success", "renewal_health_falls.jsonl", &["--until", "2026-03-20"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let run = replay("examples/customer-success", "renewal_health_falls.jsonl", &["--until", "next friday"]);
    assert_eq!(run.code, 2);
    assert_eq!(run.stdout, "");
    assert_eq!(run.stderr, "error: `next friday` is not a moment: write it as 2026-03-02T09:00:00Z or 2026-03-02\n");
}

#[test]
fn a_missing_change_file_means_the_replay_cannot_run() {
    let run = replay("examples/customer-success", "no_such_file.jsonl", &[]);
    assert_eq!(run.code, 2);
    assert_eq!(run.stdout, "");
    assert_eq!(run.stderr, "error: cannot read `tests/fixtures/replay/no_such_file.jsonl`: no such file or folder\n");
}

#[test]
fn history_goes_to_stderr_as_json_lines_and_leaves_the_actions_alone() {
    let plain = replay("examples/customer-success", "renewal_health_falls.jsonl", &["--until", "2026-03-20"]);
    let run =
        replay("examples/customer-success", "renewal_health_falls.jsonl", &["--until", "2026-03-20", "--history"]);
    assert_eq!(run.code, 0);
    assert_eq!(run.stdout, plain.stdout);
    let entries: Vec<Json> = run.stderr.lines().map(|l| serde_json::from_str(l).expect("a JSON line")).collect();
    assert!(entries.iter().any(|e| e["playbook"] == "renewal_risk" && e["outcome"]["outcome"] == "enrolled"));
    assert!(entries.iter().all(|e| e["outcome"]["outcome"].is_string() && e["record"].is_string()));
}

#[test]
fn refused_lines_are_named_with_their_line_and_field_and_the_good_lines_still_act() {
    let run = replay("examples/customer-success", "with_bad_lines.jsonl", &[]);
    assert_eq!(run.code, 1);
    let actions = actions(&run.stdout);
    // Line 8 (health 72 to 41) and line 16 (41 to 35) are good.
    assert!(actions
        .iter()
        .any(|a| a["playbook"] == "renewal_risk" && a["context"]["changed"]["health"] == serde_json::json!([72, 41])));
    assert!(actions.iter().any(|a| a["playbook"] == "at_risk_escalation"));
    insta::assert_snapshot!(run.stderr);
}

#[test]
fn a_byte_order_mark_and_windows_line_ends_do_not_spoil_the_first_line() {
    let dir = tempfile::tempdir().expect("a scratch folder");
    let text = std::fs::read_to_string(crate::support::fixture("replay/renewal_health_falls.jsonl")).expect("fixture");
    let windows = format!("\u{feff}{}", text.replace('\n', "\r\n"));
    write(dir.path(), "exported.jsonl", windows.as_bytes());
    let path = dir.path().join("exported.jsonl");
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let run = play(root, &["replay", "examples/customer-success", "--changes", path.to_str().expect("a UTF-8 path")]);
    assert_eq!((run.code, run.stderr.as_str()), (0, ""));
    let plain = replay("examples/customer-success", "renewal_health_falls.jsonl", &[]);
    assert_eq!(run.stdout, plain.stdout);
}

#[test]
fn a_project_with_errors_is_reported_and_nothing_is_replayed() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let run = play(root, &["replay", "tests/fixtures/broken", "--changes", "tests/fixtures/replay/case_triage.jsonl"]);
    assert_eq!(run.code, 1);
    assert_eq!(run.stdout, "");
    assert!(run.stderr.ends_with("checked 3 files: 4 errors\n"), "{}", run.stderr);
}

#[test]

fn a_refused_line_does_not_move_the_clock() {
    let dir = tempfile::tempdir().expect("a scratch folder");
    let text = [
        r#"{"at":"2026-03-02T09:00:00Z","change":"upsert","record":"Account","id":"acme","fields":{"name":"Acme","tier":"Enterprise","arr":250000,"stage":"Renewal","health":72,"owner":"jo@example.com","weekly_active_users":40,"tags":[]}}"#,
        // Refused (a new account without its required fields): nothing of it may count,
        // its moment included.
        r#"{"at":"2026-03-09T12:00:00Z","change":"upsert","record":"Account","id":"globex","fields":{"name":"Globex"}}"#,
        r#"{"at":"2026-03-02T10:00:00Z","change":"upsert","record":"Account","id":"acme","fields":{"health":41}}"#,
    ]
    .join("\n");
    write(dir.path(), "changes.jsonl", text);
    let path = dir.path().join("changes.jsonl");
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let run = play(
        root,
        &["replay", "examples/customer-success", "--changes", path.to_str().expect("a UTF-8 path"), "--history"],
    );
    assert_eq!(run.code, 1);
    let refused: Vec<&str> = run.stderr.lines().filter(|l| l.contains(": refused")).collect();
    assert_eq!(refused.len(), 1, "only the incomplete account is refused: {refused:#?}");
    assert!(actions(&run.stdout).iter().any(|a| a["playbook"] == "renewal_risk"), "the fall at 10:00 is taken");
    // Nothing fell due on 9 March: the clock never went there.
    assert!(!run.stderr.contains("2026-03-09T09:00:00Z"), "{}", run.stderr);
}

#[test]
fn moments_without_an_offset_are_read_in_the_workspace_time_zone() {
    let dir = crate::support::scratch_copy("test_project");
    write(dir.path(), "play.toml", "[workspace]\ntime_zone = \"America/New_York\"\n");
    let changes = [
        r#"{"at":"2026-03-02T08:00:00","change":"upsert","record":"Account","id":"acme","fields":{"name":"Acme","tier":"MidMarket","arr":80000,"stage":"Adoption","health":72,"owner":"jo@example.com","weekly_active_users":40,"tags":[]}}"#,
        r#"{"at":"2026-03-02T09:00:00","change":"upsert","record":"Account","id":"acme","fields":{"health":45}}"#,
        // 2:30 on 8 March does not happen in New York: the clocks go from 2:00 to 3:00.
        r#"{"at":"2026-03-08T02:30:00","change":"upsert","record":"Account","id":"acme","fields":{"health":44}}"#,
    ];
    write(dir.path(), "changes.jsonl", changes.join("\n"));
    let run = play(dir.path(), &["replay", "--changes", "changes.jsonl"]);
    assert_eq!(run.code, 1);
    assert_eq!(
        run.stderr,
        "changes.jsonl:3: refused (field `at`): `at`: `2026-03-08T02:30:00` does not exist in America/New_York: the clocks go forward over it\n"
    );
    let actions = actions(&run.stdout);
    assert_eq!(actions.len(), 1, "{}", run.stdout);
    // 9:00 in New York is 14:00 UTC; two business days later is Wednesday at the same time.
    assert_eq!(
        (&actions[0]["at"], &actions[0]["due"]),
        (&"2026-03-02T14:00:00Z".into(), &"2026-03-04T14:00:00Z".into())
    );
    assert_eq!(actions[0]["title"], "Review Acme: health 45");
}
