//! Touch budgets: the actions produced at one instant are arbitrated together when the
//! instant ends, the higher priority first; an action over a budget waits in that budget's
//! queue (in priority order) for a slot, or is dropped.
//!
//! An instant ends when the clock is about to move on, or when the actions are taken
//! ([`Engine::take_actions`]). A budget with actions waiting has one timer, at the moment
//! its next slot frees; then as many actions as there are free slots leave the queue and
//! are arbitrated with whatever else that instant produced. A waiting action is recorded
//! as deferred once, however long it waits.

use std::cmp::Ordering;
use std::collections::{BinaryHeap, HashMap};
use std::sync::Arc;

use play_compiler::program::{Duration, Overflow};

use super::history::Outcome;
use super::produce::{Pending, Produced};
use super::{Engine, HistoryEntry};
use crate::store::{Store, Timer};

/// A budget: the limit's index and who it counts.
pub(crate) type BudgetKey = (usize, Arc<str>);

/// An action waiting in a budget's queue: the highest priority first, then the earliest.
pub(crate) struct Waiting(pub Pending);

impl PartialEq for Waiting {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}

impl Eq for Waiting {}

impl PartialOrd for Waiting {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Waiting {
    fn cmp(&self, other: &Self) -> Ordering {
        // A max-heap: the greater is the one to go first.
        self.0
            .action
            .priority
            .total_cmp(&other.0.action.priority)
            .then_with(|| other.0.action.seq.cmp(&self.0.action.seq))
    }
}

/// The queues of the budgets that have actions waiting.
#[derive(Default)]
pub(crate) struct Queues {
    pub waiting: HashMap<BudgetKey, BinaryHeap<Waiting>>,
    /// Budgets whose slot timer fired in this instant.
    pub freed: Vec<BudgetKey>,
}

/// Whether a budget has room now, or when its next slot frees.
enum Room {
    Free(u64),
    Full { limit: String, overflow: Overflow, free: i64 },
}

impl<S: Store> Engine<S> {
    /// Where a budget's window starts now: the uses it counts are after this.
    fn window_start(&self, limit: usize) -> i64 {
        let Some(limit) = self.loaded.program.limits.get(limit) else { return i64::MIN };
        let back = Duration { seconds: -limit.window.seconds, business_days: -limit.window.business_days };
        crate::vm::shift(&self.workspace, self.now, back)
    }

    /// How many slots a budget has free now, or when the next one frees.
    fn room(&self, key: &BudgetKey) -> Room {
        let Some(limit) = self.loaded.program.limits.get(key.0) else { return Room::Free(u64::MAX) };
        let since = self.window_start(key.0);
        let uses = self.store.budget_uses(key.0 as u32, &key.1, since);
        if (uses.len() as u64) < limit.count {
            return Room::Free(limit.count - uses.len() as u64);
        }
        let oldest = uses[uses.len() - limit.count as usize];
        let free = crate::vm::shift(&self.workspace, oldest, limit.window).max(self.now + 1);
        Room::Full { limit: limit.name.clone(), overflow: limit.overflow, free }
    }

    /// The budgets used since this was last asked: (limit, who, when, where the limit's
    /// window started then), in the order the actions were handed out.
    pub fn take_budget_uses(&mut self) -> Vec<(usize, Arc<str>, i64, i64)> {
        std::mem::take(&mut self.budget_uses)
    }

    /// A budget was used elsewhere (another partition of the workspace handed out an action
    /// that counts against it, at `at`): it counts here too, so the budget holds across
    /// partitions. A limit this program does not have, or a use already out of its window,
    /// counts for nothing. A journaled command, like a change.
    pub fn budget_used_elsewhere(&mut self, limit: &str, who: &str, at: i64) {
        let Some(l) = self.loaded.program.limits.iter().position(|d| d.name == limit) else { return };
        let since = self.window_start(l);
        if at > since {
            self.store.use_budget(l as u32, &Arc::from(who), at, since);
        }
    }

    /// A budget's slot timer fired: its queue gets a look when the instant ends.
    pub(super) fn slot_freed(&mut self, limit: u32, who: Arc<str>) {
        self.queues.freed.push((limit as usize, who));
    }

    /// A deploy moved the limits (`limits[old]` is each one's new place): the queues and
    /// the actions waiting in them follow their limits. An action whose limit is gone waits
    /// no more: it is arbitrated again when the instant ends, against the budgets it still
    /// counts against.
    pub(super) fn renumber_waiting(&mut self, limits: &[Option<u32>]) {
        let moved = |(limit, who): BudgetKey| limits.get(limit).copied().flatten().map(|n| (n as usize, who));
        for (key, queue) in std::mem::take(&mut self.queues.waiting) {
            let place = moved(key);
            for Waiting(mut p) in queue.into_vec() {
                p.budgets = std::mem::take(&mut p.budgets).into_iter().filter_map(moved).collect();
                match &place {
                    Some(key) => self.queues.waiting.entry(key.clone()).or_default().push(Waiting(p)),
                    None => self.pending.push(p),
                }
            }
        }
        self.queues.freed = std::mem::take(&mut self.queues.freed).into_iter().filter_map(moved).collect();
    }

    /// Ends the instant: arbitrates what it produced (with what leaves the queues of
    /// budgets that have room) and hands out, defers or drops each action.
    pub fn settle(&mut self) {
        if self.pending.is_empty() && self.queues.freed.is_empty() {
            return;
        }
        let mut batch = self.batch();
        batch.arbitrate_pending();
    }

