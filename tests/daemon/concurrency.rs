//! Many clients at once: posters and listers in parallel get correct answers (every line
//! taken once, every page ranked, no action twice), and a client that stalls mid-request
//! does not hold up anybody else's ingest.

use std::io::Write;
use std::net::TcpStream;

use crate::support::{example_copy, token, Daemon};

const USERS: usize = 3;
const POSTERS: usize = 6;
const BATCHES: usize = 4;
const ACCOUNTS_PER_BATCH: usize = 5;

fn account(id: &str, at: &str, health: u32) -> String {
    format!(
        r#"{{"at":"{at}","change":"upsert","record":"Account","id":"{id}","fields":{{"name":"{id}","tier":"Enterprise","arr":250000,"stage":"Renewal","health":{health},"owner":"jo@example.com","csm":"ana@example.com","weekly_active_users":40,"licensed_seats":50,"used_seats":38,"tags":[]}}}}"#
    )
}

#[test]
fn parallel_posters_and_listers_are_answered_correctly_and_a_stalled_client_blocks_nobody() {
    let dir = example_copy("customer-success");
    let jo = token(dir.path(), "jo@example.com");
    let daemon = Daemon::start(dir.path(), &[], &[]);
    let users: Vec<&str> = include_str!("../../examples/customer-success/changes.jsonl").lines().take(USERS).collect();
    assert_eq!(daemon.post("/v1/changes", Some(&jo), &users.join("\n")).1["accepted"], USERS);

    // A client that sends its headers and a little of a large body, then stalls.
    let host = daemon.url.trim_start_matches("http://").to_string();
    let mut stalled = TcpStream::connect(&host).expect("a connection");
    let head = format!(
        "POST /v1/changes HTTP/1.1\r\nHost: {host}\r\nAuthorization: Bearer {jo}\r\nContent-Type: application/x-ndjson\r\nContent-Length: 100000\r\n\r\n{{\"at\":"
    );
    stalled.write_all(head.as_bytes()).expect("sent");

    let done = std::sync::atomic::AtomicBool::new(false);
    std::thread::scope(|s| {
        let posters: Vec<_> = (0..POSTERS)
            .map(|p| {
                let (daemon, jo) = (&daemon, &jo);
                s.spawn(move || {
                    for b in 0..BATCHES {
                        let ids: Vec<String> = (0..ACCOUNTS_PER_BATCH).map(|i| format!("p{p}b{b}a{i}")).collect();
                        let mut lines: Vec<String> =
                            ids.iter().map(|id| account(id, "2026-03-02T09:00:00Z", 72)).collect();
                        lines.extend(ids.iter().map(|id| {
                            format!(
                                r#"{{"at":"2026-03-02T10:00:00Z","change":"upsert","record":"Account","id":"{id}","fields":{{"health":41}}}}"#
                            )
                        }));
                        let (code, answer) = daemon.post("/v1/changes", Some(jo), &lines.join("\n"));
                        assert_eq!(code, 200, "{answer}");
                        assert_eq!(answer["accepted"], lines.len(), "{answer}");
                        assert_eq!(answer["refused"].as_array().map(Vec::len), Some(0), "{answer}");
                    }
                })
            })
            .collect();
        let listers: Vec<_> = (0..3)
            .map(|_| {
                let (daemon, jo, done) = (&daemon, &jo, &done);
                s.spawn(move || {
                    let mut pages = 0;
                    while !done.load(std::sync::atomic::Ordering::Relaxed) || pages == 0 {
                        let (code, page) = daemon.get("/v1/actions?limit=20", Some(jo));
                        assert_eq!(code, 200, "{page}");
                        let priorities: Vec<f64> = page["items"]
                            .as_array()
                            .expect("items")
                            .iter()
                            .map(|i| i["priority"].as_f64().unwrap_or(0.0))
                            .collect();
                        assert!(priorities.windows(2).all(|w| w[0] >= w[1]), "a page out of rank: {priorities:?}");
                        pages += 1;
                    }
                })
            })
            .collect();
        for p in posters {
            p.join().expect("a poster finished while a client stalled");
        }
        done.store(true, std::sync::atomic::Ordering::Relaxed);
        for l in listers {
            l.join().expect("a lister finished");
        }
    });
    drop(stalled);

    // A later moment ends the last one, so its actions are in the queue.
    let later = r#"{"at":"2026-03-03T09:00:00Z","change":"upsert","record":"Account","id":"p0b0a0","fields":{"used_seats":39}}"#;
    assert_eq!(daemon.post("/v1/changes", Some(&jo), later).1["accepted"], 1);
    let all = daemon.all_actions(&jo);
    let mut ids: Vec<&str> = all.iter().map(|a| a["id"].as_str().expect("an id")).collect();
    ids.sort();
    let before = ids.len();
    ids.dedup();
    assert_eq!(ids.len(), before, "no action twice");
    // One Slack alert per account whose health fell (tasks are capped by a touch budget,
    // alerts are not).
    let alerts = all.iter().filter(|a| a["playbook"] == "renewal_risk" && a["action"] == "notify_slack").count();
    assert_eq!(alerts, POSTERS * BATCHES * ACCOUNTS_PER_BATCH);
}
