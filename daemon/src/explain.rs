//! `GET /v1/explain`: why a playbook did or did not enrol a record, as `play explain` says
//! it, from the engine's own trace. A second engine folds the whole journal with the trace
//! on (the live one never traced), so an explanation costs a replay of the journal: it is
//! for a person asking, not for a program polling.

use play_compiler::program::Program;
use play_runtime::value::moment_text;
use play_store::Store;
use serde::Serialize;

use crate::host::Host;
use crate::writer::stored_program;

/// What the engine saw of a playbook and a record.
#[derive(Debug, Serialize)]
pub struct Explanation {
    pub playbook: String,
    pub record: String,
    /// The playbook's triggers, as written.
    pub triggers: Vec<String>,
    /// Whether the record was ever in the changes.
    pub appeared: bool,
    /// Each change of the record that could fire the playbook, and what came of it.
    pub trace: Vec<Said>,
    /// `enrolled` or `never enrolled`.
    pub outcome: &'static str,
    /// The run history of the playbook for the record.
    pub history: Vec<Said>,
}

#[derive(Debug, Serialize)]
pub struct Said {
    pub at: String,
    pub says: String,
}

/// Folds the journal with a trace of `playbook` and the record `kind/id` (which the
/// caller has checked `program` has).
pub fn explain(
    store: &dyn Store,
    program: Program,
    playbook: &str,
    kind: &str,
    id: &str,
) -> Result<Explanation, String> {
    let record = program.schema.record_named(kind).ok_or_else(|| format!("there is no record type `{kind}`"))?;
    let triggers = program
        .playbook_named(playbook)
        .map(|p| program.playbooks[p].triggers.iter().map(|t| t.source.clone()).collect())
        .unwrap_or_default();
    let label = format!("{kind}/{id}");
    let mut host = Host::new(program);
    host.follow(playbook, record as u32, id);
    let mut history = Vec::new();
    let mut after = 0;
    loop {
        let chunk = store.read_journal(after, 10_000).map_err(|e| e.to_string())?;
        let Some(&(last, _)) = chunk.last() else { break };
        for (_, command) in &chunk {
            // A command that does not fold again was refused when it was first taken too.
            let _ = host.fold(command, &|hash| stored_program(store, hash));
        }
        let output = host.output();
        history.extend(output.history.into_iter().filter(|h| *h.playbook == *playbook && *h.record == *label));
        after = last;
    }
    let trace: Vec<Said> = host.traced().into_iter().map(|(at, says)| Said { at: moment_text(at), says }).collect();
    let enrolled = history.iter().any(|h| matches!(h.outcome, play_runtime::engine::Outcome::Enrolled { .. }));
    Ok(Explanation {
        playbook: playbook.into(),
        appeared: host.record_exists(record as u32, id) || !history.is_empty() || !trace.is_empty(),
        record: label,
        triggers,
        trace,
        outcome: if enrolled { "enrolled" } else { "never enrolled" },
        history: history.iter().map(|h| Said { at: moment_text(h.at), says: h.describe() }).collect(),
    })
}
