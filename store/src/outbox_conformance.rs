//! The conformance suite of [`Outbox`]: `run(|| a fresh store)` panics with the name of
//! the first rule the store breaks. Outbox rows come in through [`Store::append`], as the
//! engine thread writes them.

use crate::outbox::{Attempt, DeliveryQuery, DeliveryState, LogQuery, Outbox, Then};
use crate::{Batch, OutboxRow, Store};

/// Runs every rule against fresh stores made by `fresh`.
pub fn run<S: Store + Outbox>(mut fresh: impl FnMut() -> S) {
    rows_are_due_at_their_moment_in_order(&mut fresh());
    an_attempt_is_logged_and_moves_its_delivery(&mut fresh());
    a_retry_later_is_due_then(&mut fresh());
    dead_deliveries_come_back_by_hand_only(&mut fresh());
    orphans_wait_until_adopted(&mut fresh());
    deliveries_list_newest_first_by_state_and_kind(&mut fresh());
    opt_outs_are_set_and_cleared(&mut fresh());
    marks_start_at_zero_and_keep(&mut fresh());
    the_sync_log_is_filtered(&mut fresh());
    sync_settings_are_kept_by_scope(&mut fresh());
    rows_enqueued_by_delivery_are_due_once(&mut fresh());
    the_store_hands_out_its_outbox(&mut fresh());
}

fn row(id: &str, kind: &str, at: i64) -> OutboxRow {
    let sink = if kind == "email" { "smtp" } else { kind };
    OutboxRow { action_id: id.into(), kind: kind.into(), sink: sink.into(), at, json: format!("{{\"id\":\"{id}\"}}") }
}

fn put(s: &mut impl Store, rows: Vec<OutboxRow>) {
    s.append(&Batch { outbox: rows, ..Batch::default() }).unwrap();
}

fn attempt(id: &str, at: i64, n: u32, outcome: &str) -> Attempt {
    Attempt {
        action_id: id.into(),
        at,
        sink: "webhook".into(),
        record: "Account/acme".into(),
        teammate: Some("jo@example.com".into()),
        attempt: n,
        outcome: outcome.into(),
        code: "503".into(),
        message: "down for maintenance".into(),
        next_at: None,
    }
}

fn ids(d: &[crate::Delivery]) -> Vec<&str> {
    d.iter().map(|d| d.action_id.as_str()).collect()
}

fn rows_are_due_at_their_moment_in_order<S: Store + Outbox>(s: &mut S) {
    put(s, vec![row("b", "webhook", 20), row("a", "email", 10)]);
    put(s, vec![row("c", "webhook", 15), row("a", "email", 10)]);
    assert!(s.due_deliveries(9, 0, 10).unwrap().is_empty(), "outbox: nothing is due before its moment");
    let due = s.due_deliveries(100, 0, 10).unwrap();
    assert_eq!(ids(&due), ["b", "a", "c"], "outbox: due rows come in the order written, each once");
    assert!(due.iter().all(|d| d.state == DeliveryState::Pending && d.attempts == 0 && d.since.is_none()));
    s.seen(&["b", "a"], 50).unwrap();
    s.seen(&["a"], 60).unwrap();
    assert_eq!(s.delivery("a").unwrap().unwrap().since, Some(50), "outbox: the 30 days start when first seen, once");
    assert_eq!(s.delivery("c").unwrap().unwrap().since, None);
    assert_eq!(ids(&s.due_deliveries(15, 0, 10).unwrap()), ["a", "c"], "outbox: only rows due by then");
    assert_eq!(ids(&s.due_deliveries(100, due[0].seq, 1).unwrap()), ["a"], "outbox: paging goes on after `after`");
    assert_eq!(s.next_due().unwrap(), Some(10), "outbox: the earliest moment due");
    assert_eq!(s.counters().unwrap().outbox_backlog, 3, "outbox: the backlog counts pending rows");
}

