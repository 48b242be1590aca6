//! The engine's deterministic core: changes and the clock in; enrolments, steps, waits,
//! actions and run history out. Synchronous, over a [`Store`], so that the daemon can
//! wrap it unchanged.

pub mod action;
mod adhoc;
mod apply;
mod batch;
mod budget;
mod dates;
pub mod history;
pub mod json;
mod known;
mod late;
mod loaded;
mod output;
mod produce;
mod queue;
mod quiet;
mod reads;
pub mod run;
pub mod snapshot;
mod step;
mod trigger;

use std::collections::HashMap;
use std::sync::Arc;

use play_compiler::program::{Code, Program, SrcSpan};

use crate::change::{Change, ChangeKind, Rejection};
use crate::config::Workspace;
use crate::store::{Store, Timer, Written};
use crate::value::{Happening, Value};
use crate::vm::{Ctx, Fault, Vm};
pub use action::Action;
pub use batch::Batch;
pub use history::{HistoryEntry, Outcome};
pub use late::{CHANGE_ID_WINDOW, FUTURE_TOLERANCE};
pub use loaded::Loaded;
pub use output::{ActionState, ActionUpdate, Output};
pub use queue::Taken;
use run::{Run, TriggerInfo};
pub use snapshot::{SnapshotError, SNAPSHOT_FORMAT};

/// A clock the engine is given: the system clock in the daemon, a simulated one in tests
/// and replays.
pub trait Clock {
    /// Now, in seconds since 1970 UTC.
    fn now(&self) -> i64;
}

/// The real time.
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> i64 {
        chrono::Utc::now().timestamp()
    }
}

/// What the record being evaluated is.
#[derive(Clone)]
pub(crate) struct Subject {
    pub record: u32,
    pub id: Arc<str>,
}

/// What code may see besides the subject.
#[derive(Default)]
pub(crate) struct Extra<'a> {
    pub trigger: Option<&'a TriggerInfo>,
    pub awaited: Option<&'a Arc<Happening>>,
    pub timed_out: bool,
}

/// An explanation being gathered for one record and one playbook.
pub struct Trace {
    pub playbook: String,
    pub record: u32,
    pub id: Arc<str>,
    pub lines: Vec<(i64, String)>,
}

