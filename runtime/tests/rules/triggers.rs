//! Triggers: every form of `on`, what fires it and what does not, and `or`.

use serde_json::json;

use crate::harness::{account, contact, World};

/// A playbook for accounts with the given triggers and one task.
fn on(triggers: &str) -> String {
    format!(
        r##"playbook watch {{
  for account: Account
  on {triggers}
  step review {{
    task "Review {{account.name}}" to account.owner
  }}
}}
"##
    )
}

const REVIEW: &str = "task Review Acme to jo@example.com (review)";

#[test]
fn event_on_the_subject_enrols_it() {
    let mut w = World::new(&on("event TicketOpened"));
    w.given("Account/acme", account(json!({})));
    w.event("TicketOpened", "acme", json!({"severity": "High", "subject": "Down"}));
    assert_eq!(w.actions(), [REVIEW]);
    assert_eq!(w.history(), ["enrolled by `event TicketOpened`", "step review", "completed"]);
}

#[test]
fn event_on_a_contact_enrols_the_account_it_belongs_to() {
    let mut w = World::new(&on("event Login"));
    w.given("Account/acme", account(json!({})));
    w.given("Account/globex", account(json!({"name": "Globex"})));
    w.given("Contact/vic", contact("acme", json!({})));
    w.event("Login", "vic", json!({}));
    assert_eq!(w.actions_tagged(), [format!("Account/acme watch: {REVIEW}")]);
}

#[test]
fn becomes_fires_only_when_the_field_changes_to_the_value() {
    let mut w = World::new(&on("account.stage becomes Renewal"));
    w.given("Account/acme", account(json!({"stage": "Adoption"})));
    w.upsert("Account/acme", json!({"health": 60}));
    assert_eq!(w.actions(), Vec::<String>::new(), "another field changed");
    w.upsert("Account/acme", json!({"stage": "Renewal"}));
    assert_eq!(w.actions(), [REVIEW], "the stage became Renewal");
    w.upsert("Account/acme", json!({"stage": "Renewal", "health": 50}));
    assert_eq!(w.actions(), Vec::<String>::new(), "the stage was Renewal already");
    w.upsert("Account/acme", json!({"stage": "Churned"}));
    assert_eq!(w.actions(), Vec::<String>::new(), "the stage became something else");
}

#[test]
fn rises_fires_when_a_number_goes_up_and_not_down() {
    let mut w = World::new(&on("account.health rises"));
    w.given("Account/acme", account(json!({"health": 72})));
    w.upsert("Account/acme", json!({"health": 60}));
    assert_eq!(w.actions(), Vec::<String>::new());
    w.upsert("Account/acme", json!({"health": 61}));
    assert_eq!(w.actions(), [REVIEW]);
}

#[test]
fn falls_fires_when_a_number_goes_down_and_not_up() {
    let mut w = World::new(&on("account.health falls"));
    w.given("Account/acme", account(json!({"health": 72})));
    w.upsert("Account/acme", json!({"health": 80}));
    assert_eq!(w.actions(), Vec::<String>::new());
    w.upsert("Account/acme", json!({"health": 41}));
    assert_eq!(w.actions(), [REVIEW]);
}

const SEGMENT: &str = "segment enterprise for account: Account = account.tier == Enterprise\n";

#[test]
fn enters_fires_when_the_record_joins_the_segment() {
    let mut w = World::new(&format!("{SEGMENT}{}", on("enters enterprise")));
    w.given("Account/acme", account(json!({"tier": "Smb"})));
    w.upsert("Account/acme", json!({"health": 50}));
    assert_eq!(w.actions(), Vec::<String>::new(), "a field the segment does not read changed");
    w.upsert("Account/acme", json!({"tier": "Enterprise"}));
    assert_eq!(w.actions(), [REVIEW]);
    w.upsert("Account/acme", json!({"arr": 300000}));
    assert_eq!(w.actions(), Vec::<String>::new(), "already a member");
}

