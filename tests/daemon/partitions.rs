//! A workspace of four partitions shared by three workers on PostgreSQL: changes go to
//! whichever worker (each routes them to their partition), and a worker is killed (SIGKILL)
//! at random moments and replaced (touch budgets per teammate, shared across partitions,
//! left out: they have a test of their own at the end). Every acknowledged change is journaled once, in its
//! account's partition (a teammate in every partition); each partition's actions equal
//! `play replay` of exactly the acknowledged changes routed to it — none lost, none twice;
//! and a dead worker's partitions are held again within a few lease times.

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use play_store::postgres::{Merged, ScratchDatabase};
use play_store::{PostgresStore, Store};

use crate::crash::{line, Rng};
use crate::scale_out::{post, token};
use crate::workers::{Pool, Worker, LEASE_MS};

pub(crate) const PARTITIONS: i32 = 4;
const BATCH: usize = 4;

fn query_count(db: &str, sql: &str) -> i64 {
    let mut client = postgres::Client::connect(db, postgres::NoTls).unwrap();
    client.query_one(sql, &[]).unwrap().get(0)
}

/// Whether every partition is held by a lease that has not expired, of a worker other than
/// the process `dead`.
fn all_held(db: &str, dead: Option<u32>) -> bool {
    let dead = dead.map_or(String::new(), |pid| format!(" AND holder NOT LIKE '%:{pid}'"));
    query_count(db, &format!("SELECT count(*) FROM leases WHERE expires > now(){dead}")) == i64::from(PARTITIONS)
}

pub(crate) fn wait_until(what: &str, limit: Duration, mut done: impl FnMut() -> bool) -> Duration {
    let start = Instant::now();
    while !done() {
        assert!(start.elapsed() < limit, "{what} within {limit:?}");
        std::thread::sleep(Duration::from_millis(20));
    }
    start.elapsed()
}