pub struct Engine<S: Store> {
    pub store: S,
    pub workspace: Workspace,
    loaded: Arc<Loaded>,
    /// Every program a run may still follow, by hash.
    programs: HashMap<String, Arc<Loaded>>,
    now: i64,
    vm: Vm,
    /// Actions produced, in order, not yet taken.
    actions: Vec<Action>,
    /// Every action produced, by number, for completing, dismissing and snoozing.
    produced: HashMap<u64, produce::Produced>,
    /// What the last write changed: buffers reused by every change.
    written: Written,
    /// Actions of this instant waiting for touch-budget arbitration when it ends.
    pending: Vec<produce::Pending>,
    /// The dedupe keys of `pending`: one of them counts as open.
    pending_keys: std::collections::HashSet<String>,
    /// Actions waiting for a slot of a touch budget.
    queues: budget::Queues,
    /// The budgets the actions handed out since the output was last taken used: (limit,
    /// who, when, the start of the limit's window then). Not part of the state: a
    /// partitioned daemon shares them.
    budget_uses: Vec<(usize, Arc<str>, i64, i64)>,
    pub history: Vec<HistoryEntry>,
    /// Whether `history` keeps its entries (the default). Without, each pass's entries
    /// are let go at its end, and schedule firings that can do nothing are skipped.
    pub keep_history: bool,
    /// Whether what closing an action needs is kept for each one produced (the default).
    /// A replay, which closes none, keeps nothing per action.
    pub keep_closable: bool,
    /// Whether an ended run stays in the store (the default), for whoever asks about it
    /// later. A replay, which asks only about runs in flight, lets them go.
    pub keep_ended_runs: bool,
    /// Whether what is handed over ([`Engine::take_output`]) is all the engine keeps of it:
    /// a delivered action is not kept for closing, and a closed one is forgotten. For a
    /// daemon, which keeps both in its projections (it sets `keep_ended_runs` off too).
    pub hand_over: bool,
    pub trace: Option<Trace>,
    /// Open actions by id, email drafts and `change_id`s, for the queue's changes.
    queue: queue::Queue,
    /// Changes of actions' states not yet taken.
    updates: Vec<ActionUpdate>,
    /// Snoozed actions by when they wake, (until, number): each is open again then.
    snoozed: std::collections::BTreeSet<(i64, u64)>,
    /// How many commands are open ([`Batch`]): the store's transaction is open while any is.
    depth: u32,
    /// The last journal position applied ([`Engine::mark_position`]).
    position: u64,
    /// The subject's fields out of their compact row, for code that reads them: a buffer
    /// reused by every evaluation.
    subject: Vec<Value>,
    /// The last record name [`Engine::record_label`] made: (record type, id, name).
    label: std::cell::RefCell<Option<(u32, Arc<str>, Arc<str>)>>,
    /// The context of the last run's actions ([`produce`]), with the run, the trigger
    /// and the program (its hash) it was made for.
    context: Option<LastContext>,
    /// The conditions' values while a trigger fires ([`trigger`]): a buffer reused by
    /// every firing.
    conditions: Vec<history::Condition>,
    /// The playbooks a record's change may fire ([`trigger::record_candidates`]): a
    /// buffer reused by every change.
    candidates: Vec<usize>,
    /// The subject's fields each piece of code the interpreter ran reads ([`reads`]), by
    /// the code's address (codes stay in place while their program is held; a reload,
    /// after which a new program's code may take a let-go one's place, clears it).
    reads: HashMap<usize, Option<Arc<[u32]>>>,
}

/// `Account/acme` made straight into its shared string: written on the stack first when it
/// is short, so that making it is one allocation rather than two.
fn shared_name(name: &str, id: &str) -> Arc<str> {
    let mut buffer = [0u8; 128];
    let len = name.len() + 1 + id.len();
    let Some(out) = buffer.get_mut(..len) else { return Arc::from(format!("{name}/{id}")) };
    out[..name.len()].copy_from_slice(name.as_bytes());
    out[name.len()] = b'/';
    out[name.len() + 1..].copy_from_slice(id.as_bytes());
    // Two texts and a slash are text; the fallback is never taken.
    Arc::from(std::str::from_utf8(out).unwrap_or_default())
}

/// The context of the last run's actions, with the run and the trigger it was made for.
type LastContext = (u64, Arc<run::TriggerInfo>, Arc<action::Context>);

/// The most steps a run takes at one moment; a run that would take more fails, with the
/// limit in its history.
pub const STEP_CAP: usize = 10_000;

impl<S: Store> Engine<S> {
    /// An engine running `program`, its clock at `now`.
    pub fn new(program: Program, workspace: Workspace, store: S, now: i64) -> Self {
        let loaded = Loaded::new(program, &workspace);
        let mut programs = HashMap::new();
        programs.insert(loaded.program.hash.clone(), loaded.clone());
        let mut engine = Engine {
            store,
            workspace,
            loaded,
            programs,
            now,
            vm: Vm::new(),
            actions: Vec::new(),
            produced: HashMap::new(),
            written: Written::default(),
            pending: Vec::new(),
            pending_keys: std::collections::HashSet::new(),
            queues: budget::Queues::default(),
            budget_uses: Vec::new(),
            history: Vec::new(),
            keep_history: true,
            keep_closable: true,
            keep_ended_runs: true,
            hand_over: false,
            trace: None,
            queue: queue::Queue::default(),
            updates: Vec::new(),
            snoozed: std::collections::BTreeSet::new(),
            depth: 0,
            position: 0,
            subject: Vec::new(),
            label: Default::default(),
            context: None,
            conditions: Vec::new(),
            candidates: Vec::new(),
            reads: HashMap::new(),
        };
        let mut batch = engine.batch();
        batch.retain();
        batch.index_directory();
        batch.schedule_every();
        drop(batch);
        engine
    }