fn an_attempt_is_logged_and_moves_its_delivery<S: Store + Outbox>(s: &mut S) {
    put(s, vec![row("a", "webhook", 10)]);
    let mut done = attempt("a", 11, 1, "delivered");
    done.code = "200".into();
    done.message = String::new();
    s.record_attempt(&done, Then::Delivered).unwrap();
    let d = s.delivery("a").unwrap().expect("the row");
    assert_eq!((d.state, d.attempts, d.done_at), (DeliveryState::Delivered, 1, Some(11)), "outbox: delivered");
    assert_eq!(d.last_code.as_deref(), Some("200"));
    assert!(s.due_deliveries(100, 0, 10).unwrap().is_empty(), "outbox: a delivered row is never due again");
    assert!(!s.retry_delivery("a", 12).unwrap(), "outbox: a delivered row is not retried by hand");
    assert_eq!(s.next_due().unwrap(), None);
    s.record_attempt(&attempt("a", 12, 2, "retry"), Then::RetryAt(50)).unwrap();
    assert_eq!(
        s.delivery("a").unwrap().unwrap().state,
        DeliveryState::Delivered,
        "outbox: a late attempt moves nothing"
    );
    assert_eq!(s.sync_log(0, 10).unwrap(), vec![done, attempt("a", 12, 2, "retry")], "outbox: every attempt logged");
    assert_eq!(s.sync_log(12, 10).unwrap().len(), 1, "outbox: the log since a moment");
    assert_eq!(s.counters().unwrap().outbox_backlog, 0);
}

fn a_retry_later_is_due_then<S: Store + Outbox>(s: &mut S) {
    put(s, vec![row("a", "webhook", 10)]);
    let mut a = attempt("a", 11, 1, "retry");
    a.next_at = Some(70);
    s.seen(&["a"], 11).unwrap();
    s.record_attempt(&a, Then::RetryAt(70)).unwrap();
    assert!(s.due_deliveries(69, 0, 10).unwrap().is_empty(), "outbox: not due before its retry");
    let due = s.due_deliveries(70, 0, 10).unwrap();
    assert_eq!((due[0].attempts, due[0].next_at, due[0].since), (1, 70, Some(11)), "outbox: due at its retry");
    assert_eq!(due[0].last_message.as_deref(), Some("down for maintenance"), "outbox: the remote message kept");
    assert_eq!(s.next_due().unwrap(), Some(70));
    let mut skipped = attempt("a", 71, 2, "skipped");
    skipped.sink = "none".into();
    s.record_attempt(&skipped, Then::Skipped).unwrap();
    assert_eq!(s.delivery("a").unwrap().unwrap().attempts, 1, "outbox: a skip is not a call");
}

fn dead_deliveries_come_back_by_hand_only<S: Store + Outbox>(s: &mut S) {
    put(s, vec![row("a", "webhook", 10), row("b", "webhook", 10)]);
    s.record_attempt(&attempt("a", 11, 1, "failed"), Then::Dead).unwrap();
    assert_eq!(s.delivery("a").unwrap().unwrap().state, DeliveryState::Dead, "outbox: dead");
    assert!(!s.retry_delivery("b", 20).unwrap(), "outbox: a pending row is not retried by hand");
    assert!(!s.retry_delivery("nope", 20).unwrap(), "outbox: no such row");
    assert!(s.retry_delivery("a", 20).unwrap(), "outbox: a dead row comes back");
    let d = s.delivery("a").unwrap().unwrap();
    assert_eq!(
        (d.state, d.next_at, d.since, d.done_at),
        (DeliveryState::Pending, 20, Some(20), None),
        "outbox: due now"
    );
    assert_eq!(ids(&s.due_deliveries(20, 0, 10).unwrap()), ["a", "b"], "outbox: back in its place in the order");
}

fn orphans_wait_until_adopted<S: Store + Outbox>(s: &mut S) {
    put(s, vec![row("a", "crm", 10), row("b", "crm", 11), row("c", "crm", 12)]);
    s.seen(&["a", "b", "c"], 11).unwrap();
    let mut orphan = attempt("a", 13, 1, "orphan");
    orphan.code = "400 INVALID_CROSS_REFERENCE_KEY".into();
    orphan.message = "invalid cross reference id".into();
    s.record_attempt(&orphan, Then::Orphan).unwrap();
    s.record_attempt(&attempt("b", 13, 1, "orphan"), Then::Orphan).unwrap();
    let d = s.delivery("a").unwrap().unwrap();
    assert_eq!((d.state, d.attempts, d.done_at), (DeliveryState::Orphan, 1, None), "outbox: an orphan");
    assert_eq!(d.last_message.as_deref(), Some("invalid cross reference id"), "outbox: the CRM's words kept");
    assert_eq!(ids(&s.due_deliveries(1_000, 0, 10).unwrap()), ["c"], "outbox: an orphan is never due");
    assert!(!s.retry_delivery("a", 20).unwrap(), "outbox: an orphan is adopted, not retried");
    let q = |before| DeliveryQuery { state: Some(DeliveryState::Orphan), limit: 1, before, ..DeliveryQuery::default() };
    let first = s.deliveries(&q(None)).unwrap();
    assert_eq!(ids(&first), ["b"], "outbox: orphans listed newest first");
    assert_eq!(ids(&s.deliveries(&q(Some(first[0].seq))).unwrap()), ["a"], "outbox: orphans paged");
    assert!(!s.adopt_delivery("c", "{}", 20).unwrap(), "outbox: only an orphan is adopted");
    assert!(!s.adopt_delivery("nope", "{}", 20).unwrap(), "outbox: no such row");
    let json = r#"{"id":"a","record":"Account/001A"}"#;
    assert!(s.adopt_delivery("a", json, 20).unwrap(), "outbox: an orphan is adopted");
    let d = s.delivery("a").unwrap().unwrap();
    assert_eq!((d.state, d.next_at, d.since, d.json.as_str()), (DeliveryState::Pending, 20, Some(20), json));
    assert_eq!(ids(&s.due_deliveries(20, 0, 10).unwrap()), ["a", "c"], "outbox: adopted, due now, in order");
    assert!(!s.adopt_delivery("a", json, 21).unwrap(), "outbox: adopted once");
}

