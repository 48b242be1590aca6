//! An owned summary of what the checker resolved (records, fields, enums, events, items),
//! kept by the analysis for hover and completion after the syntax trees it borrowed from.

use crate::check::model::{ItemKind, Model};
use crate::check::types::Ty;

#[derive(Clone, Debug)]
pub struct FieldView {
    pub name: String,
    pub ty: Ty,
    pub doc: Option<String>,
}

#[derive(Clone, Debug, Default)]
pub struct ItemView {
    pub name: String,
    /// `record`, `enum`, `event`, `segment`, `signal`, `template`, `limit`, `playbook`.
    pub kind: &'static str,
    /// Fields of a record or event; variants of an enum (with no type).
    pub members: Vec<FieldView>,
    pub doc: Option<String>,
    /// For an event, the record it happens to; for a segment, signal or template, the
    /// record it is about.
    pub about: Option<String>,
    /// For a signal, its type; for a segment, `Bool`.
    pub ty: Option<Ty>,
    pub public: bool,
    /// Steps, stages and activities of a playbook.
    pub steps: Vec<String>,
}

#[derive(Clone, Debug, Default)]
pub struct ModelView {
    pub items: Vec<ItemView>,
    record_names: Vec<String>,
    enum_names: Vec<String>,
    event_names: Vec<String>,
}

impl ModelView {
    pub fn new(model: &Model<'_>) -> ModelView {
        let record_names: Vec<String> = model.records.iter().map(|r| r.name.clone()).collect();
        let enum_names: Vec<String> = model.enums.iter().map(|e| e.name.clone()).collect();
        let event_names: Vec<String> = model.events.iter().map(|e| e.name.clone()).collect();
        let mut items: Vec<ItemView> = model
            .items
            .iter()
            .map(|(name, kind)| {
                let mut item = ItemView { name: name.clone(), kind: kind.noun(model), ..ItemView::default() };
                let fields = |fs: &[crate::check::model::FieldInfo]| {
                    fs.iter()
                        .map(|f| FieldView { name: f.name.clone(), ty: f.ty.clone(), doc: f.doc.clone() })
                        .collect()
                };
                match *kind {
                    ItemKind::Record(r) => {
                        item.members = fields(&model.records[r].fields);
                        item.doc = model.records[r].doc.clone();
                    }
                    ItemKind::Enum(e) => {
                        let en = &model.enums[e];
                        item.members = en
                            .variants
                            .iter()
                            .zip(&en.variant_docs)
                            .map(|(v, doc)| FieldView { name: v.clone(), ty: Ty::Enum(e), doc: doc.clone() })
                            .collect();
                        item.doc = model.enums[e].doc.clone();
                    }
                    ItemKind::Event(e) => {
                        let ev = &model.events[e];
                        item.members = fields(&ev.fields);
                        item.members.push(FieldView {
                            name: "at".into(),
                            ty: Ty::DateTime,
                            doc: Some("When the event happened.".into()),
                        });
                        item.doc = ev.doc.clone();
                        item.about = ev.subject.map(|s| model.records[s].name.clone());
                    }
                    ItemKind::Segment(s) => {
                        let seg = &model.segments[s];
                        item.doc = seg.item.doc.as_ref().map(|d| d.text());
                        item.about = seg.subject.map(|r| model.records[r].name.clone());
                        item.ty = seg.ty.clone();
                        item.public = seg.public;
                    }
                    ItemKind::Template(t) => {
                        let tpl = &model.templates[t];
                        item.doc = tpl.item.doc.as_ref().map(|d| d.text());
                        item.about = tpl.subject.map(|r| model.records[r].name.clone());
                        item.public = tpl.public;
                    }
                    ItemKind::Limit(l) => item.doc = model.limits[l].0.doc.as_ref().map(|d| d.text()),
                    ItemKind::Playbook(p) => {
                        let pb = &model.playbooks[p];
                        item.doc = pb.item.doc.as_ref().map(|d| d.text());
                        item.steps = pb.steps.clone();
                    }
                }
                item
            })
            .collect();
        items.sort_by(|a, b| a.name.cmp(&b.name));
        ModelView { items, record_names, enum_names, event_names }
    }

    /// The type of the record named so.
    pub fn record_ty(&self, name: &str) -> Option<Ty> {
        self.record_names.iter().rposition(|n| n == name).map(Ty::Record)
    }

    /// The type of the event named so.
    pub fn event_ty(&self, name: &str) -> Option<Ty> {
        self.event_names.iter().rposition(|n| n == name).map(Ty::Event)
    }

    pub fn item(&self, name: &str) -> Option<&ItemView> {
        self.items.binary_search_by(|i| i.name.as_str().cmp(name)).ok().map(|i| &self.items[i])
    }

    /// A type as people write it.
    pub fn type_name(&self, ty: &Ty) -> String {
        match ty {
            Ty::List(t) => format!("List<{}>", self.type_name(t)),
            Ty::Optional(t) => format!("{}?", self.type_name(t)),
            Ty::Record(r) => self.record_names.get(*r).cloned().unwrap_or_default(),
            Ty::Enum(e) => self.enum_names.get(*e).cloned().unwrap_or_default(),
            Ty::Event(e) => self.event_names.get(*e).map(|n| format!("event {n}")).unwrap_or_default(),
            Ty::Error => "?".into(),
            other => format!("{other:?}"),
        }
    }

    /// The record or event a type is, for `x.` completion.
    pub fn members_of(&self, ty: &Ty) -> Option<&ItemView> {
        let name = match ty.required() {
            Ty::Record(r) => self.record_names.get(*r)?,
            Ty::Event(e) => self.event_names.get(*e)?,
            _ => return None,
        };
        self.item(name)
    }

    /// "record", " for account: Account", the doc: what hover says of an item.
    pub fn describe_item(&self, name: &str) -> Option<(&'static str, String, Option<String>)> {
        let item = self.item(name)?;
        let detail = match (item.kind, &item.about, &item.ty) {
            ("event", Some(on), _) => format!(" on {on}"),
            ("signal", Some(on), Some(ty)) => format!(" for {on}: {}", self.type_name(ty)),
            ("segment" | "template", Some(on), _) => format!(" for {on}"),
            _ => String::new(),
        };
        let visibility = if item.public { "public " } else { "" };
        let kind = if visibility.is_empty() { item.kind } else { public_kind(item.kind) };
        Some((kind, detail, item.doc.clone()))
    }

    pub fn field(&self, owner: &str, name: &str) -> Option<(String, Option<String>)> {
        let f = self.item(owner)?.members.iter().find(|f| f.name == name)?;
        Some((self.type_name(&f.ty), f.doc.clone()))
    }

    /// A variant's own doc comment, else its enum's.
    pub fn variant_doc(&self, owner: &str, name: &str) -> Option<String> {
        let item = self.item(owner)?;
        item.members.iter().find(|m| m.name == name).and_then(|m| m.doc.clone()).or_else(|| item.doc.clone())
    }
}

fn public_kind(kind: &'static str) -> &'static str {
    match kind {
        "segment" => "public segment",
        "signal" => "public signal",
        "template" => "public template",
        other => other,
    }
}
