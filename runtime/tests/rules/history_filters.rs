//! History by who and what: `did(Login, by: account.champion)` looks at the events that
//! record performed, not those of any record of the account; `count(TicketOpened where
//! event.severity == High)` counts only the events that pass the filter.

use serde_json::json;

use crate::harness::{account, contact, World};

const BY: &str = r##"playbook champion_active {
  for account: Account
  on account.health falls
  when not did(Login, within: 3d, by: account.champion)
  step nudge { notify slack "#cs" "{account.name}: the champion has not logged in" }
}
"##;

#[test]
fn did_by_a_record_looks_at_the_events_that_record_performed() {
    let mut w = World::new(BY);
    w.given("Account/acme", account(json!({"champion": "vic"})));
    w.given("Contact/vic", contact("acme", json!({})));
    w.given("Contact/al", contact("acme", json!({"email": "al@acme.example"})));
    // Another contact of the account logs in: the champion has not.
    w.event("Login", "al", json!({}));
    w.upsert("Account/acme", json!({"health": 60}));
    assert_eq!(w.actions(), ["notify_slack Acme: the champion has not logged in to #cs (nudge)"]);
    w.event("Login", "vic", json!({}));
    w.upsert("Account/acme", json!({"health": 50}));
    assert_eq!(w.actions(), Vec::<String>::new());
    // Three days on, the login is out of the window.
    w.after("4d");
    w.upsert("Account/acme", json!({"health": 40}));
    assert_eq!(w.actions(), ["notify_slack Acme: the champion has not logged in to #cs (nudge)"]);
}

#[test]
fn did_by_an_empty_record_finds_no_event() {
    let mut w = World::new(BY);
    w.given("Account/acme", account(json!({})));
    w.given("Contact/al", contact("acme", json!({"email": "al@acme.example"})));
    w.event("Login", "al", json!({}));
    w.upsert("Account/acme", json!({"health": 60}));
    assert_eq!(w.actions(), ["notify_slack Acme: the champion has not logged in to #cs (nudge)"]);
}

#[test]
fn count_where_counts_only_the_events_that_pass_the_filter() {
    let mut w = World::new(
        r##"playbook escalate {
  for account: Account
  on event TicketOpened
  when count(TicketOpened where event.severity == High and account.tier == Enterprise, within: 30d) >= 2
  step page { notify slack "#cs" "{account.name}: {count(TicketOpened, within: 30d)} tickets" }
}
"##,
    );
    w.given("Account/acme", account(json!({})));
    let ticket = |severity: &str| json!({"severity": severity, "subject": "Down"});
    w.event("TicketOpened", "acme", ticket("High"));
    w.event("TicketOpened", "acme", ticket("Low"));
    assert_eq!(w.actions(), Vec::<String>::new());
    w.after("1d");
    w.event("TicketOpened", "acme", ticket("High"));
    assert_eq!(w.actions(), ["notify_slack Acme: 3 tickets to #cs (page)"]);
}

#[test]
fn last_where_is_the_latest_event_that_passes_the_filter() {
    let mut w = World::new(
        r##"playbook follow_up {
  for account: Account
  on event TicketOpened
  when trigger.event.severity == Low
  step note {
    notify slack "#cs" "latest high: {last(TicketOpened where event.severity == High).subject ?? "none"}"
  }
}
"##,
    );
    w.given("Account/acme", account(json!({})));
    w.event("TicketOpened", "acme", json!({"severity": "High", "subject": "Down"}));
    w.event("TicketOpened", "acme", json!({"severity": "High", "subject": "Slow"}));
    w.event("TicketOpened", "acme", json!({"severity": "Low", "subject": "Typo"}));
    assert_eq!(w.actions(), ["notify_slack latest high: Slow to #cs (note)"]);
}
