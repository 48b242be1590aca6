//! `play replay`: recorded changes through the engine in simulated time; the actions it
//! would produce as JSON lines, acting on nothing.

use std::io::{IsTerminal, Write};
use std::path::Path;

use play_runtime::change::parse_change;
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
    let text = read(&args.changes)?;
    let mut engine = engine(&compiled, start(&text, &compiled, until));
    // The run history is kept only when asked for, and then written out as it grows.
    engine.keep_history = args.history;
    // Nobody completes or dismisses an action in a replay.
    engine.keep_closable = false;
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    let mut history = Vec::new();
    let mut broken = false;
    let rejected = feed(&mut engine, &text, &args.changes, until, |engine| {
        for action in engine.take_actions() {
            if !broken && writeln!(out, "{}", action.to_json_line()).is_err() {
                broken = true;
            }
        }
        for h in engine.history.drain(..) {
            history.extend(serde_json::to_vec(&h).unwrap_or_default());
            history.push(b'\n');
        }
        if history.len() > 1 << 16 {
            to_stderr(|err| err.write_all(&std::mem::take(&mut history)));
        }
    });
    let _ = out.flush();
    drop(out);
    to_stderr(|err| err.write_all(&history));
    to_stdout(|_| Ok(()))?;
    Ok(Exit::problems_if(rejected > 0))
}

/// A change file's text. A byte-order mark, which spreadsheet and Windows tools put at
/// the start of UTF-8 files they export, is not part of the first change.
pub fn read(path: &Path) -> Result<String, Error> {
    let mut bytes = std::fs::read(path).map_err(|source| Error::Read { path: path.to_path_buf(), source })?;
    if bytes.starts_with(b"\xef\xbb\xbf") {
        bytes.drain(..3);
    }
    // Taken as it is when it is UTF-8 (no second copy of a large file).
    Ok(String::from_utf8(bytes).unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned()))
}

/// An engine for a replay, its clock at `start`.
pub fn engine(compiled: &Compiled, start: i64) -> Engine<MemoryStore> {
    let store = MemoryStore::new(compiled.program.schema.records.len());
    Engine::new(compiled.program.clone(), compiled.workspace.clone(), store, start)
}

/// When a replay's clock starts: at the first change the schema accepts (or `until`, when
/// none is), so that nothing falls due before the recorded history. A clock started
/// earlier would have `every` schedules tick once a week from 1970 up to the first change.
pub fn start(text: &str, compiled: &Compiled, until: Option<i64>) -> i64 {
    text.lines()
        .filter(|line| !line.trim().is_empty())
        .find_map(|line| parse_change(line, &compiled.program, &compiled.workspace).ok())
        .map(|change| change.at)
        .or(until)
        .unwrap_or(i64::MIN / 4)
}

/// Feeds every line of a change file, reporting refused lines on stderr with their line
/// number and field; `after` runs after each line and at the end. Returns how many lines
/// were refused.
pub fn feed(
    engine: &mut Engine<MemoryStore>,
    text: &str,
    path: &Path,
    until: Option<i64>,
    mut after: impl FnMut(&mut Engine<MemoryStore>),
) -> usize {
    let lines: Vec<&str> = text.lines().collect();
    let bar = progress(lines.len());
    let mut rejected = 0;
    let mut last = None;
    for (i, line) in lines.iter().enumerate() {
        if let Some(bar) = &bar {
            bar.set_position(i as u64);
        }
        if line.trim().is_empty() {
            continue;
        }
        let change = parse_change(line, engine.program(), &engine.workspace);
        let change = match change {
            Ok(c) if c.at < engine.now() => Err(play_runtime::change::Rejection {
                field: Some("at".into()),
                message: format!(
                    "`at` goes back in time (to {}, after a change at {})",
                    play_runtime::value::moment_text(c.at),
                    play_runtime::value::moment_text(engine.now())
                ),
            }),
            other => other,
        };
        let result = change.and_then(|c| {
            let at = c.at;
            engine.ingest(c).map(|()| at)
        });
        match result {
            Ok(at) => last = Some(at),
            Err(r) => {
                rejected += 1;
                let field = r.field.map(|f| format!(" (field `{f}`)")).unwrap_or_default();
                let place = format!("{}:{}", path.display(), i + 1);
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
        after(engine);
    }
    rejected
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
