//! Lowering: a checked project becomes a [`Program`]. Names are resolved to slots and
//! indexes here, using the types the checker recorded for every expression, so nothing
//! is looked up by name at run time.

mod constant;
mod expr;
mod index;
pub(crate) use index::build as trigger_index;
mod playbook;
mod test;

use std::collections::HashMap;

use crate::check::model::{ItemKind, Model};
use crate::check::types::Ty;
use crate::check::{ExprTypes, Input};
use crate::diagnostic::{Diagnostic, LineIndex};
use crate::program::*;
use crate::syntax::ast;
use crate::syntax::Span;

/// Parses, checks and lowers a project given as `(name, source)` pairs. A project with
/// errors gives its diagnostics (one list per file, syntax first) instead of a program.
pub fn build(sources: &[(&str, &str)]) -> Result<Program, Vec<Vec<Diagnostic>>> {
    let diagnostics = crate::check::check_sources(sources);
    if diagnostics.iter().flatten().any(Diagnostic::is_error) {
        return Err(diagnostics);
    }
    let parses: Vec<crate::Parse> = sources.iter().map(|(_, src)| crate::parse(src)).collect();
    let inputs: Vec<Input<'_>> =
        sources.iter().zip(&parses).map(|((name, source), p)| Input { name, source, file: &p.file }).collect();
    let checked = crate::check::check(&inputs);
    let stdlib = crate::stdlib::parsed();
    let mut files: Vec<(&str, &str)> = sources.to_vec();
    files.extend(stdlib.iter().map(|(name, source, _)| (*name, *source)));
    let tests: Vec<(usize, &ast::TestItem)> = parses
        .iter()
        .enumerate()
        .flat_map(|(f, p)| {
            p.file.items.iter().filter_map(move |i| match i {
                ast::Item::Test(t) => Some((f, t)),
                _ => None,
            })
        })
        .collect();
    lower(&checked.model, &checked.types, &files, &tests)
}

/// Lowers a checked model. `files` are every file's name and source, in the checker's
/// file order (the project's, then the standard library's). A literal that cannot be
/// lowered is a diagnostic (one list per file), never a default value.
pub fn lower(
    model: &Model,
    types: &ExprTypes,
    files: &[(&str, &str)],
    tests: &[(usize, &ast::TestItem)],
) -> Result<Program, Vec<Vec<Diagnostic>>> {
    let mut l = Lowerer {
        model,
        types,
        files,
        consts: Vec::new(),
        const_keys: HashMap::new(),
        file: 0,
        lines: files.iter().map(|(_, source)| LineIndex::new(source)).collect(),
        names: Vec::new(),
        subject: None,
        diags: vec![Vec::new(); files.len()],
        filters: Vec::new(),
    };
    let schema = l.schema();
    let segments = (0..model.segments.len()).map(|s| l.segment(s)).collect();
    let templates = (0..model.templates.len()).map(|t| l.template(t)).collect();
    let limits = model.limits.iter().map(|(item, _)| l.limit(item)).collect();
    let playbooks: Vec<PlaybookDef> = (0..model.playbooks.len()).map(|p| l.playbook(p)).collect();
    let tests = tests.iter().map(|(f, t)| l.test(*f, t)).collect();
    if l.diags.iter().any(|d| !d.is_empty()) {
        return Err(l.diags);
    }
    let mut program = Program {
        format: FORMAT_VERSION,
        hash: String::new(),
        files: files.iter().map(|(n, _)| n.to_string()).collect(),
        schema,
        consts: l.consts,
        segments,
        templates,
        limits,
        playbooks,
        triggers: TriggerIndex::default(),
        tests,
        filters: l.filters,
        settings: Settings::default(),
    };
    program.triggers = index::build(&program);
    program.hash = program.content_hash();
    Ok(program)
}

/// What a name means where code is being lowered.
#[derive(Clone, Debug)]
enum Name {
    /// The code's subject record (a playbook's, segment's or template's binding).
    Subject,
    /// The awaited event in `wait for … where`.
    Awaited,
    /// A test's record, by its name (which is its id).
    TestRecord(usize),
}

pub(crate) struct Lowerer<'m, 'a> {
    model: &'m Model<'a>,
    types: &'m ExprTypes,
    files: &'m [(&'m str, &'m str)],
    consts: Vec<Const>,
    /// Constants already pooled, by their serialized form.
    const_keys: HashMap<String, u32>,
    /// The file being lowered.
    file: usize,
    /// Every file's line starts, for the line and column of spans.
    lines: Vec<LineIndex>,
    /// Names bound where code is being lowered, innermost last.
    names: Vec<(String, Name)>,
    /// The record type of the subject of the code being lowered.
    subject: Option<usize>,
    /// What could not be lowered, by file.
    diags: Vec<Vec<Diagnostic>>,
    /// The filters of history functions (`Event where …`), the program's `filters`.
    filters: Vec<Code>,
}