fn deliveries_list_newest_first_by_state_and_kind<S: Store + Outbox>(s: &mut S) {
    put(s, vec![row("a", "webhook", 1), row("b", "email", 2), row("c", "webhook", 3)]);
    s.record_attempt(&attempt("b", 5, 1, "failed"), Then::Dead).unwrap();
    let all = s.deliveries(&DeliveryQuery { limit: 10, ..DeliveryQuery::default() }).unwrap();
    assert_eq!(ids(&all), ["c", "b", "a"], "outbox: newest first");
    let page = DeliveryQuery { limit: 10, before: Some(all[0].seq), ..DeliveryQuery::default() };
    assert_eq!(ids(&s.deliveries(&page).unwrap()), ["b", "a"], "outbox: the next page");
    let dead = DeliveryQuery { state: Some(DeliveryState::Dead), limit: 10, ..DeliveryQuery::default() };
    assert_eq!(ids(&s.deliveries(&dead).unwrap()), ["b"], "outbox: by state");
    let hooks = DeliveryQuery { kind: Some("webhook".into()), limit: 1, ..DeliveryQuery::default() };
    assert_eq!(ids(&s.deliveries(&hooks).unwrap()), ["c"], "outbox: by kind, limited");
    let smtp = DeliveryQuery { sink: Some("smtp".into()), limit: 10, ..DeliveryQuery::default() };
    let by_sink = s.deliveries(&smtp).unwrap();
    assert_eq!(ids(&by_sink), ["b"], "outbox: by sink");
    assert_eq!(by_sink[0].sink, "smtp", "outbox: a row keeps the sink it was projected to");
    let none = DeliveryQuery { sink: Some("slack".into()), limit: 10, ..DeliveryQuery::default() };
    assert!(s.deliveries(&none).unwrap().is_empty(), "outbox: no row of another sink");
}

fn opt_outs_are_set_and_cleared<S: Store + Outbox>(s: &mut S) {
    assert_eq!(s.opted_out(&["vic@acme.example"]).unwrap(), None);
    s.set_opt_out("vic@acme.example", Some("unsubscribed"), 5).unwrap();
    s.set_opt_out("Contact/c1", Some("opted_out"), 6).unwrap();
    assert_eq!(s.opted_out(&["x@y.z", "vic@acme.example"]).unwrap().as_deref(), Some("unsubscribed"));
    assert_eq!(s.opted_out(&["Contact/c1"]).unwrap().as_deref(), Some("opted_out"), "opt-outs: by record");
    assert_eq!(
        s.opted_out(&["Contact/c1", "vic@acme.example"]).unwrap().as_deref(),
        Some("opted_out"),
        "opt-outs: the first of them that opted out"
    );
    s.set_opt_out("Contact/c1", None, 7).unwrap();
    assert_eq!(s.opted_out(&["Contact/c1"]).unwrap(), None, "opt-outs: opting back in clears it");
}

fn marks_start_at_zero_and_keep<S: Store + Outbox>(s: &mut S) {
    assert_eq!(s.mark("opt_outs").unwrap(), 0);
    s.set_mark("opt_outs", 42).unwrap();
    s.set_mark("opt_outs", 43).unwrap();
    assert_eq!(s.mark("opt_outs").unwrap(), 43, "marks: the last value set");
    // The CRM pull's watermarks: milliseconds since 1970, one per CRM and object.
    s.set_mark("pull:salesforce:Account", 1_772_442_300_000).unwrap();
    s.set_mark("pull:hubspot:companies", 1_772_442_360_123).unwrap();
    assert_eq!(s.mark("pull:salesforce:Account").unwrap(), 1_772_442_300_000, "a watermark in milliseconds");
    assert_eq!(s.mark("pull:hubspot:companies").unwrap(), 1_772_442_360_123, "each CRM and object its own");
    assert_eq!(s.mark("opt_outs").unwrap(), 43);
}

