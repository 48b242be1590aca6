//! Inlay hints: the type of each signal, after its name.

use tower_lsp::lsp_types::{InlayHint, InlayHintKind, InlayHintLabel, InlayHintParams};

use crate::host::Snapshot;

pub fn inlay_hints(snapshot: &Snapshot, params: &InlayHintParams) -> Option<Vec<InlayHint>> {
    let doc = snapshot.doc(&params.text_document.uri)?;
    let wanted = doc.lines.span(doc.source, params.range);
    let hints = doc
        .analysis()
        .inlay_hints(doc.name)
        .into_iter()
        .filter(|h| wanted.contains(h.offset))
        .map(|h| InlayHint {
            position: doc.position(h.offset),
            label: InlayHintLabel::String(h.label),
            kind: Some(InlayHintKind::TYPE),
            text_edits: None,
            tooltip: None,
            padding_left: None,
            padding_right: None,
            data: None,
        })
        .collect();
    Some(hints)
}
