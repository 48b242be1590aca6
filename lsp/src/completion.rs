//! Completion on the buffer as it is now: the cursor is found in the editor's text, which
//! may be newer than the last analysis (the analysis reads that text itself), so typing
//! never waits for a re-analysis.

use play_compiler::analysis::{Completion, CompletionKind};
use tower_lsp::lsp_types::{
    CompletionItem, CompletionItemKind, CompletionParams, CompletionResponse, Documentation, InsertTextFormat,
    MarkupContent, MarkupKind,
};

use crate::convert::LineMap;
use crate::host::{Host, Snapshot};

pub fn completion(
    host: &Host,
    snapshot: &Snapshot,
    params: &CompletionParams,
    snippets: bool,
) -> Option<CompletionResponse> {
    let at = &params.text_document_position;
    let url = &at.text_document.uri;
    let text = host.workspace().buffer(url).map(|b| b.text.clone());
    let doc = snapshot.doc(url);
    // A buffer the analysis has not seen yet still completes keywords, against any project.
    let (analysis, name) = match &doc {
        Some(doc) => (doc.analysis(), doc.name),
        None => (&snapshot.projects.first()?.analysis, ""),
    };
    let text = text.or_else(|| doc.as_ref().map(|d| d.source.to_string()))?;
    let offset = LineMap::new(&text).offset(&text, at.position);
    let items = analysis.completions(name, offset, &text).into_iter().map(|c| item(c, snippets)).collect();
    Some(CompletionResponse::Array(items))
}

fn item(c: Completion, snippets: bool) -> CompletionItem {
    let snippet = c.insert_text.as_deref().is_some_and(|t| t.contains('$'));
    let insert_text = match c.insert_text {
        Some(text) if snippet && !snippets => Some(plain(&text)),
        other => other,
    };
    CompletionItem {
        label: c.label,
        kind: Some(kind(c.kind)),
        detail: c.detail,
        documentation: c
            .documentation
            .map(|value| Documentation::MarkupContent(MarkupContent { kind: MarkupKind::Markdown, value })),
        insert_text,
        insert_text_format: (snippet && snippets).then_some(InsertTextFormat::SNIPPET),
        ..CompletionItem::default()
    }
}

fn kind(kind: CompletionKind) -> CompletionItemKind {
    match kind {
        CompletionKind::Keyword => CompletionItemKind::KEYWORD,
        CompletionKind::Field => CompletionItemKind::FIELD,
        CompletionKind::Variant => CompletionItemKind::ENUM_MEMBER,
        CompletionKind::Item => CompletionItemKind::CONSTANT,
        CompletionKind::Event => CompletionItemKind::EVENT,
        CompletionKind::Function => CompletionItemKind::FUNCTION,
        CompletionKind::Type => CompletionItemKind::STRUCT,
        CompletionKind::Snippet => CompletionItemKind::SNIPPET,
        CompletionKind::Variable => CompletionItemKind::VARIABLE,
    }
}

/// A snippet's text for a client without snippet support: `${1:name}` becomes `name`,
/// `$1` and `$0` disappear, `\$` stays a dollar.
fn plain(snippet: &str) -> String {
    let mut out = String::with_capacity(snippet.len());
    let mut chars = snippet.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\\' => out.extend(chars.next()),
            '$' if chars.peek() == Some(&'{') => {
                chars.next();
                let mut depth = 1;
                let mut inner = String::new();
                for c in chars.by_ref() {
                    match c {
                        '{' => depth += 1,
                        '}' => depth -= 1,
                        _ => {}
                    }
                    if depth == 0 {
                        break;
                    }
                    inner.push(c);
                }
                out.push_str(inner.split_once(':').map_or("", |(_, default)| default));
            }
            '$' if chars.peek().is_some_and(char::is_ascii_digit) => {
                while chars.peek().is_some_and(char::is_ascii_digit) {
                    chars.next();
                }
            }
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn snippets_become_plain_text_for_clients_without_snippets() {
        assert_eq!(plain("step ${1:name} \"$2\" {\n  $0\n}"), "step name \"\" {\n  \n}");
        assert_eq!(plain("costs \\$5"), "costs $5");
    }
}
