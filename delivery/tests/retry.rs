//! The retry policy: back-off grows to its ceiling, honours `Retry-After`, spreads with
//! jitter, and gives up 30 days after the first attempt, whatever the answers.

use std::time::Duration;

use play_delivery::retry::{jitter, Backoff, Next};
use proptest::prelude::*;

const DAY: i64 = 86_400;

#[test]
fn waits_double_up_to_the_ceiling() {
    let b = Backoff::default();
    let wait = |failures, j| match b.next(failures, 0, 0, None, j) {
        Next::At(t) => t,
        Next::Dead => panic!("dead"),
    };
    // Full jitter over the upper half of each wait.
    assert_eq!([wait(1, 0.0), wait(2, 0.0), wait(3, 0.0), wait(4, 0.0)], [15, 30, 60, 120]);
    assert_eq!([wait(1, 0.99), wait(2, 0.99), wait(3, 0.99), wait(4, 0.99)], [29, 59, 119, 238]);
    assert_eq!(wait(20, 0.0), 3 * 3600, "capped at six hours");
    assert_eq!(wait(u32::MAX, 0.999_999_9), 6 * 3600 - 1);
}

#[test]
fn a_sink_down_for_weeks_is_retried_until_thirty_days_then_dead() {
    let b = Backoff::default();
    let (first, mut now, mut attempts) = (1_000_000, 1_000_000, 0u32);
    loop {
        attempts += 1;
        match b.next(attempts, first, now, None, jitter("act-1", attempts)) {
            Next::At(t) => {
                assert!(t > now && t - now <= 6 * 3600);
                now = t;
            }
            Next::Dead => break,
        }
    }
    assert!(now - first <= 30 * DAY && now - first > 29 * DAY, "gave up after {} days", (now - first) / DAY);
    assert!((120..=250).contains(&attempts), "{attempts} attempts over thirty days");
}

proptest! {
    #[test]
    fn never_sooner_than_retry_after_nor_past_the_horizon(
        failures in 1u32..60, start in 0i64..1_000_000_000, elapsed in 0i64..(40 * DAY),
        after in proptest::option::of(0u64..(10 * DAY as u64)), j in 0.0f64..1.0,
    ) {
        let b = Backoff::default();
        let now = start + elapsed;
        match b.next(failures, start, now, after.map(Duration::from_secs), j) {
            Next::At(t) => {
                prop_assert!(t > now);
                prop_assert!(t - now >= after.unwrap_or(0) as i64);
                prop_assert!(t <= start + 30 * DAY);
            }
            // Only when the next attempt could not come before the horizon.
            Next::Dead => prop_assert!(now + (6 * 3600).max(after.unwrap_or(0) as i64) > start + 30 * DAY),
        }
    }

    #[test]
    fn jitter_is_in_range_and_repeatable(id in ".{0,40}", attempt in any::<u32>()) {
        let j = jitter(&id, attempt);
        prop_assert!((0.0..1.0).contains(&j));
        prop_assert_eq!(j, jitter(&id, attempt));
    }
}
