//! Calculations on constants alone (`52560000m * 100000`, `9_223_372_036_854_775_807 + 1`)
//! are worked out at compile time only to see whether they stay in range: one that would
//! overflow at run time on every evaluation is refused here (`E0106`) instead.

use crate::program::{MAX_BUSINESS_DAYS, MAX_MOMENT, MIN_MOMENT};
use crate::syntax::ast::{BinaryOp, Expr, ExprKind, NumberValue, UnaryOp};

/// A constant's value, as far as range checking needs it.
#[derive(Clone, Copy, Debug)]
enum Value {
    Int(i64),
    Number(f64),
    /// Seconds and business days.
    Duration(i64, i64),
}

/// Whether `l op r` is a calculation on constants whose result leaves its type's range.
pub(super) fn overflows(op: BinaryOp, l: &Expr, r: &Expr) -> bool {
    match (value(l), value(r)) {
        (Some(a), Some(b)) => calculate(op, a, b).is_none(),
        _ => false,
    }
}

/// Whether `-inner` is a negation of a constant whose result leaves its type's range.
pub(super) fn negation_overflows(inner: &Expr) -> bool {
    matches!(value(inner), Some(Value::Int(i64::MIN)))
}

/// The value of a constant expression, `None` when it is not one or already overflows
/// (that inner calculation is reported on its own).
fn value(e: &Expr) -> Option<Value> {
    match &e.kind {
        ExprKind::Number(text) | ExprKind::Percent(text) => {
            match NumberValue::of(text, matches!(e.kind, ExprKind::Percent(_)))? {
                NumberValue::Int(i) => Some(Value::Int(i)),
                NumberValue::Number(f) => Some(Value::Number(f)),
            }
        }
        ExprKind::Duration(d) => {
            let d = super::duration(d);
            Some(Value::Duration(d.seconds, d.business_days))
        }
        ExprKind::Paren(inner) => value(inner),
        ExprKind::Unary(UnaryOp::Neg, inner) => match value(inner)? {
            Value::Int(i) => i.checked_neg().map(Value::Int),
            Value::Number(f) => Some(Value::Number(-f)),
            Value::Duration(s, b) => Some(Value::Duration(-s, -b)),
        },
        ExprKind::Binary(op, l, r) => calculate(*op, value(l)?, value(r)?),
        _ => None,
    }
}

fn calculate(op: BinaryOp, a: Value, b: Value) -> Option<Value> {
    use Value::*;
    let number = |v: Value| match v {
        Int(i) => Some(i as f64),
        Number(f) => Some(f),
        Duration(..) => None,
    };
    match (op, a, b) {
        (BinaryOp::Add, Int(x), Int(y)) => x.checked_add(y).map(Int),
        (BinaryOp::Sub, Int(x), Int(y)) => x.checked_sub(y).map(Int),
        (BinaryOp::Mul, Int(x), Int(y)) => x.checked_mul(y).map(Int),
        (
            BinaryOp::Add | BinaryOp::Sub | BinaryOp::Mul | BinaryOp::Div,
            x @ (Int(_) | Number(_)),
            y @ (Int(_) | Number(_)),
        ) => {
            let (x, y) = (number(x)?, number(y)?);
            let n = match op {
                BinaryOp::Add => x + y,
                BinaryOp::Sub => x - y,
                BinaryOp::Mul => x * y,
                // Division by zero is a run-time fault with its place, as any other.
                _ if y == 0.0 => return Some(Number(0.0)),
                _ => x / y,
            };
            n.is_finite().then_some(Number(n))
        }
        (BinaryOp::Add | BinaryOp::Sub, Duration(s1, b1), Duration(s2, b2)) => {
            let sign = if op == BinaryOp::Sub { -1 } else { 1 };
            duration(s1.checked_add(sign * s2)? as f64, b1.checked_add(sign * b2)? as f64)
        }
        (BinaryOp::Mul, Duration(s, b), k) | (BinaryOp::Mul, k, Duration(s, b)) => {
            let k = number(k)?;
            duration(s as f64 * k, b as f64 * k)
        }
        (BinaryOp::Div, Duration(s, b), k) => match number(k)? {
            0.0 => Some(Duration(0, 0)),
            k => duration(s as f64 / k, b as f64 / k),
        },
        // Anything else is not a calculation on constants the checker lets through.
        _ => Some(Int(0)),
    }
}

/// A duration, if it is no longer than the years Play counts.
fn duration(seconds: f64, business_days: f64) -> Option<Value> {
    let fits = seconds.is_finite()
        && seconds.abs() <= (MAX_MOMENT - MIN_MOMENT) as f64
        && business_days.is_finite()
        && business_days.abs() <= MAX_BUSINESS_DAYS as f64;
    fits.then_some(Value::Duration(seconds as i64, business_days as i64))
}
