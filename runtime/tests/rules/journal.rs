//! The engine as a daemon drives it: late and out-of-order changes (placed at their `at`,
//! taken at their arrival), the time-order rule of a replay, what is handed over per batch
//! (actions' states included), and the limits on what it keeps.

use std::sync::Arc;

use play_runtime::change::parse_line;
use play_runtime::engine::{ActionState, Taken, FUTURE_TOLERANCE};
use play_runtime::vm::Data;
use serde_json::json;

use crate::harness::{account, moment, text, World};

const FALLS: &str = r##"playbook follow_up {
  for account: Account
  on account.health falls
  when account.health < 50
  step call {
    task "Call {account.name}" to account.owner due 2d
  }
}
"##;

fn upsert(at: &str, id: &str, fields: serde_json::Value) -> String {
    json!({"at": at, "change": "upsert", "record": "Account", "id": id, "fields": fields}).to_string()
}

/// Feeds a line that arrived at `arrival`.
fn arrive(w: &mut World, line: &str, arrival: &str) -> Result<Taken, String> {
    let l = parse_line(line, w.engine.program(), &w.engine.workspace).map_err(|r| r.message)?;
    w.engine.ingest_arrived(l.change, l.change_id, moment(arrival)).map_err(|r| r.message)
}

/// A world whose store keeps every field's history and every event, whatever the program
/// reads (these tests look at the history itself).
fn keeping_all(src: &str) -> World {
    let mut w = World::new(src);
    play_runtime::store::Store::set_retention(&mut w.engine.store, play_runtime::retention::Retention::default());
    w
}

fn health(w: &World, id: &str, at: Option<&str>) -> Option<play_runtime::value::Value> {
    let program = w.engine.program();
    let r = program.schema.record_named("Account").expect("Account");
    let slot = program.schema.records[r].slot("health").expect("health") as u32;
    match at {
        None => w.engine.store.record(r as u32, id).and_then(|f| f.get(slot as usize)),
        Some(at) => w.engine.store.value_at(r as u32, id, slot, moment(at)),
    }
}

#[test]
fn a_late_change_older_than_a_fields_value_goes_to_its_history_only() {
    let mut w = keeping_all(FALLS);
    let start = "2026-03-02T09:00:00Z";
    arrive(&mut w, &upsert(start, "acme", account(json!({"health": 80}))), start).expect("taken");
    arrive(&mut w, &upsert("2026-03-02T10:00:00Z", "acme", json!({"health": 60})), "2026-03-02T10:00:00Z")
        .expect("taken");
    // Sent at 09:30, arriving at 10:05: older than the 10:00 value.
    arrive(&mut w, &upsert("2026-03-02T09:30:00Z", "acme", json!({"health": 20})), "2026-03-02T10:05:00Z")
        .expect("taken");
    use play_runtime::value::Value::Num;
    assert_eq!(health(&w, "acme", None), Some(Num(60.0)), "the newer value stays");
    assert_eq!(health(&w, "acme", Some("2026-03-02T09:45:00Z")), Some(Num(20.0)), "the history has it in its place");
    assert_eq!(health(&w, "acme", Some("2026-03-02T09:15:00Z")), Some(Num(80.0)));
    assert!(w.actions().is_empty(), "a value that is not the record's fires nothing");
    assert_eq!(w.now(), "2026-03-02T10:05:00Z", "the clock is at the arrival");
}

#[test]
fn a_late_change_newer_than_the_fields_value_fires_at_its_arrival() {
    let mut w = keeping_all(FALLS);
    let start = "2026-03-02T09:00:00Z";
    arrive(&mut w, &upsert(start, "acme", account(json!({"health": 80, "name": "Acme"}))), start).expect("taken");
    arrive(&mut w, &upsert("2026-03-02T09:30:00Z", "acme", json!({"health": 20})), "2026-03-02T11:00:00Z")
        .expect("taken");
    let actions = w.take();
    assert_eq!(actions.len(), 1);
    assert_eq!(text(actions[0].at), "2026-03-02T11:00:00Z", "what it sets off happens when it arrived");
    assert_eq!(health(&w, "acme", Some("2026-03-02T09:45:00Z")), Some(play_runtime::value::Value::Num(20.0)));
}

