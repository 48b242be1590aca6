//! Items other than playbooks and tests: enums, records, events, segments, signals,
//! templates and limits.

use super::{kids, Builder, P};
use crate::diagnostic::codes;
use crate::syntax::ast::*;
use crate::syntax::explain::Block;
use crate::syntax::grammar::Rule;

impl Builder<'_> {
    pub fn item(&mut self, p: P<'_>) -> Option<Item> {
        Some(match p.as_rule() {
            Rule::enum_item => Item::Enum(self.enum_item(p)?),
            Rule::record_item => Item::Record(self.record(p)?),
            Rule::extend_item => Item::Extend(self.record(p)?),
            Rule::event_item => Item::Event(self.event(p)?),
            Rule::segment_item => Item::Segment(self.segment(p)?),
            Rule::signal_item => Item::Signal(self.segment(p)?),
            Rule::template_item => Item::Template(self.template(p)?),
            Rule::limit_item => Item::Limit(self.limit(p)?),
            Rule::playbook_item => Item::Playbook(self.playbook(p)?),
            Rule::test_item => Item::Test(self.test_item(p)?),
            _ => return None,
        })
    }

    fn enum_item(&mut self, p: P<'_>) -> Option<EnumItem> {
        let span = self.span(&p);
        let (mut doc, mut name, mut variants) = (None, None, Vec::new());
        for c in kids(p) {
            match c.as_rule() {
                Rule::doc => doc = Some(self.doc(c)),
                Rule::ident => name = Some(self.ident(&c)),
                Rule::variant => {
                    let vspan = self.span(&c);
                    let (mut vdoc, mut vname, mut value) = (None, None, None);
                    for v in kids(c) {
                        match v.as_rule() {
                            Rule::doc => vdoc = Some(self.doc(v)),
                            Rule::ident => vname = Some(self.ident(&v)),
                            Rule::text => value = Some(self.text(v)),
                            _ => {}
                        }
                    }
                    if let Some(name) = vname {
                        variants.push(Variant { doc: vdoc, name, value, span: vspan });
                    }
                }
                _ => {}
            }
        }
        Some(EnumItem { doc, name: name?, variants, span })
    }

    /// `record` and `extend record` share their shape.
    fn record(&mut self, p: P<'_>) -> Option<RecordItem> {
        let f = self.fields_item(p, Block::Record)?;
        let name = f.names.into_iter().next()?;
        Some(RecordItem { doc: f.doc, name, fields: f.fields, errors: f.errors, span: f.span })
    }

    fn event(&mut self, p: P<'_>) -> Option<EventItem> {
        let f = self.fields_item(p, Block::Event)?;
        let mut names = f.names.into_iter();
        let (name, subject) = (names.next()?, names.next()?);
        Some(EventItem { doc: f.doc, name, subject, fields: f.fields, errors: f.errors, span: f.span })
    }

    /// What records and events have in common: a doc comment, names (in order), fields.
    fn fields_item(&mut self, p: P<'_>, block: Block) -> Option<FieldsItem> {
        let span = self.span(&p);
        let mut item = FieldsItem { doc: None, names: Vec::new(), fields: Vec::new(), errors: Vec::new(), span };
        let mut prev = None;
        for c in kids(p) {
            match c.as_rule() {
                Rule::doc => item.doc = Some(self.doc(c)),
                Rule::ident => item.names.push(self.ident(&c)),
                Rule::field => {
                    let f = self.field(c)?;
                    prev = Some(f.span);
                    item.fields.push(f);
                }
                Rule::block_error => item.errors.push(self.block_error(&c, block, prev)),
                _ => {}
            }
        }
        Some(item)
    }

    fn field(&mut self, p: P<'_>) -> Option<Field> {
        let span = self.span(&p);
        let (mut doc, mut name, mut ty) = (None, None, None);
        for c in kids(p) {
            match c.as_rule() {
                Rule::doc => doc = Some(self.doc(c)),
                Rule::ident => name = Some(self.ident(&c)),
                Rule::type_expr => ty = Some(self.type_expr(c)?),
                _ => {}
            }
        }
        Some(Field { doc, name: name?, ty: ty?, span })
    }

    fn type_expr(&mut self, p: P<'_>) -> Option<TypeExpr> {
        let span = self.span(&p);
        let (mut name, mut args, mut optional) = (None, Vec::new(), false);
        for c in kids(p) {
            match c.as_rule() {
                Rule::ident => name = Some(self.ident(&c)),
                Rule::type_args => {
                    for a in kids(c) {
                        args.push(self.type_expr(a)?);
                    }
                }
                Rule::optional_mark => optional = true,
                _ => {}
            }
        }
        Some(TypeExpr { name: name?, args, optional, span })
    }

    pub fn binding(&mut self, p: P<'_>) -> Option<Binding> {
        let span = self.span(&p);
        let mut it = kids(p);
        let name = self.ident(&it.next()?);
        let ty = self.ident(&it.next()?);
        Some(Binding { name, ty, span })
    }

    pub fn visibility(&self, p: P<'_>) -> Visibility {
        if p.as_str().starts_with("public") {
            Visibility::Public
        } else {
            Visibility::Private
        }
    }

    /// `segment` and `signal` share their shape.
    fn segment(&mut self, p: P<'_>) -> Option<SegmentItem> {
        let span = self.span(&p);
        let (mut doc, mut visibility, mut name, mut binding, mut value) = (None, None, None, None, None);
        for c in kids(p) {
            match c.as_rule() {
                Rule::doc => doc = Some(self.doc(c)),
                Rule::visibility => visibility = Some(self.visibility(c)),
                Rule::ident => name = Some(self.ident(&c)),
                Rule::binding => binding = Some(self.binding(c)?),
                Rule::expr => value = Some(self.expr(c)?),
                _ => {}
            }
        }
        Some(SegmentItem { doc, visibility, name: name?, binding: binding?, value: value?, span })
    }

    fn template(&mut self, p: P<'_>) -> Option<TemplateItem> {
        let span = self.span(&p);
        let (mut doc, mut visibility, mut name, mut binding) = (None, None, None, None);
        let (mut parts, mut errors) = (Vec::new(), Vec::new());
        let mut prev = None;
        for c in kids(p) {
            match c.as_rule() {
                Rule::doc => doc = Some(self.doc(c)),
                Rule::visibility => visibility = Some(self.visibility(c)),
                Rule::ident => name = Some(self.ident(&c)),
                Rule::binding => binding = Some(self.binding(c)?),
                Rule::template_part => {
                    let pspan = self.span(&c);
                    let (mut pdoc, mut pname, mut text) = (None, None, None);
                    for k in kids(c) {
                        match k.as_rule() {
                            Rule::doc => pdoc = Some(self.doc(k)),
                            Rule::ident => pname = Some(self.ident(&k)),
                            Rule::text => text = Some(self.text(k)),
                            _ => {}
                        }
                    }
                    prev = Some(pspan);
                    parts.push(TemplatePart { doc: pdoc, name: pname?, text: text?, span: pspan });
                }
                Rule::block_error => errors.push(self.block_error(&c, Block::Template, prev)),
                _ => {}
            }
        }
        Some(TemplateItem { doc, visibility, name: name?, binding: binding?, parts, errors, span })
    }

    fn limit(&mut self, p: P<'_>) -> Option<LimitItem> {
        let span = self.span(&p);
        let mut doc = None;
        let mut idents = Vec::new();
        let (mut count, mut window, mut overflow) = (None, None, None);
        for c in kids(p) {
            match c.as_rule() {
                Rule::doc => doc = Some(self.doc(c)),
                Rule::ident => idents.push(self.ident(&c)),
                Rule::integer => count = Some(self.integer(&c)),
                Rule::duration => window = Some(self.duration(&c)),
                Rule::limit_overflow => {
                    let word = kids(c).find(|k| k.as_rule() == Rule::ident)?;
                    overflow =
                        self.setting(&word, &[("defer", Overflow::Defer), ("drop", Overflow::Drop)], "limit overflow");
                }
                _ => {}
            }
        }
        let mut idents = idents.into_iter();
        Some(LimitItem {
            doc,
            name: idents.next()?,
            count: count?,
            action: idents.next()?,
            per: idents.next()?,
            window: window?,
            overflow,
            span,
        })
    }

    /// A word that must be one of a fixed set (`reentry never`, `inflight keep`, …);
    /// anything else is reported with the closest choice.
    pub fn setting<T: Copy>(&mut self, word: &P<'_>, choices: &[(&str, T)], what: &str) -> Option<T> {
        let text = word.as_str();
        if let Some((_, v)) = choices.iter().find(|(name, _)| *name == text) {
            return Some(*v);
        }
        let span = self.span(word);
        let names: Vec<&str> = choices.iter().map(|(n, _)| *n).collect();
        let list = crate::suggest::join_or(&names);
        let mut d = crate::Diagnostic::error(
            codes::UNKNOWN_SETTING,
            format!("unknown {what} `{text}`"),
            span,
            format!("expected {list}"),
        );
        match crate::suggest::closest(text, names.iter().copied()) {
            Some(best) => d = d.with_help(format!("did you mean `{best}`?")).with_fix(span, best),
            None => d = d.with_help(format!("a {what} is one of {list}")),
        }
        self.diags.push(d);
        None
    }
}

struct FieldsItem {
    doc: Option<Doc>,
    names: Vec<Ident>,
    fields: Vec<Field>,
    errors: Vec<ErrorNode>,
    span: Span,
}
