//! `play replay`: recorded changes through the engine in simulated time; the actions it
//! would produce as JSON lines, acting on nothing.

use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};

use play_runtime::change::{each_line, lines, parse_change, parse_line, ChangeKind, Line, Rejection};
use play_runtime::engine::Engine;
use play_runtime::store::MemoryStore;

use super::{to_stderr, to_stdout};
use crate::cli::ReplayArgs;
use crate::compile::{compile, moment, Compiled};
use crate::error::Error;
use crate::exit::Exit;

pub fn run(args: &ReplayArgs) -> Result<Exit, Error> {
    let compiled = match compile(&args.path)? {
        Ok(c) => c,
        Err(exit) => return Ok(exit),
    };
    let until = args.until.as_deref().map(|t| moment(t, &compiled.workspace)).transpose()?;
    let deploys = match deploys(&args.deploy, &compiled)? {
        Ok(d) => d,
        Err(exit) => return Ok(exit),
    };
    let changes = Changes::open(&args.changes)?;
    let survey = Survey::take(&changes, &compiled, until)?;
    let mut engine = engine(&compiled, survey.start);
    // The run history is kept only when asked for, and then written out as it grows.
    engine.keep_history = args.history;
    let want_history = args.history;
    // What closing an action needs is kept only when the changes may close one.
    engine.keep_closable = survey.names_actions;
    // Nothing asks about a run once it has ended (its history is written as it goes).
    engine.keep_ended_runs = false;
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    let mut history = Vec::new();
    let mut broken = false;
    let rejected = feed(&mut engine, &changes, &survey, &args.changes, until, deploys, |engine| {
        for action in engine.take_settled_actions() {
            if !broken && writeln!(out, "{}", action.to_json_line()).is_err() {
                broken = true;
            }
        }
        for h in engine.history.drain(..) {
            // Entries made outside a pass (a deploy's migrations) are let go here too.
            if want_history {
                history.extend(serde_json::to_vec(&h).unwrap_or_default());
                history.push(b'\n');
            }
        }
        if history.len() > 1 << 16 {
            to_stderr(|err| err.write_all(&std::mem::take(&mut history)));
        }
    })?;
    let _ = out.flush();
    drop(out);
    to_stderr(|err| err.write_all(&history));
    to_stdout(|_| Ok(()))?;
    Ok(Exit::problems_if(rejected > 0))
}

/// A program to put in place at a moment of a replay (`--deploy TIME=PROGRAM`).
pub struct Deploy {
    pub at: i64,
    pub program: play_compiler::program::Program,
    /// As given, for messages.
    pub source: String,
}

/// The `--deploy` options, read and compiled, in time order.
fn deploys(args: &[String], compiled: &Compiled) -> Result<Result<Vec<Deploy>, Exit>, Error> {
    let mut out = Vec::new();
    for arg in args {
        let Some((time, path)) = arg.split_once('=') else {
            return Err(Error::Usage(format!(
                "`--deploy {arg}` needs a moment and a program: write it as 2026-03-10T09:00:00Z=program.playc"
            )));
        };
        let at = moment(time, &compiled.workspace)?;
        let program = match compile(Path::new(path))? {
            Ok(c) => c.program,
            Err(exit) => return Ok(Err(exit)),
        };
        out.push(Deploy { at, program, source: arg.clone() });
    }
    out.sort_by_key(|d| d.at);
    Ok(Ok(out))
}

/// Puts in place each program due by `t` (the clock run on to its moment first), and
/// hands its actions to `after`.
fn deploy_due(
    engine: &mut Engine<MemoryStore>,
    deploys: &mut std::collections::VecDeque<Deploy>,
    t: i64,
    after: &mut impl FnMut(&mut Engine<MemoryStore>),
) {
    while deploys.front().is_some_and(|d| d.at <= t) {
        let Some(d) = deploys.pop_front() else { break };
        engine.advance_to(d.at.max(engine.now()));
        after(engine);
        engine.reload(d.program);
        after(engine);
    }
}

/// A change file. A regular file is read as it goes, twice (once to survey it, once to
/// feed it), so that a replay's memory does not grow with the file; anything else (a pipe,
/// which can be read once) is held in memory. Either way its lines are those of
/// [`lines`]: a byte-order mark at the start set aside, a line that is not UTF-8 refused on
/// its own.
pub enum Changes {
    File(PathBuf),
    Memory(Vec<u8>),
}

impl Changes {
    pub fn open(path: &Path) -> Result<Changes, Error> {
        let error = |source| Error::Read { path: path.to_path_buf(), source };
        if std::fs::metadata(path).map_err(error)?.is_file() {
            return Ok(Changes::File(path.to_path_buf()));
        }
        std::fs::read(path).map(Changes::Memory).map_err(error)
    }

    /// Calls `each` with every line, numbered from 1, blank lines left out.
    fn each(&self, mut each: impl FnMut(usize, Result<&str, Rejection>)) -> Result<(), Error> {
        match self {
            Changes::Memory(bytes) => {
                lines(bytes).for_each(|(n, line)| each(n, line));
                Ok(())
            }
            Changes::File(path) => {
                let error = |source| Error::Read { path: path.clone(), source };
                let file = std::fs::File::open(path).map_err(error)?;
                each_line(std::io::BufReader::with_capacity(1 << 16, file), each).map_err(error)
            }
        }
    }
}

