//! Diagnostics out: the same findings for people (`human`), for CI (`json`, `github`) and
//! for code-scanning tools (`sarif`). Spans become lines and columns only here.

pub mod github;
pub mod human;
pub mod json;
pub mod sarif;

use play_compiler::diagnostic::codes;
use play_compiler::diagnostic::{LineCol, LineIndex};
use play_compiler::syntax::Span;
use play_compiler::{Diagnostic, Severity};

use crate::project::{SourceFile, NOT_UTF8};

/// A project's files with the diagnostics found in each.
#[derive(Clone, Copy)]
pub struct Findings<'a> {
    files: &'a [SourceFile],
    diagnostics: &'a [Vec<Diagnostic>],
}

impl<'a> Findings<'a> {
    /// `diagnostics[i]` are the diagnostics of `files[i]`.
    pub fn new(files: &'a [SourceFile], diagnostics: &'a [Vec<Diagnostic>]) -> Self {
        debug_assert_eq!(files.len(), diagnostics.len());
        Findings { files, diagnostics }
    }

    /// Each file that has diagnostics, with them, in file order.
    pub fn by_file(self) -> impl Iterator<Item = (&'a SourceFile, &'a [Diagnostic])> {
        self.files.iter().zip(self.diagnostics).filter(|(_, d)| !d.is_empty()).map(|(f, d)| (f, d.as_slice()))
    }

    /// Every diagnostic, in file order.
    pub fn diagnostics(self) -> impl Iterator<Item = &'a Diagnostic> {
        self.diagnostics.iter().flatten()
    }

    pub fn file_count(self) -> usize {
        self.files.len()
    }

    pub fn counts(self) -> Counts {
        let mut counts = Counts::default();
        for diagnostic in self.diagnostics() {
            match diagnostic.severity {
                Severity::Error => counts.errors += 1,
                Severity::Warning => counts.warnings += 1,
            }
        }
        counts
    }
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Counts {
    pub errors: usize,
    pub warnings: usize,
}

impl Counts {
    /// Whether these counts make the command fail; `deny_warnings` counts warnings too.
    pub fn fail(self, deny_warnings: bool) -> bool {
        self.errors > 0 || (deny_warnings && self.warnings > 0)
    }
}

/// The first and last position of a span, both 1-based; the end is the position just
/// after the last character, as editors and SARIF count it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Range {
    pub start: LineCol,
    pub end: LineCol,
}

/// Lines and columns for spans in one file.
pub struct Locator<'a> {
    text: &'a str,
    index: LineIndex,
}

impl<'a> Locator<'a> {
    pub fn new(file: &'a SourceFile) -> Self {
        Locator { text: &file.text, index: LineIndex::new(&file.text) }
    }

    pub fn at(&self, offset: usize) -> LineCol {
        self.index.line_col(self.text, offset)
    }

    pub fn range(&self, span: Span) -> Range {
        Range { start: self.at(span.start), end: self.at(span.end) }
    }
}

/// A one-line description of what a code means, for tools that list rules.
pub fn summary(code: &str) -> &'static str {
    if code == NOT_UTF8 {
        return "file is not valid UTF-8";
    }
    codes::SYNTAX
        .iter()
        .chain(codes::CHECK)
        .chain(codes::SETTINGS)
        .find(|(c, _)| *c == code)
        .map_or("diagnostic", |(_, summary)| summary)
}

/// The message with its help line, for formats that have a single text per diagnostic.
pub fn message_with_help(diagnostic: &Diagnostic) -> String {
    match &diagnostic.help {
        Some(help) => format!("{}\nhelp: {help}", diagnostic.message),
        None => diagnostic.message.clone(),
    }
}

#[cfg(test)]
pub(crate) mod fixture {
    //! A small file with one diagnostic of every shape, shared by the format tests.

    use std::path::PathBuf;

    use play_compiler::syntax::Span;
    use play_compiler::{Diagnostic, Severity};

    use crate::project::SourceFile;

    pub fn files() -> Vec<SourceFile> {
        let text = "playbook renewal {\n  prority 10\n  when ça, 100% ok\n}\n".to_string();
        vec![SourceFile {
            path: PathBuf::from("p/renewal.play"),
            name: "p/renewal.play".into(),
            text,
            invalid_utf8: None,
            project: 0,
        }]
    }

    pub fn diagnostics() -> Vec<Vec<Diagnostic>> {
        let fix = Diagnostic::error("play::E0103", "unknown clause `prority`", Span::new(21, 28), "not a clause")
            .with_help("did you mean `priority`?")
            .with_fix(Span::new(21, 28), "priority")
            .with_secondary(Span::new(0, 8), "in this playbook");
        let mut warning = Diagnostic::error("play::E0101", "odd text: `ça, 100%`", Span::new(39, 48), "here");
        warning.severity = Severity::Warning;
        vec![vec![fix, warning]]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn warnings_fail_only_when_denied() {
        let warnings = Counts { errors: 0, warnings: 2 };
        assert!(!warnings.fail(false));
        assert!(warnings.fail(true));
        assert!(Counts { errors: 1, warnings: 0 }.fail(false));
        assert!(!Counts::default().fail(true));
    }

    #[test]
    fn every_syntax_code_has_a_summary() {
        for (code, _) in codes::SYNTAX.iter().chain(codes::SETTINGS) {
            assert_ne!(summary(code), "diagnostic", "{code}");
        }
        assert_eq!(summary(NOT_UTF8), "file is not valid UTF-8");
    }
}
