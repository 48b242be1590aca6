//! Steps and `exit when`: steps run in order, a false filter skips a step, and an exit
//! condition ends the run as soon as it holds.

use serde_json::json;

use crate::harness::{account, contact, World};

#[test]
fn steps_run_in_order_and_the_run_completes_after_the_last() {
    let mut w = World::new(
        r##"playbook two {
  for account: Account
  on created
  step one {
    notify slack "#cs" "one"
  }
  step two {
    notify slack "#cs" "two"
    notify email "lead@example.com" "two"
  }
}
"##,
    );
    w.upsert("Account/acme", account(json!({})));
    assert_eq!(
        w.actions(),
        [
            "notify_slack one to #cs (one)",
            "notify_slack two to #cs (two)",
            "notify_email two to lead@example.com (two)"
        ]
    );
    assert_eq!(w.history(), ["enrolled by `created`", "step one", "step two", "completed"]);
}

#[test]
fn a_step_whose_filter_is_false_is_skipped_with_the_filter_in_history() {
    let mut w = World::new(
        r##"playbook filtered {
  for account: Account
  on created
  step big when account.arr > 1_000_000 {
    notify slack "#cs" "Big one"
  }
  step any {
    notify slack "#cs" "Any"
  }
}
"##,
    );
    w.upsert("Account/acme", account(json!({})));
    assert_eq!(w.actions(), ["notify_slack Any to #cs (any)"]);
    assert_eq!(
        w.history(),
        [
            "enrolled by `created`",
            "step big skipped: the filter `account.arr > 1_000_000` is false",
            "step any",
            "completed"
        ]
    );
}

const EXIT: &str = r##"playbook until_churn {
  for account: Account
  on account.health falls
  exit when account.stage == Churned
  step first {
    notify slack "#cs" "first"
  }
  wait 3d
  step later {
    notify slack "#cs" "later"
  }
}
"##;

#[test]
fn exit_when_that_holds_at_enrolment_ends_the_run_before_its_first_step() {
    let mut w = World::new(EXIT);
    w.given("Account/acme", account(json!({"stage": "Churned"})));
    w.upsert("Account/acme", json!({"health": 10}));
    assert_eq!(w.actions(), Vec::<String>::new());
    assert_eq!(w.history(), ["enrolled by `account.health falls`", "exited: `account.stage == Churned` holds"]);
}

#[test]
fn exit_when_that_comes_to_hold_while_waiting_ends_the_run() {
    let mut w = World::new(EXIT);
    w.given("Account/acme", account(json!({})));
    w.upsert("Account/acme", json!({"health": 10}));
    w.after("1d");
    w.upsert("Account/acme", json!({"stage": "Churned"}));
    w.after("3d");
    assert_eq!(w.actions(), ["notify_slack first to #cs (first)"]);
    assert_eq!(
        w.history(),
        [
            "enrolled by `account.health falls`",
            "step first",
            "waiting until 2026-03-05T09:00:00Z",
            "exited: `account.stage == Churned` holds"
        ]
    );
}

#[test]
fn exit_when_is_tested_when_an_event_concerning_the_record_arrives() {
    let mut w = World::new(
        r##"playbook win_back {
  for account: Account
  on account.health falls
  exit when did(Login, within: 1d)
  step first {
    notify slack "#cs" "first"
  }
  wait 3d
  step later {
    notify slack "#cs" "later"
  }
}
"##,
    );
    w.given("Account/acme", account(json!({})));
    w.given("Contact/vic", contact("acme", json!({})));
    w.upsert("Account/acme", json!({"health": 10}));
    w.after("1d");
    w.event("Login", "vic", json!({}));
    assert_eq!(w.history().last().map(String::as_str), Some("exited: `did(Login, within: 1d)` holds"));
    w.after("3d");
    assert_eq!(w.actions(), ["notify_slack first to #cs (first)"]);
}

#[test]
fn deleting_a_record_ends_its_runs() {
    let mut w = World::new(EXIT);
    w.given("Account/acme", account(json!({})));
    w.upsert("Account/acme", json!({"health": 10}));
    w.history();
    w.delete("Account/acme");
    w.after("3d");
    assert_eq!(w.actions(), ["notify_slack first to #cs (first)"]);
    assert_eq!(w.history(), ["exited: the record was deleted"]);
}
