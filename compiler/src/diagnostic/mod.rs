//! Diagnostics as plain data: a stable code, a primary label, secondary labels, help and
//! an optional machine-applicable fix. Rendering lives in [`render`]; wording lives with
//! the phase that reports (see `syntax::explain` for syntax errors).

pub mod codes;
pub mod line_index;
pub mod render;

use crate::syntax::Span;

pub use line_index::{LineCol, LineIndex};

/// The most characters of user text a message repeats.
pub const CLIP: usize = 60;

/// User text cut to what a message can carry: at most [`CLIP`] characters, with `…` where
/// it was cut. Every message that repeats user text (a name, a literal, a token) goes
/// through here, so a megabyte token gives a short message.
pub fn clip(text: &str) -> std::borrow::Cow<'_, str> {
    match text.char_indices().nth(CLIP) {
        None => std::borrow::Cow::Borrowed(text),
        Some((end, _)) => std::borrow::Cow::Owned(format!("{}…", &text[..end])),
    }
}

/// A message with every backticked part (where user text goes) cut by [`clip`]. The
/// constructors and builders of [`Diagnostic`] pass every message, label and help
/// through here, so no user text reaches an output whole, however it was formatted.
pub fn clip_quoted(message: String) -> String {
    if message.len() <= CLIP {
        return message;
    }
    let mut out = String::with_capacity(message.len().min(4 * CLIP));
    let mut rest = message.as_str();
    let mut quoted = false;
    while let Some(at) = rest.find('`') {
        let part = &rest[..at];
        out.push_str(if quoted { clip(part) } else { std::borrow::Cow::Borrowed(part) }.as_ref());
        out.push('`');
        quoted = !quoted;
        rest = &rest[at + 1..];
    }
    out.push_str(if quoted { clip(rest) } else { std::borrow::Cow::Borrowed(rest) }.as_ref());
    out
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Severity {
    Error,
    Warning,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
        }
    }
}

/// A span with a short message shown beside it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Label {
    pub span: Span,
    pub message: String,
}

/// Replace the text at `span` with `replacement`: the fix a help line suggests.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Fix {
    pub span: Span,
    pub replacement: String,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Diagnostic {
    /// A stable code such as `play::E0101`.
    pub code: &'static str,
    pub severity: Severity,
    /// Lowercase, no final period, user input in backticks.
    pub message: String,
    pub primary: Label,
    pub secondary: Vec<Label>,
    pub help: Option<String>,
    pub fix: Option<Fix>,
}

impl Diagnostic {
    pub fn error(code: &'static str, message: impl Into<String>, span: Span, label: impl Into<String>) -> Self {
        Diagnostic {
            code,
            severity: Severity::Error,
            message: clip_quoted(message.into()),
            primary: Label { span, message: clip_quoted(label.into()) },
            secondary: Vec::new(),
            help: None,
            fix: None,
        }
    }

    pub fn warning(code: &'static str, message: impl Into<String>, span: Span, label: impl Into<String>) -> Self {
        Diagnostic { severity: Severity::Warning, ..Diagnostic::error(code, message, span, label) }
    }

    pub fn with_help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(clip_quoted(help.into()));
        self
    }

    pub fn with_secondary(mut self, span: Span, message: impl Into<String>) -> Self {
        self.secondary.push(Label { span, message: clip_quoted(message.into()) });
        self
    }

    pub fn with_fix(mut self, span: Span, replacement: impl Into<String>) -> Self {
        self.fix = Some(Fix { span, replacement: replacement.into() });
        self
    }

    pub fn span(&self) -> Span {
        self.primary.span
    }

    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }
}
