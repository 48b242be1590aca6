//! Mutating real sources for property tests: deletions, insertions and truncations at
//! fractions of the text, always on character boundaries. Each test picks its own
//! payloads and weights from these building blocks. (Also compiled into
//! `lsp/tests/properties.rs` by path.)

use proptest::prelude::*;

#[derive(Debug, Clone)]
pub enum Mutation {
    /// Delete up to `len` bytes from a fraction of the text (widened to a boundary).
    Delete { at: f64, len: usize },
    /// Insert text at a fraction of the text.
    Insert { at: f64, text: String },
    /// Cut the text at a fraction of it.
    Truncate { at: f64 },
}

pub fn delete() -> impl Strategy<Value = Mutation> {
    (0.0..1.0f64, 1..40usize).prop_map(|(at, len)| Mutation::Delete { at, len })
}

/// Insert one of `payloads`.
pub fn insert_one_of(payloads: &'static [&'static str]) -> impl Strategy<Value = Mutation> {
    (0.0..1.0f64, 0..payloads.len()).prop_map(move |(at, i)| Mutation::Insert { at, text: payloads[i].to_string() })
}

/// Insert a few arbitrary printable characters.
#[allow(dead_code, reason = "not every test that includes this module inserts arbitrary text")]
pub fn insert_any_text() -> impl Strategy<Value = Mutation> {
    (0.0..1.0f64, "\\PC{0,6}").prop_map(|(at, text)| Mutation::Insert { at, text })
}

pub fn truncate() -> impl Strategy<Value = Mutation> {
    (0.0..1.0f64).prop_map(|at| Mutation::Truncate { at })
}

/// The character boundary at or before a fraction of the text.
pub fn boundary(s: &str, at: f64) -> usize {
    let mut i = (((s.len() as f64) * at) as usize).min(s.len());
    while !s.is_char_boundary(i) {
        i -= 1;
    }
    i
}

pub fn apply(s: &mut String, m: &Mutation) {
    match m {
        Mutation::Delete { at, len } => {
            let start = boundary(s, *at);
            let mut end = (start + len).min(s.len());
            while !s.is_char_boundary(end) {
                end += 1;
            }
            s.replace_range(start..end, "");
        }
        Mutation::Insert { at, text } => s.insert_str(boundary(s, *at), text),
        Mutation::Truncate { at } => s.truncate(boundary(s, *at)),
    }
}
