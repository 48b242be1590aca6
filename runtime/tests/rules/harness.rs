//! The shared harness: a program built from source, an engine over a memory store with its
//! clock at Monday 2026-03-02 09:00 UTC, changes fed as JSON change lines, and what came
//! out (actions and run history) as short lines that `assert_eq!` can compare.

use chrono::DateTime;
use play_compiler::program::Program;
use play_runtime::change::{parse_change, ChangeKind, Rejection};
use play_runtime::config::Workspace;
use play_runtime::engine::{Action, Engine, HistoryEntry, Outcome};
use play_runtime::store::MemoryStore;
use serde_json::{json, Value as Json};

/// Where every test's clock starts: a Monday morning.
pub const START: &str = "2026-03-02T09:00:00Z";

/// The file name the test programs are built under, as failures report it.
pub const FILE: &str = "rules.play";

/// Builds a program with the standard library, or fails the test with the diagnostics.
pub fn build(src: &str) -> Program {
    match play_compiler::lower::build(&[(FILE, src)]) {
        Ok(program) => program,
        Err(diagnostics) => {
            let messages: Vec<String> = diagnostics.iter().flatten().map(|d| format!("{d:?}")).collect();
            panic!("the test program does not build:\n{}", messages.join("\n"))
        }
    }
}

/// A moment written in RFC 3339, in seconds.
pub fn moment(text: &str) -> i64 {
    match DateTime::parse_from_rfc3339(text) {
        Ok(t) => t.timestamp(),
        Err(e) => panic!("`{text}` is not a moment: {e}"),
    }
}

/// A moment in the form actions and history write it.
pub fn text(at: i64) -> String {
    play_runtime::value::moment_text(at)
}

/// `30m`, `12h`, `3d` or `2w`, in seconds.
pub fn seconds(duration: &str) -> i64 {
    let (amount, unit) = duration.split_at(duration.len() - 1);
    let amount: i64 = amount.parse().unwrap_or_else(|_| panic!("`{duration}` is not a duration"));
    amount
        * match unit {
            "m" => 60,
            "h" => 3600,
            "d" => 86_400,
            "w" => 604_800,
            _ => panic!("`{duration}` is not a duration"),
        }
}

/// An account with every required field, the defaults overridden by `fields`.
pub fn account(fields: Json) -> Json {
    let mut base = json!({
        "name": "Acme", "tier": "Enterprise", "arr": 250000, "stage": "Renewal", "health": 72,
        "owner": "jo@example.com", "weekly_active_users": 40
    });
    merge(&mut base, fields);
    base
}

/// A contact of `account` with every required field, overridden by `fields`.
pub fn contact(account: &str, fields: Json) -> Json {
    let mut base = json!({ "email": "vic@acme.example", "account": account, "opted_out": false });
    merge(&mut base, fields);
    base
}

/// A case with every required field, overridden by `fields`.
pub fn case(fields: Json) -> Json {
    let mut base = json!({
        "number": "C-1", "subject": "Locked out", "category": "Access", "priority": "High",
        "status": "New", "assigned_to": "al@example.com"
    });
    merge(&mut base, fields);
    base
}

fn merge(base: &mut Json, fields: Json) {
    if let (Json::Object(base), Json::Object(fields)) = (base, fields) {
        base.extend(fields);
    }
}

/// An engine and what it has produced so far.
pub struct World {
    pub engine: Engine<MemoryStore>,
    /// Every action taken from the engine, in order.
    pub produced: Vec<Action>,
    history_seen: usize,
}

impl World {
    /// An engine running `src` in a UTC workspace, its clock at [`START`].
    pub fn new(src: &str) -> World {
        World::with(src, Workspace::default())
    }

    /// An engine running `src` in the workspace `play.toml` describes.
    pub fn in_workspace(src: &str, toml: &str) -> World {
        let workspace = Workspace::from_toml(toml).unwrap_or_else(|e| panic!("bad play.toml: {e}"));
        World::with(src, workspace)
    }

    pub fn with(src: &str, workspace: Workspace) -> World {
        let program = build(src);
        let store = MemoryStore::new(program.schema.records.len());
        let engine = Engine::new(program, workspace, store, moment(START));
        World { engine, produced: Vec::new(), history_seen: 0 }
    }

