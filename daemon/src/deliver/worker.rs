//! One pass of the outbox worker at a moment the caller gives (the wall clock in the
//! daemon, any moment in tests, so weeks of downtime pass without sleeping): the due
//! rows in the order written, each sent by its sink and its attempt recorded before the
//! next, at-least-once with the action id as the idempotency key.
//!
//! A sink that answers "later" (`Retry`) or "not with these credentials" (`Paused`) is
//! held: nothing more goes to it until the moment its first failed delivery is due again,
//! and that delivery goes first (the probe); once it succeeds, the rest drain in order.
//! Rows for one record are sent one after another in their order; different records go
//! out on up to `lanes` threads at once. A row not delivered 30 days after it was
//! produced is dead, and the workspace owner is told.

use std::collections::HashMap;
use std::sync::Mutex;

use play_delivery::retry::{jitter, Backoff, Next};
use play_delivery::Outcome;
use play_store::{Attempt, Delivery, Outbox, Store, Then};
use serde_json::Value;

use super::sinks::{self, Job, SinkSet};

/// What one pass did.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Pass {
    pub delivered: usize,
    /// Attempts that will be made again (the sink is busy, down or paused).
    pub retried: usize,
    pub dead: usize,
    pub skipped: usize,
    /// Activities whose record the CRM cannot match, waiting to be adopted.
    pub orphaned: usize,
}

impl Pass {
    fn add(&mut self, other: Pass) {
        self.delivered += other.delivered;
        self.retried += other.retried;
        self.dead += other.dead;
        self.skipped += other.skipped;
        self.orphaned += other.orphaned;
    }
}

/// What a lane did, and the deliveries that died in it (with why), to announce.
type LaneDone = (Pass, Vec<(Delivery, String)>);

/// A sink held after a failure: until when.
#[derive(Clone, Copy, Debug)]
struct Hold {
    until: i64,
}

/// The worker: its own handle on the store, the sinks, the policy.
pub struct Worker {
    store: Box<dyn Store>,
    sinks: SinkSet,
    pub backoff: Backoff,
    /// How many records' deliveries go out at once.
    pub lanes: usize,
    /// Who hears about dead deliveries.
    pub owner: Option<String>,
    holds: HashMap<&'static str, Hold>,
    /// Rows read per page.
    pub page: usize,
}

impl Worker {
    pub fn new(store: Box<dyn Store>, sinks: SinkSet, owner: Option<String>) -> Result<Worker, String> {
        if store.as_outbox().is_none() {
            return Err("this store keeps no outbox state: delivery cannot run on it".into());
        }
        Ok(Worker { store, sinks, backoff: Backoff::default(), lanes: 8, owner, holds: HashMap::new(), page: 512 })
    }

    fn outbox(&mut self) -> &mut dyn Outbox {
        self.store.as_outbox_mut().expect("checked in Worker::new")
    }

    /// The next moment after a pass at `now` has something to do: the earliest row due,
    /// or, when rows are due now but their sinks are held, the end of the first hold.
    pub fn next_due(&self, now: i64) -> Result<Option<i64>, String> {
        let due = self.store.as_outbox().expect("checked").next_due().map_err(|e| e.to_string())?;
        let held = self.holds.values().map(|h| h.until).filter(|u| *u > now).min();
        Ok(match (due, held) {
            (Some(d), Some(h)) if d <= now => Some(h),
            (Some(d), Some(h)) => Some(d.min(h)),
            (due, _) => due,
        })
    }

    /// Delivers everything due at `now`.
    pub fn pass(&mut self, now: i64) -> Result<Pass, String> {
        let mut total = Pass::default();
        let mut after = 0;
        loop {
            let size = self.page;
            let page = self.outbox().due_deliveries(now, after, size).map_err(|e| e.to_string())?;
            let Some(last) = page.last() else { break };
            after = last.seq;
            // Read after the rows, so an opt-out journaled before a row was written is seen.
            super::optouts::catch_up(self.store.as_mut()).map_err(|e| e.to_string())?;
            total.add(self.deliver(page, now)?);
        }
        Ok(total)
    }