#[test]
fn partitions_survive_workers_killed_at_random_and_take_every_acknowledged_change_once() {
    let db = ScratchDatabase::create("parts").unwrap();
    let dir = crate::support::example_copy("customer-success");
    // Each partition is held to a replay of its own changes: a budget shared across
    // partitions (a CSM's tasks a day) would make it depend on the others' (that is tested
    // below, on its own).
    let limits = dir.path().join("limits.play");
    let text = std::fs::read_to_string(&limits).unwrap();
    std::fs::write(&limits, text.replace("task per user", "task per account")).unwrap();
    let jo = token(dir.path(), db.url());
    let kills_wanted: usize = std::env::var("PLAY_SCALE_KILLS").ok().and_then(|k| k.parse().ok()).unwrap_or(4);
    let mut rng = Rng(0x9a27_1710_0000_0002);
    let partitions = PARTITIONS.to_string();
    let mut pool = Pool::new(dir.path(), db.url(), &["--snapshot-every", "5", "--partitions", &partitions]);
    let mut workers: BTreeMap<usize, (Worker, String)> = BTreeMap::new();
    let start = |pool: &mut Pool, workers: &mut BTreeMap<usize, (Worker, String)>| {
        let (n, w) = pool.start();
        let (m, url, _) = pool.next_active(Instant::now());
        assert_eq!(n, m, "every worker of a partitioned workspace listens");
        workers.insert(n, (w, url));
    };
    for _ in 0..3 {
        start(&mut pool, &mut workers);
    }
    wait_until("the partitions are shared out", Duration::from_secs(30), || all_held(db.url(), None));
    let mut acknowledged: Vec<String> = Vec::new();
    let mut takeovers = Vec::new();
    let mut next = 0;
    for kill in 0..=kills_wanted {
        let last_run = kill == kills_wanted;
        let ids: Vec<usize> = workers.keys().copied().collect();
        let victim = ids[rng.next() as usize % ids.len()];
        let killer = (!last_run).then(|| {
            let pid = workers[&victim].0.pid();
            let wait = Duration::from_millis(20 + rng.next() % 150);
            std::thread::spawn(move || {
                std::thread::sleep(wait);
                let _ = std::process::Command::new("kill").args(["-KILL", &pid.to_string()]).status();
                Instant::now()
            })
        });
        let mut posts = 0;
        loop {
            if last_run && posts >= 15 {
                break;
            }
            if killer.as_ref().is_some_and(|k| k.is_finished()) && posts >= 2 {
                break;
            }
            // Any worker takes any change; a post that fails (its worker killed) is sent
            // again, to another.
            let ids: Vec<usize> = workers.keys().copied().collect();
            let to = ids[rng.next() as usize % ids.len()];
            let end = next + BATCH;
            let body = (next..end).map(line).collect::<Vec<_>>().join("\n");
            match post(&workers[&to].1, &jo, &body) {
                Some(report) => {
                    assert!(report["refused"].as_array().is_some_and(Vec::is_empty), "{report}");
                    acknowledged.extend((next..end).map(line));
                    next = end;
                    posts += 1;
                }
                None => std::thread::sleep(Duration::from_millis(10)),
            }
        }
        let Some(killer) = killer else { break };
        let killed_at = killer.join().unwrap();
        let (mut dead, _) = workers.remove(&victim).unwrap();
        let pid = dead.pid();
        let _ = dead.child.wait();
        wait_until("a dead worker's partitions are taken over", Duration::from_secs(60), || {
            all_held(db.url(), Some(pid))
        });
        takeovers.push(killed_at.elapsed());
        start(&mut pool, &mut workers);
    }
    wait_until("the routed changes are taken", Duration::from_secs(60), || {
        query_count(db.url(), "SELECT count(*) FROM play_routed") == 0
    });
    for (_, (w, _)) in &workers {
        w.signal("TERM");
    }
    for (_, (mut w, _)) in std::mem::take(&mut workers) {
        let status = w.child.wait().unwrap();
        assert_eq!(status.code(), Some(0), "SIGTERM drains and exits 0: {}", w.log_text());
    }

    // Each acknowledged change in one partition (a teammate in all), and each partition's
    // actions those of a replay of exactly its changes.
    let stores: Vec<PostgresStore> =
        (0..PARTITIONS).map(|k| PostgresStore::open_partition(db.url(), k).unwrap()).collect();
    let mut stored = 0;
    let mut lines_of: Vec<Vec<String>> = vec![Vec::new(); PARTITIONS as usize];
    for (n, text) in acknowledged.iter().enumerate() {
        let id = format!("s{n}");
        let taken: Vec<usize> = (0..stores.len()).filter(|&k| stores[k].change_id_taken(&id).unwrap()).collect();
        let everywhere = text.contains("\"record\":\"User\"");
        if everywhere {
            assert_eq!(taken.len(), stores.len(), "a teammate is in every partition: {text}");
        } else {
            assert_eq!(taken.len(), 1, "an acknowledged change is in one partition: {text}");
        }
        for k in taken {
            lines_of[k].push(text.clone());
        }
    }
    for (k, store) in stores.iter().enumerate() {
        stored += crate::support::stored_match_replay(dir.path(), store, &lines_of[k])
            .unwrap_or_else(|lost| panic!("partition {k}: {lost}"));
    }
    let merged = Merged::open(db.url(), PARTITIONS).unwrap();
    let query = play_store::ActionQuery { limit: 1_000_000, ..play_store::ActionQuery::default() };
    assert_eq!(merged.actions(&query).unwrap().items.len(), stored, "the merged queue holds every partition's");
    assert!(stored > 20, "the stream fires actions: {stored}");
    assert!(lines_of.iter().filter(|l| l.len() > 20).count() >= 2, "the accounts spread over partitions");
    eprintln!(
        "{kills_wanted} kills, {} lines acknowledged, {stored} actions stored, lines per partition {:?}; \
         partitions held again after (lease {LEASE_MS} ms): {takeovers:?}",
        acknowledged.len(),
        lines_of.iter().map(Vec::len).collect::<Vec<_>>()
    );
}

/// How many unexpired leases each worker (by process id) holds.
pub(crate) fn holders(db: &str) -> BTreeMap<u32, usize> {
    let mut client = postgres::Client::connect(db, postgres::NoTls).unwrap();
    let rows = client.query("SELECT holder FROM leases WHERE expires > now()", &[]).unwrap();
    let mut held = BTreeMap::new();
    for r in rows {
        let holder: String = r.get(0);
        let pid = holder.rsplit(':').next().and_then(|p| p.parse().ok()).unwrap_or(0);
        *held.entry(pid).or_default() += 1;
    }
    held
}

/// Two workers on a new workspace of [`PARTITIONS`] partitions, once they share them half
/// and half: each with its URL.
pub(crate) fn two_workers(db: &str, dir: &std::path::Path) -> (Pool, (Worker, String), (Worker, String)) {
    let partitions = PARTITIONS.to_string();
    let mut pool = Pool::new(dir, db, &["--partitions", &partitions]);
    let (_, a) = pool.start();
    let (_, url_a, _) = pool.next_active(Instant::now());
    let (_, b) = pool.start();
    let (_, url_b, _) = pool.next_active(Instant::now());
    let half = PARTITIONS as usize / 2;
    wait_until("two workers share the partitions", Duration::from_secs(30), || {
        let held = holders(db);
        held.get(&a.pid()) == Some(&half) && held.get(&b.pid()) == Some(&half)
    });
    (pool, (a, url_a), (b, url_b))
}

