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
        if let Some(line) = decode(part) {
            return Some((i + 1, line));
        }
    })
}

/// Calls `each` with every line of a change file read from `reader` as it goes, numbered
/// from 1, blank lines left out: the same lines as [`lines`] gives for the whole file, with
/// only one line in memory at a time.
pub fn each_line(
    mut reader: impl std::io::BufRead,
    mut each: impl FnMut(usize, Result<&str, Rejection>),
) -> std::io::Result<()> {
    let mut buf = Vec::new();
    let mut number = 0;
    loop {
        buf.clear();
        if reader.read_until(b'\n', &mut buf)? == 0 {
            return Ok(());
        }
        number += 1;
        let mut part = buf.strip_suffix(b"\n").unwrap_or(&buf);
        if number == 1 {
            part = part.strip_prefix(BOM).unwrap_or(part);
        }
        if let Some(line) = decode(part) {
            each(number, line);
        }
    }
}

/// One line's bytes (its `\n` taken off) as text: `None` when it is blank, refused when it
/// is not UTF-8.
fn decode(part: &[u8]) -> Option<Result<&str, Rejection>> {
    let part = part.strip_suffix(b"\r").unwrap_or(part);
    let line = std::str::from_utf8(part).map_err(|e| {
        Rejection::line(format!(
            "the line is not UTF-8 text: byte {} cannot be read as a character (save the file as UTF-8)",
            e.valid_up_to() + 1
        ))
    });
    match line {
        Ok(text) if text.trim().is_empty() => None,
        line => Some(line),
    }
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
    fn reading_as_it_goes_gives_the_same_lines_as_reading_the_whole_file() {
        for bytes in [&b"\xef\xbb\xbfa\r\n\n  \nb\n"[..], b"a", b"", b"a\n{\"x\":\"\xff\"}\nb", b"\n\n\xef\xbb\xbfc"] {
            let mut streamed = Vec::new();
            each_line(bytes, |n, l| streamed.push((n, l.map(str::to_owned).map_err(|r| r.message))))
                .expect("reading from memory");
            let whole: Vec<_> = read(bytes).into_iter().map(|(n, l)| (n, l.map(str::to_owned))).collect();
            assert_eq!(streamed, whole, "{bytes:?}");
        }
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
