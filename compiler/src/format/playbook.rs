//! Playbooks: clauses, triggers, steps, waits, stages, activities and actions.

use super::block::{field_values, members};
use super::expr::{duration, expr, path, time};
use super::printer::Printer;
use super::text::text;
use crate::syntax::ast::*;

pub fn playbook(p: &mut Printer, b: &Playbook) {
    let end = p.end_of(b.span);
    let header_end = b.title.as_ref().map_or(b.name.span.end, |t| t.span.end);
    let brace = p.brace(header_end, end);
    p.begin(b.span.start, brace.unwrap_or(end), b.doc.as_ref());
    let mut header = format!("playbook {}", b.name.name);
    push_title(&mut header, b.title.as_ref(), p.indent());
    p.write(&header);
    members(p, brace, end, &b.clauses, clause);
    p.end_line(end);
}

fn push_title(header: &mut String, title: Option<&TextLit>, indent: usize) {
    if let Some(title) = title {
        header.push(' ');
        header.push_str(&text(title, indent));
    }
}

fn clause(p: &mut Printer, c: &Clause) {
    let line = match &c.kind {
        ClauseKind::Step(s) => return step(p, s),
        ClauseKind::Stage(s) => return stage(p, s),
        ClauseKind::For(b) => format!("for {}: {}", b.name.name, b.ty.name),
        ClauseKind::Visibility(Visibility::Public) => "visibility public".into(),
        ClauseKind::Visibility(Visibility::Private) => "visibility private".into(),
        ClauseKind::Owner(t) => format!("owner {}", text(t, p.indent())),
        ClauseKind::Category(c) => format!(
            "category {}",
            match c {
                Category::Outreach => "outreach",
                Category::Risk => "risk",
                Category::Growth => "growth",
            }
        ),
        ClauseKind::Priority(e) => format!("priority {}", expr(e, p.indent())),
        ClauseKind::Reentry(r) => match r {
            Reentry::AfterExit => "reentry after_exit".into(),
            Reentry::Never => "reentry never".into(),
            Reentry::Always => "reentry always".into(),
            Reentry::After(d) => format!("reentry after {}", duration(d)),
        },
        ClauseKind::Inflight(i) => format!(
            "inflight {}",
            match i {
                Inflight::Keep => "keep",
                Inflight::Migrate => "migrate",
                Inflight::Cancel => "cancel",
            }
        ),
        ClauseKind::On(triggers) => {
            let triggers: Vec<String> = triggers.iter().map(|t| trigger(t, p.indent())).collect();
            format!("on {}", triggers.join(" or "))
        }
        ClauseKind::When(e) => format!("when {}", expr(e, p.indent())),
        ClauseKind::ExitWhen(e) => format!("exit when {}", expr(e, p.indent())),
        ClauseKind::Wait(Wait::Delay(e)) => format!("wait {}", expr(e, p.indent())),
        ClauseKind::Wait(Wait::Until(e)) => format!("wait until {}", expr(e, p.indent())),
        ClauseKind::Wait(Wait::For { event, filter, timeout }) => {
            let mut s = format!("wait for {}", event.name);
            if let Some(filter) = filter {
                s.push_str(&format!(" where {}", expr(filter, p.indent())));
            }
            s.push_str(&format!(" timeout {}", expr(timeout, p.indent())));
            s
        }
    };
    let end = p.end_of(c.span);
    p.begin(c.span.start, end, None);
    p.write(&line);
    p.end_line(end);
}

fn trigger(t: &Trigger, indent: usize) -> String {
    match &t.kind {
        TriggerKind::Event(e) => format!("event {}", e.name),
        TriggerKind::Enters(s) => format!("enters {}", s.name),
        TriggerKind::Leaves(s) => format!("leaves {}", s.name),
        TriggerKind::Created => "created".into(),
        TriggerKind::Updated(paths) if paths.is_empty() => "updated".into(),
        TriggerKind::Updated(paths) => {
            let paths: Vec<String> = paths.iter().map(path).collect();
            format!("updated {}", paths.join(", "))
        }
        TriggerKind::Deleted => "deleted".into(),
        TriggerKind::Date { date, at } => {
            let mut s = format!("date {}", expr(date, indent));
            if let Some(at) = at {
                s.push_str(&format!(" at {}", time(at)));
            }
            s
        }
        TriggerKind::Every { every, at } => format!("every {} at {}", every_word(*every), time(at)),
        TriggerKind::Becomes { field, value } => format!("{} becomes {}", path(field), expr(value, indent)),
        TriggerKind::Rises(field) => format!("{} rises", path(field)),
        TriggerKind::Falls(field) => format!("{} falls", path(field)),
    }
}

fn every_word(every: Every) -> &'static str {
    match every {
        Every::Day => "day",
        Every::Weekday => "weekday",
        Every::Monday => "monday",
        Every::Tuesday => "tuesday",
        Every::Wednesday => "wednesday",
        Every::Thursday => "thursday",
        Every::Friday => "friday",
        Every::Saturday => "saturday",
        Every::Sunday => "sunday",
    }
}

