//! `play diff`: before deploying, what changed in each playbook between the program
//! running and the project, and what the deploy would do to each run in flight — the
//! changes replayed under the old program, then the new one put in place.

use std::path::Path;

use play_compiler::program::Program;
use play_runtime::engine::{Engine, Outcome};
use play_runtime::store::{MemoryStore, Store};

use super::replay::{engine, feed, Changes, Survey};
use super::to_stdout;
use crate::cli::{DiffArgs, DiffFormat};
use crate::compile::{compile, moment, Compiled};
use crate::diff::{self, Parts, PlaybookDiff, RunFate, Status};
use crate::error::Error;
use crate::exit::Exit;

pub fn run(args: &DiffArgs) -> Result<Exit, Error> {
    let new = match compile(&args.path)? {
        Ok(c) => c,
        Err(exit) => return Ok(exit),
    };
    let old = match compile(&args.against)? {
        Ok(c) => c,
        Err(exit) => return Ok(exit),
    };
    let mut playbooks = diff::playbooks(&old.program, &new.program);
    let mut rejected = 0;
    if let Some(changes) = &args.changes {
        let until = args.until.as_deref().map(|t| moment(t, &old.workspace)).transpose()?;
        let (fates, refused) = in_flight(&old, &new.program, changes, until)?;
        rejected = refused;
        for (name, fate) in fates {
            if let Some(pb) = playbooks.iter_mut().find(|p| p.playbook == name) {
                pb.runs.push(fate);
            }
        }
    }
    match args.format {
        DiffFormat::Human => to_stdout(|out| human(out, &playbooks, args.changes.is_some()))?,
        DiffFormat::Json => to_stdout(|out| {
            let counts = counts(&playbooks);
            let doc = serde_json::json!({
                "playbooks": playbooks,
                "runs": { "keep": counts[0], "migrate": counts[1], "cancel": counts[2] },
            });
            writeln!(out, "{}", serde_json::to_string_pretty(&doc).unwrap_or_default())
        })?,
    }
    Ok(Exit::problems_if(rejected > 0))
}

/// The runs in flight once the changes are replayed under the old program, each with what
/// putting the new program in place does to it (by the engine's own rules), by playbook
/// name; and how many change lines were refused.
fn in_flight(
    old: &Compiled,
    new: &Program,
    changes: &Path,
    until: Option<i64>,
) -> Result<(Vec<(String, RunFate)>, usize), Error> {
    let file = Changes::open(changes)?;
    let survey = Survey::take(&file, old, until)?;
    let mut engine = engine(old, survey.start);
    let rejected = feed(&mut engine, &file, &survey, changes, until, Vec::new(), |e| {
        e.take_actions();
    })?;
    let mut before = Vec::new();
    let mut ids = engine.store.all_active_runs();
    ids.sort_unstable();
    for id in ids {
        let Some(run) = engine.run(id) else { continue };
        let program = &old.program;
        let body = program.playbooks.get(run.playbook).map_or(&[][..], |p| &p.body[..]);
        let record = program.schema.records.get(run.record as usize).map_or("?", |r| r.name.as_str());
        before.push((
            id,
            run.playbook_name.to_string(),
            run.version.to_string(),
            format!("{record}/{}", run.record_id),
            diff::node_key(program, body, run.pc),
        ));
    }
    let history_from = engine.history.len();
    engine.reload(new.clone());
    let fates = before
        .into_iter()
        .map(|(id, playbook, version, record, at)| {
            let fate = fate(&engine, new, history_from, id, &playbook, &version);
            let (outcome, to, reason) = fate;
            (playbook, RunFate { record, run: id, at, outcome, to, reason })
        })
        .collect();
    Ok((fates, rejected))
}

