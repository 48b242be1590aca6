//! The PostgreSQL store passes the same conformance suite as SQLite, keeps what it committed
//! across a reopen, and fences the writes of a worker whose lease was taken over. Each run
//! makes a database of its own (`PLAY_TEST_POSTGRES` names the server) and drops it.

use std::time::Duration;

use play_store::lease::Leases;
use play_store::postgres::ScratchDatabase;
use play_store::{Batch, Command, Fence, PostgresStore, Store, StoreError};

fn tick(at: i64) -> Batch {
    Batch { commands: vec![Command::Tick { at }], ..Batch::default() }
}

#[test]
fn postgres_passes_the_conformance_suite() {
    let db = ScratchDatabase::create("conformance").unwrap();
    let mut n = 0;
    play_store::conformance::run(|| {
        n += 1;
        PostgresStore::open_in(db.url(), Some(&format!("s{n}"))).unwrap()
    });
}

#[test]
fn a_reopened_store_has_its_journal_and_does_not_migrate_twice() {
    let db = ScratchDatabase::create("reopen").unwrap();
    let mut s = PostgresStore::open(db.url()).unwrap();
    s.append(&tick(1)).unwrap();
    let version = s.schema_version().unwrap();
    drop(s);
    let s = PostgresStore::open(db.url()).unwrap();
    assert_eq!(s.journal_position().unwrap(), 1);
    assert_eq!(s.schema_version().unwrap(), version);
}

#[test]
fn a_worker_whose_lease_was_taken_over_writes_nothing() {
    let db = ScratchDatabase::create("fencing").unwrap();
    let short = Duration::from_millis(1);
    let mut leases = Leases::open(db.url()).unwrap();
    let first = leases.acquire(0, "a", short).unwrap().expect("a free partition is taken");
    let mut old = PostgresStore::open(db.url()).unwrap().fenced(Fence { partition: 0, token: first.token });
    assert_eq!(old.append(&tick(1)).unwrap(), 1, "the holder writes");

    // The lease runs out; another worker takes it over.
    std::thread::sleep(Duration::from_millis(20));
    let second = leases.acquire(0, "b", Duration::from_secs(60)).unwrap().expect("an expired lease is taken over");
    assert!(second.token > first.token, "a takeover raises the fencing token");
    assert!(leases.acquire(0, "c", short).unwrap().is_none(), "a live lease is not taken");

    match old.append(&tick(2)) {
        Err(StoreError::Fenced { token, current, holder, .. }) => {
            assert_eq!((token, current, holder.as_deref()), (first.token, Some(second.token), Some("b")));
        }
        other => panic!("a stale worker's write must be fenced, got {other:?}"),
    }
    assert!(matches!(old.put_snapshot(1, b"x"), Err(StoreError::Fenced { .. })), "snapshots are fenced too");
    assert!(!leases.renew(&first, short).unwrap(), "the old lease cannot be renewed");

    let mut new = PostgresStore::open(db.url()).unwrap().fenced(Fence { partition: 0, token: second.token });
    assert_eq!(new.append(&tick(2)).unwrap(), 2, "the new holder writes after what the old one committed");
    assert_eq!(new.latest_snapshot().unwrap(), None, "nothing of the fenced writes is there");
    let message = StoreError::Fenced { partition: 0, token: 1, current: Some(2), holder: Some("b".into()) };
    assert!(message.to_string().contains("lost its lease"), "{message}");

    // A clean stop gives the lease up at once.
    leases.release(&second).unwrap();
    assert!(leases.acquire(0, "c", short).unwrap().is_some(), "a released lease is free");
}
