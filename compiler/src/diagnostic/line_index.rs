//! Byte offsets to 1-based lines and columns (columns count Unicode scalar values), the
//! form people and INTERFACES.md use; spans stay byte offsets everywhere else.

/// A 1-based line and column.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct LineCol {
    pub line: usize,
    pub column: usize,
}

/// The start offset of every line of one source.
#[derive(Clone, Debug)]
pub struct LineIndex {
    starts: Vec<usize>,
}

impl LineIndex {
    /// Lines end at `\n`, `\r\n` or a lone `\r`, as the grammar (and editors, and the
    /// rendered snippets) read them.
    pub fn new(source: &str) -> Self {
        let mut starts = vec![0];
        let bytes = source.as_bytes();
        for (i, b) in bytes.iter().enumerate() {
            let ends = *b == b'\n' || (*b == b'\r' && bytes.get(i + 1) != Some(&b'\n'));
            if ends {
                starts.push(i + 1);
            }
        }
        LineIndex { starts }
    }

    /// The line and column of a byte offset; an offset inside a character counts as that
    /// character, one past the end is allowed.
    pub fn line_col(&self, source: &str, offset: usize) -> LineCol {
        let offset = offset.min(source.len());
        let line = self.starts.partition_point(|&s| s <= offset) - 1;
        let start = self.starts[line];
        let column = source
            .get(start..offset)
            .map(|s| s.chars().count())
            .unwrap_or_else(|| source[start..].char_indices().take_while(|(i, _)| start + i < offset).count());
        LineCol { line: line + 1, column: column + 1 }
    }

    /// The byte offset of a 1-based line and column, clamped to the source.
    pub fn offset(&self, source: &str, at: LineCol) -> usize {
        let Some(&start) = self.starts.get(at.line.saturating_sub(1)) else {
            return source.len();
        };
        let line_end = self.starts.get(at.line).copied().unwrap_or(source.len());
        source[start..line_end]
            .char_indices()
            .nth(at.column.saturating_sub(1))
            .map(|(i, _)| start + i)
            .unwrap_or(line_end)
    }

    pub fn line_count(&self) -> usize {
        self.starts.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn columns_count_unicode_scalar_values() {
        let src = "ab\nçé x\n";
        let idx = LineIndex::new(src);
        assert_eq!(idx.line_col(src, 0), LineCol { line: 1, column: 1 });
        let x = src.find('x').unwrap();
        assert_eq!(idx.line_col(src, x), LineCol { line: 2, column: 4 });
        assert_eq!(idx.offset(src, LineCol { line: 2, column: 4 }), x);
    }

    #[test]
    fn a_lone_carriage_return_ends_a_line_as_a_newline_does() {
        for src in ["a\nb\nx", "a\r\nb\r\nx", "a\rb\rx", "a\r\nb\rx"] {
            let idx = LineIndex::new(src);
            let x = src.find('x').unwrap();
            assert_eq!(idx.line_col(src, x), LineCol { line: 3, column: 1 }, "{src:?}");
            assert_eq!(idx.offset(src, LineCol { line: 3, column: 1 }), x, "{src:?}");
        }
    }

    #[test]
    fn end_of_source_is_a_position() {
        let src = "a\n";
        let idx = LineIndex::new(src);
        assert_eq!(idx.line_col(src, 2), LineCol { line: 2, column: 1 });
    }
}
