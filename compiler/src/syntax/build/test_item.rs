//! `test` blocks and their statements.

use super::{kids, Builder, P};
use crate::syntax::ast::*;
use crate::syntax::explain::Block;
use crate::syntax::grammar::Rule;

impl Builder<'_> {
    pub fn test_item(&mut self, p: P<'_>) -> Option<TestItem> {
        let span = self.span(&p);
        let (mut doc, mut name) = (None, None);
        let (mut stmts, mut errors) = (Vec::new(), Vec::new());
        let mut prev = None;
        for c in kids(p) {
            match c.as_rule() {
                Rule::doc => doc = Some(self.doc(c)),
                Rule::kw_test => {}
                Rule::text => name = Some(self.text(c)),
                Rule::block_error => errors.push(self.block_error(&c, Block::Test, prev)),
                _ => {
                    let sspan = self.span(&c);
                    prev = Some(sspan);
                    if let Some(kind) = self.test_stmt(c) {
                        stmts.push(TestStmt { kind, span: sspan });
                    }
                }
            }
        }
        Some(TestItem { doc, name: name?, stmts, errors, span })
    }

    fn test_stmt(&mut self, p: P<'_>) -> Option<TestStmtKind> {
        let rule = p.as_rule();
        if rule == Rule::expect_stmt || rule == Rule::act_stmt {
            return self.expect(p);
        }
        let mut it = kids(p).filter(|c| !c.as_rule().is_keyword());
        Some(match rule {
            Rule::given_stmt | Rule::create_stmt => {
                let record = self.ident(&it.next()?);
                let name = self.ident(&it.next()?);
                let fields = self.field_values(it.next()?)?;
                if rule == Rule::given_stmt {
                    TestStmtKind::Given { record, name, fields }
                } else {
                    TestStmtKind::Create { record, name, fields }
                }
            }
            Rule::update_stmt => {
                TestStmtKind::Update { name: self.ident(&it.next()?), fields: self.field_values(it.next()?)? }
            }
            Rule::delete_stmt => TestStmtKind::Delete { name: self.ident(&it.next()?) },
            Rule::event_stmt => {
                let event = self.ident(&it.next()?);
                let subject = self.ident(&it.next()?);
                let fields = match it.next() {
                    Some(f) => self.field_values(f)?,
                    None => Vec::new(),
                };
                TestStmtKind::Event { event, subject, fields }
            }
            Rule::at_stmt => {
                let lit = it.next()?;
                let span = self.span(&lit);
                TestStmtKind::At(Expr::new(self.literal(lit)?, span))
            }
            Rule::after_stmt => TestStmtKind::After(self.duration(&it.next()?)),
            Rule::add_stmt => {
                let activity = self.ident(&it.next()?);
                TestStmtKind::AddActivity { activity, on: it.next().map(|on| self.ident(&on)) }
            }
            _ => return None,
        })
    }

    fn expect(&mut self, p: P<'_>) -> Option<TestStmtKind> {
        let (mut negated, mut kind, mut options) = (false, None, Vec::new());
        let (mut verb, mut snooze_for) = (None, None);
        let mut count = None;
        for c in kids(p) {
            match c.as_rule() {
                Rule::kw_no => negated = true,
                Rule::expect_count => {
                    let digits = c.as_str().to_string();
                    let Ok(n) = digits.parse::<u32>() else {
                        let msg = format!("`{digits}` is too many actions to expect");
                        self.error(crate::diagnostic::codes::INVALID_LITERAL, msg, self.span(&c), "too large");
                        return None;
                    };
                    count = Some(n);
                }
                Rule::kw_complete => verb = Some(Verb::Complete),
                Rule::kw_dismiss => verb = Some(Verb::Dismiss),
                Rule::kw_snooze => verb = Some(Verb::Snooze),
                Rule::snooze_for => {
                    snooze_for = kids(c).find(|d| d.as_rule() == Rule::duration).map(|d| self.duration(&d))
                }
                Rule::expect_kind => kind = Some(expect_kind(c)?),
                Rule::expect_option => {
                    let span = self.span(&c);
                    let mut it = kids(c);
                    let key = match it.next()?.as_rule() {
                        Rule::kw_to => ExpectKey::To,
                        Rule::kw_titled => ExpectKey::Titled,
                        Rule::kw_containing => ExpectKey::Containing,
                        Rule::kw_template => ExpectKey::Template,
                        Rule::kw_playbook => ExpectKey::Playbook,
                        _ => ExpectKey::Step,
                    };
                    options.push(ExpectOption { key, value: self.expr(it.next()?)?, span });
                }
                _ => {}
            }
        }
        Some(match verb {
            Some(verb) => TestStmtKind::Act { verb, kind: kind?, options, snooze_for },
            None => TestStmtKind::Expect { negated, count, kind: kind?, options },
        })
    }
}

fn expect_kind(p: P<'_>) -> Option<ExpectKind> {
    let inner = kids(p).next()?;
    Some(match inner.as_rule() {
        Rule::kw_task => ExpectKind::Task,
        Rule::kw_email_task => ExpectKind::EmailTask,
        Rule::kw_email => ExpectKind::Email,
        Rule::kw_assign => ExpectKind::Assign,
        Rule::kw_enroll => ExpectKind::Enroll,
        Rule::kw_brief => ExpectKind::Brief,
        Rule::kw_update => ExpectKind::Update,
        Rule::kw_webhook => ExpectKind::Webhook,
        Rule::kw_activity => ExpectKind::Activity,
        Rule::notify_kind => {
            let channel = kids(inner).nth(1).map(|c| match c.as_rule() {
                Rule::kw_slack => Channel::Slack,
                _ => Channel::Email,
            });
            ExpectKind::Notify(channel)
        }
        _ => return None,
    })
}
