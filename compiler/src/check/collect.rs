//! Gathers every item of the project and the standard library into one namespace, then
//! resolves the types of record and event fields and applies `extend record`.

use super::model::*;
use super::types::{builtin, Ty, BUILTIN_NAMES};
use super::Checker;
use crate::diagnostic::{codes, Diagnostic};
use crate::suggest;
use crate::syntax::ast::{self, Ident, Item, Visibility};

fn doc_text(doc: &Option<ast::Doc>) -> Option<String> {
    doc.as_ref().map(ast::Doc::text)
}

/// The name an item is declared under; tests have none (their names are text).
fn item_name(item: &Item) -> Option<&Ident> {
    Some(match item {
        Item::Enum(i) => &i.name,
        Item::Record(i) => &i.name,
        Item::Extend(_) | Item::Test(_) => return None,
        Item::Event(i) => &i.name,
        Item::Segment(i) | Item::Signal(i) => &i.name,
        Item::Template(i) => &i.name,
        Item::Limit(i) => &i.name,
        Item::Playbook(i) => &i.name,
    })
}

impl<'a> Checker<'a> {
    pub(super) fn collect(&mut self) {
        // The standard library first, so that a project's item of the same name replaces
        // the standard one rather than clashing with it.
        let order: Vec<FileId> = (self.project_files..self.files.len()).chain(0..self.project_files).collect();
        for &file in &order {
            let items = &self.files[file].file.items;
            for item in items {
                self.declare(file, item);
            }
        }
        for &file in &order {
            let items = &self.files[file].file.items;
            for item in items {
                match item {
                    Item::Record(r) if self.owns(file, &r.name) => self.record_fields(file, r),
                    Item::Event(e) if self.owns(file, &e.name) => self.event_fields(file, e),
                    _ => {}
                }
            }
        }
        for &file in &order {
            let items = &self.files[file].file.items;
            for item in items {
                if let Item::Extend(r) = item {
                    self.extend(file, r);
                }
            }
        }
    }

    /// Whether the item named `name` in `file` is the one the namespace kept.
    fn owns(&self, file: FileId, name: &Ident) -> bool {
        let origin = match self.model.items.get(&name.name) {
            Some(ItemKind::Record(r)) => self.model.records[*r].origin,
            Some(ItemKind::Enum(e)) => self.model.enums[*e].origin,
            Some(ItemKind::Event(e)) => self.model.events[*e].origin,
            Some(ItemKind::Segment(s)) => self.model.segments[*s].origin,
            Some(ItemKind::Template(t)) => self.model.templates[*t].origin,
            Some(ItemKind::Limit(l)) => self.model.limits[*l].1,
            Some(ItemKind::Playbook(p)) => self.model.playbooks[*p].origin,
            None => return false,
        };
        origin.file == file && origin.span.range() == name.span.range()
    }

    fn declare(&mut self, file: FileId, item: &'a Item) {
        let Some(name) = item_name(item) else { return };
        let origin = self.origin(file, name.span);
        if self.replace_standard(file, item, name) {
            return;
        }
        let kind = match item {
            Item::Enum(e) => {
                let (variants, variant_docs, values) = self.variants(file, e);
                self.model.enums.push(Enum {
                    name: name.name.clone(),
                    variants,
                    variant_docs,
                    values,
                    origin,
                    doc: doc_text(&e.doc),
                });
                ItemKind::Enum(self.model.enums.len() - 1)
            }
            Item::Record(r) => {
                let broken = !r.errors.is_empty();
                let record =
                    Record { name: name.name.clone(), fields: Vec::new(), origin, doc: doc_text(&r.doc), broken };
                self.model.records.push(record);
                ItemKind::Record(self.model.records.len() - 1)
            }
            Item::Event(e) => {
                let event =
                    Event { name: name.name.clone(), subject: None, fields: Vec::new(), origin, doc: doc_text(&e.doc) };
                self.model.events.push(event);
                ItemKind::Event(self.model.events.len() - 1)
            }
            Item::Segment(s) | Item::Signal(s) => {
                let public = s.visibility == Some(Visibility::Public);
                let signal = matches!(item, Item::Signal(_));
                self.model.segments.push(Segment { item: s, signal, subject: None, public, origin, ty: None });
                ItemKind::Segment(self.model.segments.len() - 1)
            }
            Item::Template(t) => {
                let public = t.visibility == Some(Visibility::Public);
                self.model.templates.push(Template { item: t, subject: None, public, origin });
                ItemKind::Template(self.model.templates.len() - 1)
            }
            Item::Limit(l) => {
                self.model.limits.push((l, origin));
                ItemKind::Limit(self.model.limits.len() - 1)
            }
            Item::Playbook(p) => {
                self.model.playbooks.push(Playbook { item: p, origin, steps: Vec::new() });
                ItemKind::Playbook(self.model.playbooks.len() - 1)
            }
            Item::Extend(_) | Item::Test(_) => return,
        };
        if let Some(&previous) = self.model.items.get(&name.name) {
            let previous_origin = self.kind_origin(previous);
            // A project's item replaces the standard library's of the same kind; anything
            // else with one name clashes.
            let same_kind = std::mem::discriminant(&previous) == std::mem::discriminant(&kind);
            if !(self.is_stdlib(previous_origin.file) && !self.is_stdlib(file) && same_kind) {
                let noun = previous.noun(&self.model);
                let d = Diagnostic::error(
                    codes::DUPLICATE_ITEM,
                    format!("`{}` is defined twice", name.name),
                    name.span,
                    "defined again here",
                )
                .with_help(format!(
                    "rename one of them: every item of a project shares one namespace (the other is a {noun})"
                ));
                let d = self.also(file, d, previous_origin, "first defined here");
                self.report(file, d);
                return;
            }
        }
        self.model.items.insert(name.name.clone(), kind);
        self.declare_symbol(crate::analysis::index::Symbol::Item(name.name.clone()), origin);
        if let Item::Enum(e) = item {
            for v in &e.variants {
                let symbol =
                    crate::analysis::index::Symbol::Variant { owner: name.name.clone(), name: v.name.name.clone() };
                let origin = self.origin(file, v.name.span);
                self.declare_symbol(symbol, origin);
            }
        }
    }

