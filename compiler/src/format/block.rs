//! Brace-delimited parts shared by many constructs: a block of members one per line, and
//! a `{ name: value, … }` list that stays on one line when it can.

use super::expr::expr;
use super::printer::Printer;
use crate::syntax::ast::FieldValue;

/// After a header that is already written: ` {`, the members (each printed by `member`),
/// and `}`; or ` {}` when there is nothing inside. `brace` is the source position of the
/// `{` and `end` the end of the node the `}` closes. The caller ends the line.
pub fn members<T>(
    p: &mut Printer,
    brace: Option<usize>,
    end: usize,
    items: &[T],
    mut member: impl FnMut(&mut Printer, &T),
) {
    let close = p.close_of(end);
    if items.is_empty() && !p.has_comment_before(close) {
        p.write(" {}");
        return;
    }
    p.write(" {");
    p.open(brace.unwrap_or(close));
    for item in items {
        member(p, item);
    }
    p.close(close);
}

/// Writes `header` and a field-value list as the rest of the current member: on one line
/// (`header { a: 1, b: 2 }`) when it fits and holds no comment, else one `name: value,` per
/// line. `brace` is where the list's `{` is in the source (`None` when it was left out),
/// `end` where the list ends, and `empty` what an empty list prints as (` {}`, or nothing
/// where braces are optional). The caller ends the line.
pub fn field_values(
    p: &mut Printer,
    header: &str,
    fields: &[FieldValue],
    brace: Option<usize>,
    end: usize,
    empty: &str,
) {
    let Some(brace) = brace else {
        p.write(header);
        p.write(empty);
        return;
    };
    let close = p.close_of(end);
    let inner = p.indent() + 1;
    let values: Vec<String> = fields.iter().map(|f| format!("{}: {}", f.name.name, expr(&f.value, inner))).collect();
    if !p.has_comment_before(close) {
        if fields.is_empty() {
            p.write(header);
            p.write(empty);
            return;
        }
        let line = format!("{header} {{ {} }}", values.join(", "));
        if p.fits(&line) {
            p.write(&line);
            return;
        }
    }
    p.write(header);
    p.write(" {");
    p.open(brace);
    for (field, value) in fields.iter().zip(&values) {
        let field_end = p.end_of(field.span);
        p.begin(field.span.start, field_end, None);
        p.write(value);
        p.write(",");
        p.end_line(field_end);
    }
    p.close(close);
}

#[cfg(test)]
mod tests {
    use crate::format::format_source;

    fn fmt(src: &str) -> String {
        format_source(src).unwrap_or_else(|d| panic!("{src}: {d:?}"))
    }

    #[test]
    fn short_field_lists_stay_on_one_line() {
        let src = "test \"t\" {\n  update acme {\n    health: 41,\n    tier: Smb\n  }\n}\n";
        assert_eq!(fmt(src), "test \"t\" {\n  update acme { health: 41, tier: Smb }\n}\n");
    }

    #[test]
    fn long_field_lists_take_one_line_per_field_with_trailing_commas() {
        let src = "test \"t\" { given Account acme { name: \"Acme Corporation International\", tier: Enterprise, arr: 250_000, owner: \"jo@example.com\" } }";
        let want = "test \"t\" {\n  given Account acme {\n    name: \"Acme Corporation International\",\n    tier: Enterprise,\n    arr: 250_000,\n    owner: \"jo@example.com\",\n  }\n}\n";
        assert_eq!(fmt(src), want);
    }

    #[test]
    fn a_comment_inside_a_field_list_breaks_it_into_lines() {
        let src = "test \"t\" {\n  update acme { health: 41, // dropped\n tier: Smb }\n}\n";
        let want = "test \"t\" {\n  update acme {\n    health: 41,  // dropped\n    tier: Smb,\n  }\n}\n";
        assert_eq!(fmt(src), want);
    }

    #[test]
    fn empty_blocks_print_as_empty_braces_unless_they_hold_comments() {
        assert_eq!(fmt("record A {\n\n}"), "record A {}\n");
        assert_eq!(fmt("record A { // none yet\n}"), "record A {  // none yet\n}\n");
        assert_eq!(fmt("record A {\n  // none yet\n}"), "record A {\n  // none yet\n}\n");
    }
}