#[test]
fn late_events_are_kept_in_time_order() {
    let mut w = keeping_all(FALLS);
    let start = "2026-03-02T09:00:00Z";
    let contact = json!({"at": start, "change": "upsert", "record": "Contact", "id": "vic",
        "fields": {"email": "vic@acme.example", "account": "acme", "opted_out": false}});
    arrive(&mut w, &upsert(start, "acme", account(json!({}))), start).expect("taken");
    arrive(&mut w, &contact.to_string(), start).expect("taken");
    let login = |at: &str| {
        json!({"at": at, "change": "event", "event": "Login", "subject": "vic", "fields": {"feature": "reports"}})
            .to_string()
    };
    arrive(&mut w, &login("2026-03-02T12:00:00Z"), "2026-03-02T12:00:00Z").expect("taken");
    arrive(&mut w, &login("2026-03-02T10:00:00Z"), "2026-03-02T12:30:00Z").expect("taken");
    arrive(&mut w, &login("2026-03-02T11:00:00Z"), "2026-03-02T12:40:00Z").expect("taken");
    let program = w.engine.program();
    let contact = program.schema.record_named("Contact").expect("Contact") as u32;
    let event = program.schema.events.iter().position(|e| e.name == "Login").expect("Login") as u32;
    let moments: Vec<String> = w.engine.store.events(contact, "vic", event).iter().map(|h| text(h.at)).collect();
    assert_eq!(moments, ["2026-03-02T10:00:00Z", "2026-03-02T11:00:00Z", "2026-03-02T12:00:00Z"]);
}

#[test]
fn a_change_stamped_too_far_ahead_of_its_arrival_is_refused_with_its_field() {
    let mut w = World::new(FALLS);
    let line = upsert("2026-03-02T10:00:00Z", "acme", account(json!({})));
    let l = parse_line(&line, w.engine.program(), &w.engine.workspace).expect("a line");
    let arrival = moment("2026-03-02T10:00:00Z") - FUTURE_TOLERANCE - 1;
    let refused = w.engine.ingest_arrived(l.change, None, arrival).expect_err("refused");
    assert_eq!(refused.field.as_deref(), Some("at"));
    assert_eq!(w.now(), "2026-03-02T09:00:00Z", "a refused change does not move the clock");
    // Within the tolerance it is taken, placed at the clock.
    let l = parse_line(&line, w.engine.program(), &w.engine.workspace).expect("a line");
    assert_eq!(w.engine.ingest_arrived(l.change, None, arrival + 1), Ok(Taken::Accepted));
}

#[test]
fn a_replay_refuses_a_change_before_the_clock() {
    let mut w = World::new(FALLS);
    w.at("2026-03-02T12:00:00Z");
    let l = parse_line(
        &upsert("2026-03-02T10:00:00Z", "acme", account(json!({}))),
        w.engine.program(),
        &w.engine.workspace,
    )
    .expect("a line");
    let refused = w.engine.ingest_in_order(l.change, Some(Arc::from("x"))).expect_err("refused");
    assert_eq!(refused.field.as_deref(), Some("at"));
    assert_eq!(
        refused.message,
        "`at` goes back in time (to 2026-03-02T10:00:00Z, after a change at 2026-03-02T12:00:00Z)"
    );
    assert!(!w.engine.is_duplicate("x"), "a refused change does not take its id");
}

/// Acme's health falls: one task to work.
fn with_task(hand_over: bool) -> (World, String) {
    let mut w = World::new(FALLS);
    w.engine.hand_over = hand_over;
    w.upsert("Account/acme", account(json!({"health": 80})));
    w.upsert("Account/acme", json!({"health": 30}));
    let out = w.engine.take_output();
    assert_eq!(out.actions.len(), 1);
    (w, out.actions[0].id.clone())
}

fn work(w: &mut World, op: serde_json::Value) -> Result<(), String> {
    let mut line = json!({"at": w.now(), "change": "action"});
    if let (Some(base), serde_json::Value::Object(op)) = (line.as_object_mut(), op) {
        base.extend(op);
    }
    arrive(w, &line.to_string(), &w.now()).map(|_| ())
}

