//! Touch budgets shared by the partitions of a workspace on PostgreSQL, raced: two
//! partitions' engine threads take, at the same moment, long batches that each hand out a
//! task against the same teammate's budget of one a day. Whichever commits second finds
//! the budget used up by the other: nothing of its batch is written, its senders are told
//! to send again, and its engine folds back to its journal; sent again, the batch folds the
//! other partition's use first and defers its task. One task in all, every time.

use std::sync::{Arc, Barrier, Mutex};

use play_compiler::program::Program;
use play_daemon::host::Host;
use play_daemon::writer::{Report, Request, Writer};
use play_store::postgres::{Merged, ScratchDatabase};
use play_store::routing::Routing;
use play_store::{ActionQuery, PostgresStore, Store};
use tokio::sync::oneshot;

const PROJECT: &str = "\
limit one_a_day: 1 task per user per 1d then defer

playbook hello \"Hello\" {
  for account: Account
  on created
  when account.tier == Enterprise
  step call \"Call\" {
    task \"Call {account.name}\" to account.owner
  }
}
";

/// Lines of filler around the one that makes a task: enough that two batches overlap.
const FILLER: usize = 3_000;

fn program() -> Program {
    play_compiler::lower::build(&[("hello.play", PROJECT)]).unwrap_or_else(|_| panic!("the project builds"))
}

/// An account's upsert on a day of March 2026 at 09:00: an `Enterprise` one enrols.
fn account(id: &str, day: u32, health: usize, tier: &str) -> String {
    format!(
        r#"{{"change_id":"{id}-{day}-{health}","at":"2026-03-{day:02}T09:00:00Z","change":"upsert","record":"Account","id":"{id}","fields":{{"name":"{id}","tier":"{tier}","arr":1000,"stage":"Renewal","health":{health},"owner":"jo@example.com","weekly_active_users":1}}}}"#
    )
}

/// 2026-03-01T00:00:00Z.
const MARCH: i64 = 1_772_323_200;

/// Partition `k`'s engine thread, as a worker of a partitioned workspace runs it.
fn writer(url: &str, k: i32) -> Writer {
    let store = PostgresStore::open_partition(url, k).unwrap().sharing_budgets(k);
    let status = Arc::new(Mutex::new(Default::default()));
    let mut writer = Writer::new(Host::new(program()), Box::new(store), status, None);
    writer.follow_changes = true;
    writer.partition = Some(k);
    writer.shares_budgets = true;
    writer.recover().unwrap();
    writer
}

/// One batch of lines through the writer: its answer.
fn take(writer: &mut Writer, lines: &[String]) -> Result<Report, String> {
    let (reply, answer) = oneshot::channel();
    let lines = lines.iter().cloned().enumerate().map(|(n, l)| (n + 1, l)).collect();
    writer.handle(vec![Request::Changes { lines, reply }]).expect("the writer goes on");
    answer.blocking_recv().expect("answered")
}

/// A batch making a task for jo on `day` (a new `Enterprise` account), then filler (health
/// changes of the partition's own `Smb` account, which makes no task), then a line of the
/// next hour that ends the moment.
fn batch(name: &str, day: u32) -> Vec<String> {
    let filler = format!("{name}-filler");
    let mut lines = vec![account(&filler, day, 0, "Smb"), account(&format!("{name}-{day}"), day, 50, "Enterprise")];
    lines.extend((1..=FILLER).map(|h| account(&filler, day, h, "Smb")));
    lines.push(account(&filler, day, FILLER + 1, "Smb").replace("T09:00", "T10:00"));
    lines
}

#[test]
fn two_partitions_racing_for_a_budgets_last_slot_hand_out_one_task() {
    let db = ScratchDatabase::create("budget_race").unwrap();
    Routing::open(db.url()).unwrap().partitions(Some(2)).unwrap();
    let mut a = writer(db.url(), 0);
    let mut b = writer(db.url(), 1);
    let mut raced = 0;
    for day in 2..8 {
        let start = Arc::new(Barrier::new(2));
        let (first_a, first_b) = std::thread::scope(|s| {
            let go = start.clone();
            let a = &mut a;
            let ta = s.spawn(move || {
                go.wait();
                take(a, &batch("a", day))
            });
            start.wait();
            let tb = take(&mut b, &batch("b", day));
            (ta.join().unwrap(), tb)
        });
        for (writer, first, name) in [(&mut a, first_a, "a"), (&mut b, first_b, "b")] {
            match first {
                Ok(report) => assert!(report.refused.is_empty(), "{report:?}"),
                Err(why) => {
                    assert!(why.contains("used up by another partition"), "{why}");
                    raced += 1;
                    // Sent again, as the sender is told to: taken, the task deferred.
                    let again = take(writer, &batch(name, day)).expect("taken when sent again");
                    assert!(again.refused.is_empty(), "{again:?}");
                }
            }
        }
        let merged = Merged::open(db.url(), 2).unwrap();
        let query = ActionQuery { assignee: Some("jo@example.com".into()), limit: 1000, ..ActionQuery::default() };
        let tasks = merged.actions(&query).unwrap().items;
        let from = MARCH + i64::from(day - 1) * 86_400;
        let today = tasks.iter().filter(|t| (from..from + 86_400).contains(&t.at)).count();
        assert_eq!(today, 1, "one task on day {day} across both partitions: {tasks:#?}");
        if raced >= 2 {
            break;
        }
    }
    assert!(raced >= 1, "the batches raced for the slot at least once");
    // Each partition's engine is its journal's fold: restarted, they hold what they held.
    for k in 0..2 {
        let restarted = writer(db.url(), k);
        let store = PostgresStore::open_partition(db.url(), k).unwrap().sharing_budgets(k);
        let (_, upto) = store.budget_uses_elsewhere(0).unwrap();
        assert_eq!(restarted.host.foreign_upto, upto, "partition {k} has folded every use of the other");
    }
    eprintln!("{raced} races for the last slot, each lost by one partition and sent again");
}
