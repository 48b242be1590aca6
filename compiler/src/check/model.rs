//! What a project declares, after name resolution: records with their (extended)
//! fields, enums, events, segments, signals, templates, limits and playbooks. The
//! checker builds it; later stages (lowering, the language server) read it.

use std::collections::HashMap;

use super::types::{EnumId, EventId, RecordId, Ty};
use crate::syntax::ast;
use crate::syntax::Span;

/// Which file something is in: an index into the checker's inputs, the project's files
/// first and then the standard library's.
pub type FileId = usize;

/// Where something is declared.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Origin {
    pub file: FileId,
    pub span: Span,
}

#[derive(Clone, Debug)]
pub struct FieldInfo {
    pub name: String,
    pub ty: Ty,
    pub origin: Origin,
    pub doc: Option<String>,
}

#[derive(Clone, Debug)]
pub struct Record {
    pub name: String,
    pub fields: Vec<FieldInfo>,
    pub origin: Origin,
    pub doc: Option<String>,
    /// Some of its declaration did not parse: a field it seems to lack may be there.
    pub broken: bool,
}

impl Record {
    pub fn field(&self, name: &str) -> Option<&FieldInfo> {
        self.fields.iter().find(|f| f.name == name)
    }
}

#[derive(Clone, Debug)]
pub struct Enum {
    pub name: String,
    pub variants: Vec<String>,
    /// Each variant's doc comment, beside `variants`.
    pub variant_docs: Vec<Option<String>>,
    /// Each variant's value in another system (`Name = "value"`), beside `variants`.
    pub values: Vec<Option<String>>,
    pub origin: Origin,
    pub doc: Option<String>,
}

#[derive(Clone, Debug)]
pub struct Event {
    pub name: String,
    /// The record the event happens to; `None` when that record is unknown (reported).
    pub subject: Option<RecordId>,
    pub fields: Vec<FieldInfo>,
    pub origin: Origin,
    pub doc: Option<String>,
}

impl Event {
    /// A payload field, or the `at` every event has.
    pub fn field(&self, name: &str) -> Option<Ty> {
        if name == "at" {
            return Some(Ty::DateTime);
        }
        self.fields.iter().find(|f| f.name == name).map(|f| f.ty.clone())
    }
}

/// What kind of item a name stands for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ItemKind {
    Record(RecordId),
    Enum(EnumId),
    Event(EventId),
    /// A segment or signal: an index into [`Model::segments`].
    Segment(usize),
    Template(usize),
    Limit(usize),
    Playbook(usize),
}

impl ItemKind {
    pub fn noun(self, model: &Model) -> &'static str {
        match self {
            ItemKind::Record(_) => "record",
            ItemKind::Enum(_) => "enum",
            ItemKind::Event(_) => "event",
            ItemKind::Segment(i) if model.segments[i].signal => "signal",
            ItemKind::Segment(_) => "segment",
            ItemKind::Template(_) => "template",
            ItemKind::Limit(_) => "limit",
            ItemKind::Playbook(_) => "playbook",
        }
    }
}

/// A segment or a signal.
#[derive(Clone, Debug)]
pub struct Segment<'a> {
    pub item: &'a ast::SegmentItem,
    pub signal: bool,
    pub subject: Option<RecordId>,
    pub public: bool,
    pub origin: Origin,
    /// Worked out on first use, since signals may use each other.
    pub ty: Option<Ty>,
}

#[derive(Clone, Debug)]
pub struct Template<'a> {
    pub item: &'a ast::TemplateItem,
    pub subject: Option<RecordId>,
    pub public: bool,
    pub origin: Origin,
}

#[derive(Clone, Debug)]
pub struct Playbook<'a> {
    pub item: &'a ast::Playbook,
    pub origin: Origin,
    /// Names of its steps, stages and activities.
    pub steps: Vec<String>,
}

#[derive(Clone, Debug, Default)]
pub struct Model<'a> {
    pub records: Vec<Record>,
    pub enums: Vec<Enum>,
    pub events: Vec<Event>,
    pub segments: Vec<Segment<'a>>,
    pub templates: Vec<Template<'a>>,
    pub limits: Vec<(&'a ast::LimitItem, Origin)>,
    pub playbooks: Vec<Playbook<'a>>,
    /// Every item by name, in the one namespace of a project.
    pub items: HashMap<String, ItemKind>,
}

impl Model<'_> {
    pub fn record_named(&self, name: &str) -> Option<RecordId> {
        match self.items.get(name) {
            Some(ItemKind::Record(r)) => Some(*r),
            _ => None,
        }
    }

    /// A type as people write it: `Account`, `Text?`, `List<Tier>`.
    pub fn type_name(&self, ty: &Ty) -> String {
        match ty {
            Ty::Text => "Text".into(),
            Ty::Number => "Number".into(),
            Ty::Int => "Int".into(),
            Ty::Money => "Money".into(),
            Ty::Bool => "Bool".into(),
            Ty::Date => "Date".into(),
            Ty::DateTime => "DateTime".into(),
            Ty::Duration => "Duration".into(),
            Ty::Time => "Time".into(),
            Ty::Email => "Email".into(),
            Ty::Url => "Url".into(),
            Ty::List(t) => format!("List<{}>", self.type_name(t)),
            Ty::Optional(t) => format!("{}?", self.type_name(t)),
            Ty::Record(r) => self.records.get(*r).map_or("?".into(), |r| r.name.clone()),
            Ty::Enum(e) => self.enums.get(*e).map_or("?".into(), |e| e.name.clone()),
            Ty::Event(e) => self.events.get(*e).map_or("?".into(), |e| format!("event {}", e.name)),
            Ty::Error => "?".into(),
        }
    }

    /// The enums that have a variant of this name.
    pub fn enums_with_variant(&self, variant: &str) -> Vec<EnumId> {
        (0..self.enums.len()).filter(|&e| self.enums[e].variants.iter().any(|v| v == variant)).collect()
    }
}
