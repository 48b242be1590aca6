//! Property tests over real sources: mutated files (deletions, inserted brackets, quotes
//! and keywords, truncation) never make the parser, checker or formatter panic,
//! diagnostics always point inside the file, and whatever parses clean formats to a
//! fixed point.

use std::fs;
use std::path::{Path, PathBuf};

use proptest::prelude::*;

mod mutate;

use mutate::Mutation;

/// Every `.play` file of the fixtures and the examples.
fn corpus() -> Vec<String> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut files = Vec::new();
    collect(&root.join("tests/fixtures"), &mut files);
    collect(&root.join("../examples"), &mut files);
    collect(&root.join("../stdlib"), &mut files);
    files.sort();
    let sources: Vec<String> = files.iter().filter_map(|p| fs::read_to_string(p).ok()).collect();
    assert!(!sources.is_empty());
    sources
}

fn collect(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = fs::read_dir(dir) else { return };
    for e in entries.flatten() {
        let p = e.path();
        if p.is_dir() {
            collect(&p, out);
        } else if p.extension().is_some_and(|x| x == "play") {
            out.push(p);
        }
    }
}

const PAYLOADS: &[&str] = &[
    "{",
    "}",
    "(",
    ")",
    "[",
    "]",
    "\"",
    "\"\"\"",
    "/*",
    "*/",
    "//",
    "///",
    "playbook ",
    "step ",
    "when ",
    "on ",
    "\n",
    "??",
    "{{",
    "\\",
    "é",
    "🎉",
    "\u{0}",
    "2026-02-30",
    "99999999999999999999999d",
    " or ",
    "\nrecord ",
    ".",
    ":",
    ",",
    "= ",
    "\r\n",
    "\t",
    "wait for ",
    "\\u{110000}",
    "%",
    "-",
];

fn mutation() -> impl Strategy<Value = Mutation> {
    prop_oneof![mutate::delete(), mutate::insert_one_of(PAYLOADS), mutate::truncate()]
}

/// What must hold for any text: no panic, sane spans, a formatter that refuses broken
/// files and reaches a fixed point on the rest.
fn check_invariants(source: &str) {
    let parse = play_compiler::parse(source);
    for d in &parse.diagnostics {
        let span = d.span();
        assert!(span.start <= span.end && span.end <= source.len(), "{d:?}");
        assert!(source.is_char_boundary(span.start) && source.is_char_boundary(span.end), "{d:?}");
        assert!(d.code.starts_with("play::E01"), "syntax diagnostics are E01xx: {d:?}");
    }
    for d in play_compiler::check::check_sources(&[("mutated.play", source)]).iter().flatten() {
        let span = d.span();
        assert!(span.start <= span.end && span.end <= source.len(), "{d:?}");
        assert!(source.is_char_boundary(span.start) && source.is_char_boundary(span.end), "{d:?}");
    }
    match play_compiler::format::format_source(source) {
        Err(_) => assert!(parse.has_errors()),
        Ok(once) => {
            let again = play_compiler::parse(&once);
            assert!(!again.has_errors(), "formatted output does not parse:\n{once}");
            assert_eq!(again.file, parse.file, "formatting changed the tree:\n{once}");
            assert_eq!(play_compiler::format::format_source(&once).ok().as_deref(), Some(once.as_str()));
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn mutated_sources_never_break_the_parser_or_formatter(
        pick in any::<prop::sample::Index>(),
        mutations in prop::collection::vec(mutation(), 1..6),
    ) {
        let sources = corpus();
        let mut source = sources[pick.index(sources.len())].clone();
        for m in &mutations {
            mutate::apply(&mut source, m);
        }
        check_invariants(&source);
    }

    #[test]
    fn arbitrary_text_never_breaks_the_parser(source in "[a-z{}()\\[\\]\" \n:=<>.,?/*#%0-9_-]{0,200}") {
        check_invariants(&source);
    }
}

#[test]
fn every_real_source_formats_to_a_fixed_point() {
    for source in corpus() {
        check_invariants(&source);
    }
}

#[test]
fn pathological_nesting_is_refused_not_overflowed() {
    for open in ["(", "[", "{", "/*", "\"{", "{ \"}\" "] {
        let source = format!("segment s for a: A = {}", open.repeat(50_000));
        check_invariants(&source);
        assert!(play_compiler::parse(&source).has_errors());
    }
    let nots = format!("segment s for a: A = {}x", "not ".repeat(50_000));
    check_invariants(&nots);
}
