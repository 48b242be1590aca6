//! Checking actions and activities: each argument's kind (`email_task to` a contact or a
//! lead, `assign` a user field, …), templates that match their recipient, `?? skip`.

use super::env::Env;
use super::model::{FileId, ItemKind};
use super::types::{address_field, AddressField, RecordId, Ty};
use super::Checker;
use crate::diagnostic::{codes, Diagnostic};
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
                        format!("never empty: always `{}`", self.name_of(&t)),
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
            self.optional_target(file, e, &t);
            return None;
        }
        let d = Diagnostic::error(
            codes::BAD_ACTION,
            format!(
                "`{action}` {} {}, not {}",
                if action == "brief" { "is about" } else { "goes to" },
                kinds.iter().map(|k| super::playbook::a(k)).collect::<Vec<_>>().join(" or "),
                super::playbook::a(&self.name_of(&t))
            ),
            e.span,
            format!("this is `{}`", self.name_of(&t)),
        );
        self.report(file, d);
        None
    }

    /// The recipient of `email`, `email_task` or `enroll`: a record with an address field
    /// (its `email` field of type `Email`, else its only `Email` field) or an `Email`
    /// value. Gives the record, or `None` for an address (and for what was reported).
    fn addressee(&mut self, file: FileId, env: &Env, e: &Expr, action: &str) -> Addressee {
        let t = self.argument(file, env, e);
        if t.is_error() {
            return Addressee::Unknown;
        }
        if t == Ty::Email || is_address(e) {
            return Addressee::Address;
        }
        if t.is_optional() && matches!(t.required(), Ty::Email | Ty::Record(_)) {
            self.optional_target(file, e, &t);
            return Addressee::Unknown;
        }
        let Ty::Record(r) = t else {
            let d = Diagnostic::error(
                codes::BAD_ACTION,
                format!(
                    "`{action}` goes to a record with an `Email` field or an `Email`, not {}",
                    super::playbook::a(&self.name_of(&t))
                ),
                e.span,
                format!("this is `{}`", self.name_of(&t)),
            )
            .with_help("write a contact, a lead or any record with an `email: Email` field, or an address");
            self.report(file, d);
            return Addressee::Unknown;
        };
        let record = &self.model.records[r];
        let name = record.name.clone();
        let inner = match &e.kind {
            ExprKind::Binary(BinaryOp::Coalesce, value, fallback) if matches!(fallback.kind, ExprKind::Skip) => value,
            _ => e,
        };
        let what = super::expr::path_key(inner).unwrap_or_else(|| "…".into());
        let fields = record.fields.iter().map(|f| (f.name.as_str(), &f.ty));
        let problem = match address_field(fields) {
            AddressField::One(slot) if !record.fields[slot].ty.is_optional() => return Addressee::Record(r),
            AddressField::One(slot) => {
                let field = &record.fields[slot].name;
                (
                    format!("the address of {} is `{name}.{field}`, which may be empty", super::playbook::a(&name)),
                    format!("write `{what}.{field} ?? skip`, to skip the action when it is empty"),
                )
            }
            AddressField::None if record.broken => return Addressee::Unknown,
            AddressField::None => (
                format!("`{action}` goes to a record with an `Email` field, and `{name}` has none"),
                format!("give `{name}` an `email: Email` field, or send it to an address"),
            ),
            AddressField::Several(slots) => {
                let names: Vec<String> = slots.iter().map(|s| format!("`{}`", record.fields[*s].name)).collect();
                let first = &record.fields[slots[0]].name;
                (
                    format!("`{name}` has several `Email` fields ({}) and none named `email`", names.join(", ")),
                    format!("write the address to use, such as `{what}.{first}`"),
                )
            }
        };
        let d = Diagnostic::error(codes::BAD_ACTION, problem.0, e.span, "no one address").with_help(problem.1);
        self.report(file, d);
        Addressee::Unknown
    }

    /// A teammate: a `User` value, or an email address (teammates are addressed by email).
    fn expect_user(&mut self, file: FileId, env: &Env, e: &Expr, what: &str) {
        let t = self.argument(file, env, e);
        if t == Ty::Email || is_address(e) {
            return;
        }
        let user = self.user_ty();
        if t.is_optional() && t.required().fits(&user) {
            self.optional_target(file, e, &t);
            return;
        }
        self.expect_ty(file, e, &t, &user, &format!("{what} goes to a teammate: a `User`, or their email address"));
    }

    fn due(&mut self, file: FileId, env: &Env, e: &Expr) {
        let t = self.expr(file, env, e, None);
        if t.is_optional() && t.required().is_moment() {
            self.optional_not_handled(file, e, &t);
        } else if !(t == Ty::Duration || t.is_moment()) {
            self.expect_ty(file, e, &t, &Ty::Duration, "`due` takes a duration from now (`2d`) or a date");
        }
    }

    fn template_ref(&mut self, file: FileId, name: &Ident, recipient: Option<RecordId>, to_address: bool) {
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
            let d = d.did_you_mean(
                &name.name,
                name.span,
                names.iter().copied(),
                Some("declare it: `template name for contact: Contact { subject \"…\" body \"…\" }`".into()),
            );
            self.report(file, d);
            return;
        };
        self.used.insert(name.name.clone());
        self.refs.push((name.name.clone(), name.span));
        self.note(file, name.span, crate::analysis::index::Symbol::Item(name.name.clone()), None);
        let subject = self.model.templates[t].subject;
        if let (Some(have), Some(want)) = (subject, recipient) {
            if have != want {
                let (have_name, want_name) = (&self.model.records[have].name, &self.model.records[want].name);
                let message = if to_address {
                    format!(
                        "the template `{}` is written for a `{have_name}`, but an email to an address is written \
                         from the playbook's `{want_name}`",
                        name.name
                    )
                } else {
                    format!(
                        "the template `{}` is written for a `{have_name}`, but this email goes to a `{want_name}`",
                        name.name
                    )
                };
                let d = Diagnostic::error(codes::BAD_ACTION, message, name.span, format!("for a `{have_name}`"));
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
                let addressee = self.addressee(file, env, to, verb);
                let r = match addressee {
                    Addressee::Record(r) => Some(r),
                    // An email to an address is written from the playbook's subject.
                    Addressee::Address => env.subject,
                    Addressee::Unknown => None,
                };
                self.template_ref(file, template, r, matches!(addressee, Addressee::Address));
            }
            ActionKind::Assign { field, to } => {
                let subject = env.subject.map(Ty::Record).unwrap_or(Ty::Error);
                let t = self.path_ty_in(file, &subject, field, &env.present);
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
                if t.is_optional() {
                    self.optional_target(file, to, &t);
                    self.text(file, env, message);
                    return;
                }
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
                self.addressee(file, env, who, "enroll");
                self.text(file, env, flow);
            }
            ActionKind::Brief { about, to } => {
                self.recipient(file, env, about, &["Account", "Opportunity"], "brief");
                self.expect_user(file, env, to, "a brief");
            }
            ActionKind::Update { record, fields } => {
                let subject = env.subject.map(Ty::Record).unwrap_or(Ty::Error);
                let t = self.path_ty_in(file, &subject, record, &env.present);
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
            if !(t.required() == &Ty::Email || is_address(to)) {
                let user = self.user_ty();
                self.expect_ty(
                    file,
                    to,
                    t.required(),
                    &user,
                    "an activity goes to a teammate: a `User`, or their email address",
                );
            }
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
                self.missing_fields(file, r, &creates.fields, creates.record.span, &creates.record.name);
            }
        }
    }

    /// Reports the required fields a new record is not given.
    pub(super) fn missing_fields(
        &mut self,
        file: FileId,
        record: RecordId,
        given: &[FieldValue],
        at: crate::syntax::Span,
        what: &str,
    ) {
        let missing: Vec<String> = self.model.records[record]
            .fields
            .iter()
            // A field whose type is unknown was reported already; its `?` may be lost.
            .filter(|f| !f.ty.is_optional() && !f.ty.is_error() && !given.iter().any(|v| v.name.name == f.name))
            .map(|f| format!("`{}`", f.name))
            .collect();
        if missing.is_empty() {
            return;
        }
        let record_name = self.model.records[record].name.clone();
        let d = Diagnostic::error(
            codes::MISSING_FIELDS,
            format!("`{what}` needs {}", missing.join(", ")),
            at,
            "missing required fields",
        )
        .with_help(format!("a new `{record_name}` must have every field that is not optional (`?`)"));
        self.report(file, d);
    }

    /// `{ name: value, … }` for a record: each field exists, each value fits, none twice.
    pub(super) fn field_values<'f>(
        &mut self,
        file: FileId,
        env: &Env,
        record: RecordId,
        fields: impl IntoIterator<Item = &'f FieldValue>,
    ) {
        let mut seen: Vec<&Ident> = Vec::new();
        for fv in fields {
            if let Some(first) = seen.iter().find(|s| s.name == fv.name.name) {
                let d = Diagnostic::error(
                    codes::DUPLICATE_FIELD,
                    format!("`{}` is given twice", fv.name.name),
                    fv.name.span,
                    "again",
                )
                .with_secondary(first.span, "first given here");
                self.report(file, d);
            }
            seen.push(&fv.name);
            let Some(field) = self.model.records[record].field(&fv.name.name).cloned() else {
                let owner = self.model.records[record].name.clone();
                let names: Vec<String> = self.model.records[record].fields.iter().map(|f| f.name.clone()).collect();
                let d = Diagnostic::error(
                    codes::UNKNOWN_FIELD,
                    format!("unknown field `{}` on `{owner}`", fv.name.name),
                    fv.name.span,
                    format!("not a field of `{owner}`"),
                );
                let d = d.did_you_mean(
                    &fv.name.name,
                    fv.name.span,
                    names.iter().map(String::as_str),
                    Some(format!("`{owner}` has {}", super::playbook::fields_list(&names))),
                );
                self.report(file, d);
                self.expr(file, env, &fv.value, None);
                continue;
            };
            let owner = self.model.records[record].name.clone();
            self.note(
                file,
                fv.name.span,
                crate::analysis::index::Symbol::Field { owner, name: field.name.clone() },
                Some(field.ty.clone()),
            );
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

/// A written email address: `"ana@example.com"`.
/// Who an email goes to, as far as the checker knows.
enum Addressee {
    /// A record, written to at its address field.
    Record(RecordId),
    /// An `Email` value or an address written out.
    Address,
    /// Something already reported.
    Unknown,
}

fn is_address(e: &Expr) -> bool {
    match &e.kind {
        ExprKind::Text(t) => t.as_plain().is_some_and(|s| crate::email::is_email(&s)),
        _ => false,
    }
}
