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
