//! Builds the typed syntax tree from pest's pairs, one file per part of the language.
//! Text that the grammar's catch-all rules took is turned into error nodes here, each
//! with the diagnostic that `explain` words for it.

mod expr;
mod items;
mod playbook;
mod test_item;
mod text;

use pest::iterators::Pair;

use super::ast::{Doc, ErrorNode, Ident, Path, SourceFile};
use super::explain::{self, Block};
use super::grammar::Rule;
use super::Span;
use crate::diagnostic::{codes, Diagnostic};

pub(super) type P<'i> = Pair<'i, Rule>;

/// Builds one chunk of a file; spans are made absolute with `base`.
pub(super) struct Builder<'s> {
    pub src: &'s str,
    pub base: usize,
    pub diags: Vec<Diagnostic>,
    /// The chunk's comments as absolute `(start, end)`, sorted: spans are trimmed of them.
    pub comments: Vec<(usize, usize)>,
    /// How deep the expression being built will be at the current point; see `expr.rs`.
    pub expr_level: usize,
    /// Whether "too deep" was already reported for this chunk (once is enough).
    pub reported_deep: bool,
}

/// The children of a pair, comments left out (they are collected separately).
pub(super) fn kids(p: P<'_>) -> impl Iterator<Item = P<'_>> {
    p.into_inner().filter(|c| c.as_rule() != Rule::COMMENT)
}

impl<'s> Builder<'s> {
    /// A pair's span, without the whitespace and comments pest leaves at the end of a
    /// rule that ends in a repetition.
    pub fn span(&self, p: &P<'_>) -> Span {
        let s = p.as_span();
        let start = s.start() + self.base;
        let mut end = s.end() + self.base;
        loop {
            let text = &self.src[start..end];
            end = start + text.trim_end().len();
            // The last comment starting before `end`: if `end` falls inside it, cut it off.
            let i = self.comments.partition_point(|c| c.0 < end);
            match i.checked_sub(1).map(|i| self.comments[i]) {
                Some((c_start, c_end)) if c_start >= start && end <= c_end => end = c_start,
                _ => break,
            }
        }
        Span::new(start, end)
    }

    pub fn ident(&self, p: &P<'_>) -> Ident {
        Ident { name: p.as_str().to_string(), span: self.span(p) }
    }

    pub fn path(&self, p: P<'_>) -> Path {
        let span = self.span(&p);
        Path { segments: kids(p).map(|c| self.ident(&c)).collect(), span }
    }

    pub fn doc(&self, p: P<'_>) -> Doc {
        let span = self.span(&p);
        let lines = kids(p)
            .filter(|c| c.as_rule() == Rule::doc_line)
            .map(|c| c.as_str().trim_start_matches("///").trim_end().to_string())
            .collect();
        Doc { lines, span }
    }

    /// An error node for text a block's catch-all took; `prev` is the member before it.
    pub fn block_error(&mut self, p: &P<'_>, block: Block, prev: Option<Span>) -> ErrorNode {
        let span = trim_end(self.src, self.span(p));
        let prev = prev.filter(|prev| !self.src[prev.end..span.start].contains('\n'));
        self.diags.push(explain::explain(self.src, span, block, prev));
        ErrorNode { span }
    }

    pub fn error(&mut self, code: &'static str, msg: String, span: Span, label: &str) {
        self.diags.push(Diagnostic::error(code, msg, span, label));
    }

    /// Reports an option (`to`, `due`, …) given twice and keeps the first.
    pub fn once<T>(&mut self, slot: &mut Option<T>, value: T, what: &str, span: Span) {
        if slot.is_some() {
            self.diags.push(
                Diagnostic::error(codes::REPEATED_OPTION, format!("`{what}` is given twice"), span, "given again here")
                    .with_help(format!("keep one `{what}`")),
            );
        } else {
            *slot = Some(value);
        }
    }

    /// Builds a whole chunk (`file` rule) into `out`.
    pub fn file(&mut self, p: P<'_>, out: &mut SourceFile) {
        let mut prev = None;
        for c in kids(p) {
            match c.as_rule() {
                Rule::item_error => {
                    let node = self.block_error(&c, Block::File, prev);
                    out.errors.push(node);
                }
                Rule::EOI => {}
                _ => {
                    prev = Some(self.span(&c));
                    if let Some(item) = self.item(c) {
                        out.items.push(item);
                    }
                }
            }
        }
    }
}

/// Drops trailing whitespace from a span, so that errors point at text.
pub(super) fn trim_end(src: &str, span: Span) -> Span {
    let text = &src[span.range()];
    let trimmed = text.trim_end();
    if trimmed.is_empty() {
        return span;
    }
    Span::new(span.start, span.start + trimmed.len())
}
