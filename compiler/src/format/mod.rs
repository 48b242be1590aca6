//! The canonical formatter: one layout for every `.play` file, decided by the syntax tree,
//! the comments, and where the source had blank lines; nothing else about the source's
//! layout survives.
//!
//! The layout, in short: two-space indent; one blank line between items; one member
//! (field, clause, action, statement, …) per line inside blocks, with a blank line kept
//! (at most one) where the source had one between members; `{}` for an empty block;
//! enums and `{ name: value }` lists on one line when they fit in [`MAX_WIDTH`] columns
//! and hold no comment (and, for enums, no doc comment); expressions on one line exactly
//! as the tree says. Every comment is put back, in source order (`printer.rs` says where).
//!
//! Formatting keeps meaning: parsing the output gives a tree equal to the input's
//! (spans aside), with the same comments in the same order, and formatting the output
//! again changes nothing. Comments are printed exactly as written.

mod block;
mod expr;
mod items;
mod playbook;
mod printer;
mod test_item;
mod text;

pub use printer::MAX_WIDTH;

use crate::syntax::ast::SourceFile;
use crate::Diagnostic;
use printer::Printer;

/// Formats a whole file. Refuses (returns the parse diagnostics) when the file has syntax
/// errors.
pub fn format_source(source: &str) -> Result<String, Vec<Diagnostic>> {
    let parse = crate::syntax::parse(source);
    if parse.has_errors() {
        return Err(parse.diagnostics);
    }
    Ok(format_file(&parse.file, source))
}

/// Formats a parsed file whose parse had no errors; `source` is the text it was parsed
/// from (used for comments and blank lines). Error nodes are not printed, so a file with
/// errors loses the text they cover: use [`format_source`] unless the parse is known clean.
pub fn format_file(file: &SourceFile, source: &str) -> String {
    let mut p = Printer::new(source, &file.comments);
    items::file(&mut p, file);
    p.finish()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fmt(src: &str) -> String {
        format_source(src).unwrap_or_else(|d| panic!("{src}: {d:?}"))
    }

    #[test]
    fn empty_and_comment_only_files() {
        assert_eq!(fmt(""), "");
        assert_eq!(fmt("\n\n  \n"), "");
        assert_eq!(fmt("  // a\n\n\n/* b */"), "// a\n\n/* b */\n");
    }

    #[test]
    fn syntax_errors_are_refused_with_their_diagnostics() {
        let err = format_source("record A { name }").err().unwrap_or_default();
        assert!(!err.is_empty());
        assert!(err.iter().all(|d| d.is_error()));
    }

    #[test]
    fn comments_around_items_stay_in_place() {
        let src = "// head\nrecord A {} // after A\n// before B\n\nrecord B {}\n// tail";
        let want = "// head\nrecord A {}  // after A\n\n// before B\n\nrecord B {}\n\n// tail\n";
        assert_eq!(fmt(src), want);
    }

    #[test]
    fn comments_inside_headers_and_expressions_move_above_their_member() {
        let src = "playbook p /* h */ {\n  when a /* x */ ==\n   // y\n   b  // z\n}";
        let want = "/* h */\nplaybook p {\n  /* x */\n  // y\n  when a == b  // z\n}\n";
        assert_eq!(fmt(src), want);
    }

    #[test]
    fn comments_before_a_closing_brace_stay_inside() {
        let src = "playbook p {\n  step s {\n    task \"t\"\n\n    // later\n  }\n  // end\n}";
        let want = "playbook p {\n  step s {\n    task \"t\"\n\n    // later\n  }\n  // end\n}\n";
        assert_eq!(fmt(src), want);
    }

    #[test]
    fn trailing_comments_on_consecutive_lines_align() {
        let src = "playbook p {\n  category risk // a\n  priority 10_000 // b\n\n  on created // c\n}";
        let want = "playbook p {\n  category risk    // a\n  priority 10_000  // b\n\n  on created  // c\n}\n";
        assert_eq!(fmt(src), want);
    }

    #[test]
    fn one_line_items_of_a_kind_stay_together() {
        let src = "enum A { X }\nenum B { Y }\nlimit l: 1 email per contact per 1d\n\nlimit m: 1 task per user per 1d";
        let want =
            "enum A { X }\nenum B { Y }\n\nlimit l: 1 email per contact per 1d\n\nlimit m: 1 task per user per 1d\n";
        assert_eq!(fmt(src), want);
    }

    #[test]
    fn doc_comments_print_above_their_member_without_trailing_space() {
        let src = "///   Account.  \n///\nrecord Account {\n /// The name.   \nname: Text }";
        let want = "///   Account.\n///\nrecord Account {\n  /// The name.\n  name: Text\n}\n";
        assert_eq!(fmt(src), want);
    }
}