    /// Tells the store what field history and events the programs runs follow read, so
    /// that it keeps no more, and the record types of the running one.
    fn retain(&mut self) {
        let programs = self.programs.values().map(|l| &l.program);
        self.store.set_retention(crate::retention::Retention::of_all(programs, &self.workspace));
        self.store.set_schema(&self.loaded.program.schema);
    }

    /// Teammates are written as their addresses: the store indexes the directory (`User`
    /// records) by email, since their ids need not be addresses.
    fn index_directory(&mut self) {
        let schema = &self.loaded.program.schema;
        let user = schema.records.iter().position(|r| r.name == "User");
        if let Some((r, slot)) = user.and_then(|r| schema.records[r].slot("email").map(|s| (r, s))) {
            self.store.index_emails(r as u32, slot as u32);
        }
    }

    pub fn now(&self) -> i64 {
        self.now
    }

    pub fn program(&self) -> &Program {
        &self.loaded.program
    }

    /// The actions produced since the last call, in order. Taking them ends the instant:
    /// what it produced is arbitrated by touch budgets first (see [`Engine::settle`]).
    pub fn take_actions(&mut self) -> Vec<Action> {
        self.settle();
        self.take_settled_actions()
    }

    /// The actions of the instants that have ended, leaving the current one open to more
    /// changes at the same moment (a replay takes these after each line).
    pub fn take_settled_actions(&mut self) -> Vec<Action> {
        // A copy of just the right size, keeping this buffer: a fresh one per change would
        // start at four actions, a large allocation that makes the allocator tidy its
        // free lists every time. One that a burst (a schedule firing for every account)
        // made large is given back.
        let taken = self.actions.drain(..).collect();
        if self.actions.capacity() > 256 {
            self.actions.shrink_to(16);
        }
        taken
    }

    /// Runs the clock forward to `t`, doing whatever falls due on the way, in order: one
    /// command. A moment before the clock leaves it where it is.
    pub fn advance_to(&mut self, t: i64) {
        let mut batch = self.batch();
        batch.fire_due(t);
        batch.now = batch.now.max(t);
    }

    /// Notes the journal position of the input just applied, so that a snapshot says how
    /// far the journal it follows reaches. Positions only grow.
    pub fn mark_position(&mut self, position: u64) {
        assert!(
            position > self.position || (position == 0 && self.position == 0),
            "journal positions only grow: {position} after {}",
            self.position
        );
        self.position = position;
    }

    /// The last journal position applied (0 when none was marked).
    pub fn position(&self) -> u64 {
        self.position
    }

    /// Does whatever falls due up to `t`, in order, the clock following the timers.
    fn fire_due(&mut self, t: i64) {
        let mut quiet = quiet::Quiet::default();
        loop {
            let next = self.store.next_due().filter(|at| *at <= t);
            if next.unwrap_or(t) > self.now {
                // The clock moves on: this instant's actions are arbitrated first (which
                // may set a budget's timer).
                self.settle();
            }
            if self.store.next_due().filter(|at| *at <= t).is_none() {
                break;
            }
            let mut batch = self.batch();
            let Some((at, timer)) = batch.store.pop_due(t) else { break };
            assert!(at <= t, "a timer popped after the moment asked for");
            batch.now = batch.now.max(at);
            let pass = batch.before_pass(&timer);
            batch.on_timer(timer);
            batch.after_pass(pass, &mut quiet, t);
            drop(batch);
            self.end_history();
        }
        self.wake_snoozed(t);
    }

    /// Lets go of the run history of the pass that ended, unless it is kept.
    fn end_history(&mut self) {
        if !self.keep_history {
            self.history.clear();
            if self.history.capacity() > 256 {
                self.history.shrink_to(16);
            }
        }
    }

