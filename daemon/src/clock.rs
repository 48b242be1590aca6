//! The clock: the system's, seen by the engine only through journaled ticks. The ticker
//! asks the engine thread once a second; a tick is journaled only when a timer is due (or
//! a moment's actions wait for it to end), so idle time costs no journal.

use std::sync::mpsc::Sender;
use std::time::Duration;

use crate::writer::Request;

/// Seconds since 1970 UTC, now.
pub fn wall() -> i64 {
    chrono::Utc::now().timestamp()
}

/// Asks for a tick every second until the engine thread is gone.
pub async fn ticker(requests: Sender<Request>) {
    let mut every = tokio::time::interval(Duration::from_secs(1));
    every.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        every.tick().await;
        if requests.send(Request::Tick { wall: wall() }).is_err() {
            return;
        }
    }
}
