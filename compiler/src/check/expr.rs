//! Types of expressions: names, fields through references, enum variants, operators,
//! optionals, text interpolation and the built-in functions.

use super::env::{Env, TriggerEvent};
use super::functions::{self, Shape};
use super::model::{FileId, ItemKind};
use super::types::{EventId, RecordId, Ty};
use super::Checker;
use crate::diagnostic::{codes, Diagnostic};
use crate::suggest;
use crate::syntax::ast::*;

/// The path an expression names (`account.champion`), for `exists` narrowing.
pub fn path_key(e: &Expr) -> Option<String> {
    match &e.kind {
        ExprKind::Name(n) => Some(n.name.clone()),
        ExprKind::Field(base, f) => path_key(base).map(|b| format!("{b}.{}", f.name)),
        ExprKind::Paren(inner) => path_key(inner),
        _ => None,
    }
}

/// The paths `exists(…)` tests in a conjunction.
pub(super) fn present_in(e: &Expr, out: &mut Vec<String>) {
    match &e.kind {
        ExprKind::Call(f, args) if f.name == "exists" && args.len() == 1 => out.extend(path_key(&args[0].value)),
        ExprKind::Binary(BinaryOp::And, a, b) => {
            present_in(a, out);
            present_in(b, out);
        }
        ExprKind::Paren(inner) => present_in(inner, out),
        _ => {}
    }
}

impl<'a> Checker<'a> {
    pub(super) fn name_of(&self, ty: &Ty) -> String {
        self.model.type_name(ty)
    }

    /// Checks that `e` is a condition (`Bool`).
    pub(super) fn condition(&mut self, file: FileId, env: &Env, e: &Expr) {
        let ty = self.expr(file, env, e, Some(&Ty::Bool));
        self.expect_ty(file, e, &ty, &Ty::Bool, "a condition is true or false");
    }

    /// Reports `got` where `want` is needed; an optional in a required place gets the
    /// advice to handle it.
    pub(super) fn expect_ty(&mut self, file: FileId, e: &Expr, got: &Ty, want: &Ty, why: &str) -> bool {
        if got.fits(want) {
            return true;
        }
        if got.is_optional() && got.required().fits(want) {
            self.optional_not_handled(file, e, got);
        } else {
            let d = Diagnostic::error(
                codes::TYPE_MISMATCH,
                format!("expected `{}`, found `{}`", self.name_of(want), self.name_of(got)),
                e.span,
                format!("this is `{}`", self.name_of(got)),
            )
            .with_help(why.to_string());
            self.report(file, d);
        }
        false
    }

    /// A date or a moment, present.
    pub(super) fn expect_moment(&mut self, file: FileId, e: &Expr, t: &Ty, why: &str) {
        if t.is_optional() && t.required().is_moment() {
            self.optional_not_handled(file, e, t);
        } else if !t.is_moment() {
            self.expect_ty(file, e, t, &Ty::Date, why);
        }
    }

    pub(super) fn optional_not_handled(&mut self, file: FileId, e: &Expr, got: &Ty) {
        let d = match path_key(e) {
            Some(what) => Diagnostic::error(
                codes::OPTIONAL_NOT_HANDLED,
                format!("`{what}` may be empty (`{}`)", self.name_of(got)),
                e.span,
                "may be empty",
            )
            .with_help(format!("give a default with `{what} ?? …`, or test `exists({what})` first")),
            None => Diagnostic::error(
                codes::OPTIONAL_NOT_HANDLED,
                format!("this value may be empty (`{}`)", self.name_of(got)),
                e.span,
                "may be empty",
            )
            .with_help("give a default with `(…) ?? …`"),
        };
        self.report(file, d);
    }

    /// An action's argument that may be empty: the action can be skipped then.
    pub(super) fn optional_target(&mut self, file: FileId, e: &Expr, got: &Ty) {
        let what = path_key(e).unwrap_or_else(|| "…".into());
        let d = Diagnostic::error(
            codes::OPTIONAL_NOT_HANDLED,
            format!("`{what}` may be empty (`{}`), and then the action has nowhere to go", self.name_of(got)),
            e.span,
            "may be empty",
        )
        .with_help(format!("write `{what} ?? skip` to skip the action when it is empty"));
        self.report(file, d);
    }

    /// The type of an expression; `expect` helps bare enum variants find their enum. The
    /// type is recorded for lowering.
    pub(super) fn expr(&mut self, file: FileId, env: &Env, e: &Expr, expect: Option<&Ty>) -> Ty {
        let ty = self.expr_type(file, env, e, expect);
        self.types.record(e, ty.clone());
        ty
    }

