//! Activity sync's outbox rows: made for work a teammate completed, keyed by the action's
//! id with `.activity`, carrying the playbook, step, record and note; none for what the
//! engine closed or for actions delivery sends.

use play_runtime::engine::{ActionState, ActionUpdate};
use play_store::ActionRow;
use serde_json::{json, Value};

use super::completed;

fn row(kind: &str, json: Value) -> ActionRow {
    ActionRow {
        id: "a1".into(),
        at: 1_772_409_600,
        seq: 1,
        playbook: "onboarding".into(),
        step: "kickoff".into(),
        record: "Account/001A".into(),
        kind: kind.into(),
        category: None,
        assignee: Some("jo@example.com".into()),
        priority: 1.0,
        state: play_store::ActionState::Open,
        public: true,
        owner: None,
        snoozed_until: None,
        json: json.to_string(),
    }
}

fn done(by: Option<&str>, note: Option<&str>) -> ActionUpdate {
    ActionUpdate {
        id: "a1".into(),
        at: 1_772_413_200,
        state: ActionState::Done,
        by: by.map(String::from),
        note: note.map(String::from),
        until: None,
        subject: None,
        body: None,
    }
}

#[test]
fn a_task_a_teammate_completed_is_logged_with_its_playbook_step_and_note() {
    let task = row("task", json!({ "title": "Kick-off call with Vic" }));
    let out = completed(&task, &done(Some("jo@example.com"), Some("Went well"))).expect("a row");
    assert_eq!((out.action_id.as_str(), out.kind.as_str(), out.at), ("a1.activity", "log_activity", 1_772_413_200));
    let v: Value = serde_json::from_str(&out.json).unwrap();
    assert_eq!(
        v,
        json!({ "id": "a1.activity", "action": "log_activity", "of": "a1", "done": "task", "playbook": "onboarding",
                "step": "kickoff", "record": "Account/001A", "subject": "Kick-off call with Vic", "body": "Went well",
                "by": "jo@example.com", "to": null, "at": "2026-03-02T01:00:00Z" })
    );
}

#[test]
fn an_approved_email_task_is_logged_as_the_email_sent() {
    let task = row("email_task", json!({ "subject": "Welcome", "body": "Hello Vic", "to": "vic@acme.example" }));
    let mut approved = done(Some("jo@example.com"), None);
    (approved.subject, approved.body) = (Some("Welcome aboard".into()), Some("Hello Vic, edited".into()));
    let v: Value = serde_json::from_str(&completed(&task, &approved).unwrap().json).unwrap();
    assert_eq!((v["done"].as_str(), v["subject"].as_str()), (Some("email"), Some("Welcome aboard")));
    assert_eq!(v["body"], "Hello Vic, edited", "what was sent, as edited");
    assert_eq!(v["to"], "vic@acme.example", "the recipient, for the blacklists");
}

#[test]
fn nothing_is_logged_for_what_no_teammate_completed_or_delivery_sends() {
    assert!(completed(&row("task", json!({})), &done(None, None)).is_none(), "closed by the engine");
    assert!(completed(&row("webhook", json!({})), &done(Some("jo@example.com"), None)).is_none());
    let mut dismissed = done(Some("jo@example.com"), Some("not now"));
    dismissed.state = ActionState::Dismissed;
    assert!(completed(&row("task", json!({})), &dismissed).is_none(), "dismissed work is not done");
}
