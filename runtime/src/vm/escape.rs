//! Escaping interpolated values for the channel a text is delivered on (an email's HTML
//! part, a Slack message), as they are written out.

/// How a text's interpolated values are escaped for the channel it is delivered on; the
/// text written in the source is kept as it is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Escape {
    /// An email's HTML part: `&`, `<`, `>`, `"` and `'` become entities.
    Html,
    /// A Slack message: `&`, `<` and `>` become `&amp;`, `&lt;` and `&gt;`, so that no value
    /// makes a link or a mention.
    Slack,
}

impl Escape {
    /// Writes `text` escaped: the runs between the characters to escape are copied
    /// whole.
    pub fn write(self, text: &str, out: &mut String) {
        let mut from = 0;
        for (at, c) in text.char_indices() {
            let entity = match (c, self) {
                ('&', _) => "&amp;",
                ('<', _) => "&lt;",
                ('>', _) => "&gt;",
                ('"', Escape::Html) => "&quot;",
                ('\'', Escape::Html) => "&#39;",
                _ => continue,
            };
            out.push_str(&text[from..at]);
            out.push_str(entity);
            // Each escaped character is one byte.
            from = at + 1;
        }
        out.push_str(&text[from..]);
    }
}

/// A writer that escapes what is written to it, so that a value is escaped as it is
/// written out, without a text of its own first.
pub(super) struct Escaping<'o> {
    pub(super) escape: Escape,
    pub(super) out: &'o mut String,
}

impl std::fmt::Write for Escaping<'_> {
    fn write_str(&mut self, s: &str) -> std::fmt::Result {
        self.escape.write(s, self.out);
        Ok(())
    }
}
