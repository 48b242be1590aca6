//! Any input: parsing, checking and the editor queries never panic, every diagnostic points inside the
//! source, and a file that parses clean formats to a fixed point that parses to the same
//! tree.
//!
//! Shared by the fuzz target of the same name and by the workspace's
//! `tests/fuzz_regressions.rs`, which runs every kept input through it.

/// One input: it must not panic (and, where said, hold the properties above).
pub fn check(data: &[u8]) {
    let Ok(source) = std::str::from_utf8(data) else { return };
    let in_bounds = |d: &play_compiler::Diagnostic| {
        let span = d.span();
        span.start <= span.end
            && span.end <= source.len()
            && source.is_char_boundary(span.start)
            && source.is_char_boundary(span.end)
    };
    let parse = play_compiler::parse(source);
    assert!(parse.diagnostics.iter().all(in_bounds));
    let checked = play_compiler::check::check_sources(&[("fuzz.play", source)]);
    assert!(checked.iter().flatten().all(in_bounds));
    // What an editor asks, at a few positions the input chooses.
    let analysis = play_compiler::analysis::Analysis::new(vec![("fuzz.play".into(), source.into())]);
    for step in [1, 7, 31] {
        let offset = (source.len() / step).min(source.len());
        let _ = analysis.hover("fuzz.play", offset);
        let _ = analysis.definition("fuzz.play", offset);
        let _ = analysis.completions("fuzz.play", offset, source);
        let _ = analysis.references("fuzz.play", offset, true);
    }
    let _ = (
        analysis.document_symbols("fuzz.play"),
        analysis.semantic_tokens("fuzz.play"),
        analysis.folding_ranges("fuzz.play"),
    );
    if parse.has_errors() {
        assert!(play_compiler::format::format_source(source).is_err());
        return;
    }
    let once = play_compiler::format::format_file(&parse.file, source);
    let again = play_compiler::parse(&once);
    assert!(!again.has_errors(), "formatted output does not parse:\n{once}");
    assert_eq!(again.file, parse.file, "formatting changed the meaning:\n{once}");
    assert_eq!(play_compiler::format::format_file(&again.file, &once), once, "formatting is not idempotent");
}