#[test]
fn leaves_fires_when_the_record_drops_out_of_the_segment() {
    let mut w = World::new(&format!("{SEGMENT}{}", on("leaves enterprise")));
    // A record set up with `given` is a member without entering.
    w.given("Account/acme", account(json!({"tier": "Enterprise"})));
    assert_eq!(w.actions(), Vec::<String>::new());
    w.upsert("Account/acme", json!({"tier": "MidMarket"}));
    assert_eq!(w.actions(), [REVIEW]);
    w.upsert("Account/acme", json!({"tier": "Smb"}));
    assert_eq!(w.actions(), Vec::<String>::new(), "no longer a member");
}

#[test]
fn created_fires_on_the_first_upsert_and_not_on_later_ones() {
    let mut w = World::new(&on("created"));
    w.upsert("Account/acme", account(json!({})));
    assert_eq!(w.actions(), [REVIEW]);
    w.upsert("Account/acme", json!({"health": 10}));
    assert_eq!(w.actions(), Vec::<String>::new());
}

#[test]
fn updated_fires_on_any_change_but_not_on_creation_or_a_change_to_the_same_values() {
    let mut w = World::new(&on("updated"));
    w.upsert("Account/acme", account(json!({})));
    assert_eq!(w.actions(), Vec::<String>::new(), "created, not updated");
    w.upsert("Account/acme", json!({"health": 72, "name": "Acme"}));
    assert_eq!(w.actions(), Vec::<String>::new(), "the same values are no change");
    w.upsert("Account/acme", json!({"plan": "Pro"}));
    assert_eq!(w.actions(), [REVIEW]);
}

#[test]
fn updated_with_fields_fires_for_those_fields_and_not_for_others() {
    let mut w = World::new(&on("updated account.owner, account.tier"));
    w.given("Account/acme", account(json!({})));
    w.upsert("Account/acme", json!({"health": 10, "plan": "Pro"}));
    assert_eq!(w.actions(), Vec::<String>::new());
    w.upsert("Account/acme", json!({"owner": "al@example.com"}));
    assert_eq!(w.actions(), ["task Review Acme to al@example.com (review)"]);
    w.complete_all();
    w.upsert("Account/acme", json!({"tier": "Smb", "health": 20}));
    assert_eq!(w.actions(), ["task Review Acme to al@example.com (review)"]);
}

#[test]
fn deleted_fires_with_the_record_s_last_fields() {
    let mut w = World::new(&on("deleted"));
    w.given("Account/acme", account(json!({})));
    w.delete("Account/acme");
    assert_eq!(w.actions(), [REVIEW]);
    let record = w.engine.program().schema.record_named("Account").expect("a standard record") as u32;
    assert!(!w.engine.store_record_exists(record, "acme"));
}

const DATE: &str = r##"playbook renewal {
  for account: Account
  on date account.renewal_date - 90d at 09:00
  step review {
    task "Renewal in 90 days for {account.name}" to account.owner
  }
}
"##;

const NEW_YORK: &str = "[workspace]\ntime_zone = \"America/New_York\"";

#[test]
fn date_trigger_fires_on_that_day_at_the_local_time_of_the_workspace() {
    let mut w = World::in_workspace(DATE, NEW_YORK);
    // 2026-06-08 - 90d is 2026-03-10; 09:00 in New York is 13:00 UTC (daylight time).
    w.given("Account/acme", account(json!({"renewal_date": "2026-06-08"})));
    w.at("2026-03-10T12:59:59Z");
    assert_eq!(w.actions(), Vec::<String>::new());
    w.at("2026-03-10T13:00:00Z");
    let actions = w.take();
    assert_eq!(actions.len(), 1);
    assert_eq!(crate::harness::text(actions[0].at), "2026-03-10T13:00:00Z");
    assert_eq!(&*actions[0].context.trigger, "date account.renewal_date - 90d at 09:00");
}

