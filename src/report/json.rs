//! Diagnostics as the one JSON document INTERFACES.md specifies for
//! `play check --format json`.

use std::io::{self, Write};

use play_compiler::Diagnostic;
use serde::Serialize;

use super::{Findings, Locator, Range};

#[derive(Serialize)]
struct Document<'a> {
    diagnostics: Vec<JsonDiagnostic<'a>>,
    errors: usize,
    warnings: usize,
}

#[derive(Serialize)]
struct JsonDiagnostic<'a> {
    code: &'a str,
    severity: &'a str,
    message: &'a str,
    file: &'a str,
    span: JsonSpan,
    line: usize,
    column: usize,
    end_line: usize,
    end_column: usize,
    /// The primary label first, then the secondary ones.
    labels: Vec<JsonLabel<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    help: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    fix: Option<JsonFix<'a>>,
}

#[derive(Serialize)]
struct JsonSpan {
    start: usize,
    end: usize,
}

#[derive(Serialize)]
struct JsonLabel<'a> {
    message: &'a str,
    line: usize,
    column: usize,
}

#[derive(Serialize)]
struct JsonFix<'a> {
    replace: JsonRange,
    with: &'a str,
}

#[derive(Serialize)]
struct JsonRange {
    line: usize,
    column: usize,
    end_line: usize,
    end_column: usize,
}

impl From<Range> for JsonRange {
    fn from(range: Range) -> Self {
        JsonRange {
            line: range.start.line,
            column: range.start.column,
            end_line: range.end.line,
            end_column: range.end.column,
        }
    }
}

pub fn write(out: &mut dyn Write, findings: Findings<'_>) -> io::Result<()> {
    let counts = findings.counts();
    let mut diagnostics = Vec::new();
    for (file, list) in findings.by_file() {
        let locator = Locator::new(file);
        diagnostics.extend(list.iter().map(|d| convert(d, &file.name, &locator)));
    }
    let document = Document { diagnostics, errors: counts.errors, warnings: counts.warnings };
    serde_json::to_writer_pretty(&mut *out, &document)?;
    writeln!(out)
}

fn convert<'a>(diagnostic: &'a Diagnostic, file: &'a str, locator: &Locator<'_>) -> JsonDiagnostic<'a> {
    let range = locator.range(diagnostic.primary.span);
    let labels = std::iter::once(&diagnostic.primary)
        .chain(&diagnostic.secondary)
        .map(|label| {
            let at = locator.at(label.span.start);
            JsonLabel { message: &label.message, line: at.line, column: at.column }
        })
        .collect();
    JsonDiagnostic {
        code: diagnostic.code,
        severity: diagnostic.severity.as_str(),
        message: &diagnostic.message,
        file,
        span: JsonSpan { start: diagnostic.primary.span.start, end: diagnostic.primary.span.end },
        line: range.start.line,
        column: range.start.column,
        end_line: range.end.line,
        end_column: range.end.column,
        labels,
        help: diagnostic.help.as_deref(),
        fix: diagnostic
            .fix
            .as_ref()
            .map(|fix| JsonFix { replace: locator.range(fix.span).into(), with: &fix.replacement }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::fixture;

    #[test]
    fn document_has_positions_labels_help_and_fix() {
        let (files, diagnostics) = (fixture::files(), fixture::diagnostics());
        let mut out = Vec::new();
        write(&mut out, Findings::new(&files, &diagnostics)).unwrap();
        insta::assert_snapshot!(String::from_utf8(out).unwrap());
    }
}
