//! Simulated time far ahead costs only what can happen in it: `every` schedule firings that
//! enrol nobody (a false condition that does not read the clock) keep nothing and are
//! skipped in one step when the run history is not kept, with the same actions as firing
//! each of them.

use play_runtime::change::parse_change;
use play_runtime::engine::Engine;
use play_runtime::store::{MemoryStore, Store};

use crate::direct::{self, Project};

/// Ten accounts untouched since January, in a stage the weekly `quiet_accounts` playbook
/// does not look at (its condition on the stage reads no clock).
fn accounts() -> String {
    let mut lines = String::new();
    for a in 0..10 {
        let stage = "Onboarding";
        lines.push_str(&format!(
            r#"{{"at":"2026-03-02T08:00:00Z","change":"upsert","record":"Account","id":"a{a}","fields":{{"name":"A{a}","tier":"Smb","arr":10000,"stage":"{stage}","health":70,"owner":"jo@example.com","weekly_active_users":5,"tags":[],"last_activity_at":"2026-01-01T00:00:00Z"}}}}"#
        ));
        lines.push('\n');
    }
    lines
}

/// Replays `lines`, then runs the clock to `until`; the actions and the engine.
fn run(project: &Project, lines: &str, until: i64, keep_history: bool) -> (Vec<String>, Engine<MemoryStore>) {
    let store = MemoryStore::new(project.program.schema.records.len());
    let mut engine = Engine::new(project.program.clone(), project.workspace.clone(), store, 1_772_438_400);
    engine.keep_history = keep_history;
    let mut out = Vec::new();
    for line in lines.lines() {
        let change = parse_change(line, &project.program, &project.workspace).expect("a valid change");
        engine.ingest(change).expect("taken");
        out.extend(engine.take_actions().iter().map(|a| a.to_json_line()));
    }
    engine.advance_to(until);
    out.extend(engine.take_actions().iter().map(|a| a.to_json_line()));
    (out, engine)
}

#[test]
fn a_clock_run_to_the_year_9999_skips_schedule_firings_that_can_do_nothing_and_keeps_no_history() {
    let project = direct::customer_success();
    let lines = accounts();
    let year_9999 = 253_402_214_400 - 86_400;
    let (_, mut engine) = run(project, &lines, year_9999, false);
    assert!(engine.history.is_empty(), "no history is kept unless asked for");
    // Timers scheduled (which share the store's sequence with ids): a handful, not one
    // per week of eight thousand years (about 415,000).
    let scheduled = engine.store.next_id();
    assert!(scheduled < 1_000, "{scheduled} timers scheduled");
    assert_eq!(engine.now(), year_9999);
}

#[test]
fn skipping_quiet_schedule_firings_gives_the_actions_of_firing_each_one() {
    let project = direct::customer_success();
    let mut lines = accounts();
    // Quiet weeks, then one account in a watched stage for a while (a check-in task), then quiet again.
    lines.push_str(
        r#"{"at":"2026-09-07T10:00:00Z","change":"upsert","record":"Account","id":"a5","fields":{"stage":"Renewal"}}"#,
    );
    lines.push('\n');
    lines.push_str(
        r#"{"at":"2027-02-01T10:00:00Z","change":"upsert","record":"Account","id":"a5","fields":{"stage":"Churned"}}"#,
    );
    lines.push('\n');
    let until = 1_830_000_000; // 2027-12-28
    let (kept, mut every) = run(project, &lines, until, true);
    let (skipped, mut quiet) = run(project, &lines, until, false);
    assert!(kept.iter().any(|a| a.contains("Check in with A5")), "the watched account is checked in on");
    assert_eq!(kept, skipped);
    assert!(quiet.history.is_empty());
    // The quiet weeks were skipped (timers share the store's sequence with ids).
    assert!(quiet.store.next_id() + 50 < every.store.next_id());
}

#[test]
fn an_engine_that_keeps_nothing_to_close_actions_still_produces_them() {
    let project = direct::customer_success();
    let mut engines = [true, false].map(|closable| {
        let store = MemoryStore::new(project.program.schema.records.len());
        let mut engine = Engine::new(project.program.clone(), project.workspace.clone(), store, 1_772_438_400);
        engine.keep_closable = closable;
        for line in accounts().lines().take(1) {
            engine.ingest(parse_change(line, &project.program, &project.workspace).expect("valid")).expect("taken");
        }
        engine
    });
    let [kept, replay] = &mut engines;
    let (a, b) = (kept.take_actions(), replay.take_actions());
    assert!(!a.is_empty());
    assert_eq!(
        a.iter().map(|a| a.to_json_line()).collect::<Vec<_>>(),
        b.iter().map(|a| a.to_json_line()).collect::<Vec<_>>()
    );
    assert!(kept.complete(a[0].seq), "kept: it can be closed");
    assert!(!replay.complete(b[0].seq), "a replay keeps nothing to close it with");
}
