//! The readable disassembly `play build --dump` prints: every item with its settings and
//! each piece of code as numbered instructions, operands named rather than numbered.

use std::fmt::Write;

use super::*;

pub(super) fn program(p: &Program) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "program {} (format {})", p.hash, p.format);
    let _ = writeln!(
        out,
        "{} records, {} enums, {} events, {} constants",
        p.schema.records.len(),
        p.schema.enums.len(),
        p.schema.events.len(),
        p.consts.len()
    );
    const DAYS: [&str; 7] = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"];
    let weekend: Vec<&str> = DAYS.iter().zip(p.settings.weekend).filter(|(_, off)| *off).map(|(d, _)| *d).collect();
    let holidays: Vec<String> = p.settings.holidays.iter().map(ToString::to_string).collect();
    let _ = writeln!(
        out,
        "time zone {} · weekend [{}] · holidays [{}]",
        p.settings.time_zone,
        weekend.join(", "),
        holidays.join(", ")
    );
    for s in &p.segments {
        let noun = if s.signal { "signal" } else { "segment" };
        let vis = if s.public { "public " } else { "" };
        let _ = writeln!(out, "\n{vis}{noun} {} for {}", s.name, p.schema.records[s.subject].name);
        code_about(p, &mut out, "value", &s.value, Some(s.subject));
    }
    for t in &p.templates {
        let _ = writeln!(out, "\ntemplate {} for {}", t.name, p.schema.records[t.subject].name);
        for (name, c) in &t.parts {
            code_about(p, &mut out, name, c, Some(t.subject));
        }
    }
    for l in &p.limits {
        let _ = writeln!(
            out,
            "\nlimit {}: {} {} per {} per {} then {}",
            l.name,
            l.count,
            l.action,
            l.per,
            duration(&l.window),
            format!("{:?}", l.overflow).to_lowercase()
        );
    }
    for pb in &p.playbooks {
        playbook(p, &mut out, pb);
    }
    for (i, f) in p.filters.iter().enumerate() {
        let _ = writeln!(out, "\nfilter #{i}");
        code_about(p, &mut out, "where", f, None);
    }
    out
}

fn playbook(p: &Program, out: &mut String, pb: &PlaybookDef) {
    let title = pb.title.as_ref().map(|t| format!(" {t:?}")).unwrap_or_default();
    let _ = writeln!(out, "\nplaybook {}{title} version {}", pb.name, pb.version);
    let reentry = match &pb.reentry {
        Reentry::After(d) => format!("after {}", duration(d)),
        Reentry::AfterExit => "after_exit".into(),
        r => format!("{r:?}").to_lowercase(),
    };
    let _ = writeln!(
        out,
        "  for {}: {} · {} · reentry {reentry} · inflight {}{}",
        pb.binding,
        p.schema.records[pb.subject].name,
        if pb.public { "public" } else { "private" },
        format!("{:?}", pb.inflight).to_lowercase(),
        pb.category.map(|c| format!(" · category {}", format!("{c:?}").to_lowercase())).unwrap_or_default()
    );
    for t in &pb.triggers {
        let _ = writeln!(out, "  on {}  ⇒ {}", t.source, trigger(p, pb, &t.kind));
        match &t.kind {
            TriggerKind::Becomes { value, .. } => code_about(p, out, "    value", value, Some(pb.subject)),
            TriggerKind::Date { date, .. } => code_about(p, out, "    date", date, Some(pb.subject)),
            _ => {}
        }
    }
    if let Some(c) = &pb.priority {
        code_about(p, out, "  priority", c, Some(pb.subject));
    }
    for c in &pb.conditions {
        code_about(p, out, "  when", c, Some(pb.subject));
    }
    for c in &pb.exits {
        code_about(p, out, "  exit when", c, Some(pb.subject));
    }
    for node in &pb.body {
        match node {
            Node::Step(s) => {
                let _ = writeln!(out, "  step {}", s.name);
                if let Some(f) = &s.filter {
                    code_about(p, out, "    filter", f, Some(pb.subject));
                }
                for a in &s.actions {
                    action(p, out, a, pb.subject);
                }
            }
            Node::Wait(WaitDef::Delay(c)) => code_about(p, out, "  wait", c, Some(pb.subject)),
            Node::Wait(WaitDef::Until(c)) => code_about(p, out, "  wait until", c, Some(pb.subject)),
            Node::Wait(WaitDef::For { event, filter, timeout }) => {
                let _ = writeln!(out, "  wait for {}", p.schema.events[*event].name);
                if let Some(f) = filter {
                    code_about(p, out, "    where", f, Some(pb.subject));
                }
                code_about(p, out, "    timeout", timeout, Some(pb.subject));
            }
            Node::Stage(s) => {
                let _ = writeln!(out, "  stage {}", s.name);
                for a in &s.activities {
                    action(p, out, a, pb.subject);
                }
            }
        }
    }
}

