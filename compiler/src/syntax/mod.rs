//! Source text to syntax tree. Parsing never fails: it returns the tree, with error nodes
//! where text did not parse, and a diagnostic for each.
//!
//! The steps: [`scan`] splits the file into item chunks (and refuses absurd nesting),
//! pest parses each chunk with `grammar/play.pest`, [`build`] turns pairs into the typed
//! tree, and [`explain`] words a diagnostic for every error node.

pub mod ast;
mod build;
mod explain;
mod expr;
mod grammar;
mod scan;
mod span;

pub use scan::starts_item;
pub use span::Span;

use pest::Parser;

use crate::diagnostic::{codes, Diagnostic};
use ast::{Comment, ErrorNode, SourceFile};
use grammar::{PlayParser, Rule};

/// The result of parsing one file.
#[derive(Clone, Debug)]
pub struct Parse {
    pub file: SourceFile,
    pub diagnostics: Vec<Diagnostic>,
}

impl Parse {
    pub fn has_errors(&self) -> bool {
        self.diagnostics.iter().any(Diagnostic::is_error)
    }
}

/// Chunks nested deeper than this are parsed on a thread with a large stack: pest and
/// the tree builder recurse once per bracket, with big frames in debug builds.
const DEEP_CHUNK: usize = 8;
const DEEP_STACK: usize = 256 << 20;

/// Parses one file's source.
pub fn parse(source: &str) -> Parse {
    let mut file = SourceFile::default();
    let mut diagnostics = Vec::new();
    for chunk in scan::chunks(source) {
        let part = if chunk.max_depth > DEEP_CHUNK && chunk.too_deep.is_none() {
            on_big_stack(|| parse_chunk(source, &chunk))
        } else {
            parse_chunk(source, &chunk)
        };
        file.items.extend(part.file.items);
        file.errors.extend(part.file.errors);
        file.comments.extend(part.file.comments);
        diagnostics.extend(part.diagnostics);
    }
    diagnostics.sort_by_key(|d| (d.primary.span.start, d.primary.span.end));
    Parse { file, diagnostics }
}

/// Runs `f` on a scoped thread with a large stack, or here if no thread can be made.
fn on_big_stack<T: Send>(f: impl FnOnce() -> T + Send + Copy) -> T {
    std::thread::scope(|scope| match std::thread::Builder::new().stack_size(DEEP_STACK).spawn_scoped(scope, f) {
        Ok(handle) => handle.join().unwrap_or_else(|panic| std::panic::resume_unwind(panic)),
        Err(_) => f(),
    })
}

/// Parses one item chunk of a file.
fn parse_chunk(source: &str, chunk: &scan::Chunk) -> Parse {
    let mut file = SourceFile::default();
    let mut diagnostics = Vec::new();
    let base = chunk.range.start;
    // An unterminated `/*` or `"""` makes the rest of the chunk comment or text; parsing
    // stops there, so that no rule scans that rest again and again.
    let end = chunk
        .lexical
        .iter()
        .find_map(|l| match l {
            scan::Lexical::UnterminatedComment { at } | scan::Lexical::UnterminatedText { at, long: true } => Some(*at),
            _ => None,
        })
        .unwrap_or(chunk.range.end);
    let text = &source[chunk.range.start..end];
    let whole = build::trim_end(source, Span::new(chunk.range.start, chunk.range.end));
    if let Some(at) = chunk.too_deep {
        diagnostics.push(
            Diagnostic::error(codes::TOO_DEEP, "brackets are nested too deeply", Span::new(at, at + 1), "too deep")
                .with_help(format!(
                    "play accepts up to {} levels of nesting; split the expression up",
                    scan::MAX_DEPTH
                )),
        );
        file.errors.push(ErrorNode { span: whole });
        return Parse { file, diagnostics };
    }
    let root = match PlayParser::parse(Rule::file, text) {
        Ok(mut pairs) => pairs.next(),
        Err(_) => None,
    };
    let Some(root) = root else {
        // The catch-all rules match any text, so this is pest refusing to go on (its
        // stack guard); say so rather than guess.
        diagnostics.push(
            Diagnostic::error(codes::TOO_DEEP, "this item is too complex to parse", whole, "too complex")
                .with_help("split deeply nested expressions or text into smaller pieces"),
        );
        file.errors.push(ErrorNode { span: whole });
        return Parse { file, diagnostics };
    };
    file.comments = root
        .clone()
        .into_inner()
        .flatten()
        .filter(|p| p.as_rule() == Rule::COMMENT)
        .map(|p| {
            let s = p.as_span();
            // A line comment's trailing spaces are not part of what it says.
            let text = if p.as_str().starts_with("//") { p.as_str().trim_end() } else { p.as_str() };
            Comment { text: text.to_string(), span: Span::new(base + s.start(), base + s.end()) }
        })
        .collect();
    let mut builder = build::Builder {
        src: source,
        base,
        diags: Vec::new(),
        comments: file.comments.iter().map(|c| (c.span.start, c.span.end)).collect(),
        expr_level: 0,
        reported_deep: false,
    };
    builder.file(root, &mut file);
    if end < chunk.range.end {
        file.errors.push(ErrorNode { span: build::trim_end(source, Span::new(end, chunk.range.end)) });
    }
    // What the scan saw directly explains the parser's errors after it better than they
    // do themselves, so those are left out.
    if let Some(first) = chunk.lexical.first() {
        builder.diags.retain(|d| d.primary.span.end <= first.at());
        diagnostics.extend(chunk.lexical.iter().map(|l| explain::lexical(*l)));
    }
    diagnostics.append(&mut builder.diags);
    Parse { file, diagnostics }
}
