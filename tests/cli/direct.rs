//! The engine driven through the libraries, the way `play replay` drives it: an example
//! project compiled with `play_compiler`, each change line read with `parse_change`, fed to
//! `Engine::ingest`, the clock run on with `advance_to`, and the actions taken as JSON lines.

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use play_compiler::program::Program;
use play_runtime::change::parse_change;
use play_runtime::config::Workspace;
use play_runtime::engine::Engine;
use play_runtime::store::MemoryStore;

/// A compiled example project.
#[derive(Clone)]
pub struct Project {
    pub program: Program,
    pub workspace: Workspace,
}

/// `examples/customer-success`, compiled once per test process. Its files are named as
/// `play` names them when run from the repository's root, so that its program is the one
/// `play replay examples/customer-success` runs.
pub fn customer_success() -> &'static Project {
    static PROJECT: OnceLock<Project> = OnceLock::new();
    PROJECT.get_or_init(|| compile("examples/customer-success"))
}

/// Compiles the example project in `folder` (relative to the repository root).
pub fn compile(folder: &str) -> Project {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut paths = Vec::new();
    play_files(&root.join(folder), &mut paths);
    let mut files: Vec<(String, String)> = paths
        .iter()
        .map(|p| {
            let name = p.strip_prefix(root).expect("inside the repository").to_string_lossy().replace('\\', "/");
            (name, std::fs::read_to_string(p).expect("example files are readable"))
        })
        .collect();
    files.sort();
    let named: Vec<(&str, &str)> = files.iter().map(|(n, t)| (n.as_str(), t.as_str())).collect();
    let program = play_compiler::lower::build(&named).unwrap_or_else(|d| panic!("{folder} compiles: {d:?}"));
    Project { program, workspace: Workspace::default() }
}

fn play_files(folder: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(folder).expect("example folder is readable").flatten() {
        let path = entry.path();
        if entry.file_name().to_string_lossy().starts_with('.') {
            continue;
        }
        if path.is_dir() {
            play_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "play") {
            out.push(path);
        }
    }
}

/// What a replay printed and which lines (1-based) it refused.
#[derive(Debug, PartialEq)]
pub struct Replay {
    pub stdout: String,
    pub refused: Vec<usize>,
}

/// Replays `text` from a fresh engine, as `play replay --changes … [--until …]` does: the
/// clock starts at the first change that is taken, a change earlier than the clock is refused,
/// and after the last line the clock runs to `until` (or the last change taken).
pub fn replay(project: &Project, text: &str, until: Option<i64>) -> Replay {
    let read = |line: &str| parse_change(line, &project.program, &project.workspace);
    // The clock starts at the first change an engine with nothing in it would take.
    let empty = Engine::new(
        project.program.clone(),
        project.workspace.clone(),
        MemoryStore::new(project.program.schema.records.len()),
        0,
    );
    let start = text
        .lines()
        .filter(|l| !l.trim().is_empty())
        .filter_map(|l| read(l).ok())
        .find(|c| empty.check(c).is_ok())
        .map(|c| c.at);
    let store = MemoryStore::new(project.program.schema.records.len());
    let now = start.or(until).unwrap_or(i64::MIN / 4);
    let mut engine = Engine::new(project.program.clone(), project.workspace.clone(), store, now);
    let mut out = Replay { stdout: String::new(), refused: Vec::new() };
    let mut last = None;
    for (i, line) in text.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        let taken = match read(line) {
            Ok(change) if change.at >= engine.now() => {
                let at = change.at;
                engine.ingest(change).map(|()| at).ok()
            }
            _ => None,
        };
        match taken {
            Some(at) => last = Some(at),
            None => out.refused.push(i + 1),
        }
        take(&mut engine, &mut out.stdout);
    }
    if let Some(t) = until.or(last) {
        engine.advance_to(t);
        engine.settle();
        take(&mut engine, &mut out.stdout);
    }
    out
}

/// The actions of the moments that have ended: changes at one moment are arbitrated
/// together.
fn take(engine: &mut Engine<MemoryStore>, out: &mut String) {
    for action in engine.take_settled_actions() {
        out.push_str(&action.to_json_line());
        out.push('\n');
    }
}
