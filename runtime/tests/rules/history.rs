//! Run history: every enrolment, skip, step, wait, exit and failure, with the playbook
//! version, the run and the step; run-time failures are recorded with their place and
//! never panic.

use serde_json::json;

use crate::harness::{account, outcome, World};

#[test]
fn run_history_records_each_entry_with_the_playbook_version_run_and_step() {
    let mut w = World::new(
        r##"playbook tracked {
  for account: Account
  on account.health falls
  when account.tier == Enterprise
  exit when account.stage == Churned
  step first when account.arr > 1_000_000 {
    notify slack "#cs" "big"
  }
  wait 1d
  step second {
    notify slack "#cs" "second"
  }
  wait 1d
  step third {
    notify slack "#cs" "third"
  }
}
"##,
    );
    w.given("Account/acme", account(json!({})));
    w.given("Account/globex", account(json!({"name": "Globex", "tier": "Smb"})));
    w.upsert("Account/acme", json!({"health": 41}));
    w.upsert("Account/globex", json!({"health": 41}));
    w.after("1d");
    w.upsert("Account/acme", json!({"stage": "Churned"}));
    let version = w.version("tracked");
    let entries = w.fresh_history();
    assert!(entries.iter().all(|e| *e.version == *version && &*e.playbook == "tracked"));
    let lines: Vec<String> = entries
        .iter()
        .map(|e| {
            let run = e.run.map_or("-".to_string(), |r| format!("run {r}"));
            format!(
                "{} {} {} {}: {}",
                crate::harness::text(e.at),
                e.record,
                run,
                e.step.as_deref().unwrap_or("-"),
                outcome(e)
            )
        })
        .collect();
    assert_eq!(
        lines,
        [
            "2026-03-02T09:00:00Z Account/acme run 1 -: enrolled by `account.health falls` [account.tier == Enterprise is true]",
            "2026-03-02T09:00:00Z Account/acme run 1 first: step first skipped: the filter `account.arr > 1_000_000` is false",
            "2026-03-02T09:00:00Z Account/acme run 1 -: waiting until 2026-03-03T09:00:00Z",
            "2026-03-02T09:00:00Z Account/globex - -: not enrolled by `account.health falls`: the condition \
             `account.tier == Enterprise` is false [account.tier == Enterprise is false]",
            "2026-03-03T09:00:00Z Account/acme run 1 second: step second",
            "2026-03-03T09:00:00Z Account/acme run 1 -: waiting until 2026-03-04T09:00:00Z",
            "2026-03-03T09:00:00Z Account/acme run 1 -: exited: `account.stage == Churned` holds",
        ]
    );
}

#[test]
fn a_reference_to_a_record_not_in_the_store_fails_the_run_with_its_place_and_its_step_produces_nothing() {
    let mut w = World::new(
        r##"playbook champion {
  for account: Account
  on account.health falls
  step call {
    notify slack "#cs" "Calling about {account.name}"
    task "Call {account.champion.email ?? "nobody"}" to account.owner
  }
  step after {
    notify slack "#cs" "after"
  }
}
"##,
    );
    w.given("Account/acme", account(json!({"champion": "vic"})));
    w.given("Account/globex", account(json!({"name": "Globex"})));
    w.upsert("Account/acme", json!({"health": 41}));
    w.upsert("Account/globex", json!({"health": 41}));
    assert_eq!(
        w.history_tagged(),
        [
            "Account/acme champion: enrolled by `account.health falls`",
            "Account/acme champion: failed in call at rules.play:6:17: the Contact `vic` is not in the store",
            "Account/acme champion: exited: the run failed",
            "Account/globex champion: enrolled by `account.health falls`",
            "Account/globex champion: step call",
            "Account/globex champion: step after",
            "Account/globex champion: completed"
        ]
    );
    assert_eq!(
        w.actions_tagged(),
        [
            "Account/globex champion: notify_slack Calling about Globex to #cs (call)",
            "Account/globex champion: task Call nobody to jo@example.com (call)",
            "Account/globex champion: notify_slack after to #cs (after)"
        ]
    );
}

#[test]
fn division_by_zero_in_a_condition_is_a_recorded_failure_that_keeps_the_record_out() {
    let mut w = World::new(
        r##"playbook per_user {
  for account: Account
  on account.health falls
  when account.arr / account.weekly_active_users > 1_000
  step review {
    notify slack "#cs" "expensive seats"
  }
}
"##,
    );
    w.given("Account/acme", account(json!({"weekly_active_users": 0})));
    w.upsert("Account/acme", json!({"health": 41}));
    assert_eq!(w.actions(), Vec::<String>::new());
    assert_eq!(w.history(), ["failed at rules.play:4:8: division by zero"]);
    w.upsert("Account/acme", json!({"weekly_active_users": 100}));
    w.upsert("Account/acme", json!({"health": 30}));
    assert_eq!(w.actions(), ["notify_slack expensive seats to #cs (review)"]);
}

#[test]
fn a_failure_in_a_wait_fails_the_run_with_its_place() {
    let mut w = World::new(
        r##"playbook paced {
  for account: Account
  on account.health falls
  wait 1d * (account.health / account.weekly_active_users)
  step later {
    notify slack "#cs" "later"
  }
}
"##,
    );
    w.given("Account/acme", account(json!({"weekly_active_users": 0})));
    w.upsert("Account/acme", json!({"health": 41}));
    w.after("1w");
    assert_eq!(w.actions(), Vec::<String>::new());
    assert_eq!(
        w.history(),
        ["enrolled by `account.health falls`", "failed at rules.play:4:14: division by zero", "exited: the run failed"]
    );
}

#[test]
fn a_failure_in_exit_when_fails_the_run_with_its_place() {
    let mut w = World::new(
        r##"playbook guarded {
  for account: Account
  on account.health falls
  exit when account.arr / account.weekly_active_users < 10
  step first {
    notify slack "#cs" "first"
  }
  wait 1d
  step second {
    notify slack "#cs" "second"
  }
}
"##,
    );
    w.given("Account/acme", account(json!({})));
    w.upsert("Account/acme", json!({"health": 41}));
    w.upsert("Account/acme", json!({"weekly_active_users": 0}));
    w.after("1d");
    assert_eq!(w.actions(), ["notify_slack first to #cs (first)"]);
    assert_eq!(
        w.history(),
        [
            "enrolled by `account.health falls`",
            "step first",
            "waiting until 2026-03-03T09:00:00Z",
            "failed at rules.play:4:13: division by zero",
            "exited: the run failed"
        ]
    );
}

#[test]
fn a_failure_in_a_wait_for_where_clause_fails_the_run_with_its_place() {
    let mut w = World::new(
        r##"playbook picky {
  for account: Account
  on account.health falls
  wait for TicketOpened where event.subject == account.champion.email ?? "" timeout 3d
  step answered when not timed_out {
    notify slack "#cs" "answered"
  }
}
"##,
    );
    w.given("Account/acme", account(json!({"champion": "vic"})));
    w.upsert("Account/acme", json!({"health": 41}));
    w.event("TicketOpened", "acme", json!({"severity": "Low", "subject": "Hi"}));
    w.after("3d");
    assert_eq!(w.actions(), Vec::<String>::new());
    assert_eq!(
        w.history(),
        [
            "enrolled by `account.health falls`",
            "waiting for TicketOpened until 2026-03-05T09:00:00Z",
            "failed at rules.play:4:48: the Contact `vic` is not in the store",
            "exited: the run failed"
        ]
    );
}
