//! Folding ranges: items, steps, stages and comment runs that span several lines.

use tower_lsp::lsp_types::{FoldingRange, FoldingRangeKind, FoldingRangeParams};

use crate::host::Snapshot;

pub fn folding_ranges(snapshot: &Snapshot, params: &FoldingRangeParams) -> Option<Vec<FoldingRange>> {
    let doc = snapshot.doc(&params.text_document.uri)?;
    let mut out = Vec::new();
    for range in doc.analysis().folding_ranges(doc.name) {
        let span = range.span;
        let start = doc.lines.line(span.start);
        let last = doc.lines.line(span.end.saturating_sub(1).max(span.start));
        // Keep a closing brace visible on its own line, as editors do for code.
        let closing = doc.source.get(..span.end).is_some_and(|s| s.trim_end().ends_with('}'));
        let end = if closing { last.saturating_sub(1) } else { last };
        if end <= start {
            continue;
        }
        let is_comment = doc.source.get(span.range()).is_some_and(is_comment);
        out.push(FoldingRange {
            start_line: u32::try_from(start).unwrap_or(u32::MAX),
            start_character: None,
            end_line: u32::try_from(end).unwrap_or(u32::MAX),
            end_character: None,
            kind: Some(if is_comment { FoldingRangeKind::Comment } else { FoldingRangeKind::Region }),
            collapsed_text: None,
        })
    }
    Some(out)
}

/// Whether a folded text is all comment: a block comment, or lines that are each a line
/// comment (an item's span starts with its doc comment, but goes on with code).
fn is_comment(text: &str) -> bool {
    (text.starts_with("/*") && text.ends_with("*/")) || text.lines().all(|l| l.trim_start().starts_with("//"))
}

#[cfg(test)]
mod tests {
    use super::is_comment;

    #[test]
    fn an_item_with_a_doc_comment_is_not_a_comment() {
        assert!(is_comment("// a\n// b"));
        assert!(is_comment("/* a\n b */"));
        assert!(!is_comment("/// doc\nsegment big for a: Account = true"));
    }
}