fn step(p: &mut Printer, s: &Step) {
    let end = p.end_of(s.span);
    let header_end = match (&s.filter, &s.title) {
        (Some(f), _) => f.span.end,
        (None, Some(t)) => t.span.end,
        (None, None) => s.name.span.end,
    };
    let brace = p.brace(header_end, end);
    p.begin(s.span.start, brace.unwrap_or(end), s.doc.as_ref());
    let mut header = format!("step {}", s.name.name);
    push_title(&mut header, s.title.as_ref(), p.indent());
    if let Some(filter) = &s.filter {
        header.push_str(&format!(" when {}", expr(filter, p.indent())));
    }
    p.write(&header);
    members(p, brace, end, &s.actions, action);
    p.end_line(end);
}

fn stage(p: &mut Printer, s: &Stage) {
    let end = p.end_of(s.span);
    let header_end = s.title.as_ref().map_or(s.name.span.end, |t| t.span.end);
    let brace = p.brace(header_end, end);
    p.begin(s.span.start, brace.unwrap_or(end), s.doc.as_ref());
    let mut header = format!("stage {}", s.name.name);
    push_title(&mut header, s.title.as_ref(), p.indent());
    p.write(&header);
    members(p, brace, end, &s.activities, activity);
    p.end_line(end);
}

/// `to x`, `due d`, `note "n"`: the options of tasks and activities, in that order.
fn options(to: Option<&Expr>, due: Option<&Expr>, note: Option<&TextLit>, indent: usize) -> Vec<String> {
    let mut parts = Vec::new();
    if let Some(to) = to {
        parts.push(format!("to {}", expr(to, indent)));
    }
    if let Some(due) = due {
        parts.push(format!("due {}", expr(due, indent)));
    }
    if let Some(note) = note {
        parts.push(format!("note {}", text(note, indent)));
    }
    parts
}

/// A head and its options on one line when that fits in [`MAX_WIDTH`] columns, else the
/// head and then each option on a line of its own, one level deeper.
///
/// [`MAX_WIDTH`]: super::MAX_WIDTH
fn write_wrapped(p: &mut Printer, parts: &[String]) {
    let line = parts.join(" ");
    match parts.split_first() {
        Some((head, rest)) if !rest.is_empty() && !p.fits(&line) => {
            p.write(head);
            for part in rest {
                p.continue_line(part);
            }
        }
        _ => p.write(&line),
    }
}

fn activity(p: &mut Printer, a: &Activity) {
    let end = p.end_of(a.span);
    let creates = a.creates.as_ref().map(|c| {
        let c_end = p.end_of(c.span);
        (c, p.brace(c.record.span.end, c_end), c_end)
    });
    let hoist_end = creates.and_then(|(_, brace, _)| brace).unwrap_or(end);
    p.begin(a.span.start, hoist_end, a.doc.as_ref());
    let indent = p.indent();
    let mut header = String::new();
    if a.optional {
        header.push_str("optional ");
    }
    header.push_str(&format!("activity {}", a.name.name));
    push_title(&mut header, a.title.as_ref(), indent);
    let opts = options(a.to.as_ref(), a.due.as_ref(), a.note.as_ref(), indent);
    match creates {
        Some((c, brace, c_end)) => {
            for o in opts {
                header.push(' ');
                header.push_str(&o);
            }
            header.push_str(&format!(" creates {}", c.record.name));
            field_values(p, &header, &c.fields, brace, c_end, " {}");
        }
        None => {
            let mut parts = vec![header];
            parts.extend(opts);
            write_wrapped(p, &parts);
        }
    }
    p.end_line(end);
}

fn action(p: &mut Printer, a: &Action) {
    let end = p.end_of(a.span);
    let indent = p.indent();
    let (header, fields, brace) = match &a.kind {
        ActionKind::Update { record, fields } => {
            (format!("update {}", path(record)), fields, p.brace(record.span.end, end))
        }
        ActionKind::Webhook { url, fields } => {
            (format!("webhook {}", text(url, indent)), fields, p.brace(url.span.end, end))
        }
        kind => {
            p.begin(a.span.start, end, None);
            write_wrapped(p, &action_parts(kind, indent));
            p.end_line(end);
            return;
        }
    };
    p.begin(a.span.start, brace.unwrap_or(end), None);
    field_values(p, &header, fields, brace, end, " {}");
    p.end_line(end);
}

/// An action without a field list, as a head and the parts that may go on lines of their
/// own when it is too wide.
fn action_parts(kind: &ActionKind, indent: usize) -> Vec<String> {
    let e = |x: &Expr| expr(x, indent);
    match kind {
        ActionKind::Task { title, to, due, note } => {
            let mut parts = vec![format!("task {}", text(title, indent))];
            parts.extend(options(to.as_ref(), due.as_ref(), note.as_ref(), indent));
            parts
        }
        ActionKind::EmailTask { to, template } => {
            vec![format!("email_task to {}", e(to)), format!("template {}", template.name)]
        }
        ActionKind::Email { to, template } => {
            vec![format!("email to {}", e(to)), format!("template {}", template.name)]
        }
        ActionKind::Assign { field, to } => vec![format!("assign {}", path(field)), format!("to {}", e(to))],
        ActionKind::Notify { channel, to, message } => {
            let channel = match channel {
                Channel::Email => "email",
                Channel::Slack => "slack",
            };
            vec![format!("notify {channel} {}", e(to)), text(message, indent)]
        }
        ActionKind::Enroll { who, flow } => {
            vec![format!("enroll {}", e(who)), format!("in flow {}", text(flow, indent))]
        }
        ActionKind::Brief { about, to } => vec![format!("brief {}", e(about)), format!("to {}", e(to))],
        ActionKind::Update { record, .. } => vec![format!("update {} {{}}", path(record))],
        ActionKind::Webhook { url, .. } => vec![format!("webhook {} {{}}", text(url, indent))],
    }
}

