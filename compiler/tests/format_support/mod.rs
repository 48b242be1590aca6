//! The properties every formatter output must have, shared by the snapshot tests and the
//! property tests.

use play_compiler::format::format_source;
use play_compiler::parse;
use play_compiler::syntax::ast::SourceFile;

/// Formats `source` (which must parse cleanly) and checks that the output parses to the
/// same tree with the same comments, that formatting it again changes nothing, and that
/// its lines are clean. Returns the output.
pub fn check(source: &str) -> String {
    let before = parse(source);
    assert!(!before.has_errors(), "the input does not parse: {:#?}\n{source}", before.diagnostics);
    let out = match format_source(source) {
        Ok(out) => out,
        Err(d) => panic!("the formatter refused a clean parse: {d:#?}"),
    };
    let after = parse(&out);
    assert!(
        !after.has_errors(),
        "the output does not parse: {:#?}\n--- input\n{source}\n--- output\n{out}",
        after.diagnostics
    );

    let texts = |f: &SourceFile| f.comments.iter().map(|c| c.text.clone()).collect::<Vec<_>>();
    assert_eq!(texts(&after.file), texts(&before.file), "comments changed\n--- input\n{source}\n--- output\n{out}");
    assert!(after.file == before.file, "the output parses differently\n--- input\n{source}\n--- output\n{out}");

    let again = format_source(&out).unwrap_or_default();
    assert_eq!(again, out, "formatting is not idempotent\n--- input\n{source}");

    assert!(out.is_empty() || (out.ends_with('\n') && !out.ends_with("\n\n")), "bad file end: {out:?}");
    assert!(!out.starts_with('\n'), "blank line at the start: {out:?}");
    // Comments are kept as written, whitespace and all; every other line is clean.
    if !before.file.comments.iter().any(|c| c.text.contains('\n') || c.text != c.text.trim_end()) {
        for line in out.lines() {
            assert_eq!(line, line.trim_end(), "trailing whitespace in {out}");
        }
    }
    assert!(!out.contains('\r') || source.contains("/*"), "carriage return in output: {out:?}");
    out
}
