//! Limits the compiler holds to, whatever the input: chains of segments and signals no
//! deeper than the engine follows, and no recursion as deep as a source is long
//! (hostile-input findings 11.6 and 11.9).

use play_compiler::check::check_sources;
use play_compiler::lower::build;

/// `n` signals, each defined by the next; the last reads a field.
fn signal_chain(n: usize) -> String {
    let mut src = String::new();
    for i in 0..n {
        let next = if i + 1 < n { format!("s{}", i + 1) } else { "account.health".to_string() };
        src.push_str(&format!("signal s{i} for account: Account = {next} + 1\n"));
    }
    src.push_str("playbook p {\n  for account: Account\n  on account.health falls\n  when s0 > 1\n  step s {\n    notify slack \"#cs\" \"x\"\n  }\n}\n");
    src
}

/// `n` segments, each true when the next is.
fn segment_chain(n: usize) -> String {
    let mut src = String::new();
    for i in 0..n {
        let next = if i + 1 < n { format!("g{}", i + 1) } else { "account.health < 40".to_string() };
        src.push_str(&format!("segment g{i} for account: Account = {next}\n"));
    }
    src.push_str(
        "playbook p {\n  for account: Account\n  on enters g0\n  step s {\n    notify slack \"#cs\" \"x\"\n  }\n}\n",
    );
    src
}

fn codes(src: &str) -> Vec<&'static str> {
    check_sources(&[("chain.play", src)]).into_iter().flatten().map(|d| d.code).collect()
}

#[test]
fn a_chain_of_64_segments_or_signals_builds() {
    assert!(build(&[("chain.play", &signal_chain(64))]).is_ok());
    assert!(build(&[("chain.play", &segment_chain(64))]).is_ok());
}

#[test]
fn a_chain_deeper_than_the_engine_follows_is_refused_once_not_built_to_never_fire() {
    for src in [signal_chain(65), segment_chain(65), segment_chain(200)] {
        assert_eq!(codes(&src), ["play::E0310"]);
    }
    let d = check_sources(&[("chain.play", &segment_chain(65))]).into_iter().flatten().next().expect("a diagnostic");
    assert_eq!(d.message, "`g0` uses segments and signals 65 deep, more than the 64 the engine follows");
}

/// Run on a thread with the default stack of a spawned thread (2 MiB): the checker
/// must not recurse once per link of a chain.
fn on_small_stack(f: impl FnOnce() + Send + 'static) {
    std::thread::Builder::new().stack_size(2 * 1024 * 1024).spawn(f).expect("a thread").join().expect("no overflow");
}

#[test]
fn a_chain_of_3000_signals_is_refused_without_overflowing_the_stack() {
    on_small_stack(|| assert_eq!(codes(&signal_chain(3000)), ["play::E0310"]));
    on_small_stack(|| assert_eq!(codes(&segment_chain(3000)), ["play::E0310"]));
}

#[test]
fn a_circle_of_3000_signals_is_refused_without_overflowing_the_stack() {
    let src = signal_chain(3000).replace("= account.health + 1", "= s0 + 1");
    on_small_stack(move || {
        let found = codes(&src);
        assert!(!found.is_empty() && found.iter().all(|c| *c == "play::E0310" || *c == "play::E0308"), "{found:?}");
    });
}

#[test]
fn user_text_in_a_message_is_clipped_wherever_it_was_formatted() {
    use play_compiler::diagnostic::{clip_quoted, CLIP};
    use play_compiler::syntax::Span;
    let long = "é".repeat(10 * CLIP);
    let d = play_compiler::Diagnostic::error(
        "play::E0302",
        format!("unknown name `{long}`"),
        Span::new(0, 1),
        format!("`{long}`"),
    )
    .with_help(format!("did you mean `{long}`?"))
    .with_secondary(Span::new(0, 1), format!("`{long}` here"));
    let clipped = format!("`{}…`", "é".repeat(CLIP));
    assert_eq!(d.message, format!("unknown name {clipped}"));
    assert_eq!(d.primary.message, clipped);
    assert_eq!(d.help.as_deref(), Some(format!("did you mean {clipped}?").as_str()));
    assert_eq!(d.secondary[0].message, format!("{clipped} here"));
    assert_eq!(clip_quoted("short `text` stays".to_string()), "short `text` stays");
}

#[test]
fn a_megabyte_unknown_name_is_reported_in_linear_time() {
    let long = "q".repeat(1 << 20);
    let src = format!("segment s for account: Account = account.{long} > 1 or {long}\n");
    let started = std::time::Instant::now();
    let found = codes(&src);
    assert_eq!(found, ["play::W0501", "play::E0301", "play::E0302"]);
    assert!(started.elapsed() < std::time::Duration::from_secs(20), "{:?}", started.elapsed());
}
