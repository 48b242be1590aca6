//! Semantic tokens: what each name resolved to, encoded as LSP's relative positions with
//! lengths in UTF-16 units.

use play_compiler::analysis::TokenKind;
use tower_lsp::lsp_types::{
    SemanticToken, SemanticTokenType, SemanticTokens, SemanticTokensLegend, SemanticTokensParams, SemanticTokensResult,
};

use crate::host::Snapshot;

/// The token types, in the order of [`index`].
pub fn legend() -> SemanticTokensLegend {
    SemanticTokensLegend {
        token_types: vec![
            SemanticTokenType::KEYWORD,
            SemanticTokenType::TYPE,
            SemanticTokenType::ENUM_MEMBER,
            SemanticTokenType::PROPERTY,
            SemanticTokenType::FUNCTION,
            SemanticTokenType::VARIABLE,
            SemanticTokenType::EVENT,
            SemanticTokenType::STRING,
            SemanticTokenType::NUMBER,
            SemanticTokenType::COMMENT,
            SemanticTokenType::OPERATOR,
        ],
        token_modifiers: Vec::new(),
    }
}

fn index(kind: TokenKind) -> u32 {
    match kind {
        TokenKind::Keyword => 0,
        TokenKind::Type => 1,
        TokenKind::EnumMember => 2,
        TokenKind::Property => 3,
        TokenKind::Function => 4,
        TokenKind::Variable => 5,
        TokenKind::Event => 6,
        TokenKind::String => 7,
        TokenKind::Number => 8,
        TokenKind::Comment => 9,
        TokenKind::Operator => 10,
    }
}

pub fn semantic_tokens(snapshot: &Snapshot, params: &SemanticTokensParams) -> Option<SemanticTokensResult> {
    let doc = snapshot.doc(&params.text_document.uri)?;
    let mut data = Vec::new();
    let (mut line, mut column) = (0, 0);
    for token in doc.analysis().semantic_tokens(doc.name) {
        let start = doc.position(token.span.start);
        let end = doc.position(token.span.end);
        // The analysis promises single-line tokens in order; anything else is skipped
        // rather than sent malformed.
        if end.line != start.line || end.character <= start.character || (start.line, start.character) < (line, column)
        {
            continue;
        }
        let delta_line = start.line - line;
        let delta_start = if delta_line == 0 { start.character - column } else { start.character };
        data.push(SemanticToken {
            delta_line,
            delta_start,
            length: end.character - start.character,
            token_type: index(token.kind),
            token_modifiers_bitset: 0,
        });
        (line, column) = (start.line, start.character);
    }
    Some(SemanticTokensResult::Tokens(SemanticTokens { result_id: None, data }))
}
