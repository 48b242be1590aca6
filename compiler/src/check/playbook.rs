//! Checking items: segments and signals, templates, limits, and playbooks with their
//! subject, settings, triggers, conditions, steps, waits and stages.

use super::env::{Env, TriggerEvent};
use super::model::{FileId, ItemKind};
use super::types::{RecordId, Ty};
use super::Checker;
use crate::diagnostic::{codes, Diagnostic};
use crate::suggest;
use crate::syntax::ast::*;
use crate::syntax::Span;

const TEMPLATE_PARTS: &[&str] = &["subject", "body"];
const LIMIT_ACTIONS: &[&str] =
    &["task", "email_task", "email", "assign", "notify", "enroll", "brief", "update", "webhook", "activity"];
const LIMIT_SCOPES: &[&str] = &["contact", "lead", "user", "account", "record"];

impl<'a> Checker<'a> {
    pub(super) fn check_items(&mut self) {
        for s in 0..self.model.segments.len() {
            let (file, binding) = (self.model.segments[s].origin.file, &self.model.segments[s].item.binding);
            self.model.segments[s].subject = self.record_ref(file, &binding.ty);
        }
        for t in 0..self.model.templates.len() {
            let (file, binding) = (self.model.templates[t].origin.file, &self.model.templates[t].item.binding);
            self.model.templates[t].subject = self.record_ref(file, &binding.ty);
        }
        self.segment_depths();
        for s in 0..self.model.segments.len() {
            self.segment_type(s);
        }
        for t in 0..self.model.templates.len() {
            self.template(t);
        }
        for l in 0..self.model.limits.len() {
            self.limit(l);
        }
        for p in 0..self.model.playbooks.len() {
            if self.is_stdlib(self.model.playbooks[p].origin.file) {
                continue;
            }
            self.playbook(p);
        }
        self.check_tests();
    }

    /// A segment's type (`Bool`) or a signal's, worked out once; a circle of signals is
    /// reported where it closes.
    pub(super) fn segment_type(&mut self, s: usize) -> Ty {
        if let Some(ty) = &self.model.segments[s].ty {
            return ty.clone();
        }
        let seg = self.model.segments[s].item;
        let file = self.model.segments[s].origin.file;
        if self.segment_stack.contains(&s) {
            let d = Diagnostic::error(
                codes::CYCLE,
                format!("`{}` is defined in terms of itself", seg.name.name),
                seg.name.span,
                "part of a circle",
            )
            .with_help("signals and segments may use each other, but not in a circle");
            self.report(file, d);
            self.model.segments[s].ty = Some(Ty::Error);
            return Ty::Error;
        }
        self.segment_stack.push(s);
        // Worked out lazily, perhaps while another item is checked: its own scope and
        // its own references only.
        let outer_scope = std::mem::take(&mut self.scope);
        let outer_refs = std::mem::take(&mut self.refs);
        self.bind(file, &seg.binding.name.name, seg.binding.name.span);
        let subject = self.model.segments[s].subject;
        let binding_ty = subject.map(Ty::Record).unwrap_or(Ty::Error);
        let env = Env::new(subject, Some((&seg.binding.name.name, binding_ty)));
        let ty = self.expr(file, &env, &seg.value, None);
        self.segment_stack.pop();
        self.scope = outer_scope;
        let uses = std::mem::replace(&mut self.refs, outer_refs);
        self.uses.insert(seg.name.name.clone(), uses);
        let ty = if self.model.segments[s].signal {
            ty
        } else {
            self.expect_ty(file, &seg.value, &ty, &Ty::Bool, "a segment says whether a record belongs to it");
            Ty::Bool
        };
        // A circle may have set the type already (to the error type); keep that.
        self.model.segments[s].ty.get_or_insert(ty).clone()
    }

