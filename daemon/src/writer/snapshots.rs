//! Snapshots of the engine thread's engine: paced to a share of its time, taken at once
//! when it is idle, and at a clean stop.

use super::{Writer, SNAPSHOT_SHARE};

impl Writer {
    pub(super) fn maybe_snapshot(&mut self) {
        if self.position < self.last_snapshot + self.snapshot_every {
            return;
        }
        let rest = self.snapshot_took.mul_f64(1.0 / SNAPSHOT_SHARE - 1.0);
        if self.snapshot_paced && self.snapshot_done.elapsed() < rest {
            return;
        }
        self.take_snapshot();
    }

    pub(super) fn take_snapshot(&mut self) {
        let started = std::time::Instant::now();
        if let Some(bytes) = self.host.snapshot() {
            let encoded = started.elapsed();
            match self.store.put_snapshot(self.position, &bytes) {
                Ok(()) => {
                    self.last_snapshot = self.position;
                    (self.snapshot_done, self.snapshot_took) = (std::time::Instant::now(), started.elapsed());
                    tracing::info!(
                        position = self.position,
                        bytes = bytes.len(),
                        encode_ms = encoded.as_millis() as u64,
                        store_ms = (started.elapsed() - encoded).as_millis() as u64,
                        "kept a snapshot of the engine"
                    );
                }
                Err(e) => tracing::warn!("a snapshot could not be kept: {e}"),
            }
        }
    }
}