    /// One page: expired and unsendable rows settled here, the rest sent in lanes.
    fn deliver(&mut self, mut page: Vec<Delivery>, now: i64) -> Result<Pass, String> {
        let mut pass = Pass::default();
        // Rows seen for the first time start their 30 days now.
        let new: Vec<&str> = page.iter().filter(|d| d.since.is_none()).map(|d| d.action_id.as_str()).collect();
        if !new.is_empty() {
            let new: Vec<String> = new.into_iter().map(String::from).collect();
            let ids: Vec<&str> = new.iter().map(String::as_str).collect();
            self.outbox().seen(&ids, now).map_err(|e| e.to_string())?;
            for d in page.iter_mut().filter(|d| d.since.is_none()) {
                d.since = Some(now);
            }
        }
        let mut lanes: Vec<Vec<(Delivery, Value, &'static str)>> = vec![Vec::new(); self.lanes.max(1)];
        let horizon = i64::try_from(self.backoff.horizon.as_secs()).unwrap_or(i64::MAX);
        for d in page {
            let mut action: Value = serde_json::from_str(&d.json).unwrap_or(Value::Null);
            let record = action["record"].as_str().unwrap_or_default().to_string();
            let base = |outcome: &str, sink: &str, code: &str, message: String| Attempt {
                action_id: d.action_id.clone(),
                at: now,
                sink: sink.to_string(),
                record: record.clone(),
                teammate: teammate(&action),
                attempt: d.attempts + 1,
                outcome: outcome.to_string(),
                code: code.to_string(),
                message,
                next_at: None,
            };
            let Some((&sink, _)) = self.sinks.by_name.get_key_value(d.sink.as_str()) else {
                let why = match d.sink.as_str() {
                    "none" | "" => format!("`{}` actions are not delivered anywhere", d.kind),
                    s => format!("no sink for `{}` actions is configured (`[{}]` in play.toml)", d.kind, section(s)),
                };
                self.record(&base("skipped", "none", "no_sink", why), Then::Skipped)?;
                pass.skipped += 1;
                continue;
            };
            if now >= d.since.unwrap_or(now).saturating_add(horizon) {
                let last = d.last_code.clone().map_or_else(String::new, |c| {
                    format!(": the last answer was {c} {}", d.last_message.clone().unwrap_or_default())
                });
                let message = format!("not delivered within 30 days{last}");
                self.record(&base("dead", sink, "expired", message.clone()), Then::Dead)?;
                self.announce(&d, &message);
                pass.dead += 1;
                continue;
            }
            if d.kind == "email" {
                if let Some(reason) = self.opted_out(&action)? {
                    let message = format!("the contact opted out ({reason}): automatic emails are not sent to them");
                    self.record(&base("skipped", sink, "opted_out", message), Then::Skipped)?;
                    pass.skipped += 1;
                    continue;
                }
            }
            if d.kind == "update" && sinks::synced_fields(&action, &self.sinks.unsynced).is_empty() {
                let message =
                    "every field of this update is unsynced (`unsynced` in play.toml): nothing is written back";
                self.record(&base("skipped", sink, "unsynced", message.into()), Then::Skipped)?;
                pass.skipped += 1;
                continue;
            }
            if d.kind == "log_activity" && action["done"] == "email" {
                let outbox = self.store.as_outbox().expect("checked in Worker::new");
                if let Some(reason) = super::email_sync::blacklisted(outbox, &action)? {
                    self.record(&base("skipped", sink, "blacklist", reason), Then::Skipped)?;
                    pass.skipped += 1;
                    continue;
                }
            }
            if d.kind == "log_email" {
                let outbox = self.store.as_outbox().expect("checked in Worker::new");
                match super::email_sync::settings_for(outbox, &action)? {
                    Err(reason) => {
                        self.record(&base("skipped", sink, "blacklist", reason), Then::Skipped)?;
                        pass.skipped += 1;
                        continue;
                    }
                    Ok(attachments) => action["attachments_logged"] = attachments.into(),
                }
            }
            if self.holds.get(sink).is_some_and(|h| h.until > now) {
                continue;
            }
            let lane = lane_of(&record, lanes.len());
            lanes[lane].push((d, action, sink));
        }
        pass.add(self.send_lanes(lanes, now)?);
        Ok(pass)
    }

    /// Sends each lane's rows in order, the lanes at once; a sink that fails is held
    /// for the rest of the pass.
    fn send_lanes(&mut self, lanes: Vec<Vec<(Delivery, Value, &'static str)>>, now: i64) -> Result<Pass, String> {
        let mut lanes = lanes;
        let mut probes = Vec::new();
        // A hold whose moment has come is lifted, and the sink's first delivery goes alone
        // (the probe): the others follow only if it gets through.
        let lifted: Vec<&'static str> = self.holds.iter().filter(|(_, h)| h.until <= now).map(|(s, _)| *s).collect();
        for sink in lifted {
            self.holds.remove(sink);
            let first = lanes
                .iter()
                .enumerate()
                .filter_map(|(l, lane)| lane.iter().position(|(_, _, s)| *s == sink).map(|i| (lane[i].0.seq, l, i)))
                .min();
            if let Some((_, l, i)) = first {
                probes.push(vec![lanes[l].remove(i)]);
            }
        }
        let mut pass = Pass::default();
        for probe in probes {
            pass.add(self.send_lanes_at_once(probe_lanes(probe), now)?);
        }
        pass.add(self.send_lanes_at_once(lanes, now)?);
        Ok(pass)
    }

    fn send_lanes_at_once(
        &mut self,
        lanes: Vec<Vec<(Delivery, Value, &'static str)>>,
        now: i64,
    ) -> Result<Pass, String> {
        let held: Mutex<HashMap<&'static str, Hold>> = Mutex::new(std::mem::take(&mut self.holds));
        let sinks = self.sinks.clone();
        let backoff = self.backoff;
        let store = Mutex::new(self.outbox());
        let results: Vec<Result<LaneDone, String>> = std::thread::scope(|scope| {
            let handles: Vec<_> = lanes
                .into_iter()
                .filter(|l| !l.is_empty())
                .map(|lane| {
                    let (held, store, sinks) = (&held, &store, &sinks);
                    scope.spawn(move || -> Result<LaneDone, String> {
                        let mut pass = Pass::default();
                        let mut dead = Vec::new();
                        for (d, action, sink) in lane {
                            if held.lock().unwrap_or_else(|e| e.into_inner()).contains_key(sink) {
                                continue;
                            }
                            let job = Job { id: &d.action_id, kind: &d.kind, action: &action, line: &d.json, now };
                            let outcome = sinks.by_name[sink].send(&job);
                            let (mut attempt, then) = settle(&d, &action, sink, &outcome, now, &backoff);
                            if then == Then::Delivered {
                                // An automatic email sent is logged to its record (email sync),
                                // its row written before the delivery is recorded: once either way.
                                let logged = super::email_sync::sent_email_row(&d, &action, sinks, now);
                                if let Some(row) = logged {
                                    let mut store = store.lock().unwrap_or_else(|e| e.into_inner());
                                    store.enqueue(&row).map_err(|e| e.to_string())?;
                                }
                                attempt.message = super::email_sync::delivered_note(&d.kind, &action);
                            }
                            if let Then::RetryAt(until) = then {
                                held.lock().unwrap_or_else(|e| e.into_inner()).entry(sink).or_insert(Hold { until });
                            }
                            store
                                .lock()
                                .unwrap_or_else(|e| e.into_inner())
                                .record_attempt(&attempt, then)
                                .map_err(|e| e.to_string())?;
                            match then {
                                Then::Delivered => pass.delivered += 1,
                                Then::RetryAt(_) => pass.retried += 1,
                                Then::Dead => {
                                    pass.dead += 1;
                                    dead.push((d, attempt.message.clone()));
                                }
                                Then::Skipped => pass.skipped += 1,
                                Then::Orphan => pass.orphaned += 1,
                            }
                        }
                        Ok((pass, dead))
                    })
                })
                .collect();
            handles.into_iter().map(|h| h.join().unwrap_or_else(|_| Err("a delivery lane stopped".into()))).collect()
        });
        self.holds = held.into_inner().unwrap_or_else(|e| e.into_inner());
        let mut pass = Pass::default();
        for result in results {
            let (p, dead) = result?;
            pass.add(p);
            for (d, message) in dead {
                self.announce(&d, &message);
            }
        }
        Ok(pass)
    }

    fn record(&mut self, attempt: &Attempt, then: Then) -> Result<(), String> {
        self.outbox().record_attempt(attempt, then).map_err(|e| e.to_string())
    }

    fn opted_out(&self, action: &Value) -> Result<Option<String>, String> {
        let mut who = Vec::new();
        if let Some(r) = action["to_record"].as_str() {
            who.push(r.to_string());
        }
        if let Some(to) = action["to"].as_str() {
            who.push(to.trim().to_lowercase());
        }
        let who: Vec<&str> = who.iter().map(String::as_str).collect();
        self.store.as_outbox().expect("checked").opted_out(&who).map_err(|e| e.to_string())
    }

    /// Tells the workspace owner that a delivery is dead: in the log always, and by email
    /// when an SMTP sink and an owner are configured.
    fn announce(&self, d: &Delivery, why: &str) {
        tracing::warn!(action = %d.action_id, kind = %d.kind, "a delivery is dead: {why}");
        let (Some(owner), Some(smtp)) = (&self.owner, &self.sinks.smtp) else { return };
        let email = play_delivery::smtp::Email {
            id: format!("dead-{}", d.action_id),
            to: owner.clone(),
            subject: format!("Play could not deliver a {} action", d.kind.replace('_', " ")),
            text: format!(
                "The {} action {} was not delivered: {why}.\n\nFix the cause, then retry it with \
                 `POST /v1/deliveries/{}/retry`.\n",
                d.kind, d.action_id, d.action_id
            ),
            html: None,
            automatic: false,
            approved_by: None,
        };
        if !matches!(smtp.send(&email), Outcome::Delivered { .. }) {
            tracing::warn!(action = %d.action_id, "the workspace owner could not be told by email");
        }
    }
}

/// What an attempt's outcome makes of its delivery.
fn settle(d: &Delivery, action: &Value, sink: &str, outcome: &Outcome, now: i64, backoff: &Backoff) -> (Attempt, Then) {
    let n = d.attempts + 1;
    let mut attempt = Attempt {
        action_id: d.action_id.clone(),
        at: now,
        sink: sink.to_string(),
        record: action["record"].as_str().unwrap_or_default().to_string(),
        teammate: teammate(action),
        attempt: n,
        outcome: String::new(),
        code: outcome.code().to_string(),
        message: String::new(),
        next_at: None,
    };
    let later = |after| match backoff.next(n, d.since.unwrap_or(now), now, after, jitter(&d.action_id, n)) {
        Next::At(at) => Then::RetryAt(at),
        Next::Dead => Then::Dead,
    };
    let then = match outcome {
        Outcome::Delivered { .. } => {
            attempt.outcome = "delivered".into();
            Then::Delivered
        }
        Outcome::Retry { message, after, .. } => {
            attempt.outcome = "retry".into();
            attempt.message = message.clone();
            later(*after)
        }
        Outcome::Paused { message, .. } => {
            attempt.outcome = "paused".into();
            attempt.message = message.clone();
            later(None)
        }
        Outcome::Failed { message, .. } => {
            attempt.outcome = "failed".into();
            attempt.message = message.clone();
            Then::Dead
        }
        Outcome::Orphan { message, .. } => {
            attempt.outcome = "orphan".into();
            attempt.message = message.clone();
            Then::Orphan
        }
    };
    match then {
        Then::RetryAt(at) => attempt.next_at = Some(at),
        // A retry that would fall past the 30 days: the attempt itself says so.
        Then::Dead if attempt.outcome != "failed" => attempt.message.push_str(" (no retry is left within 30 days)"),
        _ => {}
    }
    (attempt, then)
}

/// The teammate an action is about: the recipient when it is a teammate's task, else the
/// one who approved it.
fn teammate(action: &Value) -> Option<String> {
    let kind = action["action"].as_str().unwrap_or_default();
    let to = action["to"].as_str().filter(|_| matches!(kind, "notify_email" | "assign" | "email_task" | "brief"));
    to.or_else(|| action["approved_by"].as_str()).or_else(|| action["by"].as_str()).map(String::from)
}

fn section(sink: &str) -> &'static str {
    match sink {
        "smtp" => "sinks.smtp",
        "slack" => "sinks.slack",
        "webhook" => "sinks.webhook",
        _ => "crm.salesforce] or [crm.hubspot",
    }
}

/// One lane of one probe.
fn probe_lanes(probe: Vec<(Delivery, Value, &'static str)>) -> Vec<Vec<(Delivery, Value, &'static str)>> {
    vec![probe]
}

/// Rows for one record always take the same lane, so they go out in order.
fn lane_of(record: &str, lanes: usize) -> usize {
    (play_delivery::retry::jitter(record, 0) * lanes as f64) as usize % lanes.max(1)
}
