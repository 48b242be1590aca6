//! Diagnostics as a SARIF 2.1.0 log, the format code-scanning tools (GitHub code scanning
//! among them) read: one run, one rule per code used, one result per diagnostic.

use std::collections::BTreeSet;
use std::io::{self, Write};

use play_compiler::{Diagnostic, Severity};
use serde::Serialize;

use super::{message_with_help, summary, Findings, Locator, Range};

const SCHEMA: &str = "https://json.schemastore.org/sarif-2.1.0.json";

#[derive(Serialize)]
struct Log {
    #[serde(rename = "$schema")]
    schema: &'static str,
    version: &'static str,
    runs: Vec<Run>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Run {
    tool: Tool,
    /// Our columns count Unicode scalar values; SARIF's default is UTF-16 code units.
    column_kind: &'static str,
    results: Vec<SarifResult>,
}

#[derive(Serialize)]
struct Tool {
    driver: Driver,
}

#[derive(Serialize)]
struct Driver {
    name: &'static str,
    version: &'static str,
    rules: Vec<Rule>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Rule {
    id: String,
    short_description: Text,
}

#[derive(Serialize)]
struct Text {
    text: String,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct SarifResult {
    rule_id: String,
    rule_index: usize,
    level: &'static str,
    message: Text,
    locations: Vec<Location>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    related_locations: Vec<Location>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    fixes: Vec<Fix>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Location {
    #[serde(skip_serializing_if = "Option::is_none")]
    id: Option<usize>,
    physical_location: PhysicalLocation,
    message: Text,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct PhysicalLocation {
    artifact_location: ArtifactLocation,
    region: Region,
}

#[derive(Serialize)]
struct ArtifactLocation {
    uri: String,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Region {
    start_line: usize,
    start_column: usize,
    end_line: usize,
    end_column: usize,
}

impl From<Range> for Region {
    fn from(range: Range) -> Self {
        Region {
            start_line: range.start.line,
            start_column: range.start.column,
            end_line: range.end.line,
            end_column: range.end.column,
        }
    }
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Fix {
    description: Text,
    artifact_changes: Vec<ArtifactChange>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ArtifactChange {
    artifact_location: ArtifactLocation,
    replacements: Vec<Replacement>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Replacement {
    deleted_region: Region,
    inserted_content: Text,
}

pub fn write(out: &mut dyn Write, findings: Findings<'_>) -> io::Result<()> {
    let codes: Vec<&str> = findings.diagnostics().map(|d| d.code).collect::<BTreeSet<_>>().into_iter().collect();
    let rules = codes
        .iter()
        .map(|code| Rule { id: code.to_string(), short_description: Text { text: summary(code).to_string() } })
        .collect();
    let mut results = Vec::new();
    for (file, diagnostics) in findings.by_file() {
        let locator = Locator::new(file);
        let uri = uri(&file.name);
        for diagnostic in diagnostics {
            let rule_index = codes.binary_search(&diagnostic.code).unwrap_or_default();
            results.push(result(diagnostic, rule_index, &uri, &locator));
        }
    }
    let driver = Driver { name: "play", version: env!("CARGO_PKG_VERSION"), rules };
    let run = Run { tool: Tool { driver }, column_kind: "unicodeCodePoints", results };
    let log = Log { schema: SCHEMA, version: "2.1.0", runs: vec![run] };
    serde_json::to_writer_pretty(&mut *out, &log)?;
    writeln!(out)
}

fn result(diagnostic: &Diagnostic, rule_index: usize, uri: &str, locator: &Locator<'_>) -> SarifResult {
    let location = |id, span, message: &str| Location {
        id,
        physical_location: PhysicalLocation {
            artifact_location: ArtifactLocation { uri: uri.to_string() },
            region: locator.range(span).into(),
        },
        message: Text { text: message.to_string() },
    };
    let fixes = diagnostic.fix.iter().map(|fix| Fix {
        description: Text {
            text: diagnostic.help.clone().unwrap_or_else(|| format!("replace with `{}`", fix.replacement)),
        },
        artifact_changes: vec![ArtifactChange {
            artifact_location: ArtifactLocation { uri: uri.to_string() },
            replacements: vec![Replacement {
                deleted_region: locator.range(fix.span).into(),
                inserted_content: Text { text: fix.replacement.clone() },
            }],
        }],
    });
    SarifResult {
        rule_id: diagnostic.code.to_string(),
        rule_index,
        level: match diagnostic.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
        },
        message: Text { text: message_with_help(diagnostic) },
        locations: vec![location(None, diagnostic.primary.span, &diagnostic.primary.message)],
        related_locations: (diagnostic.secondary.iter().enumerate())
            .map(|(i, label)| location(Some(i), label.span, &label.message))
            .collect(),
        fixes: fixes.collect(),
    }
}

/// A file name as a URI reference: relative names stay relative (to the folder `play`
/// ran in), absolute ones become `file:` URIs; characters outside the unreserved set are
/// percent-encoded.
fn uri(name: &str) -> String {
    let mut encoded = String::with_capacity(name.len());
    for byte in name.bytes() {
        if byte.is_ascii_alphanumeric() || b"-._~/".contains(&byte) {
            encoded.push(byte as char);
        } else {
            encoded.push_str(&format!("%{byte:02X}"));
        }
    }
    let bytes = name.as_bytes();
    let windows_drive = bytes.len() >= 2 && bytes[0].is_ascii_alphabetic() && bytes[1] == b':';
    if name.starts_with('/') {
        format!("file://{encoded}")
    } else if windows_drive {
        // Keep the drive's colon, which `file:` URIs write as it is.
        format!("file:///{}:{}", &name[..1], &encoded[4..])
    } else {
        encoded
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::fixture;

    #[test]
    fn log_has_rules_results_related_locations_and_fixes() {
        let (files, diagnostics) = (fixture::files(), fixture::diagnostics());
        let mut out = Vec::new();
        write(&mut out, Findings::new(&files, &diagnostics)).unwrap();
        let text = String::from_utf8(out).unwrap().replace(env!("CARGO_PKG_VERSION"), "[version]");
        insta::assert_snapshot!(text);
    }

    #[test]
    fn uris_are_relative_or_file_uris_and_percent_encoded() {
        assert_eq!(uri("playbooks/my renewal.play"), "playbooks/my%20renewal.play");
        assert_eq!(uri("/srv/a.play"), "file:///srv/a.play");
        assert_eq!(uri("C:/p/a.play"), "file:///C:/p/a.play");
    }
}
