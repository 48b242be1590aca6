//! Expressions to bytecode: names to subjects, segments and constants, fields to slots,
//! `and`/`or`/`??` to jumps, text interpolation to concatenation.

use super::{Lowerer, Name};
use crate::check::model::ItemKind;
use crate::check::types::Ty;
use crate::program::{Builtin, Cmp, Code, Const, History, Op};
use crate::syntax::ast::*;

impl Lowerer<'_, '_> {
    /// The code of one expression, with its source.
    pub(super) fn code(&mut self, e: &Expr) -> Code {
        let mut code = Code { source: self.text(e.span), ..Code::default() };
        self.expr(&mut code, e);
        code
    }

    /// The code of a text with interpolations.
    pub(super) fn text_code(&mut self, t: &TextLit) -> Code {
        let mut code = Code { source: self.text(t.span), ..Code::default() };
        self.text_into(&mut code, t);
        code
    }

    pub(super) fn emit(&self, code: &mut Code, op: Op, span: Span) {
        code.ops.push(op);
        code.spans.push(self.src_span(span));
    }

    pub(super) fn push_const(&mut self, code: &mut Code, c: Const, span: Span) {
        let index = self.constant(c);
        self.emit(code, Op::Const { index }, span);
    }

    fn text_into(&mut self, code: &mut Code, t: &TextLit) {
        if let Some(plain) = t.as_plain() {
            return self.push_const(code, Const::Text(plain), t.span);
        }
        for part in &t.parts {
            match part {
                TextPart::Lit(s) => self.push_const(code, Const::Text(s.clone()), t.span),
                TextPart::Interp(e) => self.expr(code, e),
            }
        }
        self.emit(code, Op::Concat { count: t.parts.len() as u32 }, t.span);
    }

    fn name_meaning(&self, name: &str) -> Option<Name> {
        self.names.iter().rev().find(|(n, _)| n == name).map(|(_, m)| m.clone())
    }

    pub(super) fn expr(&mut self, code: &mut Code, e: &Expr) {
        let span = e.span;
        match &e.kind {
            ExprKind::Bool(b) => self.push_const(code, Const::Bool(*b), span),
            ExprKind::Number(text) | ExprKind::Percent(text) => {
                let percent = matches!(e.kind, ExprKind::Percent(_));
                let c = match NumberValue::of(text, percent) {
                    Some(NumberValue::Int(i)) => Const::Int(i),
                    Some(NumberValue::Number(f)) => Const::Number(f),
                    None => return self.unlowerable(e.span, "number"),
                };
                self.push_const(code, c, span);
            }
            ExprKind::Duration(d) => self.push_const(code, Const::Duration(super::duration(d)), span),
            ExprKind::Date(d) => self.push_const(code, Const::Date(d.date), span),
            ExprKind::DateTime(d) => match datetime(&d.text) {
                Some(c) => self.push_const(code, c, span),
                None => self.unlowerable(e.span, "date and time"),
            },
            ExprKind::Time(t) => self.push_const(code, Const::Time(u32::from(t.hour) * 60 + u32::from(t.minute)), span),
            ExprKind::Text(t) => self.text_into(code, t),
            ExprKind::Name(n) => self.name(code, e, n),
            ExprKind::Field(base, f) => self.field(code, e, base, f),
            ExprKind::Call(f, args) => self.call(code, e, f, args),
            ExprKind::List(items) => {
                for item in items {
                    self.expr(code, item);
                }
                self.emit(code, Op::List { count: items.len() as u32 }, span);
            }
            ExprKind::Paren(inner) => self.expr(code, inner),
            ExprKind::Unary(op, inner) => {
                self.expr(code, inner);
                if *op == UnaryOp::Neg && super::constant::negation_overflows(inner) {
                    self.constant_overflow(span);
                }
                self.emit(code, if *op == UnaryOp::Not { Op::Not } else { Op::Neg }, span);
            }
            ExprKind::Binary(op, l, r) => self.binary(code, span, *op, l, r),
            ExprKind::In { negated, value, list, .. } => {
                self.expr(code, value);
                for item in list {
                    self.expr(code, item);
                }
                self.emit(code, Op::In { count: list.len() as u32, negated: *negated }, span);
            }
            // Only `x ?? skip` is valid, and that is lowered with its `??`.
            ExprKind::Skip => self.emit(code, Op::SkipIfEmpty, span),
        }
    }