    fn template(&mut self, t: usize) {
        let template = self.model.templates[t].item;
        let file = self.model.templates[t].origin.file;
        let subject = self.model.templates[t].subject;
        self.scope.clear();
        self.refs.clear();
        self.bind(file, &template.binding.name.name, template.binding.name.span);
        let env = Env::new(subject, Some((&template.binding.name.name, subject.map(Ty::Record).unwrap_or(Ty::Error))));
        let mut seen: Vec<&str> = Vec::new();
        for part in &template.parts {
            let name = part.name.name.as_str();
            if !TEMPLATE_PARTS.contains(&name) {
                let d = Diagnostic::error(
                    codes::BAD_TEMPLATE,
                    format!("a template has no part `{name}`"),
                    part.name.span,
                    "not a template part",
                );
                let d = d.did_you_mean(
                    name,
                    part.name.span,
                    TEMPLATE_PARTS.iter().copied(),
                    Some("a template has a `subject` and a `body`".into()),
                );
                self.report(file, d);
            } else if seen.contains(&name) {
                let d =
                    Diagnostic::error(codes::BAD_TEMPLATE, format!("`{name}` is given twice"), part.name.span, "again");
                self.report(file, d);
            }
            seen.push(name);
            self.text(file, &env, &part.text);
        }
        let uses = std::mem::take(&mut self.refs);
        self.uses.insert(template.name.name.clone(), uses);
        if !seen.contains(&"body") {
            let d = Diagnostic::error(
                codes::BAD_TEMPLATE,
                format!("the template `{}` has no body", template.name.name),
                template.name.span,
                "no `body`",
            )
            .with_help("add `body \"\"\"…\"\"\"` with the message");
            self.report(file, d);
        }
    }

    fn limit(&mut self, l: usize) {
        let (limit, origin) = self.model.limits[l];
        let file = origin.file;
        for (word, choices, what) in
            [(&limit.action, LIMIT_ACTIONS, "an action kind"), (&limit.per, LIMIT_SCOPES, "whom a limit counts per")]
        {
            if choices.contains(&word.name.as_str()) {
                continue;
            }
            let d = Diagnostic::error(
                codes::BAD_LIMIT,
                format!("`{}` is not {what}", word.name),
                word.span,
                "not countable",
            )
            .with_help(format!("use one of {}", suggest::join_or(choices)));
            let d = match suggest::closest(&word.name, choices.iter().copied()) {
                Some(best) => d.with_fix(word.span, best),
                None => d,
            };
            self.report(file, d);
        }
        if limit.count == 0 {
            let d = Diagnostic::error(codes::BAD_LIMIT, "a limit of 0 allows nothing", limit.span, "zero")
                .with_help("remove the actions instead, or allow at least 1");
            self.report(file, d);
        }
        if limit.window.amount == 0 {
            let window = limit.window.span;
            let d = Diagnostic::error(codes::BAD_LIMIT, "a limit over no time counts nothing", window, "zero")
                .with_help("count over a window of at least `1m`, e.g. `per 1d`");
            self.report(file, d);
        }
    }

