//! Formatting: the whole document through the same formatter as `play fmt`; a file with
//! syntax errors is left alone.

use tower_lsp::lsp_types::{DocumentFormattingParams, TextEdit};

use crate::host::Snapshot;

pub fn formatting(snapshot: &Snapshot, params: &DocumentFormattingParams) -> Option<Vec<TextEdit>> {
    let doc = snapshot.doc(&params.text_document.uri)?;
    if doc.analysis().file(doc.name).is_some_and(|f| f.stdlib) {
        return None;
    }
    let formatted = doc.analysis().format(doc.name)?;
    if formatted == doc.source {
        return Some(Vec::new());
    }
    let whole = play_compiler::syntax::Span::new(0, doc.source.len());
    Some(vec![TextEdit { range: doc.range(whole), new_text: formatted }])
}
