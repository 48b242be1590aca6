//! The SQLite store passes the conformance suite, and keeps what it committed across a reopen.

use play_store::{Batch, Command, SqliteStore, Store};

#[test]
fn sqlite_passes_the_conformance_suite() {
    let dir = tempfile::tempdir().unwrap();
    let mut n = 0;
    play_store::conformance::run(|| {
        n += 1;
        SqliteStore::open(&dir.path().join(format!("state-{n}.db"))).unwrap()
    });
}

#[test]
fn a_reopened_store_has_its_journal_and_does_not_migrate_twice() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(".play/state.db");
    let mut s = SqliteStore::open(&path).unwrap();
    s.append(&Batch { commands: vec![Command::Tick { at: 1 }], ..Batch::default() }).unwrap();
    let version = s.schema_version().unwrap();
    drop(s);
    let s = SqliteStore::open(&path).unwrap();
    assert_eq!(s.journal_position().unwrap(), 1);
    assert_eq!(s.schema_version().unwrap(), version);
}

#[test]
fn a_reader_sees_what_a_writer_committed() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("state.db");
    let mut writer = SqliteStore::open(&path).unwrap();
    let reader = SqliteStore::open(&path).unwrap();
    writer
        .append(&Batch { actions: vec![play_store::conformance::action("a", 1.0, 1, 1)], ..Batch::default() })
        .unwrap();
    assert!(reader.action("a").unwrap().is_some());
}

#[test]
fn sqlite_passes_the_outbox_conformance_suite() {
    let dir = tempfile::tempdir().unwrap();
    let mut n = 0;
    play_store::outbox_conformance::run(|| {
        n += 1;
        SqliteStore::open(&dir.path().join(format!("outbox-{n}.db"))).unwrap()
    });
}

#[test]
fn outbox_rows_written_before_the_sink_column_get_the_sink_of_their_kind() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("state.db");
    let row = |id: &str, kind: &str, json: &str| play_store::OutboxRow {
        action_id: id.into(),
        kind: kind.into(),
        sink: "none".into(),
        at: 1,
        json: json.into(),
    };
    let rows = vec![
        row("e", "email", "{}"),
        row("s", "notify_slack", "{}"),
        row("c", "update", "{}"),
        row("b", "brief", r##"{"to":"#cs"}"##),
        row("m", "brief", r#"{"to":"jo@example.com"}"#),
    ];
    let mut s = SqliteStore::open(&path).unwrap();
    s.append(&Batch { outbox: rows, ..Batch::default() }).unwrap();
    drop(s);
    // Back to schema version 2, as a release before the column left it.
    let conn = rusqlite::Connection::open(&path).unwrap();
    conn.execute_batch(
        "DROP TABLE field_values; DROP TABLE sync_settings; DROP INDEX outbox_sink; ALTER TABLE outbox DROP COLUMN sink;
         PRAGMA user_version = 2;",
    )
    .unwrap();
    drop(conn);
    let s = SqliteStore::open(&path).unwrap();
    use play_store::Outbox;
    let sinks: Vec<String> = ["e", "s", "c", "b", "m"].iter().map(|id| s.delivery(id).unwrap().unwrap().sink).collect();
    assert_eq!(sinks, ["smtp", "slack", "crm", "slack", "smtp"]);
}
