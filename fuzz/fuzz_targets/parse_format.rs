//! Any input: parsing never panics, every diagnostic points inside the source, and a
//! file that parses clean formats to a fixed point that parses to the same tree.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(source) = std::str::from_utf8(data) else { return };
    let parse = play_compiler::parse(source);
    for d in &parse.diagnostics {
        let span = d.span();
        assert!(span.start <= span.end && span.end <= source.len());
        assert!(source.is_char_boundary(span.start) && source.is_char_boundary(span.end));
    }
    if parse.has_errors() {
        assert!(play_compiler::format::format_source(source).is_err());
        return;
    }
    let once = play_compiler::format::format_file(&parse.file, source);
    let again = play_compiler::parse(&once);
    assert!(!again.has_errors(), "formatted output does not parse:\n{once}");
    assert_eq!(again.file, parse.file, "formatting changed the meaning:\n{once}");
    assert_eq!(play_compiler::format::format_file(&again.file, &once), once, "formatting is not idempotent");
});