    pub fn now(&self) -> String {
        text(self.engine.now())
    }

    /// Moves the clock to a moment, doing whatever falls due on the way.
    pub fn at(&mut self, at: &str) {
        self.engine.advance_to(moment(at));
    }

    /// Moves the clock forward by `30m`, `12h`, `3d` or `2w`.
    pub fn after(&mut self, duration: &str) {
        let t = self.engine.now() + seconds(duration);
        self.engine.advance_to(t);
    }

    /// Feeds change lines, failing the test when one is refused.
    pub fn feed(&mut self, lines: &[&str]) {
        for line in lines {
            if let Err(rejection) = self.try_feed(line) {
                panic!("`{line}` was refused: {}", rejection.message);
            }
        }
    }

    /// Feeds one change line.
    pub fn try_feed(&mut self, line: &str) -> Result<(), Rejection> {
        let change = parse_change(line, self.engine.program(), &self.engine.workspace)?;
        self.engine.ingest(change)
    }

    /// An upsert of `Type/id` now.
    pub fn upsert(&mut self, record: &str, fields: Json) {
        let line = self.upsert_line(record, fields);
        self.feed(&[&line]);
    }

    /// An upsert of `Type/id` now, refused or not.
    pub fn try_upsert(&mut self, record: &str, fields: Json) -> Result<(), Rejection> {
        let line = self.upsert_line(record, fields);
        self.try_feed(&line)
    }

    /// A record that already exists (a test's `given`): no trigger fires.
    pub fn given(&mut self, record: &str, fields: Json) {
        let line = self.upsert_line(record, fields);
        let change = parse_change(&line, self.engine.program(), &self.engine.workspace)
            .unwrap_or_else(|r| panic!("`{line}` was refused: {}", r.message));
        let ChangeKind::Upsert { record, id, fields } = change.kind else { unreachable!("an upsert line") };
        if let Err(r) = self.engine.given(record, id, fields) {
            panic!("`{line}` was refused: {}", r.message);
        }
    }

    /// The event `name` happens to `subject` (an id of the event's record type) now.
    pub fn event(&mut self, name: &str, subject: &str, fields: Json) {
        let line = json!({"at": self.now(), "change": "event", "event": name, "subject": subject, "fields": fields});
        self.feed(&[&line.to_string()]);
    }

    /// `Type/id` is deleted now.
    pub fn delete(&mut self, record: &str) {
        let (ty, id) = split(record);
        let line = json!({"at": self.now(), "change": "delete", "record": ty, "id": id});
        self.feed(&[&line.to_string()]);
    }

    fn upsert_line(&self, record: &str, fields: Json) -> String {
        let (ty, id) = split(record);
        json!({"at": self.now(), "change": "upsert", "record": ty, "id": id, "fields": fields}).to_string()
    }

    /// Replaces the program, as a deploy does.
    pub fn reload(&mut self, src: &str) {
        self.engine.reload(build(src));
    }

    /// The actions produced since the last look, whole.
    pub fn take(&mut self) -> Vec<Action> {
        let fresh = self.engine.take_actions();
        self.produced.extend(fresh.iter().cloned());
        fresh
    }

    /// The actions produced since the last look, one short line each.
    pub fn actions(&mut self) -> Vec<String> {
        self.take().iter().map(short).collect()
    }

    /// The actions produced since the last look, each with its record and playbook.
    pub fn actions_tagged(&mut self) -> Vec<String> {
        self.take().iter().map(|a| format!("{} {}: {}", a.record, a.playbook, short(a))).collect()
    }

    /// The number of the last action taken whose line is `line`, to complete, dismiss or
    /// snooze it.
    pub fn seq(&self, line: &str) -> u64 {
        match self.produced.iter().rev().find(|a| short(a) == line) {
            Some(a) => a.seq,
            None => panic!("no action `{line}` among {:?}", self.produced.iter().map(short).collect::<Vec<_>>()),
        }
    }

    /// The `changed` context of the last action taken, as JSON.
    pub fn take_changed(&mut self) -> Json {
        self.take();
        let last = self.produced.last().expect("an action was produced");
        Json::Object(last.context.changed.to_map())
    }