#[test]
fn date_trigger_is_rescheduled_when_the_date_field_changes() {
    let mut w = World::new(DATE);
    w.given("Account/acme", account(json!({"renewal_date": "2026-06-08"})));
    w.upsert("Account/acme", json!({"renewal_date": "2026-06-15"}));
    w.at("2026-03-16T23:00:00Z");
    assert_eq!(w.actions(), Vec::<String>::new(), "not at the old date");
    w.at("2026-03-17T09:00:00Z");
    assert_eq!(w.actions(), ["task Renewal in 90 days for Acme to jo@example.com (review)"]);
}

#[test]
fn date_trigger_is_not_retroactive() {
    let mut w = World::new(DATE);
    // 2026-05-31 - 90d is 2026-03-02, and 09:00 that day is now: already past.
    w.given("Account/acme", account(json!({"renewal_date": "2026-05-31"})));
    // Moved from the future into the past, it does not fire either.
    w.given("Account/globex", account(json!({"name": "Globex", "renewal_date": "2026-07-01"})));
    w.after("1h");
    w.upsert("Account/globex", json!({"renewal_date": "2026-05-20"}));
    w.after("20w");
    assert_eq!(w.actions(), Vec::<String>::new());
}

#[test]
fn every_day_schedule_enrols_each_record_of_the_subject_type() {
    let mut w = World::new(
        r##"playbook daily {
  for account: Account
  on every day at 08:00
  step morning {
    notify slack "#cs" "Morning, {account.name}"
  }
}
"##,
    );
    w.given("Account/acme", account(json!({})));
    w.given("Account/globex", account(json!({"name": "Globex"})));
    w.at("2026-03-04T08:00:00Z");
    assert_eq!(
        w.actions_tagged(),
        [
            "Account/acme daily: notify_slack Morning, Acme to #cs (morning)",
            "Account/globex daily: notify_slack Morning, Globex to #cs (morning)",
            "Account/acme daily: notify_slack Morning, Acme to #cs (morning)",
            "Account/globex daily: notify_slack Morning, Globex to #cs (morning)",
        ]
    );
    let at: Vec<String> = w.produced.iter().map(|a| crate::harness::text(a.at)).collect();
    assert_eq!(at, ["2026-03-03T08:00:00Z", "2026-03-03T08:00:00Z", "2026-03-04T08:00:00Z", "2026-03-04T08:00:00Z"]);
}

/// The days on which a schedule fired for `acme`, from Monday 09:00 for two weeks.
fn schedule_days(every: &str) -> Vec<String> {
    let mut w = World::new(&format!(
        r##"playbook scheduled {{
  for account: Account
  on every {every} at 08:00
  step morning {{
    notify slack "#cs" "Morning"
  }}
}}
"##
    ));
    w.given("Account/acme", account(json!({})));
    w.after("2w");
    w.take().iter().map(|a| crate::harness::text(a.at)[..10].to_string()).collect()
}

#[test]
fn every_weekday_schedule_fires_monday_to_friday() {
    assert_eq!(
        schedule_days("weekday"),
        [
            "2026-03-03",
            "2026-03-04",
            "2026-03-05",
            "2026-03-06",
            "2026-03-09",
            "2026-03-10",
            "2026-03-11",
            "2026-03-12",
            "2026-03-13",
            "2026-03-16"
        ]
    );
}

#[test]
fn every_monday_schedule_fires_on_mondays_only() {
    assert_eq!(schedule_days("monday"), ["2026-03-09", "2026-03-16"]);
}

#[test]
fn or_joined_triggers_each_fire_the_playbook() {
    let mut w = World::new(&on("account.health falls or event TicketOpened"));
    w.given("Account/acme", account(json!({})));
    w.upsert("Account/acme", json!({"health": 50}));
    assert_eq!(w.actions(), [REVIEW]);
    w.complete_all();
    w.event("TicketOpened", "acme", json!({"severity": "Low", "subject": "Slow"}));
    assert_eq!(w.actions(), [REVIEW]);
    let triggers: Vec<String> = w.produced.iter().map(|a| a.context.trigger.to_string()).collect();
    assert_eq!(triggers, ["account.health falls", "event TicketOpened"]);
}

