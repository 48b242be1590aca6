//! Diagnostics for people: miette's drawing of each one, and a closing summary line.

use std::io::{self, IsTerminal, Write};

use play_compiler::diagnostic::render::{render, Style};
use play_compiler::Diagnostic;

use super::{Counts, Findings};
use crate::project::SourceFile;

/// Colour when stderr is a terminal and `NO_COLOR` (https://no-color.org) is unset or empty.
pub fn stderr_style() -> Style {
    let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
    if io::stderr().is_terminal() && !no_color {
        Style::Color
    } else {
        Style::Plain
    }
}

pub fn write(out: &mut dyn Write, findings: Findings<'_>, style: Style) -> io::Result<()> {
    for (file, diagnostics) in findings.by_file() {
        write_file(out, file, diagnostics, style)?;
    }
    Ok(())
}

/// The diagnostics of one file.
pub fn write_file(out: &mut dyn Write, file: &SourceFile, diagnostics: &[Diagnostic], style: Style) -> io::Result<()> {
    for diagnostic in diagnostics {
        out.write_all(render(diagnostic, &file.name, &file.text, style).as_bytes())?;
        writeln!(out)?;
    }
    Ok(())
}

/// `checked 12 files: 2 errors, 1 warning`, or `checked 12 files: no problems`.
pub fn summary(files: usize, counts: Counts) -> String {
    let mut problems = Vec::new();
    if counts.errors > 0 {
        problems.push(plural(counts.errors, "error", "errors"));
    }
    if counts.warnings > 0 {
        problems.push(plural(counts.warnings, "warning", "warnings"));
    }
    let problems = if problems.is_empty() { "no problems".to_string() } else { problems.join(", ") };
    format!("checked {}: {problems}", plural(files, "file", "files"))
}

pub fn plural(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::fixture;

    #[test]
    fn summary_counts_each_kind_and_agrees_in_number() {
        assert_eq!(summary(12, Counts { errors: 2, warnings: 1 }), "checked 12 files: 2 errors, 1 warning");
        assert_eq!(summary(1, Counts { errors: 0, warnings: 3 }), "checked 1 file: 3 warnings");
        assert_eq!(summary(0, Counts::default()), "checked 0 files: no problems");
    }

    #[test]
    fn every_diagnostic_is_drawn_against_its_source() {
        let (files, diagnostics) = (fixture::files(), fixture::diagnostics());
        let mut out = Vec::new();
        write(&mut out, Findings::new(&files, &diagnostics), Style::Plain).unwrap();
        insta::assert_snapshot!(String::from_utf8(out).unwrap());
    }
}
