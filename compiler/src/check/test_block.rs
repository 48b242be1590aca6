//! Checking `test` blocks: the records they make, the fields they set, the events they
//! send and what they expect.

use std::collections::HashMap;

use super::env::Env;
use super::model::{FileId, ItemKind};
use super::types::{RecordId, Ty};
use super::Checker;
use crate::diagnostic::{codes, Diagnostic};
use crate::syntax::ast::*;

impl<'a> Checker<'a> {
    pub(super) fn check_tests(&mut self) {
        let mut names: HashMap<String, (FileId, crate::syntax::Span)> = HashMap::new();
        for file in 0..self.project_files {
            let items = &self.files[file].file.items;
            for item in items {
                let Item::Test(test) = item else { continue };
                let name = test.name.as_plain().unwrap_or_default();
                if let Some(&(first_file, first_span)) = names.get(&name) {
                    let d = Diagnostic::error(
                        codes::BAD_TEST,
                        format!("two tests are named \"{name}\""),
                        test.name.span,
                        "named again here",
                    )
                    .with_help("give each test its own name: reports refer to tests by it");
                    let d = self.also(
                        file,
                        d,
                        super::model::Origin { file: first_file, span: first_span },
                        "first named here",
                    );
                    self.report(file, d);
                } else {
                    names.insert(name, (file, test.name.span));
                }
                self.test(file, test);
            }
        }
    }

    fn test(&mut self, file: FileId, test: &TestItem) {
        self.binding = None;
        self.scope.clear();
        self.current_playbook = None;
        // The test's records, by name, as bindings their field values may refer to.
        let mut env = Env::new(None, None);
        // The clock starts at the test's first `at`: without one a test has no time.
        if test.errors.is_empty() && !test.stmts.iter().any(|s| matches!(s.kind, TestStmtKind::At(_))) {
            let d = Diagnostic::error(
                codes::BAD_TEST,
                "the test never says when it happens: it has no `at`",
                test.name.span,
                "no start time",
            )
            .with_help("start it with the moment its clock starts, e.g. `at 2026-03-02T09:00:00Z`");
            self.report(file, d);
        }
        let mut records: HashMap<String, RecordId> = HashMap::new();
        let mut unknown: Vec<String> = Vec::new();
        for stmt in &test.stmts {
            match &stmt.kind {
                TestStmtKind::Given { record, name, fields } | TestStmtKind::Create { record, name, fields } => {
                    let Some(r) = self.record_ref(file, record) else {
                        // Known by name from now on, so that its later uses are not errors too.
                        unknown.push(name.name.clone());
                        continue;
                    };
                    if records.contains_key(&name.name) {
                        let d = Diagnostic::error(
                            codes::BAD_TEST,
                            format!("the test already has a record named `{}`", name.name),
                            name.span,
                            "named again",
                        )
                        .with_help("give each record in a test its own name");
                        self.report(file, d);
                    }
                    self.test_fields(file, &env, r, fields);
                    self.missing_fields(file, r, fields, name.span, &name.name);
                    self.bind(file, &name.name, name.span);
                    records.insert(name.name.clone(), r);
                    env.bindings.push((name.name.clone(), Ty::Record(r)));
                }
                TestStmtKind::Update { name, fields } if unknown.contains(&name.name) => {
                    for f in fields {
                        self.expr(file, &env, &f.value, None);
                    }
                }
                TestStmtKind::Delete { name } | TestStmtKind::Event { subject: name, .. }
                    if unknown.contains(&name.name) => {}
                TestStmtKind::Update { name, fields } => {
                    if let Some(r) = self.test_record(file, &records, name) {
                        self.test_fields(file, &env, r, fields);
                    }
                }
                TestStmtKind::Delete { name } => {
                    self.test_record(file, &records, name);
                }
                TestStmtKind::Event { event, subject, fields } => {
                    let e = self.event_ref(file, event);
                    let r = self.test_record(file, &records, subject);
                    let Some(e) = e else { continue };
                    if let (Some(r), Some(on)) = (r, self.model.events[e].subject) {
                        if r != on {
                            let d = Diagnostic::error(
                                codes::BAD_TEST,
                                format!(
                                    "`{}` happens to {}, and `{}` is {}",
                                    event.name,
                                    super::playbook::a(&self.model.records[on].name),
                                    subject.name,
                                    super::playbook::a(&self.model.records[r].name)
                                ),
                                subject.span,
                                "another kind of record",
                            );
                            self.report(file, d);
                        }
                    }
                    self.event_payload(file, &env, e, event, fields);
                }
                TestStmtKind::At(_) | TestStmtKind::After(_) => {}
                TestStmtKind::Expect { kind, options, .. } => self.expectations(file, &env, *kind, options),
                TestStmtKind::AddActivity { activity, on } => {
                    if let Some(on) = on {
                        self.test_record(file, &records, on);
                    }
                    if !self.model.playbooks.iter().any(|p| p.steps.contains(&activity.name)) {
                        let d = Diagnostic::error(
                            codes::BAD_TEST,
                            format!("no playbook has an activity `{}`", activity.name),
                            activity.span,
                            "not an activity",
                        )
                        .with_help("name an optional activity of a stage, as `add activity visit`");
                        self.report(file, d);
                    }
                }
                TestStmtKind::Act { verb, kind, options, snooze_for } => {
                    match (verb, snooze_for) {
                        (Verb::Snooze, None) => {
                            let d = Diagnostic::error(
                                codes::BAD_TEST,
                                "`snooze` needs how long: `for` and a duration",
                                stmt.span,
                                "snoozed for how long?",
                            )
                            .with_help("write, for example, `snooze task titled \"…\" for 2d`");
                            self.report(file, d);
                        }
                        (Verb::Complete | Verb::Dismiss, Some(d)) => {
                            let d = Diagnostic::error(
                                codes::BAD_TEST,
                                "only `snooze` takes `for` and a duration",
                                d.span,
                                "not with this verb",
                            );
                            self.report(file, d);
                        }
                        _ => {}
                    }
                    if !matches!(kind, ExpectKind::Task | ExpectKind::EmailTask | ExpectKind::Activity) {
                        let word = match verb {
                            Verb::Complete => "completed",
                            Verb::Dismiss => "dismissed",
                            Verb::Snooze => "snoozed",
                        };
                        let d = Diagnostic::error(
                            codes::BAD_TEST,
                            format!("only tasks, email tasks and activities can be {word}"),
                            stmt.span,
                            "delivered, not waiting for a person",
                        )
                        .with_help("the other actions are delivered as they are produced");
                        self.report(file, d);
                    }
                    self.expectations(file, &env, *kind, options);
                }
            }
        }
    }