#[test]
fn partitions_are_shared_out_when_a_worker_joins_and_taken_back_when_it_leaves() {
    let db = ScratchDatabase::create("rebalance").unwrap();
    let dir = crate::support::example_copy("customer-success");
    let jo = token(dir.path(), db.url());
    let partitions = PARTITIONS.to_string();
    let mut pool = Pool::new(dir.path(), db.url(), &["--partitions", &partitions]);
    let (_, a) = pool.start();
    let (_, url_a, _) = pool.next_active(Instant::now());
    let all = PARTITIONS as usize;
    wait_until("one worker holds every partition", Duration::from_secs(30), || {
        holders(db.url()).get(&a.pid()) == Some(&all)
    });
    assert!(post(&url_a, &jo, &(0..8).map(line).collect::<Vec<_>>().join("\n")).is_some());

    let (_, b) = pool.start();
    let (_, url_b, _) = pool.next_active(Instant::now());
    let joined = Instant::now();
    let took = wait_until("the partitions are shared out half and half", Duration::from_secs(30), || {
        let held = holders(db.url());
        held.get(&a.pid()) == Some(&(all / 2)) && held.get(&b.pid()) == Some(&(all / 2))
    });
    // Both take changes for every partition, whichever holds it.
    assert!(post(&url_b, &jo, &(8..16).map(line).collect::<Vec<_>>().join("\n")).is_some());
    assert!(post(&url_a, &jo, &(16..24).map(line).collect::<Vec<_>>().join("\n")).is_some());
    complete_through_the_other_worker(db.url(), &jo, [(a.pid(), &url_a), (b.pid(), &url_b)]);

    b.signal("TERM");
    let mut b = b;
    assert_eq!(b.child.wait().unwrap().code(), Some(0), "{}", b.log_text());
    wait_until("the one left takes every partition back", Duration::from_secs(30), || {
        holders(db.url()).get(&a.pid()) == Some(&all)
    });
    wait_until("the routed changes are taken", Duration::from_secs(30), || {
        query_count(db.url(), "SELECT count(*) FROM play_routed") == 0
    });
    a.signal("TERM");
    let mut a = a;
    assert_eq!(a.child.wait().unwrap().code(), Some(0), "{}", a.log_text());
    let merged = Merged::open(db.url(), PARTITIONS).unwrap();
    for n in 0..24 {
        assert!(merged.change_id_taken(&format!("s{n}")).unwrap(), "change s{n} was taken");
    }
    let log = a.log_text();
    assert!(log.contains("gave the partition up"), "the first worker says it gave partitions up:\n{log}");
    // `play migrate` copies a workspace of one partition: this one is refused, not copied in part.
    let target = format!("sqlite:{}", dir.path().join("copy.db").display());
    let (code, _, err) = crate::support::play(dir.path(), &["migrate", "--from", db.url(), "--to", &target]);
    assert!(code != 0 && err.contains("4 partitions"), "migrate refuses a partitioned workspace: {code} {err}");
    eprintln!("shared out {took:?} after the second worker started ({:?} ago)", joined.elapsed());
}

/// A new account's upsert with a `change_id` of its own.
fn account_line(id: &str, change_id: &str) -> String {
    format!(
        r#"{{"change_id":"{change_id}","at":"2026-03-17T00:00:00Z","change":"upsert","record":"Account","id":"{id}","fields":{{"name":"Account {id}","tier":"Enterprise","arr":300000,"stage":"Renewal","health":80,"owner":"jo@example.com","csm":"ana@example.com","weekly_active_users":40,"licensed_seats":50,"used_seats":38,"tags":[]}}}}"#
    )
}

