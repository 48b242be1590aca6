//! Deliveries per second, and whether a backlog slows ingest, each against a baseline in
//! the same run:
//!
//! - `deliver/outbox_worker` sends outbox rows through the worker (read the row, sign,
//!   POST to a local HTTP receiver, record the attempt) and `deliver/sink_alone` POSTs the
//!   same signed webhooks to the same receiver with no outbox at all;
//! - `ingest/million_pending` appends batches of 1,000 actions with their outbox rows to a
//!   store holding 1,000,000 pending deliveries, `ingest/empty_outbox` to one that started
//!   empty. Every batch goes to both stores (only one is timed), so that the two differ by
//!   the backlog alone, not by what the other benchmark appended or by running first.
//!
//! `cargo bench -p play-daemon --bench deliver`.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpListener;
use std::time::{Duration, Instant};

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use play_daemon::deliver::{SinkSet, Worker};
use play_runtime::config::{Sinks, WebhookConfig};
use play_store::{Batch, OutboxRow, SqliteStore, Store};

const SECRET: &str = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";

/// A local HTTP receiver answering 200 to everything, a thread per connection.
fn receiver() -> String {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}/hook", listener.local_addr().unwrap());
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            std::thread::spawn(move || {
                let mut reader = BufReader::new(stream.try_clone().unwrap());
                let mut stream = stream;
                loop {
                    let mut len = 0;
                    let mut line = String::new();
                    if reader.read_line(&mut line).unwrap_or(0) == 0 {
                        return;
                    }
                    loop {
                        let mut h = String::new();
                        if reader.read_line(&mut h).unwrap_or(0) == 0 {
                            return;
                        }
                        let h = h.trim_end();
                        if h.is_empty() {
                            break;
                        }
                        if let Some((k, v)) = h.split_once(':') {
                            if k.eq_ignore_ascii_case("content-length") {
                                len = v.trim().parse().unwrap_or(0);
                            }
                        }
                    }
                    let mut body = vec![0; len];
                    if reader.read_exact(&mut body).is_err() {
                        return;
                    }
                    if stream.write_all(b"HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\nok").is_err() {
                        return;
                    }
                }
            });
        }
    });
    url
}

fn row(n: u64, url: &str) -> OutboxRow {
    let id = format!("act-{n}");
    let json = format!(
        r#"{{"id":"{id}","action":"webhook","playbook":"sync","step":"push","record":"Account/a{}","url":"{url}"}}"#,
        n % 64
    );
    OutboxRow { action_id: id, kind: "webhook".into(), sink: "webhook".into(), at: 1_772_409_600, json }
}

fn deliver(c: &mut Criterion) {
    let url = receiver();
    let dir = tempfile::tempdir().unwrap();
    let mut group = c.benchmark_group("deliver");
    group.throughput(Throughput::Elements(1)).sample_size(10).measurement_time(Duration::from_secs(8));
    group.bench_function("sink_alone", |b| {
        let mut n = 0u64;
        b.iter(|| {
            n += 1;
            let r = row(n, &url);
            play_delivery::webhook::send(&url, SECRET, &r.action_id, 1_772_409_600, &r.json)
        })
    });
    let mut run = 0;
    group.bench_function("outbox_worker", |b| {
        b.iter_custom(|iters| {
            run += 1;
            let path = dir.path().join(format!("deliver-{run}.db"));
            let mut store = SqliteStore::open(&path).unwrap();
            let outbox = (0..iters).map(|n| row(n, &url)).collect();
            store.append(&Batch { outbox, ..Batch::default() }).unwrap();
            let sinks = Sinks {
                webhook: Some(WebhookConfig { url: url.clone(), secret_env: "HOOK_SECRET".into() }),
                ..Sinks::default()
            };
            let set = SinkSet::from_settings(&sinks, &|_| Some(SECRET.to_string()));
            let mut worker = Worker::new(Box::new(SqliteStore::open(&path).unwrap()), set, None).unwrap();
            let start = Instant::now();
            let pass = worker.pass(1_772_409_600).unwrap();
            let took = start.elapsed();
            assert_eq!(pass.delivered as u64, iters);
            took
        })
    });
    group.finish();
}

fn batch(from: u64, n: u64) -> Batch {
    let mut b = Batch::default();
    for i in from..from + n {
        b.actions.push(play_store::conformance::action(&format!("act-{i}"), 1.0, 1_772_409_600, i));
        b.outbox.push(row(i, "http://127.0.0.1:9/hook"));
    }
    b
}

/// Appends `iters` batches to `timed`, timing them, and each same batch to `other` untimed,
/// so that both stores go through the same history and differ only by the backlog.
fn timed_appends(timed: &mut SqliteStore, other: &mut SqliteStore, n: &mut u64, iters: u64) -> Duration {
    let mut took = Duration::ZERO;
    for _ in 0..iters {
        *n += 1000;
        let b = batch(*n, 1000);
        let start = Instant::now();
        timed.append(&b).unwrap();
        took += start.elapsed();
        other.append(&b).unwrap();
    }
    took
}

fn ingest(c: &mut Criterion) {
    let dir = tempfile::tempdir().unwrap();
    let mut empty = SqliteStore::open(&dir.path().join("empty.db")).unwrap();
    let mut full = SqliteStore::open(&dir.path().join("full.db")).unwrap();
    let backlog: Vec<OutboxRow> = (0..1_000_000).map(|n| row(10_000_000 + n, "http://127.0.0.1:9/hook")).collect();
    full.append(&Batch { outbox: backlog, ..Batch::default() }).unwrap();
    let mut group = c.benchmark_group("ingest");
    group.throughput(Throughput::Elements(1000)).sample_size(20);
    let mut n = 0;
    group
        .bench_function("empty_outbox", |b| b.iter_custom(|iters| timed_appends(&mut empty, &mut full, &mut n, iters)));
    group.bench_function("million_pending", |b| {
        b.iter_custom(|iters| timed_appends(&mut full, &mut empty, &mut n, iters))
    });
    group.finish();
}

criterion_group!(benches, deliver, ingest);
criterion_main!(benches);
