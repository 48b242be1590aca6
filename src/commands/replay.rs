//! `play replay`: recorded changes through the engine in simulated time; the actions it
//! would produce as JSON lines, acting on nothing.

use std::io::{IsTerminal, Write};
use std::path::Path;

use play_runtime::change::{lines, parse_change, parse_line, ChangeKind, Line, Rejection};
use play_runtime::engine::Engine;
use play_runtime::store::MemoryStore;
use play_runtime::value::moment_text;

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
    let text = read(&args.changes)?;
    let mut engine = engine(&compiled, start(&text, &compiled, until));
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    let mut broken = false;
    let rejected = feed(&mut engine, &text, &args.changes, until, |engine| {
        for action in engine.take_settled_actions() {
            if !broken && writeln!(out, "{}", action.to_json_line()).is_err() {
                broken = true;
            }
        }
    });
    let _ = out.flush();
    drop(out);
    if args.history {
        to_stderr(|err| {
            for h in &engine.history {
                writeln!(err, "{}", serde_json::to_string(h).unwrap_or_default())?;
            }
            Ok(())
        });
    }
    to_stdout(|_| Ok(()))?;
    Ok(Exit::problems_if(rejected > 0))
}

/// A change file's bytes. Its lines are read one by one ([`lines`]): a byte-order mark at
/// the start is set aside, and a line that is not UTF-8 is refused on its own.
pub fn read(path: &Path) -> Result<Vec<u8>, Error> {
    std::fs::read(path).map_err(|source| Error::Read { path: path.to_path_buf(), source })
}

/// An engine for a replay, its clock at `start`.
pub fn engine(compiled: &Compiled, start: i64) -> Engine<MemoryStore> {
    let store = MemoryStore::new(compiled.program.schema.records.len());
    Engine::new(compiled.program.clone(), compiled.workspace.clone(), store, start)
}

/// When a replay's clock starts: at the first change an engine with nothing in it would
/// take (or `until`, when there is none), so that nothing falls due before the recorded
/// history, and a refused line sets no clock. A clock started earlier would have `every`
/// schedules tick once a week from 1970 up to the first change.
pub fn start(bytes: &[u8], compiled: &Compiled, until: Option<i64>) -> i64 {
    let empty = engine(compiled, 0);
    lines(bytes)
        .filter_map(|(_, line)| line.ok())
        .filter_map(|line| parse_change(line, &compiled.program, &compiled.workspace).ok())
        .find(|change| {
            !matches!(change.kind, ChangeKind::Action { .. } | ChangeKind::Activity { .. })
                && empty.check(change).is_ok()
        })
        .map(|change| change.at)
        .or(until)
        .unwrap_or(i64::MIN / 4)
}

/// Feeds every line of a change file, reporting refused lines on stderr with their line
/// number and field; `after` runs after each line and at the end. A refused line has no
/// effect, on the clock neither. Returns how many lines were refused. Changes at one moment
/// are arbitrated together by touch budgets, so after a line only the moments that have
/// ended have their actions out.
pub fn feed(
    engine: &mut Engine<MemoryStore>,
    bytes: &[u8],
    path: &Path,
    until: Option<i64>,
    mut after: impl FnMut(&mut Engine<MemoryStore>),
) -> usize {
    let count = if bytes.len() >= 10_000 { bytes.iter().filter(|b| **b == b'\n').count() + 1 } else { 0 };
    let bar = progress(count);
    let mut rejected = 0;
    let mut last = None;
    for (number, line) in lines(bytes) {
        if let Some(bar) = &bar {
            bar.set_position(number as u64);
        }
        let result = line.and_then(|line| take(engine, line));
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
    }
    if let Some(bar) = bar {
        bar.finish_and_clear();
    }
    if let Some(t) = until.or(last) {
        engine.advance_to(t);
        // The last instant ends with the stream.
        engine.settle();
        after(engine);
    }
    rejected
}

/// Takes one line: its moment when the engine took it, nothing when it was a change sent
/// again under a `change_id` already taken.
fn take(engine: &mut Engine<MemoryStore>, line: &str) -> Result<Option<i64>, Rejection> {
    let Line { change, change_id } = parse_line(line, engine.program(), &engine.workspace)?;
    if change_id.as_deref().is_some_and(|id| engine.is_duplicate(id)) {
        return Ok(None);
    }
    if change.at < engine.now() {
        return Err(Rejection::field(
            "at",
            format!(
                "`at` goes back in time (to {}, after a change at {})",
                moment_text(change.at),
                moment_text(engine.now())
            ),
        ));
    }
    let at = change.at;
    engine.ingest_once(change, change_id).map(|_| Some(at))
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
