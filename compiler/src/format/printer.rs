//! The output buffer: indentation, blank lines, and putting every comment back in order.
//!
//! Comments are placed with one cursor that only moves forward through the file's
//! comments, so each is printed exactly once and in source order. A member of a block
//! takes, as lines above itself, the comments before it and the comments inside its
//! one-line part ([`Printer::begin`]); a comment on the source line where a member (or a
//! `{`) ends is printed after it on the same line ([`Printer::end_line`],
//! [`Printer::open`]); comments left before a closing `}` stay inside the block
//! ([`Printer::close`]); the rest go at the end of the file ([`Printer::finish`]).

use crate::syntax::ast::{Comment, Doc, Span};

/// The widest line a one-line form (an enum, a field-value list) may take.
pub const MAX_WIDTH: usize = 100;

/// Whitespace as the grammar sees it.
fn is_space(c: char) -> bool {
    matches!(c, ' ' | '\t' | '\r' | '\n' | '\u{FEFF}')
}

pub struct Printer<'a> {
    src: &'a str,
    /// The file's comments, by position.
    comments: Vec<&'a Comment>,
    /// The first comment not printed yet.
    next: usize,
    out: String,
    indent: usize,
    /// Where the last thing printed ended in the source; blank lines are looked for after it.
    last_end: usize,
    /// Right after `{` or at the start of the file, where no blank line may come.
    block_start: bool,
    /// Between items, where a blank line must come.
    want_blank: bool,
    /// Where in `out` each run of trailing comments starts (at its two-space gap).
    trailing_at: Vec<usize>,
}

impl<'a> Printer<'a> {
    pub fn new(src: &'a str, comments: &'a [Comment]) -> Self {
        let mut comments: Vec<&Comment> = comments.iter().collect();
        comments.sort_by_key(|c| c.span.start);
        Printer {
            src,
            comments,
            next: 0,
            out: String::new(),
            indent: 0,
            last_end: 0,
            block_start: true,
            want_blank: false,
            trailing_at: Vec::new(),
        }
    }

    /// How much has been written so far.
    pub fn len(&self) -> usize {
        self.out.len()
    }

    /// How many lines were ended since `len()` was `at`.
    pub fn newlines_since(&self, at: usize) -> usize {
        self.out.get(at..).map_or(0, |s| s.matches('\n').count())
    }

    /// Ends the current line and writes `s` on the next, one level deeper.
    pub fn continue_line(&mut self, s: &str) {
        self.newline();
        self.indent += 1;
        self.write(s);
        self.indent -= 1;
    }

    /// Prints the comments that are left and returns the text, with trailing comments on
    /// consecutive lines of one block aligned to one column.
    pub fn finish(mut self) -> String {
        self.comments_before(usize::MAX);
        align_trailing(&self.out, &self.trailing_at)
    }

    pub fn indent(&self) -> usize {
        self.indent
    }

    /// Asks for a blank line before whatever is printed next (items are spaced this way).
    pub fn want_blank(&mut self) {
        self.want_blank = true;
    }

    /// Whether `line`, written at the current indent, fits on one line.
    pub fn fits(&self, line: &str) -> bool {
        !line.contains('\n') && self.indent * 2 + line.chars().count() <= MAX_WIDTH
    }

    /// Writes text on the current line, indenting it first when the line is new. Text
    /// with newlines in it (long text) brings its own indentation.
    pub fn write(&mut self, s: &str) {
        if s.is_empty() {
            return;
        }
        if self.out.is_empty() || self.out.ends_with('\n') {
            for _ in 0..self.indent {
                self.out.push_str("  ");
            }
        }
        self.out.push_str(s);
    }

    fn newline(&mut self) {
        self.out.push('\n');
    }

    /// Before a new line for something that began at `at` in the source: a blank line
    /// when one is required, or when the source had one there.
    fn start_line(&mut self, at: usize) {
        if !self.block_start && (self.want_blank || self.blank_between(self.last_end, at)) {
            self.out.push('\n');
        }
        self.block_start = false;
        self.want_blank = false;
    }

