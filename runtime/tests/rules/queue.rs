//! A person's work on the queue as change lines (`"change":"action"` and
//! `"change":"activity"`), changes checked against the records they name, and `change_id`.

use serde_json::json;

use crate::harness::{account, case, contact, World};

pub(crate) const ACCESS: &str = r##"playbook access_case "Access request" {
  for case: Case
  on created
  when case.category == Access

  stage triage "Triage" {
    activity verify "Verify the requester's identity" to case.assigned_to
    optional activity visit "Schedule an on-site visit"
  }
  stage resolve "Resolve" {
    activity confirm "Confirm with the requester"
  }
}
"##;

const FOLLOW_UP: &str = r##"template check_in for contact: Contact {
  subject "Checking in, {contact.first_name ?? "there"}"
  body "How is it going?"
}

playbook follow_up {
  for account: Account
  on account.health falls
  when account.health < 50
  step write {
    email_task to account.champion ?? skip template check_in
    task "Call {account.name}" to account.owner due 2d
  }
}
"##;

fn line(fields: serde_json::Value) -> String {
    let mut line = json!({"at": "2026-03-02T09:00:00Z"});
    if let (Some(base), serde_json::Value::Object(fields)) = (line.as_object_mut(), fields) {
        base.extend(fields);
    }
    line.to_string()
}

fn opened() -> World {
    let mut w = World::new(ACCESS);
    w.upsert("Case/c1", case(json!({})));
    w.take();
    w.history();
    w
}

#[test]
fn a_case_is_walked_through_its_stages_by_action_changes_named_by_activity_and_record() {
    let mut w = opened();
    let complete = |activity: &str| {
        line(json!({"change": "action", "op": "complete", "playbook": "access_case", "activity": activity,
            "record": "Case/c1", "by": "al@example.com"}))
    };
    w.feed(&[&complete("verify")]);
    assert_eq!(
        w.history(),
        ["activity of triage completed by al@example.com", "stage triage completed", "stage resolve opened"]
    );
    w.feed(&[&complete("confirm")]);
    assert_eq!(
        w.history(),
        ["activity of resolve completed by al@example.com", "stage resolve completed", "completed"]
    );
}

#[test]
fn an_action_is_completed_by_its_id() {
    let mut w = opened();
    let id = w.produced[0].id.clone();
    w.feed(&[&line(json!({"change": "action", "op": "complete", "action": id, "note": "called them back"}))]);
    assert_eq!(
        w.history(),
        ["activity of triage completed: called them back", "stage triage completed", "stage resolve opened"]
    );
    let again = w.try_feed(&line(json!({"change": "action", "op": "complete", "action": id})));
    assert_eq!(again.expect_err("closed").message, format!("the action `{id}` is not open any more"));
}

#[test]
fn a_dismissal_by_change_writes_its_reason_and_who_to_the_history() {
    let mut w = opened();
    w.feed(&[&line(json!({"change": "action", "op": "dismiss", "playbook": "access_case", "step": "triage",
        "record": "Case/c1", "reason": "known requester", "by": "al@example.com"}))]);
    assert_eq!(w.history()[0], "activity of triage skipped: dismissed: known requester by al@example.com");
}

#[test]
fn an_optional_activity_is_added_by_an_activity_change() {
    let mut w = opened();
    w.feed(&[&line(
        json!({"change": "activity", "record": "Case/c1", "playbook": "access_case", "activity": "visit"}),
    )]);
    assert_eq!(w.actions(), ["activity Schedule an on-site visit (triage)"]);
    let again = w.try_feed(&line(
        json!({"change": "activity", "record": "Case/c1", "playbook": "access_case", "activity": "visit"}),
    ));
    assert_eq!(again.expect_err("open already").message, "`visit` is open already for Case/c1");
}

#[test]
fn a_queue_change_for_no_open_action_is_refused_and_moves_no_clock() {
    let mut w = opened();
    let late = json!({"at": "2026-03-05T09:00:00Z", "change": "action", "op": "complete",
        "playbook": "access_case", "activity": "confirm", "record": "Case/c1"});
    let refused = w.try_feed(&late.to_string()).expect_err("confirm is not open yet");
    assert_eq!(refused.message, "no open action of activity `confirm` of `access_case` for Case/c1");
    assert_eq!(w.now(), "2026-03-02T09:00:00Z");
}