    fn expr_type(&mut self, file: FileId, env: &Env, e: &Expr, expect: Option<&Ty>) -> Ty {
        match &e.kind {
            ExprKind::Bool(_) => Ty::Bool,
            ExprKind::Number(text) => {
                if text.contains('.') {
                    Ty::Number
                } else {
                    Ty::Int
                }
            }
            ExprKind::Percent(_) => Ty::Number,
            ExprKind::Duration(_) => Ty::Duration,
            ExprKind::Date(_) => Ty::Date,
            ExprKind::DateTime(_) => Ty::DateTime,
            ExprKind::Time(_) => Ty::Time,
            ExprKind::Text(t) => {
                self.text(file, env, t);
                Ty::Text
            }
            ExprKind::Name(n) => self.name(file, env, n, expect),
            ExprKind::Field(base, f) => self.field(file, env, e, base, f),
            ExprKind::Call(f, args) => self.call(file, env, e, f, args),
            ExprKind::List(items) => {
                let want = match expect.map(Ty::required) {
                    Some(Ty::List(t)) => Some((**t).clone()),
                    _ => None,
                };
                let mut elem = want.clone();
                for item in items {
                    let t = self.expr(file, env, item, elem.as_ref());
                    match &elem {
                        Some(w) => {
                            self.expect_ty(file, item, &t, w, "every item of a list has one type");
                        }
                        None => elem = Some(t),
                    }
                }
                Ty::List(Box::new(elem.unwrap_or(Ty::Error)))
            }
            ExprKind::Paren(inner) => self.expr(file, env, inner, expect),
            ExprKind::Unary(UnaryOp::Not, inner) => {
                self.condition(file, env, inner);
                Ty::Bool
            }
            ExprKind::Unary(UnaryOp::Neg, inner) => {
                let t = self.expr(file, env, inner, None);
                if t.is_optional() && (t.required().is_numeric() || t.required() == &Ty::Duration) {
                    self.optional_not_handled(file, inner, &t);
                    return Ty::Error;
                }
                if !(t.is_numeric() || t == Ty::Duration) {
                    self.bad_operator(file, e, "-", &t, None);
                    return Ty::Error;
                }
                t
            }
            ExprKind::Binary(op, l, r) => self.binary(file, env, e, *op, l, r),
            ExprKind::In { value, list, .. } => {
                let t = self.expr(file, env, value, None);
                if t.is_optional() {
                    self.optional_not_handled(file, value, &t);
                }
                for item in list {
                    let it = self.expr(file, env, item, Some(t.required()));
                    if !it.comparable(t.required()) {
                        self.expect_ty(file, item, &it, t.required(), "`in` compares the value with each item");
                    }
                }
                Ty::Bool
            }
            ExprKind::Skip => {
                let d = Diagnostic::error(codes::MISPLACED_SKIP, "`skip` is not a value", e.span, "not allowed here")
                    .with_help("`x ?? skip` skips an action when `x` is empty; it goes only in an action's argument");
                self.report(file, d);
                Ty::Error
            }
        }
    }

    /// Interpolations in text must be present values that read as text.
    pub(super) fn text(&mut self, file: FileId, env: &Env, t: &TextLit) {
        for part in &t.parts {
            let TextPart::Interp(e) = part else { continue };
            let ty = self.expr(file, env, e, None);
            if ty.is_optional() {
                self.optional_not_handled(file, e, &ty);
            } else if !interpolates(&ty) {
                let help = match &ty {
                    Ty::List(_) => "only a list of simple values (text, numbers, dates, variants) reads as text",
                    _ => "interpolate one of its fields, e.g. `{account.name}`",
                };
                let d = Diagnostic::error(
                    codes::TYPE_MISMATCH,
                    format!("`{}` cannot be put in text", self.name_of(&ty)),
                    e.span,
                    "not a simple value",
                )
                .with_help(help);
                self.report(file, d);
            }
        }
    }

