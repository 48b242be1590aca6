//! Hover over the language's own words where they start an action or a test's
//! expectation: `task`, `email`, `notify`, … (what the action does and how it is written),
//! `activity`, and `expect`, `complete`, `dismiss`.

use super::query::Hover;
use super::words::{self, ActionWord};
use super::Analysis;
use crate::syntax::ast::{ClauseKind, Item, TestStmtKind};
use crate::syntax::Span;

impl Analysis {
    /// Hover over a keyword at `offset`, found through the syntax tree (so a field named
    /// `email` or a word in a text is not taken for one).
    pub(super) fn keyword_hover(&self, file: &str, offset: usize) -> Option<Hover> {
        let f = self.file(file)?;
        let source: &str = &f.source;
        let span = word_at(source, offset)?;
        let word = &source[span.range()];
        let item = f.parse.file.items.iter().find(|i| i.span().start <= span.start && span.end <= i.span().end)?;
        match item {
            Item::Playbook(p) => {
                for clause in &p.clauses {
                    match &clause.kind {
                        ClauseKind::Step(step) if step.actions.iter().any(|a| a.span.start == span.start) => {
                            return words::action(word).map(|a| action_hover(a, span));
                        }
                        ClauseKind::Stage(stage) if word == "activity" => {
                            let here = |a: &&crate::syntax::ast::Activity| {
                                a.span.start <= span.start && span.end <= a.name.span.start
                            };
                            if stage.activities.iter().any(|a| here(&a)) {
                                return words::action("activity").map(|a| action_hover(a, span));
                            }
                        }
                        _ => {}
                    }
                }
                None
            }
            Item::Test(test) => {
                let stmt = test.stmts.iter().find(|s| s.span.start <= span.start && span.end <= s.span.end)?;
                let (TestStmtKind::Expect { options, .. } | TestStmtKind::Act { options, .. }) = &stmt.kind else {
                    return None;
                };
                if span.start == stmt.span.start {
                    let (verb, syntax, doc) = words::TEST_VERBS.iter().find(|(v, _, _)| *v == word)?;
                    return Some(Hover { span, markdown: format!("```play\n{syntax}\n```\n\n`{verb}`: {doc}") });
                }
                // The kind is the first action word after the verb (and `no`, or a count).
                let kind_end = options.first().map_or(stmt.span.end, |o| o.span.start);
                // Over the kind's own words only (`notify slack`), not `no` or a count.
                if span.end > kind_end || !(words::action(word).is_some() || word == "slack") {
                    return None;
                }
                let kind =
                    source[stmt.span.start..kind_end].split(|c: char| !is_word_char(c)).find_map(words::action)?;
                Some(action_hover(kind, span))
            }
            _ => None,
        }
    }
}

fn action_hover(action: &ActionWord, span: Span) -> Hover {
    Hover { span, markdown: format!("```play\n{}\n```\n\n`{}`: {}", action.syntax, action.word, action.doc) }
}

fn is_word_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_'
}

/// The identifier-like word around `offset`.
fn word_at(source: &str, offset: usize) -> Option<Span> {
    let offset = offset.min(source.len());
    let bytes = source.as_bytes();
    let is_word = |b: u8| b.is_ascii_alphanumeric() || b == b'_';
    let start = bytes[..offset].iter().rposition(|&b| !is_word(b)).map_or(0, |i| i + 1);
    let end = bytes[offset..].iter().position(|&b| !is_word(b)).map_or(bytes.len(), |i| offset + i);
    (start < end).then(|| Span::new(start, end))
}
