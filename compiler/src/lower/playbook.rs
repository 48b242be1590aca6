//! Playbooks to their runnable form: settings, triggers, conditions, and the body of
//! steps, waits and stages with their actions.

use super::{Lowerer, Name};
use crate::check::model::ItemKind;
use crate::check::types::Ty;
use crate::program::*;
use crate::syntax::ast::{self, ClauseKind, TriggerKind as T};

impl Lowerer<'_, '_> {
    pub(super) fn playbook(&mut self, p: usize) -> PlaybookDef {
        let pb = self.model.playbooks[p].item;
        self.file = self.model.playbooks[p].origin.file;
        let binding = pb
            .clauses
            .iter()
            .find_map(|c| match &c.kind {
                ClauseKind::For(b) => Some(b),
                _ => None,
            })
            .cloned();
        let subject = binding.as_ref().map_or(0, |b| self.record_id(&b.ty.name));
        self.subject = Some(subject);
        let binding_name = binding.map(|b| b.name.name).unwrap_or_default();
        self.names = vec![(binding_name.clone(), Name::Subject)];
        let mut def = PlaybookDef {
            name: pb.name.name.clone(),
            title: pb.title.as_ref().and_then(|t| t.as_plain()),
            version: hex_hash(self.text(pb.span).as_bytes())[..12].to_string(),
            subject,
            binding: binding_name,
            public: false,
            owner: None,
            category: None,
            priority: None,
            reentry: Reentry::AfterExit,
            inflight: Inflight::Keep,
            triggers: Vec::new(),
            conditions: Vec::new(),
            exits: Vec::new(),
            body: Vec::new(),
            span: self.src_span(pb.name.span),
        };
        for clause in &pb.clauses {
            match &clause.kind {
                ClauseKind::For(_) => {}
                ClauseKind::Visibility(v) => def.public = *v == ast::Visibility::Public,
                ClauseKind::Owner(t) => def.owner = t.as_plain(),
                ClauseKind::Category(c) => def.category = Some(*c),
                ClauseKind::Priority(e) => def.priority = Some(self.code(e)),
                ClauseKind::Reentry(r) => {
                    def.reentry = match r {
                        ast::Reentry::AfterExit => Reentry::AfterExit,
                        ast::Reentry::Never => Reentry::Never,
                        ast::Reentry::Always => Reentry::Always,
                        ast::Reentry::After(d) => Reentry::After(super::duration(d)),
                    }
                }
                ClauseKind::Inflight(i) => def.inflight = *i,
                ClauseKind::On(triggers) => {
                    for t in triggers {
                        let kind = self.trigger(subject, t);
                        def.triggers.push(TriggerDef { kind, source: self.text(t.span) });
                    }
                }
                ClauseKind::When(e) => def.conditions.push(self.code(e)),
                ClauseKind::ExitWhen(e) => def.exits.push(self.code(e)),
                ClauseKind::Step(step) => def.body.push(Node::Step(self.step(step))),
                ClauseKind::Wait(wait) => def.body.push(Node::Wait(self.wait(wait))),
                ClauseKind::Stage(stage) => def.body.push(Node::Stage(self.stage(stage))),
            }
        }
        def
    }

    /// The slot of the subject's field a trigger path (`account.health`) watches: its
    /// first field.
    fn trigger_slot(&self, subject: usize, path: &ast::Path) -> usize {
        let name = path.segments.get(1).map_or("", |s| s.name.as_str());
        self.model.records[subject].fields.iter().position(|f| f.name == name).unwrap_or(0)
    }

    fn trigger(&mut self, subject: usize, t: &ast::Trigger) -> TriggerKind {
        match &t.kind {
            T::Event(name) => {
                let event = match self.item(&name.name) {
                    Some(ItemKind::Event(e)) => e,
                    _ => 0,
                };
                let on = self.model.events[event].subject.unwrap_or(subject);
                let via = (on != subject)
                    .then(|| self.model.records[on].fields.iter().position(|f| f.ty == Ty::Record(subject)))
                    .flatten();
                TriggerKind::Event { event, via }
            }
            T::Enters(name) | T::Leaves(name) => {
                let segment = match self.item(&name.name) {
                    Some(ItemKind::Segment(s)) => s,
                    _ => 0,
                };
                if matches!(t.kind, T::Enters(_)) {
                    TriggerKind::Enters { segment }
                } else {
                    TriggerKind::Leaves { segment }
                }
            }
            T::Created => TriggerKind::Created,
            T::Deleted => TriggerKind::Deleted,
            T::Updated(paths) => {
                TriggerKind::Updated { slots: paths.iter().map(|p| self.trigger_slot(subject, p)).collect() }
            }
            T::Date { date, at } => TriggerKind::Date {
                date: self.code(date),
                at: at.map(|a| u32::from(a.hour) * 60 + u32::from(a.minute)),
            },
            T::Every { every, at } => {
                TriggerKind::Every { every: *every, at: u32::from(at.hour) * 60 + u32::from(at.minute) }
            }
            T::Becomes { field, value } => {
                TriggerKind::Becomes { slot: self.trigger_slot(subject, field), value: self.code(value) }
            }
            T::Rises(path) => TriggerKind::Rises { slot: self.trigger_slot(subject, path) },
            T::Falls(path) => TriggerKind::Falls { slot: self.trigger_slot(subject, path) },
        }
    }

