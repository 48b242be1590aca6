//! What delivery keeps, behind its own small trait [`Outbox`]: each outbox row's state
//! (pending, delivered, dead, skipped) and when it is next due, every attempt (the sync
//! log), the addresses and records that opted out of automatic email, named
//! watermarks, and the email-sync settings (blacklists and switches) as JSON. The rows themselves are written by the engine thread's group commit
//! ([`crate::Batch::outbox`]); delivery moves them on, and adds only the rows of emails it
//! sent that are to be logged to the CRM ([`Outbox::enqueue`]). Every implementation passes
//! [`crate::outbox_conformance::run`].

use serde::{Deserialize, Serialize};

use crate::Result;

/// Where a delivery is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DeliveryState {
    /// Waiting for its first attempt, or for a retry.
    Pending,
    /// The other side took it.
    Delivered,
    /// Given up: it failed for good, or 30 days passed. `retry` puts it back.
    Dead,
    /// Not sent on purpose (the contact opted out; no sink for it is configured).
    Skipped,
    /// An activity whose record the CRM cannot match: waits, not retried, until it is
    /// adopted by another record ([`Outbox::adopt_delivery`]).
    Orphan,
}

impl DeliveryState {
    pub const ALL: [DeliveryState; 5] = [
        DeliveryState::Pending,
        DeliveryState::Delivered,
        DeliveryState::Dead,
        DeliveryState::Skipped,
        DeliveryState::Orphan,
    ];

    pub fn name(self) -> &'static str {
        match self {
            DeliveryState::Pending => "pending",
            DeliveryState::Delivered => "delivered",
            DeliveryState::Dead => "dead",
            DeliveryState::Skipped => "skipped",
            DeliveryState::Orphan => "orphan",
        }
    }

    pub fn from_name(name: &str) -> Option<DeliveryState> {
        DeliveryState::ALL.into_iter().find(|s| s.name() == name)
    }
}

/// One outbox row as delivery sees it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Delivery {
    /// The action's id: the idempotency key the other side sees.
    pub action_id: String,
    /// The order rows were written in (ties of `at` go by it).
    pub seq: u64,
    /// `email`, `notify_slack`, `webhook`, …
    pub kind: String,
    /// The sink it goes to, as projected (`smtp`, `slack`, `webhook`, `crm`, `none`).
    pub sink: String,
    /// When the action was produced (seconds since 1970 UTC).
    pub at: i64,
    /// The action as in "Actions out".
    pub json: String,
    pub state: DeliveryState,
    /// Attempts made so far.
    pub attempts: u32,
    /// When it is next due (pending rows).
    pub next_at: i64,
    /// The moment its 30 days count from: when delivery first saw it ([`Outbox::seen`]),
    /// or when it was retried by hand. `None` until then.
    pub since: Option<i64>,
    /// What the other side last answered, verbatim.
    pub last_code: Option<String>,
    pub last_message: Option<String>,
    /// When it was delivered, died or was skipped.
    pub done_at: Option<i64>,
}

/// One attempt, as the sync log shows it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Attempt {
    pub action_id: String,
    pub at: i64,
    /// `smtp`, `slack`, `webhook`, `crm`, or `none`.
    pub sink: String,
    /// `Account/acme`.
    pub record: String,
    /// The teammate the action is for or from, when there is one.
    pub teammate: Option<String>,
    /// 1 for the first attempt.
    pub attempt: u32,
    /// `delivered`, `retry`, `paused`, `failed`, `dead` or `skipped`.
    pub outcome: String,
    /// The remote system's code and message, verbatim (`250`, `429`, `INVALID_SESSION_ID`).
    pub code: String,
    pub message: String,
    /// When the next attempt is due, for `retry` and `paused`.
    pub next_at: Option<i64>,
}

/// What an attempt leaves the delivery as.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Then {
    Delivered,
    /// Pending, next due at this moment.
    RetryAt(i64),
    Dead,
    Skipped,
    /// Its record cannot be matched in the CRM: an orphan.
    Orphan,
}

