//! Checking actions and activities: each argument's kind (`email_task to` a contact or a
//! lead, `assign` a user field, …), templates that match their recipient, `?? skip`.

use super::env::Env;
use super::model::{FileId, ItemKind};
use super::types::{RecordId, Ty};
use super::Checker;
use crate::diagnostic::{codes, Diagnostic};
use crate::suggest;
use crate::syntax::ast::*;

impl<'a> Checker<'a> {
    fn user_ty(&self) -> Ty {
        self.model.record_named("User").map(Ty::Record).unwrap_or(Ty::Error)
    }

    /// The records named here, that exist.
    fn records_named(&self, names: &[&str]) -> Vec<RecordId> {
        names.iter().filter_map(|n| self.model.record_named(n)).collect()
    }

    /// An action's argument, where `x ?? skip` may skip the action when `x` is empty.
    fn argument(&mut self, file: FileId, env: &Env, e: &Expr) -> Ty {
        if let ExprKind::Binary(BinaryOp::Coalesce, value, fallback) = &e.kind {
            if matches!(fallback.kind, ExprKind::Skip) {
                let t = self.expr(file, env, value, None);
                if !t.is_optional() && !t.is_error() {
                    let d = Diagnostic::warning(
                        codes::NEEDLESS_DEFAULT,
                        "this value is never empty, so the action is never skipped",
                        value.span,
                        format!("always a `{}`", self.name_of(&t)),
                    )
                    .with_help("remove `?? skip`");
                    self.report(file, d);
                }
                return t.required().clone();
            }
        }
        self.expr(file, env, e, None)
    }

    /// An argument that must be one of some records (`email_task to` a Contact or Lead).
    fn recipient(&mut self, file: FileId, env: &Env, e: &Expr, kinds: &[&str], action: &str) -> Option<RecordId> {
        let t = self.argument(file, env, e);
        if t.is_error() {
            return None;
        }
        let allowed = self.records_named(kinds);
        if let Ty::Record(r) = t {
            if allowed.contains(&r) {
                return Some(r);
            }
        }
        if t.is_optional() && matches!(t.required(), Ty::Record(r) if allowed.contains(r)) {
            let what = super::expr::path_key(e).unwrap_or_else(|| "this".into());
            let d = Diagnostic::error(
                codes::OPTIONAL_NOT_HANDLED,
                format!("`{what}` may be empty, so `{action}` may have no one to go to"),
                e.span,
                "may be empty",
            )
            .with_help(format!("write `{what} ?? skip` to skip the action when it is empty"));
            self.report(file, d);
            return None;
        }
        let d = Diagnostic::error(
            codes::BAD_ACTION,
            format!(
                "`{action}` goes to {}, not to `{}`",
                suggest::join_or(kinds).replace("` or `", "` or a `"),
                self.name_of(&t)
            ),
            e.span,
            format!("this is `{}`", self.name_of(&t)),
        );
        self.report(file, d);
        None
    }

    fn expect_user(&mut self, file: FileId, env: &Env, e: &Expr, what: &str) {
        let t = self.argument(file, env, e);
        let user = self.user_ty();
        self.expect_ty(file, e, &t, &user, &format!("{what} goes to a teammate (a `User`)"));
    }

    fn due(&mut self, file: FileId, env: &Env, e: &Expr) {
        let t = self.expr(file, env, e, None);
        if !(t == Ty::Duration || (t.required().is_moment() && !t.is_optional()) || t.is_error()) {
            self.expect_ty(file, e, &t, &Ty::Duration, "`due` takes a duration from now (`2d`) or a date");
        }
    }

    fn template_ref(&mut self, file: FileId, name: &Ident, recipient: Option<RecordId>) {
        let Some(&ItemKind::Template(t)) = self.model.items.get(&name.name) else {
            let mut names: Vec<&str> = self
                .model
                .items
                .iter()
                .filter(|(_, k)| matches!(k, ItemKind::Template(_)))
                .map(|(n, _)| n.as_str())
                .collect();
            names.sort();
            let d = Diagnostic::error(
                codes::UNKNOWN_ITEM,
                format!("unknown template `{}`", name.name),
                name.span,
                "not a template",
            );
            let d = match suggest::closest(&name.name, names.iter().copied()) {
                Some(best) => d.with_help(format!("did you mean `{best}`?")).with_fix(name.span, best),
                None => d.with_help("declare it: `template name for contact: Contact { subject \"…\" body \"…\" }`"),
            };
            self.report(file, d);
            return;
        };
        self.used.insert(name.name.clone());
        self.refs.push((name.name.clone(), name.span));
        let subject = self.model.templates[t].subject;
        if let (Some(have), Some(want)) = (subject, recipient) {
            if have != want {
                let d = Diagnostic::error(
                    codes::BAD_ACTION,
                    format!(
                        "the template `{}` is written for a `{}`, but this email goes to a `{}`",
                        name.name, self.model.records[have].name, self.model.records[want].name
                    ),
                    name.span,
                    format!("for a `{}`", self.model.records[have].name),
                );
                self.report(file, d);
            }
        }
    }

