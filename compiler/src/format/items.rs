//! The file and its items other than playbooks and tests: enums, records, events,
//! segments, signals, templates and limits.

use super::block::members;
use super::expr::{duration, expr, type_expr};
use super::printer::Printer;
use super::text::text;
use super::{playbook, test_item};
use crate::syntax::ast::*;

/// Every item, with one blank line between items, except that one-line items of the same
/// kind (a run of enums, of limits, of segments and signals) stay together when the source
/// kept them together.
pub fn file(p: &mut Printer, file: &SourceFile) {
    let mut prev: Option<(&Item, bool)> = None;
    for item in &file.items {
        let grouped = prev.is_some_and(|(prev, one_line)| one_line && same_kind(prev, item));
        if prev.is_some() && !grouped {
            p.want_blank();
        }
        let before = p.len();
        match item {
            Item::Enum(e) => enum_item(p, e),
            Item::Record(r) => record(p, "record", r),
            Item::Extend(r) => record(p, "extend record", r),
            Item::Event(e) => event(p, e),
            Item::Segment(s) => segment(p, "segment", s),
            Item::Signal(s) => segment(p, "signal", s),
            Item::Template(t) => template(p, t),
            Item::Limit(l) => limit(p, l),
            Item::Playbook(b) => playbook::playbook(p, b),
            Item::Test(t) => test_item::test_item(p, t),
        }
        prev = Some((item, p.newlines_since(before) == 1));
    }
    if prev.is_some() {
        // Comments after the last item stand apart from it.
        p.want_blank();
    }
}

fn same_kind(a: &Item, b: &Item) -> bool {
    matches!(
        (a, b),
        (Item::Enum(_), Item::Enum(_))
            | (Item::Limit(_), Item::Limit(_))
            | (Item::Event(_), Item::Event(_))
            | (Item::Segment(_) | Item::Signal(_), Item::Segment(_) | Item::Signal(_))
    )
}

pub fn visibility(v: Option<Visibility>) -> &'static str {
    match v {
        Some(Visibility::Public) => "public ",
        Some(Visibility::Private) => "private ",
        None => "",
    }
}

fn binding(b: &Binding) -> String {
    format!("{}: {}", b.name.name, b.ty.name)
}

/// `enum Tier { Smb, MidMarket }` on one line when no variant has a doc comment, no
/// comment is inside and it fits; else one variant per line, each followed by `,`.
fn enum_item(p: &mut Printer, e: &EnumItem) {
    let end = p.end_of(e.span);
    let brace = p.brace(e.name.span.end, end);
    p.begin(e.span.start, brace.unwrap_or(end), e.doc.as_ref());
    let header = format!("enum {}", e.name.name);
    let close = p.close_of(end);
    if e.variants.iter().all(|v| v.doc.is_none()) && !p.has_comment_before(close) {
        let names: Vec<String> = e.variants.iter().map(variant).collect();
        let line =
            if names.is_empty() { format!("{header} {{}}") } else { format!("{header} {{ {} }}", names.join(", ")) };
        if p.fits(&line) {
            p.write(&line);
            p.end_line(end);
            return;
        }
    }
    p.write(&header);
    members(p, brace, end, &e.variants, |p, v| {
        let v_end = p.end_of(v.span);
        p.begin(v.span.start, v_end, v.doc.as_ref());
        p.write(&variant(v));
        p.write(",");
        p.end_line(v_end);
    });
    p.end_line(end);
}

/// `Name`, or `Name = "value"`.
fn variant(v: &Variant) -> String {
    match &v.value {
        Some(value) => format!("{} = {}", v.name.name, text(value, 0)),
        None => v.name.name.clone(),
    }
}

fn field(p: &mut Printer, f: &Field) {
    let f_end = p.end_of(f.span);
    p.begin(f.span.start, f_end, f.doc.as_ref());
    p.write(&format!("{}: {}", f.name.name, type_expr(&f.ty)));
    p.end_line(f_end);
}

fn record(p: &mut Printer, keyword: &str, r: &RecordItem) {
    let end = p.end_of(r.span);
    let brace = p.brace(r.name.span.end, end);
    p.begin(r.span.start, brace.unwrap_or(end), r.doc.as_ref());
    p.write(&format!("{keyword} {}", r.name.name));
    members(p, brace, end, &r.fields, field);
    p.end_line(end);
}

/// Like a record, but an event with no fields has no braces.
fn event(p: &mut Printer, e: &EventItem) {
    let end = p.end_of(e.span);
    let brace = p.brace(e.subject.span.end, end);
    p.begin(e.span.start, brace.unwrap_or(end), e.doc.as_ref());
    p.write(&format!("event {} on {}", e.name.name, e.subject.name));
    if !e.fields.is_empty() || p.has_comment_before(p.close_of(end)) {
        members(p, brace, end, &e.fields, field);
    }
    p.end_line(end);
}

