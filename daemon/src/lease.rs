//! Running on PostgreSQL as one of several workers: before it folds the journal, a worker
//! takes the lease on the partition (standing by while another holds it), then renews it
//! in the background. The writer's store is fenced by the lease's token, so if the lease is
//! taken over (this worker was paused, or cut off from the database past the lease time)
//! nothing more is written: the worker says so in its log and exits with status 2, for its
//! supervisor to start it again as a standby.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use play_store::lease::{Lease, Leases};

use crate::DaemonError;

/// The one partition this version runs: the whole workspace.
pub const PARTITION: i32 = 0;

/// Who this worker is in the leases table: host and process.
pub fn worker_name() -> String {
    format!("{}:{}", host_name(), std::process::id())
}

/// The machine's name.
pub fn host_name() -> String {
    std::fs::read_to_string("/proc/sys/kernel/hostname")
        .ok()
        .or_else(|| std::env::var("HOSTNAME").ok())
        .map(|h| h.trim().to_string())
        .filter(|h| !h.is_empty())
        .unwrap_or_else(|| "localhost".into())
}

/// Takes the partition's lease, waiting (a standby) while another worker holds it.
pub fn acquire(url: &str, name: &str, ttl: Duration) -> Result<Lease, DaemonError> {
    let mut leases = Leases::open(url)?;
    let poll = (ttl / 4).clamp(Duration::from_millis(20), Duration::from_secs(1));
    let mut said = false;
    loop {
        if let Some(lease) = leases.acquire(PARTITION, name, ttl)? {
            tracing::info!(partition = PARTITION, token = lease.token, "took the lease: this worker is active");
            return Ok(lease);
        }
        if !said {
            if let Some(h) = leases.holder(PARTITION)? {
                tracing::info!(
                    partition = PARTITION,
                    holder = %h.holder,
                    expires_in_ms = h.expires_in_ms,
                    "standing by: another worker holds the partition"
                );
            }
            said = true;
        }
        std::thread::sleep(poll);
    }
}

/// Renews a lease in the background until released.
pub struct Keeper {
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
    lease: Lease,
    url: String,
}

/// Says that the lease is lost and ends the process.
fn lost(why: &str) -> ! {
    tracing::error!(
        partition = PARTITION,
        "this worker lost its lease ({why}): it writes nothing more and stops; another worker takes over"
    );
    std::process::exit(2);
}

impl Keeper {
    /// Renews `lease` every third of `ttl`. When the lease was taken over, or no renewal
    /// succeeded for a whole `ttl`, the process stops.
    pub fn start(url: &str, lease: Lease, ttl: Duration) -> Result<Keeper, DaemonError> {
        let mut leases = Leases::open(url)?;
        let stop = Arc::new(AtomicBool::new(false));
        let every = ttl / 3;
        // Fault injection for the fencing test: a keeper that never runs, as one stalled
        // while the writer goes on, leaves the fencing token as the only guard.
        if std::env::var_os("PLAY_FAULT_STALLED_KEEPER").is_some() {
            tracing::warn!("PLAY_FAULT_STALLED_KEEPER is set: the lease is never renewed (a test of the fence)");
            return Ok(Keeper { stop, thread: None, lease, url: url.to_string() });
        }
        let thread = {
            let stop = stop.clone();
            let lease = lease.clone();
            std::thread::Builder::new()
                .name("lease".into())
                .spawn(move || {
                    let mut renewed = Instant::now();
                    while !stop.load(Ordering::Acquire) {
                        std::thread::sleep(every);
                        if stop.load(Ordering::Acquire) {
                            return;
                        }
                        match leases.renew(&lease, ttl) {
                            Ok(true) => renewed = Instant::now(),
                            Ok(false) => lost(&format!("token {} was taken over", lease.token)),
                            Err(e) => tracing::warn!("the lease could not be renewed: {e}"),
                        }
                        if renewed.elapsed() > ttl {
                            lost("no renewal reached the database within the lease time");
                        }
                    }
                })
                .map_err(|e| DaemonError::Other(format!("the lease thread could not start: {e}")))?
        };
        Ok(Keeper { stop, thread: Some(thread), lease, url: url.to_string() })
    }

    pub fn lease(&self) -> &Lease {
        &self.lease
    }

    /// Stops renewing and gives the lease up, so a standby takes over at once.
    pub fn release(mut self) {
        self.stop.store(true, Ordering::Release);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
        match Leases::open(&self.url).and_then(|mut l| l.release(&self.lease)) {
            Ok(()) => tracing::info!(partition = PARTITION, "the lease is given up"),
            Err(e) => tracing::warn!("the lease could not be given up (it expires by itself): {e}"),
        }
    }
}
