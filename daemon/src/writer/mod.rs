//! The engine thread: the only writer. It folds requests into the engine, appends each
//! group of them to the journal in ONE transaction with the projections they produced
//! (group commit), and answers them only after that transaction commits. On start it
//! recovers: the latest snapshot (when there is one the engine can take) and the journal
//! after it, folded again with nothing written, since those projections were committed
//! with their commands.

use std::collections::HashMap;
use std::sync::mpsc::{Receiver, RecvTimeoutError};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use play_compiler::program::Program;
use play_runtime::change::ChangeKind;
use play_runtime::change::Rejection;
use play_runtime::engine::Taken;
use play_store::{Batch, Command, Position, Store};
use serde_json::{Map, Value};

use crate::directory::Directory;

use crate::host::Host;
use crate::project::{self, Visibility};
use crate::status::Status;

mod requests;
mod snapshots;

use requests::{group_lines, Waiting};
pub use requests::{Failed, Refused, Report, Request};

/// The most of the engine thread's busy time snapshots take: after a snapshot that took `d`,
/// the next waits until the thread has had `d / SNAPSHOT_SHARE - d` for other work, so a
/// snapshot of many records (a second for millions) does not hold ingest back however
/// large the state grows. A restart then folds at most that much work after it.
const SNAPSHOT_SHARE: f64 = 0.2;

/// How long the engine thread waits for work before it counts as idle (and takes a
/// snapshot then if one is due, paced or not).
const IDLE: Duration = Duration::from_secs(1);

/// Lines taken in one group commit at most: a bound on a batch's transaction.
const MAX_BATCH_LINES: usize = 20_000;

/// A program kept in the store, by its hash.
pub fn stored_program(store: &dyn Store, hash: &str) -> Result<Program, String> {
    let bytes = store.program(hash).map_err(|e| e.to_string())?;
    let bytes = bytes.ok_or_else(|| format!("program {hash} is not in the store"))?;
    Program::from_bytes(&bytes).map_err(|e| e.to_string())
}

/// The engine thread's state.
pub struct Writer {
    pub host: Host,
    pub store: Box<dyn Store>,
    pub status: Arc<Mutex<Status>>,
    /// The owner of private playbooks.
    pub owner: Option<String>,
    /// A snapshot every this many commands (when the engine can give one), and no
    /// sooner than [`SNAPSHOT_SHARE`] allows unless the thread is idle.
    pub snapshot_every: u64,
    /// Whether snapshots keep to [`SNAPSHOT_SHARE`] of the engine thread's time (off in
    /// the simulator, whose runs must not depend on how fast the machine is).
    pub snapshot_paced: bool,
    /// Whether the clock follows the changes only (no wall-clock ticks, `at` of queue
    /// operations from the engine's clock).
    pub follow_changes: bool,
    /// The wall clock (seconds since 1970 UTC): the system's, or a simulated one.
    pub wall: Box<dyn Fn() -> i64 + Send>,
    /// The partition it folds, on a workspace of several (whose status counts each).
    pub partition: Option<i32>,
    /// Whether the touch budgets per teammate are shared with other partitions: before
    /// each batch, the uses they made since the last are folded in (and journaled).
    pub shares_budgets: bool,
    position: Position,
    last_snapshot: Position,
    /// When the last snapshot was done, and how long it took.
    snapshot_done: std::time::Instant,
    snapshot_took: Duration,
    /// Contacts by address and accounts by domain, for matching emails and calls: built on
    /// first use, kept up to date by each accepted change, dropped by a deploy or recovery.
    directory: Option<Directory>,
}

impl Writer {
    pub fn new(host: Host, store: Box<dyn Store>, status: Arc<Mutex<Status>>, owner: Option<String>) -> Writer {
        Writer {
            host,
            store,
            status,
            owner,
            snapshot_every: 10_000,
            snapshot_paced: true,
            follow_changes: false,
            wall: Box::new(crate::clock::wall),
            partition: None,
            shares_budgets: false,
            position: 0,
            last_snapshot: 0,
            snapshot_done: std::time::Instant::now(),
            snapshot_took: Duration::ZERO,
            directory: None,
        }
    }

