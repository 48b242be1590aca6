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
    let deploys = match deploys(&args.deploy, &compiled)? {
        Ok(d) => d,
        Err(exit) => return Ok(exit),
    };
    let text = read(&args.changes)?;
    let mut engine = engine(&compiled, start(&text, &compiled, until));
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    let mut broken = false;
    let rejected = feed(&mut engine, &text, &args.changes, until, deploys, |engine| {
        for action in engine.take_actions() {
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

/// A change file's text. A byte-order mark, which spreadsheet and Windows tools put at
/// the start of UTF-8 files they export, is not part of the first change.
pub fn read(path: &Path) -> Result<String, Error> {
    let bytes = std::fs::read(path).map_err(|source| Error::Read { path: path.to_path_buf(), source })?;
    let bytes = bytes.strip_prefix(b"\xef\xbb\xbf").unwrap_or(&bytes);
    Ok(String::from_utf8_lossy(bytes).into_owned())
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
/// number and field; `after` runs after each line and at the end. Each of `deploys` is
/// put in place before the first change at or after its moment. Returns how many lines
/// were refused.
pub fn feed(
    engine: &mut Engine<MemoryStore>,
    text: &str,
    path: &Path,
    until: Option<i64>,
    deploys: Vec<Deploy>,
    mut after: impl FnMut(&mut Engine<MemoryStore>),
) -> usize {
    let mut deploys: std::collections::VecDeque<Deploy> = deploys.into();
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
        if let Ok(c) = &change {
            deploy_due(engine, &mut deploys, c.at, &mut after);
        }
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
        deploy_due(engine, &mut deploys, t, &mut after);
        engine.advance_to(t);
        after(engine);
    }
    for d in deploys {
        let report = |err: &mut dyn Write| {
            writeln!(err, "warning: `--deploy {}` is after the end of the replay, so it was not deployed", d.source)
        };
        to_stderr(report);
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