    fn playbook(&mut self, p: usize) {
        let pb = self.model.playbooks[p].item;
        let file = self.model.playbooks[p].origin.file;
        self.refs.clear();
        self.binding = pb.clauses.iter().find_map(|c| match &c.kind {
            ClauseKind::For(b) => Some(b.name.name.clone()),
            _ => None,
        });
        self.scope.clear();
        if let Some(b) = pb.clauses.iter().find_map(|c| match &c.kind {
            ClauseKind::For(b) => Some(b),
            _ => None,
        }) {
            self.bind(file, &b.name.name, b.name.span);
        }
        self.current_playbook = Some(pb.name.name.clone());
        let subject = self.subject(file, pb);
        self.settings(file, pb);
        let binding = pb.clauses.iter().find_map(|c| match &c.kind {
            ClauseKind::For(b) => Some(b.name.name.as_str()),
            _ => None,
        });
        let mut env = Env::new(subject, binding.map(|b| (b, subject.map(Ty::Record).unwrap_or(Ty::Error))));
        env.trigger = self.triggers(file, pb, subject);
        env.old = true;
        let mut names: Vec<(String, Span)> = Vec::new();
        // Conditions and the priority hold for the whole run wherever they are written, so
        // what only a step after a `wait for` knows (`timed_out`) is not known to them.
        let whole_run = env.clone();
        for clause in &pb.clauses {
            match &clause.kind {
                ClauseKind::Priority(e) => {
                    let t = self.expr(file, &whole_run, e, None);
                    self.expect_ty(file, e, &t, &Ty::Number, "a priority is a number; higher ranks first");
                }
                ClauseKind::When(e) | ClauseKind::ExitWhen(e) => self.condition(file, &whole_run, e),
                ClauseKind::Step(step) => {
                    self.step_name(file, &mut names, &step.name);
                    if let Some(filter) = &step.filter {
                        self.condition(file, &env, filter);
                        if always_false(filter) {
                            let d = Diagnostic::warning(
                                codes::NEVER_RUNS,
                                format!("the step `{}` never runs", step.name.name),
                                filter.span,
                                "always false",
                            )
                            .with_help("remove the step, or fix its filter");
                            self.report(file, d);
                        }
                    }
                    // The actions run right when the filter held, so what it tested with
                    // `exists` is present for them.
                    let mut inner = env.clone();
                    if let Some(filter) = &step.filter {
                        super::expr::present_in(filter, &mut inner.present);
                    }
                    for action in &step.actions {
                        self.action(file, &inner, action);
                    }
                }
                ClauseKind::Wait(wait) => self.wait(file, &mut env, wait),
                ClauseKind::Stage(stage) => {
                    self.step_name(file, &mut names, &stage.name);
                    for activity in &stage.activities {
                        self.step_name(file, &mut names, &activity.name);
                        self.activity(file, &env, activity);
                    }
                }
                _ => {}
            }
        }
        self.model.playbooks[p].steps = names.into_iter().map(|(n, _)| n).collect();
        self.shape(file, pb);
        self.contradictions(file, pb);
        self.visibility(file, pb);
    }

    /// Steps run one after another; stages open as the ones before complete. One playbook
    /// is one or the other.
    fn shape(&mut self, file: FileId, pb: &Playbook) {
        let first_step = pb.clauses.iter().find_map(|c| match &c.kind {
            ClauseKind::Step(s) => Some(s.name.span),
            _ => None,
        });
        let first_stage = pb.clauses.iter().find_map(|c| match &c.kind {
            ClauseKind::Stage(s) => Some(s.name.span),
            _ => None,
        });
        if let (Some(step), Some(stage)) = (first_step, first_stage) {
            let (first, second, noun) =
                if step.start < stage.start { (step, stage, "stage") } else { (stage, step, "step") };
            let d = Diagnostic::error(
                codes::MIXED_SHAPE,
                format!("the playbook `{}` has both steps and stages", pb.name.name),
                second,
                format!("a {noun} after {}", if noun == "stage" { "steps" } else { "stages" }),
            )
            .with_secondary(first, "the first")
            .with_help(
                "a playbook runs steps one after another, or opens stages as the ones before complete: split it in two",
            );
            self.report(file, d);
        }
    }

    fn subject(&mut self, file: FileId, pb: &Playbook) -> Option<RecordId> {
        let fors: Vec<&Binding> = pb
            .clauses
            .iter()
            .filter_map(|c| match &c.kind {
                ClauseKind::For(b) => Some(b),
                _ => None,
            })
            .collect();
        match fors.as_slice() {
            // The clause may be in text that did not parse; that error is reported.
            [] if !pb.errors.is_empty() => None,
            [] => {
                let d = Diagnostic::error(
                    codes::SUBJECT,
                    format!("the playbook `{}` does not say what it runs for", pb.name.name),
                    pb.name.span,
                    "no `for` clause",
                )
                .with_help("add its subject as the first clause, e.g. `for account: Account`");
                self.report(file, d);
                None
            }
            [first, rest @ ..] => {
                for extra in rest {
                    let d = Diagnostic::error(
                        codes::SUBJECT,
                        "a playbook runs for one subject",
                        extra.span,
                        "a second subject",
                    )
                    .with_secondary(first.span, "the first");
                    self.report(file, d);
                }
                self.record_ref(file, &first.ty)
            }
        }
    }