    /// A project's record, enum or event of a standard item's name and kind takes the
    /// standard item's place: the same index, so that everything else (the standard
    /// events on a replaced record, a compiled program's schema) knows one item by that
    /// name. Returns whether `item` replaced one.
    fn replace_standard(&mut self, file: FileId, item: &'a Item, name: &Ident) -> bool {
        let Some(&previous) = self.model.items.get(&name.name) else { return false };
        if self.is_stdlib(file) || !self.is_stdlib(self.kind_origin(previous).file) {
            return false;
        }
        let origin = self.origin(file, name.span);
        match (item, previous) {
            (Item::Record(r), ItemKind::Record(id)) => {
                let broken = !r.errors.is_empty();
                self.model.records[id] =
                    Record { name: name.name.clone(), fields: Vec::new(), origin, doc: doc_text(&r.doc), broken };
            }
            (Item::Event(e), ItemKind::Event(id)) => {
                self.model.events[id] =
                    Event { name: name.name.clone(), subject: None, fields: Vec::new(), origin, doc: doc_text(&e.doc) };
            }
            (Item::Enum(e), ItemKind::Enum(id)) => {
                let (variants, variant_docs, values) = self.variants(file, e);
                self.model.enums[id] =
                    Enum { name: name.name.clone(), variants, variant_docs, values, origin, doc: doc_text(&e.doc) };
                for v in &e.variants {
                    let symbol =
                        crate::analysis::index::Symbol::Variant { owner: name.name.clone(), name: v.name.name.clone() };
                    let origin = self.origin(file, v.name.span);
                    self.index.defs.insert(symbol, origin);
                }
            }
            _ => return false,
        }
        self.index.defs.insert(crate::analysis::index::Symbol::Item(name.name.clone()), origin);
        true
    }

    /// An enum's variants, their docs and the CRM's own values, reporting a name used twice
    /// and a value that names two variants.
    fn variants(&mut self, file: FileId, e: &ast::EnumItem) -> (Vec<String>, Vec<Option<String>>, Vec<Option<String>>) {
        let mut variants: Vec<String> = Vec::new();
        let mut variant_docs: Vec<Option<String>> = Vec::new();
        let mut values: Vec<Option<String>> = Vec::new();
        for v in &e.variants {
            if variants.contains(&v.name.name) {
                let d = Diagnostic::error(
                    codes::DUPLICATE_FIELD,
                    format!("`{}` has two variants named `{}`", e.name.name, v.name.name),
                    v.name.span,
                    "named again here",
                );
                self.report(file, d);
            } else {
                variants.push(v.name.name.clone());
                variant_docs.push(doc_text(&v.doc));
                values.push(self.variant_value(file, &e.name.name, v));
            }
        }
        self.variant_values_unique(file, e, &variants, &values);
        (variants, variant_docs, values)
    }

    pub(super) fn kind_origin(&self, kind: ItemKind) -> Origin {
        match kind {
            ItemKind::Record(r) => self.model.records[r].origin,
            ItemKind::Enum(e) => self.model.enums[e].origin,
            ItemKind::Event(e) => self.model.events[e].origin,
            ItemKind::Segment(s) => self.model.segments[s].origin,
            ItemKind::Template(t) => self.model.templates[t].origin,
            ItemKind::Limit(l) => self.model.limits[l].1,
            ItemKind::Playbook(p) => self.model.playbooks[p].origin,
        }
    }

