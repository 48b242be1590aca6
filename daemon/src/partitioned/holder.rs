//! The holder: this worker's share of the partitions. Every quarter of the lease time it
//! says it is alive (the workers table), renews the leases it holds, and works out its
//! share from the workers alive — `P / N`, one more for the first `P mod N` by name — then
//! gives one partition up when it holds more than its share, or takes expired ones when it
//! holds fewer. A partition taken gets an engine thread (its store fenced by the lease,
//! recovered from its snapshot and journal) and a delivery worker; one given up is stopped
//! cleanly (a snapshot, its delivery's pass finished) before its lease is released. A lease
//! taken over, or not renewed for a whole lease time, stops the process (status 2).

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use play_store::lease::{Lease, Leases};
use play_store::routing::Routing;
use play_store::{Fence, PostgresStore};

use super::route::partition_of;
use super::Local;
use crate::writer::{Request, Writer};

/// What a partition's engine thread is started with.
pub struct Setup {
    pub url: String,
    pub name: String,
    pub count: i32,
    pub ttl: Duration,
    pub project: PathBuf,
    pub owner: Option<String>,
    pub follow_changes: bool,
    pub snapshot_every: u64,
    pub status: Arc<Mutex<crate::status::Status>>,
    /// Where this worker answers the others (said with each heartbeat).
    pub peers: Arc<super::peers::Peers>,
}

/// The holder's thread.
pub struct Holder {
    stop: Arc<AtomicBool>,
    thread: JoinHandle<()>,
}

/// A partition held.
struct Held {
    lease: Lease,
    renewed: Instant,
    /// The engine thread (it recovers first, then serves).
    engine: JoinHandle<()>,
    /// Its delivery worker, once started.
    delivery: Arc<Mutex<Option<crate::deliver::Running>>>,
}

/// Says that a lease is lost and ends the process.
fn lost(partition: i32, why: &str) -> ! {
    tracing::error!(
        partition,
        "this worker lost its lease ({why}): it writes nothing more and stops; another worker takes over"
    );
    std::process::exit(2);
}

/// How many partitions this worker should hold, of `count`, among `alive` (sorted).
pub fn share(count: i32, alive: &[String], name: &str) -> usize {
    let n = alive.len().max(1);
    let rank = alive.iter().position(|w| w == name).unwrap_or(n - 1);
    let count = count.max(0) as usize;
    count / n + usize::from(rank < count % n)
}

impl Holder {
    pub fn start(setup: Setup, local: Arc<Local>) -> Result<Holder, String> {
        let leases = Leases::open(&setup.url).map_err(|e| e.to_string())?;
        let routing = Routing::open(&setup.url).map_err(|e| e.to_string())?;
        let stop = Arc::new(AtomicBool::new(false));
        let stopping = stop.clone();
        let thread = std::thread::Builder::new()
            .name("holder".into())
            .spawn(move || Keeping { setup, local, leases, routing, held: BTreeMap::new() }.run(&stopping))
            .map_err(|e| format!("the holder could not start: {e}"))?;
        Ok(Holder { stop, thread })
    }

    /// Stops every partition held (each with a snapshot) and gives its lease up.
    pub fn stop(self) {
        self.stop.store(true, Ordering::Release);
        let _ = self.thread.join();
    }
}

struct Keeping {
    setup: Setup,
    local: Arc<Local>,
    leases: Leases,
    routing: Routing,
    held: BTreeMap<i32, Held>,
}

impl Keeping {
    fn run(mut self, stop: &AtomicBool) {
        let every = (self.setup.ttl / 4).clamp(Duration::from_millis(20), Duration::from_secs(1));
        while !stop.load(Ordering::Acquire) {
            self.round();
            std::thread::sleep(every);
        }
        for partition in self.held.keys().copied().collect::<Vec<_>>() {
            self.give_up(partition, "this worker stops");
        }
        if let Err(e) = self.routing.leave(&self.setup.name) {
            tracing::warn!("this worker could not say it leaves (the others see it gone within the lease time): {e}");
        }
    }

    fn round(&mut self) {
        let alive = match self.routing.heartbeat(
            &self.setup.name,
            self.setup.peers.address.get().map(String::as_str),
            self.setup.ttl,
        ) {
            Ok(alive) => Some(alive),
            Err(e) => {
                tracing::warn!("the workers table could not be reached: {e}");
                None
            }
        };
        self.renew();
        let Some(alive) = alive else { return };
        let wanted = share(self.setup.count, &alive, &self.setup.name);
        if self.held.len() > wanted {
            // One at a time, so that the others take them over one by one.
            if let Some(&partition) = self.held.keys().next_back() {
                self.give_up(partition, "rebalancing: another worker joined");
            }
        } else if self.held.len() < wanted {
            self.take(wanted - self.held.len());
        }
    }

    fn renew(&mut self) {
        for (partition, held) in &mut self.held {
            match self.leases.renew(&held.lease, self.setup.ttl) {
                Ok(true) => held.renewed = Instant::now(),
                Ok(false) => lost(*partition, &format!("token {} was taken over", held.lease.token)),
                Err(e) => tracing::warn!(partition, "the lease could not be renewed: {e}"),
            }
            if held.renewed.elapsed() > self.setup.ttl {
                lost(*partition, "no renewal reached the database within the lease time");
            }
        }
    }

