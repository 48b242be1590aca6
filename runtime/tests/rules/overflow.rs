//! Checked arithmetic: a calculation whose result leaves its type's range (64-bit whole
//! numbers, finite numbers, the years 0001 to 9999, durations within them) is a recorded
//! failure with its place, never a wrapped, saturated or infinite value.

use serde_json::json;

use crate::harness::{account, World};

fn playbook(when: &str, action: &str) -> String {
    format!(
        "playbook p {{\n  for account: Account\n  on account.health falls\n  when {when}\n  step s {{\n    {action}\n  }}\n}}\n"
    )
}

#[test]
fn a_moment_beyond_the_year_9999_is_a_failure_not_false() {
    let mut w = World::new(&playbook(
        "today() + 52560000m * (account.used_seats ?? 100000) > today()",
        "notify slack \"#cs\" \"far\"",
    ));
    w.given("Account/acme", account(json!({})));
    w.upsert("Account/acme", json!({"health": 41}));
    assert_eq!(w.actions(), Vec::<String>::new());
    let history = w.history();
    assert_eq!(history.len(), 1, "{history:?}");
    assert!(history[0].starts_with("failed at rules.play:4:18: "), "{history:?}");
}

#[test]
fn a_due_moment_beyond_the_year_9999_is_a_failure_not_raw_seconds() {
    let task = "task \"far\" to account.owner due 36500d * (account.weekly_active_users ?? 0)";
    let mut w = World::new(&playbook("true", task));
    w.given("Account/acme", account(json!({"weekly_active_users": 100})));
    w.upsert("Account/acme", json!({"health": 41}));
    assert_eq!(w.actions(), Vec::<String>::new());
    let history = w.history();
    assert!(
        history.iter().any(|h| h.contains("failed in s at rules.play:6:37: the due moment falls outside the years")),
        "{history:?}"
    );
}

#[test]
fn adding_durations_past_their_range_is_a_failure_not_a_wrap() {
    let when = "36500d * (account.weekly_active_users ?? 0) + 36500d * (account.weekly_active_users ?? 0) > 1d";
    let mut w = World::new(&playbook(when, "notify slack \"#cs\" \"long\""));
    w.given("Account/acme", account(json!({"weekly_active_users": 60})));
    w.upsert("Account/acme", json!({"health": 41}));
    assert_eq!(w.actions(), Vec::<String>::new());
    let history = w.history();
    assert!(history.iter().any(|h| h.contains("the resulting duration is too long")), "{history:?}");
}

#[test]
fn whole_numbers_that_overflow_are_a_failure_not_a_wrap() {
    let when = "(account.used_seats ?? 0) * 9_223_372_036_854_775_807 > 0";
    let mut w = World::new(&playbook(when, "notify slack \"#cs\" \"many\""));
    w.given("Account/acme", account(json!({"used_seats": 2})));
    w.upsert("Account/acme", json!({"health": 41}));
    assert_eq!(w.actions(), Vec::<String>::new());
    let history = w.history();
    assert!(history.iter().any(|h| h.contains("overflows")), "{history:?}");
}

#[test]
fn a_priority_that_overflows_is_a_failure_not_null() {
    let big = format!("{}.0", "9".repeat(305));
    let src = format!(
        "playbook p {{\n  for account: Account\n  priority account.arr * {big}\n  on account.health falls\n  step s {{\n    notify slack \"#cs\" \"hi\"\n  }}\n}}\n"
    );
    let mut w = World::new(&src);
    w.given("Account/acme", account(json!({"arr": 100000})));
    w.upsert("Account/acme", json!({"health": 41}));
    let actions = w.actions();
    assert!(actions.iter().all(|a| !a.contains("null")), "{actions:?}");
    let history = w.history();
    assert!(history.iter().any(|h| h.contains("overflows")), "{history:?} {actions:?}");
}
