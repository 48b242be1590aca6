//! Touch budgets: `limit` caps actions of a kind per recipient across playbooks; over the
//! cap an action is deferred to the next free slot or dropped, and the higher-priority
//! playbook wins a contested slot.

use serde_json::json;

use crate::harness::{account, World};

fn capped(overflow: &str) -> String {
    format!(
        r##"limit tasks_per_csm: 1 task per user per 1d{overflow}

playbook review {{
  for account: Account
  on account.health falls
  step review {{
    task "Review {{account.name}}" to account.owner
  }}
}}
"##
    )
}

fn two_accounts_of_jo(src: &str) -> World {
    let mut w = World::new(src);
    w.given("Account/acme", account(json!({})));
    w.given("Account/globex", account(json!({"name": "Globex"})));
    w.given("Account/initech", account(json!({"name": "Initech", "owner": "al@example.com"})));
    w
}

#[test]
fn an_action_over_a_budget_is_deferred_to_the_next_free_slot() {
    let mut w = two_accounts_of_jo(&capped(""));
    w.upsert("Account/acme", json!({"health": 41}));
    w.after("1h");
    w.upsert("Account/globex", json!({"health": 41}));
    assert_eq!(w.actions(), ["task Review Acme to jo@example.com (review)"]);
    assert_eq!(
        w.history_tagged()[3..],
        [
            "Account/globex review: enrolled by `account.health falls`",
            "Account/globex review: step review",
            "Account/globex review: completed",
            "Account/globex review: task of review deferred by tasks_per_csm until 2026-03-03T09:00:00Z"
        ]
    );
    w.at("2026-03-03T08:59:59Z");
    assert_eq!(w.actions(), Vec::<String>::new());
    w.at("2026-03-03T09:00:00Z");
    let deferred = w.take();
    assert_eq!(deferred.len(), 1);
    assert_eq!(crate::harness::short(&deferred[0]), "task Review Globex to jo@example.com (review)");
    assert_eq!(crate::harness::text(deferred[0].at), "2026-03-03T09:00:00Z");
}

#[test]
fn an_action_over_a_drop_budget_is_dropped_and_history_says_so() {
    let mut w = two_accounts_of_jo(&capped(" then drop"));
    w.upsert("Account/acme", json!({"health": 41}));
    w.upsert("Account/globex", json!({"health": 41}));
    w.after("2d");
    assert_eq!(w.actions(), ["task Review Acme to jo@example.com (review)"]);
    assert!(w.history_tagged().contains(&"Account/globex review: task of review dropped by tasks_per_csm".to_string()));
}

#[test]
fn a_budget_counts_per_recipient() {
    let mut w = two_accounts_of_jo(&capped(" then drop"));
    w.upsert("Account/acme", json!({"health": 41}));
    w.upsert("Account/initech", json!({"health": 41}));
    assert_eq!(
        w.actions(),
        ["task Review Acme to jo@example.com (review)", "task Review Initech to al@example.com (review)"]
    );
}

#[test]
fn the_higher_priority_playbook_wins_a_contested_slot() {
    let mut w = two_accounts_of_jo(
        r##"limit tasks_per_csm: 1 task per user per 1d then drop

playbook routine {
  for account: Account
  priority 1
  on account.health falls
  step check {
    task "Check {account.name}" to account.owner
  }
}

playbook urgent {
  for account: Account
  priority 10
  on account.health falls
  step call {
    task "Call {account.name}" to account.owner
  }
}
"##,
    );
    w.upsert("Account/acme", json!({"health": 41}));
    assert_eq!(w.actions_tagged(), ["Account/acme urgent: task Call Acme to jo@example.com (call)"]);
    assert!(w.history_tagged().contains(&"Account/acme routine: task of check dropped by tasks_per_csm".to_string()));
}

#[test]
fn a_deferred_task_is_not_produced_again_while_it_waits_for_its_slot() {
    let mut w = two_accounts_of_jo(&capped(""));
    w.upsert("Account/acme", json!({"health": 41}));
    w.upsert("Account/globex", json!({"health": 41}));
    w.after("1h");
    w.upsert("Account/globex", json!({"health": 30}));
    w.history();
    w.after("3d");
    assert_eq!(
        w.actions(),
        ["task Review Acme to jo@example.com (review)", "task Review Globex to jo@example.com (review)"]
    );
}

fn contending(routine_wait: &str) -> World {
    two_accounts_of_jo(&format!(
        r##"limit tasks_per_csm: 1 task per user per 1d then drop

playbook routine {{
  for account: Account
  priority 1
  on account.health falls
  {routine_wait}
  step check {{
    task "Check {{account.name}}" to account.owner
  }}
}}

playbook urgent {{
  for account: Account
  priority 10
  on account.stage becomes Churned
  step call {{
    task "Call {{account.name}}" to account.owner
  }}
}}
"##
    ))
}