    fn name(&mut self, file: FileId, env: &Env, n: &Ident, expect: Option<&Ty>) -> Ty {
        if let Some(t) = env.binding(&n.name) {
            let t = t.clone();
            if let Some(symbol) = self.bound(&n.name) {
                self.note(file, n.span, symbol, Some(t.clone()));
            }
            return t;
        }
        match n.name.as_str() {
            "timed_out" if env.timed_out => return Ty::Bool,
            "timed_out" => {
                let d = Diagnostic::error(
                    codes::OUT_OF_CONTEXT,
                    "`timed_out` is only known after a `wait for`",
                    n.span,
                    "no `wait for … timeout` before this",
                )
                .with_help("add `wait for Event timeout 5d` before the step that tests `timed_out`");
                self.report(file, d);
                return Ty::Error;
            }
            _ => {}
        }
        if let Some(&ItemKind::Segment(s)) = self.model.items.get(&n.name) {
            let t = self.segment_value(file, env, s, n);
            self.note(file, n.span, crate::analysis::index::Symbol::Item(n.name.clone()), Some(t.clone()));
            return t;
        }
        // Compared with something already reported as wrong: say nothing more.
        if expect.is_some_and(Ty::is_error) && !self.model.enums_with_variant(&n.name).is_empty() {
            return Ty::Error;
        }
        // A bare enum variant: of the enum expected here, else of the one enum that has it.
        if let Some(Ty::Enum(e)) = expect.map(Ty::required) {
            return self.qualified_variant(file, *e, n);
        }
        match self.model.enums_with_variant(&n.name).as_slice() {
            [e] => {
                let symbol = crate::analysis::index::Symbol::Variant {
                    owner: self.model.enums[*e].name.clone(),
                    name: n.name.clone(),
                };
                self.note(file, n.span, symbol, Some(Ty::Enum(*e)));
                return Ty::Enum(*e);
            }
            [] => {}
            several => {
                let names: Vec<String> = several.iter().map(|e| self.model.enums[*e].name.clone()).collect();
                let d = Diagnostic::error(
                    codes::AMBIGUOUS_VARIANT,
                    format!("`{}` is a variant of several enums", n.name),
                    n.span,
                    "which one?",
                )
                .with_help(format!(
                    "write it with its enum: {}",
                    join(&names.iter().map(|e| format!("{e}.{}", n.name)).collect::<Vec<_>>())
                ));
                self.report(file, d);
                return Ty::Error;
            }
        }
        self.unknown_name(file, env, n);
        Ty::Error
    }

    fn unknown_name(&mut self, file: FileId, env: &Env, n: &Ident) {
        let mut candidates: Vec<String> = env.bindings.iter().map(|(b, _)| b.clone()).collect();
        candidates.extend(
            self.model.items.iter().filter(|(_, k)| matches!(k, ItemKind::Segment(_))).map(|(name, _)| name.clone()),
        );
        if env.timed_out {
            candidates.push("timed_out".into());
        }
        for e in &self.model.enums {
            candidates.extend(e.variants.iter().cloned());
        }
        candidates.sort();
        let d = Diagnostic::error(codes::UNKNOWN_NAME, format!("unknown name `{}`", n.name), n.span, "not known here");
        if functions::lookup(&n.name).is_some() {
            let call = format!("{}()", n.name);
            let d = d.with_help(format!("`{}` is a function: call it, `{call}`", n.name)).with_fix(n.span, call);
            self.report(file, d);
            return;
        }
        let d = match suggest::closest(&n.name, candidates.iter().map(String::as_str)) {
            Some(best) => d.with_help(format!("did you mean `{best}`?")).with_fix(n.span, best),
            None => {
                let bound: Vec<String> = env.bindings.iter().map(|(b, _)| format!("`{b}`")).collect();
                d.with_help(format!(
                    "here a name is {}a segment, a signal or an enum variant",
                    if bound.is_empty() { String::new() } else { format!("{}, ", bound.join(", ")) }
                ))
            }
        };
        self.report(file, d);
    }

    /// A segment (a `Bool`) or a signal (its value) used for the current subject.
    fn segment_value(&mut self, file: FileId, env: &Env, s: usize, n: &Ident) -> Ty {
        self.used.insert(n.name.clone());
        self.refs.push((n.name.clone(), n.span));
        let subject = self.model.segments[s].subject;
        if let (Some(want), Some(have)) = (subject, env.subject) {
            if want != have {
                let noun = if self.model.segments[s].signal { "signal" } else { "segment" };
                let d = Diagnostic::error(
                    codes::TYPE_MISMATCH,
                    format!(
                        "the {noun} `{}` is about `{}`, not `{}`",
                        n.name, self.model.records[want].name, self.model.records[have].name
                    ),
                    n.span,
                    format!("a {noun} of `{}`", self.model.records[want].name),
                );
                self.report(file, d);
                return Ty::Error;
            }
        }
        self.segment_type(s)
    }

