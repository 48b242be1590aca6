//! One seed's run of the engine thread: the steps it takes, the crashes and failures, and
//! the checks against a clean fold of the journal.

mod lines;
mod store;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::{Arc, Mutex};

use play_compiler::program::Program;
use play_daemon::host::Host;
use play_daemon::status::Status;
use play_daemon::writer::{Report, Request, Writer};
use play_store::{ActionQuery, ActionRow, ActionState, Command, HistoryQuery, Position, SqliteStore, Store};
use serde_json::{Map, Value};
use tokio::sync::oneshot;

use lines::{generated, moment, parse_moment, with_id, Rng, BASE};
use store::{Faults, SimStore};

/// The two versions of the example the seeds deploy in turn (the second waits a shorter
/// time before a save plan can start again).
pub struct Programs {
    versions: [Program; 2],
}

impl Programs {
    pub fn new() -> Programs {
        let folder = Path::new(env!("CARGO_MANIFEST_DIR")).join("../examples/customer-success");
        let mut sources = Vec::new();
        for entry in std::fs::read_dir(&folder).unwrap() {
            let path = entry.unwrap().path();
            if path.extension().is_some_and(|e| e == "play") {
                let name = path.file_name().unwrap().to_string_lossy().into_owned();
                sources.push((name, std::fs::read_to_string(&path).unwrap()));
            }
        }
        sources.sort();
        let build = |sources: &[(String, String)]| {
            let borrowed: Vec<(&str, &str)> = sources.iter().map(|(n, t)| (n.as_str(), t.as_str())).collect();
            play_compiler::lower::build(&borrowed).unwrap_or_else(|_| panic!("the example builds"))
        };
        let first = build(&sources);
        for (name, text) in &mut sources {
            if name == "health.play" {
                *text = text.replacen("reentry after 30d", "reentry after 14d", 1);
            }
        }
        let second = build(&sources);
        assert_ne!(first.hash, second.hash, "the second version is another program");
        Programs { versions: [first, second] }
    }
}

/// What a seed did and found.
#[derive(Debug, Default)]
pub struct Outcome {
    pub crashes: u64,
    pub failed_appends: u64,
    /// Appends that committed but whose answer was lost.
    pub lost_acks: u64,
    pub torn_snapshots: u64,
    /// Restarts that began from a snapshot.
    pub restored: u64,
    pub deploys: u64,
    pub queue_ops: u64,
    pub refused: u64,
    pub duplicates: u64,
    /// Action rows the run made durable.
    pub actions: u64,
    pub journal: Vec<(Position, Command)>,
    pub problems: Vec<String>,
}

impl Outcome {
    pub fn check(&self) -> Result<(), String> {
        self.problems.first().map_or(Ok(()), |p| Err(p.clone()))
    }

    pub fn add(&mut self, other: &Outcome) {
        self.crashes += other.crashes;
        self.failed_appends += other.failed_appends;
        self.lost_acks += other.lost_acks;
        self.torn_snapshots += other.torn_snapshots;
        self.restored += other.restored;
        self.deploys += other.deploys;
        self.queue_ops += other.queue_ops;
        self.refused += other.refused;
        self.duplicates += other.duplicates;
        self.actions += other.actions;
    }
}

/// Lines sent together, as one request.
type Group = Vec<(usize, String)>;

/// One seed's world.
pub struct Sim<'a> {
    rng: Rng,
    programs: &'a Programs,
    _dir: tempfile::TempDir,
    path: PathBuf,
    wall: Arc<AtomicI64>,
    faults: Arc<Mutex<Faults>>,
    writer: Option<Writer>,
    /// The version of the program "on disk", deployed at each start.
    version: usize,
    /// Lines numbered so far.
    sent: usize,
    /// Groups whose answer never came: sent again, as a webhook sender does.
    unanswered: Vec<Group>,
    /// Groups answered: sometimes sent again, to be taken as duplicates.
    answered: Vec<Group>,
    /// The `change_id`s of the lines acknowledged as taken.
    acknowledged: Vec<String>,
    outcome: Outcome,
}

