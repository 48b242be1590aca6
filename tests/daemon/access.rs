//! Who may do what: 401 without credentials (and nothing changes), 404 for an action one
//! may not see, signed ingest.

use crate::support::{example_copy, token, Daemon};

const CHANGES: &str = include_str!("../../examples/customer-success/changes.jsonl");

#[test]
fn requests_without_valid_credentials_get_401_and_change_nothing() {
    let dir = example_copy("customer-success");
    let jo = token(dir.path(), "jo@example.com");
    let daemon = Daemon::start(dir.path(), &[], &[]);
    let (_, status) = daemon.get("/v1/status", Some(&jo));
    assert_eq!(daemon.post("/v1/changes", None, CHANGES).0, 401);
    assert_eq!(daemon.post("/v1/changes", Some("play_not-a-token"), CHANGES).0, 401);
    assert_eq!(daemon.get("/v1/actions", None).0, 401);
    assert_eq!(daemon.get("/v1/status", Some("nope")).0, 401);
    let (_, after) = daemon.get("/v1/status", Some(&jo));
    assert_eq!(after["journal_position"], status["journal_position"], "nothing was journaled");
}

#[test]
fn an_action_of_a_private_playbook_is_404_to_all_but_its_owner() {
    let dir = example_copy("customer-success");
    let jo = token(dir.path(), "jo@example.com");
    let lee = token(dir.path(), "lee@example.com");
    let daemon = Daemon::start(dir.path(), &[], &[]);
    daemon.post("/v1/changes", Some(&jo), CHANGES);
    let all = daemon.all_actions(&lee);
    let private = all.iter().find(|a| a["visibility"] == "private").expect("a private playbook's action");
    let id = private["id"].as_str().unwrap();
    assert_eq!(daemon.get(&format!("/v1/actions/{id}"), Some(&lee)).0, 200, "the owner sees it");
    assert_eq!(daemon.get(&format!("/v1/actions/{id}"), Some(&jo)).0, 404, "another teammate does not");
    assert_eq!(daemon.post(&format!("/v1/actions/{id}/dismiss"), Some(&jo), "").0, 404, "nor works it");
    assert!(daemon.all_actions(&jo).iter().all(|a| a["visibility"] == "public"));
    assert_eq!(daemon.get("/v1/actions/no-such-id", Some(&lee)).0, 404);
}

#[test]
fn a_body_signed_with_the_ingest_secret_is_taken_without_a_token() {
    let dir = example_copy("customer-success");
    let daemon = Daemon::start(dir.path(), &[], &[("PLAY_INGEST_SECRET", "s3cret")]);
    let signature = play_daemon::signature(CHANGES.as_bytes(), b"s3cret");
    let wrong = play_daemon::signature(CHANGES.as_bytes(), b"guess");
    assert_eq!(daemon.post_with("/v1/changes", &[("X-Play-Signature", &wrong)], CHANGES).0, 401);
    let (code, report) = daemon.post_with("/v1/changes", &[("X-Play-Signature", &signature)], CHANGES);
    assert_eq!(code, 200);
    assert_eq!(report["accepted"], 12);
}
