//! Playbooks: clauses, triggers, steps, waits, stages, activities and actions.

use super::{kids, Builder, P};
use crate::syntax::ast::*;
use crate::syntax::explain::Block;
use crate::syntax::grammar::Rule;

impl Builder<'_> {
    pub fn playbook(&mut self, p: P<'_>) -> Option<Playbook> {
        let span = self.span(&p);
        let (mut doc, mut name, mut title) = (None, None, None);
        let (mut clauses, mut errors) = (Vec::new(), Vec::<ErrorNode>::new());
        let mut prev = None;
        for c in kids(p) {
            match c.as_rule() {
                Rule::doc => doc = Some(self.doc(c)),
                Rule::kw_playbook => {}
                Rule::ident => name = Some(self.ident(&c)),
                Rule::text => title = Some(self.text(c)),
                Rule::block_error => errors.push(self.block_error(&c, Block::Playbook, prev)),
                _ => {
                    let cspan = self.span(&c);
                    prev = Some(cspan);
                    // A clause that could not be built (its error is reported) counts as an
                    // error node, so the checker reports nothing missing in its place.
                    match self.clause(c) {
                        Some(kind) => clauses.push(Clause { kind, span: cspan }),
                        None => errors.push(ErrorNode { span: cspan }),
                    }
                }
            }
        }
        Some(Playbook { doc, name: name?, title, clauses, errors, span })
    }

    fn clause(&mut self, p: P<'_>) -> Option<ClauseKind> {
        let rule = p.as_rule();
        if rule == Rule::step {
            return Some(ClauseKind::Step(self.step(p)?));
        }
        if rule == Rule::stage {
            return Some(ClauseKind::Stage(self.stage(p)?));
        }
        let mut it = kids(p).filter(|c| !c.as_rule().is_keyword());
        Some(match rule {
            Rule::for_clause => ClauseKind::For(self.binding(it.next()?)?),
            Rule::visibility_clause => ClauseKind::Visibility(self.visibility(it.next()?)),
            Rule::owner_clause => ClauseKind::Owner(self.text(it.next()?)),
            Rule::category_clause => {
                let word = it.next()?;
                let choices =
                    [("outreach", Category::Outreach), ("risk", Category::Risk), ("growth", Category::Growth)];
                ClauseKind::Category(self.setting(&word, &choices, "category")?)
            }
            Rule::priority_clause => ClauseKind::Priority(self.expr(it.next()?)?),
            Rule::reentry_clause => {
                let word = it.next()?;
                if word.as_rule() == Rule::reentry_after {
                    let d = kids(word).find(|k| k.as_rule() == Rule::duration)?;
                    ClauseKind::Reentry(Reentry::After(self.duration(&d)))
                } else {
                    let choices =
                        [("after_exit", Reentry::AfterExit), ("never", Reentry::Never), ("always", Reentry::Always)];
                    ClauseKind::Reentry(self.setting(&word, &choices, "reentry rule")?)
                }
            }
            Rule::inflight_clause => {
                let word = it.next()?;
                let choices = [("keep", Inflight::Keep), ("migrate", Inflight::Migrate), ("cancel", Inflight::Cancel)];
                ClauseKind::Inflight(self.setting(&word, &choices, "inflight rule")?)
            }
            Rule::on_clause => {
                let mut triggers = Vec::new();
                for t in it {
                    let tspan = self.span(&t);
                    triggers.push(Trigger { kind: self.trigger(t)?, span: tspan });
                }
                ClauseKind::On(triggers)
            }
            Rule::when_clause => ClauseKind::When(self.expr(it.next()?)?),
            Rule::exit_clause => ClauseKind::ExitWhen(self.expr(it.next()?)?),
            Rule::wait_delay => ClauseKind::Wait(Wait::Delay(self.expr(it.next()?)?)),
            Rule::wait_until => ClauseKind::Wait(Wait::Until(self.expr(it.next()?)?)),
            Rule::wait_for => {
                let event = self.ident(&it.next()?);
                let first = self.expr(it.next()?)?;
                match it.next() {
                    Some(timeout) => {
                        ClauseKind::Wait(Wait::For { event, filter: Some(first), timeout: self.expr(timeout)? })
                    }
                    None => ClauseKind::Wait(Wait::For { event, filter: None, timeout: first }),
                }
            }
            _ => return None,
        })
    }

    fn trigger(&mut self, p: P<'_>) -> Option<TriggerKind> {
        let rule = p.as_rule();
        let text = p.as_str();
        let mut it =
            kids(p).filter(|c| !c.as_rule().is_keyword() || matches!(c.as_rule(), Rule::kw_rises | Rule::kw_falls));
        Some(match rule {
            Rule::event_trigger => TriggerKind::Event(self.ident(&it.next()?)),
            Rule::segment_trigger if text.starts_with("enters") => TriggerKind::Enters(self.ident(&it.next()?)),
            Rule::segment_trigger => TriggerKind::Leaves(self.ident(&it.next()?)),
            Rule::created_trigger => TriggerKind::Created,
            Rule::deleted_trigger => TriggerKind::Deleted,
            Rule::updated_trigger => TriggerKind::Updated(it.map(|c| self.path(c)).collect()),
            Rule::date_trigger => {
                let date = self.expr(it.next()?)?;
                let at = it.next().and_then(|t| self.time(&t));
                TriggerKind::Date { date, at }
            }
            Rule::every_trigger => {
                let word = it.next()?;
                let time = it.next()?;
                let choices = [
                    ("day", Every::Day),
                    ("weekday", Every::Weekday),
                    ("monday", Every::Monday),
                    ("tuesday", Every::Tuesday),
                    ("wednesday", Every::Wednesday),
                    ("thursday", Every::Thursday),
                    ("friday", Every::Friday),
                    ("saturday", Every::Saturday),
                    ("sunday", Every::Sunday),
                ];
                let every = self.setting(&word, &choices, "schedule")?;
                TriggerKind::Every { every, at: self.time(&time)? }
            }
            Rule::field_trigger => {
                let field = self.path(it.next()?);
                let how = it.next()?;
                match how.as_rule() {
                    Rule::becomes => {
                        let value = kids(how).find(|k| k.as_rule() == Rule::sum)?;
                        TriggerKind::Becomes { field, value: self.expr(value)? }
                    }
                    Rule::kw_rises => TriggerKind::Rises(field),
                    _ => TriggerKind::Falls(field),
                }
            }
            _ => return None,
        })
    }

    fn step(&mut self, p: P<'_>) -> Option<Step> {
        let span = self.span(&p);
        let (mut doc, mut name, mut title, mut filter) = (None, None, None, None);
        let (mut actions, mut errors) = (Vec::new(), Vec::new());
        let mut prev = None;
        for c in kids(p) {
            match c.as_rule() {
                Rule::doc => doc = Some(self.doc(c)),
                Rule::ident => name = Some(self.ident(&c)),
                Rule::text => title = Some(self.text(c)),
                Rule::expr => filter = Some(self.expr(c)?),
                Rule::block_error => errors.push(self.block_error(&c, Block::Step, prev)),
                r if r.is_keyword() => {}
                _ => {
                    let aspan = self.span(&c);
                    prev = Some(aspan);
                    match self.action(c) {
                        Some(kind) => actions.push(Action { kind, span: aspan }),
                        None => errors.push(ErrorNode { span: aspan }),
                    }
                }
            }
        }
        Some(Step { doc, name: name?, title, filter, actions, errors, span })
    }

    fn stage(&mut self, p: P<'_>) -> Option<Stage> {
        let span = self.span(&p);
        let (mut doc, mut name, mut title) = (None, None, None);
        let (mut activities, mut errors) = (Vec::new(), Vec::new());
        let mut prev = None;
        for c in kids(p) {
            match c.as_rule() {
                Rule::doc => doc = Some(self.doc(c)),
                Rule::ident => name = Some(self.ident(&c)),
                Rule::text => title = Some(self.text(c)),
                Rule::activity => {
                    let aspan = self.span(&c);
                    prev = Some(aspan);
                    match self.activity(c) {
                        Some(a) => activities.push(a),
                        None => errors.push(ErrorNode { span: aspan }),
                    }
                }
                Rule::block_error => errors.push(self.block_error(&c, Block::Stage, prev)),
                _ => {}
            }
        }
        Some(Stage { doc, name: name?, title, activities, errors, span })
    }

    fn activity(&mut self, p: P<'_>) -> Option<Activity> {
        let span = self.span(&p);
        let mut a = Activity {
            doc: None,
            optional: false,
            name: Ident { name: String::new(), span },
            title: None,
            to: None,
            due: None,
            note: None,
            creates: None,
            span,
        };
        let mut named = false;
        for c in kids(p) {
            let cspan = self.span(&c);
            match c.as_rule() {
                Rule::doc => a.doc = Some(self.doc(c)),
                Rule::kw_optional => a.optional = true,
                Rule::ident => {
                    a.name = self.ident(&c);
                    named = true;
                }
                Rule::text => a.title = Some(self.text(c)),
                Rule::to_option => {
                    let v = self.option_expr(c)?;
                    self.once(&mut a.to, v, "to", cspan);
                }
                Rule::due_option => {
                    let v = self.option_expr(c)?;
                    self.once(&mut a.due, v, "due", cspan);
                }
                Rule::note_option => {
                    let v = self.text(kids(c).find(|k| k.as_rule() == Rule::text)?);
                    self.once(&mut a.note, v, "note", cspan);
                }
                Rule::creates_option => {
                    let mut it = kids(c).filter(|k| k.as_rule() != Rule::kw_creates);
                    let record = self.ident(&it.next()?);
                    let fields = self.field_values(it.next()?)?;
                    self.once(&mut a.creates, Creates { record, fields, span: cspan }, "creates", cspan);
                }
                _ => {}
            }
        }
        named.then_some(a)
    }

    /// The value of `to x`, `due x`: the option's one non-keyword child.
    fn option_expr(&mut self, p: P<'_>) -> Option<Expr> {
        let value = kids(p).find(|k| !k.as_rule().is_keyword())?;
        self.expr(value)
    }

    fn action(&mut self, p: P<'_>) -> Option<ActionKind> {
        let rule = p.as_rule();
        if rule == Rule::task_action {
            return self.task(p);
        }
        let text = p.as_str();
        let mut it = kids(p).filter(|c| !c.as_rule().is_keyword());
        Some(match rule {
            Rule::email_task_action => {
                ActionKind::EmailTask { to: self.expr(it.next()?)?, template: self.ident(&it.next()?) }
            }
            Rule::email_action => ActionKind::Email { to: self.expr(it.next()?)?, template: self.ident(&it.next()?) },
            Rule::assign_action => ActionKind::Assign { field: self.path(it.next()?), to: self.expr(it.next()?)? },
            Rule::notify_action => {
                let rest = text["notify".len()..].trim_start();
                let channel = if rest.starts_with("slack") { Channel::Slack } else { Channel::Email };
                ActionKind::Notify { channel, to: self.expr(it.next()?)?, message: self.text(it.next()?) }
            }
            Rule::enroll_action => ActionKind::Enroll { who: self.expr(it.next()?)?, flow: self.text(it.next()?) },
            Rule::brief_action => ActionKind::Brief { about: self.expr(it.next()?)?, to: self.expr(it.next()?)? },
            Rule::update_action => {
                ActionKind::Update { record: self.path(it.next()?), fields: self.field_values(it.next()?)? }
            }
            Rule::webhook_action => {
                ActionKind::Webhook { url: self.text(it.next()?), fields: self.field_values(it.next()?)? }
            }
            _ => return None,
        })
    }

    fn task(&mut self, p: P<'_>) -> Option<ActionKind> {
        let (mut title, mut to, mut due, mut note) = (None, None, None, None);
        for c in kids(p) {
            let cspan = self.span(&c);
            match c.as_rule() {
                Rule::text => title = Some(self.text(c)),
                Rule::to_option => {
                    let v = self.option_expr(c)?;
                    self.once(&mut to, v, "to", cspan);
                }
                Rule::due_option => {
                    let v = self.option_expr(c)?;
                    self.once(&mut due, v, "due", cspan);
                }
                Rule::note_option => {
                    let v = self.text(kids(c).find(|k| k.as_rule() == Rule::text)?);
                    self.once(&mut note, v, "note", cspan);
                }
                _ => {}
            }
        }
        Some(ActionKind::Task { title: title?, to, due, note })
    }

    /// `{ name: value, … }`
    pub fn field_values(&mut self, p: P<'_>) -> Option<Vec<FieldValue>> {
        let mut out = Vec::new();
        for c in kids(p) {
            let span = self.span(&c);
            let mut it = kids(c);
            let name = self.ident(&it.next()?);
            let value = self.expr(it.next()?)?;
            out.push(FieldValue { name, value, span });
        }
        Some(out)
    }
}

