//! Delivery in the daemon: the outbox worker (`worker.rs`) on its own thread and its own
//! store handle, reading outbox rows (never the engine) and sending each through the sink
//! `play.toml` configures for it (`sinks.rs`); opt-outs read from the journal
//! (`optouts.rs`); the email-sync blacklists applied to emails logged to the CRM
//! (`email_sync.rs`). Delivery runs when `play.toml` configures at least one sink; without
//! one, rows wait in the outbox.

mod email_sync;
mod optouts;
pub mod sinks;
pub mod worker;

use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

use play_runtime::config::{Sinks, Workspace};

pub use sinks::{Job, Sink, SinkSet};
pub use worker::{Pass, Worker};

/// The sinks of the project's `play.toml` (none when it has no such file), their secrets
/// read from the environment.
pub fn sinks_of(project: &Path) -> Result<SinkSet, String> {
    Ok(SinkSet::from_settings(&settings_of(project)?, &|name| std::env::var(name).ok()))
}

/// The `[sinks.…]` and `[crm.…]` settings of the project's `play.toml` (none without one).
pub fn settings_of(project: &Path) -> Result<Sinks, String> {
    let folder = if project.is_file() { project.parent().unwrap_or(Path::new(".")) } else { project };
    let text = match std::fs::read_to_string(folder.join("play.toml")) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Sinks::default()),
        Err(e) => return Err(format!("cannot read `play.toml`: {e}")),
    };
    let workspace = Workspace::from_toml(&text).map_err(|e| format!("`play.toml`: {e}"))?;
    Ok(workspace.sinks)
}

/// Starts the worker on its own thread, passing over the outbox every second (at once
/// again while there is more to do). Does nothing when no sink is configured.
pub fn start(project: &Path, open: crate::http::Opener, owner: Option<String>) -> Result<Option<Running>, String> {
    let sinks = sinks_of(project)?;
    if sinks.is_empty() {
        tracing::info!("delivery is off: `play.toml` configures no `[sinks.…]` or `[crm.…]`");
        return Ok(None);
    }
    let store = open().map_err(|e| e.to_string())?;
    let mut worker = Worker::new(store, sinks, owner)?;
    let stop = Arc::new(AtomicBool::new(false));
    let stopped = stop.clone();
    let thread = std::thread::Builder::new()
        .name("delivery".into())
        .spawn(move || {
            while !stopped.load(Ordering::Acquire) {
                match worker.pass(crate::clock::wall()) {
                    Ok(pass) if pass.delivered + pass.dead + pass.skipped > 0 => continue,
                    Ok(_) => {}
                    Err(e) => tracing::error!("delivery: {e}"),
                }
                // A second between passes, a stop seen within a tenth of it.
                for _ in 0..10 {
                    if stopped.load(Ordering::Acquire) {
                        return;
                    }
                    std::thread::sleep(Duration::from_millis(100));
                }
            }
        })
        .map_err(|e| format!("the delivery thread could not start: {e}"))?;
    Ok(Some(Running { stop, thread }))
}

/// A delivery worker running on its thread.
pub struct Running {
    stop: Arc<AtomicBool>,
    thread: std::thread::JoinHandle<()>,
}

impl Running {
    /// Stops it once the pass under way is over (a partition given up: what it delivers
    /// next is its new worker's).
    pub fn stop(self) {
        self.stop.store(true, Ordering::Release);
        let _ = self.thread.join();
    }
}
