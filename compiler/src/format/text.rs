//! Text literals: `"…"` with escapes, and `"""…"""` laid out so that the parser's
//! dedenting gives back exactly the same value.

use super::expr::expr;
use crate::syntax::ast::{TextLit, TextPart};

/// Prints a text literal; `indent` is the indent level of the member that holds it
/// (long text goes one level deeper).
pub fn text(t: &TextLit, indent: usize) -> String {
    if t.long {
        long_text(t, indent)
    } else {
        short_text(t, indent)
    }
}

fn short_text(t: &TextLit, indent: usize) -> String {
    let mut out = String::from("\"");
    for part in &t.parts {
        match part {
            TextPart::Lit(s) => {
                for c in s.chars() {
                    match c {
                        '"' => out.push_str("\\\""),
                        '\n' => out.push_str("\\n"),
                        c => push_escaped(&mut out, c),
                    }
                }
            }
            TextPart::Interp(e) => interpolation(&mut out, e, indent),
        }
    }
    out.push('"');
    out
}

fn interpolation(out: &mut String, e: &crate::syntax::ast::Expr, indent: usize) {
    out.push('{');
    out.push_str(&expr(e, indent));
    out.push('}');
}

/// The escapes both kinds of text share: `\`, `{` and control characters.
fn push_escaped(out: &mut String, c: char) {
    match c {
        '\\' => out.push_str("\\\\"),
        '{' => out.push_str("{{"),
        '\t' => out.push_str("\\t"),
        '\r' => out.push_str("\\r"),
        c if c.is_control() => out.push_str(&format!("\\u{{{:02x}}}", u32::from(c))),
        c => out.push(c),
    }
}

/// One printed piece of a line of long text. Only `Raw` characters are written as
/// themselves, which is what the parser's dedenting looks at.
enum Piece {
    Raw(char),
    Escaped(String),
}

/// `"""`, a line break, each line of the value one level deeper than the member (empty
/// lines left empty), a line break, and `"""` at that same indent. The parser drops the
/// first and last (blank) lines and removes the common indent, which is the one added
/// here: a line whose value starts or ends with whitespace has that character escaped
/// where it would otherwise be taken for indentation or trailing space. An empty text is
/// just the two `"""` lines.
fn long_text(t: &TextLit, indent: usize) -> String {
    let quotes = literal_text(t).contains("\"\"\"");
    let mut lines: Vec<Vec<Piece>> = vec![Vec::new()];
    for part in &t.parts {
        match part {
            TextPart::Lit(s) => {
                for c in s.chars() {
                    let piece = match c {
                        '\n' => {
                            lines.push(Vec::new());
                            continue;
                        }
                        '"' if quotes => Piece::Escaped("\\\"".into()),
                        ' ' | '\t' | '"' => Piece::Raw(c),
                        c => {
                            let mut s = String::new();
                            push_escaped(&mut s, c);
                            if s.chars().count() == 1 {
                                Piece::Raw(c)
                            } else {
                                Piece::Escaped(s)
                            }
                        }
                    };
                    if let Some(line) = lines.last_mut() {
                        line.push(piece);
                    }
                }
            }
            TextPart::Interp(e) => {
                let mut s = String::new();
                interpolation(&mut s, e, indent + 1);
                if let Some(line) = lines.last_mut() {
                    line.push(Piece::Escaped(s));
                }
            }
        }
    }
    for line in &mut lines {
        if let Some(last) = line.last_mut() {
            escape_space(last);
        }
    }
    let starts_with_space = |line: &Vec<Piece>| matches!(line.first(), Some(Piece::Raw(' ' | '\t')));
    let written = lines.iter().any(|l| !l.is_empty());
    if written && lines.iter().filter(|l| !l.is_empty()).all(starts_with_space) {
        if let Some(first) = lines.iter_mut().find(|l| !l.is_empty()).and_then(|l| l.first_mut()) {
            escape_space(first);
        }
    }
    let pad = "  ".repeat(indent + 1);
    if matches!(lines.as_slice(), [line] if line.is_empty()) {
        return format!("\"\"\"\n{pad}\"\"\"");
    }
    let mut out = String::from("\"\"\"\n");
    for line in &lines {
        if !line.is_empty() {
            out.push_str(&pad);
            for piece in line {
                match piece {
                    Piece::Raw(c) => out.push(*c),
                    Piece::Escaped(s) => out.push_str(s),
                }
            }
        }
        out.push('\n');
    }
    out.push_str(&pad);
    out.push_str("\"\"\"");
    out
}

/// A space or tab written as an escape, so that it is neither indentation nor trailing
/// whitespace.
fn escape_space(piece: &mut Piece) {
    match piece {
        Piece::Raw(' ') => *piece = Piece::Escaped("\\u{20}".into()),
        Piece::Raw('\t') => *piece = Piece::Escaped("\\t".into()),
        _ => {}
    }
}

/// The literal parts, with a line break where an interpolation is (so that no `"""` is
/// seen across one).
fn literal_text(t: &TextLit) -> String {
    let mut s = String::new();
    for part in &t.parts {
        match part {
            TextPart::Lit(l) => s.push_str(l),
            TextPart::Interp(_) => s.push('\n'),
        }
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::syntax::ast::Span;

    fn lit(long: bool, s: &str) -> TextLit {
        TextLit { parts: vec![TextPart::Lit(s.into())], long, span: Span::default() }
    }

    #[test]
    fn short_text_escapes_quotes_braces_and_control_characters() {
        let t = lit(false, "a \"b\" {c} \\ \n\t\r\u{1b}\u{7f}");
        assert_eq!(text(&t, 0), r#""a \"b\" {{c} \\ \n\t\r\u{1b}\u{7f}""#);
    }

    #[test]
    fn long_text_is_indented_one_level_deeper_than_its_member() {
        let t = lit(true, "Hi,\n\nBye {x}");
        assert_eq!(text(&t, 1), "\"\"\"\n    Hi,\n\n    Bye {{x}\n    \"\"\"");
    }

    #[test]
    fn long_text_escapes_edge_whitespace_that_dedenting_would_take() {
        let t = lit(true, "  a\n  b \n");
        assert_eq!(text(&t, 0), "\"\"\"\n  \\u{20} a\n    b\\u{20}\n\n  \"\"\"");
    }

    #[test]
    fn empty_long_text_is_two_lines_of_quotes() {
        assert_eq!(text(&lit(true, ""), 0), "\"\"\"\n  \"\"\"");
        assert_eq!(text(&lit(true, "\n"), 0), "\"\"\"\n\n\n  \"\"\"");
    }

    #[test]
    fn long_text_escapes_quotes_only_when_it_holds_three_in_a_row() {
        assert_eq!(text(&lit(true, "say \"hi\""), 0), "\"\"\"\n  say \"hi\"\n  \"\"\"");
        assert_eq!(text(&lit(true, "a \"\"\" b"), 0), "\"\"\"\n  a \\\"\\\"\\\" b\n  \"\"\"");
    }
}
