//! Versions: what a new program does to runs in flight (`inflight keep`, `migrate`,
//! `cancel`), which version new enrolments use, and what the run history records.

use serde_json::json;

use crate::harness::{account, outcome, World};

fn onboarding(version: &str, inflight: &str, last_step: &str) -> String {
    format!(
        r##"playbook onboarding {{
  for account: Account
  inflight {inflight}
  on created
  step welcome {{
    notify slack "#cs" "{version} welcome {{account.name}}"
  }}
  wait 3d
  step {last_step} {{
    notify slack "#cs" "{version} check-in {{account.name}}"
  }}
}}
"##
    )
}

/// Acme enrolled on v1 and waiting, then v2 deployed a day later.
fn deployed(inflight: &str, last_step: &str) -> (World, String, String) {
    let mut w = World::new(&onboarding("v1", "keep", "check_in"));
    let v1 = w.version("onboarding");
    w.upsert("Account/acme", account(json!({})));
    w.after("1d");
    w.reload(&onboarding("v2", inflight, last_step));
    let v2 = w.version("onboarding");
    assert_ne!(v1, v2);
    (w, v1, v2)
}

/// The run history since the last look, each entry with the version it names.
fn by_version(w: &mut World, v1: &str, v2: &str) -> Vec<String> {
    let label = |v: &str| {
        if v == v1 {
            "v1"
        } else if v == v2 {
            "v2"
        } else {
            "v?"
        }
        .to_string()
    };
    w.fresh_history()
        .iter()
        .map(|e| format!("{} {}: {}", e.record, label(&e.version), outcome(e).replace(v2, "v2")))
        .collect()
}

#[test]
fn inflight_keep_finishes_a_run_on_the_version_it_started_with() {
    let (mut w, v1, v2) = deployed("keep", "check_in");
    w.upsert("Account/globex", account(json!({"name": "Globex"})));
    w.after("3d");
    assert_eq!(
        w.actions(),
        [
            "notify_slack v1 welcome Acme to #cs (welcome)",
            "notify_slack v2 welcome Globex to #cs (welcome)",
            "notify_slack v1 check-in Acme to #cs (check_in)",
            "notify_slack v2 check-in Globex to #cs (check_in)"
        ]
    );
    assert_eq!(
        by_version(&mut w, &v1, &v2),
        [
            "Account/acme v1: enrolled by `created`",
            "Account/acme v1: step welcome",
            "Account/acme v1: waiting until 2026-03-05T09:00:00Z",
            "Account/globex v2: enrolled by `created`",
            "Account/globex v2: step welcome",
            "Account/globex v2: waiting until 2026-03-06T09:00:00Z",
            "Account/acme v1: step check_in",
            "Account/acme v1: completed",
            "Account/globex v2: step check_in",
            "Account/globex v2: completed"
        ]
    );
}

#[test]
fn inflight_migrate_moves_a_run_to_the_step_of_the_same_name() {
    let (mut w, v1, v2) = deployed("migrate", "check_in");
    w.after("3d");
    assert_eq!(
        w.actions(),
        ["notify_slack v1 welcome Acme to #cs (welcome)", "notify_slack v2 check-in Acme to #cs (check_in)"]
    );
    assert_eq!(
        by_version(&mut w, &v1, &v2)[3..],
        ["Account/acme v1: migrated to v2", "Account/acme v2: step check_in", "Account/acme v2: completed"]
    );
    assert_eq!(crate::harness::text(w.produced[1].at), "2026-03-05T09:00:00Z", "it keeps its timer");
}

#[test]
fn inflight_migrate_ends_a_run_whose_step_is_gone() {
    let (mut w, v1, v2) = deployed("migrate", "follow_up");
    w.after("3d");
    assert_eq!(w.actions(), ["notify_slack v1 welcome Acme to #cs (welcome)"]);
    assert_eq!(
        by_version(&mut w, &v1, &v2)[3..],
        ["Account/acme v1: exited: its step is gone from the new version (inflight migrate)"]
    );
}

#[test]
fn inflight_cancel_ends_runs_in_flight() {
    let (mut w, v1, v2) = deployed("cancel", "check_in");
    w.after("3d");
    assert_eq!(w.actions(), ["notify_slack v1 welcome Acme to #cs (welcome)"]);
    assert_eq!(
        by_version(&mut w, &v1, &v2)[3..],
        ["Account/acme v1: cancelled: the playbook changed (inflight cancel)"]
    );
}