    fn name(&mut self, code: &mut Code, e: &Expr, n: &Ident) {
        match self.name_meaning(&n.name) {
            Some(Name::Subject) => return self.emit(code, Op::Subject, n.span),
            Some(Name::Awaited) => return self.emit(code, Op::Awaited, n.span),
            Some(Name::TestRecord(record)) => {
                return self.push_const(code, Const::Ref { record, id: n.name.clone() }, n.span)
            }
            None => {}
        }
        if n.name == "timed_out" {
            return self.emit(code, Op::TimedOut, n.span);
        }
        if let Some(ItemKind::Segment(s)) = self.item(&n.name) {
            return self.emit(code, Op::Segment { index: s as u32 }, n.span);
        }
        match self.ty(e).required() {
            Ty::Enum(ty) => {
                let variant = self.model.enums[*ty].variants.iter().position(|v| *v == n.name).unwrap_or(0);
                self.push_const(code, Const::Enum { ty: *ty, variant }, n.span);
            }
            // Checked programs have no other names; keep the stack balanced regardless.
            _ => self.push_const(code, Const::Bool(false), n.span),
        }
    }

    fn field(&mut self, code: &mut Code, e: &Expr, base: &Expr, f: &Ident) {
        if let ExprKind::Name(b) = &base.kind {
            if self.name_meaning(&b.name).is_none() {
                if b.name == "trigger" {
                    return self.emit(code, Op::TriggerEvent, e.span);
                }
                if let Some(ItemKind::Enum(ty)) = self.item(&b.name) {
                    let variant = self.model.enums[ty].variants.iter().position(|v| *v == f.name).unwrap_or(0);
                    return self.push_const(code, Const::Enum { ty, variant }, e.span);
                }
            }
        }
        let on_subject =
            matches!(&base.kind, ExprKind::Name(b) if matches!(self.name_meaning(&b.name), Some(Name::Subject)));
        if on_subject {
            if let Ty::Record(r) = self.ty(base) {
                let record = &self.model.records[r];
                if !(record.name == "User" && f.name == "email") {
                    let slot = record.fields.iter().position(|x| x.name == f.name).unwrap_or(0);
                    return self.emit(code, Op::SubjectField { slot: slot as u32 }, e.span);
                }
            }
        }
        self.expr(code, base);
        match self.ty(base).required() {
            Ty::Record(r) => {
                let record = &self.model.records[*r];
                if record.name == "User" && f.name == "email" {
                    return self.emit(code, Op::RecordId, e.span);
                }
                let slot = record.fields.iter().position(|x| x.name == f.name).unwrap_or(0);
                self.emit(code, Op::Field { record: *r as u32, slot: slot as u32 }, e.span);
            }
            Ty::Event(ev) => {
                if f.name == "at" {
                    return self.emit(code, Op::EventAt, e.span);
                }
                let slot = self.model.events[*ev].fields.iter().position(|x| x.name == f.name).unwrap_or(0);
                self.emit(code, Op::EventField { event: *ev as u32, slot: slot as u32 }, e.span);
            }
            _ => {}
        }
    }