    /// Whether the whitespace (and separating commas) that follow `from`, up to `to`,
    /// hold an empty line.
    fn blank_between(&self, from: usize, to: usize) -> bool {
        let Some(gap) = self.src.get(from..to) else { return false };
        gap.chars().take_while(|&c| is_space(c) || c == ',').filter(|&c| c == '\n').count() >= 2
    }

    fn peek(&self) -> Option<&'a Comment> {
        self.comments.get(self.next).copied()
    }

    /// Whether a comment not yet printed starts before `pos`.
    pub fn has_comment_before(&self, pos: usize) -> bool {
        self.peek().is_some_and(|c| c.span.start < pos)
    }

    /// Prints the comments that start before `pos`, each on its own line(s).
    pub fn comments_before(&mut self, pos: usize) {
        while let Some(c) = self.peek().filter(|c| c.span.start < pos) {
            self.start_line(c.span.start);
            self.write(comment_text(c));
            self.newline();
            self.last_end = self.last_end.max(c.span.end);
            self.next += 1;
        }
    }

    /// Starts a member that begins at `start`: the comments before `hoist_end` (those
    /// before the member and those inside its one-line part) on lines above it, then its
    /// doc comment. The member's first line is written next.
    pub fn begin(&mut self, start: usize, hoist_end: usize, doc: Option<&Doc>) {
        self.comments_before(hoist_end.max(start));
        self.start_line(start);
        if let Some(doc) = doc {
            for line in &doc.lines {
                self.write(&format!("///{}", line.trim_end()));
                self.newline();
            }
        }
    }

    /// Ends the line of a member that ends at `end` in the source, with the comments that
    /// follow it on the same source line.
    pub fn end_line(&mut self, end: usize) {
        self.last_end = self.last_end.max(end);
        self.trailing();
        self.newline();
    }

    /// Comments on the same source line as `last_end`, separated from it by nothing but
    /// spaces and commas.
    fn trailing(&mut self) {
        let mut first = true;
        while let Some(c) = self.peek() {
            let same_line = c.span.start >= self.last_end
                && self
                    .src
                    .get(self.last_end..c.span.start)
                    .is_some_and(|gap| gap.chars().all(|ch| matches!(ch, ' ' | '\t' | ',')));
            if !same_line {
                break;
            }
            if first {
                self.trailing_at.push(self.out.len());
            }
            self.out.push_str(if first { "  " } else { " " });
            self.out.push_str(comment_text(c));
            self.last_end = c.span.end;
            self.next += 1;
            first = false;
            if c.text.starts_with("//") {
                break;
            }
        }
    }

    /// After a header's ` {` (at `brace` in the source): the comments on the rest of that
    /// source line, the line end, and one level of indent for the members.
    pub fn open(&mut self, brace: usize) {
        self.last_end = self.last_end.max(brace + 1);
        self.trailing();
        self.newline();
        self.indent += 1;
        self.block_start = true;
    }

    /// Closes a block whose `}` is at `close` in the source: the comments left before it
    /// stay inside, then `}` at the outer indent. The caller ends the line.
    pub fn close(&mut self, close: usize) {
        self.comments_before(close);
        self.indent = self.indent.saturating_sub(1);
        self.block_start = false;
        self.want_blank = false;
        self.write("}");
        self.last_end = self.last_end.max(close + 1);
    }

    /// The end of a node without the whitespace and comments that the grammar may take
    /// into the span of a node ending in an optional part.
    pub fn end_of(&self, span: Span) -> usize {
        let mut end = span.end.min(self.src.len());
        loop {
            let text = self.src.get(span.start..end).unwrap_or("");
            end = span.start + text.trim_end_matches(is_space).len();
            // The comment the trimmed end falls in, if any (a `//` comment may itself end
            // in whitespace that the trim took).
            let before = self.comments.partition_point(|c| c.span.start < end);
            match before.checked_sub(1).map(|i| self.comments[i]) {
                Some(c) if c.span.start >= span.start && c.span.end >= end => end = c.span.start,
                _ => return end,
            }
        }
    }

    /// The `{` that opens a block after the header part ending at `from`: the first
    /// character before `limit` that is neither whitespace nor in a comment.
    pub fn brace(&self, from: usize, limit: usize) -> Option<usize> {
        let mut at = from;
        while at < limit {
            if let Ok(i) = self.comments.binary_search_by_key(&at, |c| c.span.start) {
                at = self.comments[i].span.end.max(at + 1);
                continue;
            }
            let c = self.src.get(at..)?.chars().next()?;
            match c {
                '{' => return Some(at),
                c if is_space(c) => at += c.len_utf8(),
                _ => return None,
            }
        }
        None
    }

    /// Where the `}` that ends a node (ending at `end`) is.
    pub fn close_of(&self, end: usize) -> usize {
        match end.checked_sub(1) {
            Some(i) if self.src.as_bytes().get(i) == Some(&b'}') => i,
            _ => end,
        }
    }
}