    fn test_record(&mut self, file: FileId, records: &HashMap<String, RecordId>, name: &Ident) -> Option<RecordId> {
        if let Some(r) = records.get(&name.name) {
            if let Some(symbol) = self.bound(&name.name) {
                self.note(file, name.span, symbol, Some(Ty::Record(*r)));
            }
            return Some(*r);
        }
        let mut known: Vec<&str> = records.keys().map(String::as_str).collect();
        known.sort();
        let d = Diagnostic::error(
            codes::BAD_TEST,
            format!("the test has no record `{}`", name.name),
            name.span,
            "not made by `given` or `create`",
        );
        let d = d.did_you_mean(
            &name.name,
            name.span,
            known.iter().copied(),
            Some("make it first: `given Account acme { … }`".into()),
        );
        self.report(file, d);
        None
    }

    /// Field values in a test, where teammates (`User`) are written as email addresses.
    fn test_fields(&mut self, file: FileId, env: &Env, record: RecordId, fields: &[FieldValue]) {
        let user = self.model.record_named("User");
        let (as_text, rest): (Vec<&FieldValue>, Vec<&FieldValue>) = fields.iter().partition(|fv| {
            let field_ty = self.model.records[record].field(&fv.name.name).map(|f| f.ty.required().clone());
            user.is_some_and(|u| field_ty == Some(Ty::Record(u))) && matches!(fv.value.kind, ExprKind::Text(_))
        });
        for fv in as_text {
            self.note_field(file, &self.model.records[record].name.clone(), &fv.name);
            self.expr(file, env, &fv.value, None);
            self.teammate_address(file, fv);
        }
        self.field_values(file, env, record, rest);
    }

    /// A teammate written as text must be an address, as change lines require: `"jo"` is
    /// refused here rather than taken as somebody's id.
    fn teammate_address(&mut self, file: FileId, fv: &FieldValue) {
        let ExprKind::Text(t) = &fv.value.kind else { return };
        let Some(text) = t.as_plain() else { return };
        if crate::email::is_email(&text) {
            return;
        }
        let d = Diagnostic::error(
            codes::BAD_TEST,
            format!("`{}` is not a teammate's email address", text),
            fv.value.span,
            "a teammate is written as their address",
        )
        .with_help("write the address, e.g. `\"jo@example.com\"`");
        self.report(file, d);
    }

