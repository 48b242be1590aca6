//! Code actions: the did-you-mean fixes of diagnostics, read back from the `data` the
//! diagnostics were published with.

use std::collections::HashMap;

use tower_lsp::lsp_types::{
    CodeAction, CodeActionKind, CodeActionOrCommand, CodeActionParams, Range, TextEdit, WorkspaceEdit,
};

use crate::diagnostics::FixData;
use crate::host::Host;

pub fn code_actions(host: &Host, params: &CodeActionParams) -> Vec<CodeActionOrCommand> {
    let url = &params.text_document.uri;
    let buffer = host.workspace().buffer(url).map(|b| b.text.clone());
    let mut out = Vec::new();
    for diagnostic in &params.context.diagnostics {
        let Some(fix) = diagnostic.data.clone().and_then(|d| serde_json::from_value::<FixData>(d).ok()) else {
            continue;
        };
        if !overlaps(fix.range, params.range) && !overlaps(diagnostic.range, params.range) {
            continue;
        }
        // A fix for text that has changed since would garble it: offer it only while the
        // text it replaces is still there.
        if let Some(text) = &buffer {
            let lines = crate::convert::LineMap::new(text);
            if text.get(lines.span(text, fix.range).range()) != Some(fix.old.as_str()) {
                continue;
            }
        }
        let edit = TextEdit { range: fix.range, new_text: fix.new_text };
        out.push(CodeActionOrCommand::CodeAction(CodeAction {
            title: fix.title,
            kind: Some(CodeActionKind::QUICKFIX),
            diagnostics: Some(vec![diagnostic.clone()]),
            edit: Some(WorkspaceEdit {
                changes: Some(HashMap::from([(url.clone(), vec![edit])])),
                ..WorkspaceEdit::default()
            }),
            is_preferred: Some(true),
            ..CodeAction::default()
        }));
    }
    out
}

/// Whether two ranges share a position (touching counts, as a cursor is an empty range).
fn overlaps(a: Range, b: Range) -> bool {
    a.start <= b.end && b.start <= a.end
}