    /// The body of [`Engine::settle`], inside its command.
    fn arbitrate_pending(&mut self) {
        // From here each action is handed out (holding its key), waiting or dropped.
        self.pending_keys.clear();
        // Budgets whose queue may give up actions now: those whose slot freed, and those
        // the new actions count against (a queue goes before a newcomer of lower priority).
        let mut release: Vec<BudgetKey> = std::mem::take(&mut self.queues.freed);
        for p in &self.pending {
            for key in &p.budgets {
                if self.queues.waiting.contains_key(key) {
                    release.push(key.clone());
                }
            }
        }
        let mut touched: Vec<BudgetKey> = Vec::new();
        loop {
            release.sort();
            release.dedup();
            for key in release.drain(..) {
                let Room::Free(n) = self.room(&key) else { continue };
                if let Some(queue) = self.queues.waiting.get_mut(&key) {
                    for _ in 0..n {
                        let Some(Waiting(p)) = queue.pop() else { break };
                        self.pending.push(p);
                    }
                    if queue.is_empty() {
                        self.queues.waiting.remove(&key);
                    }
                }
                touched.push(key);
            }
            if self.pending.is_empty() {
                break;
            }
            let mut pending = std::mem::take(&mut self.pending);
            pending
                .sort_by(|a, b| b.action.priority.total_cmp(&a.action.priority).then(a.action.seq.cmp(&b.action.seq)));
            for p in pending.drain(..) {
                // An action let out of one queue and held by another budget leaves a slot of
                // the first for the next one waiting there.
                if let Some(freed_by) = self.arbitrate(p) {
                    release.extend(freed_by);
                }
            }
            // The buffer is kept for the next instant's actions (unless a burst made it large).
            if self.pending.is_empty() {
                pending.shrink_to(16);
                self.pending = pending;
            }
            if release.is_empty() {
                break;
            }
        }
        // Each budget with actions still waiting wakes when its next slot frees.
        touched.sort();
        touched.dedup();
        for key in touched {
            self.wake_when_free(&key);
        }
    }

    /// Hands out, defers or drops one action. Returns the budgets it had been let out of
    /// when another budget holds it back.
    fn arbitrate(&mut self, mut p: Pending) -> Option<Vec<BudgetKey>> {
        let mut blocked = None;
        for key in &p.budgets {
            if let Room::Full { limit, overflow, free } = self.room(key) {
                blocked = Some((key.clone(), limit, overflow, free));
                break;
            }
        }
        let entry = |p: &Pending, outcome| HistoryEntry {
            at: 0,
            playbook: p.action.playbook.clone(),
            version: p.action.version.clone(),
            record: p.action.record.clone(),
            run: Some(p.action.run),
            step: Some(p.action.step.clone()),
            outcome,
        };
        let Some((key, limit, overflow, free)) = blocked else {
            self.hand_out(p);
            return None;
        };
        let released_from: Vec<BudgetKey> = if p.deferred { p.budgets.clone() } else { Vec::new() };
        match overflow {
            Overflow::Drop => {
                let e = entry(&p, Outcome::ActionDropped { action: p.action.action.name().into(), limit });
                self.push_history(e);
                if let Some(k) = &p.dedupe {
                    if self.store.open_action(k) == Some(p.action.seq) {
                        self.store.set_open_action(k.clone(), None);
                    }
                }
            }
            Overflow::Defer => {
                if !p.deferred {
                    let until = crate::value::moment_text(free);
                    let action = p.action.action.name().into();
                    self.push_history(entry(&p, Outcome::ActionDeferred { action, limit, until }));
                    p.deferred = true;
                }
                // Waiting for its slot, it is as good as open: the same one is not made again.
                if let Some(k) = &p.dedupe {
                    self.store.set_open_action(k.clone(), Some(p.action.seq));
                }
                self.store.schedule(free, Timer::Slot { limit: key.0 as u32, who: key.1.clone() });
                self.queues.waiting.entry(key).or_default().push(Waiting(p));
            }
        }
        (!released_from.is_empty()).then_some(released_from)
    }

    /// Schedules a budget's slot timer when actions wait in its queue.
    fn wake_when_free(&mut self, key: &BudgetKey) {
        if !self.queues.waiting.contains_key(key) {
            return;
        }
        let timer = Timer::Slot { limit: key.0 as u32, who: key.1.clone() };
        match self.room(key) {
            Room::Full { free, .. } => self.store.schedule(free, timer),
            // Room now but nothing taken it: look again in the next second.
            Room::Free(_) => self.store.schedule(self.now + 1, timer),
        }
    }

    /// The action goes out: it uses its budgets and is kept for closing.
    pub(super) fn hand_out(&mut self, p: Pending) {
        for (l, who) in &p.budgets {
            self.store.use_budget(*l as u32, who, self.now, self.window_start(*l));
            self.budget_uses.push((*l, who.clone(), self.now, self.window_start(*l)));
        }
        if let Some(key) = &p.dedupe {
            self.store.set_open_action(key.clone(), Some(p.action.seq));
        }
        let mut action = p.action;
        action.at = self.now;
        // What closing it needs, unless nobody will (a replay); the names are shared with
        // the run's rather than copied.
        // A handing-over engine keeps only the actions a person closes.
        let closable = self.keep_closable && (!self.hand_over || super::produce::is_queued(action.action));
        if closable {
            let (playbook, version) = match self.store.run(action.run) {
                Some(run) if *run.playbook_name == *action.playbook && *run.version == *action.version => {
                    (run.playbook_name.clone(), run.version.clone())
                }
                _ => (action.playbook.clone(), action.version.clone()),
            };
            let kept = Produced {
                run: action.run,
                kind: action.action,
                playbook,
                version,
                step: action.step.clone(),
                record: action.record.clone(),
                dedupe: p.dedupe,
                creates: p.creates,
                id: action.id.clone(),
                snoozed: None,
            };
            self.produced.insert(action.seq, kept);
            self.queue.produced(&action);
        }
        self.actions.push(action);
    }
}