fn segment(p: &mut Printer, keyword: &str, s: &SegmentItem) {
    let end = p.end_of(s.span);
    p.begin(s.span.start, end, s.doc.as_ref());
    let vis = visibility(s.visibility);
    let head = format!("{vis}{keyword} {} for {} =", s.name.name, binding(&s.binding));
    let line = format!("{head} {}", expr(&s.value, p.indent()));
    if p.fits(&line) {
        p.write(&line);
    } else {
        // Too wide for one line: the value goes on the next, indented.
        p.write(&head);
        let value = expr(&s.value, p.indent() + 1);
        p.continue_line(&value);
    }
    p.end_line(end);
}

fn template(p: &mut Printer, t: &TemplateItem) {
    let end = p.end_of(t.span);
    let brace = p.brace(t.binding.span.end, end);
    p.begin(t.span.start, brace.unwrap_or(end), t.doc.as_ref());
    let vis = visibility(t.visibility);
    p.write(&format!("{vis}template {} for {}", t.name.name, binding(&t.binding)));
    members(p, brace, end, &t.parts, |p, part| {
        let part_end = p.end_of(part.span);
        p.begin(part.span.start, part_end, part.doc.as_ref());
        let value = text(&part.text, p.indent());
        p.write(&format!("{} {value}", part.name.name));
        p.end_line(part_end);
    });
    p.end_line(end);
}

fn limit(p: &mut Printer, l: &LimitItem) {
    let end = p.end_of(l.span);
    p.begin(l.span.start, end, l.doc.as_ref());
    let overflow = match l.overflow {
        Some(Overflow::Drop) => " then drop",
        Some(Overflow::Defer) => " then defer",
        None => "",
    };
    p.write(&format!(
        "limit {}: {} {} per {} per {}{overflow}",
        l.name.name,
        l.count,
        l.action.name,
        l.per.name,
        duration(&l.window)
    ));
    p.end_line(end);
}

#[cfg(test)]
mod tests {
    use crate::format::format_source;

    fn fmt(src: &str) -> String {
        format_source(src).unwrap_or_else(|d| panic!("{src}: {d:?}"))
    }

    #[test]
    fn items_are_separated_by_one_blank_line() {
        let src = "enum A {X}\n\n\n\nenum B {Y}\nenum C {Z}";
        assert_eq!(fmt(src), "enum A { X }\n\nenum B { Y }\n\nenum C { Z }\n");
    }

    #[test]
    fn enums_break_into_lines_for_docs_comments_or_width() {
        assert_eq!(fmt("enum T {\n  A,\n  B\n}"), "enum T { A, B }\n");
        assert_eq!(fmt("enum T { /// first\n A, B }"), "enum T {\n  /// first\n  A,\n  B,\n}\n");
        assert_eq!(fmt("enum T { A, // a\n B }"), "enum T {\n  A,  // a\n  B,\n}\n");
        let long: Vec<String> = (0..12).map(|i| format!("Variant{i}")).collect();
        let out = fmt(&format!("enum T {{ {} }}", long.join(", ")));
        assert!(out.starts_with("enum T {\n  Variant0,\n"), "{out}");
    }

    #[test]
    fn records_and_events_take_one_field_per_line() {
        let src = "/// A thing.\nextend record Account { nps: Number?, tags: List<Text>, m: Map<Text,Number> }";
        let want =
            "/// A thing.\nextend record Account {\n  nps: Number?\n  tags: List<Text>\n  m: Map<Text, Number>\n}\n";
        assert_eq!(fmt(src), want);
        assert_eq!(fmt("event Login on Contact {}"), "event Login on Contact\n");
        assert_eq!(fmt("event Login on Contact { f: Text? }"), "event Login on Contact {\n  f: Text?\n}\n");
    }

    #[test]
    fn segments_signals_and_limits_take_one_line() {
        let src = "public signal d for a: Account =\n  change(a.users, over: 14d) <= -40%";
        assert_eq!(fmt(src), "public signal d for a: Account = change(a.users, over: 14d) <= -40%\n");
        let long = "signal d for a: Account = change(a.weekly_active_users, over: 14d) <= -40% and a.tier == EnterpriseCustomer";
        assert_eq!(
            fmt(long),
            "signal d for a: Account =\n  change(a.weekly_active_users, over: 14d) <= -40% and a.tier == EnterpriseCustomer\n"
        );
        assert_eq!(
            fmt("limit e : 2 email per contact per 7d then drop"),
            "limit e: 2 email per contact per 7d then drop\n"
        );
        assert_eq!(fmt("limit t: 1_5 task per user per 1d"), "limit t: 15 task per user per 1d\n");
    }

    #[test]
    fn template_parts_keep_long_text_indented_inside() {
        let src = "template f for c: Contact {\nsubject \"Hi {c.name}\"\nbody \"\"\"\n      Hi,\n        there\n      \"\"\"\n}";
        let want = "template f for c: Contact {\n  subject \"Hi {c.name}\"\n  body \"\"\"\n    Hi,\n      there\n    \"\"\"\n}\n";
        assert_eq!(fmt(src), want);
    }
}
