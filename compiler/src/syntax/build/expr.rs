//! Expressions and literals. The grammar has one rule per precedence level; each level
//! folds its operands left to right.
//!
//! Every later pass walks expressions recursively, so the tree's depth is capped here:
//! before building the operands of a chain (`a + b + …`, `not not …`, `a.b.c…`) its
//! length is added to `expr_level`, and nothing is built past [`MAX_EXPR_DEPTH`].

use super::{kids, Builder, P};
use crate::diagnostic::codes;
use crate::syntax::ast::*;
use crate::syntax::grammar::Rule;

/// The deepest expression tree the parser builds. Real conditions stay under twenty.
pub const MAX_EXPR_DEPTH: usize = 200;

impl Builder<'_> {
    pub fn expr(&mut self, p: P<'_>) -> Option<Expr> {
        // Chains add their length before their operands are built (see the module doc).
        // Only rules that make tree nodes count; single-operand levels add nothing.
        let chain = match p.as_rule() {
            Rule::disjunction
            | Rule::conjunction
            | Rule::sum
            | Rule::product
            | Rule::coalesce
            | Rule::negation
            | Rule::unary
            | Rule::postfix => p.clone().into_inner().count().saturating_sub(1),
            Rule::paren | Rule::list | Rule::call | Rule::comparison | Rule::text => 1,
            _ => 0,
        };
        self.expr_level += chain;
        let result = if self.expr_level > MAX_EXPR_DEPTH {
            if !self.reported_deep {
                self.reported_deep = true;
                let span = self.span(&p);
                self.diags.push(
                    crate::Diagnostic::error(
                        codes::TOO_DEEP,
                        "this expression is nested too deeply",
                        Span::new(span.start, span.start + 1),
                        "too deep",
                    )
                    .with_help(format!(
                        "play accepts expressions up to {MAX_EXPR_DEPTH} levels deep; split it into signals"
                    )),
                );
            }
            None
        } else {
            self.expr_inner(p)
        };
        self.expr_level -= chain;
        result
    }

    fn expr_inner(&mut self, p: P<'_>) -> Option<Expr> {
        let span = self.span(&p);
        match p.as_rule() {
            Rule::expr | Rule::target => self.expr(kids(p).next()?),
            Rule::disjunction | Rule::conjunction | Rule::sum | Rule::product | Rule::coalesce => self.fold(p),
            Rule::negation => {
                let parts: Vec<_> = kids(p).collect();
                let (nots, rest) = parts.split_at(parts.len().saturating_sub(1));
                let mut e = self.expr(rest.first()?.clone())?;
                for not in nots.iter().rev() {
                    let s = self.span(not).to(e.span);
                    e = Expr::new(ExprKind::Unary(UnaryOp::Not, Box::new(e)), s);
                }
                Some(e)
            }
            Rule::unary => {
                let parts: Vec<_> = kids(p).collect();
                let (negs, rest) = parts.split_at(parts.len().saturating_sub(1));
                let mut e = self.expr(rest.first()?.clone())?;
                for neg in negs.iter().rev() {
                    let s = self.span(neg).to(e.span);
                    e = Expr::new(ExprKind::Unary(UnaryOp::Neg, Box::new(e)), s);
                }
                Some(e)
            }
            Rule::comparison => self.comparison(p),
            Rule::postfix => {
                let mut it = kids(p);
                let mut e = self.expr(it.next()?)?;
                for field in it {
                    let f = self.ident(&field);
                    let s = e.span.to(f.span);
                    e = Expr::new(ExprKind::Field(Box::new(e), f), s);
                }
                Some(e)
            }
            Rule::paren => Some(Expr::new(ExprKind::Paren(Box::new(self.expr(kids(p).next()?)?)), span)),
            Rule::list => Some(Expr::new(ExprKind::List(self.list(p)?), span)),
            Rule::call => {
                let mut it = kids(p);
                let name = self.ident(&it.next()?);
                let mut args = Vec::new();
                for a in it {
                    let aspan = self.span(&a);
                    let mut parts: Vec<_> = kids(a).collect();
                    let filter = match parts.last() {
                        Some(f) if f.as_rule() == Rule::arg_filter => {
                            let f = parts.pop()?;
                            let e = kids(f).find(|k| k.as_rule() == Rule::expr)?;
                            Some(Box::new(self.expr(e)?))
                        }
                        _ => None,
                    };
                    let (name, value) = match parts.as_slice() {
                        [n, v] => (Some(self.ident(n)), v.clone()),
                        [v] => (None, v.clone()),
                        _ => return None,
                    };
                    args.push(Arg { name, value: self.expr(value)?, filter, span: aspan });
                }
                Some(Expr::new(ExprKind::Call(name, args), span))
            }
            Rule::ident => Some(Expr::new(ExprKind::Name(self.ident(&p)), span)),
            Rule::skip => Some(Expr::new(ExprKind::Skip, span)),
            _ => Some(Expr::new(self.literal(p)?, span)),
        }
    }

    /// A level of left-associative binary operators.
    fn fold(&mut self, p: P<'_>) -> Option<Expr> {
        let rule = p.as_rule();
        let mut it = kids(p);
        let mut acc = self.expr(it.next()?)?;
        let mut pending: Option<BinaryOp> = match rule {
            Rule::disjunction => Some(BinaryOp::Or),
            Rule::conjunction => Some(BinaryOp::And),
            Rule::coalesce => Some(BinaryOp::Coalesce),
            _ => None,
        };
        for c in it {
            let op = match c.as_rule() {
                Rule::kw_or => Some(BinaryOp::Or),
                Rule::kw_and => Some(BinaryOp::And),
                Rule::sum_op if c.as_str() == "+" => Some(BinaryOp::Add),
                Rule::sum_op => Some(BinaryOp::Sub),
                Rule::product_op if c.as_str() == "*" => Some(BinaryOp::Mul),
                Rule::product_op => Some(BinaryOp::Div),
                _ => None,
            };
            if let Some(op) = op {
                pending = Some(op);
                continue;
            }
            let rhs = self.expr(c)?;
            let span = acc.span.to(rhs.span);
            acc = Expr::new(ExprKind::Binary(pending?, Box::new(acc), Box::new(rhs)), span);
        }
        Some(acc)
    }

    fn comparison(&mut self, p: P<'_>) -> Option<Expr> {
        let span = self.span(&p);
        let mut it = kids(p);
        let lhs = self.expr(it.next()?)?;
        let Some(op) = it.next() else { return Some(lhs) };
        let rhs = it.next()?;
        let kind = match op.as_rule() {
            Rule::cmp_op => {
                let op = match op.as_str() {
                    "==" => BinaryOp::Eq,
                    "!=" => BinaryOp::Ne,
                    "<=" => BinaryOp::Le,
                    ">=" => BinaryOp::Ge,
                    "<" => BinaryOp::Lt,
                    _ => BinaryOp::Gt,
                };
                ExprKind::Binary(op, Box::new(lhs), Box::new(self.expr(rhs)?))
            }
            negated => {
                let list_span = self.span(&rhs);
                ExprKind::In {
                    negated: negated == Rule::not_in,
                    value: Box::new(lhs),
                    list: self.list(rhs)?,
                    list_span,
                }
            }
        };
        Some(Expr::new(kind, span))
    }

    fn list(&mut self, p: P<'_>) -> Option<Vec<Expr>> {
        kids(p).map(|c| self.expr(c)).collect()
    }

    pub fn literal(&mut self, p: P<'_>) -> Option<ExprKind> {
        let text = p.as_str();
        Some(match p.as_rule() {
            Rule::boolean => ExprKind::Bool(text == "true"),
            Rule::number => ExprKind::Number(self.number(&p, text, false)),
            Rule::percent => ExprKind::Percent(self.number(&p, text.trim_end_matches('%'), true)),
            Rule::duration => ExprKind::Duration(self.duration(&p)),
            Rule::date => ExprKind::Date(self.date(&p)),
            Rule::datetime => ExprKind::DateTime(self.datetime(&p)),
            Rule::time => ExprKind::Time(self.time(&p)?),
            Rule::text => ExprKind::Text(self.text(p)),
            _ => return None,
        })
    }

    /// A number or percent as written; one that does not fit is reported.
    fn number(&mut self, p: &P<'_>, text: &str, percent: bool) -> String {
        if crate::syntax::ast::NumberValue::of(text, percent).is_none() {
            let span = self.span(p);
            let shown = crate::diagnostic::clip(p.as_str());
            let help = "whole numbers run to 9_223_372_036_854_775_807; other numbers must be finite";
            self.invalid(span, &format!("the number `{shown}` is too large"), "too large", help);
        }
        text.to_string()
    }

    /// A whole number; too large for 64 bits is reported and read as zero.
    pub fn integer(&mut self, p: &P<'_>) -> u64 {
        let digits: String = p.as_str().chars().filter(|c| c.is_ascii_digit()).collect();
        digits.parse().unwrap_or_else(|_| {
            let span = self.span(p);
            self.error(codes::INVALID_LITERAL, format!("`{}` is too large", p.as_str()), span, "too large");
            0
        })
    }

    pub fn duration(&mut self, p: &P<'_>) -> DurationLit {
        let text = p.as_str();
        let split = text.find(|c: char| c.is_ascii_alphabetic()).unwrap_or(text.len());
        let unit = match &text[split..] {
            "m" => DurationUnit::Minutes,
            "h" => DurationUnit::Hours,
            "w" => DurationUnit::Weeks,
            "bd" => DurationUnit::BusinessDays,
            _ => DurationUnit::Days,
        };
        let span = self.span(p);
        let digits: String = text[..split].chars().filter(|c| c.is_ascii_digit()).collect();
        let minutes_per_unit = match unit {
            DurationUnit::Minutes => 1,
            DurationUnit::Hours => 60,
            DurationUnit::Days | DurationUnit::BusinessDays => 24 * 60,
            DurationUnit::Weeks => 7 * 24 * 60,
        };
        // A century is far beyond any real wait and keeps date arithmetic in range.
        let amount = digits.parse::<u64>().ok().filter(|&n| n.saturating_mul(minutes_per_unit) <= 36_500 * 24 * 60);
        let amount = amount.unwrap_or_else(|| {
            self.error(codes::INVALID_LITERAL, format!("the duration `{text}` is too long"), span, "too long");
            0
        });
        DurationLit { amount, unit, span }
    }

    fn date(&mut self, p: &P<'_>) -> DateLit {
        let span = self.span(p);
        let date = crate::dates::parse_date(p.as_str()).unwrap_or_else(|| {
            self.invalid(
                span,
                &format!("`{}` is not a date", p.as_str()),
                "no such day",
                "dates are written `YYYY-MM-DD`, e.g. `2026-03-12`",
            );
            chrono::NaiveDate::default()
        });
        DateLit { date, span }
    }

    fn datetime(&mut self, p: &P<'_>) -> DateTimeLit {
        let span = self.span(p);
        let text = p.as_str();
        if crate::dates::parse_datetime(text, crate::dates::Form::Literal).is_none() {
            let help = "date-times are written `YYYY-MM-DDTHH:MM:SSZ`, e.g. `2026-03-02T09:00:00Z`";
            self.invalid(span, &format!("`{text}` is not a date and time"), "no such moment", help);
        }
        DateTimeLit { text: text.to_string(), span }
    }

    pub fn time(&mut self, p: &P<'_>) -> Option<TimeLit> {
        let span = self.span(p);
        let text = p.as_str();
        let hour: u8 = text.get(..2)?.parse().ok()?;
        let minute: u8 = text.get(3..5)?.parse().ok()?;
        if hour > 23 || minute > 59 {
            self.invalid(
                span,
                &format!("`{text}` is not a time of day"),
                "no such time",
                "times run from `00:00` to `23:59`",
            );
        }
        Some(TimeLit { hour: hour.min(23), minute: minute.min(59), span })
    }

    fn invalid(&mut self, span: Span, message: &str, label: &str, help: &str) {
        self.diags.push(crate::Diagnostic::error(codes::INVALID_LITERAL, message, span, label).with_help(help));
    }
}