#[test]
fn a_worker_paused_past_its_leases_writes_nothing_to_its_partitions_when_it_resumes() {
    let db = ScratchDatabase::create("pstale").unwrap();
    let dir = crate::support::example_copy("customer-success");
    let jo = token(dir.path(), db.url());
    let partitions = PARTITIONS.to_string();
    let mut pool = Pool::new(dir.path(), db.url(), &["--partitions", &partitions]);
    let (_, mut a) = pool.start();
    let (_, url_a, _) = pool.next_active(Instant::now());
    let (_, b) = pool.start();
    let _ = pool.next_active(Instant::now());
    let half = PARTITIONS as usize / 2;
    wait_until("two workers share the partitions", Duration::from_secs(30), || {
        let held = holders(db.url());
        held.get(&a.pid()) == Some(&half) && held.get(&b.pid()) == Some(&half)
    });
    assert!(post(&url_a, &jo, &(0..8).map(line).collect::<Vec<_>>().join("\n")).is_some());
    // An account of a partition the first worker holds.
    let mut client = postgres::Client::connect(db.url(), postgres::NoTls).unwrap();
    let mine: Vec<i32> = client
        .query("SELECT partition FROM leases WHERE holder LIKE $1", &[&format!("%:{}", a.pid())])
        .unwrap()
        .iter()
        .map(|r| r.get(0))
        .collect();
    let id = (0..100)
        .map(|k| format!("stale-{k}"))
        .find(|id| mine.contains(&play_daemon::partitioned::route::partition_of(&format!("Account/{id}"), PARTITIONS)))
        .unwrap();

    a.signal("STOP");
    wait_until("the other worker takes every partition", Duration::from_secs(30), || {
        holders(db.url()).get(&b.pid()) == Some(&(PARTITIONS as usize))
    });
    let merged = Merged::open(db.url(), PARTITIONS).unwrap();
    let position = merged.journal_position().unwrap();
    let stale_line = account_line(&id, "stale");
    let sent = std::thread::spawn(move || {
        post(&url_a, &jo, &stale_line).is_some_and(|report| report["accepted"].as_u64() != Some(0))
    });
    std::thread::sleep(Duration::from_millis(100));
    a.signal("CONT");
    assert!(!sent.join().unwrap(), "the paused worker acknowledges nothing");
    let start = Instant::now();
    let status = loop {
        if let Some(status) = a.child.try_wait().unwrap() {
            break status;
        }
        assert!(start.elapsed() < Duration::from_secs(30), "the paused worker stops");
        std::thread::sleep(Duration::from_millis(20));
    };
    assert_eq!(status.code(), Some(2), "it stops with status 2");
    let log = a.log_text();
    assert!(log.contains("lost its lease"), "it says why in its log:\n{log}");
    assert!(!merged.change_id_taken("stale").unwrap(), "its change was not written");
    assert_eq!(query_count(db.url(), "SELECT count(*) FROM play_routed WHERE line LIKE '%stale%'"), 0);
    assert_eq!(merged.journal_position().unwrap(), position, "it wrote nothing at all");
    drop(b);
}

/// An account's upsert at an hour of 2026-03-17 with a health.
fn account_at(id: usize, hour: u32, health: u32) -> String {
    format!(
        r#"{{"change_id":"b{id}-{hour}","at":"2026-03-17T{hour:02}:00:00Z","change":"upsert","record":"Account","id":"b{id}","fields":{{"name":"Account {id}","tier":"Enterprise","arr":300000,"stage":"Renewal","health":{health},"owner":"jo@example.com","csm":"ana@example.com","weekly_active_users":40,"licensed_seats":50,"used_seats":38,"tags":[]}}}}"#
    )
}

/// Posts a body until a worker takes it (a batch refused for a budget another partition
/// used up meanwhile is sent again, as a sender does).
fn post_until_taken(url: &str, token: &str, body: &str) -> u32 {
    for refusals in 0..200 {
        if post(url, token, body).is_some() {
            return refusals;
        }
        std::thread::sleep(Duration::from_millis(5));
    }
    panic!("never taken: {body}");
}