impl Lowerer<'_, '_> {
    fn schema(&self) -> Schema {
        let field = |f: &crate::check::model::FieldInfo| FieldDef { name: f.name.clone(), ty: f.ty.clone() };
        let records: Vec<RecordDef> = self
            .model
            .records
            .iter()
            .map(|r| RecordDef { name: r.name.clone(), fields: r.fields.iter().map(field).collect() })
            .collect();
        let enums = self
            .model
            .enums
            .iter()
            .map(|e| EnumDef { name: e.name.clone(), variants: e.variants.clone(), values: e.values.clone() })
            .collect();
        let events = self
            .model
            .events
            .iter()
            .map(|e| {
                let subject = e.subject.unwrap_or(0);
                let owners = self.model.records.get(subject).map_or(Vec::new(), |r| {
                    r.fields
                        .iter()
                        .enumerate()
                        .filter_map(|(slot, f)| match f.ty {
                            Ty::Record(owner) if owner != subject => Some((owner, slot)),
                            _ => None,
                        })
                        .collect()
                });
                EventDef { name: e.name.clone(), subject, fields: e.fields.iter().map(field).collect(), owners }
            })
            .collect();
        Schema { records, enums, events }
    }

    fn src_span(&self, span: Span) -> SrcSpan {
        let source = self.files.get(self.file).map_or("", |(_, s)| *s);
        let at = self.lines.get(self.file).map(|l| l.line_col(source, span.start));
        let (line, column) = at.map_or((0, 0), |at| (at.line as u32, at.column as u32));
        SrcSpan { file: self.file as u32, start: span.start as u32, end: span.end as u32, line, column }
    }

    /// The source text of a span in the current file.
    fn text(&self, span: Span) -> String {
        let source = self.files.get(self.file).map_or("", |(_, s)| *s);
        source.get(span.start..span.end).unwrap_or("").to_string()
    }

    /// Reports what cannot be lowered at `span` of the current file.
    fn refuse(&mut self, d: Diagnostic) {
        if let Some(list) = self.diags.get_mut(self.file) {
            list.push(d);
        }
    }

    fn constant(&mut self, c: Const) -> u32 {
        let key = format!("{c:?}");
        if let Some(&i) = self.const_keys.get(&key) {
            return i;
        }
        let i = self.consts.len() as u32;
        self.consts.push(c);
        self.const_keys.insert(key, i);
        i
    }

    fn ty(&self, e: &ast::Expr) -> Ty {
        self.types.of(e).cloned().unwrap_or(Ty::Error)
    }

    fn record_id(&self, name: &str) -> usize {
        self.model.record_named(name).unwrap_or(0)
    }

    fn segment(&mut self, s: usize) -> SegmentDef {
        let seg = &self.model.segments[s];
        self.file = seg.origin.file;
        let binding = seg.item.binding.name.name.clone();
        self.names = vec![(binding, Name::Subject)];
        SegmentDef {
            name: seg.item.name.name.clone(),
            signal: seg.signal,
            subject: seg.subject.unwrap_or(0),
            public: seg.public,
            value: self.code(&seg.item.value),
        }
    }

    fn template(&mut self, t: usize) -> TemplateDef {
        let template = &self.model.templates[t];
        self.file = template.origin.file;
        self.names = vec![(template.item.binding.name.name.clone(), Name::Subject)];
        let parts = template.item.parts.iter().map(|p| (p.name.name.clone(), self.text_code(&p.text))).collect();
        TemplateDef { name: template.item.name.name.clone(), subject: template.subject.unwrap_or(0), parts }
    }

    fn limit(&mut self, item: &ast::LimitItem) -> LimitDef {
        LimitDef {
            name: item.name.name.clone(),
            count: item.count,
            action: item.action.name.clone(),
            per: item.per.name.clone(),
            window: duration(&item.window),
            overflow: item.overflow.unwrap_or(Overflow::Defer),
        }
    }

    /// The index of a template, segment or playbook by name.
    fn item(&self, name: &str) -> Option<ItemKind> {
        self.model.items.get(name).copied()
    }
}

/// A duration literal's value.
pub(crate) fn duration(d: &ast::DurationLit) -> Duration {
    let n = d.amount.min(i64::MAX as u64 / 604_800) as i64;
    match d.unit {
        ast::DurationUnit::Minutes => Duration { seconds: n * 60, business_days: 0 },
        ast::DurationUnit::Hours => Duration { seconds: n * 3600, business_days: 0 },
        ast::DurationUnit::Days => Duration { seconds: n * 86_400, business_days: 0 },
        ast::DurationUnit::Weeks => Duration { seconds: n * 604_800, business_days: 0 },
        ast::DurationUnit::BusinessDays => Duration { seconds: 0, business_days: n },
    }
}
