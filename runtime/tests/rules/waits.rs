//! Waits: durable delays in days and business days, `wait until` a moment that moves with
//! the record, and `wait for` an event with a timeout and `timed_out`.

use serde_json::json;

use crate::harness::{account, contact, World};

fn delay(wait: &str) -> String {
    format!(
        r##"playbook delayed {{
  for account: Account
  on account.health falls
  step first {{
    notify slack "#cs" "first"
  }}
  wait {wait}
  step later {{
    notify slack "#cs" "later"
  }}
}}
"##
    )
}

#[test]
fn wait_delays_the_next_step_by_the_duration() {
    let mut w = World::new(&delay("3d"));
    w.given("Account/acme", account(json!({})));
    w.upsert("Account/acme", json!({"health": 10}));
    assert_eq!(w.actions(), ["notify_slack first to #cs (first)"]);
    w.at("2026-03-05T08:59:59Z");
    assert_eq!(w.actions(), Vec::<String>::new());
    w.at("2026-03-05T09:00:00Z");
    assert_eq!(w.actions(), ["notify_slack later to #cs (later)"]);
    assert_eq!(
        w.history(),
        [
            "enrolled by `account.health falls`",
            "step first",
            "waiting until 2026-03-05T09:00:00Z",
            "step later",
            "completed"
        ]
    );
}

#[test]
fn wait_in_business_days_skips_weekends_and_holidays() {
    let mut w = World::in_workspace(&delay("2bd"), "[calendar]\nholidays = [2026-03-06]");
    w.given("Account/acme", account(json!({})));
    // Thursday; Friday is a holiday, then the weekend: Monday is one business day on.
    w.at("2026-03-05T09:00:00Z");
    w.upsert("Account/acme", json!({"health": 10}));
    assert_eq!(w.history()[2], "waiting until 2026-03-10T09:00:00Z");
    w.at("2026-03-10T08:59:59Z");
    assert_eq!(w.actions(), ["notify_slack first to #cs (first)"]);
    w.at("2026-03-10T09:00:00Z");
    assert_eq!(w.actions(), ["notify_slack later to #cs (later)"]);
}

const UNTIL: &str = r##"playbook before_renewal {
  for account: Account
  on account.health falls
  wait until (account.renewal_date ?? today() + 60d) - 30d
  step prepare {
    notify slack "#cs" "Renewal of {account.name} in 30 days"
  }
}
"##;

#[test]
fn wait_until_reschedules_when_the_date_it_reads_changes() {
    let mut w = World::new(UNTIL);
    w.given("Account/acme", account(json!({"renewal_date": "2026-05-01"})));
    w.upsert("Account/acme", json!({"health": 10}));
    w.after("1d");
    w.upsert("Account/acme", json!({"renewal_date": "2026-05-15"}));
    w.at("2026-04-14T23:59:59Z");
    assert_eq!(w.actions(), Vec::<String>::new(), "not at the date it first read");
    w.at("2026-04-15T00:00:00Z");
    assert_eq!(w.actions(), ["notify_slack Renewal of Acme in 30 days to #cs (prepare)"]);
    assert_eq!(
        w.history(),
        [
            "enrolled by `account.health falls`",
            "waiting until 2026-04-01T00:00:00Z",
            "waiting until 2026-04-15T00:00:00Z",
            "step prepare",
            "completed"
        ]
    );
}

#[test]
fn wait_until_a_moment_moved_into_the_past_goes_on_at_once() {
    let mut w = World::new(UNTIL);
    w.given("Account/acme", account(json!({"renewal_date": "2026-05-01"})));
    w.upsert("Account/acme", json!({"health": 10}));
    w.after("1d");
    w.upsert("Account/acme", json!({"renewal_date": "2026-03-20"}));
    assert_eq!(w.actions(), ["notify_slack Renewal of Acme in 30 days to #cs (prepare)"]);
    assert_eq!(crate::harness::text(w.produced[0].at), "2026-03-03T09:00:00Z");
}

const WAIT_FOR: &str = r##"playbook come_back {
  for account: Account
  on account.health falls
  wait for Login where (event.feature ?? "") == "reports" timeout 5d
  step thanks when not timed_out {
    notify slack "#cs" "{account.name} is back"
  }
  step nudge when timed_out {
    task "Call {account.name}" to account.owner
  }
}
"##;

fn waiting_for_login() -> World {
    let mut w = World::new(WAIT_FOR);
    w.given("Account/acme", account(json!({})));
    w.given("Contact/vic", contact("acme", json!({})));
    w.upsert("Account/acme", json!({"health": 10}));
    w
}

#[test]
fn wait_for_an_event_that_comes_goes_on_with_timed_out_false() {
    let mut w = waiting_for_login();
    w.after("2d");
    w.event("Login", "vic", json!({"feature": "reports"}));
    assert_eq!(w.actions(), ["notify_slack Acme is back to #cs (thanks)"]);
    assert_eq!(
        w.history(),
        [
            "enrolled by `account.health falls`",
            "waiting for Login until 2026-03-07T09:00:00Z",
            "step thanks",
            "step nudge skipped: the filter `timed_out` is false",
            "completed"
        ]
    );
    w.after("5d");
    assert_eq!(w.actions(), Vec::<String>::new(), "the timeout is forgotten");
}