fn trigger(p: &Program, pb: &PlaybookDef, t: &TriggerKind) -> String {
    let field = |slot: &usize| {
        let r = &p.schema.records[pb.subject];
        format!("{}.{}", r.name, r.fields.get(*slot).map_or("?", |f| f.name.as_str()))
    };
    match t {
        TriggerKind::Event { event, via } => {
            let ev = &p.schema.events[*event];
            match via {
                Some(slot) => {
                    let r = &p.schema.records[ev.subject];
                    format!("event {} via {}.{}", ev.name, r.name, r.fields[*slot].name)
                }
                None => format!("event {}", ev.name),
            }
        }
        TriggerKind::Becomes { slot, .. } => format!("becomes {}", field(slot)),
        TriggerKind::Rises { slot } => format!("rises {}", field(slot)),
        TriggerKind::Falls { slot } => format!("falls {}", field(slot)),
        TriggerKind::Enters { segment } => format!("enters segment {}", p.segments[*segment].name),
        TriggerKind::Leaves { segment } => format!("leaves segment {}", p.segments[*segment].name),
        TriggerKind::Created => "created".into(),
        TriggerKind::Deleted => "deleted".into(),
        TriggerKind::Updated { slots } if slots.is_empty() => "updated (any field)".into(),
        TriggerKind::Updated { slots } => {
            format!("updated {}", slots.iter().map(field).collect::<Vec<_>>().join(", "))
        }
        TriggerKind::Date { at, .. } => format!("date at {}", time(at.unwrap_or(0))),
        TriggerKind::Every { every, at } => format!("every {every:?} at {}", time(*at)),
    }
}

fn action(p: &Program, out: &mut String, a: &ActionDef, subject: usize) {
    let mut head = format!("    {}", a.kind.name());
    if let Some(n) = &a.name {
        let _ = write!(head, " {}{n}", if a.optional { "optional " } else { "" });
    }
    if let Some(t) = a.template {
        let _ = write!(head, " template {}", p.templates[t].name);
    }
    if let Some(f) = &a.field {
        let _ = write!(head, " field {f}");
    }
    if let Some(r) = a.creates {
        let _ = write!(head, " creates {}", p.schema.records[r].name);
    }
    let _ = writeln!(out, "{head}");
    let parts = [
        ("title", &a.title),
        ("to", &a.to),
        ("about", &a.about),
        ("due", &a.due),
        ("note", &a.note),
        ("message", &a.message),
        ("flow", &a.flow),
        ("url", &a.url),
        ("target", &a.target),
    ];
    for (name, c) in parts {
        if let Some(c) = c {
            code_about(p, out, &format!("      {name}"), c, Some(subject));
        }
    }
    for (name, c) in &a.fields {
        code_about(p, out, &format!("      .{name}"), c, Some(subject));
    }
}

/// Code with the subject's record known, so its fields are named.
fn code_about(p: &Program, out: &mut String, label: &str, c: &Code, subject: Option<usize>) {
    let label_trimmed = label.trim_start();
    let indent = &label[..label.len() - label_trimmed.len()];
    let _ = writeln!(out, "{label}: {}", c.source.split_whitespace().collect::<Vec<_>>().join(" "));
    for (i, op) in c.ops.iter().enumerate() {
        let _ = writeln!(out, "{indent}  {i:04}  {}", instruction(p, op, subject));
    }
}