/// Which deliveries, newest first.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct DeliveryQuery {
    pub state: Option<DeliveryState>,
    pub kind: Option<String>,
    pub sink: Option<String>,
    pub limit: usize,
    /// Only those with a `seq` below this (the previous page's last).
    pub before: Option<u64>,
}

/// Which attempts of the sync log, oldest first. `None` filters nothing.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct LogQuery {
    /// Attempts at or after this moment.
    pub since: i64,
    pub limit: usize,
    pub sink: Option<String>,
    /// `Account/acme`.
    pub record: Option<String>,
    pub outcome: Option<String>,
    pub teammate: Option<String>,
}

/// Delivery's state. Reads take `&self`; writes `&mut self` and are each one
/// transaction.
pub trait Outbox: Send {
    /// Pending rows with `seq > after` due at `now` or earlier, in `seq` order, at most
    /// `limit`: the worker walks them a page at a time.
    fn due_deliveries(&self, now: i64, after: u64, limit: usize) -> Result<Vec<Delivery>>;
    /// Starts the 30 days of these rows at `now`, for those not started yet (the rows'
    /// `at` is the engine's time, which may be long past in a backfill).
    fn seen(&mut self, action_ids: &[&str], now: i64) -> Result<()>;
    /// The earliest `next_at` of a pending row, if any.
    fn next_due(&self) -> Result<Option<i64>>;
    /// Records an attempt in the sync log and moves its delivery on, in one transaction.
    /// An attempt on a row that is no longer pending is recorded but moves nothing.
    fn record_attempt(&mut self, attempt: &Attempt, then: Then) -> Result<()>;
    fn delivery(&self, action_id: &str) -> Result<Option<Delivery>>;
    fn deliveries(&self, query: &DeliveryQuery) -> Result<Vec<Delivery>>;
    /// Puts a dead or skipped delivery back to pending, due at `now`, its 30 days counted
    /// again from `now`. `false` when there is no such delivery, or it is pending or
    /// delivered.
    fn retry_delivery(&mut self, action_id: &str, now: i64) -> Result<bool>;
    /// Attaches an orphan to another record: its action JSON becomes `json` (naming the
    /// record) and it is pending again, due at `now`, its 30 days counted from `now`.
    /// `false` when there is no such delivery or it is not an orphan.
    fn adopt_delivery(&mut self, action_id: &str, json: &str, now: i64) -> Result<bool>;
    /// Attempts at or after `since`, oldest first, at most `limit`.
    fn sync_log(&self, since: i64, limit: usize) -> Result<Vec<Attempt>> {
        self.sync_log_where(&LogQuery { since, limit, ..LogQuery::default() })
    }
    /// The attempts a [`LogQuery`] picks, oldest first.
    fn sync_log_where(&self, query: &LogQuery) -> Result<Vec<Attempt>>;
    /// Records that an address or a record (`Contact/c1`, lower case for addresses) opted
    /// out, or (`reason` none) opted back in.
    fn set_opt_out(&mut self, who: &str, reason: Option<&str>, at: i64) -> Result<()>;
    /// Why the first of `who` that opted out did, if one did.
    fn opted_out(&self, who: &[&str]) -> Result<Option<String>>;
    /// A named watermark (how far in the journal the opt-out reader got, say); 0 at first.
    fn mark(&self, name: &str) -> Result<u64>;
    fn set_mark(&mut self, name: &str, value: u64) -> Result<()>;
    /// An email-sync setting as JSON text (`company`, or `user:jo@example.com` for a
    /// teammate's own blacklist and switches), if one was saved.
    fn sync_setting(&self, scope: &str) -> Result<Option<String>>;
    /// Saves an email-sync setting, replacing the one before.
    fn set_sync_setting(&mut self, scope: &str, json: &str, at: i64) -> Result<()>;
    /// Adds an outbox row written by delivery or the API rather than the engine (an email
    /// to log to the CRM), pending and due at its `at`. A row with that action id already
    /// there is left as it is: `false`.
    fn enqueue(&mut self, row: &crate::OutboxRow) -> Result<bool>;
}