fn the_store_hands_out_its_outbox<S: Store + Outbox>(s: &mut S) {
    put(s, vec![row("a", "webhook", 1)]);
    let store: &mut dyn Store = s;
    assert!(store.as_outbox().expect("an outbox").delivery("a").unwrap().is_some(), "outbox: through the Store");
    assert!(store.as_outbox_mut().is_some());
}

fn the_sync_log_is_filtered<S: Store + Outbox>(s: &mut S) {
    put(s, vec![row("a", "webhook", 10), row("b", "email", 10)]);
    let mut sent = attempt("b", 11, 1, "delivered");
    sent.sink = "smtp".into();
    sent.record = "Contact/vic".into();
    sent.teammate = Some("lee@example.com".into());
    s.record_attempt(&attempt("a", 12, 1, "retry"), Then::RetryAt(40)).unwrap();
    s.record_attempt(&sent, Then::Delivered).unwrap();
    let log = |q: LogQuery| -> Vec<String> {
        let q = LogQuery { limit: 10, ..q };
        s.sync_log_where(&q).unwrap().into_iter().map(|a| a.action_id).collect()
    };
    assert_eq!(log(LogQuery::default()), ["b", "a"], "sync log: no filter, oldest first");
    assert_eq!(log(LogQuery { sink: Some("smtp".into()), ..LogQuery::default() }), ["b"], "sync log: by sink");
    assert_eq!(log(LogQuery { record: Some("Account/acme".into()), ..LogQuery::default() }), ["a"], "by record");
    assert_eq!(log(LogQuery { outcome: Some("retry".into()), ..LogQuery::default() }), ["a"], "by outcome");
    let lee = LogQuery { teammate: Some("lee@example.com".into()), ..LogQuery::default() };
    assert_eq!(log(lee), ["b"], "sync log: by teammate");
    let none = LogQuery { sink: Some("smtp".into()), outcome: Some("retry".into()), ..LogQuery::default() };
    assert!(log(none).is_empty(), "sync log: filters combine");
    assert_eq!(log(LogQuery { since: 12, ..LogQuery::default() }), ["a"], "sync log: since a moment");
}

fn sync_settings_are_kept_by_scope<S: Store + Outbox>(s: &mut S) {
    assert_eq!(s.sync_setting("company").unwrap(), None, "sync settings: none at first");
    s.set_sync_setting("company", r#"{"enabled":true}"#, 10).unwrap();
    s.set_sync_setting("user:jo@example.com", r#"{"domains":["acme.example"]}"#, 11).unwrap();
    s.set_sync_setting("company", r#"{"enabled":false}"#, 12).unwrap();
    assert_eq!(s.sync_setting("company").unwrap().as_deref(), Some(r#"{"enabled":false}"#), "replaced");
    assert_eq!(
        s.sync_setting("user:jo@example.com").unwrap().as_deref(),
        Some(r#"{"domains":["acme.example"]}"#),
        "sync settings: each scope its own"
    );
    assert_eq!(s.sync_setting("user:lee@example.com").unwrap(), None);
}

fn rows_enqueued_by_delivery_are_due_once<S: Store + Outbox>(s: &mut S) {
    put(s, vec![row("a", "email", 10)]);
    let logged = OutboxRow { sink: "crm".into(), ..row("a.logged", "log_email", 12) };
    assert!(s.enqueue(&logged).unwrap(), "enqueue: a new row is added");
    assert!(!s.enqueue(&OutboxRow { json: "{}".into(), ..logged.clone() }).unwrap(), "enqueue: once by action id");
    assert!(!s.enqueue(&row("a", "email", 99)).unwrap(), "enqueue: a row the engine wrote is kept");
    let due = s.due_deliveries(20, 0, 10).unwrap();
    assert_eq!(ids(&due), ["a", "a.logged"], "enqueue: due at its moment, after the rows before it");
    assert_eq!((due[1].sink.as_str(), due[1].json.as_str()), ("crm", logged.json.as_str()), "enqueue: as given");
    assert_eq!(s.due_deliveries(11, 0, 10).unwrap().len(), 1, "enqueue: not due before its moment");
}