    /// Puts the engine back as the latest snapshot left it, if there is one that can be
    /// read (else the whole journal is folded, which gives the same state, only slower).
    fn restore(&mut self) {
        let snapshot = match self.store.latest_snapshot() {
            Ok(Some(s)) => s,
            Ok(None) => return,
            Err(e) => return tracing::warn!("the latest snapshot could not be read: {e}"),
        };
        let (position, bytes) = snapshot;
        let store = self.store.as_ref();
        let program = |hash: &str| stored_program(store, hash).ok();
        match Host::restore(&bytes, &program) {
            Ok(host) => {
                self.host = host;
                self.position = position;
                tracing::info!(position, "restored the engine from its snapshot");
            }
            Err(e) => tracing::warn!(position, "the snapshot could not be restored ({e}): folding the whole journal"),
        }
    }

    /// Folds the journal into the engine, after the latest snapshot. Returns how many
    /// commands were folded.
    pub fn recover(&mut self) -> Result<u64, String> {
        self.directory = None;
        self.restore();
        let mut folded = 0;
        loop {
            let chunk = self.store.read_journal(self.position, 10_000).map_err(|e| e.to_string())?;
            let Some(&(last, _)) = chunk.last() else { break };
            for (position, command) in chunk {
                if let Err(message) = self.fold(&command) {
                    tracing::warn!(position, "a journaled command did not fold again: {message}");
                }
                folded += 1;
            }
            // Everything produced was committed with its command before.
            let _ = self.host.output();
            self.position = last;
        }
        self.last_snapshot = self.position;
        self.publish();
        Ok(folded)
    }

    /// One command into the engine, as when it was first taken.
    fn fold(&mut self, command: &Command) -> Result<(), String> {
        let store = self.store.as_ref();
        self.host.fold(command, &|hash| stored_program(store, hash))?;
        if let Command::Deploy { at, .. } = command {
            self.status.lock().unwrap_or_else(|e| e.into_inner()).deployed_at = Some(*at);
        }
        Ok(())
    }

    /// Folds a journaled command again and appends it with the projections it produces:
    /// a store's projections rebuilt from a journal (the simulator compares them with the
    /// ones written live). The programs its deploys name must be in the store.
    pub fn refold(&mut self, command: Command) -> Result<(), String> {
        self.fold(&command)?;
        let mut batch = Batch::default();
        if let Command::Change { line, arrival } = &command {
            let read = self.host.read(line).ok().map(|r| r.line);
            batch.change_ids.extend(read.as_ref().and_then(|r| r.change_id.as_deref()).map(String::from));
            if let Some(r) = &read {
                batch.values.extend(project::values(self.host.program(), &r.change));
            }
            if let Some((at, by)) = read.and_then(|r| Some((r.change.at, r.by?))) {
                batch.outbox.extend(project::edit(line, at, *arrival, &by));
            }
        }
        batch.commands.push(command);
        self.collect(&mut batch);
        self.commit(batch, Vec::new()).map_err(Failed::message)
    }

    /// Puts the compiled program in place when the journal's last deploy is another one.
    pub fn deploy_if_new(&mut self, program: Program, wall: i64) -> Result<(), String> {
        if self.position > 0 && self.host.program().hash == program.hash {
            return Ok(());
        }
        let mut batch = Batch::default();
        if !self.deploy(&mut batch, program, wall)? {
            return Ok(());
        }
        // Putting it in place moves the clock: what falls due on the way is projected with it.
        self.collect(&mut batch);
        self.commit(batch, Vec::new()).map_err(Failed::message)
    }

    /// Puts `program` in place, unless it would make private again what a program
    /// deployed before has published (the running one, or one before it that a later
    /// version removed the item from): then it is refused as a broken edit is, and the
    /// answer is false.
    fn deploy(&mut self, batch: &mut Batch, program: Program, wall: i64) -> Result<bool, String> {
        let unpublished = self.host.unpublished_by(&program);
        if !unpublished.is_empty() {
            let diagnostics = format!(
                "publishing is permanent: this version would make private again what is published ({}). \
                 Make it public again (`visibility public` in a playbook, `public` before a segment or signal); \
                 the last good program keeps running.",
                unpublished.join(", ")
            );
            tracing::warn!("{diagnostics}");
            let mut status = self.status.lock().unwrap_or_else(|e| e.into_inner());
            status.refused_reload = Some(crate::status::RefusedReload { at: wall, diagnostics });
            return Ok(false);
        }
        let hash = program.hash.clone();
        self.store.put_program(&hash, &program.to_bytes()).map_err(|e| e.to_string())?;
        let at = if self.follow_changes { self.host.now().unwrap_or(wall) } else { wall };
        self.host.deploy(program, at);
        self.directory = None;
        batch.commands.push(Command::Deploy { hash: hash.clone(), at });
        let mut status = self.status.lock().unwrap_or_else(|e| e.into_inner());
        status.program_hash = hash;
        status.deployed_at = Some(at);
        status.refused_reload = None;
        Ok(true)
    }

