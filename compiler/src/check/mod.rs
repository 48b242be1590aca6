//! Name resolution and type checking of a whole project against CRM records: the
//! promise that a playbook that checks cannot fail at run time on a missing field, a
//! misspelt stage, a wrong type or an unhandled empty value.
//!
//! The steps: [`collect`] gathers every item of the project and the standard library
//! into one namespace and resolves record fields and types; then each item is checked
//! ([`expr`] for expressions, [`playbook`] and [`actions`] for playbooks, [`test_block`]
//! for tests) and [`warnings`] looks for what is unused or can never happen.

mod actions;
mod collect;
mod depth;
mod env;
mod expr;
pub mod functions;
pub mod model;
mod playbook;
mod test_block;
pub mod types;
mod variants;
mod visibility;
mod warnings;

use std::collections::HashSet;

use crate::diagnostic::Diagnostic;
use crate::syntax::ast::SourceFile;
use crate::syntax::Span;
use model::{FileId, Model, Origin};

/// One parsed file of the project.
pub struct Input<'a> {
    /// The name diagnostics use for the file (its path in the project).
    pub name: &'a str,
    pub source: &'a str,
    pub file: &'a SourceFile,
}

/// What checking a project found.
pub struct Checked<'a> {
    /// Diagnostics for each input file, in the order of the inputs, each list in source
    /// order.
    pub diagnostics: Vec<Vec<Diagnostic>>,
    pub model: Model<'a>,
    /// The type of every expression checked, for lowering.
    pub types: ExprTypes,
}

/// The type the checker found for each expression, by the expression's address in the
/// syntax tree the model borrows (so it is valid as long as the model is).
#[derive(Default)]
pub struct ExprTypes(std::collections::HashMap<usize, types::Ty>);

impl ExprTypes {
    fn record(&mut self, e: &crate::syntax::ast::Expr, ty: types::Ty) {
        self.0.insert(e as *const _ as usize, ty);
    }

    /// The type of `e`, which must be a node of the checked tree.
    pub fn of(&self, e: &crate::syntax::ast::Expr) -> Option<&types::Ty> {
        self.0.get(&(e as *const _ as usize))
    }
}

/// Checks a project: every file's items together with the standard library.
pub fn check<'a>(inputs: &[Input<'a>]) -> Checked<'a> {
    check_indexed(inputs).0
}

/// Checks a project and also returns what every name refers to, for editors. File
/// numbers in the index are the inputs' positions, then the standard library's files in
/// the order of [`crate::stdlib::parsed`].
pub fn check_indexed<'a>(inputs: &[Input<'a>]) -> (Checked<'a>, crate::analysis::index::Index) {
    let stdlib = crate::stdlib::parsed();
    let mut files: Vec<Input<'a>> =
        inputs.iter().map(|i| Input { name: i.name, source: i.source, file: i.file }).collect();
    files.extend(stdlib.iter().map(|(name, source, parse)| Input { name, source, file: &parse.file }));
    let mut checker = Checker {
        project_files: inputs.len(),
        diags: vec![Vec::new(); files.len()],
        files,
        model: Model::default(),
        used: HashSet::new(),
        segment_stack: Vec::new(),
        refs: Vec::new(),
        uses: std::collections::HashMap::new(),
        binding: None,
        index: crate::analysis::index::Index::default(),
        scope: Vec::new(),
        current_playbook: None,
        types: ExprTypes::default(),
    };
    checker.collect();
    checker.check_items();
    checker.check_visibility();
    checker.warn_unused();
    let mut diagnostics = checker.diags;
    diagnostics.truncate(inputs.len());
    for list in &mut diagnostics {
        list.sort_by_key(|d| (d.primary.span.start, d.primary.span.end));
        // Spans compare equal, so the position is compared by range.
        list.dedup_by(|a, b| a.code == b.code && a.message == b.message && a.span().range() == b.span().range());
    }
    let mut index = checker.index;
    index.finish();
    (Checked { diagnostics, model: checker.model, types: checker.types }, index)
}

pub(crate) struct Checker<'a> {
    files: Vec<Input<'a>>,
    /// How many of `files` are the project's; the rest are the standard library's.
    project_files: usize,
    diags: Vec<Vec<Diagnostic>>,
    model: Model<'a>,
    /// Names of the items something refers to, for the unused-item warning.
    used: HashSet<String>,
    /// Segments and signals whose type is being worked out, to find circles.
    segment_stack: Vec<usize>,
    /// Segments, signals and templates the item being checked uses, for visibility.
    refs: Vec<(String, Span)>,
    /// What each segment, signal and template uses by name, where (in its own file).
    uses: std::collections::HashMap<String, Vec<(String, Span)>>,
    /// The current playbook's subject name (`account`).
    binding: Option<String>,
    /// What every name refers to, for editors.
    index: crate::analysis::index::Index,
    /// Where the names bound in the item being checked are declared.
    scope: Vec<(String, Origin)>,
    /// The playbook being checked, for its steps' symbols.
    current_playbook: Option<String>,
    types: ExprTypes,
}