#[test]
fn a_run_of_a_playbook_whose_text_did_not_change_carries_on_across_a_deploy() {
    let src = onboarding("v1", "cancel", "check_in");
    let mut w = World::new(&src);
    w.upsert("Account/acme", account(json!({})));
    w.after("1d");
    w.history();
    w.reload(&format!(
        r##"playbook other {{
  for account: Account
  on deleted
  step bye {{
    notify slack "#cs" "bye"
  }}
}}
{src}"##
    ));
    w.after("3d");
    assert_eq!(
        w.actions(),
        ["notify_slack v1 welcome Acme to #cs (welcome)", "notify_slack v1 check-in Acme to #cs (check_in)"]
    );
    assert_eq!(w.history(), ["step check_in", "completed"]);
}

#[test]
fn a_newly_deployed_playbook_does_not_fire_for_changes_before_it() {
    let mut w = World::new(&onboarding("v1", "keep", "check_in"));
    w.given("Account/acme", account(json!({})));
    w.reload(&format!(
        r##"{}playbook late {{
  for account: Account
  on created or updated
  step hello {{
    notify slack "#cs" "late"
  }}
}}
"##,
        onboarding("v1", "keep", "check_in")
    ));
    w.after("1w");
    assert_eq!(w.actions(), Vec::<String>::new());
    w.upsert("Account/acme", json!({"health": 50}));
    assert_eq!(w.actions(), ["notify_slack late to #cs (hello)"]);
}

const DATE: &str = r##"playbook renewal {
  for account: Account
  on date account.renewal_date - 30d at 09:00
  step prepare {
    notify slack "#cs" "Renewal of {account.name} in 30 days"
  }
}
"##;

#[test]
fn a_newly_deployed_date_trigger_fires_for_records_already_there() {
    let mut w = World::new(&onboarding("v1", "keep", "check_in"));
    w.given("Account/acme", account(json!({"renewal_date": "2026-04-10"})));
    w.reload(DATE);
    w.at("2026-03-11T09:00:00Z");
    assert_eq!(w.actions(), ["notify_slack Renewal of Acme in 30 days to #cs (prepare)"]);
}

#[test]
fn after_a_deploy_timed_triggers_fire_for_their_own_playbook_only() {
    let daily = r##"playbook daily {
  for account: Account
  on every day at 08:00
  step morning {
    notify slack "#cs" "Morning {account.name}"
  }
}
"##;
    let hello = r##"playbook hello {
  for account: Account
  on updated
  step hello {
    notify slack "#cs" "Hello {account.name}"
  }
}
"##;
    let mut w = World::new(&format!("{DATE}{hello}{daily}"));
    w.given("Account/acme", account(json!({"renewal_date": "2026-04-10"})));
    // The new program moves every playbook to another place and drops the schedule.
    w.reload(&format!("{}{DATE}{hello}", onboarding("v1", "keep", "check_in")));
    w.at("2026-03-11T09:00:00Z");
    assert_eq!(w.actions_tagged(), ["Account/acme renewal: notify_slack Renewal of Acme in 30 days to #cs (prepare)"]);
}

#[test]
fn a_deleted_record_keeps_no_date_trigger_across_a_deploy() {
    let hello = r##"playbook hello {
  for account: Account
  on updated
  step hello {
    notify slack "#cs" "Hello {account.name}"
  }
}
"##;
    let mut w = World::new(DATE);
    w.given("Account/acme", account(json!({"renewal_date": "2026-04-10"})));
    w.after("1d");
    w.delete("Account/acme");
    w.reload(&format!("{hello}{DATE}"));
    w.upsert("Account/acme", account(json!({})));
    w.at("2026-03-12T00:00:00Z");
    assert_eq!(w.actions(), Vec::<String>::new());
}

const AT_RISK: &str = r##"segment at_risk for account: Account = account.health < 50

playbook rescue {
  for account: Account
  on enters at_risk or leaves at_risk
  step tell {
    notify slack "#cs" "at risk: {account.health < 50}"
  }
}
"##;

#[test]
fn a_deploy_that_adds_or_removes_a_segment_keeps_every_record_in_the_segments_it_was_in() {
    let mut w = World::new(AT_RISK);
    w.upsert("Account/acme", account(json!({"health": 40})));
    assert_eq!(w.actions(), ["notify_slack at risk: true to #cs (tell)"]);
    // A segment before `at_risk` moves it one place on: acme is still in it, nothing fires.
    w.reload(&format!("segment big for account: Account = account.arr > 1\n{AT_RISK}"));
    w.upsert("Account/acme", json!({"health": 45}));
    assert_eq!(w.actions(), Vec::<String>::new(), "no entering again");
    // And back: acme leaves once it recovers, as it would have without the deploys.
    w.reload(AT_RISK);
    w.upsert("Account/acme", json!({"health": 42}));
    assert_eq!(w.actions(), Vec::<String>::new(), "no entering again");
    w.upsert("Account/acme", json!({"health": 80}));
    assert_eq!(w.actions(), ["notify_slack at risk: false to #cs (tell)"], "it leaves");
}
