//! A quick pass over the source before pest sees it. It finds where items begin (a line
//! that starts at column 0 with an item keyword or `///`, outside text and comments), so
//! each item is parsed on its own and an unclosed brace cannot swallow the rest of the
//! file; and it measures nesting, so that absurdly deep brackets are reported instead of
//! exhausting the stack. Both keep parsing linear in the size of the file.

use std::ops::Range;

/// Deeper nesting than this is refused with a diagnostic. Real playbooks stay under ten.
pub const MAX_DEPTH: usize = 64;

const ITEM_KEYWORDS: &[&str] = &[
    "enum", "record", "extend", "event", "segment", "signal", "template", "limit", "playbook", "test", "public",
    "private",
];

#[derive(Debug, PartialEq, Eq)]
pub struct Chunk {
    pub range: Range<usize>,
    /// Where nesting first went past [`MAX_DEPTH`], if it did.
    pub too_deep: Option<usize>,
    /// The deepest nesting seen in the chunk.
    pub max_depth: usize,
    /// Errors found by the scan itself, in source order.
    pub lexical: Vec<Lexical>,
}

/// An error that the scan can see directly, and the parser only as a cascade.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Lexical {
    /// A `"` (or `"""` when long) never closed; the offset of the quote.
    UnterminatedText { at: usize, long: bool },
    /// A `/*` never closed.
    UnterminatedComment { at: usize },
    /// A `(`, `[` or `{` never closed.
    Unclosed { at: usize, bracket: u8 },
}