    /// Runs the clock forward to the clock's now.
    pub fn tick(&mut self, clock: &dyn Clock) {
        self.advance_to(clock.now());
    }

    /// Feeds one change at its moment (after doing what falls due before it). A change
    /// that does not fit the schema is refused and nothing of it is kept.
    pub fn ingest(&mut self, change: Change) -> Result<(), Rejection> {
        // A refused change must not even move the clock.
        self.check(&change)?;
        self.apply(change.kind, change.at, None)
    }

    /// Evaluates code about a subject.
    pub(crate) fn eval(
        &mut self,
        loaded: &Loaded,
        code: &Code,
        subject: &Subject,
        extra: &Extra,
    ) -> Result<Value, Fault> {
        self.eval_for(loaded, code, subject, extra, None)
    }

    /// Evaluates code about a subject; a text for a channel has its interpolated values
    /// escaped (`escape`).
    pub(crate) fn eval_for(
        &mut self,
        loaded: &Loaded,
        code: &Code,
        subject: &Subject,
        extra: &Extra,
        escape: Option<crate::vm::Escape>,
    ) -> Result<Value, Fault> {
        let fallback: &[Value] = extra.trigger.and_then(|t| t.old.as_deref()).unwrap_or(&[]);
        let row = self.store.record(subject.record, &subject.id);
        // A condition over a record that is there runs over its row, its values decoded
        // only if compiled code cannot answer alone; anything else over its values.
        let over_row = row.filter(|_| escape.is_none() && loaded.tier.get(code).is_some());
        let found = match (row, over_row) {
            (_, Some(_)) => false,
            (Some(row), None) => {
                // Only the fields the code reads (the others, left from an earlier
                // record, are never looked at), or all of them when that is not known.
                let reads = self
                    .reads
                    .entry(code as *const Code as usize)
                    .or_insert_with(|| reads::subject_fields(&loaded.program, code).map(Arc::from));
                match reads {
                    Some(slots) => row.decode_slots_into(slots, &mut self.subject),
                    None => row.decode_into(&mut self.subject),
                }
                true
            }
            (None, None) => false,
        };
        let fields = if found { self.subject.as_slice() } else { fallback };
        let ctx = Ctx {
            program: &loaded.program,
            consts: &loaded.consts,
            data: &self.store,
            workspace: &self.workspace,
            now: self.now,
            subject_type: subject.record,
            subject_id: &subject.id,
            subject: fields,
            old: extra.trigger.and_then(|t| t.old.as_deref()),
            trigger_event: extra.trigger.and_then(|t| t.event.as_ref()),
            awaited: extra.awaited,
            timed_out: extra.timed_out,
            tier: Some(&loaded.tier),
        };
        match (escape, over_row) {
            (_, Some(row)) => self.vm.eval_row(code, &ctx, row),
            (Some(e), None) => self.vm.eval_escaped(code, &ctx, e),
            (None, None) => self.vm.eval(code, &ctx),
        }
    }

    /// Evaluates code that is about no record (a test's values); a fault gives empty.
    pub fn eval_plain(&mut self, code: &Code) -> Value {
        self.eval_about_nothing(code).unwrap_or_default()
    }

    /// Evaluates code that is about no record, a fault included (a test's field values,
    /// where a fault fails the test at its place).
    pub fn eval_about_nothing(&mut self, code: &Code) -> Result<Value, Fault> {
        let loaded = self.loaded.clone();
        let nobody = Subject { record: u32::MAX, id: Arc::from("") };
        self.eval(&loaded, code, &nobody, &Extra::default())
    }

    /// `file:line:column` of a span, for failure reports.
    pub(crate) fn place(&self, loaded: &Loaded, span: SrcSpan) -> (String, usize, usize) {
        let (file, line, column) = loaded.program.place(span);
        (file.to_string(), line, column)
    }