    fn settings(&mut self, file: FileId, pb: &Playbook) {
        let mut seen: Vec<(&str, Span)> = Vec::new();
        for clause in &pb.clauses {
            let name = match clause.kind {
                ClauseKind::Visibility(_) => "visibility",
                ClauseKind::Owner(_) => "owner",
                ClauseKind::Category(_) => "category",
                ClauseKind::Priority(_) => "priority",
                ClauseKind::Reentry(_) => "reentry",
                ClauseKind::Inflight(_) => "inflight",
                _ => continue,
            };
            if let ClauseKind::Owner(t) = &clause.kind {
                self.owner(file, t, clause.span);
            }
            if let Some((_, first)) = seen.iter().find(|(n, _)| *n == name) {
                let d = Diagnostic::error(
                    codes::REPEATED_SETTING,
                    format!("`{name}` is given twice"),
                    clause.span,
                    "again",
                )
                .with_secondary(*first, "first given here")
                .with_help(format!("keep one `{name}`"));
                self.report(file, d);
            } else {
                seen.push((name, clause.span));
            }
        }
    }

    /// An `owner` is a teammate, written as their address (no interpolation: it is read
    /// when the program is deployed, not per record).
    fn owner(&mut self, file: FileId, t: &TextLit, span: Span) {
        let plain = t.as_plain();
        if plain.as_deref().is_some_and(crate::email::is_email) {
            return;
        }
        let what = match &plain {
            Some(p) => format!("`{}` is not a teammate's email address", crate::diagnostic::clip(p)),
            None => "an `owner` is one address, with nothing interpolated".to_string(),
        };
        let d = Diagnostic::error(codes::BAD_OWNER, what, span, "the playbook's owner")
            .with_help("write the owner's address, e.g. `owner \"jo@example.com\"`");
        self.report(file, d);
    }

    /// Checks every trigger and says what `trigger.event` is.
    fn triggers(&mut self, file: FileId, pb: &Playbook, subject: Option<RecordId>) -> TriggerEvent {
        let triggers = all_triggers(pb);
        if triggers.is_empty() && !pb.errors.is_empty() {
            return TriggerEvent::None;
        }
        if triggers.is_empty() {
            let d = Diagnostic::error(
                codes::NO_TRIGGER,
                format!("the playbook `{}` has no trigger, so it never runs", pb.name.name),
                pb.name.span,
                "no `on` clause",
            )
            .with_help("add when it runs, e.g. `on created` or `on account.health falls`");
            self.report(file, d);
            return TriggerEvent::None;
        }
        let mut events = Vec::new();
        for t in &triggers {
            let event = self.trigger(file, t, subject);
            events.push(event);
        }
        match events.as_slice() {
            all if all.iter().all(Option::is_none) => TriggerEvent::None,
            [Some(first), rest @ ..] if rest.iter().all(|e| *e == Some(*first)) => TriggerEvent::One(*first),
            _ => TriggerEvent::Mixed,
        }
    }

