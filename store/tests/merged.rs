//! A workspace of several partitions read as one (`Merged`): the queue pages through every
//! partition's actions in one order — ties of priority and age included — with none missed
//! and none twice, whatever the page size; deliveries page newest first the same way; an
//! action is found in whichever partition has it; opt-outs and email-sync settings reach
//! every partition. Rows go straight into each partition's store, as its worker writes them.

use play_store::conformance::action;
use play_store::outbox::{DeliveryQuery, Outbox};
use play_store::postgres::{Merged, ScratchDatabase};
use play_store::{ActionQuery, ActionRow, Batch, Command, OutboxRow, PostgresStore, Store};

const PARTITIONS: i32 = 3;

/// Each partition's actions: priorities and moments that tie across partitions, and engine
/// sequence numbers that start at 0 in each (as each partition's engine numbers them).
fn fill(db: &ScratchDatabase) -> Vec<(i32, ActionRow)> {
    let mut all = Vec::new();
    for k in 0..PARTITIONS {
        let mut store = PostgresStore::open_partition(db.url(), k).unwrap();
        let actions: Vec<ActionRow> = (0..7u64)
            .map(|seq| action(&format!("p{k}-a{seq}"), [1.0, 2.0, 2.0][seq as usize % 3], 100 + (seq as i64 % 2), seq))
            .collect();
        let outbox = (0..5)
            .map(|n| OutboxRow {
                action_id: format!("p{k}-o{n}"),
                kind: "webhook".into(),
                sink: "webhook".into(),
                at: 100 + n,
                json: "{}".into(),
            })
            .collect();
        let batch =
            Batch { commands: vec![Command::Tick { at: 100 }], actions: actions.clone(), outbox, ..Batch::default() };
        store.append(&batch).unwrap();
        all.extend(actions.into_iter().map(|a| (k, a)));
    }
    all
}

#[test]
fn the_merged_queue_pages_through_every_partition_in_one_order() {
    let db = ScratchDatabase::create("merged").unwrap();
    let all = fill(&db);
    let merged = Merged::open(db.url(), PARTITIONS).unwrap();
    let whole = merged.actions(&ActionQuery { limit: 1000, ..ActionQuery::default() }).unwrap();
    assert_eq!(whole.items.len(), all.len());
    assert!(whole.next.is_none());
    for pair in whole.items.windows(2) {
        let (a, b) = (&pair[0], &pair[1]);
        assert!(
            (a.priority > b.priority) || (a.priority == b.priority && (a.at, a.seq) < (b.at, b.seq)),
            "in the queue's order: {} then {}",
            a.id,
            b.id
        );
    }
    for limit in 1..=8 {
        let mut seen = Vec::new();
        let mut cursor = None;
        loop {
            let page =
                merged.actions(&ActionQuery { limit, cursor: cursor.clone(), ..ActionQuery::default() }).unwrap();
            assert!(page.items.len() <= limit);
            seen.extend(page.items.iter().map(|a| a.id.clone()));
            match page.next {
                Some(next) => cursor = Some(next),
                None => break,
            }
        }
        let expected: Vec<String> = whole.items.iter().map(|a| a.id.clone()).collect();
        assert_eq!(seen, expected, "pages of {limit} give the whole queue once, in order");
    }
    assert_eq!(merged.action("p2-a3").unwrap().map(|a| a.id), Some("p2-a3".to_string()));
    assert_eq!(merged.partition_of_action("p1-a0").unwrap(), Some(1));
    assert_eq!(merged.partition_of_action("nowhere").unwrap(), None);
    assert_eq!(merged.counters().unwrap().actions, all.len() as u64);
}

#[test]
fn merged_deliveries_page_newest_first_and_settings_reach_every_partition() {
    let db = ScratchDatabase::create("merged_out").unwrap();
    fill(&db);
    let mut merged = Merged::open(db.url(), PARTITIONS).unwrap();
    let whole = merged.deliveries(&DeliveryQuery { limit: 1000, ..DeliveryQuery::default() }).unwrap();
    assert_eq!(whole.len(), 5 * PARTITIONS as usize);
    for limit in 1..=4 {
        let mut seen = Vec::new();
        let mut before = None;
        loop {
            let page = merged.deliveries(&DeliveryQuery { limit, before, ..DeliveryQuery::default() }).unwrap();
            if page.is_empty() {
                break;
            }
            before = page.last().map(|d| d.seq);
            seen.extend(page.into_iter().map(|d| d.action_id));
        }
        let expected: Vec<String> = whole.iter().map(|d| d.action_id.clone()).collect();
        assert_eq!(seen, expected, "pages of {limit} give every delivery once, newest first");
    }
    let due = merged.due_deliveries(1_000, 0, 1000).unwrap();
    assert_eq!(due.len(), 5 * PARTITIONS as usize, "every partition's pending rows are due");
    merged.set_opt_out("vic@example.com", Some("unsubscribed"), 100).unwrap();
    merged.set_sync_setting("company", "{\"enabled\":false}", 100).unwrap();
    for k in 0..PARTITIONS {
        let part = PostgresStore::open_partition(db.url(), k).unwrap();
        assert_eq!(part.opted_out(&["vic@example.com"]).unwrap().as_deref(), Some("unsubscribed"), "partition {k}");
        assert_eq!(part.sync_setting("company").unwrap().as_deref(), Some("{\"enabled\":false}"), "partition {k}");
    }
}
