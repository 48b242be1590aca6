//! The analysis API for editors: a project's files (unsaved buffers included) parsed and
//! checked once, then answered questions about positions — what is here, where is it
//! declared, what can be typed here. Offsets are bytes; the language server converts.
//!
//! Everything here reads the same parse and check that `play check` runs: there is no
//! second parser or checker.

mod complete;
pub(crate) mod index;
mod keyword;
mod outline;
mod query;
mod view;
pub mod words;

pub use complete::{Completion, CompletionKind};
pub use index::Symbol;
pub use outline::{FoldingRange, InlayHint, OutlineKind, OutlineSymbol, SemanticToken, TokenKind};
pub use query::{Edit, Hover, Location};

use std::borrow::Cow;

use crate::check::{self, Input};
use crate::diagnostic::Diagnostic;
use crate::syntax::{parse, Parse};

/// One file of the analysed project (or of the standard library, which is parsed once per
/// process and borrowed, not copied, by every analysis).
pub struct File {
    pub name: String,
    pub source: Cow<'static, str>,
    pub parse: Cow<'static, Parse>,
    /// Whether the file belongs to the standard library (read-only).
    pub stdlib: bool,
}

/// A project analysed as a whole.
pub struct Analysis {
    files: Vec<File>,
    diagnostics: Vec<Vec<Diagnostic>>,
    index: index::Index,
    view: view::ModelView,
}

impl Analysis {
    /// Parses and checks a project given as `(name, source)`; the standard library is
    /// added as read-only files named `stdlib/….play`.
    pub fn new(sources: Vec<(String, String)>) -> Analysis {
        let project = sources.len();
        let mut files: Vec<File> = sources
            .into_iter()
            .map(|(name, source)| {
                let parse = parse(&source);
                File { name, source: Cow::Owned(source), parse: Cow::Owned(parse), stdlib: false }
            })
            .collect();
        files.extend(crate::stdlib::parsed().iter().map(|(name, source, parse)| File {
            name: name.to_string(),
            source: Cow::Borrowed(*source),
            parse: Cow::Borrowed(parse),
            stdlib: true,
        }));
        let inputs: Vec<Input<'_>> =
            files[..project].iter().map(|f| Input { name: &f.name, source: &f.source, file: &f.parse.file }).collect();
        let (checked, index) = check::check_indexed(&inputs);
        let view = view::ModelView::new(&checked.model);
        let checked = checked.diagnostics;
        let mut diagnostics: Vec<Vec<Diagnostic>> = Vec::with_capacity(files.len());
        for (i, f) in files.iter().enumerate() {
            let mut all = f.parse.diagnostics.clone();
            if let Some(more) = checked.get(i) {
                all.extend(check::without_cascades(&f.source, &f.parse.diagnostics, more.clone()));
            }
            all.sort_by_key(|d| (d.primary.span.start, d.primary.span.end));
            diagnostics.push(if f.stdlib { Vec::new() } else { all });
        }
        drop(inputs);
        Analysis { files, diagnostics, index, view }
    }

    pub fn files(&self) -> &[File] {
        &self.files
    }

    pub fn file(&self, name: &str) -> Option<&File> {
        self.files.iter().find(|f| f.name == name)
    }

    fn model_view(&self) -> &view::ModelView {
        &self.view
    }

    fn file_id(&self, name: &str) -> Option<usize> {
        self.files.iter().position(|f| f.name == name)
    }

    /// The diagnostics of one of the project's files, in source order.
    pub fn diagnostics(&self, name: &str) -> &[Diagnostic] {
        self.file_id(name).and_then(|i| self.diagnostics.get(i)).map_or(&[], Vec::as_slice)
    }

    /// The file formatted canonically, if it has no syntax errors.
    pub fn format(&self, name: &str) -> Option<String> {
        let file = self.file(name)?;
        if file.parse.has_errors() {
            return None;
        }
        Some(crate::format::format_file(&file.parse.file, &file.source))
    }
}