    fn event_payload(&mut self, file: FileId, env: &Env, e: usize, event: &Ident, fields: &[FieldValue]) {
        let declared = self.model.events[e].fields.clone();
        for fv in fields {
            let user = self.model.record_named("User").map(Ty::Record);
            if declared.iter().any(|f| f.name == fv.name.name) {
                self.note_field(file, &event.name, &fv.name);
            }
            match declared.iter().find(|f| f.name == fv.name.name) {
                // Teammates are written as their email address in tests.
                Some(f) if Some(f.ty.required()) == user.as_ref() && matches!(fv.value.kind, ExprKind::Text(_)) => {
                    self.teammate_address(file, fv);
                }
                Some(f) => {
                    let t = self.expr(file, env, &fv.value, Some(&f.ty));
                    self.expect_ty(file, &fv.value, &t, &f.ty, &format!("`{}` is `{}`", f.name, self.name_of(&f.ty)));
                }
                None => {
                    let d = Diagnostic::error(
                        codes::UNKNOWN_FIELD,
                        format!("unknown field `{}` on `{}`", fv.name.name, event.name),
                        fv.name.span,
                        "not in the event",
                    );
                    let names: Vec<&str> = declared.iter().map(|f| f.name.as_str()).collect();
                    let d = d.did_you_mean(&fv.name.name, fv.name.span, names.iter().copied(), None);
                    self.report(file, d);
                }
            }
        }
        let missing: Vec<String> = declared
            .iter()
            .filter(|f| !f.ty.is_optional() && !fields.iter().any(|v| v.name.name == f.name))
            .map(|f| format!("`{}`", f.name))
            .collect();
        if !missing.is_empty() {
            let d = Diagnostic::error(
                codes::BAD_TEST,
                format!("`{}` needs {}", event.name, missing.join(", ")),
                event.span,
                "missing required fields",
            );
            self.report(file, d);
        }
    }

    fn expectations(&mut self, file: FileId, env: &Env, kind: ExpectKind, options: &[ExpectOption]) {
        // Emails and flows go to contacts or leads (a test's record, or an address);
        // everything else goes to teammates, written as their email address.
        let to_records = matches!(kind, ExpectKind::EmailTask | ExpectKind::Email | ExpectKind::Enroll);
        for o in options {
            match o.key {
                ExpectKey::To => {
                    let t = self.expr(file, env, &o.value, None);
                    if !(to_records && matches!(t, Ty::Record(_))) {
                        let why = if to_records {
                            "compare with one of the test's records or an email address"
                        } else {
                            "teammates are written as their email address, e.g. `\"jo@example.com\"`"
                        };
                        self.expect_ty(file, &o.value, &t, &Ty::Text, why);
                    }
                }
                ExpectKey::Titled => {
                    let t = self.expr(file, env, &o.value, None);
                    self.expect_ty(file, &o.value, &t, &Ty::Text, "a title is text");
                }
                ExpectKey::Containing => {
                    let t = self.expr(file, env, &o.value, None);
                    self.expect_ty(file, &o.value, &t, &Ty::Text, "`containing` looks for a text in the action");
                }
                ExpectKey::Template | ExpectKey::Playbook | ExpectKey::Step => {
                    let ExprKind::Name(n) = &o.value.kind else {
                        let d = Diagnostic::error(codes::BAD_TEST, "expected a name", o.value.span, "not a name");
                        self.report(file, d);
                        continue;
                    };
                    let found = match o.key {
                        ExpectKey::Template => matches!(self.model.items.get(&n.name), Some(ItemKind::Template(_))),
                        ExpectKey::Playbook => matches!(self.model.items.get(&n.name), Some(ItemKind::Playbook(_))),
                        _ => self.model.playbooks.iter().any(|p| p.steps.contains(&n.name)),
                    };
                    if found {
                        self.note_expected(file, o.key, n, options);
                    } else {
                        let noun = match o.key {
                            ExpectKey::Template => "template",
                            ExpectKey::Playbook => "playbook",
                            _ => "step",
                        };
                        let d = Diagnostic::error(
                            codes::BAD_TEST,
                            format!("there is no {noun} `{}`", n.name),
                            n.span,
                            format!("not a {noun}"),
                        );
                        self.report(file, d);
                    }
                }
            }
        }
    }

    /// Records a field named in a test (for the editor's references and rename).
    fn note_field(&mut self, file: FileId, owner: &str, name: &Ident) {
        let symbol = crate::analysis::index::Symbol::Field { owner: owner.to_string(), name: name.name.clone() };
        self.note(file, name.span, symbol, None);
    }

    /// Records the template, playbook or step an expectation names (for the editor's
    /// references and rename). A step is the named playbook's, else the first playbook's
    /// that has a step so named.
    fn note_expected(&mut self, file: FileId, key: ExpectKey, name: &Ident, options: &[ExpectOption]) {
        use crate::analysis::index::Symbol;
        let symbol = match key {
            ExpectKey::Template | ExpectKey::Playbook => Symbol::Item(name.name.clone()),
            _ => {
                let named = options.iter().find_map(|o| match (&o.key, &o.value.kind) {
                    (ExpectKey::Playbook, ExprKind::Name(p)) => Some(p.name.as_str()),
                    _ => None,
                });
                let has_step = |p: &&super::model::Playbook<'_>| p.steps.contains(&name.name);
                let playbook = self
                    .model
                    .playbooks
                    .iter()
                    .filter(has_step)
                    .find(|p| named.is_none_or(|n| p.item.name.name == n))
                    .or_else(|| self.model.playbooks.iter().find(has_step));
                let Some(playbook) = playbook else { return };
                Symbol::Step { playbook: playbook.item.name.name.clone(), name: name.name.clone() }
            }
        };
        self.note(file, name.span, symbol, None);
    }
}
