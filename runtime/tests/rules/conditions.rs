//! Conditions: all `when` clauses must hold; their values are recorded either way, and they
//! can read `old(…)` and the triggering event.

use serde_json::json;

use crate::harness::{account, World};

#[test]
fn a_false_condition_keeps_the_record_out_with_every_condition_value_in_history() {
    let mut w = World::new(
        r##"playbook risk {
  for account: Account
  on account.health falls
  when account.stage == Renewal
  when account.arr > 200_000
  step review {
    task "Review {account.name}"
  }
}
"##,
    );
    w.given("Account/acme", account(json!({"stage": "Adoption"})));
    w.upsert("Account/acme", json!({"health": 41}));
    assert_eq!(w.actions(), Vec::<String>::new());
    assert_eq!(
        w.history(),
        ["not enrolled by `account.health falls`: the condition `account.stage == Renewal` is false \
          [account.stage == Renewal is false, account.arr > 200_000 is true]"]
    );
    w.upsert("Account/acme", json!({"stage": "Renewal"}));
    w.upsert("Account/acme", json!({"health": 30}));
    assert_eq!(w.actions(), ["task Review Acme (review)"]);
    assert_eq!(
        w.history()[0],
        "enrolled by `account.health falls` [account.stage == Renewal is true, account.arr > 200_000 is true]"
    );
}

#[test]
fn old_in_a_condition_is_the_value_before_the_triggering_change() {
    let mut w = World::new(
        r##"playbook sharp_drop {
  for account: Account
  on account.health falls
  when (old(account.health) ?? 0) - account.health >= 20
  step review {
    notify slack "#cs" "{account.name} fell from {old(account.health) ?? 0} to {account.health}"
  }
}
"##,
    );
    w.given("Account/acme", account(json!({"health": 72})));
    w.upsert("Account/acme", json!({"health": 60}));
    assert_eq!(w.actions(), Vec::<String>::new(), "a drop of 12");
    w.upsert("Account/acme", json!({"health": 35}));
    assert_eq!(w.actions(), ["notify_slack Acme fell from 60 to 35 to #cs (review)"]);
}

#[test]
fn a_run_keeps_the_record_before_its_change_until_it_ends() {
    let mut w = World::new(
        r##"playbook sharp_drop {
  for account: Account
  on account.health falls
  step note {
    notify slack "#cs" "{account.name} fell"
  }
  wait 1d
  step recall {
    notify slack "#cs" "{account.name} was at {old(account.health) ?? 0}"
  }
}
"##,
    );
    w.given("Account/acme", account(json!({"health": 72})));
    w.upsert("Account/acme", json!({"health": 40}));
    assert_eq!(w.actions(), ["notify_slack Acme fell to #cs (note)"]);
    let run = (1..10).find_map(|id| w.engine.run(id)).expect("the run").id;
    assert!(w.engine.run(run).is_some_and(|r| r.trigger.old.is_some()), "a waiting run keeps it for later steps");
    w.after("1d");
    assert_eq!(w.actions(), ["notify_slack Acme was at 72 to #cs (recall)"]);
    // An ended run is never evaluated again: it lets go of the record's old fields.
    assert!(w.engine.run(run).is_some_and(|r| !r.is_active() && r.trigger.old.is_none()));
}

/// A program that never reads `old(…)` keeps no copy of the record before a change for
/// its runs; `falls` and `becomes` still compare with the values before the change.
#[test]
fn a_run_keeps_no_record_before_its_change_when_no_code_reads_it() {
    let mut w = World::new(
        r##"playbook drop {
  for account: Account
  on account.health falls
  step note {
    notify slack "#cs" "{account.name} fell"
  }
  wait 1d
}

playbook renewing {
  for account: Account
  on account.stage becomes Renewal
  step note {
    notify slack "#cs" "{account.name} renews"
  }
}
"##,
    );
    w.given("Account/acme", account(json!({"health": 72, "stage": "Adoption"})));
    w.upsert("Account/acme", json!({"health": 80, "stage": "Adoption"}));
    assert_eq!(w.actions(), Vec::<String>::new(), "health rose and the stage is as it was: neither fires");
    w.upsert("Account/acme", json!({"health": 40, "stage": "Renewal"}));
    assert_eq!(w.actions(), ["notify_slack Acme fell to #cs (note)", "notify_slack Acme renews to #cs (note)"]);
    let run = (1..10).find_map(|id| w.engine.run(id).filter(|r| r.is_active())).expect("the waiting run").id;
    assert!(w.engine.run(run).is_some_and(|r| r.trigger.old.is_none()), "no code reads the record before");
}

#[test]
fn the_triggering_event_s_payload_is_readable_in_a_condition() {
    let mut w = World::new(
        r##"playbook critical {
  for account: Account
  on event TicketOpened
  when trigger.event.severity == Severity.Critical
  step page {
    notify slack "#oncall" "{account.name}: {trigger.event.subject}"
  }
}
"##,
    );
    w.given("Account/acme", account(json!({})));
    w.event("TicketOpened", "acme", json!({"severity": "High", "subject": "Slow"}));
    assert_eq!(w.actions(), Vec::<String>::new());
    w.event("TicketOpened", "acme", json!({"severity": "Critical", "subject": "Down"}));
    assert_eq!(w.actions(), ["notify_slack Acme: Down to #oncall (page)"]);
}
