//! Expressions and literals of the syntax tree.

use super::ast::Ident;
use super::span::Span;

#[derive(Clone, Debug, PartialEq)]
pub struct Expr {
    pub kind: ExprKind,
    pub span: Span,
}

impl Expr {
    pub fn new(kind: ExprKind, span: Span) -> Self {
        Expr { kind, span }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum UnaryOp {
    Not,
    Neg,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BinaryOp {
    Or,
    And,
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
    /// `??`
    Coalesce,
    Add,
    Sub,
    Mul,
    Div,
}

impl BinaryOp {
    pub fn symbol(self) -> &'static str {
        match self {
            BinaryOp::Or => "or",
            BinaryOp::And => "and",
            BinaryOp::Eq => "==",
            BinaryOp::Ne => "!=",
            BinaryOp::Lt => "<",
            BinaryOp::Le => "<=",
            BinaryOp::Gt => ">",
            BinaryOp::Ge => ">=",
            BinaryOp::Coalesce => "??",
            BinaryOp::Add => "+",
            BinaryOp::Sub => "-",
            BinaryOp::Mul => "*",
            BinaryOp::Div => "/",
        }
    }
}

/// A call argument, optionally named (`within: 7d`), with the filter a history function's
/// event may have (`TicketOpened where event.severity == High`).
#[derive(Clone, Debug, PartialEq)]
pub struct Arg {
    pub name: Option<Ident>,
    pub value: Expr,
    pub filter: Option<Box<Expr>>,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub enum ExprKind {
    Bool(bool),
    /// A number as written (`200_000`, `0.25`).
    Number(String),
    /// A percent as written, without `%` (`40` for `40%`).
    Percent(String),
    Duration(DurationLit),
    Date(DateLit),
    DateTime(DateTimeLit),
    Time(TimeLit),
    Text(TextLit),
    /// A bare name: the subject, a signal, a segment, an enum variant, `timed_out`, …
    Name(Ident),
    /// `expr.field`
    Field(Box<Expr>, Ident),
    /// `name(args)`
    Call(Ident, Vec<Arg>),
    List(Vec<Expr>),
    Paren(Box<Expr>),
    Unary(UnaryOp, Box<Expr>),
    Binary(BinaryOp, Box<Expr>, Box<Expr>),
    /// `x in [A, B]` (or `not in` when negated)
    In {
        negated: bool,
        value: Box<Expr>,
        list: Vec<Expr>,
        list_span: Span,
    },
    /// `skip`, only meaningful as `x ?? skip` in an action's argument.
    Skip,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum DurationUnit {
    Minutes,
    Hours,
    Days,
    Weeks,
    BusinessDays,
}

impl DurationUnit {
    pub fn suffix(self) -> &'static str {
        match self {
            DurationUnit::Minutes => "m",
            DurationUnit::Hours => "h",
            DurationUnit::Days => "d",
            DurationUnit::Weeks => "w",
            DurationUnit::BusinessDays => "bd",
        }
    }
}

/// `3d`, `2bd`, `30m`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct DurationLit {
    pub amount: u64,
    pub unit: DurationUnit,
    pub span: Span,
}

/// The value of a number literal as written: whole numbers without a `.` are `Int`s of 64
/// bits, others finite `Number`s. `None` when it does not fit (the compiler refuses it).
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum NumberValue {
    Int(i64),
    Number(f64),
}

impl NumberValue {
    /// Reads a number (`200_000`, `0.25`) or, with `percent`, a percent without its `%`
    /// (`40` is `0.4`).
    pub fn of(text: &str, percent: bool) -> Option<NumberValue> {
        let digits: String = text.chars().filter(|c| *c != '_').collect();
        if !percent && !digits.contains('.') {
            return digits.parse::<i64>().ok().map(NumberValue::Int);
        }
        let f = digits.parse::<f64>().ok().filter(|f| f.is_finite())?;
        Some(NumberValue::Number(if percent { f / 100.0 } else { f }))
    }
}

/// `2026-03-12`
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct DateLit {
    pub date: chrono::NaiveDate,
    pub span: Span,
}

/// `2026-03-12T09:00:00Z`; the text is kept as written for the formatter.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DateTimeLit {
    pub text: String,
    pub span: Span,
}

/// `09:00`
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TimeLit {
    pub hour: u8,
    pub minute: u8,
    pub span: Span,
}

/// Text: literal pieces and `{…}` interpolations, escapes already resolved and, for
/// `"""` text, the common indent already removed.
#[derive(Clone, Debug, PartialEq)]
pub struct TextLit {
    pub parts: Vec<TextPart>,
    /// Written as `"""…"""`.
    pub long: bool,
    pub span: Span,
}

impl TextLit {
    /// The text when it has no interpolation.
    pub fn as_plain(&self) -> Option<String> {
        let mut out = String::new();
        for part in &self.parts {
            match part {
                TextPart::Lit(s) => out.push_str(s),
                TextPart::Interp(_) => return None,
            }
        }
        Some(out)
    }
}

#[derive(Clone, Debug, PartialEq)]
pub enum TextPart {
    Lit(String),
    Interp(Expr),
}
