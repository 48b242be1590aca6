//! Fuzzes program files: any bytes that read as a program are given the hash of their
//! content (the hash is no signature: anyone can recompute it) and loaded; what loads runs
//! its tests and a few changes far into simulated time, never a panic. Seed it with the
//! built examples (`play build examples/<name> -o fuzz/corpus/program_load/<name>.playc`).
//!
//! Shared by the fuzz target of the same name and by the workspace's
//! `tests/fuzz_regressions.rs`, which runs every kept input through it.

use play_compiler::program::Program;
use play_runtime::change::parse_change;
use play_runtime::config::Workspace;
use play_runtime::engine::Engine;
use play_runtime::store::MemoryStore;

/// Changes for the examples' schemas; lines another schema refuses are skipped.
const CHANGES: &str = include_str!("../../tests/fixtures/replay/renewal_health_falls.jsonl");

/// One input: it must not panic (and, where said, hold the properties above).
pub fn check(data: &[u8]) {
    let Ok(mut program) = serde_json::from_slice::<Program>(data) else { return };
    program.hash = program.content_hash();
    let Ok(program) = Program::from_bytes(&program.to_bytes()) else { return };
    let workspace = Workspace::default();
    let _ = play_runtime::testing::run_all(&program, &workspace);
    let store = MemoryStore::new(program.schema.records.len());
    let mut engine = Engine::new(program.clone(), workspace.clone(), store, 1_772_000_000);
    engine.keep_history = false;
    for line in CHANGES.lines() {
        if let Ok(change) = parse_change(line, &program, &workspace) {
            if change.at >= engine.now() {
                let _ = engine.ingest(change);
            }
        }
        engine.take_actions();
    }
    engine.advance_to(engine.now().saturating_add(86_400 * 400));
    engine.take_actions();
}