#[test]
fn a_teammates_touch_budget_holds_exactly_across_workers_taking_changes_at_once() {
    let db = ScratchDatabase::create("budgets").unwrap();
    let dir = crate::support::example_copy("customer-success");
    // Three new tasks a day for a CSM, the rest deferred to the next day.
    let limits = dir.path().join("limits.play");
    let text = std::fs::read_to_string(&limits).unwrap().replace("15 task per user per 1d", "3 task per user per 1d");
    std::fs::write(&limits, text).unwrap();
    let jo = token(dir.path(), db.url());
    let (_pool, (a, url_a), (b, url_b)) = two_workers(db.url(), dir.path());
    const ACCOUNTS: usize = 40;
    let healthy: Vec<String> = (0..ACCOUNTS).map(|i| account_at(i, 0, 80)).collect();
    post_until_taken(&url_a, &jo, &healthy.join("\n"));
    // Every account falls into `at_risk` in the same hour: each enrols and makes a task for
    // the same CSM, half sent to one worker and half to the other, one line a request.
    let refused: u32 = std::thread::scope(|s| {
        let sends: Vec<_> = [(&url_a, 0), (&url_b, 1)]
            .into_iter()
            .map(|(url, side)| {
                let jo = &jo;
                s.spawn(move || {
                    (0..ACCOUNTS)
                        .filter(|i| i % 2 == side)
                        .map(|i| post_until_taken(url, jo, &account_at(i, 1, 30)))
                        .sum::<u32>()
                })
            })
            .collect();
        sends.into_iter().map(|h| h.join().unwrap()).sum()
    });
    // An hour later every partition's clock moves on (the clock follows the changes), so
    // the moment's actions are arbitrated and handed out.
    let later: Vec<String> = (0..ACCOUNTS).map(|i| account_at(i, 2, 30)).collect();
    post_until_taken(&url_b, &jo, &later.join("\n"));
    wait_until("the routed changes are taken", Duration::from_secs(60), || {
        query_count(db.url(), "SELECT count(*) FROM play_routed") == 0
    });
    for w in [&a, &b] {
        w.signal("TERM");
    }
    for mut w in [a, b] {
        assert_eq!(w.child.wait().unwrap().code(), Some(0), "{}", w.log_text());
    }
    let merged = Merged::open(db.url(), PARTITIONS).unwrap();
    let query = play_store::ActionQuery {
        assignee: Some("ana@example.com".into()),
        playbook: Some("at_risk_escalation".into()),
        limit: 1000,
        ..play_store::ActionQuery::default()
    };
    let tasks: Vec<_> = merged.actions(&query).unwrap().items.into_iter().filter(|a| a.kind == "task").collect();
    let partitions_used: std::collections::BTreeSet<i32> =
        tasks.iter().filter_map(|t| merged.partition_of_action(&t.id).unwrap()).collect();
    assert_eq!(tasks.len(), 3, "three tasks for the CSM that day, across every partition: {tasks:#?}");
    let history = merged
        .history(&play_store::HistoryQuery {
            playbook: Some("at_risk_escalation".into()),
            limit: 10_000,
            ..Default::default()
        })
        .unwrap();
    let deferred = history.iter().filter(|h| h.json.contains("deferred")).count();
    assert_eq!(deferred, ACCOUNTS - 3, "the others wait for the next day's slots");
    eprintln!(
        "3 tasks handed out from partitions {partitions_used:?}, {deferred} deferred; {refused} batches refused \
         for a budget used up meanwhile and sent again"
    );
}

/// Completes an open task through the worker that does not hold its partition: the work is
/// routed, taken by the partition's worker, and stamped with that partition's clock (the
/// changes' time here), not the routing worker's wall clock.
fn complete_through_the_other_worker(db: &str, token: &str, workers: [(u32, &String); 2]) {
    let merged = Merged::open(db, PARTITIONS).unwrap();
    let open = play_store::ActionQuery {
        state: Some(play_store::ActionState::Open),
        limit: 1000,
        ..play_store::ActionQuery::default()
    };
    let task = wait_for_task(&merged, &open);
    let partition = merged.partition_of_action(&task).unwrap().unwrap();
    let mut client = postgres::Client::connect(db, postgres::NoTls).unwrap();
    let holder: String =
        client.query_one("SELECT holder FROM leases WHERE partition = $1", &[&partition]).unwrap().get(0);
    let (_, other) = workers.iter().find(|(pid, _)| !holder.ends_with(&format!(":{pid}"))).unwrap();
    let answer = ureq::post(&format!("{other}/v1/actions/{task}/complete"))
        .set("Authorization", &format!("Bearer {token}"))
        .send_string("{}");
    assert!(answer.is_ok(), "the other worker takes the work: {answer:?}");
    wait_until("the routed work is taken", Duration::from_secs(30), || {
        merged.action(&task).unwrap().is_some_and(|a| a.state == play_store::ActionState::Done)
    });
    let store = PostgresStore::open_partition(db, partition).unwrap();
    let journal = store.read_journal(0, 100_000).unwrap();
    let worked = journal
        .iter()
        .find_map(|(_, c)| match c {
            play_store::Command::Change { line, .. } if line.contains(&task) && line.contains("complete") => Some(line),
            _ => None,
        })
        .expect("the work is in the partition's journal");
    assert!(worked.contains("\"at\":\"2026-03"), "stamped by the partition's clock: {worked}");
}

fn wait_for_task(merged: &Merged, open: &play_store::ActionQuery) -> String {
    let mut found = None;
    wait_until("an open task", Duration::from_secs(30), || {
        let items = merged.actions(open).unwrap().items.into_iter();
        // One the token's teammate (jo) may work on.
        let mine = |a: &play_store::ActionRow| a.public || a.owner.as_deref() == Some("jo@example.com");
        found = items.filter(|a| a.kind == "task" && mine(a)).map(|a| a.id).next();
        found.is_some()
    });
    found.unwrap()
}
