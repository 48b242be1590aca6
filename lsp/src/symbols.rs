//! Document symbols (playbooks → steps, stages → activities, records → fields) and
//! workspace symbols (the items of every project).

use play_compiler::analysis::{OutlineKind, OutlineSymbol};
use tower_lsp::lsp_types::{
    DocumentSymbol, DocumentSymbolParams, DocumentSymbolResponse, SymbolInformation, SymbolKind, WorkspaceSymbolParams,
};

use crate::host::{Doc, Snapshot};

pub fn document_symbols(snapshot: &Snapshot, params: &DocumentSymbolParams) -> Option<DocumentSymbolResponse> {
    let doc = snapshot.doc(&params.text_document.uri)?;
    let symbols = doc.analysis().document_symbols(doc.name).iter().map(|s| symbol(&doc, s)).collect();
    Some(DocumentSymbolResponse::Nested(symbols))
}

fn symbol(doc: &Doc<'_>, s: &OutlineSymbol) -> DocumentSymbol {
    let range = doc.range(s.span);
    // LSP requires the name's range to lie inside the whole's.
    let inside = s.span.start <= s.selection.start && s.selection.end <= s.span.end;
    let selection_range = if inside { doc.range(s.selection) } else { range };
    #[expect(deprecated, reason = "`deprecated` is a required field of the LSP type, superseded by `tags`")]
    DocumentSymbol {
        name: if s.name.is_empty() { "?".to_string() } else { s.name.clone() },
        detail: s.detail.clone(),
        kind: kind(s.kind),
        tags: None,
        deprecated: None,
        range,
        selection_range,
        children: Some(s.children.iter().map(|c| symbol(doc, c)).collect()).filter(|c: &Vec<_>| !c.is_empty()),
    }
}

pub fn workspace_symbols(snapshot: &Snapshot, params: &WorkspaceSymbolParams) -> Vec<SymbolInformation> {
    let mut out = Vec::new();
    for project in &snapshot.projects {
        for (file, s) in project.analysis.workspace_symbols(&params.query) {
            let Some(location) = project.location(&file, s.selection) else { continue };
            #[expect(deprecated, reason = "`deprecated` is a required field of the LSP type, superseded by `tags`")]
            out.push(SymbolInformation {
                name: s.name,
                kind: kind(s.kind),
                tags: None,
                deprecated: None,
                location,
                container_name: Some(file),
            });
        }
    }
    out
}

fn kind(kind: OutlineKind) -> SymbolKind {
    match kind {
        OutlineKind::Playbook => SymbolKind::CLASS,
        OutlineKind::Step | OutlineKind::Activity => SymbolKind::METHOD,
        OutlineKind::Stage => SymbolKind::NAMESPACE,
        OutlineKind::Record => SymbolKind::STRUCT,
        OutlineKind::Field => SymbolKind::FIELD,
        OutlineKind::Enum => SymbolKind::ENUM,
        OutlineKind::Variant => SymbolKind::ENUM_MEMBER,
        OutlineKind::Event => SymbolKind::EVENT,
        OutlineKind::Segment => SymbolKind::INTERFACE,
        OutlineKind::Signal => SymbolKind::PROPERTY,
        OutlineKind::Template => SymbolKind::STRING,
        OutlineKind::Limit => SymbolKind::NUMBER,
        OutlineKind::Test => SymbolKind::FUNCTION,
    }
}