/// What a first pass over a change file finds out.
pub struct Survey {
    /// When the replay's clock starts ([`Survey::take`]).
    pub start: i64,
    /// The number of the last line, for the progress bar.
    pub lines: usize,
    /// Whether the file may hold queue changes (`"action"` or `"activity"` somewhere in a
    /// line), so that the actions they name must stay closable. A plain search, which may
    /// say yes for a file that has none: that only costs memory.
    pub names_actions: bool,
}

impl Survey {
    /// Surveys `changes`. The clock starts at the first change an engine with nothing in it
    /// would take (or `until`, when there is none), so that nothing falls due before the
    /// recorded history, and a refused line sets no clock. A clock started earlier would
    /// have `every` schedules tick once a week from 1970 up to the first change.
    pub fn take(changes: &Changes, compiled: &Compiled, until: Option<i64>) -> Result<Survey, Error> {
        let empty = engine(compiled, 0);
        let mut survey = Survey { start: i64::MIN, lines: 0, names_actions: false };
        let mut first = None;
        changes.each(|number, line| {
            survey.lines = number;
            let Ok(line) = line else { return };
            survey.names_actions |=
                line.contains("\"action\"") || line.contains("\"activity\"") || line.contains("\"task\"");
            if first.is_some() {
                return;
            }
            let Ok(change) = parse_change(line, &compiled.program, &compiled.workspace) else { return };
            if !matches!(change.kind, ChangeKind::Action { .. } | ChangeKind::Activity { .. } | ChangeKind::Task(_))
                && empty.check(&change).is_ok()
            {
                first = Some(change.at);
            }
        })?;
        survey.start = first.or(until).unwrap_or(i64::MIN / 4);
        Ok(survey)
    }
}

/// An engine for a replay, its clock at `start`.
pub fn engine(compiled: &Compiled, start: i64) -> Engine<MemoryStore> {
    let store = MemoryStore::new(compiled.program.schema.records.len());
    Engine::new(compiled.program.clone(), compiled.workspace.clone(), store, start)
}

/// Feeds every line of a change file, reporting refused lines on stderr with their line
/// number and field; `after` runs after each line and at the end. A refused line has no
/// effect, on the clock neither. Each of `deploys` is put in place before the first change
/// at or after its moment. Returns how many lines were refused. Changes at one moment are
/// arbitrated together by touch budgets, so after a line only the moments that have ended
/// have their actions out.
pub fn feed(
    engine: &mut Engine<MemoryStore>,
    changes: &Changes,
    survey: &Survey,
    path: &Path,
    until: Option<i64>,
    deploys: Vec<Deploy>,
    mut after: impl FnMut(&mut Engine<MemoryStore>),
) -> Result<usize, Error> {
    let bar = progress(survey.lines);
    let mut deploys: std::collections::VecDeque<Deploy> = deploys.into();
    let mut rejected = 0;
    let mut last = None;
    changes.each(|number, line| {
        if let Some(bar) = &bar {
            bar.set_position(number as u64);
        }
        let result = line.and_then(|line| take(engine, line, &mut deploys, &mut after));
        match result {
            Ok(Some(at)) => last = Some(at),
            Ok(None) => {}
            Err(r) => {
                rejected += 1;
                let field = r.field.map(|f| format!(" (field `{f}`)")).unwrap_or_default();
                let place = format!("{}:{number}", path.display());
                let message = r.message;
                let report = |err: &mut dyn Write| writeln!(err, "{place}: refused{field}: {message}");
                match &bar {
                    Some(bar) => bar.suspend(|| to_stderr(report)),
                    None => to_stderr(report),
                }
            }
        }
        after(engine);
    })?;
    if let Some(bar) = bar {
        bar.finish_and_clear();
    }
    if let Some(t) = until.or(last) {
        deploy_due(engine, &mut deploys, t, &mut after);
        engine.advance_to(t);
        // The last instant ends with the stream.
        engine.settle();
        after(engine);
    }
    for d in deploys {
        let report = |err: &mut dyn Write| {
            writeln!(err, "warning: `--deploy {}` is after the end of the replay, so it was not deployed", d.source)
        };
        to_stderr(report);
    }
    Ok(rejected)
}

/// Takes one line: its moment when the engine took it, nothing when it was a change sent
/// again under a `change_id` already taken.
fn take(
    engine: &mut Engine<MemoryStore>,
    line: &str,
    deploys: &mut std::collections::VecDeque<Deploy>,
    after: &mut impl FnMut(&mut Engine<MemoryStore>),
) -> Result<Option<i64>, Rejection> {
    let Line { change, change_id, .. } = parse_line(line, engine.program(), &engine.workspace)?;
    if change_id.as_deref().is_some_and(|id| engine.is_duplicate_at(id, change.at)) {
        return Ok(None);
    }
    // The engine's rule for a file: time order (checked before a deploy falls due).
    engine.in_order(&change)?;
    let at = change.at;
    deploy_due(engine, deploys, at, after);
    engine.ingest_in_order(change, change_id).map(|_| Some(at))
}

/// A progress bar for long files, when stderr is a terminal.
fn progress(lines: usize) -> Option<indicatif::ProgressBar> {
    if lines < 10_000 || !std::io::stderr().is_terminal() {
        return None;
    }
    let bar = indicatif::ProgressBar::new(lines as u64);
    let style = indicatif::ProgressStyle::with_template("{bar:40} {pos}/{len} changes {per_sec} eta {eta}")
        .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar());
    bar.set_style(style);
    Some(bar)
}