    /// Checks one trigger; returns its event for `on event E`.
    fn trigger(&mut self, file: FileId, t: &Trigger, subject: Option<RecordId>) -> Option<usize> {
        let subject_ty = subject.map(Ty::Record).unwrap_or(Ty::Error);
        match &t.kind {
            TriggerKind::Event(name) => {
                let e = self.event_ref(file, name)?;
                if let Some(s) = subject {
                    self.check_event_concerns(file, e, s, name.span);
                }
                Some(e)
            }
            TriggerKind::Enters(name) | TriggerKind::Leaves(name) => {
                match self.model.items.get(&name.name).copied() {
                    Some(ItemKind::Segment(s)) if !self.model.segments[s].signal => {
                        self.used.insert(name.name.clone());
                        self.note(
                            file,
                            name.span,
                            crate::analysis::index::Symbol::Item(name.name.clone()),
                            Some(Ty::Bool),
                        );
                        self.refs.push((name.name.clone(), name.span));
                        if let (Some(have), Some(want)) = (self.model.segments[s].subject, subject) {
                            if have != want {
                                let d = Diagnostic::error(
                                    codes::BAD_TRIGGER,
                                    format!(
                                        "the segment `{}` is about `{}`, not this playbook's `{}`",
                                        name.name, self.model.records[have].name, self.model.records[want].name
                                    ),
                                    name.span,
                                    "another record type",
                                );
                                self.report(file, d);
                            }
                        }
                    }
                    Some(ItemKind::Segment(_)) => {
                        let d = Diagnostic::error(
                            codes::BAD_TRIGGER,
                            format!("`{}` is a signal, not a segment", name.name),
                            name.span,
                            "a signal",
                        )
                        .with_help("records enter and leave segments; to act when a signal changes, trigger on the fields it reads");
                        self.report(file, d);
                    }
                    _ => {
                        let mut segments: Vec<String> = self
                            .model
                            .items
                            .iter()
                            .filter(|(_, k)| matches!(k, ItemKind::Segment(s) if !self.model.segments[*s].signal))
                            .map(|(n, _)| n.clone())
                            .collect();
                        segments.sort();
                        let d = Diagnostic::error(
                            codes::UNKNOWN_ITEM,
                            format!("unknown segment `{}`", name.name),
                            name.span,
                            "not a segment",
                        );
                        let d = d.did_you_mean(
                            &name.name,
                            name.span,
                            segments.iter().map(String::as_str),
                            Some("declare it: `segment name for account: Account = …`".into()),
                        );
                        self.report(file, d);
                    }
                }
                None
            }
            TriggerKind::Created | TriggerKind::Deleted => None,
            TriggerKind::Updated(paths) => {
                for path in paths {
                    self.path_ty(file, &subject_ty, path);
                }
                None
            }
            TriggerKind::Date { date, at } => {
                // An empty date never arrives, so the date (and an offset from it) may be
                // optional here: the trigger simply does not fire for that record.
                let env = self.subject_env(subject);
                let (base, offset) = match &date.kind {
                    ExprKind::Binary(BinaryOp::Add | BinaryOp::Sub, l, r) => (&**l, Some(&**r)),
                    _ => (date, None),
                };
                let ty = self.expr(file, &env, base, None);
                if !ty.required().is_moment() {
                    self.expect_ty(file, base, &ty, &Ty::Date, "a date trigger fires on a date");
                } else if let (Ty::DateTime, Some(at)) = (ty.required(), at) {
                    let d = Diagnostic::error(
                        codes::BAD_TRIGGER,
                        "`at` sets the time of a date, but this is already a moment (`DateTime`)",
                        at.span,
                        "the moment has its own time",
                    )
                    .with_help("drop `at …` to fire at the moment itself, or use a `Date` field");
                    self.report(file, d);
                }
                if let Some(offset) = offset {
                    let t = self.expr(file, &env, offset, None);
                    self.expect_ty(
                        file,
                        offset,
                        &t,
                        &Ty::Duration,
                        "a date trigger's offset is a duration such as `90d`",
                    );
                }
                None
            }
            TriggerKind::Every { .. } => None,
            TriggerKind::Becomes { field, value } => {
                let ty = self.path_ty(file, &subject_ty, field);
                let env = self.subject_env(subject);
                let vt = self.expr(file, &env, value, Some(ty.required()));
                self.expect_ty(file, value, &vt, ty.required(), "`becomes` takes a value of the field's type");
                None
            }
            TriggerKind::Rises(field) | TriggerKind::Falls(field) => {
                let ty = self.path_ty(file, &subject_ty, field);
                if !ty.required().is_numeric() {
                    let d = Diagnostic::error(
                        codes::BAD_TRIGGER,
                        format!("`{}` is `{}`, which cannot rise or fall", path_text(field), self.name_of(&ty)),
                        field.span,
                        "not a number",
                    )
                    .with_help("`rises` and `falls` watch a number; for other fields use `becomes` or `on updated`");
                    self.report(file, d);
                }
                None
            }
        }
    }

    pub(super) fn current_binding(&self) -> Option<&str> {
        self.binding.as_deref()
    }

