//! Hover: the type and doc comment of the name under the cursor, as Markdown.

use tower_lsp::lsp_types::{Hover, HoverContents, HoverParams, MarkupContent, MarkupKind};

use crate::host::Snapshot;

pub fn hover(snapshot: &Snapshot, params: &HoverParams) -> Option<Hover> {
    let at = &params.text_document_position_params;
    let doc = snapshot.doc(&at.text_document.uri)?;
    let hover = doc.analysis().hover(doc.name, doc.offset(at.position))?;
    Some(Hover {
        contents: HoverContents::Markup(MarkupContent { kind: MarkupKind::Markdown, value: hover.markdown }),
        range: Some(doc.range(hover.span)),
    })
}
