//! The compiler's diagnostics as LSP diagnostics: code, severity, the help line under the
//! message, secondary labels as related information, and the did-you-mean fix in `data`
//! (read back by [`crate::code_actions`]).

use play_compiler::diagnostic::codes;
use play_compiler::{Diagnostic, Severity};
use serde::{Deserialize, Serialize};
use tower_lsp::lsp_types::{
    self as lsp, DiagnosticRelatedInformation, DiagnosticSeverity, DiagnosticTag, NumberOrString, Range,
};

use crate::host::{Doc, Project};

/// A fix carried in a diagnostic's `data`: replace `range` (whose text was `old`) with
/// `new_text`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct FixData {
    pub title: String,
    pub range: Range,
    pub old: String,
    pub new_text: String,
}

/// The LSP diagnostics of one project file.
pub fn of_file(project: &Project, name: &str) -> Vec<lsp::Diagnostic> {
    let Some(doc) = project.doc(name) else { return Vec::new() };
    let url = project.url_of(name);
    project.analysis.diagnostics(name).iter().map(|d| to_lsp(&doc, url.as_ref(), d)).collect()
}

fn to_lsp(doc: &Doc<'_>, url: Option<&lsp::Url>, d: &Diagnostic) -> lsp::Diagnostic {
    let mut message = d.message.clone();
    if let Some(help) = &d.help {
        message.push_str("\nhelp: ");
        message.push_str(help);
    }
    let related = url.map(|uri| {
        d.secondary
            .iter()
            .map(|label| DiagnosticRelatedInformation {
                location: lsp::Location { uri: uri.clone(), range: doc.range(label.span) },
                message: label.message.clone(),
            })
            .collect::<Vec<_>>()
    });
    let data = d.fix.as_ref().and_then(|fix| {
        let old = doc.source.get(fix.span.range())?.to_string();
        let data = FixData {
            title: title(&old, &fix.replacement),
            range: doc.range(fix.span),
            old,
            new_text: fix.replacement.clone(),
        };
        serde_json::to_value(data).ok()
    });
    lsp::Diagnostic {
        range: doc.range(d.primary.span),
        severity: Some(match d.severity {
            Severity::Error => DiagnosticSeverity::ERROR,
            Severity::Warning => DiagnosticSeverity::WARNING,
        }),
        code: Some(NumberOrString::String(d.code.to_string())),
        code_description: None,
        source: Some("play".to_string()),
        message,
        related_information: related.filter(|r| !r.is_empty()),
        // Editors grey out unused code.
        tags: (d.code == codes::UNUSED).then(|| vec![DiagnosticTag::UNNECESSARY]),
        data,
    }
}

/// The code action's title for a fix.
fn title(old: &str, new: &str) -> String {
    match (old.is_empty(), new.is_empty()) {
        (true, _) => format!("Insert `{new}`"),
        (false, true) => format!("Remove `{old}`"),
        (false, false) => format!("Replace `{old}` with `{new}`"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fix_titles_say_what_changes() {
        assert_eq!(title("renwal", "renewal"), "Replace `renwal` with `renewal`");
        assert_eq!(title("", "}"), "Insert `}`");
        assert_eq!(title(",", ""), "Remove `,`");
    }

    #[test]
    fn fix_data_round_trips_through_json() {
        let range = Range::default();
        let data = FixData { title: "t".into(), range, old: "a".into(), new_text: "b".into() };
        let json = serde_json::to_value(&data).ok();
        let back: Option<FixData> = json.and_then(|j| serde_json::from_value(j).ok());
        assert_eq!(back, Some(data));
    }
}