#[test]
fn approving_an_email_task_sends_its_email_with_the_edits() {
    let mut w = World::new(FOLLOW_UP);
    w.upsert("Account/acme", account(json!({"health": 80})));
    w.upsert("Contact/vic", contact("acme", json!({"first_name": "Vic"})));
    w.upsert("Account/acme", json!({"champion": "vic", "health": 40}));
    let drafted = w.take();
    assert_eq!(drafted.len(), 2);
    w.feed(&[&line(json!({"change": "action", "op": "approve", "playbook": "follow_up", "step": "write",
        "record": "Account/acme", "body": "How is the rollout going?"}))]);
    let sent = w.take();
    assert_eq!(sent.len(), 1);
    assert_eq!(sent[0].action, play_compiler::program::ActionKind::Email);
    assert_eq!(sent[0].subject.as_deref(), Some("Checking in, Vic"));
    assert_eq!(sent[0].body.as_deref(), Some("How is the rollout going?"));
    // A person's edit is plain text: the HTML part is it, escaped.
    assert_eq!(sent[0].html.as_deref(), Some("How is the rollout going?"));
    assert!(w.history().contains(&"email_task of write approved, edited".to_string()));
    assert_eq!(sent[0].to.as_deref(), Some("vic@acme.example"));
    assert_ne!(sent[0].id, drafted[0].id);
}

#[test]
fn an_action_change_naming_a_step_with_two_open_actions_asks_for_the_id() {
    let mut w = World::new(FOLLOW_UP);
    w.upsert("Account/acme", account(json!({"health": 80})));
    w.upsert("Contact/vic", contact("acme", json!({"first_name": "Vic"})));
    w.upsert("Account/acme", json!({"champion": "vic", "health": 40}));
    let refused = w.try_feed(&line(json!({"change": "action", "op": "complete", "playbook": "follow_up",
        "step": "write", "record": "Account/acme"})));
    assert_eq!(
        refused.expect_err("two are open").message,
        "2 open actions of step `write` of `follow_up` for Account/acme: name one by its `action` id"
    );
}

#[test]
fn approving_a_task_that_is_not_an_email_task_is_refused() {
    let mut w = opened();
    let id = w.produced[0].id.clone();
    let refused = w.try_feed(&line(json!({"change": "action", "op": "approve", "action": id})));
    assert_eq!(refused.expect_err("not an email task").field.as_deref(), Some("op"));
}

#[test]
fn a_snooze_change_is_taken_and_the_action_stays_open() {
    let mut w = opened();
    let id = w.produced[0].id.clone();
    w.feed(&[&line(json!({"change": "action", "op": "snooze", "action": id, "until": "2026-03-09T09:00:00Z"}))]);
    assert!(w.engine.is_open(w.produced[0].seq), "a snoozed action stays in the queue");
    let unknown = w.try_feed(&line(
        json!({"change": "action", "op": "snooze", "action": "0000", "until": "2026-03-09T09:00:00Z"}),
    ));
    assert_eq!(unknown.expect_err("no such action").message, "there is no action `0000` in the queue");
}

#[test]
fn a_change_sent_again_under_its_change_id_is_taken_once() {
    let mut w = World::new(ACCESS);
    let first = json!({"at": "2026-03-02T09:00:00Z", "change": "upsert", "change_id": "crm-1", "record": "Case",
        "id": "c1", "fields": case(json!({}))});
    let program = w.engine.program().clone();
    let workspace = w.engine.workspace.clone();
    let read = |text: &str| play_runtime::change::parse_line(text, &program, &workspace);
    let taken = read(&first.to_string()).map(|l| w.engine.ingest_once(l.change, l.change_id));
    assert_eq!(taken, Ok(Ok(play_runtime::engine::Taken::Accepted)));
    let again = read(&first.to_string()).map(|l| w.engine.ingest_once(l.change, l.change_id));
    assert_eq!(again, Ok(Ok(play_runtime::engine::Taken::Duplicate)));
    assert_eq!(w.actions().len(), 1, "the case enrolled once");
}

