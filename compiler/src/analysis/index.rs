//! What every name in a project refers to: the checker records each resolved name (a
//! reference) and each declaration, and queries look them up by position.

use std::collections::HashMap;

use crate::check::model::Origin;
use crate::check::types::Ty;
use crate::syntax::Span;

/// Something a name can stand for.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Symbol {
    /// An item: a record, enum, event, segment, signal, template, limit or playbook.
    Item(String),
    /// A field of a record or an event (`owner` is the record's or event's name).
    Field { owner: String, name: String },
    /// A variant of an enum.
    Variant { owner: String, name: String },
    /// A name bound by a declaration (`for account: Account`, a test's `given … acme`),
    /// identified by where that declaration is.
    Binding { file: usize, at: usize },
    /// A built-in function.
    Function(String),
    /// A step, stage or activity of a playbook.
    Step { playbook: String, name: String },
}

/// One use of a name.
#[derive(Clone, Debug)]
pub struct Ref {
    pub file: usize,
    pub span: Span,
    pub symbol: Symbol,
    /// The type of the value the name gives, where it is a value.
    pub ty: Option<Ty>,
}

#[derive(Clone, Debug, Default)]
pub struct Index {
    /// Every use, sorted by file and position once checking is done.
    pub refs: Vec<Ref>,
    /// Where each symbol is declared.
    pub defs: HashMap<Symbol, Origin>,
}

impl Index {
    pub fn finish(&mut self) {
        self.refs.sort_by_key(|r| (r.file, r.span.start, r.span.end));
        self.refs.dedup_by(|a, b| a.file == b.file && a.span.range() == b.span.range());
    }

    /// The use at a position: the innermost (shortest) reference whose span holds it.
    pub fn at(&self, file: usize, offset: usize) -> Option<&Ref> {
        let first = self.refs.partition_point(|r| r.file < file);
        self.refs[first..]
            .iter()
            .take_while(|r| r.file == file && r.span.start <= offset)
            .filter(|r| r.span.start <= offset && offset <= r.span.end)
            .min_by_key(|r| r.span.len())
    }

    /// The declaration at a position, if a declaration's name is there.
    pub fn def_at(&self, file: usize, offset: usize) -> Option<(&Symbol, &Origin)> {
        self.defs.iter().find(|(_, o)| o.file == file && o.span.start <= offset && offset <= o.span.end)
    }

    /// Every use of a symbol.
    pub fn uses<'a>(&'a self, symbol: &'a Symbol) -> impl Iterator<Item = &'a Ref> + 'a {
        self.refs.iter().filter(move |r| &r.symbol == symbol)
    }
}
