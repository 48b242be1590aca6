//! Re-entry: when a record already enrolled (or enrolled before) may be enrolled again.

use serde_json::json;

use crate::harness::{account, World};

/// A playbook that takes a week, with the given re-entry rule.
fn week_long(reentry: &str) -> String {
    format!(
        r##"playbook week {{
  for account: Account
  reentry {reentry}
  on account.health falls
  step first {{
    notify slack "#cs" "{{account.name}} at {{account.health}}"
  }}
  wait 7d
  step last {{
    notify slack "#cs" "A week on"
  }}
}}
"##
    )
}

#[test]
fn reentry_after_exit_does_not_enrol_a_record_already_in_the_playbook() {
    let mut w = World::new(&week_long("after_exit"));
    w.given("Account/acme", account(json!({"health": 72})));
    w.upsert("Account/acme", json!({"health": 60}));
    w.after("1d");
    w.upsert("Account/acme", json!({"health": 50}));
    assert_eq!(w.actions(), ["notify_slack Acme at 60 to #cs (first)"]);
    assert_eq!(
        w.history()[3],
        "not enrolled by `account.health falls`: the record is already in this playbook (reentry after_exit)"
    );
}

#[test]
fn reentry_after_exit_enrols_again_once_the_run_has_ended() {
    let mut w = World::new(&week_long("after_exit"));
    w.given("Account/acme", account(json!({"health": 72})));
    w.upsert("Account/acme", json!({"health": 60}));
    w.after("7d");
    w.upsert("Account/acme", json!({"health": 50}));
    assert_eq!(
        w.actions(),
        [
            "notify_slack Acme at 60 to #cs (first)",
            "notify_slack A week on to #cs (last)",
            "notify_slack Acme at 50 to #cs (first)"
        ]
    );
}

#[test]
fn reentry_never_enrols_a_record_at_most_once() {
    let mut w = World::new(&week_long("never"));
    w.given("Account/acme", account(json!({"health": 72})));
    w.upsert("Account/acme", json!({"health": 60}));
    w.after("30d");
    w.upsert("Account/acme", json!({"health": 50}));
    assert_eq!(w.actions(), ["notify_slack Acme at 60 to #cs (first)", "notify_slack A week on to #cs (last)"]);
    assert_eq!(
        w.history().last().map(String::as_str),
        Some("not enrolled by `account.health falls`: the record was enrolled before (reentry never)")
    );
}

#[test]
fn reentry_always_enrols_while_a_run_is_in_flight() {
    let mut w = World::new(&week_long("always"));
    w.given("Account/acme", account(json!({"health": 72})));
    w.upsert("Account/acme", json!({"health": 60}));
    w.after("1d");
    w.upsert("Account/acme", json!({"health": 50}));
    w.after("7d");
    assert_eq!(
        w.actions(),
        [
            "notify_slack Acme at 60 to #cs (first)",
            "notify_slack Acme at 50 to #cs (first)",
            "notify_slack A week on to #cs (last)",
            "notify_slack A week on to #cs (last)"
        ]
    );
}

#[test]
fn reentry_after_a_duration_counts_from_the_end_of_the_previous_run() {
    let mut w = World::new(&week_long("after 30d"));
    w.given("Account/acme", account(json!({"health": 72})));
    w.upsert("Account/acme", json!({"health": 60}));
    // The run ends a week later, on 2026-03-09 at 09:00.
    w.after("7d");
    w.after("29d");
    w.upsert("Account/acme", json!({"health": 50}));
    assert_eq!(
        w.history().last().map(String::as_str),
        Some(
            "not enrolled by `account.health falls`: the last run ended 29d ago; reentry after 30d allows it \
             again at 2026-04-08T09:00:00Z"
        )
    );
    w.after("1d");
    w.upsert("Account/acme", json!({"health": 40}));
    assert_eq!(w.history()[0], "enrolled by `account.health falls`");
}

#[test]
fn an_engine_that_lets_ended_runs_go_enrols_and_acts_exactly_as_one_that_keeps_them() {
    // A replay lets go of runs once they end; re-entry, which asks about ended runs, must
    // not notice.
    for reentry in ["after_exit", "never", "always", "after 10d"] {
        let play = |keep: bool| {
            let mut w = World::new(&week_long(reentry));
            w.engine.keep_ended_runs = keep;
            w.given("Account/acme", account(json!({"health": 72})));
            for health in [60, 50, 40, 30, 20] {
                w.upsert("Account/acme", json!({"health": health}));
                w.after("4d");
            }
            w.after("30d");
            w.upsert("Account/acme", json!({"health": 10}));
            w.after("8d");
            (w.actions(), w.history())
        };
        assert_eq!(play(false), play(true), "reentry {reentry}");
    }
}