    fn call(&mut self, code: &mut Code, e: &Expr, f: &Ident, args: &[Arg]) {
        let positional: Vec<&Expr> = args.iter().filter(|a| a.name.is_none()).map(|a| &a.value).collect();
        let named =
            |name: &str| args.iter().find(|a| a.name.as_ref().is_some_and(|n| n.name == name)).map(|a| &a.value);
        match f.name.as_str() {
            "exists" => {
                if let Some(a) = positional.first() {
                    self.expr(code, a);
                }
                self.emit(code, Op::Exists, e.span);
            }
            "did" | "count" | "last" => {
                let kind = match f.name.as_str() {
                    "did" => History::Did,
                    "count" => History::Count,
                    _ => History::Last,
                };
                let event = match positional.first().map(|a| &a.kind) {
                    Some(ExprKind::Name(n)) => match self.item(&n.name) {
                        Some(ItemKind::Event(ev)) => ev,
                        _ => 0,
                    },
                    _ => 0,
                };
                // `by` is pushed before the window, so the window is popped first.
                let by = named("by");
                if let Some(b) = by {
                    self.expr(code, b);
                }
                let within = named("within");
                if let Some(w) = within {
                    self.expr(code, w);
                }
                let filter = args.iter().find(|a| a.name.is_none()).and_then(|a| a.filter.as_deref()).map(|f| {
                    let mut sub = Code { source: self.text(f.span), ..Code::default() };
                    self.names.push(("event".into(), Name::Awaited));
                    self.expr(&mut sub, f);
                    self.names.pop();
                    self.filters.push(sub);
                    (self.filters.len() - 1) as u32
                });
                let op = Op::History { kind, event: event as u32, within: within.is_some(), by: by.is_some(), filter };
                self.emit(code, op, e.span);
            }
            "change" => {
                if let Some(w) = named("over") {
                    self.expr(code, w);
                }
                let slot = positional.first().map_or(0, |p| self.subject_slot(p));
                self.emit(code, Op::Change { slot: slot as u32 }, e.span);
            }
            "old" => {
                let slot = positional.first().map_or(0, |p| self.subject_slot(p));
                self.emit(code, Op::Old { slot: slot as u32 }, e.span);
            }
            name => {
                for a in &positional {
                    self.expr(code, a);
                }
                if let Some(function) = Builtin::from_name(name) {
                    self.emit(code, Op::Call { function }, e.span);
                }
            }
        }
    }

    /// The slot of the subject's field a path like `account.health` names.
    fn subject_slot(&self, e: &Expr) -> usize {
        let mut inner = e;
        while let ExprKind::Paren(x) = &inner.kind {
            inner = x;
        }
        let ExprKind::Field(base, f) = &inner.kind else { return 0 };
        match self.ty(base).required() {
            Ty::Record(r) => self.model.records[*r].fields.iter().position(|x| x.name == f.name).unwrap_or(0),
            _ => 0,
        }
    }

    fn binary(&mut self, code: &mut Code, span: Span, op: BinaryOp, l: &Expr, r: &Expr) {
        self.expr(code, l);
        let jump = match op {
            BinaryOp::And => Some(Op::JumpIfFalse { to: 0 }),
            BinaryOp::Or => Some(Op::JumpIfTrue { to: 0 }),
            BinaryOp::Coalesce if matches!(r.kind, ExprKind::Skip) => {
                return self.emit(code, Op::SkipIfEmpty, span);
            }
            BinaryOp::Coalesce => Some(Op::Coalesce { to: 0 }),
            _ => None,
        };
        if let Some(jump) = jump {
            let at = code.ops.len();
            self.emit(code, jump, span);
            self.expr(code, r);
            let to = code.ops.len() as u32;
            code.ops[at] = match jump {
                Op::JumpIfFalse { .. } => Op::JumpIfFalse { to },
                Op::JumpIfTrue { .. } => Op::JumpIfTrue { to },
                _ => Op::Coalesce { to },
            };
            return;
        }
        self.expr(code, r);
        if super::constant::overflows(op, l, r) {
            self.constant_overflow(span);
        }
        let op = match op {
            BinaryOp::Eq => Op::Eq,
            BinaryOp::Ne => Op::Ne,
            BinaryOp::Lt => Op::Lt,
            BinaryOp::Le => Op::Le,
            BinaryOp::Gt => Op::Gt,
            BinaryOp::Ge => Op::Ge,
            BinaryOp::Add => Op::Add,
            BinaryOp::Sub => Op::Sub,
            BinaryOp::Mul => Op::Mul,
            _ => Op::Div,
        };
        self.emit(code, op, span);
        fuse_field_compare(code);
    }