    fn subject_env(&self, subject: Option<RecordId>) -> Env {
        let binding = self.current_binding().map(|b| (b, subject.map(Ty::Record).unwrap_or(Ty::Error)));
        Env::new(subject, binding)
    }

    /// The type of a field path (`account.owner`) starting at the subject binding.
    pub(super) fn path_ty(&mut self, file: FileId, subject: &Ty, path: &Path) -> Ty {
        self.path_ty_in(file, subject, path, &[])
    }

    /// Like [`Checker::path_ty`], with paths known to be present (`exists` in a filter).
    pub(super) fn path_ty_in(&mut self, file: FileId, subject: &Ty, path: &Path, present: &[String]) -> Ty {
        let mut ty = subject.clone();
        let Some((first, rest)) = path.segments.split_first() else { return Ty::Error };
        if let Some(binding) = self.current_binding() {
            if first.name != binding {
                let d = Diagnostic::error(
                    codes::UNKNOWN_NAME,
                    format!("unknown name `{}`", first.name),
                    first.span,
                    format!("the subject is `{binding}`"),
                )
                .with_help(format!("field paths start at the subject: `{binding}.…`"))
                .with_fix(first.span, binding.to_string());
                self.report(file, d);
                return Ty::Error;
            }
        }
        if let Some(symbol) = self.bound(&first.name) {
            self.note(file, first.span, symbol, Some(ty.clone()));
        }
        let mut through_optional = false;
        let mut prefix = first.name.clone();
        for f in rest {
            through_optional |= ty.is_optional();
            prefix = format!("{prefix}.{}", f.name);
            ty = match ty.required() {
                Ty::Record(r) => match self.model.records[*r].field(&f.name) {
                    Some(field) => field.ty.clone(),
                    None if self.model.records[*r].broken => return Ty::Error,
                    None => {
                        let names: Vec<String> = self.model.records[*r].fields.iter().map(|f| f.name.clone()).collect();
                        let owner = self.model.records[*r].name.clone();
                        self.unknown_field(file, f, &owner, &names);
                        return Ty::Error;
                    }
                },
                Ty::Error => return Ty::Error,
                other => {
                    let d = Diagnostic::error(
                        codes::UNKNOWN_FIELD,
                        format!("`{}` has no fields", self.name_of(other)),
                        f.span,
                        "no such field",
                    );
                    self.report(file, d);
                    return Ty::Error;
                }
            };
            if let Some(owner) =
                self.path_owner(subject, &path.segments[..path.segments.len().min(prefix.matches('.').count() + 1)])
            {
                self.note(
                    file,
                    f.span,
                    crate::analysis::index::Symbol::Field { owner, name: f.name.clone() },
                    Some(ty.clone()),
                );
            }
            if present.contains(&prefix) {
                ty = ty.required().clone();
                through_optional = false;
            }
        }
        if through_optional {
            ty.optional()
        } else {
            ty
        }
    }

    /// The record that the last segment of `segments` (a path from the subject) is a field of.
    fn path_owner(&self, subject: &Ty, segments: &[Ident]) -> Option<String> {
        let mut ty = subject.clone();
        for f in segments.iter().skip(1).take(segments.len().saturating_sub(2)) {
            ty = match ty.required() {
                Ty::Record(r) => self.model.records[*r].field(&f.name)?.ty.clone(),
                _ => return None,
            };
        }
        match ty.required() {
            Ty::Record(r) => Some(self.model.records[*r].name.clone()),
            _ => None,
        }
    }

    fn step_name(&mut self, file: FileId, names: &mut Vec<(String, Span)>, name: &Ident) {
        if let Some(playbook) = self.current_playbook.clone() {
            let origin = self.origin(file, name.span);
            self.declare_symbol(crate::analysis::index::Symbol::Step { playbook, name: name.name.clone() }, origin);
        }
        if let Some((_, first)) = names.iter().find(|(n, _)| *n == name.name) {
            let d = Diagnostic::error(
                codes::DUPLICATE_STEP,
                format!("`{}` is used twice in this playbook", name.name),
                name.span,
                "again",
            )
            .with_secondary(*first, "first here")
            .with_help("steps, stages and activities each need their own name: the run history refers to them by it");
            self.report(file, d);
        } else {
            names.push((name.name.clone(), name.span));
        }
    }

