//! `play test`: the three report formats on a fixture project with one passing and one
//! failing test (`tests/fixtures/test_project`), exit statuses, and the examples' own tests.

use std::path::Path;

use crate::support::{fixture, play};

#[test]
fn a_failure_is_reported_for_people_with_what_was_expected_what_was_produced_and_where() {
    let run = play(&fixture("test_project"), &["test"]);
    assert_eq!(run.code, 1);
    assert_eq!(run.stdout, "");
    insta::assert_snapshot!(run.stderr);
}

#[test]
fn results_are_reported_as_one_json_document() {
    let run = play(&fixture("test_project"), &["test", "--format", "json"]);
    assert_eq!(run.code, 1);
    assert_eq!(run.stderr, "2 tests: 1 passed, 1 failed\n");
    let document: serde_json::Value = serde_json::from_str(&run.stdout).expect("stdout is JSON");
    assert_eq!((&document["passed"], &document["failed"]), (&1.into(), &1.into()));
    insta::assert_snapshot!(run.stdout);
}

#[test]
fn results_are_reported_as_junit_xml() {
    let run = play(&fixture("test_project"), &["test", "--format", "junit"]);
    assert_eq!(run.code, 1);
    assert_eq!(run.stderr, "2 tests: 1 passed, 1 failed\n");
    insta::assert_snapshot!(run.stdout);
}

#[test]
fn a_filter_that_leaves_only_passing_tests_exits_0() {
    let run = play(&fixture("test_project"), &["test", "--filter", "for the owner"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(
        run.stderr,
        "ok      a fall below 50 opens a review task for the owner (tests/health_watch.play:1)\n1 test: 1 passed, 0 failed\n"
    );
    for format in ["json", "junit"] {
        let run = play(&fixture("test_project"), &["test", "--filter", "owner", "--format", format]);
        assert_eq!(run.code, 0, "--format {format}: {}", run.stderr);
    }
    let none = play(&fixture("test_project"), &["test", "--filter", "no test has this name"]);
    assert_eq!((none.code, none.stderr.as_str()), (0, "0 tests: 0 passed, 0 failed\n"));
}

#[test]
fn every_example_project_passes_its_own_tests() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    for example in ["customer-success", "sales-automation", "signals", "case-management"] {
        let mut reports = Vec::new();
        // With the JIT (the default) and without it: the same tests pass, the same report.
        for jit in [&[][..], &["--no-jit"][..]] {
            let path = format!("examples/{example}");
            let run = play(root, &[&["test", path.as_str(), "--format", "json"][..], jit].concat());
            assert_eq!(run.code, 0, "{example} {jit:?}: {}", run.stdout);
            let document: serde_json::Value = serde_json::from_str(&run.stdout).expect("stdout is JSON");
            assert!(document["passed"].as_u64().is_some_and(|n| n > 0), "{example} has tests");
            reports.push(document);
        }
        assert_eq!(reports[0], reports[1], "{example}: the same report with and without the JIT");
    }
}

#[test]
fn a_project_with_errors_is_reported_and_no_test_runs() {
    let run = play(&fixture("broken"), &["test"]);
    assert_eq!(run.code, 1);
    assert!(run.stderr.ends_with("checked 3 files: 4 errors\n"), "{}", run.stderr);
}

#[test]
fn a_faulting_value_in_a_created_record_fails_the_test_at_the_value() {
    let dir = tempfile::tempdir().expect("a scratch folder");
    let root = fixture("test_project");
    crate::support::write(
        dir.path(),
        "health_watch.play",
        std::fs::read_to_string(root.join("health_watch.play")).expect("the fixture"),
    );
    let test = "test \"a faulting value\" {\n  at 2026-03-02T09:00:00Z\n  create Account acme {\n    name: \"Acme\",\n    tier: MidMarket,\n    arr: 1 / 0,\n    stage: Adoption,\n    health: 72,\n    owner: \"jo@example.com\",\n    weekly_active_users: 40,\n    tags: [],\n  }\n}\n";
    crate::support::write(dir.path(), "tests/fault.play", test);
    let run = play(dir.path(), &["test"]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(run.stderr.contains("tests/fault.play:6:"), "{}", run.stderr);
    assert!(run.stderr.contains("the value of `arr` cannot be worked out"), "{}", run.stderr);
}
