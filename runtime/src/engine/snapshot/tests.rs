//! Snapshots of the previous format (the tables' cells row after row) are still read, and
//! give the same engine as one of the current format.

use play_compiler::program::Program;

use super::{seal, EngineSnap, HEADER, MAGIC, ROW_MAJOR_FORMAT, SNAPSHOT_FORMAT};
use crate::change::parse_line;
use crate::config::Workspace;
use crate::engine::{Engine, SnapshotError};
use crate::store::MemoryStore;

/// The customer-success example fed its changes: an engine with records in every table.
fn busy() -> (Engine<MemoryStore>, Program, Workspace) {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../examples/customer-success");
    let mut sources = Vec::new();
    for entry in std::fs::read_dir(dir).expect("the example is there").flatten() {
        let path = entry.path();
        if path.extension().is_some_and(|e| e == "play") {
            let text = std::fs::read_to_string(&path).expect("a readable file");
            sources.push((path.display().to_string(), text));
        }
    }
    sources.sort();
    let pairs: Vec<(&str, &str)> = sources.iter().map(|(n, t)| (n.as_str(), t.as_str())).collect();
    let program = play_compiler::lower::build(&pairs).expect("the example builds");
    let toml = std::fs::read_to_string(format!("{dir}/play.toml")).unwrap_or_default();
    let workspace = Workspace::from_toml(&toml).unwrap_or_default();
    let store = MemoryStore::new(program.schema.records.len());
    let start = chrono::DateTime::parse_from_rfc3339("2026-03-02T08:00:00Z").expect("a moment").timestamp();
    let mut engine = Engine::new(program.clone(), workspace.clone(), store, start);
    let changes = std::fs::read_to_string(format!("{dir}/changes.jsonl")).expect("the example's changes");
    for line in changes.lines().filter(|l| !l.trim().is_empty()) {
        if let Ok(l) = parse_line(line, engine.program(), &engine.workspace) {
            let arrival = l.change.at;
            let _ = engine.ingest_arrived(l.change, l.change_id, arrival);
        }
        engine.take_output();
    }
    (engine, program, workspace)
}

/// A snapshot of the current format written again as format 2 wrote it: the same state,
/// each table's cells row after row, the version 2 and its checksum.
fn as_format_2(bytes: &[u8]) -> Vec<u8> {
    let snap: EngineSnap = postcard::from_bytes(&bytes[HEADER..]).expect("reads");
    let mut snap = snap;
    snap.store.tables = std::mem::take(&mut snap.store.tables).into_iter().map(|t| t.into_row_major()).collect();
    let body = postcard::to_stdvec(&snap).expect("writes");
    let mut out = MAGIC.to_vec();
    out.extend_from_slice(&ROW_MAJOR_FORMAT.to_le_bytes());
    out.extend_from_slice(&seal(ROW_MAJOR_FORMAT, &body).to_le_bytes());
    out.extend_from_slice(&body);
    out
}

#[test]
fn a_snapshot_of_format_2_restores_the_same_engine() {
    let (engine, program, workspace) = busy();
    let bytes = engine.snapshot();
    assert_eq!(bytes[8..12], SNAPSHOT_FORMAT.to_le_bytes());
    let old = as_format_2(&bytes);
    assert_ne!(old[HEADER..], bytes[HEADER..], "the cells are laid out otherwise");
    let by_hash = |hash: &str| (hash == program.hash).then(|| program.clone());
    let restored = Engine::restore(&old, workspace.clone(), &by_hash).expect("format 2 restores");
    // The same state: the next snapshot (of the current format) is the one taken before.
    assert_eq!(restored.snapshot(), bytes);
    // A current snapshot whose version is damaged into a 2 is refused, not misread.
    let mut damaged = bytes.clone();
    damaged[8..12].copy_from_slice(&ROW_MAJOR_FORMAT.to_le_bytes());
    assert_eq!(Engine::restore(&damaged, workspace, &by_hash).err(), Some(SnapshotError::Damaged));
}
