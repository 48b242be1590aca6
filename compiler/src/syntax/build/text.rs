//! Text literals: escapes resolved, interpolations built, and for `"""` text the blank
//! first and last lines dropped and the common indent removed.

use super::{kids, Builder, P};
use crate::diagnostic::codes;
use crate::syntax::ast::*;
use crate::syntax::grammar::Rule;

/// A piece of text on its way to a [`TextPart`]: `raw` pieces were written literally, so
/// their newlines are line breaks of the source (which `"""` dedenting works on).
enum Piece {
    Lit { text: String, raw: bool },
    Interp(Expr),
}

impl Builder<'_> {
    pub fn text(&mut self, p: P<'_>) -> TextLit {
        let span = self.span(&p);
        let Some(inner) = kids(p).next() else {
            return TextLit { parts: Vec::new(), long: false, span };
        };
        let long = inner.as_rule() == Rule::long_text;
        let mut pieces = Vec::new();
        for c in kids(inner) {
            match c.as_rule() {
                Rule::short_chunk | Rule::long_chunk => {
                    pieces.push(Piece::Lit { text: c.as_str().replace("\r\n", "\n"), raw: true })
                }
                Rule::escape => {
                    let text = self.unescape(&c);
                    pieces.push(Piece::Lit { text, raw: false });
                }
                Rule::interpolation => {
                    if let Some(e) = kids(c).next().and_then(|e| self.expr(e)) {
                        pieces.push(Piece::Interp(e));
                    }
                }
                _ => {}
            }
        }
        let parts = if long { dedent(pieces) } else { merge(vec![pieces]) };
        TextLit { parts, long, span }
    }

    fn unescape(&mut self, p: &P<'_>) -> String {
        let s = p.as_str();
        match s {
            "{{" => "{".into(),
            "\\\"" => "\"".into(),
            "\\\\" => "\\".into(),
            "\\n" => "\n".into(),
            "\\t" => "\t".into(),
            "\\r" => "\r".into(),
            "\\{" => "{".into(),
            "\\}" => "}".into(),
            _ => {
                let hex = s.trim_start_matches("\\u{").trim_end_matches('}');
                match u32::from_str_radix(hex, 16).ok().and_then(char::from_u32) {
                    Some(c) => c.to_string(),
                    None => {
                        let span = self.span(p);
                        self.diags.push(
                            crate::Diagnostic::error(
                                codes::INVALID_LITERAL,
                                format!("`{s}` is not a character"),
                                span,
                                "not a Unicode scalar value",
                            )
                            .with_help("a `\\u{…}` escape takes a hexadecimal code point up to `10FFFF`, outside `D800`–`DFFF`"),
                        );
                        String::new()
                    }
                }
            }
        }
    }
}

/// Joins lines (each a list of pieces) with newlines into merged text parts.
fn merge(lines: Vec<Vec<Piece>>) -> Vec<TextPart> {
    let mut parts: Vec<TextPart> = Vec::new();
    let mut first = true;
    for line in lines {
        if !first {
            push_lit(&mut parts, "\n");
        }
        first = false;
        for piece in line {
            match piece {
                Piece::Lit { text, .. } => push_lit(&mut parts, &text),
                Piece::Interp(e) => parts.push(TextPart::Interp(e)),
            }
        }
    }
    parts
}

fn push_lit(parts: &mut Vec<TextPart>, text: &str) {
    if text.is_empty() {
        return;
    }
    if let Some(TextPart::Lit(last)) = parts.last_mut() {
        last.push_str(text);
    } else {
        parts.push(TextPart::Lit(text.to_string()));
    }
}

/// `"""` text: split into source lines, drop a blank first and last line, remove the
/// indent all non-blank lines share, and make whitespace-only lines empty.
fn dedent(pieces: Vec<Piece>) -> Vec<TextPart> {
    let mut lines: Vec<Vec<Piece>> = vec![Vec::new()];
    for piece in pieces {
        match piece {
            Piece::Lit { text, raw: true } => {
                let mut segments = text.split('\n');
                if let Some(first) = segments.next() {
                    push_piece(&mut lines, first);
                }
                for seg in segments {
                    lines.push(Vec::new());
                    push_piece(&mut lines, seg);
                }
            }
            other => {
                if let Some(line) = lines.last_mut() {
                    line.push(other);
                }
            }
        }
    }
    if lines.len() > 1 && is_blank(&lines[0]) {
        lines.remove(0);
    }
    if lines.len() > 1 && lines.last().is_some_and(|l| is_blank(l)) {
        lines.pop();
    }
    let indent = lines.iter().filter(|l| !is_blank(l)).map(|l| leading_ws(l)).min().unwrap_or(0);
    for line in &mut lines {
        if is_blank(line) {
            line.clear();
        } else if let Some(Piece::Lit { text, raw: true }) = line.first_mut() {
            let cut: usize = text.chars().take(indent).map(char::len_utf8).sum();
            text.replace_range(..cut, "");
        }
    }
    merge(lines)
}

fn push_piece(lines: &mut [Vec<Piece>], text: &str) {
    if let Some(line) = lines.last_mut() {
        if !text.is_empty() {
            line.push(Piece::Lit { text: text.to_string(), raw: true });
        }
    }
}

/// A line is blank when it holds only literally written spaces and tabs.
fn is_blank(line: &[Piece]) -> bool {
    line.iter().all(|p| matches!(p, Piece::Lit { text, raw: true } if text.chars().all(|c| c == ' ' || c == '\t')))
}

fn leading_ws(line: &[Piece]) -> usize {
    match line.first() {
        Some(Piece::Lit { text, raw: true }) => text.chars().take_while(|c| *c == ' ' || *c == '\t').count(),
        _ => 0,
    }
}
