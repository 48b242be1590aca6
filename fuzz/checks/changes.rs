//! Fuzzes change lines through the engine: any bytes, read as lines and fed to an engine
//! running the customer-success example, are refused or taken, never a panic.
//!
//! Shared by the fuzz target of the same name and by the workspace's
//! `tests/fuzz_regressions.rs`, which runs every kept input through it.

use std::sync::OnceLock;

use play_compiler::program::Program;
use play_runtime::change::parse_change;
use play_runtime::config::Workspace;
use play_runtime::engine::Engine;
use play_runtime::store::MemoryStore;

const EXAMPLE: &[(&str, &str)] = &[
    ("schema.play", include_str!("../../examples/customer-success/schema.play")),
    ("segments.play", include_str!("../../examples/customer-success/segments.play")),
    ("templates.play", include_str!("../../examples/customer-success/templates.play")),
    ("limits.play", include_str!("../../examples/customer-success/limits.play")),
    ("health.play", include_str!("../../examples/customer-success/health.play")),
    ("onboarding.play", include_str!("../../examples/customer-success/onboarding.play")),
    ("relationships.play", include_str!("../../examples/customer-success/relationships.play")),
    ("renewals.play", include_str!("../../examples/customer-success/renewals.play")),
    ("sync.play", include_str!("../../examples/customer-success/sync.play")),
];

fn program() -> &'static Program {
    static PROGRAM: OnceLock<Program> = OnceLock::new();
    PROGRAM.get_or_init(|| play_compiler::lower::build(EXAMPLE).expect("the example builds"))
}

/// One input: it must not panic (and, where said, hold the properties above).
pub fn check(data: &[u8]) {
    let program = program();
    let workspace = Workspace::default();
    let store = MemoryStore::new(program.schema.records.len());
    let mut engine = Engine::new(program.clone(), workspace.clone(), store, 0);
    let text = String::from_utf8_lossy(data);
    for line in text.lines().take(64) {
        if let Ok(change) = parse_change(line, program, &workspace) {
            if change.at >= engine.now() {
                let at = change.at;
                let _ = engine.ingest(change);
                engine.advance_to(at.saturating_add(86_400 * 40));
            }
        }
        engine.take_actions();
    }
}