    /// A person completes every action taken so far that is still open.
    pub fn complete_all(&mut self) {
        self.take();
        let open: Vec<u64> = self.produced.iter().map(|a| a.seq).filter(|s| self.engine.is_open(*s)).collect();
        for seq in open {
            self.engine.complete(seq);
        }
    }

    /// The run history since the last look, one short line each.
    pub fn history(&mut self) -> Vec<String> {
        self.fresh_history().iter().map(outcome).collect()
    }

    /// The run history since the last look, each with its record and playbook.
    pub fn history_tagged(&mut self) -> Vec<String> {
        self.fresh_history().iter().map(|e| format!("{} {}: {}", e.record, e.playbook, outcome(e))).collect()
    }

    /// The run history entries since the last look.
    pub fn fresh_history(&mut self) -> Vec<HistoryEntry> {
        let fresh = self.engine.history[self.history_seen..].to_vec();
        self.history_seen = self.engine.history.len();
        fresh
    }

    /// The playbook's current version.
    pub fn version(&self, playbook: &str) -> String {
        let program = self.engine.program();
        let p = program.playbook_named(playbook).unwrap_or_else(|| panic!("no playbook `{playbook}`"));
        program.playbooks[p].version.clone()
    }
}

fn split(record: &str) -> (&str, &str) {
    record.split_once('/').unwrap_or_else(|| panic!("`{record}` is not `Type/id`"))
}

/// An action in one line: its kind, its title or message, its recipient and its step.
pub fn short(a: &Action) -> String {
    let mut s = a.action.name().to_string();
    if let Some(t) = a.title.as_ref().or(a.message.as_ref()) {
        s += &format!(" {t}");
    }
    if let Some(to) = &a.to {
        s += &format!(" to {to}");
    }
    format!("{s} ({})", a.step)
}

/// A history entry in one line, without its record and playbook.
pub fn outcome(e: &HistoryEntry) -> String {
    let step = e.step.as_deref().unwrap_or("?");
    let conditions = |cs: &[play_runtime::engine::history::Condition]| {
        if cs.is_empty() {
            String::new()
        } else {
            let list: Vec<String> = cs.iter().map(|c| format!("{} is {}", c.source, c.value)).collect();
            format!(" [{}]", list.join(", "))
        }
    };
    match &e.outcome {
        Outcome::Enrolled { trigger, conditions: cs } => format!("enrolled by `{trigger}`{}", conditions(cs)),
        Outcome::NotEnrolled { trigger, reason, conditions: cs } => {
            format!("not enrolled by `{trigger}`: {reason}{}", conditions(cs))
        }
        Outcome::StepCompleted => format!("step {step}"),
        Outcome::StepSkipped { reason } => format!("step {step} skipped: {reason}"),
        Outcome::ActionSkipped { action, reason } => format!("{action} of {step} skipped: {reason}"),
        Outcome::ActionWorked { action, done, by, note } => {
            let by = by.as_ref().map(|b| format!(" by {b}")).unwrap_or_default();
            let note = note.as_ref().map(|n| format!(": {n}")).unwrap_or_default();
            format!("{action} of {step} {done}{by}{note}")
        }
        Outcome::ActionDeferred { action, limit, until } => {
            format!("{action} of {step} deferred by {limit} until {until}")
        }
        Outcome::ActionDropped { action, limit } => format!("{action} of {step} dropped by {limit}"),
        Outcome::FellBack { reason } => format!("{step} fell back: {reason}"),
        Outcome::Waiting { until } => format!("waiting until {until}"),
        Outcome::WaitingFor { event, until } => format!("waiting for {event} until {until}"),
        Outcome::StageOpened => format!("stage {step} opened"),
        Outcome::StageCompleted => format!("stage {step} completed"),
        Outcome::Exited { reason } => format!("exited: {reason}"),
        Outcome::Completed => "completed".to_string(),
        Outcome::Cancelled { reason } => format!("cancelled: {reason}"),
        Outcome::Migrated { to_version } => format!("migrated to {to_version}"),
        Outcome::Failed { error, file, line, column } => match &e.step {
            Some(step) => format!("failed in {step} at {file}:{line}:{column}: {error}"),
            None => format!("failed at {file}:{line}:{column}: {error}"),
        },
    }
}