#[test]
fn working_the_queue_hands_over_each_change_of_an_actions_state() {
    let (mut w, id) = with_task(true);
    work(&mut w, json!({"op": "snooze", "action": id, "until": "2026-03-04T09:00:00Z", "by": "jo@example.com"}))
        .expect("snoozed");
    let out = w.engine.take_output();
    let states: Vec<(ActionState, Option<String>)> = out.updates.iter().map(|u| (u.state, u.until.map(text))).collect();
    assert_eq!(states, [(ActionState::Snoozed, Some("2026-03-04T09:00:00Z".to_string()))]);
    assert_eq!(out.updates[0].by.as_deref(), Some("jo@example.com"));
    assert_eq!(out.updates[0].id, id);
    // The snooze falls due: the action is open again, at that moment.
    w.at("2026-03-05T09:00:00Z");
    let out = w.engine.take_output();
    let states: Vec<(ActionState, String)> = out.updates.iter().map(|u| (u.state, text(u.at))).collect();
    assert_eq!(states, [(ActionState::Open, "2026-03-04T09:00:00Z".to_string())]);
    work(&mut w, json!({"op": "complete", "action": id, "note": "called"})).expect("completed");
    let out = w.engine.take_output();
    assert_eq!(
        out.updates.iter().map(|u| (u.state, u.note.clone())).collect::<Vec<_>>(),
        [(ActionState::Done, Some("called".to_string()))]
    );
    assert!(!out.history.is_empty(), "the history of the batch is handed over too");
    assert!(w.engine.take_output().history.is_empty(), "and not kept");
}

#[test]
fn a_handing_over_engine_forgets_a_closed_action() {
    let (mut w, id) = with_task(true);
    work(&mut w, json!({"op": "dismiss", "action": id})).expect("dismissed");
    let again = work(&mut w, json!({"op": "complete", "action": id})).expect_err("refused");
    assert!(again.contains("there is no action"), "{again}");
    // Without handing over, the engine remembers it.
    let (mut w, id) = with_task(false);
    work(&mut w, json!({"op": "dismiss", "action": id})).expect("dismissed");
    let again = work(&mut w, json!({"op": "complete", "action": id})).expect_err("refused");
    assert!(again.contains("not open any more"), "{again}");
}

#[test]
fn every_command_closes_what_it_opened_refused_or_not() {
    let (mut w, _) = with_task(true);
    let refused = work(&mut w, json!({"op": "complete", "action": "no-such-action"}));
    assert!(refused.is_err());
    assert!(!w.engine.in_batch());
    w.after("3d");
    assert!(!w.engine.in_batch());
    assert!(!w.engine.complete(u64::MAX), "no such action");
    assert!(!w.engine.in_batch());
}

#[test]
fn a_program_no_run_follows_is_let_go() {
    let v = |version: &str| {
        format!(
            "playbook onboarding {{\n  for account: Account\n  inflight keep\n  on created\n  step welcome {{\n    notify slack \"#cs\" \"{version}\"\n  }}\n  wait 3d\n  step done {{\n    notify slack \"#cs\" \"{version} done\"\n  }}\n}}\n"
        )
    };
    let mut w = World::new(&v("v1"));
    w.upsert("Account/acme", account(json!({})));
    w.after("1d");
    w.reload(&v("v2"));
    assert_eq!(w.engine.programs_held(), 2, "acme's run still follows v1");
    w.after("3d");
    w.engine.take_output();
    assert_eq!(w.engine.programs_held(), 1, "once it ended, v1 is let go");
}

#[test]
fn a_run_over_the_step_cap_fails_with_the_limit_in_its_history() {
    let steps = play_runtime::engine::STEP_CAP + 1;
    let mut src = String::from("playbook long {\n  for account: Account\n  on created\n");
    for i in 0..steps {
        src += &format!("  step s{i} {{\n    notify slack \"#cs\" \"{i}\"\n  }}\n");
    }
    src += "}\n";
    let mut w = World::new(&src);
    w.upsert("Account/acme", account(json!({})));
    let out = w.engine.take_output();
    assert_eq!(out.actions.len(), play_runtime::engine::STEP_CAP, "the steps before the limit stand");
    let last = out.history.iter().rev().find(|h| matches!(h.outcome, play_runtime::engine::Outcome::Failed { .. }));
    let error = match last.map(|h| &h.outcome) {
        Some(play_runtime::engine::Outcome::Failed { error, .. }) => error.clone(),
        _ => panic!("no failure in the history"),
    };
    assert!(error.contains("more than 10000 steps"), "{error}");
}
