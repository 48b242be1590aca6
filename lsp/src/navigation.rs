//! Navigation: go to definition (into the standard library's copy in the cache folder
//! too), find references, and rename across the files of a project.

use std::collections::HashMap;

use tower_lsp::jsonrpc::{Error, ErrorCode};
use tower_lsp::lsp_types::{
    GotoDefinitionParams, GotoDefinitionResponse, Location, PrepareRenameResponse, ReferenceParams, RenameParams,
    TextDocumentPositionParams, TextEdit, WorkspaceEdit,
};

use crate::host::Snapshot;

pub fn definition(snapshot: &Snapshot, params: &GotoDefinitionParams) -> Option<GotoDefinitionResponse> {
    let at = &params.text_document_position_params;
    let doc = snapshot.doc(&at.text_document.uri)?;
    let target = doc.analysis().definition(doc.name, doc.offset(at.position))?;
    doc.project.location(&target.file, target.span).map(GotoDefinitionResponse::Scalar)
}

pub fn references(snapshot: &Snapshot, params: &ReferenceParams) -> Option<Vec<Location>> {
    let at = &params.text_document_position;
    let doc = snapshot.doc(&at.text_document.uri)?;
    let found = doc.analysis().references(doc.name, doc.offset(at.position), params.context.include_declaration);
    Some(found.into_iter().filter_map(|l| doc.project.location(&l.file, l.span)).collect())
}

/// The name a rename would change, or why it cannot be renamed (shown by the editor).
pub fn prepare_rename(
    snapshot: &Snapshot,
    params: &TextDocumentPositionParams,
) -> Result<Option<PrepareRenameResponse>, Error> {
    let Some(doc) = snapshot.doc(&params.text_document.uri) else { return Ok(None) };
    let offset = doc.offset(params.position);
    // Renaming to a name that is surely valid tells whether renaming is possible at all.
    let edits = doc.analysis().rename(doc.name, offset, "renamed").map_err(failed)?;
    let here = edits.into_iter().find(|e| e.file == doc.name && e.span.contains(offset));
    Ok(here.map(|e| PrepareRenameResponse::RangeWithPlaceholder {
        range: doc.range(e.span),
        placeholder: doc.source.get(e.span.range()).unwrap_or_default().to_string(),
    }))
}

pub fn rename(snapshot: &Snapshot, params: &RenameParams) -> Result<Option<WorkspaceEdit>, Error> {
    let at = &params.text_document_position;
    let Some(doc) = snapshot.doc(&at.text_document.uri) else { return Ok(None) };
    let edits = doc.analysis().rename(doc.name, doc.offset(at.position), &params.new_name).map_err(failed)?;
    let mut changes: HashMap<_, Vec<TextEdit>> = HashMap::new();
    for edit in edits {
        let Some(location) = doc.project.location(&edit.file, edit.span) else { continue };
        changes.entry(location.uri).or_default().push(TextEdit { range: location.range, new_text: edit.text });
    }
    Ok(Some(WorkspaceEdit { changes: Some(changes), ..WorkspaceEdit::default() }))
}

/// A refusal the user should read: LSP's "request failed", with the analysis's reason.
fn failed(reason: String) -> Error {
    Error { code: ErrorCode::ServerError(-32803), message: reason.into(), data: None }
}