impl<'a> Checker<'a> {
    fn report(&mut self, file: FileId, diagnostic: Diagnostic) {
        if let Some(list) = self.diags.get_mut(file) {
            list.push(diagnostic);
        }
    }

    fn is_stdlib(&self, file: FileId) -> bool {
        file >= self.project_files
    }

    /// "in `stdlib/account.play` at line 12", for secondary places in other files.
    fn place(&self, origin: Origin) -> String {
        let Some(input) = self.files.get(origin.file) else { return String::new() };
        let line = crate::diagnostic::LineIndex::new(input.source).line_col(input.source, origin.span.start).line;
        format!("`{}` line {line}", input.name)
    }

    /// A secondary label when `origin` is in `file`, else the place in words.
    fn also(&self, file: FileId, d: Diagnostic, origin: Origin, label: &str) -> Diagnostic {
        if origin.file == file {
            d.with_secondary(origin.span, label)
        } else {
            let place = self.place(origin);
            let help = match &d.help {
                Some(h) => format!("{h}; {label}: {place}"),
                None => format!("{label}: {place}"),
            };
            d.with_help(help)
        }
    }

    fn origin(&self, file: FileId, span: Span) -> Origin {
        Origin { file, span }
    }

    /// Records a use of a symbol.
    fn note(&mut self, file: FileId, span: Span, symbol: crate::analysis::index::Symbol, ty: Option<types::Ty>) {
        self.index.refs.push(crate::analysis::index::Ref { file, span, symbol, ty });
    }

    /// Records a declaration.
    fn declare_symbol(&mut self, symbol: crate::analysis::index::Symbol, origin: Origin) {
        self.index.defs.entry(symbol).or_insert(origin);
    }

    /// Binds a name in the item being checked, declared at `span` in `file`.
    fn bind(&mut self, file: FileId, name: &str, span: Span) {
        let origin = self.origin(file, span);
        self.declare_symbol(crate::analysis::index::Symbol::Binding { file, at: span.start }, origin);
        self.scope.push((name.to_string(), origin));
    }

    /// The symbol of a bound name, if it is bound in the current item.
    fn bound(&self, name: &str) -> Option<crate::analysis::index::Symbol> {
        self.scope
            .iter()
            .rev()
            .find(|(n, _)| n == name)
            .map(|(_, o)| crate::analysis::index::Symbol::Binding { file: o.file, at: o.span.start })
    }
}

/// Parses and checks a project given as `(name, source)` pairs: every file's syntax
/// diagnostics followed by the checker's, one sorted list per file.
pub fn check_sources(sources: &[(&str, &str)]) -> Vec<Vec<Diagnostic>> {
    let parses: Vec<crate::Parse> = sources.iter().map(|(_, src)| crate::parse(src)).collect();
    let inputs: Vec<Input<'_>> =
        sources.iter().zip(&parses).map(|((name, source), p)| Input { name, source, file: &p.file }).collect();
    let checked = check(&inputs);
    parses
        .iter()
        .zip(sources)
        .zip(checked.diagnostics)
        .map(|((p, (_, source)), checker)| {
            let mut all = p.diagnostics.clone();
            all.extend(without_cascades(source, &p.diagnostics, checker));
            all.sort_by_key(|d| (d.primary.span.start, d.primary.span.end));
            all
        })
        .collect()
}

/// The checker's diagnostics, less those on a line that has a syntax error: what the
/// parser could not read there makes them guesses.
pub fn without_cascades(source: &str, syntax: &[Diagnostic], checker: Vec<Diagnostic>) -> Vec<Diagnostic> {
    if syntax.iter().all(|d| !d.is_error()) {
        return checker;
    }
    let index = crate::diagnostic::LineIndex::new(source);
    let line = |offset: usize| index.line_col(source, offset).line;
    let broken: Vec<(usize, usize)> =
        syntax.iter().filter(|d| d.is_error()).map(|d| (line(d.span().start), line(d.span().end))).collect();
    checker
        .into_iter()
        .filter(|d| {
            let l = line(d.span().start);
            !broken.iter().any(|(a, b)| *a <= l && l <= *b)
        })
        .collect()
}
