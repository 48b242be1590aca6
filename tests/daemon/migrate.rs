//! `play migrate`: a SQLite store copied to PostgreSQL and back is the same store, row for
//! row as the API reads it; a target that is not empty is refused, and nothing is copied.

use std::path::Path;

use play_store::conformance::action;
use play_store::postgres::ScratchDatabase;
use play_store::{
    ActionQuery, ActionState, ActionUpdate, Attempt, Batch, Command, DeliveryQuery, FieldValue, HistoryQuery,
    HistoryRow, OutboxRow, Place, RunRow, Store, Then,
};

use crate::support::play;

/// A store with something in every table.
fn fill(store: &mut dyn Store) {
    let mut snoozed = action("b", 2.5, 20, 2);
    snoozed.public = false;
    snoozed.owner = Some("sam@example.com".into());
    let batch = Batch {
        commands: vec![
            Command::Deploy { hash: "h1".into(), at: 1 },
            Command::Change { line: r#"{"change_id":"c1","n":1}"#.into(), arrival: Some(7) },
            Command::Tick { at: 9 },
        ],
        change_ids: vec!["c1".into()],
        actions: vec![action("a", 1.0, 10, 1), snoozed],
        updates: vec![ActionUpdate {
            id: "b".into(),
            state: ActionState::Snoozed,
            snoozed_until: Some(99),
            by: Some("jo@example.com".into()),
            at: 21,
        }],
        outbox: ["a", "c", "b"]
            .iter()
            .map(|id| OutboxRow {
                action_id: id.to_string(),
                kind: "email".into(),
                sink: "smtp".into(),
                at: 10,
                json: "{}".into(),
            })
            .collect(),
        history: (0..3)
            .map(|n| HistoryRow {
                at: n,
                playbook: "p".into(),
                record: "Account/x".into(),
                run: Some(1),
                json: "{}".into(),
            })
            .collect(),
        runs: vec![RunRow {
            run: 1,
            playbook: "p".into(),
            record: "Account/x".into(),
            started: 1,
            updated: 2,
            step: Some("s".into()),
            state: "active".into(),
        }],
        values: [(3, 70.0), (5, 42.5)]
            .map(|(at, value)| FieldValue { record: "Account/x".into(), field: "health".into(), at, value })
            .to_vec(),
        budget_uses: Vec::new(),
    };
    store.append(&batch).unwrap();
    store.put_program("h1", b"program bytes").unwrap();
    store.put_snapshot(3, b"snapshot bytes").unwrap();
    store.add_token("jo@example.com", "hash-jo").unwrap();
    let outbox = store.as_outbox_mut().expect("delivery's state");
    outbox.seen(&["a", "c"], 11).unwrap();
    let attempt = |at, outcome: &str| Attempt {
        action_id: "c".into(),
        at,
        sink: "smtp".into(),
        record: "Account/x".into(),
        teammate: Some("jo@example.com".into()),
        attempt: 1,
        outcome: outcome.into(),
        code: "451".into(),
        message: "try later".into(),
        next_at: Some(99),
    };
    outbox.record_attempt(&attempt(12, "retry"), Then::RetryAt(99)).unwrap();
    outbox.record_attempt(&attempt(13, "dead"), Then::Dead).unwrap();
    outbox.set_opt_out("vic@acme.example", Some("unsubscribed"), 14).unwrap();
    outbox.set_mark("opt_outs", 3).unwrap();
}

/// Delivery's state, as text to compare.
fn dump_outbox(store: &dyn Store) -> String {
    let outbox = store.as_outbox().expect("delivery's state");
    format!(
        "{:?}\n{:?}\n{:?} {:?}",
        outbox.deliveries(&DeliveryQuery { limit: 100, ..DeliveryQuery::default() }).unwrap(),
        outbox.sync_log(0, 100).unwrap(),
        outbox.opted_out(&["vic@acme.example"]).unwrap(),
        outbox.mark("opt_outs").unwrap(),
    )
}

/// Everything the API reads, as text to compare.
fn dump(store: &dyn Store) -> String {
    let actions = store.actions(&ActionQuery { limit: 100, ..ActionQuery::default() }).unwrap().items;
    let history = store.history(&HistoryQuery { limit: 100, ..HistoryQuery::default() }).unwrap();
    format!(
        "{:?}\n{:?}\n{:?}\n{actions:?}\n{history:?}\n{:?}\n{:?} {:?} {:?}\n{:?}\n{:?}",
        store.read_journal(0, 100).unwrap(),
        store.latest_snapshot().unwrap(),
        store.program("h1").unwrap(),
        store.runs(None, 100).unwrap(),
        store.token_owner("hash-jo").unwrap(),
        store.change_id_taken("c1").unwrap(),
        store.change_id_taken("c2").unwrap(),
        store.counters().unwrap(),
        store.field_values("Account/x", "health", 10).unwrap(),
    )
}

fn migrate(dir: &Path, from: &str, to: &str) -> (i32, String, String) {
    play(dir, &["migrate", "--from", from, "--to", to])
}

#[test]
fn a_store_migrated_to_postgres_and_back_is_the_same_store() {
    let db = ScratchDatabase::create("migrate").unwrap();
    let dir = tempfile::tempdir().unwrap();
    let first = Place::parse(&dir.path().join("first.db").display().to_string()).unwrap();
    fill(&mut *first.open().unwrap());
    let original = dump(&*first.open().unwrap());
    let original_outbox = dump_outbox(&*first.open().unwrap());
    assert!(original.contains("(5, 42.5)"), "the field values are in the dump: {original}");
    assert!(original_outbox.contains("Dead") && original_outbox.contains("unsubscribed"), "{original_outbox}");

    let (code, out, err) = migrate(dir.path(), "sqlite:first.db", db.url());
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("both stores count the same"), "{out}");
    let pg = Place::parse(db.url()).unwrap();
    assert_eq!(dump(&*pg.open().unwrap()), original, "SQLite to PostgreSQL");
    assert_eq!(dump_outbox(&*pg.open().unwrap()), original_outbox, "delivery's state, SQLite to PostgreSQL");

    let (code, _, err) = migrate(dir.path(), db.url(), "sqlite:back.db");
    assert_eq!(code, 0, "{err}");
    let back = Place::parse(&dir.path().join("back.db").display().to_string()).unwrap();
    assert_eq!(dump(&*back.open().unwrap()), original, "and back to SQLite");
    assert_eq!(dump_outbox(&*back.open().unwrap()), original_outbox, "delivery's state, and back");

    // The copy goes on where the original would: the next history entry comes after.
    let mut copy = pg.open().unwrap();
    let entry = HistoryRow { at: 5, playbook: "p".into(), record: "Account/x".into(), run: None, json: "{}".into() };
    copy.append(&Batch { history: vec![entry], ..Batch::default() }).unwrap();
    let history = copy.history(&HistoryQuery { limit: 100, ..HistoryQuery::default() }).unwrap();
    assert_eq!(history.iter().map(|h| h.at).collect::<Vec<_>>(), [0, 1, 2, 5]);
    let value = FieldValue { record: "Account/x".into(), field: "health".into(), at: 5, value: 40.0 };
    copy.append(&Batch { values: vec![value], ..Batch::default() }).unwrap();
    assert_eq!(copy.field_values("Account/x", "health", 10).unwrap(), [(3, 70.0), (5, 42.5), (5, 40.0)]);
    let row = OutboxRow { action_id: "d".into(), kind: "email".into(), sink: "smtp".into(), at: 1, json: "{}".into() };
    copy.append(&Batch { outbox: vec![row], ..Batch::default() }).unwrap();
    let due = copy.as_outbox().unwrap().due_deliveries(100, 0, 10).unwrap();
    let due: Vec<&str> = due.iter().map(|d| d.action_id.as_str()).collect();
    assert_eq!(due, ["a", "b", "d"], "and the next outbox row is delivered after the copied ones");

    let (code, _, err) = migrate(dir.path(), "sqlite:first.db", db.url());
    assert_eq!(code, 2, "a store that is not empty is refused");
    assert!(err.contains("is not empty"), "{err}");
    assert_eq!(copy.counters().unwrap().history_entries, 4, "and nothing was copied into it");

    let (code, _, err) = migrate(dir.path(), "sqlite:missing.db", db.url());
    assert_eq!(code, 2);
    assert!(err.contains("there is no store"), "{err}");
}