#[test]
fn a_change_that_matches_several_triggers_enrols_once_by_the_first() {
    let mut w = World::new(&on("updated account.tier or account.health falls\n  on updated"));
    w.given("Account/acme", account(json!({})));
    w.upsert("Account/acme", json!({"health": 50, "tier": "Smb"}));
    assert_eq!(w.actions(), [REVIEW]);
    assert_eq!(w.history()[0], "enrolled by `updated account.tier`");
}

#[test]
fn date_trigger_does_not_fire_for_a_record_deleted_before_the_moment() {
    let mut w = World::new(DATE);
    w.given("Account/acme", account(json!({"renewal_date": "2026-06-08"})));
    w.after("1d");
    w.delete("Account/acme");
    w.at("2026-03-11T00:00:00Z");
    assert_eq!((w.actions(), w.history()), (Vec::<String>::new(), Vec::<String>::new()));
}

#[test]
fn becomes_fires_when_a_record_is_created_with_the_value() {
    let mut w = World::new(&on("account.stage becomes Renewal"));
    w.upsert("Account/acme", account(json!({"stage": "Renewal"})));
    w.upsert("Account/globex", account(json!({"name": "Globex", "stage": "Adoption"})));
    assert_eq!(w.actions_tagged(), [format!("Account/acme watch: {REVIEW}")]);
}

/// A schedule tests its playbook's conditions over all the records of its type at once
/// (one pass a condition): each record is enrolled, or not with the conditions' values,
/// or fails at the condition's fault, as when its conditions are tested one by one.
#[test]
fn a_schedule_tests_its_conditions_over_every_record() {
    let mut w = World::new(
        r##"playbook daily {
  for account: Account
  on every day at 08:00
  when account.tier == Enterprise and account.name != "Globex"
  when account.health < 80 and account.arr / account.weekly_active_users > 1000
  step morning {
    notify slack "#cs" "Morning, {account.name}"
  }
}
"##,
    );
    w.given("Account/acme", account(json!({})));
    w.given("Account/globex", account(json!({"name": "Globex"})));
    w.given("Account/initech", account(json!({"name": "Initech", "tier": "Smb"})));
    w.given("Account/hooli", account(json!({"name": "Hooli", "health": 90})));
    w.given("Account/umbrella", account(json!({"name": "Umbrella", "weekly_active_users": 0})));
    w.history();
    w.at("2026-03-03T08:00:00Z");
    assert_eq!(w.actions_tagged(), ["Account/acme daily: notify_slack Morning, Acme to #cs (morning)"]);
    let mut history = w.history_tagged();
    history.sort();
    let (first, second) = (
        "account.tier == Enterprise and account.name != \"Globex\"",
        "account.health < 80 and account.arr / account.weekly_active_users > 1000",
    );
    let trigger = "by `every day at 08:00`";
    assert_eq!(
        history,
        [
            "Account/acme daily: completed".to_string(),
            format!("Account/acme daily: enrolled {trigger} [{first} is true, {second} is true]"),
            "Account/acme daily: step morning".to_string(),
            format!(
                "Account/globex daily: not enrolled {trigger}: the condition `{first}` is false [{first} is false, {second} is true]"
            ),
            format!(
                "Account/hooli daily: not enrolled {trigger}: the condition `{second}` is false [{first} is true, {second} is false]"
            ),
            format!(
                "Account/initech daily: not enrolled {trigger}: the condition `{first}` is false [{first} is false, {second} is true]"
            ),
            "Account/umbrella daily: failed at rules.play:5:32: division by zero".to_string(),
        ]
    );
}
