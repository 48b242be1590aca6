//! A change file's lines, from its bytes: split at `\n` (a `\r` before it is dropped), a
//! byte-order mark at the very start of the file set aside (spreadsheet and Windows tools
//! write one), and a line that is not UTF-8 refused on its own — never decoded with
//! replacement characters and stored.

use super::Rejection;

const BOM: &[u8] = b"\xef\xbb\xbf";

/// The lines of a change file, numbered from 1; blank lines are left out.
pub fn lines(bytes: &[u8]) -> impl Iterator<Item = (usize, Result<&str, Rejection>)> {
    let bytes = bytes.strip_prefix(BOM).unwrap_or(bytes);
    let mut parts = bytes.split(|b| *b == b'\n').enumerate().peekable();
    std::iter::from_fn(move || loop {
        let (i, part) = parts.next()?;
        // The empty piece after a final newline is not a line.
        if part.is_empty() && parts.peek().is_none() {
            return None;
        }
        let part = part.strip_suffix(b"\r").unwrap_or(part);
        let line = std::str::from_utf8(part).map_err(|e| {
            Rejection::line(format!(
                "the line is not UTF-8 text: byte {} cannot be read as a character (save the file as UTF-8)",
                e.valid_up_to() + 1
            ))
        });
        if matches!(line, Ok(text) if text.trim().is_empty()) {
            continue;
        }
        return Some((i + 1, line));
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(bytes: &[u8]) -> Vec<(usize, Result<&str, String>)> {
        lines(bytes).map(|(n, l)| (n, l.map_err(|r| r.message))).collect()
    }

    #[test]
    fn lines_are_numbered_and_blank_ones_skipped() {
        assert_eq!(read(b"\xef\xbb\xbfa\r\n\n  \nb\n"), [(1, Ok("a")), (4, Ok("b"))]);
        assert_eq!(read(b"a"), [(1, Ok("a"))]);
        assert_eq!(read(b""), []);
    }

    #[test]
    fn a_line_that_is_not_utf8_is_refused_alone() {
        let lines = read(b"a\n{\"x\":\"\xff\"}\nb");
        assert_eq!(lines[0], (1, Ok("a")));
        assert_eq!(
            lines[1],
            (
                2,
                Err("the line is not UTF-8 text: byte 7 cannot be read as a character (save the file as UTF-8)".into())
            )
        );
        assert_eq!(lines[2], (3, Ok("b")));
    }
}