    /// The type a type expression names; unknown names are reported and give `Ty::Error`.
    pub(super) fn resolve_type(&mut self, file: FileId, t: &ast::TypeExpr) -> Ty {
        let name = t.name.name.as_str();
        let ty = if name == "List" {
            match t.args.as_slice() {
                [inner] => Ty::List(Box::new(self.resolve_type(file, inner))),
                _ => {
                    let d = Diagnostic::error(
                        codes::UNKNOWN_TYPE,
                        "`List` takes one type",
                        t.span,
                        "write `List<Text>`, `List<Tier>`, …",
                    );
                    self.report(file, d);
                    Ty::Error
                }
            }
        } else if let Some(ty) = builtin(name) {
            ty
        } else {
            match self.model.items.get(name).copied() {
                Some(ItemKind::Record(r)) => {
                    self.note(file, t.name.span, crate::analysis::index::Symbol::Item(name.to_string()), None);
                    Ty::Record(r)
                }
                Some(ItemKind::Enum(e)) => {
                    self.note(file, t.name.span, crate::analysis::index::Symbol::Item(name.to_string()), None);
                    Ty::Enum(e)
                }
                _ => {
                    self.unknown_type(file, &t.name);
                    Ty::Error
                }
            }
        };
        if t.optional {
            ty.optional()
        } else {
            ty
        }
    }

    fn unknown_type(&mut self, file: FileId, name: &Ident) {
        let mut candidates: Vec<&str> = BUILTIN_NAMES.to_vec();
        candidates.extend(
            self.model
                .items
                .iter()
                .filter(|(_, k)| matches!(k, ItemKind::Record(_) | ItemKind::Enum(_)))
                .map(|(n, _)| n.as_str()),
        );
        candidates.sort();
        let d =
            Diagnostic::error(codes::UNKNOWN_TYPE, format!("unknown type `{}`", name.name), name.span, "not a type");
        let d = d.did_you_mean(
            &name.name,
            name.span,
            candidates.iter().copied(),
            Some("a type is built in (`Text`, `Number`, `Money`, `Date`, …), a record or an enum".into()),
        );
        self.report(file, d);
    }

    /// Resolves a list of field declarations, reporting names used twice.
    fn fields(&mut self, file: FileId, fields: &[ast::Field], existing: &[FieldInfo], owner: &str) -> Vec<FieldInfo> {
        let mut out: Vec<FieldInfo> = Vec::new();
        for f in fields {
            let ty = self.resolve_type(file, &f.ty);
            let clash = existing.iter().chain(out.iter()).find(|e| e.name == f.name.name).map(|e| e.origin);
            if let Some(first) = clash {
                let d = Diagnostic::error(
                    codes::DUPLICATE_FIELD,
                    format!("`{owner}` already has a field `{}`", f.name.name),
                    f.name.span,
                    "declared again here",
                );
                let d = self.also(file, d, first, "first declared here");
                self.report(file, d);
                continue;
            }
            let origin = self.origin(file, f.name.span);
            let symbol = crate::analysis::index::Symbol::Field { owner: owner.to_string(), name: f.name.name.clone() };
            self.declare_symbol(symbol, origin);
            out.push(FieldInfo { name: f.name.name.clone(), ty, origin, doc: doc_text(&f.doc) });
        }
        out
    }

    fn record_fields(&mut self, file: FileId, r: &ast::RecordItem) {
        let Some(id) = self.model.record_named(&r.name.name) else { return };
        let fields = self.fields(file, &r.fields, &[], &r.name.name);
        self.model.records[id].fields = fields;
    }

    fn event_fields(&mut self, file: FileId, e: &ast::EventItem) {
        let Some(&ItemKind::Event(id)) = self.model.items.get(&e.name.name) else { return };
        let subject = self.record_ref(file, &e.subject);
        let fields = self.fields(file, &e.fields, &[], &e.name.name);
        if let Some(at) = e.fields.iter().find(|f| f.name.name == "at") {
            let d = Diagnostic::error(
                codes::DUPLICATE_FIELD,
                format!("`{}` declares `at`, which every event already has", e.name.name),
                at.name.span,
                "every event has `at: DateTime`",
            )
            .with_help("remove this field; `at` is when the event happened");
            self.report(file, d);
        }
        let event = &mut self.model.events[id];
        event.subject = subject;
        event.fields = fields;
    }

    fn extend(&mut self, file: FileId, r: &'a ast::RecordItem) {
        let Some(id) = self.record_ref(file, &r.name) else { return };
        let existing = self.model.records[id].fields.clone();
        let added = self.fields(file, &r.fields, &existing, &r.name.name);
        self.model.records[id].fields.extend(added);
        self.model.records[id].broken |= !r.errors.is_empty();
    }

    /// The record a name refers to; anything else is reported.
    pub(super) fn record_ref(&mut self, file: FileId, name: &Ident) -> Option<usize> {
        if let Some(r) = self.model.record_named(&name.name) {
            self.used.insert(name.name.clone());
            self.note(file, name.span, crate::analysis::index::Symbol::Item(name.name.clone()), None);
            return Some(r);
        }
        let mut records: Vec<&str> = self
            .model
            .items
            .iter()
            .filter(|(_, k)| matches!(k, ItemKind::Record(_)))
            .map(|(n, _)| n.as_str())
            .collect();
        records.sort();
        let d = Diagnostic::error(
            codes::UNKNOWN_ITEM,
            format!("unknown record `{}`", name.name),
            name.span,
            "not a record",
        );
        let d = d.did_you_mean(
            &name.name,
            name.span,
            records.iter().copied(),
            Some(format!("the records are {}", suggest::join_or(&records))),
        );
        self.report(file, d);
        None
    }
}