    fn field(&mut self, file: FileId, env: &Env, whole: &Expr, base: &Expr, f: &Ident) -> Ty {
        if let ExprKind::Name(b) = &base.kind {
            if env.binding(&b.name).is_none() {
                if b.name == "trigger" {
                    return self.trigger_field(file, env, f);
                }
                if let Some(&ItemKind::Enum(e)) = self.model.items.get(&b.name) {
                    self.used.insert(b.name.clone());
                    self.note(file, b.span, crate::analysis::index::Symbol::Item(b.name.clone()), None);
                    return self.qualified_variant(file, e, f);
                }
            }
        }
        let base_ty = self.expr(file, env, base, None);
        let through_optional = base_ty.is_optional();
        let ty = match base_ty.required() {
            Ty::Error => return Ty::Error,
            Ty::Record(r) => match self.model.records[*r].field(&f.name) {
                Some(field) => field.ty.clone(),
                None => {
                    if !self.model.records[*r].broken {
                        let names: Vec<String> = self.model.records[*r].fields.iter().map(|f| f.name.clone()).collect();
                        let owner = self.model.records[*r].name.clone();
                        self.unknown_field(file, f, &owner, &names);
                    }
                    return Ty::Error;
                }
            },
            Ty::Event(ev) => match self.model.events[*ev].field(&f.name) {
                Some(t) => t,
                None => {
                    let mut names: Vec<String> = self.model.events[*ev].fields.iter().map(|f| f.name.clone()).collect();
                    names.push("at".into());
                    let owner = self.model.events[*ev].name.clone();
                    self.unknown_field(file, f, &owner, &names);
                    return Ty::Error;
                }
            },
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
        let owner = match base_ty.required() {
            Ty::Record(r) => self.model.records[*r].name.clone(),
            Ty::Event(ev) => self.model.events[*ev].name.clone(),
            _ => String::new(),
        };
        self.note(
            file,
            f.span,
            crate::analysis::index::Symbol::Field { owner, name: f.name.clone() },
            Some(ty.clone()),
        );
        // Through an empty reference the field is empty too, unless `exists` said otherwise.
        let present = path_key(whole).is_some_and(|k| env.present.contains(&k));
        if present {
            ty.required().clone()
        } else if through_optional {
            ty.optional()
        } else {
            ty
        }
    }

    pub(super) fn unknown_field(&mut self, file: FileId, f: &Ident, owner: &str, names: &[String]) {
        let d = Diagnostic::error(
            codes::UNKNOWN_FIELD,
            format!("unknown field `{}` on `{owner}`", f.name),
            f.span,
            format!("not a field of `{owner}`"),
        );
        let d = match suggest::closest(&f.name, names.iter().map(String::as_str)) {
            Some(best) => d.with_help(format!("did you mean `{best}`?")).with_fix(f.span, best),
            None => d.with_help(format!("`{owner}` has {}", join(names))),
        };
        self.report(file, d);
    }

    fn qualified_variant(&mut self, file: FileId, e: usize, v: &Ident) -> Ty {
        if self.model.enums[e].variants.contains(&v.name) {
            let symbol = crate::analysis::index::Symbol::Variant {
                owner: self.model.enums[e].name.clone(),
                name: v.name.clone(),
            };
            self.note(file, v.span, symbol, Some(Ty::Enum(e)));
            return Ty::Enum(e);
        }
        let enum_name = self.model.enums[e].name.clone();
        let variants = self.model.enums[e].variants.clone();
        let d = Diagnostic::error(
            codes::UNKNOWN_NAME,
            format!("`{enum_name}` has no variant `{}`", v.name),
            v.span,
            format!("not a `{enum_name}`"),
        );
        let d = d.did_you_mean(
            &v.name,
            v.span,
            variants.iter().map(String::as_str),
            Some(format!("`{enum_name}` is one of {}", join(&variants))),
        );
        self.report(file, d);
        Ty::Error
    }

    fn trigger_field(&mut self, file: FileId, env: &Env, f: &Ident) -> Ty {
        if f.name != "event" {
            let d = Diagnostic::error(
                codes::UNKNOWN_FIELD,
                format!("`trigger` has no field `{}`", f.name),
                f.span,
                "only `trigger.event`",
            );
            self.report(file, d);
            return Ty::Error;
        }
        let (message, help) = match env.trigger {
            TriggerEvent::One(e) => return Ty::Event(e),
            _ if !env.old => (
                "`trigger.event` is only known in a playbook",
                "templates, segments and signals are about a record, not about what triggered a playbook",
            ),
            TriggerEvent::None if env.binding("event").is_some() => (
                "`trigger.event` needs an `on event …` trigger",
                "inside `wait for … where`, the event being waited for is `event`",
            ),
            TriggerEvent::None => (
                "`trigger.event` needs an `on event …` trigger",
                "this playbook is not triggered by an event; use `last(Event)` for the latest one",
            ),
            TriggerEvent::Mixed => (
                "`trigger.event` has no single type here",
                "the playbook's triggers are not all the same event; use `last(Event)` instead",
            ),
        };
        let d = Diagnostic::error(codes::OUT_OF_CONTEXT, message, f.span, "not known here").with_help(help);
        self.report(file, d);
        Ty::Error
    }

    fn call(&mut self, file: FileId, env: &Env, whole: &Expr, f: &Ident, args: &[Arg]) -> Ty {
        if functions::lookup(&f.name).is_some() {
            self.note(file, f.span, crate::analysis::index::Symbol::Function(f.name.clone()), None);
        }
        let Some(function) = functions::lookup(&f.name) else {
            let names: Vec<&str> = functions::FUNCTIONS.iter().map(|f| f.name).collect();
            let d =
                Diagnostic::error(codes::BAD_CALL, format!("unknown function `{}`", f.name), f.span, "not a function");
            let d = d.did_you_mean(
                &f.name,
                f.span,
                names.iter().copied(),
                Some(format!("the functions are {}", suggest::join_or(&names))),
            );
            self.report(file, d);
            for a in args {
                self.expr(file, env, &a.value, None);
            }
            return Ty::Error;
        };
        let named: &[&str] = match function.shape {
            Shape::History => &["within", "by"],
            Shape::Change => &["over"],
            _ => &[],
        };
        let positional: Vec<&Arg> = args.iter().filter(|a| a.name.is_none()).collect();
        for (i, a) in args.iter().enumerate() {
            if let Some(filter) = &a.filter {
                if !(function.shape == Shape::History && i == 0 && a.name.is_none()) {
                    let d = Diagnostic::error(
                        codes::BAD_CALL,
                        "`where` filters the event of `did`, `count` or `last`",
                        filter.span,
                        "not an event's filter",
                    )
                    .with_help("write it after the event: `count(TicketOpened where event.severity == High)`");
                    self.report(file, d);
                }
            }
            if function.shape == Shape::History && a.name.as_ref().is_some_and(|n| n.name == "by") {
                continue;
            }
            if let Some(n) = &a.name {
                if !named.contains(&n.name.as_str()) {
                    let d = Diagnostic::error(
                        codes::BAD_CALL,
                        format!("`{}` takes no argument `{}`", f.name, n.name),
                        n.span,
                        "unknown argument",
                    );
                    let d =
                        if named.is_empty() { d } else { d.with_help(format!("it takes {}", suggest::join_or(named))) };
                    self.report(file, d);
                } else {
                    let t = self.expr(file, env, &a.value, None);
                    self.expect_ty(file, &a.value, &t, &Ty::Duration, "a window is a duration such as `14d`");
                }
            }
        }
        let arity = match function.shape {
            Shape::Nullary => 0,
            Shape::TextTest => 2,
            _ => 1,
        };
        if positional.len() != arity {
            let d = Diagnostic::error(
                codes::BAD_CALL,
                format!(
                    "`{}` takes {arity} argument{}, not {}",
                    f.name,
                    if arity == 1 { "" } else { "s" },
                    positional.len()
                ),
                whole.span,
                "wrong number of arguments",
            );
            self.report(file, d);
            return Ty::Error;
        }
        match function.shape {
            Shape::Nullary if f.name == "now" => Ty::DateTime,
            Shape::Nullary => Ty::Date,
            Shape::TextToText => {
                let t = self.expr(file, env, &positional[0].value, None);
                self.expect_ty(file, &positional[0].value, &t, &Ty::Text, "this function works on text");
                Ty::Text
            }
            Shape::TextTest => {
                let t = self.expr(file, env, &positional[0].value, None);
                if t.is_optional() {
                    self.optional_not_handled(file, &positional[0].value, &t);
                }
                let item = match t.required() {
                    Ty::List(inner) if f.name == "contains" => (**inner).clone(),
                    _ => {
                        self.expect_ty(file, &positional[0].value, &t, &Ty::Text, "this function works on text");
                        Ty::Text
                    }
                };
                let p = self.expr(file, env, &positional[1].value, Some(&item));
                self.expect_ty(file, &positional[1].value, &p, &item, "the second argument is what to look for");
                Ty::Bool
            }
            Shape::Len => {
                let t = self.expr(file, env, &positional[0].value, None);
                if !matches!(t, Ty::List(_) | Ty::Error) {
                    self.expect_ty(
                        file,
                        &positional[0].value,
                        &t,
                        &Ty::Text,
                        "`len` counts a text's characters or a list's items",
                    );
                }
                Ty::Int
            }
            Shape::Days => {
                let t = self.expr(file, env, &positional[0].value, None);
                self.expect_moment(file, &positional[0].value, &t, "counting days needs a date");
                Ty::Int
            }
            Shape::Exists => {
                let t = self.expr(file, env, &positional[0].value, None);
                if !t.is_optional() && !t.is_error() {
                    let d = Diagnostic::warning(
                        codes::NEEDLESS_DEFAULT,
                        "this value is never empty, so `exists` is always true",
                        positional[0].value.span,
                        format!("never empty: always `{}`", self.name_of(&t)),
                    );
                    self.report(file, d);
                }
                Ty::Bool
            }
            Shape::History => {
                let by = args.iter().find(|a| a.name.as_ref().is_some_and(|n| n.name == "by"));
                // Events performed `by` a record need not concern the subject.
                let event = self.event_arg(file, env, &positional[0].value, by.is_none());
                self.history_filter(file, env, positional[0], event);
                if let Some(by) = by {
                    self.history_by(file, env, &by.value, event);
                }
                match (f.name.as_str(), event) {
                    ("did", _) => Ty::Bool,
                    ("count", _) => Ty::Int,
                    (_, Some(e)) => Ty::Event(e).optional(),
                    (_, None) => Ty::Error,
                }
            }
            Shape::Change => {
                let value = &positional[0].value;
                let t = self.expr(file, env, value, None);
                if !is_subject_field(env, value) {
                    let d = Diagnostic::error(
                        codes::BAD_CALL,
                        "`change` needs a field of the subject, such as `account.weekly_active_users`",
                        value.span,
                        "not a field",
                    );
                    self.report(file, d);
                } else if !t.required().is_numeric() {
                    self.expect_ty(file, value, &t, &Ty::Number, "`change` measures a numeric field");
                }
                if !args.iter().any(|a| a.name.as_ref().is_some_and(|n| n.name == "over")) {
                    let d = Diagnostic::error(
                        codes::BAD_CALL,
                        "`change` needs a window: `over: 14d`",
                        whole.span,
                        "no window",
                    )
                    .with_help("write `change(field, over: 14d)`");
                    self.report(file, d);
                }
                Ty::Number
            }
            Shape::Old => {
                let value = &positional[0].value;
                let t = self.expr(file, env, value, None);
                if !env.old {
                    let d = Diagnostic::error(
                        codes::OUT_OF_CONTEXT,
                        "`old(…)` is only known in a playbook",
                        whole.span,
                        "no triggering change here",
                    )
                    .with_help("`old(field)` is the value before the change that triggered the playbook");
                    self.report(file, d);
                } else if !is_subject_field(env, value) {
                    let d = Diagnostic::error(
                        codes::BAD_CALL,
                        "`old` needs a field of the subject",
                        value.span,
                        "not a field",
                    );
                    self.report(file, d);
                }
                // Before a record is created it had no values.
                t.optional()
            }
            Shape::Manager => {
                let user = self.model.record_named("User").map(Ty::Record).unwrap_or(Ty::Error);
                let t = self.expr(file, env, &positional[0].value, None);
                self.expect_ty(file, &positional[0].value, &t, &user, "`manager_of` takes a teammate");
                user
            }
        }
    }

    /// An event named as a function argument (`did(Login, …)`), which must concern the
    /// subject.
    /// `Event where condition`: the condition, with `event` the event it looks at.
    fn history_filter(&mut self, file: FileId, env: &Env, arg: &Arg, event: Option<EventId>) {
        let Some(filter) = &arg.filter else { return };
        let mut inner = env.clone();
        inner.bindings.push(("event".into(), event.map(Ty::Event).unwrap_or(Ty::Error)));
        self.condition(file, &inner, filter);
    }

    /// `by: record`: the record that performed the event, of the event's record type (it
    /// may be empty: then no event was performed by it).
    fn history_by(&mut self, file: FileId, env: &Env, by: &Expr, event: Option<EventId>) {
        let t = self.expr(file, env, by, None);
        let want = event.and_then(|e| self.model.events[e].subject);
        let fits = match (t.required(), want) {
            (Ty::Error, _) | (_, None) => true,
            (Ty::Record(r), Some(w)) => *r == w,
            _ => false,
        };
        if !fits {
            let want_name = want.map_or("?".into(), |w| self.model.records[w].name.clone());
            let event_name = event.map_or("?".into(), |e| self.model.events[e].name.clone());
            let d = Diagnostic::error(
                codes::TYPE_MISMATCH,
                format!(
                    "`by` is the `{want_name}` that performed `{event_name}`, and this is {}",
                    super::playbook::a(&self.name_of(&t))
                ),
                by.span,
                format!("this is `{}`", self.name_of(&t)),
            )
            .with_help(format!("`{event_name}` happens to {}", super::playbook::a(&want_name)));
            self.report(file, d);
        }
    }

    fn event_arg(&mut self, file: FileId, env: &Env, e: &Expr, concerns: bool) -> Option<EventId> {
        let ExprKind::Name(n) = &e.kind else {
            let d = Diagnostic::error(codes::BAD_CALL, "expected the name of an event", e.span, "not an event name");
            self.report(file, d);
            return None;
        };
        let event = self.event_ref(file, n)?;
        if let Some(subject) = env.subject.filter(|_| concerns) {
            self.check_event_concerns(file, event, subject, n.span);
        }
        Some(event)
    }

    /// The event a name refers to; anything else is reported.
    pub(super) fn event_ref(&mut self, file: FileId, n: &Ident) -> Option<EventId> {
        if let Some(&ItemKind::Event(e)) = self.model.items.get(&n.name) {
            self.used.insert(n.name.clone());
            self.note(file, n.span, crate::analysis::index::Symbol::Item(n.name.clone()), None);
            return Some(e);
        }
        let mut names: Vec<&str> = self.model.events.iter().map(|e| e.name.as_str()).collect();
        names.sort();
        names.dedup();
        let d = Diagnostic::error(codes::UNKNOWN_ITEM, format!("unknown event `{}`", n.name), n.span, "not an event");
        let d = d.did_you_mean(
            &n.name,
            n.span,
            names.iter().copied(),
            Some("declare it: `event Name on Record { … }`".into()),
        );
        self.report(file, d);
        None
    }

    /// An event concerns a subject when it happens to the subject or to a record that
    /// refers to it (a contact's login concerns its account).
    pub(super) fn event_concerns(&self, event: EventId, subject: RecordId) -> bool {
        match self.model.events[event].subject {
            None => true,
            Some(s) if s == subject => true,
            // The event's record belongs to the subject: it has a required reference to it
            // (a contact's `account`), not merely an optional one (an account's `champion`).
            Some(s) => self.model.records[s].fields.iter().any(|f| f.ty == Ty::Record(subject)),
        }
    }

    pub(super) fn check_event_concerns(
        &mut self,
        file: FileId,
        event: EventId,
        subject: RecordId,
        span: crate::syntax::Span,
    ) {
        if self.event_concerns(event, subject) {
            return;
        }
        let ev = &self.model.events[event];
        let on = ev.subject.map(|s| self.model.records[s].name.clone()).unwrap_or_default();
        let subject_name = self.model.records[subject].name.clone();
        let d = Diagnostic::error(
            codes::BAD_TRIGGER,
            format!("`{}` happens to {}, which is not about this `{subject_name}`", ev.name, super::playbook::a(&on)),
            span,
            format!("an event on `{on}`"),
        )
        .with_help(format!(
            "an event concerns a `{subject_name}` when it happens to one, or to a record that belongs to one (has a required `{subject_name}` field)"
        ));
        self.report(file, d);
    }

    fn binary(&mut self, file: FileId, env: &Env, whole: &Expr, op: BinaryOp, l: &Expr, r: &Expr) -> Ty {
        match op {
            BinaryOp::And | BinaryOp::Or => {
                self.condition(file, env, l);
                if op == BinaryOp::And {
                    let mut narrowed = env.clone();
                    present_in(l, &mut narrowed.present);
                    self.condition(file, &narrowed, r);
                } else {
                    self.condition(file, env, r);
                }
                Ty::Bool
            }
            BinaryOp::Eq | BinaryOp::Ne | BinaryOp::Lt | BinaryOp::Le | BinaryOp::Gt | BinaryOp::Ge => {
                let (lt, rt) = self.operands(file, env, l, r);
                if lt.is_error() || rt.is_error() {
                    return Ty::Bool;
                }
                let ordered = !matches!(op, BinaryOp::Eq | BinaryOp::Ne);
                if lt.is_optional() != rt.is_optional() || (ordered && lt.is_optional()) {
                    let (side, t) = if lt.is_optional() { (l, &lt) } else { (r, &rt) };
                    self.optional_not_handled(file, side, t);
                    return Ty::Bool;
                }
                let (a, b) = (lt.required(), rt.required());
                let fine = if ordered {
                    (a.is_numeric() && b.is_numeric())
                        || (a.is_moment() && b.is_moment())
                        || (a == b && matches!(a, Ty::Duration | Ty::Time | Ty::Text))
                } else {
                    a.comparable(b) || (a.is_moment() && b.is_moment())
                };
                if !fine {
                    self.bad_operator(file, whole, op.symbol(), &lt, Some(&rt));
                }
                Ty::Bool
            }
            BinaryOp::Coalesce => {
                let lt = self.expr(file, env, l, None);
                if !lt.is_optional() && !lt.is_error() {
                    let d = Diagnostic::warning(
                        codes::NEEDLESS_DEFAULT,
                        "this value is never empty, so the default after `??` is never used",
                        l.span,
                        format!("never empty: always `{}`", self.name_of(&lt)),
                    )
                    .with_help("remove `?? …`");
                    self.report(file, d);
                }
                let want = lt.required().clone();
                let rt = self.expr(file, env, r, Some(&want));
                if !rt.required().fits(&want) && !want.fits(rt.required()) {
                    self.expect_ty(file, r, &rt, &want, "the default has the type of the value it stands in for");
                }
                // `seats ?? 1.5` may be a fraction: the wider of two numbers.
                let result = if want == Ty::Int && rt.required().is_numeric() { rt.required().clone() } else { want };
                if rt.is_optional() {
                    result.optional()
                } else {
                    result
                }
            }
            BinaryOp::Add | BinaryOp::Sub | BinaryOp::Mul | BinaryOp::Div => {
                let (lt, rt) = self.operands(file, env, l, r);
                for (side, t) in [(l, &lt), (r, &rt)] {
                    if t.is_optional() {
                        self.optional_not_handled(file, side, t);
                        return Ty::Error;
                    }
                }
                match arithmetic(op, &lt, &rt) {
                    Some(t) => t,
                    None => {
                        self.bad_operator(file, whole, op.symbol(), &lt, Some(&rt));
                        Ty::Error
                    }
                }
            }
        }
    }

    /// Both operands' types; a bare variant on the left takes the right's enum.
    fn operands(&mut self, file: FileId, env: &Env, l: &Expr, r: &Expr) -> (Ty, Ty) {
        let bare_left = matches!(&l.kind, ExprKind::Name(n) if env.binding(&n.name).is_none()
            && !self.model.items.contains_key(&n.name) && n.name != "timed_out");
        if bare_left {
            let rt = self.expr(file, env, r, None);
            let lt = self.expr(file, env, l, Some(&rt));
            (lt, rt)
        } else {
            let lt = self.expr(file, env, l, None);
            let rt = self.expr(file, env, r, Some(&lt));
            (lt, rt)
        }
    }

    fn bad_operator(&mut self, file: FileId, e: &Expr, op: &str, l: &Ty, r: Option<&Ty>) {
        let message = match r {
            Some(r) => format!("`{op}` does not work on `{}` and `{}`", self.name_of(l), self.name_of(r)),
            None => format!("`{op}` does not work on `{}`", self.name_of(l)),
        };
        let help = self.operator_help(op, l, r);
        let d = Diagnostic::error(codes::BAD_OPERATOR, message, e.span, format!("`{op}` here")).with_help(help);
        self.report(file, d);
    }

    /// Advice for an operator on the wrong values, as specific as the values allow.
    fn operator_help(&self, op: &str, l: &Ty, r: Option<&Ty>) -> String {
        let ordered = matches!(op, "<" | "<=" | ">" | ">=");
        let user = self.model.record_named("User").map(Ty::Record);
        match (l.required(), r.map(Ty::required)) {
            (Ty::Enum(e), _) | (_, Some(Ty::Enum(e))) if ordered => {
                format!("`{}` values have no order; compare with `==`, `!=` or `in [...]`", self.model.enums[*e].name)
            }
            (Ty::Enum(e), Some(Ty::Text)) | (Ty::Text, Some(Ty::Enum(e))) => format!(
                "write the variant without quotes, e.g. `{}`",
                self.model.enums[*e].variants.first().map_or("Variant", String::as_str)
            ),
            (t, Some(Ty::Text | Ty::Email)) | (Ty::Text | Ty::Email, Some(t)) if Some(t) == user.as_ref() => {
                "teammates compare by address: use the `.email` field, e.g. `account.owner.email == \"jo@example.com\"`"
                    .into()
            }
            _ if ordered || matches!(op, "==" | "!=") => {
                "compare values of one kind: numbers and money, dates and moments, text, or the same enum".into()
            }
            _ => "arithmetic works on numbers and money, and on dates and durations (`date + 3d`)".into(),
        }
    }
}

/// What arithmetic gives, if it is allowed.
fn arithmetic(op: BinaryOp, l: &Ty, r: &Ty) -> Option<Ty> {
    use BinaryOp::*;
    use Ty::*;
    if l.is_error() || r.is_error() {
        return Some(Error);
    }
    Some(match (op, l, r) {
        (Add | Sub, Money, Money | Number | Int) | (Add, Number | Int, Money) => Money,
        (Mul, Money, Number | Int) | (Mul, Number | Int, Money) | (Div, Money, Number | Int) => Money,
        (Div, Money, Money) => Number,
        (Add | Sub | Mul, Int, Int) => Int,
        (Add | Sub | Mul | Div, Number | Int, Number | Int) => Number,
        (Add | Sub, Date, Duration) => Date,
        (Add | Sub, DateTime, Duration) => DateTime,
        (Add, Duration, Date) => Date,
        (Add, Duration, DateTime) => DateTime,
        (Sub, Date, Date) | (Sub, DateTime, DateTime) => Duration,
        (Add | Sub, Duration, Duration) => Duration,
        (Mul, Duration, Number | Int) | (Mul, Number | Int, Duration) | (Div, Duration, Number | Int) => Duration,
        (Add, Text, Text) => Text,
        (Add, List(a), List(b)) if b.fits(a) => List(a.clone()),
        _ => return None,
    })
}

/// `account.x` or `account.x.y`: a field path from the subject (the first binding).
fn is_subject_field(env: &Env, e: &Expr) -> bool {
    let Some(subject) = env.bindings.first().map(|(n, _)| n.as_str()) else { return false };
    matches!(&e.kind, ExprKind::Field(..))
        && path_key(e).is_some_and(|k| k.strip_prefix(subject).is_some_and(|rest| rest.starts_with('.')))
}

fn join(names: &[String]) -> String {
    let refs: Vec<&str> = names.iter().map(String::as_str).collect();
    suggest::join_or(&refs)
}

/// Whether a value of this type reads as text: a simple value, or a list of present simple
/// values (written out with `, ` between the items).
fn interpolates(ty: &Ty) -> bool {
    match ty {
        Ty::Record(_) | Ty::Event(_) | Ty::Optional(_) => false,
        Ty::List(item) => !matches!(**item, Ty::List(_)) && interpolates(item),
        _ => true,
    }
}
