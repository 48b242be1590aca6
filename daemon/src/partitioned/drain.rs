//! Taking routed changes: changes other workers accepted for the partitions this worker
//! holds wait in the routing table; they are sent to the partition's engine thread in the
//! order they were routed and forgotten once its journal has them. A worker that stops
//! between the two leaves them for the partition's next worker, which takes them once (each
//! routed line has a `change_id`). A line its partition refuses now (an event for a record
//! the partition never saw) is logged: its sender was answered when it was routed.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::Duration;

use play_store::routing::Routing;
use tokio::sync::oneshot;

use super::Local;
use crate::writer::Request;

/// Lines taken from the table at a time.
const PAGE: usize = 5_000;
/// How long the table is left between looks when nothing waited.
const IDLE: Duration = Duration::from_millis(20);

pub struct Drain {
    stop: Arc<AtomicBool>,
    thread: JoinHandle<()>,
}

impl Drain {
    pub fn start(url: &str, local: Arc<Local>) -> Result<Drain, String> {
        let mut routing = Routing::open(url).map_err(|e| e.to_string())?;
        let stop = Arc::new(AtomicBool::new(false));
        let stopping = stop.clone();
        let thread = std::thread::Builder::new()
            .name("drain".into())
            .spawn(move || {
                loop {
                    let stopping_now = stopping.load(Ordering::Acquire);
                    let took = pass(&mut routing, &local);
                    // At a stop, what waits for partitions held here is taken first.
                    if stopping_now && took == 0 {
                        return;
                    }
                    if took == 0 {
                        std::thread::sleep(IDLE);
                    }
                }
            })
            .map_err(|e| format!("the drain could not start: {e}"))?;
        Ok(Drain { stop, thread })
    }

    /// Takes what waits for the partitions held here, then stops.
    pub fn stop(self) {
        self.stop.store(true, Ordering::Release);
        let _ = self.thread.join();
    }
}

/// Whether a routed line is a teammate's work on the queue, routed without its `at` (the
/// partition's engine thread sets it from its own clock, as for a queue operation made here),
/// or emails or calls posted (`posted`): anything but a change.
fn is_not_a_change(line: &str) -> bool {
    serde_json::from_str::<serde_json::Map<String, serde_json::Value>>(line)
        .is_ok_and(|o| !o.contains_key("at") || o.contains_key("posted"))
}

/// What was sent to a partition's engine thread: the answer to wait for.
enum Sent {
    Changes(BTreeMap<usize, String>, oneshot::Receiver<Result<crate::writer::Report, String>>),
    Queue(String, oneshot::Receiver<Result<Result<(), play_runtime::change::Rejection>, String>>),
    Posted(super::posted::Answer),
}

/// One look at the table for each partition held: what waits is sent to every partition's
/// engine thread at once — the change lines up to the first other line, or that line
/// alone (a queue operation, emails or calls) — then each answer awaited. How many lines were taken.
fn pass(routing: &mut Routing, local: &Local) -> usize {
    let mut sent = Vec::new();
    for partition in local.held() {
        let waiting = match routing.waiting(partition, PAGE) {
            Ok(w) => w,
            Err(e) => {
                tracing::warn!(partition, "the routing table could not be read: {e}");
                continue;
            }
        };
        let Some(first) = waiting.first() else { continue };
        let (request, last, what) = if let Some(posted) = super::posted::request(&first.line) {
            match posted {
                Ok((request, answer)) => (request, first.n, Sent::Posted(answer)),
                Err(e) => {
                    // It read when it was routed (only a newer worker's line may not): dropped,
                    // so that the lines after it go on.
                    tracing::error!(partition, line = first.line, "routed emails or calls do not read, dropped: {e}");
                    let _ = routing.taken(partition, first.n);
                    continue;
                }
            }
        } else if is_not_a_change(&first.line) {
            let change = serde_json::from_str(&first.line).unwrap_or_default();
            let (reply, answer) = oneshot::channel();
            (Request::Queue { change, reply }, first.n, Sent::Queue(first.line.clone(), answer))
        } else {
            let changes: Vec<_> = waiting.iter().take_while(|r| !is_not_a_change(&r.line)).collect();
            let last = changes.last().map_or(first.n, |r| r.n);
            let lines: BTreeMap<usize, String> = changes.into_iter().map(|r| (r.n as usize, r.line.clone())).collect();
            let (reply, answer) = oneshot::channel();
            (Request::Changes { lines: lines.clone().into_iter().collect(), reply }, last, Sent::Changes(lines, answer))
        };
        if local.send(partition, request).is_ok() {
            sent.push((partition, last, what));
        }
    }
    let mut took = 0;
    for (partition, last, what) in sent {
        let taken = match what {
            Sent::Changes(lines, answer) => match answer.blocking_recv() {
                Ok(Ok(report)) => {
                    for r in report.refused {
                        let line = lines.get(&r.line).map_or("", String::as_str);
                        tracing::warn!(partition, line, "a routed change was refused by its partition: {}", r.message);
                    }
                    Some(lines.len())
                }
                Ok(Err(e)) => {
                    tracing::error!(partition, "routed changes could not be taken: {e}");
                    None
                }
                Err(_) => None,
            },
            Sent::Queue(line, answer) => match answer.blocking_recv() {
                Ok(Ok(result)) => {
                    if let Err(r) = result {
                        tracing::warn!(
                            partition,
                            line,
                            "routed queue work was refused by its partition: {}",
                            r.message
                        );
                    }
                    Some(1)
                }
                Ok(Err(e)) => {
                    tracing::error!(partition, "routed queue work could not be taken: {e}");
                    None
                }
                Err(_) => None,
            },
            Sent::Posted(answer) => match answer.wait() {
                Ok(()) => Some(1),
                Err(e) => {
                    tracing::error!(partition, "routed emails or calls could not be taken: {e}");
                    None
                }
            },
        };
        let Some(n) = taken else { continue };
        if let Err(e) = routing.taken(partition, last) {
            tracing::warn!(partition, "routed changes taken could not be forgotten (taken once anyway): {e}");
        }
        took += n;
    }
    took
}
