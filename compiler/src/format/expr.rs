//! Expressions, literals, paths and types, printed on one line as the tree says:
//! parentheses are kept where they were written and never added.

use super::text::text;
use crate::syntax::ast::*;

/// Prints an expression; `indent` is the indent level of the member that holds it (long
/// text inside goes one level deeper).
pub fn expr(e: &Expr, indent: usize) -> String {
    let mut out = String::new();
    write_expr(&mut out, e, indent);
    out
}

/// What is left to write: a node, or a piece of text between nodes.
enum Job<'e> {
    Expr(&'e Expr),
    Text(&'e str),
}

/// Works through an explicit stack rather than by recursion, so that a long chain
/// (`not not … x`, `a + b + …`, `a.b.c…`) cannot exhaust the stack. Only text
/// interpolations recurse, and the parser limits how deeply they nest.
fn write_expr(out: &mut String, e: &Expr, indent: usize) {
    let mut jobs = vec![Job::Expr(e)];
    while let Some(job) = jobs.pop() {
        let e = match job {
            Job::Text(s) => {
                out.push_str(s);
                continue;
            }
            Job::Expr(e) => e,
        };
        // Children are pushed last first, so that they come off the stack in order.
        match &e.kind {
            ExprKind::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
            ExprKind::Number(n) => out.push_str(n),
            ExprKind::Percent(n) => {
                out.push_str(n);
                out.push('%');
            }
            ExprKind::Duration(d) => out.push_str(&duration(d)),
            ExprKind::Date(d) => out.push_str(&date(d)),
            ExprKind::DateTime(d) => out.push_str(&d.text),
            ExprKind::Time(t) => out.push_str(&time(t)),
            ExprKind::Text(t) => out.push_str(&text(t, indent)),
            ExprKind::Name(name) => out.push_str(&name.name),
            ExprKind::Skip => out.push_str("skip"),
            ExprKind::Field(base, field) => {
                jobs.push(Job::Text(&field.name));
                jobs.push(Job::Text("."));
                jobs.push(Job::Expr(base));
            }
            ExprKind::Call(name, args) => {
                out.push_str(&name.name);
                out.push('(');
                jobs.push(Job::Text(")"));
                for (i, arg) in args.iter().enumerate().rev() {
                    if let Some(filter) = &arg.filter {
                        jobs.push(Job::Expr(filter));
                        jobs.push(Job::Text(" where "));
                    }
                    jobs.push(Job::Expr(&arg.value));
                    if let Some(name) = &arg.name {
                        jobs.push(Job::Text(": "));
                        jobs.push(Job::Text(&name.name));
                    }
                    if i > 0 {
                        jobs.push(Job::Text(", "));
                    }
                }
            }
            ExprKind::List(items) => push_list(&mut jobs, items),
            ExprKind::Paren(inner) => {
                out.push('(');
                jobs.push(Job::Text(")"));
                jobs.push(Job::Expr(inner));
            }
            ExprKind::Unary(op, operand) => {
                out.push_str(match op {
                    UnaryOp::Not => "not ",
                    UnaryOp::Neg => "-",
                });
                jobs.push(Job::Expr(operand));
            }
            ExprKind::Binary(op, lhs, rhs) => {
                jobs.push(Job::Expr(rhs));
                jobs.push(Job::Text(" "));
                jobs.push(Job::Text(op.symbol()));
                jobs.push(Job::Text(" "));
                jobs.push(Job::Expr(lhs));
            }
            ExprKind::In { negated, value, list, .. } => {
                push_list(&mut jobs, list);
                jobs.push(Job::Text(if *negated { " not in " } else { " in " }));
                jobs.push(Job::Expr(value));
            }
        }
    }
}

/// `[a, b]`, onto the stack.
fn push_list<'e>(jobs: &mut Vec<Job<'e>>, items: &'e [Expr]) {
    jobs.push(Job::Text("]"));
    for (i, item) in items.iter().enumerate().rev() {
        jobs.push(Job::Expr(item));
        if i > 0 {
            jobs.push(Job::Text(", "));
        }
    }
    jobs.push(Job::Text("["));
}

pub fn duration(d: &DurationLit) -> String {
    format!("{}{}", d.amount, d.unit.suffix())
}

fn date(d: &DateLit) -> String {
    use chrono::Datelike;
    format!("{:04}-{:02}-{:02}", d.date.year(), d.date.month(), d.date.day())
}

pub fn time(t: &TimeLit) -> String {
    format!("{:02}:{:02}", t.hour, t.minute)
}

pub fn path(p: &Path) -> String {
    let names: Vec<&str> = p.segments.iter().map(|s| s.name.as_str()).collect();
    names.join(".")
}

/// `Text`, `Text?`, `List<Text>`, `Map<Text, Number>`.
pub fn type_expr(t: &TypeExpr) -> String {
    let mut out = t.name.name.clone();
    if !t.args.is_empty() {
        let args: Vec<String> = t.args.iter().map(type_expr).collect();
        out.push('<');
        out.push_str(&args.join(", "));
        out.push('>');
    }
    if t.optional {
        out.push('?');
    }
    out
}

#[cfg(test)]
mod tests {
    use crate::format::format_source;

    /// Formats `segment s for a: A = <src>` and returns the printed expression.
    fn fmt(src: &str) -> String {
        let file = format!("segment s for a: A = {src}\n");
        let out = format_source(&file).unwrap_or_else(|d| panic!("{src}: {d:?}"));
        out.trim_end().trim_start_matches("segment s for a: A = ").to_string()
    }

    #[test]
    fn operators_get_single_spaces_and_parentheses_stay() {
        assert_eq!(fmt("a+b*(c-d)"), "a + b * (c - d)");
        assert_eq!(fmt("not  a==b   and x??skip"), "not a == b and x ?? skip");
        assert_eq!(fmt("((a))"), "((a))");
    }

    #[test]
    fn calls_lists_and_membership_are_spaced_after_commas() {
        assert_eq!(fmt("did( Login ,within:7d )"), "did(Login, within: 7d)");
        assert_eq!(fmt("a.tier not   in [ Smb,MidMarket ]"), "a.tier not in [Smb, MidMarket]");
        assert_eq!(fmt("x in []"), "x in []");
    }

    #[test]
    fn literals_print_as_written_or_in_canonical_form() {
        assert_eq!(fmt("-40% <= 200_000 + 0.25"), "-40% <= 200_000 + 0.25");
        assert_eq!(fmt("2026-03-12 + 1_0d + 2bd"), "2026-03-12 + 10d + 2bd");
        assert_eq!(fmt("2026-03-12T09:00:00Z == true"), "2026-03-12T09:00:00Z == true");
        assert_eq!(fmt("--x"), "--x");
    }

    #[test]
    fn long_chains_print_without_deep_recursion() {
        use crate::syntax::ast::*;
        let name =
            |n: &str| Expr::new(ExprKind::Name(Ident { name: n.into(), span: Span::default() }), Span::default());
        let mut e = name("x");
        for _ in 0..100_000 {
            e = Expr::new(ExprKind::Binary(BinaryOp::Add, Box::new(e), Box::new(name("y"))), Span::default());
            e = Expr::new(ExprKind::Unary(UnaryOp::Not, Box::new(e)), Span::default());
        }
        let printed = super::expr(&e, 0);
        // Dropping the tree recurses (the derived drop), so leak it instead.
        std::mem::forget(e);
        assert!(printed.starts_with("not not not"));
        assert!(printed.contains(" not x + y + y") && printed.ends_with(" + y + y"));
        assert_eq!(printed.len(), 100_000 * "not  + y".len() + 1);
    }
}
