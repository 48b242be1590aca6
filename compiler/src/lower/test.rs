//! Test blocks to statements the test runner replays: records by name, field values as
//! code, clock moves, and expectations.

use super::{Lowerer, Name};
use crate::program::*;
use crate::syntax::ast::{self, ExpectKey, TestStmtKind as S};

impl Lowerer<'_, '_> {
    pub(super) fn test(&mut self, file: usize, test: &ast::TestItem) -> TestDef {
        self.file = file;
        self.subject = None;
        self.names.clear();
        let mut stmts = Vec::new();
        let mut in_group = false;
        for stmt in &test.stmts {
            let kind = match &stmt.kind {
                S::Given { record, name, fields } | S::Create { record, name, fields } => {
                    let r = self.record_id(&record.name);
                    let fields = self.record_fields(r, fields);
                    self.names.push((name.name.clone(), Name::TestRecord(r)));
                    TestStmtKind::Put {
                        created: matches!(stmt.kind, S::Create { .. }),
                        record: r,
                        name: name.name.clone(),
                        fields,
                    }
                }
                S::Update { name, fields } => {
                    let r = self.test_record(&name.name);
                    TestStmtKind::Update { record: r, name: name.name.clone(), fields: self.record_fields(r, fields) }
                }
                S::Delete { name } => {
                    TestStmtKind::Delete { record: self.test_record(&name.name), name: name.name.clone() }
                }
                S::Event { event, subject, fields } => {
                    let e = self.model.items.get(&event.name).and_then(|k| match k {
                        crate::check::model::ItemKind::Event(e) => Some(*e),
                        _ => None,
                    });
                    let e = e.unwrap_or(0);
                    let fields = fields
                        .iter()
                        .map(|f| {
                            let slot =
                                self.model.events[e].fields.iter().position(|x| x.name == f.name.name).unwrap_or(0);
                            (slot, self.code(&f.value))
                        })
                        .collect();
                    TestStmtKind::Event { event: e, subject: subject.name.clone(), fields }
                }
                S::At(e) => TestStmtKind::At(self.moment(e)),
                S::After(d) => TestStmtKind::After(super::duration(d)),
                S::Expect { negated, count, kind, options } => {
                    let mut expect = self.expect(*negated, *kind, options, stmt.span, !in_group);
                    // `expect 0 …` is `expect no …`.
                    expect.negated |= *count == Some(0);
                    expect.count = count.filter(|n| *n > 0);
                    TestStmtKind::Expect(expect)
                }
                S::Act { verb, kind, options, snooze_for } => TestStmtKind::Act {
                    verb: *verb,
                    expect: self.expect(false, *kind, options, stmt.span, true),
                    snooze_for: snooze_for.as_ref().map(super::duration),
                },
                S::AddActivity { activity, on } => TestStmtKind::AddActivity {
                    activity: activity.name.clone(),
                    record: on.as_ref().map(|on| on.name.clone()),
                },
            };
            in_group = matches!(kind, TestStmtKind::Expect(_));
            stmts.push(TestStmt { kind, span: self.src_span(stmt.span) });
        }
        TestDef { name: test.name.as_plain().unwrap_or_default(), span: self.src_span(test.name.span), stmts }
    }

    fn expect(
        &mut self,
        negated: bool,
        kind: ast::ExpectKind,
        options: &[ast::ExpectOption],
        span: crate::syntax::Span,
        starts_group: bool,
    ) -> Expect {
        let mut expect = Expect {
            negated,
            kind,
            to: None,
            titled: None,
            containing: None,
            count: None,
            template: None,
            playbook: None,
            step: None,
            source: self.text(span),
            starts_group,
        };
        for o in options {
            let name = match &o.value.kind {
                ast::ExprKind::Name(n) => Some(n.name.clone()),
                _ => None,
            };
            match o.key {
                ExpectKey::To => expect.to = Some(self.code(&o.value)),
                ExpectKey::Titled => expect.titled = Some(self.code(&o.value)),
                ExpectKey::Containing => expect.containing = Some(self.code(&o.value)),
                ExpectKey::Template => expect.template = name,
                ExpectKey::Playbook => expect.playbook = name,
                ExpectKey::Step => expect.step = name,
            }
        }
        expect
    }

    fn test_record(&self, name: &str) -> usize {
        self.names
            .iter()
            .rev()
            .find_map(|(n, m)| match m {
                Name::TestRecord(r) if n == name => Some(*r),
                _ => None,
            })
            .unwrap_or(0)
    }

    fn record_fields(&mut self, record: usize, fields: &[ast::FieldValue]) -> Vec<(usize, Code)> {
        fields
            .iter()
            .map(|f| {
                let slot = self.model.records[record].fields.iter().position(|x| x.name == f.name.name).unwrap_or(0);
                (slot, self.code(&f.value))
            })
            .collect()
    }
}
