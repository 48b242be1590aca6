//! Change files as `play replay` and `play explain` read them: line by line (a line that
//! is not UTF-8, or holds a byte-order mark, refused alone), a refused line leaving no
//! trace (the clock included), and the queue's changes walking a case through its stages.

use std::path::Path;

use serde_json::Value as Json;

use crate::support::{play, write, Run};

const ACME: &str = r#"{"at":"2026-03-02T09:00:00Z","change":"upsert","record":"Account","id":"acme","fields":{"name":"Acme","tier":"Enterprise","arr":250000,"stage":"Renewal","health":72,"owner":"jo@example.com","weekly_active_users":40,"tags":[]}}"#;
const FALL: &str =
    r#"{"at":"2026-03-02T10:00:00Z","change":"upsert","record":"Account","id":"acme","fields":{"health":41}}"#;

/// `play replay` of the customer-success example over `bytes`, with the run history.
fn replay_bytes(bytes: &[u8]) -> Run {
    let dir = tempfile::tempdir().expect("a scratch folder");
    write(dir.path(), "changes.jsonl", bytes);
    let path = dir.path().join("changes.jsonl");
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    play(root, &["replay", "examples/customer-success", "--changes", path.to_str().expect("a UTF-8 path")])
}

fn refusals(run: &Run) -> Vec<String> {
    run.stderr
        .lines()
        .filter(|l| l.contains(": refused"))
        .map(|l| l.split_once("changes.jsonl:").map_or(l, |(_, rest)| rest).to_string())
        .collect()
}

fn renewal_risk_fired(run: &Run) -> bool {
    run.stdout.lines().any(|l| l.contains("\"playbook\":\"renewal_risk\""))
}

#[test]
fn a_line_that_is_not_utf8_is_refused_and_the_next_lines_go_on() {
    let mut bytes = format!("{ACME}\n").into_bytes();
    bytes.extend_from_slice(b"{\"at\":\"2026-03-02T09:30:00Z\",\"change\":\"upsert\",\"record\":\"Account\",\"id\":\"acme\",\"fields\":{\"name\":\"Ac\xffme\"}}\n");
    bytes.extend_from_slice(FALL.as_bytes());
    let run = replay_bytes(&bytes);
    assert_eq!(run.code, 1);
    assert_eq!(
        refusals(&run),
        ["2: refused: the line is not UTF-8 text: byte 99 cannot be read as a character (save the file as UTF-8)"]
    );
    assert!(renewal_risk_fired(&run), "line 3 is taken: {}", run.stdout);
    assert!(!run.stdout.contains('\u{fffd}'), "nothing was stored with a replacement character");
}

#[test]
fn a_key_given_twice_refuses_the_line_instead_of_the_last_one_winning() {
    let twice = r#"{"at":"2026-03-02T09:30:00Z","change":"upsert","record":"Account","id":"acme","fields":{"name":"Acme"},"change":"delete"}"#;
    let run = replay_bytes([ACME, twice, FALL].join("\n").as_bytes());
    assert_eq!(refusals(&run), ["2: refused (field `change`): duplicate key `change`: a key may be given once"]);
    assert!(renewal_risk_fired(&run), "acme was not deleted");
}

#[test]
fn a_refused_first_line_sets_no_clock() {
    let early = r#"{"at":"2026-03-09T09:00:00Z","change":"upsert","record":"Account","id":"globex","fields":{"name":"Globex"}}"#;
    let run = replay_bytes([early, ACME, FALL].join("\n").as_bytes());
    assert_eq!(refusals(&run).len(), 1, "{}", run.stderr);
    assert!(refusals(&run)[0].starts_with("1: refused (field `tier`): a new Account needs"), "{}", run.stderr);
    assert!(renewal_risk_fired(&run), "the later lines are not refused as going back in time");
}

#[test]
fn a_byte_order_mark_starts_the_file_quietly_and_is_refused_inside_it() {
    let text = format!("\u{feff}{ACME}\n\u{feff}{FALL}\n");
    let run = replay_bytes(text.as_bytes());
    assert_eq!(
        refusals(&run),
        ["2: refused: the line starts with a byte-order mark (U+FEFF), which only the start of a file may have: remove it (files joined together often carry one)"]
    );
}