#[cfg(test)]
mod tests {
    use crate::format::format_source;

    fn fmt(src: &str) -> String {
        format_source(src).unwrap_or_else(|d| panic!("{src}: {d:?}"))
    }

    #[test]
    fn long_actions_put_their_options_on_lines_of_their_own() {
        let src = "playbook p {\n  step s {\n    task \"Call {account.name} about the renewal and the open support tickets\" to account.owner due 2d note \"Bring the usage report\"\n    task \"Short\" to account.owner\n  }\n}\n";
        let want = "playbook p {\n  step s {\n    task \"Call {account.name} about the renewal and the open support tickets\"\n      to account.owner\n      due 2d\n      note \"Bring the usage report\"\n    task \"Short\" to account.owner\n  }\n}\n";
        assert_eq!(fmt(src), want);
        assert_eq!(fmt(want), want);
    }

    #[test]
    fn clauses_take_one_line_each_in_source_order() {
        let src = "playbook p \"P\" { for a: Account visibility public category risk priority a.arr/10 \
                   reentry after 30d inflight migrate on a.health falls or event Login when a.x exit when a.y }";
        let want = "playbook p \"P\" {\n  for a: Account\n  visibility public\n  category risk\n  priority a.arr / 10\n  \
                    reentry after 30d\n  inflight migrate\n  on a.health falls or event Login\n  when a.x\n  exit when a.y\n}\n";
        assert_eq!(fmt(src), want);
    }

    #[test]
    fn triggers_print_in_canonical_form() {
        let src = "playbook p { on enters s or leaves s or created or updated or updated a.b,a.c or deleted \
                   or date a.d - 90d at 09:00 or every weekday at 08:05 or a.stage becomes Renewal or a.h rises }";
        let want = "playbook p {\n  on enters s or leaves s or created or updated or updated a.b, a.c or deleted \
                    or date a.d - 90d at 09:00 or every weekday at 08:05 or a.stage becomes Renewal or a.h rises\n}\n";
        assert_eq!(fmt(src), want);
    }

    #[test]
    fn steps_waits_and_actions() {
        let src = "playbook p {\nstep s \"S\" when not timed_out {\ntask \"T\" note \"n\" due 2d to a.owner\n\
                   email_task to a.champion ?? skip template t\nemail to c template t\nassign a.owner to manager_of(a.owner)\n\
                   notify slack \"#cs\" \"hi {a.name}\"\nnotify email \"x@y.z\" \"m\"\nenroll c in flow \"F\"\nbrief a to a.owner\n\
                   update a { x: 1 }\nwebhook \"https://h\" {}\n}\nstep e {}\nwait 3d\nwait until a.d - 30d\n\
                   wait for Login where trigger.event.x == 1 timeout 5d\n}";
        let want = "playbook p {\n  step s \"S\" when not timed_out {\n    task \"T\" to a.owner due 2d note \"n\"\n    \
                    email_task to a.champion ?? skip template t\n    email to c template t\n    assign a.owner to manager_of(a.owner)\n    \
                    notify slack \"#cs\" \"hi {a.name}\"\n    notify email \"x@y.z\" \"m\"\n    enroll c in flow \"F\"\n    brief a to a.owner\n    \
                    update a { x: 1 }\n    webhook \"https://h\" {}\n  }\n  step e {}\n  wait 3d\n  wait until a.d - 30d\n  \
                    wait for Login where trigger.event.x == 1 timeout 5d\n}\n";
        assert_eq!(fmt(src), want);
    }

    #[test]
    fn stages_and_activities() {
        let src = "playbook p { for c: Case\n stage t \"T\" { optional activity v \"V\" creates Task { subject: \"S\" } note \"n\" to c.o\n activity w }\n stage e {} }";
        let want = "playbook p {\n  for c: Case\n  stage t \"T\" {\n    optional activity v \"V\" to c.o note \"n\" creates Task { subject: \"S\" }\n    \
                    activity w\n  }\n  stage e {}\n}\n";
        assert_eq!(fmt(src), want);
    }

    #[test]
    fn blank_lines_between_members_are_kept_once() {
        let src = "playbook p {\n\n  for a: A\n\n\n\n  when a.x\n  when a.y\n\n}";
        assert_eq!(fmt(src), "playbook p {\n  for a: A\n\n  when a.x\n  when a.y\n}\n");
    }
}