    /// Takes up to `wanted` partitions whose leases are free or expired, starting at a
    /// place of this worker's own so that workers starting together spread out.
    fn take(&mut self, mut wanted: usize) {
        let count = self.setup.count;
        let start = partition_of(&self.setup.name, count);
        for i in 0..count {
            if wanted == 0 {
                return;
            }
            let partition = (start + i) % count;
            if self.held.contains_key(&partition) {
                continue;
            }
            match self.leases.acquire(partition, &self.setup.name, self.setup.ttl) {
                Ok(Some(lease)) => {
                    tracing::info!(partition, token = lease.token, "took the lease on a partition");
                    let delivery = Arc::new(Mutex::new(None));
                    match self.start_engine(&lease, delivery.clone()) {
                        Ok(engine) => {
                            self.held.insert(partition, Held { lease, renewed: Instant::now(), engine, delivery });
                            wanted -= 1;
                        }
                        Err(e) => {
                            tracing::error!(partition, "the partition could not start: {e}");
                            let _ = self.leases.release(&lease);
                        }
                    }
                }
                Ok(None) => {}
                Err(e) => tracing::warn!(partition, "a lease could not be taken: {e}"),
            }
        }
    }

    /// The partition's engine thread: it recovers, puts the running program in place, starts
    /// its delivery, then joins the partitions this worker serves.
    fn start_engine(
        &self,
        lease: &Lease,
        delivery: Arc<Mutex<Option<crate::deliver::Running>>>,
    ) -> Result<JoinHandle<()>, String> {
        let partition = lease.partition;
        let fence = Fence { partition, token: lease.token };
        let s = &self.setup;
        let (url, project, owner, local) = (s.url.clone(), s.project.clone(), s.owner.clone(), self.local.clone());
        let (follow_changes, snapshot_every, status) = (s.follow_changes, s.snapshot_every, s.status.clone());
        std::thread::Builder::new()
            .name(format!("engine-{partition}"))
            .stack_size(8 << 20)
            .spawn(move || {
                let started = Instant::now();
                let program = (*local.program()).clone();
                let mut writer = match PostgresStore::open_partition(&url, partition) {
                    Ok(store) => Writer::new(
                        crate::host::Host::new(program.clone()),
                        Box::new(store.fenced(fence).sharing_budgets(partition)),
                        status,
                        owner.clone(),
                    ),
                    Err(e) => return tracing::error!(partition, "the partition's store could not be opened: {e}"),
                };
                writer.partition = Some(partition);
                writer.shares_budgets = true;
                writer.follow_changes = follow_changes;
                writer.snapshot_every = snapshot_every;
                let recovered = writer
                    .recover()
                    .and_then(|folded| writer.deploy_if_new(program, crate::clock::wall()).map(|_| folded));
                let folded = match recovered {
                    Ok(folded) => folded,
                    Err(e) => {
                        tracing::error!(partition, "the partition could not recover: {e}; stopping");
                        std::process::exit(2);
                    }
                };
                let open: crate::http::Opener = {
                    let url = url.clone();
                    Arc::new(move || Ok(Box::new(PostgresStore::open_partition(&url, partition)?.fenced(fence))))
                };
                match crate::deliver::start(&project, open, owner) {
                    Ok(running) => *delivery.lock().unwrap_or_else(|e| e.into_inner()) = running,
                    Err(e) => tracing::error!(partition, "the partition's delivery could not start: {e}"),
                }
                let (sender, requests) = std::sync::mpsc::channel();
                local.add(partition, sender);
                tracing::info!(
                    partition,
                    commands = folded,
                    ms = started.elapsed().as_millis() as u64,
                    "serving the partition"
                );
                writer.serve(requests);
            })
            .map_err(|e| e.to_string())
    }

    /// Stops a partition's engine thread (after what was sent to it) and its delivery, then
    /// gives its lease up for another worker to take at once.
    fn give_up(&mut self, partition: i32, why: &str) {
        let Some(held) = self.held.remove(&partition) else { return };
        // Not serving yet (still recovering): wait for it, then stop it.
        while !held.engine.is_finished() && !self.local.holds(partition) {
            std::thread::sleep(Duration::from_millis(10));
            let _ = self.leases.renew(&held.lease, self.setup.ttl);
        }
        if let Some(sender) = self.local.remove(partition) {
            let _ = sender.send(Request::Shutdown);
        }
        let _ = held.engine.join();
        if let Some(running) = held.delivery.lock().unwrap_or_else(|e| e.into_inner()).take() {
            running.stop();
        }
        match self.leases.release(&held.lease) {
            Ok(()) => tracing::info!(partition, "gave the partition up ({why})"),
            Err(e) => tracing::warn!(partition, "the lease could not be given up (it expires by itself): {e}"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shares_add_up_to_the_partitions_and_differ_by_one_at_most() {
        for count in 1..20 {
            for n in 1..7 {
                let alive: Vec<String> = (0..n).map(|i| format!("w{i}")).collect();
                let shares: Vec<usize> = alive.iter().map(|w| share(count, &alive, w)).collect();
                assert_eq!(shares.iter().sum::<usize>(), count as usize, "{count} among {n}: {shares:?}");
                assert!(shares.iter().max().unwrap() - shares.iter().min().unwrap() <= 1);
            }
        }
    }
}