#[test]
fn an_event_about_a_record_not_there_is_refused_on_its_subject() {
    let mut w = World::new(ACCESS);
    let login = json!({"at": "2026-03-02T09:00:00Z", "change": "event", "event": "Login", "subject": "nobody"});
    let refused = w.try_feed(&login.to_string()).expect_err("no such contact");
    assert_eq!(refused.field.as_deref(), Some("subject"));
    assert_eq!(
        refused.message,
        "there is no Contact `nobody`: an event happens to a record the changes created before it"
    );
    w.upsert("Account/acme", account(json!({})));
    let wrong = json!({"at": "2026-03-02T09:00:00Z", "change": "event", "event": "Login", "subject": "acme"});
    let refused = w.try_feed(&wrong.to_string()).expect_err("acme is an account");
    assert_eq!(refused.message, "`acme` is an Account, not a Contact: Login happens to a Contact");
}

#[test]
fn a_delete_of_a_record_not_there_is_refused() {
    let mut w = World::new(ACCESS);
    let delete = json!({"at": "2026-03-02T09:00:00Z", "change": "delete", "record": "Contact", "id": "ghost"});
    let refused = w.try_feed(&delete.to_string()).expect_err("no such contact");
    assert_eq!(
        (refused.field.as_deref(), refused.message.as_str()),
        (Some("id"), "there is no Contact `ghost` to delete")
    );
}

#[test]
fn an_activity_with_no_assignee_has_no_to() {
    let mut w = World::new(ACCESS);
    w.upsert("Case/c1", case(json!({})));
    w.take();
    w.feed(&[&line(json!({"change": "action", "op": "complete", "playbook": "access_case", "activity": "verify",
        "record": "Case/c1"}))]);
    let confirm = w.take();
    assert_eq!(confirm[0].to, None);
    assert!(!confirm[0].to_json_line().contains("\"to\""), "{}", confirm[0].to_json_line());
}

#[test]
fn an_activity_assigned_to_an_empty_field_has_no_to() {
    let mut w = World::new(ACCESS);
    w.upsert("Case/c1", case(json!({"assigned_to": null})));
    let verify = w.take();
    assert!(!verify[0].to_json_line().contains("\"to\""), "{}", verify[0].to_json_line());
}

mod properties {
    use proptest::prelude::*;
    use serde_json::json;

    use super::ACCESS;
    use crate::harness::{case, World};

    /// A queue change on case `c1` or `c2`, about 30 minutes apart.
    fn queue_change() -> impl Strategy<Value = (u32, serde_json::Value)> {
        let op = prop::sample::select(vec!["complete", "dismiss", "snooze", "approve"]);
        let activity = prop::sample::select(vec!["verify", "visit", "confirm"]);
        let step = prop::option::of(prop::sample::select(vec!["triage", "resolve"]));
        (0..60u32, op, activity, step, any::<bool>(), any::<bool>()).prop_map(
            |(minutes, op, activity, step, add, second)| {
                let record = if second { "Case/c2" } else { "Case/c1" };
                let mut change = if add {
                    json!({"change": "activity", "record": record, "playbook": "access_case", "activity": activity})
                } else {
                    json!({"change": "action", "op": op, "playbook": "access_case", "activity": activity, "record": record})
                };
                if let Some(step) = step.filter(|_| !add) {
                    change["step"] = json!(step);
                }
                if op == "snooze" && !add {
                    change["until"] = json!("2026-04-01T00:00:00Z");
                }
                (minutes, change)
            },
        )
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

        #[test]
        fn queue_changes_never_panic_and_a_refused_one_leaves_the_clock(changes in prop::collection::vec(queue_change(), 0..24)) {
            let mut w = World::new(ACCESS);
            w.upsert("Case/c1", case(json!({})));
            w.upsert("Case/c2", case(json!({"number": "C-2"})));
            let mut at = crate::harness::moment(crate::harness::START);
            for (minutes, mut change) in changes {
                at += i64::from(minutes) * 60;
                change["at"] = json!(crate::harness::text(at));
                let before = w.engine.now();
                // The playbook has no waits, so no timer falls due: a refused change
                // leaves the clock exactly where it was.
                if w.try_feed(&change.to_string()).is_err() {
                    prop_assert_eq!(w.engine.now(), before);
                }
                w.take();
            }
        }
    }
}
