//! Every call the daemon makes into the engine, in one place: the command fold
//! (change lines, ticks, deploys), the output taken after a batch, the clock and timers,
//! and (once the engine can take them) snapshots. Changing the engine's API touches only
//! this module.

use std::collections::BTreeSet;

use play_compiler::program::Program;
use play_runtime::change::{parse_line, ChangeKind, Line, Rejection};
use play_runtime::config::Workspace;
use play_runtime::engine::{Action, ActionUpdate, Engine, HistoryEntry, Taken, Trace};
use play_runtime::store::{MemoryStore, Store as _};
use play_runtime::vm::Data as _;
use play_store::{BudgetUse, Command, SharedUse};

/// The engine and the program it runs.
pub struct Host {
    program: Program,
    workspace: Workspace,
    /// Made at the first change or tick, its clock at that moment (as `play replay` starts
    /// its clock at the first change), so that nothing falls due before the first input.
    engine: Option<Engine<MemoryStore>>,
    /// Whether changes were taken at the engine's current moment since the clock last
    /// moved: that moment's actions are held for touch-budget arbitration until it ends.
    open_instant: bool,
    /// A trace to follow from the engine's first moment (for `/v1/explain`).
    trace: Option<Trace>,
    /// What every program deployed so far has published (as
    /// [`Program::published_items`] names them): publishing is permanent.
    published: BTreeSet<String>,
    /// On a partition of a workspace of several: the last shared row of other partitions'
    /// touch-budget uses folded in, and those folded before there was an engine (counted
    /// once it is made).
    pub foreign_upto: i64,
    foreign_waiting: Vec<BudgetUse>,
}

/// What the commands folded since the last call produced.
#[derive(Default)]
pub struct Output {
    pub actions: Vec<Action>,
    /// Every change of an action's state: queue operations, snoozes falling due.
    pub updates: Vec<ActionUpdate>,
    pub history: Vec<HistoryEntry>,
    /// The touch budgets per teammate the actions used: shared with the other partitions.
    pub budget_uses: Vec<SharedUse>,
}

/// A record read from the engine (for the inbox's action page).
#[derive(Clone, Debug, Default, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct RecordView {
    /// The fields it has now, as JSON.
    pub fields: serde_json::Map<String, serde_json::Value>,
    /// The values the engine keeps of one numeric field, oldest first: (moment, value).
    pub history: Vec<(i64, f64)>,
}

/// A change line, read.
pub struct Read {
    pub line: Line,
}

impl Host {
    /// A host for `program`, in the settings it carries.
    pub fn new(program: Program) -> Host {
        let workspace = settings(&program);
        Host {
            program,
            workspace,
            engine: None,
            open_instant: false,
            trace: None,
            published: BTreeSet::new(),
            foreign_upto: 0,
            foreign_waiting: Vec::new(),
        }
    }

    /// What `program` would make private again of what has been published: refused.
    pub fn unpublished_by(&self, program: &Program) -> Vec<String> {
        program.made_private(&self.published)
    }

    pub fn program(&self) -> &Program {
        self.engine.as_ref().map_or(&self.program, |e| e.program())
    }

    /// Reads a change line against the running program, as `play replay` does.
    pub fn read(&self, line: &str) -> Result<Read, Rejection> {
        parse_line(line, self.program(), &self.workspace).map(|line| Read { line })
    }

    /// Takes a change line that arrived at `arrival` (none: at its own `at`): refused, or
    /// accepted (maybe as a duplicate of a `change_id` taken before). A refused line leaves
    /// nothing behind. A late change (older than the clock) is placed at its `at` in the
    /// field and event history and taken at its arrival; one stamped more than five minutes
    /// after its arrival is refused.
    pub fn take(&mut self, read: Read, arrival: Option<i64>) -> Result<Taken, Rejection> {
        let Line { change, change_id, .. } = read.line;
        let fresh = self.engine.is_none();
        let engine = self.engine_from(arrival.unwrap_or(change.at).min(change.at));
        let arrival = arrival.unwrap_or(change.at).max(engine.now());
        let result = engine.ingest_arrived(change, change_id, arrival);
        match &result {
            Err(_) if fresh => self.trace = self.engine.take().and_then(|mut e| e.trace.take()),
            Ok(Taken::Accepted) => self.open_instant = true,
            _ => {}
        }
        result
    }