/// Pads the code before each trailing comment (starting at an offset in `marks`) so that
/// runs of consecutive lines with trailing comments, at one indent, align their comments.
fn align_trailing(out: &str, marks: &[usize]) -> String {
    // Each line, with the offset of its trailing comment if it has one.
    let mut lines: Vec<(&str, Option<usize>)> = Vec::new();
    let mut start = 0;
    let mut marks = marks.iter().peekable();
    for line in out.split_inclusive('\n') {
        let end = start + line.len();
        let mut mark = None;
        while let Some(&&m) = marks.peek() {
            if m >= end {
                break;
            }
            if m >= start {
                mark = Some(m - start);
            }
            marks.next();
        }
        lines.push((line, mark));
        start = end;
    }
    let indent = |l: &str| l.len() - l.trim_start_matches(' ').len();
    let mut result = String::with_capacity(out.len());
    let mut i = 0;
    while i < lines.len() {
        let Some(_) = lines[i].1 else {
            result.push_str(lines[i].0);
            i += 1;
            continue;
        };
        let mut j = i;
        while j < lines.len() && lines[j].1.is_some() && indent(lines[j].0) == indent(lines[i].0) {
            j += 1;
        }
        let width = lines[i..j].iter().filter_map(|(l, m)| m.map(|m| l[..m].chars().count())).max().unwrap_or(0);
        for (line, mark) in &lines[i..j] {
            let m = mark.unwrap_or(0);
            let code = &line[..m];
            result.push_str(code);
            result.push_str(&" ".repeat(width - code.chars().count() + 2));
            result.push_str(line[m..].trim_start_matches(' '));
        }
        i = j;
    }
    result
}

/// A comment as printed: exactly as written, so that parsing the output gives back the
/// same comments. (A `//` comment's trailing whitespace is therefore kept; the parser is
/// the place to drop it, so that the tree never holds it.)
fn comment_text(c: &Comment) -> &str {
    &c.text
}

#[cfg(test)]
mod tests {
    use super::*;

    fn comment(src: &str, text: &str) -> Comment {
        let start = src.find(text).unwrap_or(0);
        Comment { text: text.to_string(), span: Span::new(start, start + text.len()) }
    }

    #[test]
    fn end_of_drops_trailing_whitespace_and_comments() {
        let src = "wait 3d  // later  \n  /* more */\n\nstep";
        let comments = [comment(src, "// later  "), comment(src, "/* more */")];
        let p = Printer::new(src, &comments);
        assert_eq!(p.end_of(Span::new(0, 34)), 7);
    }

    #[test]
    fn brace_skips_comments_and_stops_at_other_text() {
        let src = "step a /* { */ {\n}";
        let comments = [comment(src, "/* { */")];
        let p = Printer::new(src, &comments);
        assert_eq!(p.brace(6, src.len()), Some(15));
        assert_eq!(p.brace(0, src.len()), None);
    }

    #[test]
    fn blank_lines_are_found_only_in_the_whitespace_that_follows() {
        let p = Printer::new("a\n\n  b\n\nc", &[]);
        assert!(p.blank_between(1, 6));
        assert!(!p.blank_between(4, 9));
        assert!(!p.blank_between(6, 1));
    }
}