#[test]
fn wait_for_an_event_that_does_not_come_goes_on_at_the_timeout_with_timed_out_true() {
    let mut w = waiting_for_login();
    w.at("2026-03-07T08:59:59Z");
    assert_eq!(w.actions(), Vec::<String>::new());
    w.at("2026-03-07T09:00:00Z");
    assert_eq!(w.actions(), ["task Call Acme to jo@example.com (nudge)"]);
    assert_eq!(
        w.history()[2..],
        ["step thanks skipped: the filter `not timed_out` is false", "step nudge", "completed"]
    );
}

#[test]
fn wait_for_ignores_events_its_where_clause_rejects() {
    let mut w = waiting_for_login();
    w.after("1d");
    w.event("Login", "vic", json!({"feature": "billing"}));
    w.event("Login", "vic", json!({}));
    assert_eq!(w.actions(), Vec::<String>::new());
    w.event("Login", "vic", json!({"feature": "reports"}));
    assert_eq!(w.actions(), ["notify_slack Acme is back to #cs (thanks)"]);
}

const LATER_WAIT_FOR: &str = r##"playbook later {
  for account: Account
  on account.health falls
  step first {
    notify slack "#cs" "first"
  }
  wait 1d
  wait for Login timeout 5d
  step back when not timed_out {
    notify slack "#cs" "back"
  }
}
"##;

#[test]
fn an_event_that_arrived_while_the_run_waited_at_an_earlier_step_does_not_count() {
    let mut w = World::new(LATER_WAIT_FOR);
    w.given("Account/acme", account(json!({})));
    w.given("Contact/vic", contact("acme", json!({})));
    w.upsert("Account/acme", json!({"health": 10}));
    w.after("12h");
    w.event("Login", "vic", json!({}));
    w.after("6d");
    assert_eq!(w.actions(), ["notify_slack first to #cs (first)"]);
    assert_eq!(w.history().last().map(String::as_str), Some("completed"));
}

#[test]
fn an_event_in_the_same_instant_as_the_wait_starts_counts() {
    let mut w = World::new(LATER_WAIT_FOR);
    w.given("Account/acme", account(json!({})));
    w.given("Contact/vic", contact("acme", json!({})));
    w.upsert("Account/acme", json!({"health": 10}));
    // The `wait 1d` ends at 09:00 the next day, when the login comes.
    w.at("2026-03-03T09:00:00Z");
    w.event("Login", "vic", json!({}));
    assert_eq!(w.actions(), ["notify_slack first to #cs (first)", "notify_slack back to #cs (back)"]);
}

#[test]
fn an_event_just_before_the_change_that_starts_the_wait_in_the_same_instant_counts() {
    let mut w = World::new(
        r##"playbook at_once {
  for account: Account
  on account.health falls
  wait for Login timeout 5d
  step back when not timed_out {
    notify slack "#cs" "back"
  }
}
"##,
    );
    w.given("Account/acme", account(json!({})));
    w.given("Contact/vic", contact("acme", json!({})));
    w.event("Login", "vic", json!({}));
    w.upsert("Account/acme", json!({"health": 10}));
    assert_eq!(w.actions(), ["notify_slack back to #cs (back)"]);
}

#[test]
fn the_event_that_started_the_run_does_not_satisfy_its_wait_for() {
    let mut w = World::new(
        r##"playbook second_login {
  for account: Account
  on event Login
  wait for Login timeout 7d
  step again when not timed_out {
    notify slack "#cs" "{account.name} came back"
  }
}
"##,
    );
    w.given("Account/acme", account(json!({})));
    w.given("Contact/vic", contact("acme", json!({})));
    w.event("Login", "vic", json!({}));
    assert_eq!(w.actions(), Vec::<String>::new());
    w.after("1d");
    w.event("Login", "vic", json!({}));
    assert_eq!(w.actions(), ["notify_slack Acme came back to #cs (again)"]);
}

#[test]
fn one_event_satisfies_one_wait_for_and_not_the_next() {
    let mut w = World::new(
        r##"playbook two_logins {
  for account: Account
  on account.health falls
  wait for Login timeout 7d
  step first when not timed_out {
    notify slack "#cs" "one login"
  }
  wait for Login timeout 7d
  step second when not timed_out {
    notify slack "#cs" "two logins"
  }
}
"##,
    );
    w.given("Account/acme", account(json!({})));
    w.given("Contact/vic", contact("acme", json!({})));
    w.upsert("Account/acme", json!({"health": 10}));
    w.after("1d");
    w.event("Login", "vic", json!({}));
    assert_eq!(w.actions(), ["notify_slack one login to #cs (first)"]);
    w.after("1d");
    w.event("Login", "vic", json!({}));
    assert_eq!(w.actions(), ["notify_slack two logins to #cs (second)"]);
}