    /// Serves requests until `Shutdown` or until every sender is gone: each group of
    /// requests waiting together is one batch.
    pub fn serve(mut self, requests: Receiver<Request>) {
        loop {
            let first = match requests.recv_timeout(IDLE) {
                Ok(r) => r,
                Err(RecvTimeoutError::Timeout) => {
                    // Idle: a snapshot now costs nobody a wait, whatever the pace allows.
                    if self.position >= self.last_snapshot + self.snapshot_every {
                        self.take_snapshot();
                    }
                    continue;
                }
                Err(RecvTimeoutError::Disconnected) => return,
            };
            let mut group = vec![first];
            let mut lines = group_lines(&group[0]);
            while lines < MAX_BATCH_LINES && !matches!(group.last(), Some(Request::Shutdown)) {
                let Ok(next) = requests.try_recv() else { break };
                lines += group_lines(&next);
                group.push(next);
            }
            match self.handle(group) {
                Ok(true) => {
                    // A clean stop leaves a snapshot of everything: the next start folds nothing.
                    if self.position > self.last_snapshot {
                        self.take_snapshot();
                    }
                    return;
                }
                Ok(false) => {}
                Err(message) => {
                    // The engine has moved past what is durable: only a restart, which
                    // folds the journal again, puts them back in step.
                    tracing::error!("{message}; stopping so that a restart recovers from the journal");
                    std::process::exit(2);
                }
            }
        }
    }

    /// Takes a group of requests into one batch, appends it, then answers them. Returns
    /// whether a `Shutdown` was among them. On an error nothing of the group is answered
    /// and the engine is ahead of the journal: the caller must stop and recover.
    pub fn handle(&mut self, group: Vec<Request>) -> Result<bool, String> {
        let mut batch = Batch::default();
        let mut waiting = Vec::new();
        let mut stop = false;
        if self.shares_budgets {
            self.fold_uses_elsewhere(&mut batch)?;
        }
        for request in group {
            match request {
                Request::Shutdown => stop = true,
                other => self.take(other, &mut batch, &mut waiting),
            }
        }
        match self.commit(batch, waiting) {
            Err(Failed::BudgetTaken(why)) => {
                // Another partition took the budget's last slot meanwhile: this batch is
                // refused as a whole (its senders send it again) and the engine folds back
                // to what is durable, to decide again with that partition's use.
                tracing::info!("{why}: the batch is refused and the partition folds its journal again");
                self.fold_again()?;
                Ok(stop)
            }
            Err(Failed::Store(message)) => Err(message),
            Ok(()) => Ok(stop),
        }
    }

    /// The touch budgets other partitions used since the last look, folded in and journaled
    /// first in the batch.
    fn fold_uses_elsewhere(&mut self, batch: &mut Batch) -> Result<(), String> {
        let (uses, upto) = self.store.budget_uses_elsewhere(self.host.foreign_upto).map_err(|e| e.to_string())?;
        if !uses.is_empty() {
            let command = Command::Uses { uses, upto };
            self.fold(&command)?;
            batch.commands.push(command);
        }
        Ok(())
    }

    /// The engine again as the journal has it: after a batch that could not be written.
    fn fold_again(&mut self) -> Result<(), String> {
        let program = self.host.program().clone();
        self.host = Host::new(program);
        self.position = 0;
        self.recover().map(drop)
    }