    /// The engine, made at `start` if there is none yet.
    fn engine_from(&mut self, start: i64) -> &mut Engine<MemoryStore> {
        if self.engine.is_none() {
            let mut engine = self.make_engine(start);
            engine.trace = self.trace.take();
            for u in self.foreign_waiting.drain(..) {
                engine.budget_used_elsewhere(&u.limit, &u.who, u.at);
            }
            self.engine = Some(engine);
        }
        self.engine.as_mut().expect("made above")
    }

    fn make_engine(&self, start: i64) -> Engine<MemoryStore> {
        let store = MemoryStore::new(self.program.schema.records.len());
        let mut engine = Engine::new(self.program.clone(), self.workspace.clone(), store, start);
        // Everything produced goes to the projections with its batch and is let go here;
        // nothing asks the engine about a run once it has ended.
        engine.keep_history = true;
        engine.hand_over = true;
        engine.keep_ended_runs = false;
        engine
    }

    /// Runs the clock to `at`, firing what falls due on the way, in order.
    pub fn tick(&mut self, at: i64) {
        if at > self.engine_from(at).now() {
            self.open_instant = false;
        }
        self.engine_from(at).advance_to(at);
    }

    /// Puts `program` in place at `at` (or the engine's clock, if later).
    pub fn deploy(&mut self, program: Program, at: i64) {
        self.workspace = settings(&program);
        self.published.extend(program.published_items());
        match &mut self.engine {
            Some(engine) => {
                if at > engine.now() {
                    self.open_instant = false;
                }
                engine.advance_to(at.max(engine.now()));
                engine.workspace = self.workspace.clone();
                engine.reload(program.clone());
            }
            None => {}
        }
        self.program = program;
    }

    /// One journaled command into the engine, as when it was first taken; a deploy's
    /// program is found by its hash.
    pub fn fold(
        &mut self,
        command: &Command,
        program_of: &dyn Fn(&str) -> Result<Program, String>,
    ) -> Result<(), String> {
        match command {
            Command::Change { line, arrival } => {
                let read = self.read(line).map_err(|r| r.message)?;
                self.take(read, *arrival).map(drop).map_err(|r| r.message)
            }
            Command::Tick { at } => {
                self.tick(*at);
                Ok(())
            }
            Command::Deploy { hash, at } => {
                self.deploy(program_of(hash)?, *at);
                Ok(())
            }
            Command::Uses { uses, upto } => {
                self.used_elsewhere(uses, *upto);
                Ok(())
            }
        }
    }

    /// Touch budgets other partitions used: counted here too (once there is an engine).
    pub fn used_elsewhere(&mut self, uses: &[BudgetUse], upto: i64) {
        match &mut self.engine {
            Some(engine) => uses.iter().for_each(|u| engine.budget_used_elsewhere(&u.limit, &u.who, u.at)),
            None => self.foreign_waiting.extend(uses.iter().cloned()),
        }
        self.foreign_upto = self.foreign_upto.max(upto);
    }

    /// Follows why a playbook does or does not enrol a record, from the first command
    /// folded (before any).
    pub fn follow(&mut self, playbook: &str, record: u32, id: &str) {
        self.trace = Some(Trace { playbook: playbook.into(), record, id: id.into(), lines: Vec::new() });
    }

    /// What the trace followed: (moment, what happened).
    pub fn traced(&mut self) -> Vec<(i64, String)> {
        let in_engine = self.engine.as_mut().and_then(|e| e.trace.take());
        in_engine.or(self.trace.take()).map(|t| t.lines).unwrap_or_default()
    }