impl Rule {
    /// Keyword rules carry no information beyond their presence.
    pub fn is_keyword(self) -> bool {
        matches!(
            self,
            Rule::kw_activity
                | Rule::kw_add
                | Rule::kw_snooze
                | Rule::kw_after
                | Rule::kw_and
                | Rule::kw_assign
                | Rule::kw_at
                | Rule::kw_becomes
                | Rule::kw_brief
                | Rule::kw_category
                | Rule::kw_create
                | Rule::kw_created
                | Rule::kw_creates
                | Rule::kw_date
                | Rule::kw_delete
                | Rule::kw_deleted
                | Rule::kw_due
                | Rule::kw_email
                | Rule::kw_email_task
                | Rule::kw_enroll
                | Rule::kw_enters
                | Rule::kw_enum
                | Rule::kw_event
                | Rule::kw_every
                | Rule::kw_exit
                | Rule::kw_expect
                | Rule::kw_extend
                | Rule::kw_falls
                | Rule::kw_flow
                | Rule::kw_for
                | Rule::kw_given
                | Rule::kw_in
                | Rule::kw_inflight
                | Rule::kw_leaves
                | Rule::kw_limit
                | Rule::kw_no
                | Rule::kw_not
                | Rule::kw_note
                | Rule::kw_notify
                | Rule::kw_on
                | Rule::kw_optional
                | Rule::kw_or
                | Rule::kw_per
                | Rule::kw_playbook
                | Rule::kw_priority
                | Rule::kw_private
                | Rule::kw_public
                | Rule::kw_record
                | Rule::kw_reentry
                | Rule::kw_rises
                | Rule::kw_segment
                | Rule::kw_signal
                | Rule::kw_skip
                | Rule::kw_slack
                | Rule::kw_stage
                | Rule::kw_step
                | Rule::kw_task
                | Rule::kw_template
                | Rule::kw_test
                | Rule::kw_then
                | Rule::kw_timeout
                | Rule::kw_titled
                | Rule::kw_containing
                | Rule::kw_complete
                | Rule::kw_dismiss
                | Rule::kw_to
                | Rule::kw_until
                | Rule::kw_update
                | Rule::kw_updated
                | Rule::kw_visibility
                | Rule::kw_owner
                | Rule::kw_wait
                | Rule::kw_webhook
                | Rule::kw_when
                | Rule::kw_where
        )
    }
}