    pub(super) fn action(&mut self, file: FileId, env: &Env, action: &Action) {
        match &action.kind {
            ActionKind::Task { title, to, due, note } => {
                self.text(file, env, title);
                if let Some(to) = to {
                    self.expect_user(file, env, to, "a task");
                }
                if let Some(due) = due {
                    self.due(file, env, due);
                }
                if let Some(note) = note {
                    self.text(file, env, note);
                }
            }
            ActionKind::EmailTask { to, template } | ActionKind::Email { to, template } => {
                let verb = if matches!(action.kind, ActionKind::Email { .. }) { "email" } else { "email_task" };
                let r = self.recipient(file, env, to, &["Contact", "Lead"], verb);
                self.template_ref(file, template, r);
            }
            ActionKind::Assign { field, to } => {
                let subject = env.subject.map(Ty::Record).unwrap_or(Ty::Error);
                let t = self.path_ty(file, &subject, field);
                let user = self.user_ty();
                if field.segments.len() < 2 || (!t.is_error() && t.required() != &user) {
                    let d = Diagnostic::error(
                        codes::BAD_ACTION,
                        format!(
                            "`assign` changes an owner field, and `{}` is `{}`",
                            super::playbook::path_text(field),
                            self.name_of(&t)
                        ),
                        field.span,
                        "not a `User` field",
                    )
                    .with_help("assign a field of type `User`, such as `account.owner`");
                    self.report(file, d);
                }
                self.expect_user(file, env, to, "`assign`");
            }
            ActionKind::Notify { channel, to, message } => {
                let t = self.argument(file, env, to);
                let fine = match channel {
                    Channel::Slack => t.fits(&Ty::Text),
                    Channel::Email => t.fits(&Ty::Email) || t.fits(&self.user_ty()),
                };
                if !fine {
                    let want = match channel {
                        Channel::Slack => "a channel such as `\"#cs-alerts\"`",
                        Channel::Email => "an address or a teammate",
                    };
                    let d = Diagnostic::error(
                        codes::BAD_ACTION,
                        format!("expected {want}, found `{}`", self.name_of(&t)),
                        to.span,
                        "not a recipient",
                    );
                    self.report(file, d);
                }
                self.text(file, env, message);
            }
            ActionKind::Enroll { who, flow } => {
                self.recipient(file, env, who, &["Contact", "Lead"], "enroll");
                self.text(file, env, flow);
            }
            ActionKind::Brief { about, to } => {
                self.recipient(file, env, about, &["Account", "Opportunity"], "brief");
                self.expect_user(file, env, to, "a brief");
            }
            ActionKind::Update { record, fields } => {
                let subject = env.subject.map(Ty::Record).unwrap_or(Ty::Error);
                let t = self.path_ty(file, &subject, record);
                match t {
                    Ty::Record(r) => self.field_values(file, env, r, fields),
                    Ty::Error => {}
                    other => {
                        let d = Diagnostic::error(
                            codes::BAD_ACTION,
                            format!("`update` changes a record, not `{}`", self.name_of(&other)),
                            record.span,
                            "not a record",
                        )
                        .with_help(if other.is_optional() {
                            "an empty reference cannot be updated: update the record it is on, or test it first"
                        } else {
                            "name the record to update, e.g. `update account { … }`"
                        });
                        self.report(file, d);
                    }
                }
            }
            ActionKind::Webhook { url, fields } => {
                self.text(file, env, url);
                // A webhook's body is free-form JSON: an empty value is sent as null.
                for f in fields {
                    self.expr(file, env, &f.value, None);
                }
            }
        }
    }

    pub(super) fn activity(&mut self, file: FileId, env: &Env, a: &Activity) {
        if let Some(title) = &a.title {
            self.text(file, env, title);
        }
        if let Some(to) = &a.to {
            // An activity whose assignee is empty is simply unassigned.
            let t = self.argument(file, env, to);
            let user = self.user_ty();
            self.expect_ty(file, to, t.required(), &user, "an activity goes to a teammate (a `User`)");
        }
        if let Some(due) = &a.due {
            self.due(file, env, due);
        }
        if let Some(note) = &a.note {
            self.text(file, env, note);
        }
        if let Some(creates) = &a.creates {
            if let Some(r) = self.record_ref(file, &creates.record) {
                self.field_values(file, env, r, &creates.fields);
            }
        }
    }

    /// `{ name: value, … }` for a record: each field exists, each value fits, none twice.
    pub(super) fn field_values(&mut self, file: FileId, env: &Env, record: RecordId, fields: &[FieldValue]) {
        let mut seen: Vec<&str> = Vec::new();
        for fv in fields {
            if seen.contains(&fv.name.name.as_str()) {
                let d = Diagnostic::error(
                    codes::DUPLICATE_FIELD,
                    format!("`{}` is given twice", fv.name.name),
                    fv.name.span,
                    "again",
                );
                self.report(file, d);
            }
            seen.push(&fv.name.name);
            let Some(field) = self.model.records[record].field(&fv.name.name).cloned() else {
                let owner = self.model.records[record].name.clone();
                let names: Vec<String> = self.model.records[record].fields.iter().map(|f| f.name.clone()).collect();
                let d = Diagnostic::error(
                    codes::UNKNOWN_FIELD,
                    format!("unknown field `{}` on `{owner}`", fv.name.name),
                    fv.name.span,
                    format!("not a field of `{owner}`"),
                );
                let d = match suggest::closest(&fv.name.name, names.iter().map(String::as_str)) {
                    Some(best) => d.with_help(format!("did you mean `{best}`?")).with_fix(fv.name.span, best),
                    None => d,
                };
                self.report(file, d);
                self.expr(file, env, &fv.value, None);
                continue;
            };
            let t = self.expr(file, env, &fv.value, Some(&field.ty));
            self.expect_ty(
                file,
                &fv.value,
                &t,
                &field.ty,
                &format!("`{}` is `{}`", field.name, self.name_of(&field.ty)),
            );
        }
    }
}