    /// The engine, once there is one: what a brief's data is read from.
    pub fn engine(&self) -> Option<&Engine<MemoryStore>> {
        self.engine.as_ref()
    }

    /// A record as the engine holds it now (`Type/id`): its fields (empty ones left out)
    /// and the values the engine keeps of `trend`'s history, oldest first. None when the
    /// engine has no such record.
    pub fn record_view(&self, record: &str, trend: Option<&str>) -> Option<RecordView> {
        let engine = self.engine.as_ref()?;
        let program = engine.program();
        let (kind, id) = record.split_once('/')?;
        let rt = program.schema.record_named(kind)?;
        let def = &program.schema.records[rt];
        let row = engine.store.record(rt as u32, id)?;
        let mut fields = serde_json::Map::new();
        for (slot, field) in def.fields.iter().enumerate() {
            let value = row.value(slot);
            if !matches!(value, play_runtime::value::Value::Empty) {
                fields.insert(field.name.clone(), value.to_json(program));
            }
        }
        let history = trend
            .and_then(|name| def.fields.iter().position(|f| f.name == name))
            .map(|slot| {
                let kept = engine.store.field_history(rt as u32, id, slot as u32);
                kept.into_iter().filter_map(|(at, v)| Some((at, v.number()?))).collect()
            })
            .unwrap_or_default();
        Some(RecordView { fields, history })
    }

    /// Whether the engine holds a record.
    pub fn record_exists(&self, record: u32, id: &str) -> bool {
        self.engine.as_ref().is_some_and(|e| e.store_record_exists(record, id))
    }

    /// The actions of the moments that have ended, and the run history so far.
    pub fn output(&mut self) -> Output {
        match &mut self.engine {
            Some(engine) => {
                let out = engine.take_settled_output();
                let used = engine.take_budget_uses();
                let limits = &engine.program().limits;
                let budget_uses = used
                    .into_iter()
                    .filter_map(|(l, who, at, since)| {
                        let limit = limits.get(l).filter(|d| d.per == "user")?;
                        let used = BudgetUse { limit: limit.name.clone(), who: who.to_string(), at };
                        Some(SharedUse { used, since, count: limit.count })
                    })
                    .collect();
                Output { actions: out.actions, updates: out.updates, history: out.history, budget_uses }
            }
            None => Output::default(),
        }
    }

    /// The engine's clock (none before the first input).
    pub fn now(&self) -> Option<i64> {
        self.engine.as_ref().map(|e| e.now())
    }

    /// When the next timer is due.
    pub fn next_due(&self) -> Option<i64> {
        self.engine.as_ref().and_then(|e| e.store.next_due())
    }

    /// Whether a tick to `wall` would do anything: a timer due, or a moment whose actions
    /// wait for it to end.
    pub fn wants_tick(&self, wall: i64) -> bool {
        let Some(now) = self.now() else { return false };
        self.next_due().is_some_and(|due| due <= wall) || (self.open_instant && wall > now)
    }

    /// The engine's state as bytes (none before the first input): whether the moment is
    /// still open and the running program's hash, then the engine's snapshot. Taken
    /// between batches, once the output has been taken.
    pub fn snapshot(&self) -> Option<Vec<u8>> {
        let engine = self.engine.as_ref()?;
        let hash = engine.program().hash.as_bytes();
        let mut out = vec![SNAPSHOT_VERSION, u8::from(self.open_instant), u8::try_from(hash.len()).ok()?];
        out.extend_from_slice(hash);
        out.extend((self.published.len() as u32).to_le_bytes());
        for item in &self.published {
            out.extend((item.len() as u32).to_le_bytes());
            out.extend_from_slice(item.as_bytes());
        }
        out.extend(self.foreign_upto.to_le_bytes());
        out.extend(engine.snapshot());
        Some(out)
    }