fn instruction(p: &Program, op: &Op, subject: Option<usize>) -> String {
    match op {
        Op::Const { index } => format!("const {}", constant(p, p.consts.get(*index as usize))),
        Op::Field { record, slot } => {
            let r = &p.schema.records[*record as usize];
            format!("field {}.{}", r.name, r.fields.get(*slot as usize).map_or("?", |f| f.name.as_str()))
        }
        Op::SubjectField { slot } => match subject.and_then(|s| p.schema.records.get(s)) {
            Some(r) => {
                format!("subject_field {}.{}", r.name, r.fields.get(*slot as usize).map_or("?", |f| f.name.as_str()))
            }
            None => format!("subject_field slot {slot}"),
        },
        Op::FieldCompare { slot, index, cmp } => {
            let field = match subject.and_then(|s| p.schema.records.get(s)) {
                Some(r) => format!("{}.{}", r.name, r.fields.get(*slot as usize).map_or("?", |f| f.name.as_str())),
                None => format!("slot {slot}"),
            };
            format!("field_compare {field} {} {}", cmp.symbol(), constant(p, p.consts.get(*index as usize)))
        }
        Op::EventField { event, slot } => {
            let e = &p.schema.events[*event as usize];
            format!("event_field {}.{}", e.name, e.fields.get(*slot as usize).map_or("?", |f| f.name.as_str()))
        }
        Op::Segment { index } => {
            let s = &p.segments[*index as usize];
            format!("{} {}", if s.signal { "signal" } else { "segment" }, s.name)
        }
        Op::History { kind, event, within, by, filter } => format!(
            "{} {}{}{}{}",
            format!("{kind:?}").to_lowercase(),
            p.schema.events[*event as usize].name,
            if *within { " within" } else { "" },
            if *by { " by" } else { "" },
            filter.map(|f| format!(" where #{f}")).unwrap_or_default()
        ),
        Op::Call { function } => format!("call {}", function.name()),
        Op::JumpIfFalse { to } => format!("jump_if_false {to:04}"),
        Op::JumpIfTrue { to } => format!("jump_if_true {to:04}"),
        Op::Coalesce { to } => format!("coalesce {to:04}"),
        Op::In { count, negated } => format!("{} {count}", if *negated { "not_in" } else { "in" }),
        Op::List { count } => format!("list {count}"),
        Op::Concat { count } => format!("concat {count}"),
        Op::Change { slot } | Op::Old { slot } => {
            let name = if matches!(op, Op::Change { .. }) { "change" } else { "old" };
            match subject.and_then(|s| p.schema.records.get(s)) {
                Some(r) => {
                    format!("{name} {}.{}", r.name, r.fields.get(*slot as usize).map_or("?", |f| f.name.as_str()))
                }
                None => format!("{name} slot {slot}"),
            }
        }
        other => snake(&format!("{other:?}")),
    }
}

fn constant(p: &Program, c: Option<&Const>) -> String {
    match c {
        None => "?".into(),
        Some(Const::Text(t)) => format!("{t:?}"),
        Some(Const::Int(i)) => i.to_string(),
        Some(Const::Number(n)) => format!("{n:?}"),
        Some(Const::Bool(b)) => b.to_string(),
        Some(Const::Date(d)) => d.to_string(),
        Some(Const::DateTime(s)) => chrono::DateTime::from_timestamp(*s, 0)
            .map_or(s.to_string(), |t| t.format("%Y-%m-%dT%H:%M:%SZ").to_string()),
        Some(Const::LocalDateTime(t)) => format!("{} (local)", t.format("%Y-%m-%dT%H:%M:%S")),
        Some(Const::Duration(d)) => duration(d),
        Some(Const::Time(m)) => time(*m),
        Some(Const::Enum { ty, variant }) => {
            let e = &p.schema.enums[*ty];
            format!("{}.{}", e.name, e.variants.get(*variant).map_or("?", |v| v.as_str()))
        }
        Some(Const::Ref { record, id }) => format!("{}/{id}", p.schema.records[*record].name),
    }
}

/// A duration as written: `3d`, `2bd`, `90m`.
pub fn duration(d: &Duration) -> String {
    let mut parts = Vec::new();
    if d.business_days != 0 {
        parts.push(format!("{}bd", d.business_days));
    }
    let s = d.seconds;
    if s != 0 || parts.is_empty() {
        parts.push(if s % 604_800 == 0 && s != 0 {
            format!("{}w", s / 604_800)
        } else if s % 86_400 == 0 && s != 0 {
            format!("{}d", s / 86_400)
        } else if s % 3600 == 0 {
            format!("{}h", s / 3600)
        } else if s % 60 == 0 {
            format!("{}m", s / 60)
        } else {
            format!("{s}s")
        });
    }
    parts.join(" + ")
}

fn time(minutes: u32) -> String {
    format!("{:02}:{:02}", minutes / 60, minutes % 60)
}

/// `JumpIfFalse` → `jump_if_false`.
fn snake(name: &str) -> String {
    let mut out = String::new();
    for (i, c) in name.chars().enumerate() {
        if c.is_uppercase() {
            if i > 0 {
                out.push('_');
            }
            out.extend(c.to_lowercase());
        } else {
            out.push(c);
        }
    }
    out
}
