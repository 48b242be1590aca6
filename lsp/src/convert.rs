//! The edge between the compiler's byte offsets and LSP positions (0-based lines, columns
//! in UTF-16 code units), and between file paths and URIs. Nothing else converts.

use std::path::{Path, PathBuf};

use play_compiler::syntax::Span;
use tower_lsp::lsp_types::{Position, Range, Url};

/// Where each line of one text starts, for converting in both directions.
#[derive(Clone, Debug)]
pub struct LineMap {
    starts: Vec<usize>,
}

impl LineMap {
    /// Lines end at `\n`, `\r\n` or a lone `\r`, as LSP and the compiler count them.
    pub fn new(text: &str) -> Self {
        let b = text.as_bytes();
        let mut starts = vec![0];
        starts.extend(
            (0..b.len()).filter(|&i| b[i] == b'\n' || (b[i] == b'\r' && b.get(i + 1) != Some(&b'\n'))).map(|i| i + 1),
        );
        LineMap { starts }
    }

    /// The position of a byte offset. An offset past the end is the end; an offset inside a
    /// character is that character's start.
    pub fn position(&self, text: &str, offset: usize) -> Position {
        let mut offset = offset.min(text.len());
        while !text.is_char_boundary(offset) {
            offset -= 1;
        }
        let line = self.starts.partition_point(|&s| s <= offset).saturating_sub(1);
        let start = self.starts.get(line).copied().unwrap_or(0);
        let column: usize = text.get(start..offset).map_or(0, |s| s.chars().map(char::len_utf16).sum());
        Position { line: saturate(line), character: saturate(column) }
    }

    /// The byte offset of a position, clamped the way LSP asks: a column past the end of
    /// its line is the line's end, a line past the end of the text is the text's end, and
    /// a column inside a surrogate pair is the start of that character.
    pub fn offset(&self, text: &str, position: Position) -> usize {
        let Some(&start) = self.starts.get(position.line as usize) else {
            return text.len();
        };
        let end = self.starts.get(position.line as usize + 1).map_or(text.len(), |&next| next - 1);
        let line = text.get(start..end).unwrap_or("");
        // A `\r\n` ending is not part of the line's columns.
        let line = line.strip_suffix('\r').unwrap_or(line);
        let wanted = position.character as usize;
        let mut units = 0;
        for (i, c) in line.char_indices() {
            if units + c.len_utf16() > wanted {
                return start + i;
            }
            units += c.len_utf16();
        }
        start + line.len()
    }

    pub fn range(&self, text: &str, span: Span) -> Range {
        Range { start: self.position(text, span.start), end: self.position(text, span.end.max(span.start)) }
    }

    pub fn span(&self, text: &str, range: Range) -> Span {
        let start = self.offset(text, range.start);
        let end = self.offset(text, range.end);
        Span::new(start.min(end), start.max(end))
    }

    /// The 0-based line of a byte offset.
    pub fn line(&self, offset: usize) -> usize {
        self.starts.partition_point(|&s| s <= offset).saturating_sub(1)
    }
}

fn saturate(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

/// The URI of a file on disk.
pub fn url_of_path(path: &Path) -> Option<Url> {
    Url::from_file_path(path).ok()
}

/// The path of a `file:` URI; other schemes (`untitled:`) have none.
pub fn path_of_url(url: &Url) -> Option<PathBuf> {
    if url.scheme() != "file" {
        return None;
    }
    url.to_file_path().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pos(line: u32, character: u32) -> Position {
        Position { line, character }
    }

    fn round_trip(text: &str) {
        let map = LineMap::new(text);
        for (offset, _) in text.char_indices().chain([(text.len(), ' ')]) {
            let p = map.position(text, offset);
            assert_eq!(map.offset(text, p), offset, "offset {offset} -> {p:?} in {text:?}");
        }
    }

    #[test]
    fn ascii_columns_are_bytes() {
        let text = "ab\ncd\n";
        let map = LineMap::new(text);
        assert_eq!(map.position(text, 4), pos(1, 1));
        assert_eq!(map.offset(text, pos(1, 1)), 4);
        assert_eq!(map.position(text, text.len()), pos(2, 0));
        round_trip(text);
    }

    #[test]
    fn non_ascii_counts_utf16_units_not_bytes() {
        // `é` is two bytes and one UTF-16 unit.
        let text = "é x\n";
        let map = LineMap::new(text);
        let x = text.find('x').unwrap_or_default();
        assert_eq!(map.position(text, x), pos(0, 2));
        assert_eq!(map.offset(text, pos(0, 2)), x);
        round_trip(text);
    }

    #[test]
    fn astral_characters_are_two_units() {
        // `🎉` is four bytes and a surrogate pair.
        let text = "a🎉b\n\"🎉\" x";
        let map = LineMap::new(text);
        let b = text.find('b').unwrap_or_default();
        assert_eq!(map.position(text, b), pos(0, 3));
        assert_eq!(map.offset(text, pos(0, 3)), b);
        let x = text.find('x').unwrap_or_default();
        assert_eq!(map.position(text, x), pos(1, 5));
        round_trip(text);
    }

    #[test]
    fn a_column_inside_a_surrogate_pair_is_the_characters_start() {
        let text = "a🎉b";
        let map = LineMap::new(text);
        assert_eq!(map.offset(text, pos(0, 2)), 1);
    }

    #[test]
    fn an_offset_inside_a_character_is_its_start() {
        let text = "a🎉b";
        let map = LineMap::new(text);
        assert_eq!(map.position(text, 3), pos(0, 1));
    }

    #[test]
    fn positions_past_the_end_are_clamped() {
        let text = "ab\ncd";
        let map = LineMap::new(text);
        assert_eq!(map.offset(text, pos(0, 99)), 2);
        assert_eq!(map.offset(text, pos(7, 0)), text.len());
        assert_eq!(map.position(text, 999), pos(1, 2));
    }

    #[test]
    fn a_lone_carriage_return_ends_a_line() {
        let text = "ab\rcd\r\ne";
        let map = LineMap::new(text);
        assert_eq!(map.position(text, 3), pos(1, 0));
        assert_eq!(map.position(text, 7), pos(2, 0));
        assert_eq!(map.offset(text, pos(0, 5)), 2);
        assert_eq!(map.offset(text, pos(1, 1)), 4);
    }

    #[test]
    fn crlf_line_ends_are_not_columns() {
        let text = "ab\r\ncd";
        let map = LineMap::new(text);
        assert_eq!(map.offset(text, pos(0, 5)), 2);
        assert_eq!(map.offset(text, pos(1, 1)), 5);
    }

    #[test]
    fn spans_and_ranges_convert_both_ways() {
        let text = "é\n🎉 name";
        let map = LineMap::new(text);
        let start = text.find("name").unwrap_or_default();
        let span = Span::new(start, start + 4);
        let range = map.range(text, span);
        assert_eq!(range, Range { start: pos(1, 3), end: pos(1, 7) });
        assert_eq!(map.span(text, range).range(), span.range());
    }

    #[test]
    fn empty_text_has_one_line() {
        let map = LineMap::new("");
        assert_eq!(map.position("", 0), pos(0, 0));
        assert_eq!(map.offset("", pos(3, 3)), 0);
    }
}
