//! The PostgreSQL store passes the same conformance suite as SQLite, keeps what it committed
//! across a reopen, and fences the writes of a worker whose lease was taken over. Each run
//! makes a database of its own (`PLAY_TEST_POSTGRES` names the server) and drops it.

use std::time::Duration;

use play_store::lease::Leases;
use play_store::outbox::{Attempt, DeliveryState, Outbox, Then};
use play_store::postgres::ScratchDatabase;
use play_store::{Batch, Command, Fence, OutboxRow, PostgresStore, Store, StoreError};

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
fn postgres_passes_the_outbox_conformance_suite() {
    let db = ScratchDatabase::create("outbox").unwrap();
    let mut n = 0;
    play_store::outbox_conformance::run(|| {
        n += 1;
        PostgresStore::open_in(db.url(), Some(&format!("o{n}"))).unwrap()
    });
}

#[test]
fn a_worker_whose_lease_was_taken_over_moves_no_delivery() {
    let db = ScratchDatabase::create("outbox_fencing").unwrap();
    let mut leases = Leases::open(db.url()).unwrap();
    let first = leases.acquire(0, "a", Duration::from_millis(1)).unwrap().expect("a free partition is taken");
    let mut old = PostgresStore::open(db.url()).unwrap().fenced(Fence { partition: 0, token: first.token });
    let row =
        OutboxRow { action_id: "a1".into(), kind: "webhook".into(), sink: "webhook".into(), at: 5, json: "{}".into() };
    old.append(&Batch { outbox: vec![row], ..Batch::default() }).unwrap();
    old.set_mark("optouts", 3).unwrap();

    std::thread::sleep(Duration::from_millis(20));
    leases.acquire(0, "b", Duration::from_secs(60)).unwrap().expect("an expired lease is taken over");

    let fenced = |r: play_store::Result<()>| matches!(r, Err(StoreError::Fenced { .. }));
    let attempt = Attempt {
        action_id: "a1".into(),
        at: 6,
        sink: "webhook".into(),
        record: "Account/acme".into(),
        teammate: None,
        attempt: 1,
        outcome: "delivered".into(),
        code: "200".into(),
        message: "OK".into(),
        next_at: None,
    };
    assert!(fenced(old.record_attempt(&attempt, Then::Delivered)), "an attempt is fenced");
    assert!(fenced(old.seen(&["a1"], 6)), "starting the 30 days is fenced");
    assert!(fenced(old.set_opt_out("jo@example.com", Some("unsubscribed"), 6)), "opt-outs are fenced");
    assert!(fenced(old.set_mark("optouts", 9)), "watermarks are fenced");
    assert!(matches!(old.retry_delivery("a1", 6), Err(StoreError::Fenced { .. })), "a retry is fenced");

    let d = old.delivery("a1").unwrap().expect("reads still work");
    assert_eq!((d.state, d.attempts, d.since), (DeliveryState::Pending, 0, None), "the delivery did not move");
    assert!(old.sync_log(0, 10).unwrap().is_empty(), "no attempt was logged");
    assert_eq!(old.opted_out(&["jo@example.com"]).unwrap(), None);
    assert_eq!(old.mark("optouts").unwrap(), 3);
}

#[test]
fn outbox_rows_written_before_delivery_state_are_numbered_by_their_moment() {
    let db = ScratchDatabase::create("outbox_upgrade").unwrap();
    // A store at schema version 1, as a release before delivery on PostgreSQL left it (the
    // tables this test touches).
    let mut client = postgres::Client::connect(db.url(), postgres::NoTls).unwrap();
    client
        .batch_execute(
            "CREATE TABLE play_schema (version BIGINT NOT NULL);
             INSERT INTO play_schema VALUES (1);
             CREATE TABLE journal (position BIGINT PRIMARY KEY, kind TEXT NOT NULL, text TEXT, at BIGINT);
             CREATE TABLE outbox (action_id TEXT PRIMARY KEY, kind TEXT NOT NULL, at BIGINT NOT NULL,
                 json TEXT NOT NULL, attempts INTEGER NOT NULL DEFAULT 0, delivered_at BIGINT);
             INSERT INTO outbox (action_id, kind, at, json, delivered_at) VALUES
                 ('late', 'email', 30, '{}', NULL), ('sent', 'email', 10, '{}', 11), ('early', 'email', 20, '{}', NULL),
                 ('hook', 'enroll', 40, '{}', NULL), ('b1', 'brief', 40, '{\"to\":\"#cs\"}', NULL);",
        )
        .unwrap();
    drop(client);
    let mut s = PostgresStore::open(db.url()).unwrap();
    let due: Vec<(String, u64)> =
        s.due_deliveries(100, 0, 10).unwrap().into_iter().map(|d| (d.action_id, d.seq)).collect();
    assert_eq!(due[..2], [("early".to_string(), 2), ("late".to_string(), 3)], "pending rows, by their moment");
    let sink = |id: &str| s.delivery(id).unwrap().unwrap().sink;
    assert_eq!(
        (sink("late"), sink("hook"), sink("b1")),
        ("smtp".into(), "webhook".into(), "slack".into()),
        "sinks by kind"
    );
    assert_eq!(s.delivery("sent").unwrap().unwrap().state, DeliveryState::Delivered, "delivered rows stay delivered");
    let row =
        OutboxRow { action_id: "new".into(), kind: "email".into(), sink: "smtp".into(), at: 1, json: "{}".into() };
    s.append(&Batch { outbox: vec![row], ..Batch::default() }).unwrap();
    assert_eq!(s.delivery("new").unwrap().unwrap().seq, 6, "new rows come after");
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
