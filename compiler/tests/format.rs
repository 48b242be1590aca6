//! Snapshot tests of the canonical formatter: each fixture in `tests/fixtures/format` is a
//! messy input; its snapshot is the canonical output. Every output is also checked to
//! parse to the same tree with the same comments, and to be a fixed point.

mod format_support;

use format_support::check;
use play_compiler::format::format_source;

macro_rules! fixtures {
    ($($name:ident),* $(,)?) => {
        $(
            #[test]
            fn $name() {
                let path = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/format/", stringify!($name), ".play");
                let source = include_str!(concat!("fixtures/format/", stringify!($name), ".play"));
                let out = check(source);
                insta::with_settings!({ input_file => path, omit_expression => true }, {
                    insta::assert_snapshot!(stringify!($name), out);
                });
            }
        )*

        /// Every fixture file has a test above.
        #[test]
        fn every_fixture_is_listed() {
            let listed = [$(stringify!($name)),*];
            let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/format");
            let mut missing = Vec::new();
            for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
                let path = entry.path();
                if let Some(stem) = path.file_stem().and_then(|s| s.to_str()) {
                    if path.extension().is_some_and(|e| e == "play") && !listed.contains(&stem) {
                        missing.push(stem.to_string());
                    }
                }
            }
            assert!(missing.is_empty(), "fixtures without a test: {missing:?}");
        }
    };
}

fixtures!(
    items,
    playbook,
    case,
    tests,
    comments,
    text,
    field_lists,
    long_text_places,
    blank_lines,
    empty,
    whitespace_only,
    only_comments,
    history_filters,
);

#[test]
fn language_brief_example() {
    let source = include_str!("fixtures/syntax/valid/language_brief.play");
    let out = check(source);
    insta::assert_snapshot!("language_brief", out);
}

#[test]
fn crlf_line_endings_format_like_lf() {
    for source in [include_str!("fixtures/format/playbook.play"), include_str!("fixtures/format/text.play")] {
        let crlf = source.replace('\n', "\r\n");
        let out = check(&crlf);
        assert_eq!(out, check(source));
    }
}

#[test]
fn files_with_syntax_errors_are_refused() {
    let diagnostics = format_source("playbook p {\n  for a Account\n}\n").err().unwrap_or_default();
    assert!(!diagnostics.is_empty());
}

/// A doc comment after a member that ends in an expression is read as the `/` operator
/// followed by a `//` comment (`product_op` in `grammar/play.pest` matches the first `/`
/// of `///`), so the doc silently becomes part of the expression.
#[test]
fn doc_comment_after_an_expression_stays_a_doc() {
    let source = "playbook p {\n  when a.x\n  /// Docs.\n  step s {}\n}\n";
    assert_eq!(check(source), source);
}