    /// `Account/acme`, shared: the history entries of a change about one record share
    /// one (the last one made is kept, with the id it was made for; a program loaded
    /// since may name the type otherwise, so the name is checked too).
    pub(crate) fn record_label(&self, record: u32, id: &Arc<str>) -> Arc<str> {
        let name = self.loaded.program.schema.records.get(record as usize).map_or("?", |r| r.name.as_str());
        let mut last = self.label.borrow_mut();
        match &*last {
            Some((r, i, label))
                if *r == record
                    && (Arc::ptr_eq(i, id) || **i == **id)
                    && label.len() == name.len() + 1 + id.len()
                    && label.starts_with(name) =>
            {
                label.clone()
            }
            _ => {
                let label = shared_name(name, id);
                *last = Some((record, id.clone(), label.clone()));
                label
            }
        }
    }

    /// `Account/acme`. Made several times per enrolment, so without `format!`, which
    /// grows the string piece by piece.
    pub(crate) fn record_name(&self, record: u32, id: &str) -> String {
        let name = self.loaded.program.schema.records.get(record as usize).map_or("?", |r| r.name.as_str());
        let mut out = String::with_capacity(name.len() + 1 + id.len());
        out.push_str(name);
        out.push('/');
        out.push_str(id);
        out
    }

    pub(crate) fn note(&mut self, line: impl FnOnce() -> String, playbook: &str, record: u32, id: &str) {
        if let Some(trace) = &mut self.trace {
            if trace.playbook == playbook && trace.record == record && &*trace.id == id {
                let at = self.now;
                trace.lines.push((at, line()));
            }
        }
    }

    /// Puts a new program in place. Runs in flight keep, migrate or cancel by what the
    /// new definition of their playbook says; new enrolments use the new program.
    pub fn reload(&mut self, program: Program) {
        let loaded = Loaded::new(program, &self.workspace);
        self.reads.clear();
        let old = std::mem::replace(&mut self.loaded, loaded.clone());
        self.programs.insert(loaded.program.hash.clone(), loaded.clone());
        // Membership and budget use are kept by a segment's and a limit's place in the
        // program: an edit that adds or removes one moves the others.
        let (before, after) = (&old.program, &loaded.program);
        let segments: Vec<Option<u32>> = before
            .segments
            .iter()
            .map(|s| after.segments.iter().position(|n| n.name == s.name && n.signal == s.signal).map(|i| i as u32))
            .collect();
        let limits: Vec<Option<u32>> = before
            .limits
            .iter()
            .map(|l| after.limits.iter().position(|n| n.name == l.name).map(|i| i as u32))
            .collect();
        self.store.renumber(&segments, &limits);
        self.renumber_waiting(&limits);
        let mut batch = self.batch();
        batch.retain();
        batch.index_directory();
        batch.migrate_runs(&loaded);
        // Date and schedule timers name a playbook by its place in the program, so the old
        // program's make way for the new one's: a date trigger deployed now fires for the
        // records already there (when its moment is still ahead).
        batch.unschedule_timed(&old);
        batch.schedule_every();
        batch.schedule_all_dates(&loaded);
        drop(batch);
        self.drop_unfollowed_programs();
    }

    pub(crate) fn loaded_for(&self, hash: &str) -> Arc<Loaded> {
        // Nearly every run follows the current program: one comparison instead of a lookup.
        if *self.loaded.hash == *hash {
            return self.loaded.clone();
        }
        self.programs.get(hash).cloned().unwrap_or_else(|| self.loaded.clone())
    }

    /// Whether an action is still open (a task, email task or activity not yet completed
    /// or dismissed).
    pub fn is_open(&self, seq: u64) -> bool {
        self.key_of(seq).is_some()
    }

    /// Whether a record is in the store now.
    pub fn store_record_exists(&self, record: u32, id: &str) -> bool {
        self.store.record(record, id).is_some()
    }

    /// How many programs the engine holds: the current one and those runs in flight
    /// still follow.
    pub fn programs_held(&self) -> usize {
        self.programs.len()
    }

    /// A run, by id.
    pub fn run(&self, id: u64) -> Option<&Run> {
        self.store.run(id)
    }
}
