//! Renders diagnostics the way a person reads them, through miette: the source, the
//! labels under it, and the help line.

use std::fmt;

use miette::{
    GraphicalReportHandler, GraphicalTheme, LabeledSpan, MietteError, MietteSpanContents, SourceCode, SourceSpan,
    SpanContents,
};

use super::{Diagnostic, Severity};

/// One diagnostic bound to the source it points into, as miette wants it.
struct Report<'a> {
    diagnostic: &'a Diagnostic,
    source: CharColumns<'a>,
    /// Whether the source lines are short enough to show.
    snippet: bool,
}

/// The most bytes of source lines a rendering shows; longer, it gives the place alone.
const SNIPPET: usize = 2_000;

/// A named source whose `file:line:column` header counts columns in Unicode scalar
/// values, as every other output of Play does (miette counts bytes).
struct CharColumns<'a> {
    name: &'a str,
    text: &'a str,
}

impl SourceCode for CharColumns<'_> {
    fn read_span<'b>(
        &'b self,
        span: &SourceSpan,
        before: usize,
        after: usize,
    ) -> Result<Box<dyn SpanContents<'b> + 'b>, MietteError> {
        let contents = self.text.read_span(span, before, after)?;
        let mut column = contents.column();
        if before == 0 && after == 0 {
            // Without context lines miette asks only for the header's position.
            let offset = span.offset().min(self.text.len());
            let line_start = self.text[..offset].rfind(['\n', '\r']).map_or(0, |i| i + 1);
            column = self.text.get(line_start..offset).map_or(column, |s| s.chars().count());
        }
        Ok(Box::new(MietteSpanContents::new_named(
            self.name.to_string(),
            contents.data(),
            *contents.span(),
            contents.line(),
            column,
            contents.line_count(),
        )))
    }
}

impl fmt::Debug for Report<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.diagnostic.message)
    }
}

impl fmt::Display for Report<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.diagnostic.message)
    }
}

impl std::error::Error for Report<'_> {}

impl miette::Diagnostic for Report<'_> {
    fn code<'b>(&'b self) -> Option<Box<dyn fmt::Display + 'b>> {
        Some(Box::new(self.diagnostic.code))
    }

    fn severity(&self) -> Option<miette::Severity> {
        Some(match self.diagnostic.severity {
            Severity::Error => miette::Severity::Error,
            Severity::Warning => miette::Severity::Warning,
        })
    }

    fn help<'b>(&'b self) -> Option<Box<dyn fmt::Display + 'b>> {
        self.diagnostic.help.as_ref().map(|h| Box::new(h) as Box<dyn fmt::Display>)
    }

    fn source_code(&self) -> Option<&dyn SourceCode> {
        self.snippet.then_some(&self.source as &dyn SourceCode)
    }

    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        if !self.snippet {
            return None;
        }
        let d = self.diagnostic;
        let primary = LabeledSpan::new_primary_with_span(Some(d.primary.message.clone()), d.primary.span);
        let secondary = d.secondary.iter().map(|l| LabeledSpan::new_with_span(Some(l.message.clone()), l.span));
        Some(Box::new(std::iter::once(primary).chain(secondary)))
    }
}

/// How to draw: colours and Unicode for a terminal, plain ASCII-safe text for files and
/// snapshots.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Style {
    Color,
    Plain,
}

/// Renders one diagnostic against its file's name and source.
pub fn render(diagnostic: &Diagnostic, file_name: &str, source: &str, style: Style) -> String {
    let theme = match style {
        Style::Color => GraphicalTheme::unicode(),
        Style::Plain => GraphicalTheme::unicode_nocolor(),
    };
    let handler = GraphicalReportHandler::new_themed(theme).with_width(100).with_links(false);
    // miette knows `\n` and `\r\n` only: a lone `\r` becomes `\n` (one byte for one, so
    // every offset stays), and the snippet shows the lines the grammar and `LineIndex` see.
    let unified;
    let source = if has_lone_cr(source) {
        unified = lone_cr_as_newline(source);
        unified.as_str()
    } else {
        source
    };
    let snippet = snippet_len(diagnostic, source) <= SNIPPET;
    let text = source;
    let source = CharColumns { name: file_name, text: source };
    let report = Report { diagnostic, source, snippet };
    let mut out = String::new();
    if handler.render_report(&mut out, &report).is_err() {
        // Rendering into a String cannot fail on IO; fall back to the bare message.
        out = format!("{}: {} [{}]\n", diagnostic.severity.as_str(), diagnostic.message, diagnostic.code);
    }
    if !snippet {
        // Lines too long to show (a megabyte token): the place and the label instead.
        let at = super::LineIndex::new(text).line_col(text, diagnostic.primary.span.start);
        let label = &diagnostic.primary.message;
        let place = format!("  at {file_name}:{}:{}: {label}\n", at.line, at.column);
        match out.find("\n  help:") {
            Some(i) => out.insert_str(i + 1, &place),
            None => out.push_str(&place),
        }
    }
    out
}

fn has_lone_cr(source: &str) -> bool {
    let b = source.as_bytes();
    b.iter().enumerate().any(|(i, c)| *c == b'\r' && b.get(i + 1) != Some(&b'\n'))
}

fn lone_cr_as_newline(source: &str) -> String {
    let b = source.as_bytes();
    let mut out = String::with_capacity(source.len());
    for (i, c) in source.char_indices() {
        out.push(if c == '\r' && b.get(i + 1) != Some(&b'\n') { '\n' } else { c });
    }
    out
}

/// How many bytes the lines a rendering shows take: those of every label, and one line
/// of context either side.
fn snippet_len(d: &Diagnostic, source: &str) -> usize {
    let spans = std::iter::once(&d.primary).chain(&d.secondary).map(|l| l.span);
    let (start, end) = spans.fold((usize::MAX, 0), |(s, e), span| (s.min(span.start), e.max(span.end)));
    let (start, end) = (start.min(source.len()), end.min(source.len()).max(start.min(source.len())));
    let before = source[..start].rfind('\n').map_or(0, |i| i);
    let before = source[..before].rfind('\n').map_or(0, |i| i + 1);
    let after = source[end..].find('\n').map_or(source.len(), |i| end + i + 1);
    let after = source[after.min(source.len())..].find('\n').map_or(source.len(), |i| after + i);
    after.saturating_sub(before)
}
