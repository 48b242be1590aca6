//! The shape of a file for an editor: its symbols (playbooks → steps, stages →
//! activities, records → fields), semantic tokens, folding ranges and inlay hints.

use super::index::Symbol;
use super::Analysis;
use crate::check::types::Ty;
use crate::syntax::ast::*;
use crate::syntax::Span;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OutlineKind {
    Playbook,
    Step,
    Stage,
    Activity,
    Record,
    Field,
    Enum,
    Variant,
    Event,
    Segment,
    Signal,
    Template,
    Limit,
    Test,
}

/// A symbol of the outline: its whole extent (`span`) and its name (`selection`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OutlineSymbol {
    pub name: String,
    pub detail: Option<String>,
    pub kind: OutlineKind,
    pub span: Span,
    pub selection: Span,
    pub children: Vec<OutlineSymbol>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TokenKind {
    Keyword,
    Type,
    EnumMember,
    Property,
    Function,
    Variable,
    Event,
    String,
    Number,
    Comment,
    Operator,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SemanticToken {
    pub span: Span,
    pub kind: TokenKind,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FoldingRange {
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct InlayHint {
    /// Where the hint is shown (after the text before it).
    pub offset: usize,
    pub label: String,
}

fn sym(name: &Ident, detail: Option<String>, kind: OutlineKind, span: Span) -> OutlineSymbol {
    OutlineSymbol { name: name.name.clone(), detail, kind, span, selection: name.span, children: Vec::new() }
}

fn title(t: &Option<TextLit>) -> Option<String> {
    t.as_ref().and_then(TextLit::as_plain)
}

fn item_symbol(item: &Item) -> OutlineSymbol {
    match item {
        Item::Enum(e) => OutlineSymbol {
            children: e.variants.iter().map(|v| sym(&v.name, None, OutlineKind::Variant, v.span)).collect(),
            ..sym(&e.name, None, OutlineKind::Enum, e.span)
        },
        Item::Record(r) | Item::Extend(r) => OutlineSymbol {
            children: r
                .fields
                .iter()
                .map(|f| sym(&f.name, Some(type_text(&f.ty)), OutlineKind::Field, f.span))
                .collect(),
            ..sym(&r.name, matches!(item, Item::Extend(_)).then(|| "extend".to_string()), OutlineKind::Record, r.span)
        },
        Item::Event(e) => OutlineSymbol {
            children: e
                .fields
                .iter()
                .map(|f| sym(&f.name, Some(type_text(&f.ty)), OutlineKind::Field, f.span))
                .collect(),
            ..sym(&e.name, Some(format!("on {}", e.subject.name)), OutlineKind::Event, e.span)
        },
        Item::Segment(s) => sym(&s.name, Some(format!("for {}", s.binding.ty.name)), OutlineKind::Segment, s.span),
        Item::Signal(s) => sym(&s.name, Some(format!("for {}", s.binding.ty.name)), OutlineKind::Signal, s.span),
        Item::Template(t) => sym(&t.name, Some(format!("for {}", t.binding.ty.name)), OutlineKind::Template, t.span),
        Item::Limit(l) => sym(&l.name, None, OutlineKind::Limit, l.span),
        Item::Playbook(p) => {
            let children = p
                .clauses
                .iter()
                .filter_map(|c| match &c.kind {
                    ClauseKind::Step(s) => Some(sym(&s.name, title(&s.title), OutlineKind::Step, s.span)),
                    ClauseKind::Stage(s) => Some(OutlineSymbol {
                        children: s
                            .activities
                            .iter()
                            .map(|a| sym(&a.name, title(&a.title), OutlineKind::Activity, a.span))
                            .collect(),
                        ..sym(&s.name, title(&s.title), OutlineKind::Stage, s.span)
                    }),
                    _ => None,
                })
                .collect();
            OutlineSymbol { children, ..sym(&p.name, title(&p.title), OutlineKind::Playbook, p.span) }
        }
        Item::Test(t) => OutlineSymbol {
            name: t.name.as_plain().unwrap_or_else(|| "test".into()),
            detail: None,
            kind: OutlineKind::Test,
            span: t.span,
            selection: t.name.span,
            children: Vec::new(),
        },
    }
}

fn type_text(t: &TypeExpr) -> String {
    let mut s = t.name.name.clone();
    if !t.args.is_empty() {
        s.push('<');
        s.push_str(&t.args.iter().map(type_text).collect::<Vec<_>>().join(", "));
        s.push('>');
    }
    if t.optional {
        s.push('?');
    }
    s
}

impl Analysis {
    /// The outline of a file.
    pub fn document_symbols(&self, file: &str) -> Vec<OutlineSymbol> {
        self.file(file).map_or_else(Vec::new, |f| f.parse.file.items.iter().map(item_symbol).collect())
    }

    /// Items of the whole project (not the standard library) whose name contains the
    /// query, case-insensitively; an empty query lists them all.
    pub fn workspace_symbols(&self, query: &str) -> Vec<(String, OutlineSymbol)> {
        let query = query.to_lowercase();
        let mut out = Vec::new();
        for f in self.files.iter().filter(|f| !f.stdlib) {
            for s in f.parse.file.items.iter().map(item_symbol) {
                if s.name.to_lowercase().contains(&query) {
                    out.push((f.name.clone(), OutlineSymbol { children: Vec::new(), ..s }));
                }
            }
        }
        out
    }

    /// Tokens for semantic highlighting: every resolved name by what it is, and the
    /// comments; sorted, on one line each, not overlapping.
    pub fn semantic_tokens(&self, file: &str) -> Vec<SemanticToken> {
        let Some(id) = self.file_id(file) else { return Vec::new() };
        let source = &self.files[id].source;
        let mut tokens: Vec<SemanticToken> = Vec::new();
        let first = self.index.refs.partition_point(|r| r.file < id);
        for r in self.index.refs[first..].iter().take_while(|r| r.file == id) {
            tokens.push(SemanticToken { span: r.span, kind: self.token_kind(&r.symbol) });
        }
        for (symbol, origin) in &self.index.defs {
            if origin.file == id {
                tokens.push(SemanticToken { span: origin.span, kind: self.token_kind(symbol) });
            }
        }
        for c in &self.files[id].parse.file.comments {
            tokens.push(SemanticToken { span: c.span, kind: TokenKind::Comment });
        }
        tokens.sort_by_key(|t| (t.span.start, t.span.end));
        tokens.dedup_by(|a, b| a.span.start < b.span.end);
        // A token must not cross a line: split multi-line ones (block comments).
        let mut out = Vec::with_capacity(tokens.len());
        for t in tokens {
            let mut start = t.span.start;
            for (i, _) in source[t.span.range()].match_indices('\n') {
                let end = t.span.start + i;
                if end > start {
                    out.push(SemanticToken { span: Span::new(start, end), kind: t.kind });
                }
                start = end + 1;
            }
            if t.span.end > start {
                out.push(SemanticToken { span: Span::new(start, t.span.end), kind: t.kind });
            }
        }
        out
    }

    fn token_kind(&self, symbol: &Symbol) -> TokenKind {
        match symbol {
            Symbol::Item(name) => match self.view.item(name).map(|i| i.kind) {
                Some("record" | "enum") => TokenKind::Type,
                Some("event") => TokenKind::Event,
                Some("segment" | "signal" | "playbook" | "template" | "limit") => TokenKind::Function,
                _ => TokenKind::Type,
            },
            Symbol::Field { .. } => TokenKind::Property,
            Symbol::Variant { .. } => TokenKind::EnumMember,
            Symbol::Binding { .. } => TokenKind::Variable,
            Symbol::Function(_) => TokenKind::Function,
            Symbol::Step { .. } => TokenKind::Function,
        }
    }

    /// Ranges an editor can fold: items and blocks over several lines, and runs of
    /// comments.
    pub fn folding_ranges(&self, file: &str) -> Vec<FoldingRange> {
        let Some(f) = self.file(file) else { return Vec::new() };
        let multi_line = |s: Span| f.source.get(s.range()).is_some_and(|t| t.contains('\n'));
        let mut spans: Vec<Span> = Vec::new();
        for item in &f.parse.file.items {
            spans.push(item.span());
            if let Item::Playbook(p) = item {
                for c in &p.clauses {
                    match &c.kind {
                        ClauseKind::Step(s) => spans.push(s.span),
                        ClauseKind::Stage(s) => spans.push(s.span),
                        _ => {}
                    }
                }
            }
        }
        spans.extend(f.parse.file.comments.iter().map(|c| c.span));
        let mut out: Vec<FoldingRange> =
            spans.into_iter().filter(|s| multi_line(*s)).map(|span| FoldingRange { span }).collect();
        out.sort_by_key(|r| (r.span.start, r.span.end));
        out
    }

    /// The type of each signal, shown after its name.
    pub fn inlay_hints(&self, file: &str) -> Vec<InlayHint> {
        let Some(f) = self.file(file) else { return Vec::new() };
        f.parse
            .file
            .items
            .iter()
            .filter_map(|item| match item {
                Item::Signal(s) => {
                    let ty = self.view.item(&s.name.name)?.ty.clone().filter(|t| !matches!(t, Ty::Error))?;
                    Some(InlayHint { offset: s.name.span.end, label: format!(": {}", self.view.type_name(&ty)) })
                }
                _ => None,
            })
            .collect()
    }
}
