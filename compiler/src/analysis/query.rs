//! Questions about a position: what is here (hover), where is it declared, where else is
//! it used, and what a rename changes.

use super::index::Symbol;
use super::words;
use super::Analysis;
use crate::check::functions;
use crate::check::types::Ty;
use crate::syntax::Span;

/// What hover shows: Markdown for the thing under the cursor, and its extent.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Hover {
    pub span: Span,
    pub markdown: String,
}

/// A place in a file of the analysis.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Location {
    pub file: String,
    pub span: Span,
}

/// Replace `span` in `file` with `text`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Edit {
    pub file: String,
    pub span: Span,
    pub text: String,
}

impl Analysis {
    /// The symbol at a position, as a use or as a declaration, with the span of the name.
    fn symbol_at(&self, file: &str, offset: usize) -> Option<(Symbol, Span, Option<Ty>)> {
        let id = self.file_id(file)?;
        if let Some(r) = self.index.at(id, offset) {
            return Some((r.symbol.clone(), r.span, r.ty.clone()));
        }
        self.index.def_at(id, offset).map(|(s, o)| (s.clone(), o.span, None))
    }

    fn location(&self, file: usize, span: Span) -> Option<Location> {
        Some(Location { file: self.files.get(file)?.name.clone(), span })
    }

    /// Hover: the kind, the type and the doc comment of the name under the cursor.
    pub fn hover(&self, file: &str, offset: usize) -> Option<Hover> {
        let Some((symbol, span, ty)) = self.symbol_at(file, offset) else {
            return self.keyword_hover(file, offset);
        };
        let model = &self.model_view();
        let ty_text = |t: &Ty| model.type_name(t);
        let (head, doc) = match &symbol {
            Symbol::Item(name) => {
                let (kind, detail, doc) = model.describe_item(name)?;
                (format!("{kind} {name}{detail}"), doc)
            }
            Symbol::Field { owner, name } => {
                let (field_ty, doc) = model.field(owner, name)?;
                (format!("{owner}.{name}: {field_ty}"), doc)
            }
            Symbol::Variant { owner, name } => (format!("{owner}.{name}"), model.variant_doc(owner, name)),
            Symbol::Binding { .. } => {
                let name = &self.files.get(self.file_id(file)?)?.source[span.range()];
                (format!("{name}: {}", ty.as_ref().map_or("?".into(), ty_text)), None)
            }
            Symbol::Function(name) => {
                let f = functions::lookup(name)?;
                let head = match words::signature(name) {
                    Some(signature) => signature.lines().map(|l| format!("fn {l}")).collect::<Vec<_>>().join("\n"),
                    None => format!("fn {name}(…)"),
                };
                (head, Some(f.doc.to_string()))
            }
            Symbol::Step { playbook, name } => (format!("step {name} of playbook {playbook}"), None),
        };
        let mut markdown = format!("```play\n{head}\n```");
        if let Some(doc) = doc.filter(|d| !d.is_empty()) {
            markdown.push_str("\n\n");
            markdown.push_str(&doc);
        }
        Some(Hover { span, markdown })
    }

    /// Where the name under the cursor is declared (in the project or the standard
    /// library).
    pub fn definition(&self, file: &str, offset: usize) -> Option<Location> {
        let (symbol, _, _) = self.symbol_at(file, offset)?;
        let origin = self.index.defs.get(&symbol)?;
        self.location(origin.file, origin.span)
    }

    /// Every use of the name under the cursor, and its declaration if asked for.
    pub fn references(&self, file: &str, offset: usize, include_declaration: bool) -> Vec<Location> {
        let Some((symbol, _, _)) = self.symbol_at(file, offset) else { return Vec::new() };
        let mut out: Vec<Location> = Vec::new();
        if include_declaration {
            if let Some(origin) = self.index.defs.get(&symbol) {
                out.extend(self.location(origin.file, origin.span));
            }
        }
        out.extend(self.index.uses(&symbol).filter_map(|r| self.location(r.file, r.span)));
        out.sort_by(|a, b| (a.file.as_str(), a.span.start).cmp(&(b.file.as_str(), b.span.start)));
        out.dedup_by(|a, b| a.file == b.file && a.span.range() == b.span.range());
        out
    }

    /// The edits that rename the name under the cursor everywhere it is used.
    pub fn rename(&self, file: &str, offset: usize, new_name: &str) -> Result<Vec<Edit>, String> {
        let Some((symbol, _, _)) = self.symbol_at(file, offset) else {
            return Err("there is nothing to rename here".into());
        };
        if matches!(symbol, Symbol::Function(_)) {
            return Err("built-in functions cannot be renamed".into());
        }
        if !is_identifier(new_name) {
            return Err(format!("`{new_name}` is not a name: use letters, digits and `_`, starting with a letter"));
        }
        let places = self.references(file, offset, true);
        if let Some(std) = places.iter().find(|l| self.file(&l.file).is_some_and(|f| f.stdlib)) {
            return Err(format!(
                "`{}` is declared in the standard library (`{}`), which cannot be changed",
                self.text(std),
                std.file
            ));
        }
        Ok(places.into_iter().map(|l| Edit { file: l.file, span: l.span, text: new_name.to_string() }).collect())
    }

    fn text(&self, l: &Location) -> &str {
        self.file(&l.file).and_then(|f| f.source.get(l.span.range())).unwrap_or("")
    }
}

fn is_identifier(name: &str) -> bool {
    let mut chars = name.chars();
    chars.next().is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
        && !matches!(name, "and" | "or" | "not" | "in" | "true" | "false")
}