    fn wait(&mut self, file: FileId, env: &mut Env, wait: &Wait) {
        match wait {
            Wait::Delay(e) => {
                let t = self.expr(file, env, e, None);
                self.expect_ty(file, e, &t, &Ty::Duration, "`wait` takes a duration such as `3d` or `2bd`");
            }
            Wait::Until(e) => {
                let t = self.expr(file, env, e, None);
                self.expect_moment(file, e, &t, "`wait until` takes a date or a moment");
            }
            Wait::For { event, filter, timeout } => {
                let e = self.event_ref(file, event);
                if let (Some(e), Some(s)) = (e, env.subject) {
                    self.check_event_concerns(file, e, s, event.span);
                }
                if let Some(filter) = filter {
                    let mut inner = env.clone();
                    inner.bindings.push(("event".into(), e.map(Ty::Event).unwrap_or(Ty::Error)));
                    self.condition(file, &inner, filter);
                }
                let t = self.expr(file, env, timeout, None);
                self.expect_ty(file, timeout, &t, &Ty::Duration, "a timeout is a duration such as `5d`");
                env.timed_out = true;
            }
        }
    }

    /// A condition that can never hold when the only trigger is `field becomes V`.
    fn contradictions(&mut self, file: FileId, pb: &Playbook) {
        let triggers = all_triggers(pb);
        let [Trigger { kind: TriggerKind::Becomes { field, value }, .. }] = triggers.as_slice() else { return };
        let (Some(field_text), ExprKind::Name(v)) = (Some(path_text(field)), &value.kind) else { return };
        for clause in &pb.clauses {
            let ClauseKind::When(cond) = &clause.kind else { continue };
            let ExprKind::Binary(op @ (BinaryOp::Eq | BinaryOp::Ne), l, r) = &cond.kind else { continue };
            let (Some(lk), ExprKind::Name(w)) = (super::expr::path_key(l), &r.kind) else { continue };
            let never = lk == field_text
                && ((*op == BinaryOp::Ne && w.name == v.name) || (*op == BinaryOp::Eq && w.name != v.name));
            if never {
                let d = Diagnostic::warning(
                    codes::CONTRADICTS_TRIGGER,
                    "this condition can never hold when the playbook is triggered",
                    cond.span,
                    "always false here",
                )
                .with_secondary(
                    field.span.to(value.span),
                    format!("the playbook runs when `{field_text}` becomes `{}`", v.name),
                )
                .with_help("remove the condition, or change the trigger");
                self.report(file, d);
            }
        }
    }
}

/// Every trigger of a playbook, from all its `on` clauses.
fn all_triggers(pb: &Playbook) -> Vec<&Trigger> {
    pb.clauses
        .iter()
        .filter_map(|c| match &c.kind {
            ClauseKind::On(ts) => Some(ts),
            _ => None,
        })
        .flatten()
        .collect()
}

/// "`a`, `b` or `c`" for field names.
pub(super) fn fields_list(names: &[String]) -> String {
    let refs: Vec<&str> = names.iter().map(String::as_str).collect();
    suggest::join_or(&refs)
}

/// "a `Contact`", "an `Account`".
pub(super) fn a(name: &str) -> String {
    format!("{} `{name}`", suggest::article(name))
}

/// `a.b.c` as written.
pub(super) fn path_text(p: &Path) -> String {
    p.segments.iter().map(|s| s.name.as_str()).collect::<Vec<_>>().join(".")
}

/// A filter that is plainly false: `false`, `not true`.
fn always_false(e: &Expr) -> bool {
    match &e.kind {
        ExprKind::Bool(b) => !b,
        ExprKind::Paren(inner) => always_false(inner),
        ExprKind::Unary(UnaryOp::Not, inner) => matches!(inner.kind, ExprKind::Bool(true)),
        ExprKind::Binary(BinaryOp::And, a, b) => always_false(a) || always_false(b),
        _ => false,
    }
}