impl Lexical {
    pub fn at(self) -> usize {
        match self {
            Lexical::UnterminatedText { at, .. }
            | Lexical::UnterminatedComment { at }
            | Lexical::Unclosed { at, .. } => at,
        }
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Ctx {
    Bracket,
    /// `{…}` inside text; `long` tells which kind of text it returns to.
    Interp {
        long: bool,
    },
    Short,
    Long,
    Comment,
}

/// True when an item starts at `at` (which is at the start of a line).
pub fn starts_item(rest: &[u8]) -> bool {
    if rest.starts_with(b"///") {
        return true;
    }
    ITEM_KEYWORDS.iter().any(|kw| {
        rest.starts_with(kw.as_bytes()) && !rest.get(kw.len()).is_some_and(|&c| c.is_ascii_alphanumeric() || c == b'_')
    })
}

/// Splits the source into item chunks that together cover it exactly.
pub fn chunks(source: &str) -> Vec<Chunk> {
    let bytes = source.as_bytes();
    let mut out = Vec::new();
    let mut start = 0;
    let mut stack: Vec<(Ctx, usize)> = Vec::new();
    let mut lexical = Vec::new();
    let mut raw_depth = 0usize;
    let mut too_deep = None;
    let mut max_depth = 0;
    // Whether the last non-blank line before this one was a `///` line at column 0.
    let mut after_doc = false;
    let mut line_is_doc = false;
    let mut line_is_comment = false;
    let mut line_blank = true;
    let mut i = 0;
    while i < bytes.len() {
        let at_line_start = i == 0 || bytes[i - 1] == b'\n';
        if at_line_start {
            // Blank lines and `//` comment lines between a doc comment and its item keep
            // them together.
            if !line_blank && !line_is_comment {
                after_doc = line_is_doc;
            }
            line_blank = true;
            line_is_doc = bytes[i..].starts_with(b"///");
            let indent = bytes[i..].iter().take_while(|c| **c == b' ' || **c == b'\t').count();
            let rest = &bytes[i + indent..];
            line_is_comment = rest.starts_with(b"//") && !rest.starts_with(b"///") || rest.starts_with(b"////");
            let in_text_or_comment = stack.iter().any(|(c, _)| matches!(c, Ctx::Long | Ctx::Comment));
            if i > 0 && !in_text_or_comment && !after_doc && starts_item(&bytes[i..]) {
                close_chunk(&mut stack, &mut lexical, bytes);
                out.push(Chunk {
                    range: start..i,
                    too_deep: too_deep.take(),
                    max_depth: std::mem::take(&mut max_depth),
                    lexical: std::mem::take(&mut lexical),
                });
                start = i;
                raw_depth = 0;
            }
        }
        let c = bytes[i];
        if !c.is_ascii_whitespace() {
            line_blank = false;
        }
        let top = stack.last().map(|(c, _)| *c);
        let mut step = 1;
        match top {
            Some(Ctx::Comment) => {
                if bytes[i..].starts_with(b"*/") {
                    stack.pop();
                    step = 2;
                } else if bytes[i..].starts_with(b"/*") {
                    stack.push((Ctx::Comment, i));
                    step = 2;
                }
            }
            Some(Ctx::Short) | Some(Ctx::Long) => {
                let long = top == Some(Ctx::Long);
                match c {
                    b'\\' => step = 2,
                    b'\n' if !long => pop_short(&mut stack, &mut lexical),
                    b'"' if !long => {
                        stack.pop();
                    }
                    b'"' if bytes[i..].starts_with(b"\"\"\"") => {
                        stack.pop();
                        step = 3;
                    }
                    b'{' if bytes.get(i + 1) == Some(&b'{') => {
                        raw_depth += 1;
                        step = 2;
                    }
                    b'{' => {
                        raw_depth += 1;
                        stack.push((Ctx::Interp { long }, i));
                    }
                    b'}' => raw_depth = raw_depth.saturating_sub(1),
                    _ => {}
                }
            }
            _ => match c {
                b'/' if bytes[i..].starts_with(b"//") => {
                    while i + step < bytes.len() && bytes[i + step] != b'\n' {
                        step += 1;
                    }
                }
                b'/' if bytes[i..].starts_with(b"/*") => {
                    stack.push((Ctx::Comment, i));
                    step = 2;
                }
                b'"' if bytes[i..].starts_with(b"\"\"\"") => {
                    stack.push((Ctx::Long, i));
                    step = 3;
                }
                b'"' => stack.push((Ctx::Short, i)),
                b'(' | b'[' | b'{' => {
                    raw_depth += 1;
                    stack.push((Ctx::Bracket, i));
                }
                b')' | b']' | b'}' => {
                    raw_depth = raw_depth.saturating_sub(1);
                    let opener = match c {
                        b')' => b'(',
                        b']' => b'[',
                        _ => b'{',
                    };
                    // An inner bracket that a closer of another kind skips over is the one
                    // never closed: `(40 }` leaves the `(` open, not the `{`.
                    while let Some(&(Ctx::Bracket, at)) = stack.last() {
                        if bytes[at] == opener {
                            break;
                        }
                        lexical.push(Lexical::Unclosed { at, bracket: bytes[at] });
                        stack.pop();
                    }
                    if matches!(stack.last(), Some((Ctx::Bracket, _)) | Some((Ctx::Interp { .. }, _))) {
                        stack.pop();
                    }
                }
                b'\n' if matches!(top, Some(Ctx::Interp { long: false })) => pop_short(&mut stack, &mut lexical),
                _ => {}
            },
        }
        let depth = stack.len().max(raw_depth);
        max_depth = max_depth.max(depth);
        if too_deep.is_none() && depth > MAX_DEPTH {
            too_deep = Some(i);
        }
        i += step;
    }
    close_chunk(&mut stack, &mut lexical, bytes);
    out.push(Chunk { range: start..bytes.len(), too_deep, max_depth, lexical });
    out
}

/// A newline ends every one-line text that is open, and the interpolations inside them.
fn pop_short(stack: &mut Vec<(Ctx, usize)>, lexical: &mut Vec<Lexical>) {
    while let Some(&(ctx @ (Ctx::Short | Ctx::Interp { long: false }), at)) = stack.last() {
        if ctx == Ctx::Short {
            lexical.push(Lexical::UnterminatedText { at, long: false });
        }
        stack.pop();
    }
}

/// At the end of a chunk, whatever is still open was never closed.
fn close_chunk(stack: &mut Vec<(Ctx, usize)>, lexical: &mut Vec<Lexical>, bytes: &[u8]) {
    // Only the outermost open text or comment is reported: what is inside it is its text.
    let mut reported_text = false;
    for &(ctx, at) in stack.iter() {
        match ctx {
            Ctx::Bracket => lexical.push(Lexical::Unclosed { at, bracket: bytes[at] }),
            Ctx::Short | Ctx::Long if !reported_text => {
                lexical.push(Lexical::UnterminatedText { at, long: ctx == Ctx::Long });
                reported_text = true;
            }
            Ctx::Comment if !reported_text => {
                lexical.push(Lexical::UnterminatedComment { at });
                reported_text = true;
            }
            _ => {}
        }
    }
    stack.clear();
    lexical.sort_by_key(|l| l.at());
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ranges(src: &str) -> Vec<&str> {
        chunks(src).into_iter().map(|c| &src[c.range]).collect()
    }

    #[test]
    fn items_split_at_column_zero_keywords() {
        let src = "record A {\n  x: Text\n\nplaybook p {\n}\n";
        assert_eq!(ranges(src), vec!["record A {\n  x: Text\n\n", "playbook p {\n}\n"]);
    }

    #[test]
    fn doc_comments_stay_with_their_item() {
        let src = "enum A { X }\n/// doc\n\n/// more\nrecord B {}\n";
        assert_eq!(ranges(src), vec!["enum A { X }\n", "/// doc\n\n/// more\nrecord B {}\n"]);
    }

    #[test]
    fn comments_between_a_doc_comment_and_its_item_keep_them_together() {
        let src = "enum A { X }\n/// doc\n// note\nrecord B {}\n";
        assert_eq!(ranges(src), vec!["enum A { X }\n", "/// doc\n// note\nrecord B {}\n"]);
    }

    #[test]
    fn keywords_inside_long_text_do_not_split() {
        let src = "template t for c: Contact {\n  body \"\"\"\nplaybook is a word\n\"\"\"\n}\n";
        assert_eq!(ranges(src).len(), 1);
    }

    #[test]
    fn indented_keywords_do_not_split() {
        let src = "test \"x\" {\n  event Login on c\n}\n";
        assert_eq!(ranges(src).len(), 1);
    }

    #[test]
    fn unterminated_text_and_unclosed_brackets_are_found() {
        let src = "playbook p {\n  step s \"Title {\n";
        let lexical = &chunks(src)[0].lexical;
        assert_eq!(
            lexical,
            &vec![Lexical::Unclosed { at: 11, bracket: b'{' }, Lexical::UnterminatedText { at: 22, long: false }]
        );
    }

    #[test]
    fn a_closer_of_another_kind_leaves_the_inner_bracket_open() {
        let src = "playbook p {\n  when a < (40\n}\n";
        assert_eq!(chunks(src)[0].lexical, vec![Lexical::Unclosed { at: 24, bracket: b'(' }]);
    }

    #[test]
    fn closed_things_are_not_errors() {
        let src = "template t for c: C {\n  body \"\"\"\n  a {c.x} \"\n  \"\"\"\n}\n/* a /* b */ */\n";
        assert!(chunks(src).iter().all(|c| c.lexical.is_empty()));
    }

    #[test]
    fn deep_nesting_is_found() {
        let src = format!("segment s for a: A = {}1", "(".repeat(100));
        assert!(chunks(&src)[0].too_deep.is_some());
        let shallow = format!("segment s for a: A = {}1{}", "(".repeat(10), ")".repeat(10));
        assert!(chunks(&shallow)[0].too_deep.is_none());
    }

    #[test]
    fn text_cannot_hide_nesting() {
        let src = format!("segment s for a: A = {}", "(\"a)\" + ".repeat(100));
        assert!(chunks(&src)[0].too_deep.is_some());
        let src = format!("segment s for a: A = x \"{}", "{{".repeat(100));
        assert!(chunks(&src)[0].too_deep.is_some());
    }
}