    /// Takes one request into the batch.
    fn take(&mut self, request: Request, batch: &mut Batch, waiting: &mut Vec<Waiting>) {
        match request {
            Request::Changes { lines, reply } => {
                let mut report = Report::default();
                for (number, line) in lines {
                    match self.change(&line, batch) {
                        Ok(Taken::Accepted) => report.accepted += 1,
                        Ok(Taken::Duplicate) => report.duplicates += 1,
                        Err(r) => report.refused.push(Refused { line: number, field: r.field, message: r.message }),
                    }
                }
                waiting.push(Waiting::Changes(reply, report));
            }
            Request::Queue { mut change, reply } => {
                let wall = (self.wall)();
                let at = match self.host.now() {
                    Some(now) if self.follow_changes => now,
                    Some(now) => now.max(wall),
                    None => wall,
                };
                change.insert("at".into(), play_runtime::value::moment_text(at).into());
                let line = Value::Object(change).to_string();
                let result = self.change(&line, batch).map(drop);
                waiting.push(Waiting::Queue(reply, result));
            }
            Request::Tick { wall } => {
                if self.host.wants_tick(wall) {
                    self.host.tick(wall);
                    batch.commands.push(Command::Tick { at: wall });
                    self.collect(batch);
                }
            }
            Request::Deploy { program, wall } => {
                if let Err(message) = self.deploy(batch, *program, wall) {
                    tracing::error!("the new program could not be deployed: {message}");
                }
                self.collect(batch);
            }
            Request::Emails { emails, teammate, reply } => {
                let directory = self.directory.get_or_insert_with(|| Directory::of(self.host.engine()));
                let matched = crate::emails::take(directory, self.store.as_ref(), batch, &emails, &teammate);
                waiting.push(Waiting::Emails(reply, matched));
            }
            Request::Calls { calls, teammate, reply } => {
                let directory = self.directory.get_or_insert_with(|| Directory::of(self.host.engine()));
                let answers = crate::calls::take(directory, self.store.as_ref(), batch, &calls, &teammate);
                waiting.push(Waiting::Calls(reply, answers));
            }
            Request::Record { record, trend, reply, .. } => {
                waiting.push(Waiting::Record(reply, self.host.record_view(&record, trend.as_deref())));
            }
            Request::Shutdown => {}
        }
    }

    /// One change line: read, taken by the engine, journaled if accepted. It arrives now
    /// on the wall clock (or, following the changes' own clock, at its `at`); the arrival is
    /// journaled with it, so that a replay places it exactly.
    fn change(&mut self, line: &str, batch: &mut Batch) -> Result<Taken, Rejection> {
        let read = self.host.read(line)?;
        let change_id = read.line.change_id.as_deref().map(String::from);
        let values = project::values(self.host.program(), &read.line.change);
        let edited = read.line.by.clone().map(|by| (read.line.change.at, by));
        let touched = match &read.line.change.kind {
            ChangeKind::Upsert { record, id, .. } | ChangeKind::Delete { record, id } => Some((*record, id.clone())),
            _ => None,
        };
        let arrival = (!self.follow_changes).then(|| (self.wall)());
        let before = self.host.now();
        match self.host.take(read, arrival) {
            Ok(taken) => {
                if taken == Taken::Accepted {
                    batch.commands.push(Command::Change { line: line.to_string(), arrival });
                    batch.change_ids.extend(change_id);
                    batch.values.extend(values);
                    // A teammate's edit of a record is written back to the CRM.
                    if let Some((at, by)) = edited {
                        batch.outbox.extend(project::edit(line, at, arrival, &by));
                    }
                    if let (Some(directory), Some((record, id))) = (self.directory.as_mut(), touched) {
                        directory.refresh(self.host.engine(), record, &id);
                    }
                    self.collect(batch);
                }
                Ok(taken)
            }
            Err(refused) => {
                // A queue change is refused once the timers due by its arrival have fired:
                // the clock's move is journaled as a tick, so a replay fires them too.
                if let Some(now) = self.host.now().filter(|now| Some(*now) != before) {
                    batch.commands.push(Command::Tick { at: now });
                    self.collect(batch);
                }
                Err(refused)
            }
        }
    }