    /// The host again from a snapshot, its programs found by hash.
    pub fn restore(bytes: &[u8], program_by_hash: &dyn Fn(&str) -> Option<Program>) -> Result<Host, String> {
        let [version, open, len, rest @ ..] = bytes else { return Err("the snapshot is cut short".into()) };
        if !(1..=SNAPSHOT_VERSION).contains(version) {
            return Err(format!("the snapshot is of version {version}, not {SNAPSHOT_VERSION}"));
        }
        let (hash, mut rest) = rest.split_at_checked(usize::from(*len)).ok_or("the snapshot is cut short")?;
        let hash = std::str::from_utf8(hash).map_err(|_| "the snapshot's program hash is damaged")?;
        let program = program_by_hash(hash).ok_or_else(|| format!("program {hash} is not in the store"))?;
        // Version 1 kept no published items: those of the running program stand for them.
        let published = match version {
            1 => program.published_items().into_iter().collect(),
            _ => read_published(&mut rest)?,
        };
        // Version 3 added the last shared budget use folded in.
        let foreign_upto = match version {
            1 | 2 => 0,
            _ => {
                let (word, tail) = rest.split_at_checked(8).ok_or("the snapshot is cut short")?;
                rest = tail;
                i64::from_le_bytes(word.try_into().map_err(|_| "the snapshot is cut short")?)
            }
        };
        let workspace = settings(&program);
        let engine =
            Engine::<MemoryStore>::restore(rest, workspace.clone(), program_by_hash).map_err(|e| e.to_string())?;
        Ok(Host {
            program,
            workspace,
            engine: Some(engine),
            open_instant: *open == 1,
            trace: None,
            published,
            foreign_upto,
            foreign_waiting: Vec::new(),
        })
    }

    /// Who owns a private playbook: its own `owner`, else the workspace owner given to
    /// `play run --owner`, else the one in `play.toml`.
    pub fn owner_of(&self, playbook: &str, flag: Option<&str>) -> Option<String> {
        let program = self.program();
        let own = program.playbooks.iter().find(|p| p.name == playbook).and_then(|p| p.owner.clone());
        own.or_else(|| flag.map(String::from)).or_else(|| program.settings.owner.clone())
    }

    /// Whether a playbook is public (a private one's actions are seen by its owner alone).
    pub fn is_public(&self, playbook: &str) -> bool {
        // An ad hoc task (of no playbook) is the team's: everyone sees it.
        playbook.is_empty() || self.program().playbooks.iter().find(|p| p.name == playbook).is_some_and(|p| p.public)
    }

    /// Whether a change line is a queue operation (kind `action`, `activity` or `task`).
    pub fn is_queue_change(read: &Read) -> bool {
        matches!(read.line.change.kind, ChangeKind::Action { .. } | ChangeKind::Activity { .. } | ChangeKind::Task(_))
    }
}

/// The form of the host's own part of a snapshot: 2 added the published items, 3 the last
/// shared budget use folded in.
const SNAPSHOT_VERSION: u8 = 3;

/// The published items of a snapshot: a count, then each item's length and text.
fn read_published(rest: &mut &[u8]) -> Result<BTreeSet<String>, String> {
    fn take<'a>(rest: &mut &'a [u8], n: usize) -> Result<&'a [u8], String> {
        let (head, tail) = rest.split_at_checked(n).ok_or("the snapshot is cut short")?;
        *rest = tail;
        Ok(head)
    }
    let word = |rest: &mut &[u8]| -> Result<usize, String> {
        Ok(u32::from_le_bytes(take(rest, 4)?.try_into().map_err(|_| "the snapshot is cut short")?) as usize)
    };
    let count = word(rest)?;
    let mut published = BTreeSet::new();
    for _ in 0..count {
        let len = word(rest)?;
        let item = std::str::from_utf8(take(rest, len)?).map_err(|_| "the snapshot's published items are damaged")?;
        published.insert(item.to_string());
    }
    Ok(published)
}

/// The workspace settings a program carries (the defaults when it carries none it can give).
fn settings(program: &Program) -> Workspace {
    Workspace::from_settings(&program.settings).unwrap_or_default()
}
