//! `play build`: compile a project to a bytecode program file, or print its disassembly.

use std::fmt::Write as _;

use play_compiler::program::{Code, Node, Program};
use play_runtime::jit::Scanning;
use play_runtime::vm::Tier;

use super::{to_stderr, to_stdout};
use crate::cli::BuildArgs;
use crate::compile::compile;
use crate::error::Error;
use crate::exit::Exit;

pub fn run(args: &BuildArgs) -> Result<Exit, Error> {
    let compiled = match compile(&args.path)? {
        Ok(c) => c,
        Err(exit) => return Ok(exit),
    };
    if args.dump {
        let mut text = compiled.program.disassemble();
        text.push_str(&native(&compiled.program));
        to_stdout(|out| out.write_all(text.as_bytes()))?;
        return Ok(Exit::Success);
    }
    let bytes = compiled.program.to_bytes();
    std::fs::write(&args.output, &bytes).map_err(|source| Error::Write { path: args.output.clone(), source })?;
    let p = &compiled.program;
    to_stderr(|out| {
        writeln!(
            out,
            "built {} ({} playbooks, {} segments and signals, {} templates, {} tests; program {})",
            args.output.display(),
            p.playbooks.len(),
            p.segments.len(),
            p.templates.len(),
            p.tests.len(),
            p.hash
        )
    });
    Ok(Exit::Success)
}

/// The dump's last section: how each condition runs — `native` (compiled by the JIT),
/// `predicate` (a predicate, the JIT off or unable) or `interpreted` (bytecode) — and,
/// for a scheduled playbook's compiled conditions, how its scan tests many records.
fn native(program: &Program) -> String {
    let tier = Tier::new(program);
    let mut codes: Vec<(String, &Code)> = Vec::new();
    for s in &program.segments {
        codes.push((format!("{} {}", if s.signal { "signal" } else { "segment" }, s.name), &s.value));
    }
    for pb in &program.playbooks {
        codes.extend(pb.conditions.iter().map(|c| (format!("playbook {} when", pb.name), c)));
        codes.extend(pb.exits.iter().map(|c| (format!("playbook {} exit when", pb.name), c)));
        for node in &pb.body {
            if let Node::Step(step) = node {
                codes.extend(step.filter.iter().map(|c| (format!("playbook {} step {} when", pb.name, step.name), c)));
            }
        }
    }
    let how = |c: &Code| match (tier.compiled(c), tier.get(c).is_some()) {
        (true, _) => "native",
        (false, true) => "predicate",
        (false, false) => "interpreted",
    };
    let count = codes.iter().filter(|(_, c)| tier.compiled(c)).count();
    let mut out = String::new();
    let state = if play_runtime::jit::enabled() { "on" } else { "off" };
    let _ = writeln!(out, "\nconditions: {count} of {} native (JIT {state})", codes.len());
    for (what, code) in codes {
        // A scheduled playbook's conditions are tested over every record at once.
        let scan = match tier.scanning(code) {
            Some(Scanning::SixteenAtOnce) => " (over many records: 16 at once)",
            Some(Scanning::RowByRow) => " (over many records: one at a time)",
            None => "",
        };
        let _ = writeln!(out, "  {:<11} {what}{scan}: {}", how(code), code.source);
    }
    out
}
