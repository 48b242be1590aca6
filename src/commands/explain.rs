//! `play explain`: why a playbook did or did not enrol a record, step by step, from the
//! engine's own trace of the changes.

use std::sync::Arc;

use play_runtime::engine::{Outcome, Trace};

use super::replay::{engine, feed, Changes, Survey};
use super::to_stdout;
use crate::cli::ExplainArgs;
use crate::compile::{compile, moment};
use crate::error::Error;
use crate::exit::Exit;

pub fn run(args: &ExplainArgs) -> Result<Exit, Error> {
    let compiled = match compile(&args.path)? {
        Ok(c) => c,
        Err(exit) => return Ok(exit),
    };
    let program = &compiled.program;
    let Some((ty, id)) = args.record.split_once('/').filter(|(ty, id)| !ty.is_empty() && !id.trim().is_empty()) else {
        let clipped = play_runtime::change::clip(&args.record);
        return Err(Error::Usage(format!("`{clipped}` is not a record: write it as Type/id, e.g. Account/acme")));
    };
    let Some(record) = program.schema.record_named(ty) else {
        let names: Vec<&str> = program.schema.records.iter().map(|r| r.name.as_str()).collect();
        let hint = play_compiler::suggest::closest(ty, names.iter().copied())
            .map(|b| format!(": did you mean `{b}`?"))
            .unwrap_or_default();
        return Err(Error::Usage(format!("there is no record type `{}`{hint}", play_runtime::change::clip(ty))));
    };
    let Some(p) = program.playbook_named(&args.playbook) else {
        let names: Vec<&str> = program.playbooks.iter().map(|p| p.name.as_str()).collect();
        let hint = play_compiler::suggest::closest(&args.playbook, names.iter().copied())
            .map(|b| format!(": did you mean `{b}`?"))
            .unwrap_or_default();
        return Err(Error::Usage(format!("there is no playbook `{}`{hint}", args.playbook)));
    };
    let pb = &program.playbooks[p];
    if pb.subject != record {
        return Err(Error::Usage(format!(
            "the playbook `{}` is about {} records, not {ty}",
            pb.name, program.schema.records[pb.subject].name
        )));
    }
    let until = args.until.as_deref().map(|t| moment(t, &compiled.workspace)).transpose()?;
    let changes = Changes::open(&args.changes)?;
    let survey = Survey::take(&changes, &compiled, until)?;
    let mut engine = engine(&compiled, survey.start);
    engine.trace =
        Some(Trace { playbook: pb.name.clone(), record: record as u32, id: Arc::from(id), lines: Vec::new() });
    let rejected = feed(&mut engine, &changes, &survey, &args.changes, until, Vec::new(), |e| {
        e.take_settled_actions();
    })?;
    let label = format!("{ty}/{id}");
    let trace = engine.trace.take().map(|t| t.lines).unwrap_or_default();
    let history: Vec<_> = engine.history.iter().filter(|h| *h.playbook == *pb.name && *h.record == *label).collect();
    let exists = engine.store_record_exists(record as u32, id);
    to_stdout(|out| {
        writeln!(out, "{} and {label}", pb.name)?;
        if !exists && history.is_empty() && trace.is_empty() {
            writeln!(out, "  {label} never appeared in the changes")?;
        }
        let triggers: Vec<&str> = pb.triggers.iter().map(|t| t.source.as_str()).collect();
        writeln!(out, "  triggers: {}", triggers.join(" or "))?;
        if trace.is_empty() {
            writeln!(out, "  no change to {label} could fire this playbook")?;
        }
        for (at, line) in &trace {
            writeln!(out, "  {}  {line}", play_runtime::value::moment_text(*at))?;
        }
        let enrolled = history.iter().any(|h| matches!(h.outcome, Outcome::Enrolled { .. }));
        writeln!(out, "  outcome: {}", if enrolled { "enrolled" } else { "never enrolled" })?;
        for h in &history {
            writeln!(out, "    {}  {}", play_runtime::value::moment_text(h.at), h.describe())?;
        }
        Ok(())
    })?;
    Ok(Exit::problems_if(rejected > 0))
}
