//! The workspace-wide tables of a partitioned workspace: the partition count is fixed when
//! the workspace is made and a different one is refused, naming both; the address book
//! finds a record by an address or a domain, follows an address that changes and forgets
//! a removed one; the worker secret is the first worker's; a partition's holder is found
//! at the address its worker last said.

use std::time::Duration;

use play_store::lease::Leases;
use play_store::postgres::ScratchDatabase;
use play_store::routing::{Address, Routing};
use play_store::PostgresStore;

fn entry(kind: &str, id: &str, value: Option<&str>, partition: i32) -> Address {
    Address { kind: kind.into(), id: id.into(), value: value.map(Into::into), partition }
}

fn found(routing: &mut Routing, values: &[&str]) -> Vec<(String, String, i32)> {
    let values: Vec<String> = values.iter().map(|v| v.to_string()).collect();
    let mut got: Vec<_> = routing
        .addresses(&values)
        .unwrap()
        .into_iter()
        .map(|a| (format!("{}/{}", a.kind, a.id), a.value.unwrap(), a.partition))
        .collect();
    got.sort();
    got
}

#[test]
fn the_partition_count_is_fixed_when_the_workspace_is_made() {
    let db = ScratchDatabase::create("count").unwrap();
    PostgresStore::open(db.url()).unwrap();
    let mut routing = Routing::open(db.url()).unwrap();
    assert_eq!(routing.partitions(Some(4)).unwrap(), 4);
    assert_eq!(routing.partitions(None).unwrap(), 4, "left out afterwards: as made");
    assert_eq!(routing.partitions(Some(4)).unwrap(), 4);
    let refused = routing.partitions(Some(2)).unwrap_err().to_string();
    assert!(refused.contains("has 4 partitions") && refused.contains("cannot be run with 2"), "{refused}");
    assert!(!refused.contains("play migrate"), "no command that does not exist: {refused}");
}

#[test]
fn the_address_book_finds_follows_and_forgets() {
    let db = ScratchDatabase::create("book").unwrap();
    let mut routing = Routing::open(db.url()).unwrap();
    routing
        .index_addresses(&[
            entry("Contact", "c1", Some("vic@acme.com"), 1),
            entry("Account", "a1", Some("acme.com"), 1),
            entry("Lead", "l1", Some("lee@other.com"), 3),
        ])
        .unwrap();
    assert_eq!(
        found(&mut routing, &["vic@acme.com", "acme.com", "nobody@acme.com"]),
        vec![("Account/a1".into(), "acme.com".into(), 1), ("Contact/c1".into(), "vic@acme.com".into(), 1)]
    );
    // The contact's address changes, then the lead is deleted: the last entry wins.
    routing
        .index_addresses(&[
            entry("Contact", "c1", Some("victor@acme.com"), 1),
            entry("Lead", "l1", None, 3),
            entry("Lead", "l1", Some("lee@other.com"), 3),
            entry("Lead", "l1", None, 3),
        ])
        .unwrap();
    assert_eq!(found(&mut routing, &["vic@acme.com", "lee@other.com"]), vec![]);
    assert_eq!(found(&mut routing, &["victor@acme.com"]), vec![("Contact/c1".into(), "victor@acme.com".into(), 1)]);
    assert_eq!(found(&mut routing, &[]), vec![]);
}

#[test]
fn workers_find_each_other() {
    let db = ScratchDatabase::create("peers").unwrap();
    PostgresStore::open(db.url()).unwrap();
    let mut routing = Routing::open(db.url()).unwrap();
    assert_eq!(routing.worker_secret("first").unwrap(), "first");
    assert_eq!(routing.worker_secret("second").unwrap(), "first", "the first worker's secret is kept");
    let ttl = Duration::from_secs(30);
    let mut leases = Leases::open(db.url()).unwrap();
    assert!(leases.acquire(2, "host:1", ttl).unwrap().is_some());
    assert_eq!(routing.holder_address(2).unwrap(), None, "a worker that said no address yet");
    routing.heartbeat("host:1", None, ttl).unwrap();
    assert_eq!(routing.holder_address(2).unwrap(), None);
    routing.heartbeat("host:1", Some("http://worker-1:7878"), ttl).unwrap();
    assert_eq!(routing.holder_address(2).unwrap().as_deref(), Some("http://worker-1:7878"));
    assert_eq!(routing.holder_address(3).unwrap(), None, "a partition nobody holds");
}
