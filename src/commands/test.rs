//! `play test`: run every `test` block in simulated time and report as people, JSON or
//! JUnit want it.

use std::io::{self, Write};

use play_runtime::testing::{self, TestResult};

use super::{to_stderr, to_stdout};
use crate::cli::{TestArgs, TestFormat};
use crate::compile::{compile, Compiled};
use crate::error::Error;
use crate::exit::Exit;
use crate::report::human::plural;

pub fn run(args: &TestArgs) -> Result<Exit, Error> {
    let compiled = match compile(&args.path)? {
        Ok(c) => c,
        Err(exit) => return Ok(exit),
    };
    let mut program = compiled.program.clone();
    if let Some(filter) = &args.filter {
        program.tests.retain(|t| t.name.contains(filter.as_str()));
    }
    let results = testing::run_all(&program, &compiled.workspace);
    let failed = results.iter().filter(|r| !r.passed()).count();
    match args.format {
        TestFormat::Human => to_stderr(|out| human(out, &compiled, &results, args.history)),
        TestFormat::Json => to_stdout(|out| json(out, &compiled, &results))?,
        TestFormat::Junit => to_stdout(|out| junit(out, &compiled, &results))?,
    }
    if args.format != TestFormat::Human {
        to_stderr(|out| writeln!(out, "{}", summary(&results)));
    }
    Ok(Exit::problems_if(failed > 0))
}

fn summary(results: &[TestResult]) -> String {
    let failed = results.iter().filter(|r| !r.passed()).count();
    format!("{}: {} passed, {} failed", plural(results.len(), "test", "tests"), results.len() - failed, failed)
}

/// `file:line:column` of a span.
fn place(compiled: &Compiled, span: play_compiler::program::SrcSpan) -> (&str, usize, usize) {
    compiled.program.place(span)
}

fn human(out: &mut dyn Write, compiled: &Compiled, results: &[TestResult], history: bool) -> io::Result<()> {
    for r in results {
        let (file, line, _) = place(compiled, r.span);
        if r.passed() {
            writeln!(out, "ok      {} ({file}:{line})", r.name)?;
            continue;
        }
        writeln!(out, "FAILED  {} ({file}:{line})", r.name)?;
        for f in &r.failures {
            let (file, line, column) = place(compiled, f.span);
            writeln!(out, "  {file}:{line}:{column}: {}", f.message)?;
            if !f.produced.is_empty() {
                writeln!(out, "    produced instead:")?;
                for p in &f.produced {
                    writeln!(out, "      {p}")?;
                }
            }
        }
        if history {
            writeln!(out, "  run history:")?;
            for h in &r.history {
                let at = play_runtime::value::moment_text(h.at);
                writeln!(out, "    {at}  {} {}  {}", h.playbook, h.record, h.describe())?;
            }
        }
    }
    writeln!(out, "{}", summary(results))
}

fn json(out: &mut dyn Write, compiled: &Compiled, results: &[TestResult]) -> io::Result<()> {
    let tests: Vec<serde_json::Value> = results
        .iter()
        .map(|r| {
            let (file, line, _) = place(compiled, r.span);
            let failures: Vec<serde_json::Value> = r
                .failures
                .iter()
                .map(|f| {
                    let (file, line, column) = place(compiled, f.span);
                    serde_json::json!({ "file": file, "line": line, "column": column, "message": f.message, "produced": f.produced })
                })
                .collect();
            serde_json::json!({ "name": r.name, "file": file, "line": line, "passed": r.passed(), "failures": failures })
        })
        .collect();
    let failed = results.iter().filter(|r| !r.passed()).count();
    let doc = serde_json::json!({ "tests": tests, "passed": results.len() - failed, "failed": failed });
    writeln!(out, "{}", serde_json::to_string_pretty(&doc).unwrap_or_default())
}

fn xml(text: &str) -> String {
    text.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}

fn junit(out: &mut dyn Write, compiled: &Compiled, results: &[TestResult]) -> io::Result<()> {
    let failed = results.iter().filter(|r| !r.passed()).count();
    writeln!(out, r#"<?xml version="1.0" encoding="UTF-8"?>"#)?;
    writeln!(out, r#"<testsuites name="play" tests="{}" failures="{failed}">"#, results.len())?;
    writeln!(out, r#"  <testsuite name="play test" tests="{}" failures="{failed}">"#, results.len())?;
    for r in results {
        let (file, line, _) = place(compiled, r.span);
        let head = format!(
            r#"    <testcase name="{}" classname="{}" file="{}" line="{line}""#,
            xml(&r.name),
            xml(&file),
            xml(&file)
        );
        if r.passed() {
            writeln!(out, "{head}/>")?;
            continue;
        }
        writeln!(out, "{head}>")?;
        for f in &r.failures {
            let (file, line, column) = place(compiled, f.span);
            let body = if f.produced.is_empty() {
                String::new()
            } else {
                format!("produced instead:\n{}", f.produced.join("\n"))
            };
            writeln!(
                out,
                r#"      <failure message="{}" type="expectation">{file}:{line}:{column}&#10;{}</failure>"#,
                xml(&f.message),
                xml(&body)
            )?;
        }
        writeln!(out, "    </testcase>")?;
    }
    writeln!(out, "  </testsuite>")?;
    writeln!(out, "</testsuites>")
}
