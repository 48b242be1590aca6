//! Diagnostics as GitHub Actions workflow commands: one `::error` or `::warning` line per
//! diagnostic, which the Actions log shows as an annotation on the file and line.

use std::io::{self, Write};

use play_compiler::Severity;

use super::{message_with_help, Findings, Locator};

pub fn write(out: &mut dyn Write, findings: Findings<'_>) -> io::Result<()> {
    for (file, diagnostics) in findings.by_file() {
        let locator = Locator::new(file);
        for diagnostic in diagnostics {
            let range = locator.range(diagnostic.primary.span);
            let command = match diagnostic.severity {
                Severity::Error => "error",
                Severity::Warning => "warning",
            };
            writeln!(
                out,
                "::{command} file={},line={},col={},endLine={},endColumn={},title={}::{}",
                property(&file.name),
                range.start.line,
                range.start.column,
                range.end.line,
                range.end.column,
                property(diagnostic.code),
                data(&message_with_help(diagnostic)),
            )?;
        }
    }
    Ok(())
}

/// Escapes a command's message, as GitHub's toolkit does (`escapeData`).
fn data(text: &str) -> String {
    text.replace('%', "%25").replace('\r', "%0D").replace('\n', "%0A")
}

/// Escapes a property value, which also must not contain the separators `:` and `,`
/// (`escapeProperty`).
fn property(text: &str) -> String {
    data(text).replace(':', "%3A").replace(',', "%2C")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::fixture;

    #[test]
    fn one_annotation_per_diagnostic() {
        let (files, diagnostics) = (fixture::files(), fixture::diagnostics());
        let mut out = Vec::new();
        write(&mut out, Findings::new(&files, &diagnostics)).unwrap();
        insta::assert_snapshot!(String::from_utf8(out).unwrap());
    }

    #[test]
    fn separators_are_escaped_in_properties_and_newlines_in_data() {
        assert_eq!(property("a,b:c%"), "a%2Cb%3Ac%25");
        assert_eq!(data("a: b,\r\nc%"), "a: b,%0D%0Ac%25");
    }
}
