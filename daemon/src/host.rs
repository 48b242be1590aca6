//! Every call the daemon makes into the engine, in one place: the command fold
//! (change lines, ticks, deploys), the output taken after a batch, the clock and timers,
//! and (once the engine can take them) snapshots. Changing the engine's API touches only
//! this module.

use play_compiler::program::Program;
use play_runtime::change::{parse_line, ChangeKind, Line, Rejection};
use play_runtime::config::Workspace;
use play_runtime::engine::{Action, Engine, HistoryEntry, Taken};
use play_runtime::store::{MemoryStore, Store as _};

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
}

/// What the commands folded since the last call produced.
#[derive(Default)]
pub struct Output {
    pub actions: Vec<Action>,
    pub history: Vec<HistoryEntry>,
}

/// A change line, read.
pub struct Read {
    pub line: Line,
}

impl Host {
    /// A host for `program`, in the settings it carries.
    pub fn new(program: Program) -> Host {
        let workspace = settings(&program);
        Host { program, workspace, engine: None, open_instant: false }
    }

    pub fn program(&self) -> &Program {
        self.engine.as_ref().map_or(&self.program, |e| e.program())
    }

    /// Reads a change line against the running program, as `play replay` does.
    pub fn read(&self, line: &str) -> Result<Read, Rejection> {
        parse_line(line, self.program(), &self.workspace).map(|line| Read { line })
    }

    /// Takes a change line: refused, or accepted (maybe as a duplicate of a `change_id`
    /// taken before). A refused line leaves nothing behind. A change older than the
    /// engine's clock is taken at the clock's moment (a late arrival).
    pub fn take(&mut self, read: Read) -> Result<Taken, Rejection> {
        let Line { mut change, change_id } = read.line;
        let fresh = self.engine.is_none();
        let engine = match &mut self.engine {
            Some(engine) => engine,
            None => self.engine.insert(self.make_engine(change.at)),
        };
        change.at = change.at.max(engine.now());
        let result = engine.ingest_once(change, change_id);
        match &result {
            Err(_) if fresh => self.engine = None,
            Ok(Taken::Accepted) => self.open_instant = true,
            _ => {}
        }
        result
    }

    fn make_engine(&self, start: i64) -> Engine<MemoryStore> {
        let store = MemoryStore::new(self.program.schema.records.len());
        let mut engine = Engine::new(self.program.clone(), self.workspace.clone(), store, start);
        engine.keep_history = true;
        engine
    }

    /// Runs the clock to `at`, firing what falls due on the way, in order.
    pub fn tick(&mut self, at: i64) {
        let engine = match &mut self.engine {
            Some(engine) => engine,
            None => self.engine.insert(self.make_engine(at)),
        };
        if at > engine.now() {
            self.open_instant = false;
        }
        engine.advance_to(at);
    }

    /// Puts `program` in place at `at` (or the engine's clock, if later).
    pub fn deploy(&mut self, program: Program, at: i64) {
        self.workspace = settings(&program);
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

    /// The actions of the moments that have ended, and the run history so far.
    pub fn output(&mut self) -> Output {
        match &mut self.engine {
            Some(engine) => {
                Output { actions: engine.take_settled_actions(), history: std::mem::take(&mut engine.history) }
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

    /// The engine's state as bytes, when the engine can give it (not yet: recovery replays
    /// the whole journal until it can).
    pub fn snapshot(&self) -> Option<Vec<u8>> {
        None
    }

    /// Whether a playbook is public (a private one's actions are seen by its owner alone).
    pub fn is_public(&self, playbook: &str) -> bool {
        self.program().playbooks.iter().find(|p| p.name == playbook).is_some_and(|p| p.public)
    }

    /// Whether a change line is a queue operation (kind `action` or `activity`).
    pub fn is_queue_change(read: &Read) -> bool {
        matches!(read.line.change.kind, ChangeKind::Action { .. } | ChangeKind::Activity { .. })
    }
}

/// The workspace settings a program carries (the defaults when it carries none it can give).
fn settings(program: &Program) -> Workspace {
    Workspace::from_settings(&program.settings).unwrap_or_default()
}