#[test]
fn actions_contending_at_one_moment_go_to_the_higher_priority_playbook_whatever_the_change() {
    // Two changes at the same moment, the lower-priority playbook's first (and declared
    // first): the slot is the urgent one's.
    let mut w = contending("");
    w.feed(&[
        r#"{"at":"2026-03-02T09:00:00Z","change":"upsert","record":"Account","id":"acme","fields":{"health":41}}"#,
        r#"{"at":"2026-03-02T09:00:00Z","change":"upsert","record":"Account","id":"globex","fields":{"stage":"Churned"}}"#,
    ]);
    assert_eq!(w.actions_tagged(), ["Account/globex urgent: task Call Globex to jo@example.com (call)"]);
    assert!(w.history_tagged().contains(&"Account/acme routine: task of check dropped by tasks_per_csm".to_string()));

    // A wait falling due and a change at that same moment contend the same way.
    let mut w = contending("wait 1d");
    w.upsert("Account/acme", json!({"health": 41}));
    w.feed(&[
        r#"{"at":"2026-03-03T09:00:00Z","change":"upsert","record":"Account","id":"globex","fields":{"stage":"Churned"}}"#,
    ]);
    assert_eq!(w.actions_tagged(), ["Account/globex urgent: task Call Globex to jo@example.com (call)"]);
    assert!(w.history_tagged().contains(&"Account/acme routine: task of check dropped by tasks_per_csm".to_string()));
}

#[test]
fn a_waiting_action_is_deferred_once_and_waiting_actions_go_in_priority_order() {
    let mut w = World::new(
        r##"limit tasks_per_csm: 1 task per user per 1d

playbook review {
  for account: Account
  priority account.arr
  on account.health falls
  step review {
    task "Review {account.name}" to account.owner
  }
}
"##,
    );
    for (id, arr) in [("a", 1), ("b", 2), ("c", 3), ("d", 4), ("e", 5)] {
        w.given(&format!("Account/{id}"), account(json!({"name": id.to_uppercase(), "arr": arr})));
    }
    for id in ["a", "b", "c", "d", "e"] {
        w.upsert(&format!("Account/{id}"), json!({"health": 41}));
    }
    w.after("1w");
    assert_eq!(
        w.actions(),
        [
            "task Review E to jo@example.com (review)",
            "task Review D to jo@example.com (review)",
            "task Review C to jo@example.com (review)",
            "task Review B to jo@example.com (review)",
            "task Review A to jo@example.com (review)"
        ]
    );
    let deferred = w.history().into_iter().filter(|h| h.contains("deferred")).count();
    assert_eq!(deferred, 4);
}

#[test]
fn a_deploy_that_moves_a_limit_keeps_the_actions_waiting_for_its_slots() {
    let mut w = two_accounts_of_jo(&capped(""));
    w.given("Account/hooli", account(json!({"name": "Hooli"})));
    w.upsert("Account/acme", json!({"health": 41}));
    w.upsert("Account/globex", json!({"health": 41}));
    assert_eq!(w.actions(), ["task Review Acme to jo@example.com (review)"]);
    // A limit deployed before `tasks_per_csm` moves it one place on: Globex still waits
    // for its slot, and takes it from `tasks_per_csm`, not from the newcomer.
    w.reload(&format!("limit touches: 10 task per user per 1d\n{}", capped("")));
    w.at("2026-03-03T09:00:00Z");
    assert_eq!(w.actions(), ["task Review Globex to jo@example.com (review)"]);
    w.after("1h");
    w.upsert("Account/hooli", json!({"health": 41}));
    assert_eq!(w.actions(), Vec::<String>::new(), "Globex took today's slot");
    let deferred = "Account/hooli review: task of review deferred by tasks_per_csm until 2026-03-04T09:00:00Z";
    assert!(w.history_tagged().contains(&deferred.to_string()), "{:#?}", w.history_tagged());
}

#[test]
fn a_deploy_that_removes_a_limit_lets_the_actions_waiting_for_it_go() {
    let mut w = two_accounts_of_jo(&capped(""));
    w.upsert("Account/acme", json!({"health": 41}));
    w.upsert("Account/globex", json!({"health": 41}));
    assert_eq!(w.actions(), ["task Review Acme to jo@example.com (review)"]);
    let unlimited = capped("").split_once("\n\n").map(|(_, rest)| rest.to_string()).unwrap();
    w.reload(&unlimited);
    w.after("1m");
    assert_eq!(w.actions(), ["task Review Globex to jo@example.com (review)"], "no slot to wait for");
    w.at("2026-03-03T09:00:00Z");
    assert_eq!(w.actions(), Vec::<String>::new(), "and nothing more when the old slot would have freed");
}