/// What became of run `id` when the new program was put in place.
fn fate(
    engine: &Engine<MemoryStore>,
    new: &Program,
    history_from: usize,
    id: u64,
    playbook: &str,
    version: &str,
) -> (&'static str, Option<String>, String) {
    let ended = engine.history[history_from..].iter().rev().find_map(|h| match &h.outcome {
        Outcome::Cancelled { reason } | Outcome::Exited { reason } if h.run == Some(id) => Some(reason.clone()),
        _ => None,
    });
    let new_pb = new.playbook_named(playbook).map(|p| &new.playbooks[p]);
    match (engine.run(id).filter(|r| r.is_active()), new_pb) {
        (None, _) => ("cancel", None, ended.unwrap_or_else(|| "it ends".into())),
        (Some(_), None) => ("keep", None, "the playbook is removed: the run finishes on its version".into()),
        (Some(_), Some(pb)) if pb.version == version => ("keep", None, "the playbook is unchanged".into()),
        (Some(run), Some(pb)) if *run.version == *pb.version => {
            let to = diff::node_key(new, &pb.body, run.pc);
            ("migrate", Some(to), "the playbook changed (inflight migrate)".into())
        }
        (Some(_), Some(_)) => {
            ("keep", None, "the playbook changed (inflight keep): the run finishes on its version".into())
        }
    }
}

/// How many runs keep, migrate and cancel.
fn counts(playbooks: &[PlaybookDiff]) -> [usize; 3] {
    let mut counts = [0; 3];
    for fate in playbooks.iter().flat_map(|p| &p.runs) {
        match fate.outcome {
            "keep" => counts[0] += 1,
            "migrate" => counts[1] += 1,
            _ => counts[2] += 1,
        }
    }
    counts
}

fn human(out: &mut dyn std::io::Write, playbooks: &[PlaybookDiff], with_runs: bool) -> std::io::Result<()> {
    let mut unchanged = Vec::new();
    for pb in playbooks {
        let status = match pb.status {
            Status::Unchanged if pb.runs.is_empty() => {
                unchanged.push(pb.playbook.as_str());
                continue;
            }
            Status::Unchanged => "unchanged".to_string(),
            Status::Added => "added".to_string(),
            Status::Removed => "removed (its runs in flight finish on the old version)".to_string(),
            Status::Changed => format!("changed (inflight {})", pb.inflight),
        };
        writeln!(out, "playbook {}: {status}", pb.playbook)?;
        parts(out, "triggers", &pb.triggers)?;
        parts(out, "conditions", &pb.conditions)?;
        parts(out, "exits", &pb.exits)?;
        parts(out, "steps", &pb.steps)?;
        for s in &pb.settings {
            writeln!(out, "  {:<11}{}: `{}` → `{}`", "settings", s.setting, s.old, s.new)?;
        }
        let mut label = "in flight";
        for f in &pb.runs {
            let to = f.to.as_ref().map(|t| format!(" to {t}")).unwrap_or_default();
            writeln!(out, "  {label:<11}{} (run {}, at {}): {}{to}: {}", f.record, f.run, f.at, f.outcome, f.reason)?;
            label = "";
        }
    }
    if !unchanged.is_empty() {
        writeln!(out, "unchanged: {}", unchanged.join(", "))?;
    }
    if with_runs {
        let [keep, migrate, cancel] = counts(playbooks);
        writeln!(out, "runs in flight: {keep} keep, {migrate} migrate, {cancel} cancel")?;
    }
    Ok(())
}

/// `  steps      + step escalate` lines: added, changed, removed.
fn parts(out: &mut dyn std::io::Write, label: &str, parts: &Parts) -> std::io::Result<()> {
    let mut label = label;
    let marked = parts
        .added
        .iter()
        .map(|t| ('+', t))
        .chain(parts.changed.iter().map(|t| ('~', t)))
        .chain(parts.removed.iter().map(|t| ('-', t)));
    for (mark, text) in marked {
        writeln!(out, "  {label:<11}{mark} {text}")?;
        label = "";
    }
    Ok(())
}