    /// Code that gives the record a path names (`account.champion`), from the subject.
    pub(super) fn path_code(&mut self, path: &Path) -> Code {
        let mut code = Code { source: self.text(path.span), ..Code::default() };
        let Some((first, rest)) = path.segments.split_first() else { return code };
        let mut ty = match self.name_meaning(&first.name) {
            Some(Name::TestRecord(record)) => {
                self.push_const(&mut code, Const::Ref { record, id: first.name.clone() }, first.span);
                Some(record)
            }
            _ => {
                self.emit(&mut code, Op::Subject, first.span);
                self.subject
            }
        };
        for f in rest {
            let Some(r) = ty else { break };
            let slot = self.model.records[r].fields.iter().position(|x| x.name == f.name).unwrap_or(0);
            self.emit(&mut code, Op::Field { record: r as u32, slot: slot as u32 }, f.span);
            ty = match self.model.records[r].fields.get(slot).map(|x| x.ty.required().clone()) {
                Some(Ty::Record(next)) => Some(next),
                _ => None,
            };
        }
        code
    }
}

/// A datetime literal: with an offset it is a moment; without one, a local time.
fn datetime(text: &str) -> Option<Const> {
    let d = crate::dates::parse_datetime(text, crate::dates::Form::Literal)?;
    Some(match d.timestamp() {
        Some(t) => Const::DateTime(t),
        None => Const::LocalDateTime(d.local),
    })
}

impl Lowerer<'_, '_> {
    /// The pool constant an `at` literal of a test sets the clock to.
    pub(super) fn moment(&mut self, e: &Expr) -> Const {
        let c = match &e.kind {
            ExprKind::DateTime(d) => datetime(&d.text),
            ExprKind::Date(d) => d.date.and_hms_opt(0, 0, 0).map(Const::LocalDateTime),
            _ => None,
        };
        c.unwrap_or_else(|| {
            self.unlowerable(e.span, "date and time");
            Const::DateTime(0)
        })
    }

    /// A calculation on constants alone that would overflow every time it ran.
    fn constant_overflow(&mut self, span: Span) {
        let text = self.text(span);
        let message = format!("`{}` overflows: the result is out of range", crate::diagnostic::clip(&text));
        let d = crate::Diagnostic::error(crate::diagnostic::codes::INVALID_LITERAL, message, span, "out of range")
            .with_help(
                "whole numbers fit in 64 bits, and durations, dates and moments stay within the years 0001 to 9999",
            );
        self.refuse(d);
    }

    /// A literal the syntax stage let through but lowering cannot read: refused, so no
    /// program is built with a made-up value.
    fn unlowerable(&mut self, span: Span, what: &str) {
        let text = self.text(span);
        let message = format!("`{}` cannot be read as a {what}", crate::diagnostic::clip(&text));
        self.refuse(crate::Diagnostic::error(crate::diagnostic::codes::INVALID_LITERAL, message, span, "not readable"));
    }
}

/// `subject_field; const; <comparison>` just emitted becomes one `field_compare`, which
/// keeps the comparison's span (the only one of the three that can fail). No jump can
/// land inside the three: the two operands are single instructions, and jumps over them
/// are patched after the whole comparison is emitted.
fn fuse_field_compare(code: &mut Code) {
    let n = code.ops.len();
    let [.., Op::SubjectField { slot }, Op::Const { index }, last] = code.ops[..] else { return };
    let Some(cmp) = Cmp::of(last) else { return };
    let span = code.spans[n - 1];
    code.ops.truncate(n - 3);
    code.spans.truncate(n - 3);
    code.ops.push(Op::FieldCompare { slot, index, cmp });
    code.spans.push(span);
}