const STEPS: usize = 36;

impl<'a> Sim<'a> {
    pub fn new(seed: u64, programs: &'a Programs) -> Sim<'a> {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("state.db");
        Sim {
            rng: Rng::new(seed),
            programs,
            _dir: dir,
            path,
            wall: Arc::new(AtomicI64::new(parse_moment("2026-03-02T08:00:00Z"))),
            faults: Arc::default(),
            writer: None,
            version: 0,
            sent: 0,
            unanswered: Vec::new(),
            answered: Vec::new(),
            acknowledged: Vec::new(),
            outcome: Outcome::default(),
        }
    }

    pub fn run(mut self) -> Outcome {
        self.start();
        let base: Vec<&str> = BASE.lines().collect();
        for chunk in base.chunks(4) {
            let wall = chunk.iter().map(|l| parse_moment(&l[7..27])).max().unwrap();
            self.wall.store(wall, Ordering::SeqCst);
            let group = chunk.iter().map(|l| self.number(|n| with_id(l, n))).collect();
            self.send(vec![group], Vec::new());
        }
        for _ in 0..STEPS {
            self.step();
        }
        // Every sender tries once more, then the last crash and a clean start.
        for group in std::mem::take(&mut self.unanswered) {
            self.send(vec![group], Vec::new());
        }
        self.crash();
        self.start();
        self.verify();
        self.outcome
    }

    fn number(&mut self, make: impl FnOnce(usize) -> String) -> (usize, String) {
        self.sent += 1;
        (self.sent, make(self.sent))
    }

    fn writer(&mut self) -> &mut Writer {
        if self.writer.is_none() {
            self.start();
        }
        self.writer.as_mut().unwrap()
    }

    /// A start, as `play run` does; one that fails (its deploy's append failed) ends the
    /// process, and it is started again.
    fn start(&mut self) {
        while let Err(message) = self.try_start() {
            assert!(message.contains("simulated failure"), "{message}");
            self.outcome.failed_appends += 1;
            self.outcome.crashes += 1;
        }
    }

    /// Recovers from the snapshot and the journal, then deploys the program on disk if the
    /// journal's is another.
    fn try_start(&mut self) -> Result<(), String> {
        let store = SimStore::open(&self.path, self.faults.clone());
        let program = self.programs.versions[self.version].clone();
        let status = Arc::new(Mutex::new(Status::default()));
        let mut writer =
            Writer::new(Host::new(program.clone()), Box::new(store), status, Some("lee@example.com".into()));
        writer.snapshot_every = 1 + self.rng.below(6);
        writer.snapshot_paced = false;
        let wall = self.wall.clone();
        writer.wall = Box::new(move || wall.load(Ordering::SeqCst));
        let before = self.faults.lock().unwrap().snapshots_read;
        writer.recover()?;
        if self.faults.lock().unwrap().snapshots_read > before {
            self.outcome.restored += 1;
        }
        writer.deploy_if_new(program, self.wall.load(Ordering::SeqCst))?;
        self.writer = Some(writer);
        Ok(())
    }

    /// The process dies: everything in memory is gone, the database stays.
    fn crash(&mut self) {
        self.writer = None;
        self.outcome.crashes += 1;
    }

    fn step(&mut self) {
        let wall = self.wall.load(Ordering::SeqCst) + self.rng.below(2 * 3600) as i64;
        self.wall.store(wall, Ordering::SeqCst);
        let mut groups = Vec::new();
        let mut others = Vec::new();
        for _ in 0..1 + self.rng.below(3) {
            match self.rng.below(100) {
                0..=44 => {
                    let n = 1 + self.rng.below(5) as usize;
                    let mut group = Vec::new();
                    for _ in 0..n {
                        self.sent += 1;
                        group.push((self.sent, generated(&mut self.rng, self.sent, wall)));
                    }
                    groups.push(group);
                }
                45..=52 if !self.unanswered.is_empty() => groups.push(self.unanswered.remove(0)),
                45..=54 if !self.answered.is_empty() => {
                    let i = self.rng.below(self.answered.len() as u64) as usize;
                    groups.push(self.answered[i].clone());
                }
                55..=69 => others.extend(self.queue_op()),
                70..=86 => {
                    let later = wall + self.rng.below(3 * 86_400) as i64;
                    self.wall.store(later, Ordering::SeqCst);
                    others.push(Request::Tick { wall: later });
                }
                87..=91 => {
                    self.version = 1 - self.version;
                    self.outcome.deploys += 1;
                    let program = Box::new(self.programs.versions[self.version].clone());
                    others.push(Request::Deploy { program, wall: self.wall.load(Ordering::SeqCst) });
                }
                _ => {
                    self.crash();
                    self.start();
                }
            }
        }
        if self.rng.chance(10) {
            self.faults.lock().unwrap().append = Some(self.rng.chance(50));
        }
        if self.rng.chance(15) {
            let torn = self.rng.chance(50);
            self.outcome.torn_snapshots += u64::from(torn);
            self.faults.lock().unwrap().snapshot = Some(torn);
        }
        self.send(groups, others);
    }

    /// A teammate works an open action: done, dismissed or snoozed.
    fn queue_op(&mut self) -> Option<Request> {
        let reader = SqliteStore::open(&self.path).unwrap();
        let query = ActionQuery { state: Some(ActionState::Open), limit: 20, ..ActionQuery::default() };
        let open = reader.actions(&query).unwrap().items;
        if open.is_empty() {
            return None;
        }
        let action = self.rng.pick(&open).clone();
        let mut change = Map::new();
        change.insert("change".into(), "action".into());
        change.insert("action".into(), action.id.into());
        change.insert("by".into(), "jo@example.com".into());
        match self.rng.below(3) {
            0 => change.insert("op".into(), "complete".into()),
            1 => {
                change.insert("reason".into(), "not now".into());
                change.insert("op".into(), "dismiss".into())
            }
            _ => {
                let until = self.wall.load(Ordering::SeqCst) + 86_400 * (1 + self.rng.below(4) as i64);
                change.insert("until".into(), moment(until).into());
                change.insert("op".into(), "snooze".into())
            }
        };
        self.outcome.queue_ops += 1;
        let (reply, _) = oneshot::channel();
        Some(Request::Queue { change, reply })
    }

    /// One group commit of the groups and the other requests; a failed one is a crash.
    fn send(&mut self, groups: Vec<Group>, mut others: Vec<Request>) {
        let mut answers = Vec::new();
        for group in &groups {
            let (reply, answer) = oneshot::channel();
            others.push(Request::Changes { lines: group.clone(), reply });
            answers.push(answer);
        }
        let fault = self.faults.lock().unwrap().append;
        match self.writer().handle(others) {
            Ok(_) => {
                for (group, mut answer) in groups.into_iter().zip(answers) {
                    let report = answer.try_recv().expect("answered after the commit").expect("taken");
                    self.answered(group, &report);
                }
            }
            Err(_) => {
                self.outcome.failed_appends += 1;
                self.outcome.lost_acks += u64::from(fault == Some(true));
                self.unanswered.extend(groups);
                self.crash();
            }
        }
        self.faults.lock().unwrap().append = None;
    }

    fn answered(&mut self, group: Group, report: &Report) {
        self.outcome.refused += report.refused.len() as u64;
        self.outcome.duplicates += report.duplicates as u64;
        for (number, line) in &group {
            if !report.refused.iter().any(|r| r.line == *number) {
                self.acknowledged.push(change_id(line).unwrap());
            }
        }
        self.answered.push(group);
    }

    /// The checks: the journal holds every acknowledged change, and a clean fold of it
    /// gives the same projections, the same durable actions and the same engine.
    fn verify(&mut self) {
        let reader = SqliteStore::open(&self.path).unwrap();
        let journal = reader.read_journal(0, usize::MAX >> 1).unwrap();
        let taken: std::collections::BTreeSet<String> = journal
            .iter()
            .filter_map(|(_, c)| match c {
                Command::Change { line, .. } => change_id(line),
                _ => None,
            })
            .collect();
        for id in &self.acknowledged {
            if !taken.contains(id) {
                self.outcome.problems.push(format!("the acknowledged change {id} is not in the journal"));
            }
        }
        let durable = std::mem::take(&mut self.faults.lock().unwrap().durable);
        self.outcome.actions = durable.len() as u64;

        // The clean fold: one start, no failure, no snapshot, every command again.
        let dir = tempfile::tempdir().unwrap();
        let clean_faults: Arc<Mutex<Faults>> = Arc::default();
        let mut store = SimStore::open(&dir.path().join("clean.db"), clean_faults.clone());
        for program in &self.programs.versions {
            store.put_program(&program.hash, &program.to_bytes()).unwrap();
        }
        let status = Arc::new(Mutex::new(Status::default()));
        let first = self.programs.versions[0].clone();
        let mut clean = Writer::new(Host::new(first), Box::new(store), status, Some("lee@example.com".into()));
        clean.snapshot_every = u64::MAX;
        for (_, command) in &journal {
            if let Err(e) = clean.refold(command.clone()) {
                self.outcome.problems.push(format!("the journal does not fold again: {e}"));
                return;
            }
        }
        let clean_durable = std::mem::take(&mut clean_faults.lock().unwrap().durable);
        if counted(&durable) != counted(&clean_durable) {
            self.outcome.problems.push(format!(
                "the actions made durable differ from a clean fold's:\n  live:  {durable:?}\n  clean: {clean_durable:?}"
            ));
        }
        let live = self.writer.as_ref().unwrap();
        let clean_reader = SqliteStore::open(&dir.path().join("clean.db")).unwrap();
        for state in ActionState::ALL {
            let (a, b) = (rows(&reader, state), rows(&clean_reader, state));
            if a != b {
                self.outcome
                    .problems
                    .push(format!("the {} actions differ:\n  live:  {a:?}\n  clean: {b:?}", state.name()));
            }
        }
        let everything = HistoryQuery { limit: usize::MAX >> 1, ..HistoryQuery::default() };
        if reader.history(&everything).unwrap() != clean_reader.history(&everything).unwrap() {
            self.outcome.problems.push("the run history differs from a clean fold's".into());
        }
        if reader.runs(None, 100_000).unwrap() != clean_reader.runs(None, 100_000).unwrap() {
            self.outcome.problems.push("the runs differ from a clean fold's".into());
        }
        if (live.host.now(), live.host.next_due()) != (clean.host.now(), clean.host.next_due()) {
            self.outcome.problems.push(format!(
                "the recovered engine's clock and next timer {:?} are not the clean fold's {:?}",
                (live.host.now(), live.host.next_due()),
                (clean.host.now(), clean.host.next_due())
            ));
        }
        if live.host.snapshot() != clean.host.snapshot() {
            self.outcome.problems.push("the recovered engine's state is not the clean fold's".into());
        }
        self.outcome.journal = journal;
    }
}

fn change_id(line: &str) -> Option<String> {
    let value: Value = serde_json::from_str(line).ok()?;
    value.get("change_id")?.as_str().map(String::from)
}

fn counted(ids: &[String]) -> BTreeMap<&str, usize> {
    let mut counts = BTreeMap::new();
    for id in ids {
        *counts.entry(id.as_str()).or_default() += 1;
    }
    counts
}

fn rows(store: &SqliteStore, state: ActionState) -> Vec<ActionRow> {
    let query = ActionQuery { state: Some(state), limit: 100_000, ..ActionQuery::default() };
    let mut items = store.actions(&query).unwrap().items;
    items.sort_by(|a, b| a.id.cmp(&b.id));
    items
}