/// `play replay` of the case-management example over a fixture, with the run history.
fn case_history(changes: &str) -> (Run, Vec<Json>) {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let changes = format!("tests/fixtures/replay/{changes}");
    let run = play(root, &["replay", "examples/case-management", "--changes", &changes, "--history"]);
    let history = run
        .stderr
        .lines()
        .filter_map(|l| serde_json::from_str::<Json>(l).ok())
        .filter(|e| e["record"] == "Case/c1")
        .collect();
    (run, history)
}

#[test]
fn a_case_is_replayed_through_all_its_stages_by_queue_changes() {
    let (run, history) = case_history("case_through_stages.jsonl");
    assert_eq!(run.code, 0, "{}", run.stderr);
    let outcomes: Vec<String> = history
        .iter()
        .filter(|e| e["playbook"] == "access_request")
        .map(|e| format!("{} {}", e["outcome"]["outcome"].as_str().unwrap_or("?"), e["step"].as_str().unwrap_or("")))
        .collect();
    for expected in ["stage_completed triage", "stage_opened resolve", "stage_completed resolve", "completed "] {
        assert!(outcomes.contains(&expected.to_string()), "`{expected}` missing from {outcomes:#?}");
    }
    // The case line sent twice under one `change_id` enrolled it once.
    let activities: Vec<&str> = run
        .stdout
        .lines()
        .filter(|l| l.contains("\"record\":\"Case/c1\"") && l.contains("\"activity\":\"verify\""))
        .collect();
    assert_eq!(activities.len(), 1, "{}", run.stdout);
    // The optional visit was added, so an action for it was produced.
    assert!(run.stdout.contains("\"activity\":\"visit\""), "{}", run.stdout);
}

#[test]
fn explain_refuses_a_record_with_its_type_or_id_missing() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    for record in ["/acme", "Account/", "/"] {
        let run = play(
            root,
            &[
                "explain",
                "examples/customer-success",
                "--changes",
                "tests/fixtures/replay/renewal_health_falls.jsonl",
                "--record",
                record,
                "--playbook",
                "renewal_risk",
            ],
        );
        assert_eq!(run.code, 2, "{record}");
        assert_eq!(run.stderr, format!("error: `{record}` is not a record: write it as Type/id, e.g. Account/acme\n"));
    }
}

#[test]
fn explain_is_not_misled_by_a_refused_first_line() {
    let early = r#"{"at":"2026-03-09T09:00:00Z","change":"upsert","record":"Account","id":"globex","fields":{"name":"Globex"}}"#;
    let dir = tempfile::tempdir().expect("a scratch folder");
    write(dir.path(), "changes.jsonl", [early, ACME, FALL].join("\n"));
    let path = dir.path().join("changes.jsonl");
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let changes = path.to_str().expect("a UTF-8 path");
    let args = [
        "explain",
        "examples/customer-success",
        "--changes",
        changes,
        "--record",
        "Account/acme",
        "--playbook",
        "renewal_risk",
    ];
    let run = play(root, &args);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(run.stdout.contains("outcome: enrolled"), "{}", run.stdout);
}

#[test]
fn a_change_file_read_as_it_goes_and_one_piped_in_give_the_same_actions() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let file = "examples/signals/changes.jsonl";
    let from_file = play(root, &["replay", "examples/signals", "--changes", file]);
    let text = std::fs::read_to_string(root.join(file)).expect("the example's changes");
    let piped =
        crate::support::play_with_stdin(root, &["replay", "examples/signals", "--changes", "/dev/stdin"], &text);
    assert_eq!((from_file.code, piped.code), (0, 0), "{}{}", from_file.stderr, piped.stderr);
    assert!(from_file.stdout.lines().count() > 5, "{}", from_file.stdout);
    assert_eq!(from_file.stdout, piped.stdout);
}
