//! `test` blocks and their statements.

use super::block::{field_values, members};
use super::expr::{duration, expr};
use super::printer::Printer;
use super::text::text;
use crate::syntax::ast::*;

pub fn test_item(p: &mut Printer, t: &TestItem) {
    let end = p.end_of(t.span);
    let brace = p.brace(t.name.span.end, end);
    p.begin(t.span.start, brace.unwrap_or(end), t.doc.as_ref());
    let name = text(&t.name, p.indent());
    p.write(&format!("test {name}"));
    members(p, brace, end, &t.stmts, stmt);
    p.end_line(end);
}

fn stmt(p: &mut Printer, s: &TestStmt) {
    let end = p.end_of(s.span);
    let indent = p.indent();
    // Statements with a field list: the header, where the list's `{` may follow, and
    // what an empty list prints as.
    let (header, fields, after, empty) = match &s.kind {
        TestStmtKind::Given { record, name, fields } => {
            (format!("given {} {}", record.name, name.name), fields, name.span.end, " {}")
        }
        TestStmtKind::Create { record, name, fields } => {
            (format!("create {} {}", record.name, name.name), fields, name.span.end, " {}")
        }
        TestStmtKind::Update { name, fields } => (format!("update {}", name.name), fields, name.span.end, " {}"),
        TestStmtKind::Event { event, subject, fields } => {
            (format!("event {} on {}", event.name, subject.name), fields, subject.span.end, "")
        }
        kind => {
            p.begin(s.span.start, end, None);
            p.write(&simple_stmt(kind, indent));
            p.end_line(end);
            return;
        }
    };
    let brace = p.brace(after, end);
    p.begin(s.span.start, brace.unwrap_or(end), None);
    field_values(p, &header, fields, brace, end, empty);
    p.end_line(end);
}

fn simple_stmt(kind: &TestStmtKind, indent: usize) -> String {
    match kind {
        TestStmtKind::Delete { name } => format!("delete {}", name.name),
        TestStmtKind::At(e) => format!("at {}", expr(e, indent)),
        TestStmtKind::After(d) => format!("after {}", duration(d)),
        TestStmtKind::Expect { kind: k, options, .. } | TestStmtKind::Act { kind: k, options, .. } => {
            let s_count;
            let mut s = String::from(match kind {
                TestStmtKind::Expect { negated: true, .. } => "expect no ",
                TestStmtKind::Expect { count: Some(n), .. } => {
                    s_count = format!("expect {n} ");
                    &s_count
                }
                TestStmtKind::Act { verb: Verb::Complete, .. } => "complete ",
                TestStmtKind::Act { verb: Verb::Dismiss, .. } => "dismiss ",
                TestStmtKind::Act { verb: Verb::Snooze, .. } => "snooze ",
                _ => "expect ",
            });
            s.push_str(expect_kind(*k));
            for option in options {
                s.push(' ');
                s.push_str(expect_key(option.key));
                s.push(' ');
                s.push_str(&expr(&option.value, indent));
            }
            if let TestStmtKind::Act { snooze_for: Some(d), .. } = kind {
                s.push_str(" for ");
                s.push_str(&duration(d));
            }
            s
        }
        TestStmtKind::AddActivity { activity, on } => match on {
            Some(on) => format!("add activity {} on {}", activity.name, on.name),
            None => format!("add activity {}", activity.name),
        },
        TestStmtKind::Given { record, name, .. } => format!("given {} {} {{}}", record.name, name.name),
        TestStmtKind::Create { record, name, .. } => format!("create {} {} {{}}", record.name, name.name),
        TestStmtKind::Update { name, .. } => format!("update {} {{}}", name.name),
        TestStmtKind::Event { event, subject, .. } => format!("event {} on {}", event.name, subject.name),
    }
}

fn expect_kind(kind: ExpectKind) -> &'static str {
    match kind {
        ExpectKind::Task => "task",
        ExpectKind::EmailTask => "email_task",
        ExpectKind::Email => "email",
        ExpectKind::Assign => "assign",
        ExpectKind::Notify(None) => "notify",
        ExpectKind::Notify(Some(Channel::Email)) => "notify email",
        ExpectKind::Notify(Some(Channel::Slack)) => "notify slack",
        ExpectKind::Enroll => "enroll",
        ExpectKind::Brief => "brief",
        ExpectKind::Update => "update",
        ExpectKind::Webhook => "webhook",
        ExpectKind::Activity => "activity",
    }
}

fn expect_key(key: ExpectKey) -> &'static str {
    match key {
        ExpectKey::To => "to",
        ExpectKey::Titled => "titled",
        ExpectKey::Containing => "containing",
        ExpectKey::Template => "template",
        ExpectKey::Playbook => "playbook",
        ExpectKey::Step => "step",
    }
}

#[cfg(test)]
mod tests {
    use crate::format::format_source;

    fn fmt(src: &str) -> String {
        format_source(src).unwrap_or_else(|d| panic!("{src}: {d:?}"))
    }

    #[test]
    fn test_statements_print_in_canonical_form() {
        let src = "test \"t\" {\ngiven Account acme {name: \"Acme\"}\ncreate Contact c {}\nupdate acme {health: 41}\n\
                   delete acme\n event Login on c\n event Login on c {}\n event Opened on acme { severity: High }\n\
                   at 2026-03-02T09:00:00Z\nat 2026-03-02\nafter 3d\nexpect  no  email\nexpect notify slack to \"#cs\"\n\
                   expect task to \"jo@example.com\" titled \"Review\" playbook p step s\nexpect email_task template t\n}";
        let want = "test \"t\" {\n  given Account acme { name: \"Acme\" }\n  create Contact c {}\n  update acme { health: 41 }\n  \
                    delete acme\n  event Login on c\n  event Login on c\n  event Opened on acme { severity: High }\n  \
                    at 2026-03-02T09:00:00Z\n  at 2026-03-02\n  after 3d\n  expect no email\n  expect notify slack to \"#cs\"\n  \
                    expect task to \"jo@example.com\" titled \"Review\" playbook p step s\n  expect email_task template t\n}\n";
        assert_eq!(fmt(src), want);
    }

    #[test]
    fn every_expect_kind_prints_its_keywords() {
        let kinds = [
            "task",
            "email_task",
            "email",
            "assign",
            "notify",
            "notify email",
            "notify slack",
            "enroll",
            "brief",
            "update",
            "webhook",
            "activity",
        ];
        for kind in kinds {
            let src = format!("test \"t\" {{ expect {kind} }}");
            assert_eq!(fmt(&src), format!("test \"t\" {{\n  expect {kind}\n}}\n"));
        }
    }
}