    /// What the engine produced, into the batch's projections.
    fn collect(&mut self, batch: &mut Batch) {
        let output = self.host.output();
        let host = &self.host;
        let is_public = |name: &str| host.is_public(name);
        let flag = self.owner.as_deref();
        let owner_of = |name: &str| host.owner_of(name, flag);
        let who = Visibility { is_public: &is_public, owner_of: &owner_of };
        // An approval and the email it produces come out of the engine together.
        let mut approvals: HashMap<String, project::Approval> = output
            .updates
            .iter()
            .filter(|u| u.state == play_runtime::engine::ActionState::Done)
            .map(|u| (project::approved_email_id(&u.id), project::Approval { task: u.id.clone(), by: u.by.clone() }))
            .collect();
        for action in &output.actions {
            let mut extra = Map::new();
            if let Some(a) = approvals.remove(&action.id) {
                extra.insert("task".into(), a.task.into());
                extra.extend(a.by.map(|by| ("approved_by".to_string(), Value::String(by))));
            }
            if action.action == play_compiler::program::ActionKind::Brief {
                // What the brief tells is read now, from the engine: delivery never reads it.
                if let Some(engine) = self.host.engine() {
                    let about = action.about.as_deref().unwrap_or(&action.record);
                    let data = crate::brief::data(engine, self.store.as_ref(), batch, about, action.at);
                    extra.insert("data".into(), data);
                }
            }
            project::action(batch, action, &who, extra);
        }
        for entry in &output.history {
            project::history(batch, entry);
        }
        for u in &output.updates {
            batch.updates.push(project::update(u));
        }
        // Work a teammate completed is logged to the CRM record (activity sync).
        for u in output.updates.iter().filter(|u| u.by.is_some()) {
            let row = match batch.actions.iter().find(|a| a.id == u.id) {
                Some(row) => Some(row.clone()),
                None => self.store.action(&u.id).unwrap_or_else(|e| {
                    tracing::error!("the action `{}` completed could not be read for activity sync: {e}", u.id);
                    None
                }),
            };
            batch.outbox.extend(row.and_then(|row| project::completed(&row, u)));
        }
        batch.budget_uses.extend(output.budget_uses);
    }

    /// Appends the batch, then answers what waited for it. A batch refused for a touch
    /// budget another partition used up meanwhile is answered as refused, to be sent again.
    fn commit(&mut self, batch: Batch, waiting: Vec<Waiting>) -> Result<(), Failed> {
        if !batch.is_empty() {
            let commands = batch.commands.len() as u64;
            self.position = match self.store.append(&batch) {
                Ok(position) => position,
                Err(e @ play_store::StoreError::BudgetTaken { .. }) => {
                    let why = format!("{e}; send the changes again");
                    for w in waiting {
                        w.refuse(&why);
                    }
                    return Err(Failed::BudgetTaken(why));
                }
                Err(e) => return Err(Failed::Store(e.to_string())),
            };
            crate::metrics::committed(commands, batch.actions.len() as u64);
        }
        // The status shows the commit before anyone hears of it: a client that reads it
        // after its answer sees its own change.
        self.publish();
        for w in waiting {
            match w {
                Waiting::Changes(reply, report) => {
                    crate::metrics::taken(&report);
                    let _ = reply.send(Ok(report));
                }
                Waiting::Queue(reply, result) => {
                    let _ = reply.send(Ok(result));
                }
                Waiting::Emails(reply, matched) => {
                    let _ = reply.send(Ok(matched));
                }
                Waiting::Calls(reply, answers) => {
                    let _ = reply.send(Ok(answers));
                }
                Waiting::Record(reply, view) => {
                    let _ = reply.send(view);
                }
            }
        }
        self.maybe_snapshot();
        Ok(())
    }

    /// What `/v1/status` shows of the engine.
    fn publish(&self) {
        let mut status = self.status.lock().unwrap_or_else(|e| e.into_inner());
        match self.partition {
            Some(p) => {
                status.partitions.insert(p, self.position);
                status.journal_position = status.partitions.values().sum();
            }
            None => status.journal_position = self.position,
        }
        status.clock = self.host.now();
        status.next_timer = self.host.next_due();
        status.program_hash = self.host.program().hash.clone();
        let flag = self.owner.as_deref();
        status.workspace_owner = self.owner.clone().or_else(|| self.host.program().settings.owner.clone());
        status.private_playbooks = self
            .host
            .program()
            .playbooks
            .iter()
            .filter(|p| !p.public)
            .map(|p| (p.name.clone(), self.host.owner_of(&p.name, flag)))
            .collect();
    }
}
