//! When the next attempt is due: exponential back-off with full jitter under a ceiling,
//! never sooner than the other side's `Retry-After`, and dead 30 days after the first
//! attempt. Pure: the jitter is a number the caller gives (seeded by the delivery's id, so
//! a replay of the outbox is exact).

use std::time::Duration;

/// The policy. [`Backoff::default`] is what the daemon uses.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Backoff {
    /// The wait after the first failed attempt, before jitter.
    pub base: Duration,
    /// The longest wait between two attempts.
    pub ceiling: Duration,
    /// How long after the first attempt a delivery is given up as dead.
    pub horizon: Duration,
}

impl Default for Backoff {
    fn default() -> Self {
        Backoff {
            base: Duration::from_secs(30),
            ceiling: Duration::from_secs(6 * 3600),
            horizon: Duration::from_secs(30 * 86_400),
        }
    }
}

/// What to do after a failed attempt.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Next {
    /// Try again at this moment (seconds since 1970).
    At(i64),
    /// Give up: the horizon has passed, or would before the next attempt.
    Dead,
}

impl Backoff {
    /// After `failures` failed attempts (1 after the first), the first made at `first` and
    /// the last at `now`: the next attempt's moment. `jitter` in `[0, 1)` spreads the wait
    /// over its upper half, so that deliveries failing together do not retry together.
    pub fn next(&self, failures: u32, first: i64, now: i64, retry_after: Option<Duration>, jitter: f64) -> Next {
        let exp = self.base.as_secs().saturating_mul(1u64 << failures.saturating_sub(1).min(40));
        let cap = exp.min(self.ceiling.as_secs());
        let jitter = if jitter.is_finite() { jitter.clamp(0.0, 1.0) } else { 0.0 };
        let wait = cap / 2 + ((cap - cap / 2) as f64 * jitter) as u64;
        let wait = wait.max(retry_after.map_or(0, |d| d.as_secs())).max(1);
        let at = now.saturating_add(i64::try_from(wait).unwrap_or(i64::MAX));
        let horizon = first.saturating_add(i64::try_from(self.horizon.as_secs()).unwrap_or(i64::MAX));
        if at > horizon {
            Next::Dead
        } else {
            Next::At(at)
        }
    }
}

/// A jitter in `[0, 1)` from a delivery's id and attempt: the same for the same attempt
/// (FNV-1a, which is enough to spread retries; nothing here is secret).
pub fn jitter(id: &str, attempt: u32) -> f64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in id.bytes().chain(attempt.to_le_bytes()) {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    (h >> 11) as f64 / (1u64 << 53) as f64
}
