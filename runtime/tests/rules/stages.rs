//! Case playbooks: a stage opens its required activities as actions of kind `activity`,
//! completes when they are done (completed or dismissed), and the next stage opens;
//! optional activities are added by a person while their stage is open.

use play_compiler::program::ActionKind;
use serde_json::json;

use crate::harness::{case, World};

const ACCESS: &str = r##"playbook access_case "Access request" {
  for case: Case
  on created
  when case.category == Access

  stage triage "Triage" {
    activity verify "Verify the requester's identity" to case.assigned_to
    optional activity visit "Schedule an on-site visit"
  }
  stage resolve "Resolve" {
    activity reset "Reset credentials" creates Task { subject: "Reset for {case.number}" } due 1d
    activity confirm "Confirm with the requester"
  }
}
"##;

const VERIFY: &str = "activity Verify the requester's identity to al@example.com (triage)";
const RESET: &str = "activity Reset credentials (resolve)";
const CONFIRM: &str = "activity Confirm with the requester (resolve)";

fn opened() -> World {
    let mut w = World::new(ACCESS);
    w.upsert("Case/c1", case(json!({})));
    w
}

#[test]
fn a_stage_opens_its_required_activities_as_actions_of_kind_activity() {
    let mut w = opened();
    let actions = w.take();
    assert_eq!(actions.len(), 1, "the optional activity is not opened by itself");
    assert_eq!(actions[0].action, ActionKind::Activity);
    assert_eq!(actions[0].activity.as_deref(), Some("verify"));
    assert_eq!(crate::harness::short(&actions[0]), VERIFY);
    assert_eq!(w.history(), ["enrolled by `created` [case.category == Access is true]", "stage triage opened"]);
}

#[test]
fn a_stage_completes_when_its_required_activities_are_completed_and_the_next_stage_opens() {
    let mut w = opened();
    w.take();
    w.history();
    w.engine.complete(w.seq(VERIFY));
    assert_eq!(w.actions(), [RESET, CONFIRM]);
    assert_eq!(w.history(), ["stage triage completed", "stage resolve opened"]);
    w.engine.complete(w.seq(RESET));
    assert_eq!(w.history(), Vec::<String>::new(), "one required activity is left");
    w.engine.complete(w.seq(CONFIRM));
    assert_eq!(w.history(), ["stage resolve completed", "completed"]);
}

#[test]
fn a_dismissed_activity_no_longer_holds_up_its_stage() {
    let mut w = opened();
    w.take();
    w.history();
    w.engine.dismiss(w.seq(VERIFY), "verified on the phone already");
    assert_eq!(w.actions(), [RESET, CONFIRM]);
    assert_eq!(
        w.history(),
        [
            "activity of triage skipped: dismissed: verified on the phone already",
            "stage triage completed",
            "stage resolve opened"
        ]
    );
}

#[test]
fn an_optional_activity_is_added_by_a_person_and_does_not_hold_up_its_stage() {
    let mut w = opened();
    w.take();
    let run = w.produced[0].run;
    let visit = w.engine.add_activity(run, "visit").expect("the triage stage is open");
    let added = w.take();
    assert_eq!(added.len(), 1);
    assert_eq!(crate::harness::short(&added[0]), "activity Schedule an on-site visit (triage)");
    assert!(added[0].optional);
    w.engine.complete(w.seq(VERIFY));
    assert_eq!(w.actions(), [RESET, CONFIRM], "the stage completed with the optional activity open");
    assert!(w.engine.is_open(visit));
    assert_eq!(w.engine.add_activity(run, "visit"), None, "its stage is no longer open");
}

#[test]
fn an_activity_that_creates_a_record_carries_the_record_type_and_its_fields() {
    let mut w = opened();
    w.take();
    w.engine.complete(w.seq(VERIFY));
    let actions = w.take();
    let named = format!("Task/{}", actions[0].id);
    assert_eq!(actions[0].creates.as_deref(), Some(named.as_str()));
    assert_eq!(actions[0].fields.as_ref().map(|f| f.to_map()["subject"].clone()), Some(json!("Reset for C-1")));
    assert_eq!(actions[0].due.map(crate::harness::text).as_deref(), Some("2026-03-03T09:00:00Z"));
}

#[test]
fn creates_makes_the_record_when_the_activity_completes_and_its_triggers_fire() {
    let mut w = World::new(&format!(
        r##"{ACCESS}
playbook new_task {{
  for task: Task
  on created
  step announce {{
    notify slack "#tasks" "New task: {{task.subject}}"
  }}
}}
"##
    ));
    w.upsert("Case/c1", case(json!({})));
    w.take();
    w.engine.complete(w.seq(VERIFY));
    let reset = w.take().into_iter().find(|a| a.activity.as_deref() == Some("reset")).expect("reset opened");
    let created = reset.creates.clone().expect("the action names the record it creates");
    let (ty, id) = created.split_once('/').expect("Type/id");
    assert_eq!((ty, id), ("Task", reset.id.as_str()));
    let task_type = w.engine.program().schema.records.iter().position(|r| r.name == "Task").expect("Task") as u32;
    assert!(!w.engine.store_record_exists(task_type, id), "not before the activity is completed");
    w.after("1h");
    w.engine.complete(reset.seq);
    assert!(w.engine.store_record_exists(task_type, id));
    assert_eq!(w.actions(), ["notify_slack New task: Reset for C-1 to #tasks (announce)"]);
    assert!(w.history_tagged().contains(&format!("{created} new_task: enrolled by `created`")));
}
