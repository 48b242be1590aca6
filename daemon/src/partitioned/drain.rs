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

/// One look at the table for each partition held: what waits is sent to every partition's
/// engine thread at once, then each answer awaited. How many lines were taken.
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
        let Some(last) = waiting.last().map(|r| r.n) else { continue };
        let lines: BTreeMap<usize, String> = waiting.into_iter().map(|r| (r.n as usize, r.line)).collect();
        let (reply, answer) = oneshot::channel();
        let request = Request::Changes { lines: lines.clone().into_iter().collect(), reply };
        if local.send(partition, request).is_ok() {
            sent.push((partition, last, lines, answer));
        }
    }
    let mut took = 0;
    for (partition, last, lines, answer) in sent {
        match answer.blocking_recv() {
            Ok(Ok(report)) => {
                for r in report.refused {
                    let line = lines.get(&r.line).map_or("", String::as_str);
                    tracing::warn!(partition, line, "a routed change was refused by its partition: {}", r.message);
                }
                if let Err(e) = routing.taken(partition, last) {
                    tracing::warn!(partition, "routed changes taken could not be forgotten (taken once anyway): {e}");
                }
                took += lines.len();
            }
            Ok(Err(e)) => tracing::error!(partition, "routed changes could not be taken: {e}"),
            Err(_) => {}
        }
    }
    took
}
