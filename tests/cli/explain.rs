//! `play explain`: why a playbook did or did not enrol a record, from the changes in
//! `tests/fixtures/replay/explain_renewal.jsonl` replayed through `examples/customer-success`.

use std::path::Path;

use crate::support::{play, Run};

fn explain(record: &str, playbook: &str, extra: &[&str]) -> Run {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut args = vec![
        "explain",
        "examples/customer-success",
        "--changes",
        "tests/fixtures/replay/explain_renewal.jsonl",
        "--record",
        record,
        "--playbook",
        playbook,
    ];
    args.extend_from_slice(extra);
    play(root, &args)
}

#[test]
fn a_record_that_enrolled_and_was_kept_out_of_a_second_run_while_the_first_was_in_flight() {
    let run = explain("Account/acme", "renewal_risk", &["--until", "2026-03-20T00:00:00Z"]);
    assert_eq!((run.code, run.stderr.as_str()), (0, ""));
    assert!(run.stdout.contains("  outcome: enrolled\n"), "{}", run.stdout);
    insta::assert_snapshot!(run.stdout);
}

#[test]
fn a_record_whose_conditions_were_false_each_time_the_trigger_fired() {
    let run = explain("Account/globex", "renewal_risk", &["--until", "2026-03-20T00:00:00Z"]);
    assert_eq!((run.code, run.stderr.as_str()), (0, ""));
    assert!(run.stdout.contains("  outcome: never enrolled\n"), "{}", run.stdout);
    insta::assert_snapshot!(run.stdout);
}

#[test]
fn a_record_kept_out_by_reentry_after_its_previous_run_ended() {
    let run = explain("Account/umbrella", "at_risk_escalation", &["--until", "2026-03-31"]);
    assert_eq!((run.code, run.stderr.as_str()), (0, ""));
    assert!(run.stdout.contains("reentry after 30d allows it again at 2026-04-12T09:00:00Z"), "{}", run.stdout);
    insta::assert_snapshot!(run.stdout);
}

#[test]
fn a_record_that_never_appeared_in_the_changes_is_said_to_be_missing() {
    let run = explain("Account/initech", "renewal_risk", &[]);
    assert_eq!(run.code, 0);
    insta::assert_snapshot!(run.stdout, @r"
    renewal_risk and Account/initech
      Account/initech never appeared in the changes
      triggers: account.health falls
      no change to Account/initech could fire this playbook
      outcome: never enrolled
    ");
}

#[test]
fn a_refused_change_is_reported_and_the_explanation_still_given_with_exit_1() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let run = play(
        root,
        &[
            "explain",
            "examples/customer-success",
            "--changes",
            "tests/fixtures/replay/with_bad_lines.jsonl",
            "--record",
            "Account/acme",
            "--playbook",
            "renewal_risk",
        ],
    );
    assert_eq!(run.code, 1);
    assert!(run.stdout.contains("  outcome: enrolled\n"), "{}", run.stdout);
    let refused =
        play(root, &["replay", "examples/customer-success", "--changes", "tests/fixtures/replay/with_bad_lines.jsonl"]);
    assert_eq!(run.stderr, refused.stderr, "the same lines are refused, with the same words");
}

#[test]
fn unknown_playbooks_records_with_a_part_missing_and_mismatched_types_mean_the_explanation_cannot_run() {
    let cases = [
        ("Account/acme", "renewal_rsk", "error: there is no playbook `renewal_rsk`: did you mean `renewal_risk`?\n"),
        ("acme", "renewal_risk", "error: `acme` is not a record: write it as Type/id, e.g. Account/acme\n"),
        ("Acount/acme", "renewal_risk", "error: there is no record type `Acount`: did you mean `Account`?\n"),
        ("/acme", "renewal_risk", "error: `/acme` is not a record: write it as Type/id, e.g. Account/acme\n"),
        ("Account/", "renewal_risk", "error: `Account/` is not a record: write it as Type/id, e.g. Account/acme\n"),
        ("Contact/c-17", "renewal_risk", "error: the playbook `renewal_risk` is about Account records, not Contact\n"),
    ];
    for (record, playbook, message) in cases {
        let run = explain(record, playbook, &[]);
        assert_eq!(run.code, 2, "{record} {playbook}");
        assert_eq!(run.stdout, "");
        assert_eq!(run.stderr, message);
    }
}