    fn step(&mut self, step: &ast::Step) -> StepDef {
        StepDef {
            name: step.name.name.clone(),
            title: step.title.as_ref().and_then(|t| t.as_plain()),
            filter: step.filter.as_ref().map(|f| self.code(f)),
            actions: step.actions.iter().map(|a| self.action(a)).collect(),
        }
    }

    fn wait(&mut self, wait: &ast::Wait) -> WaitDef {
        match wait {
            ast::Wait::Delay(e) => WaitDef::Delay(self.code(e)),
            ast::Wait::Until(e) => WaitDef::Until(self.code(e)),
            ast::Wait::For { event, filter, timeout } => {
                let event_id = match self.item(&event.name) {
                    Some(ItemKind::Event(e)) => e,
                    _ => 0,
                };
                self.names.push(("event".into(), Name::Awaited));
                let filter = filter.as_ref().map(|f| self.code(f));
                self.names.pop();
                WaitDef::For { event: event_id, filter, timeout: self.code(timeout) }
            }
        }
    }

    fn stage(&mut self, stage: &ast::Stage) -> StageDef {
        StageDef {
            name: stage.name.name.clone(),
            title: stage.title.as_ref().and_then(|t| t.as_plain()),
            activities: stage.activities.iter().map(|a| self.activity(a)).collect(),
        }
    }

    fn blank_action(&self, kind: ActionKind, span: crate::syntax::Span) -> ActionDef {
        ActionDef {
            kind,
            name: None,
            optional: false,
            title: None,
            to: None,
            about: None,
            due: None,
            note: None,
            message: None,
            template: None,
            flow: None,
            url: None,
            target: None,
            field: None,
            fields: Vec::new(),
            creates: None,
            span: self.src_span(span),
        }
    }

    fn template_index(&self, name: &ast::Ident) -> Option<usize> {
        match self.item(&name.name) {
            Some(ItemKind::Template(t)) => Some(t),
            _ => None,
        }
    }

    fn field_codes(&mut self, fields: &[ast::FieldValue]) -> Vec<(String, Code)> {
        fields.iter().map(|f| (f.name.name.clone(), self.code(&f.value))).collect()
    }

    fn action(&mut self, action: &ast::Action) -> ActionDef {
        use ast::ActionKind as A;
        match &action.kind {
            A::Task { title, to, due, note } => ActionDef {
                title: Some(self.text_code(title)),
                to: to.as_ref().map(|e| self.code(e)),
                due: due.as_ref().map(|e| self.code(e)),
                note: note.as_ref().map(|t| self.text_code(t)),
                ..self.blank_action(ActionKind::Task, action.span)
            },
            A::EmailTask { to, template } | A::Email { to, template } => {
                let kind =
                    if matches!(action.kind, A::Email { .. }) { ActionKind::Email } else { ActionKind::EmailTask };
                ActionDef {
                    to: Some(self.code(to)),
                    template: self.template_index(template),
                    ..self.blank_action(kind, action.span)
                }
            }
            A::Assign { field, to } => {
                let mut record = field.clone();
                let last = record.segments.pop();
                ActionDef {
                    target: Some(self.path_code(&record)),
                    field: last.map(|l| l.name),
                    to: Some(self.code(to)),
                    ..self.blank_action(ActionKind::Assign, action.span)
                }
            }
            A::Notify { channel, to, message } => {
                let kind = if *channel == Channel::Email { ActionKind::NotifyEmail } else { ActionKind::NotifySlack };
                ActionDef {
                    to: Some(self.code(to)),
                    message: Some(self.text_code(message)),
                    ..self.blank_action(kind, action.span)
                }
            }
            A::Enroll { who, flow } => ActionDef {
                to: Some(self.code(who)),
                flow: Some(self.text_code(flow)),
                ..self.blank_action(ActionKind::Enroll, action.span)
            },
            A::Brief { about, to } => ActionDef {
                about: Some(self.code(about)),
                to: Some(self.code(to)),
                ..self.blank_action(ActionKind::Brief, action.span)
            },
            A::Update { record, fields } => ActionDef {
                target: Some(self.path_code(record)),
                fields: self.field_codes(fields),
                ..self.blank_action(ActionKind::Update, action.span)
            },
            A::Webhook { url, fields } => ActionDef {
                url: Some(self.text_code(url)),
                fields: self.field_codes(fields),
                ..self.blank_action(ActionKind::Webhook, action.span)
            },
        }
    }

    fn activity(&mut self, a: &ast::Activity) -> ActionDef {
        let title = match &a.title {
            Some(t) => self.text_code(t),
            None => {
                let mut code = Code { source: a.name.name.clone(), ..Code::default() };
                self.push_const(&mut code, Const::Text(a.name.name.clone()), a.name.span);
                code
            }
        };
        let creates = a.creates.as_ref().map(|c| (self.record_id(&c.record.name), self.field_codes(&c.fields)));
        let (creates, fields) = match creates {
            Some((r, f)) => (Some(r), f),
            None => (None, Vec::new()),
        };
        ActionDef {
            name: Some(a.name.name.clone()),
            optional: a.optional,
            title: Some(title),
            to: a.to.as_ref().map(|e| self.code(e)),
            due: a.due.as_ref().map(|e| self.code(e)),
            note: a.note.as_ref().map(|t| self.text_code(t)),
            creates,
            fields,
            ..self.blank_action(ActionKind::Activity, a.span)
        }
    }
}
