//! Hostile input through the binary: lenient moments, very long chains, huge tokens and
//! files that are not files. Each answers cleanly (exit 0 or 2), never an abort.

use std::path::Path;

use crate::support::play;

fn replay_until(until: &str) -> crate::support::Run {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let changes = "tests/fixtures/replay/renewal_health_falls.jsonl";
    play(root, &["replay", "examples/customer-success", "--changes", changes, "--until", until])
}

#[test]
fn lenient_moments_on_the_command_line_are_refused() {
    for until in ["26-1-1", "2026-3-20", " 2026-03-20", "+2026-03-20", "0000-01-01", "2026-03-20T00:00:60Z"] {
        let run = replay_until(until);
        assert_eq!(run.code, 2, "{until}: {}", run.stderr);
        assert!(run.stderr.contains("is not a moment"), "{until}: {}", run.stderr);
    }
    for until in ["2026-03-20", "2026-03-20T00:00Z", "2026-03-20T00:00:00+01:00", "2026-03-20T00:00"] {
        let run = replay_until(until);
        assert_eq!(run.code, 0, "{until}: {}", run.stderr);
    }
}

/// `n` signals each defined by the next, and `n` segments each true when the next is,
/// with a playbook on the first of each.
fn chains(n: usize) -> String {
    let mut src = String::new();
    for i in 0..n {
        let next = if i + 1 < n { format!("s{}", i + 1) } else { "account.health".to_string() };
        src.push_str(&format!("signal s{i} for account: Account = {next} + 1\n"));
        let next = if i + 1 < n { format!("g{}", i + 1) } else { "account.health < 40".to_string() };
        src.push_str(&format!("segment g{i} for account: Account = {next}\n"));
    }
    src.push_str("playbook p {\n  for account: Account\n  on enters g0\n  when s0 > 1\n  step s {\n    notify slack \"#cs\" \"x\"\n  }\n}\n");
    src
}

#[test]
fn a_chain_of_3000_signals_and_segments_is_a_diagnostic_not_an_abort() {
    let dir = tempfile::tempdir().expect("a scratch folder");
    crate::support::write(dir.path(), "chain.play", chains(3000));
    for command in ["check", "build"] {
        let run = play(dir.path(), &[command, "chain.play"]);
        assert_eq!(run.code, 1, "{command}: {}", run.stderr);
        let all = format!("{}{}", run.stdout, run.stderr);
        assert_eq!(all.matches("play::E0310").count(), 2, "{command}: {all}");
    }
    // 64 deep is what the engine follows: it builds.
    crate::support::write(dir.path(), "chain.play", chains(64));
    let run = play(dir.path(), &["build", "chain.play"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
}

#[cfg(unix)]
#[test]
fn what_is_not_a_regular_file_is_refused_not_read_without_limit() {
    let dir = tempfile::tempdir().expect("a scratch folder");
    let run = play(dir.path(), &["check", "/dev/zero"]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert_eq!(run.stderr.trim(), "error: cannot read `/dev/zero`: it is not a regular file");
}

#[test]
fn a_source_over_8_mib_is_refused_with_a_clear_error() {
    let dir = tempfile::tempdir().expect("a scratch folder");
    crate::support::write(dir.path(), "big.play", vec![b' '; 8 * 1024 * 1024 + 1]);
    let run = play(dir.path(), &["check", "big.play"]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert_eq!(
        run.stderr.trim(),
        "error: cannot read `big.play`: it is larger than 8 MiB, the most a source file may be"
    );
    crate::support::write(dir.path(), "play.toml", vec![b'#'; 1024 * 1024 + 1]);
    crate::support::write(dir.path(), "big.play", "");
    let run = play(dir.path(), &["build", "big.play"]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(run.stderr.contains("the most `play.toml` may be"), "{}", run.stderr);
}

#[test]
fn a_megabyte_token_gives_a_short_diagnostic() {
    let dir = tempfile::tempdir().expect("a scratch folder");
    let long = "q".repeat(1 << 20);
    let field = "y".repeat(1 << 20);
    let source = format!(
        "segment s for account: Account = account.name == \"{long}\" or {long}\n\nplaybook p {{\n  for account: Account\n  on account.{field} falls\n  when s\n  step s {{\n    notify slack \"#cs\" \"x\"\n  }}\n}}\n"
    );
    crate::support::write(dir.path(), "long.play", source);
    let started = std::time::Instant::now();
    for format in ["human", "json"] {
        let run = play(dir.path(), &["check", "--format", format, "long.play"]);
        assert_eq!(run.code, 1, "{}", run.stderr);
        let all = format!("{}{}", run.stdout, run.stderr);
        assert!(all.len() < 8_000, "{format}: {} bytes of output", all.len());
        assert!(all.contains(&format!("`{}…`", &long[..60])), "{format}: {all}");
        assert!(all.contains("long.play"), "{format}: {all}");
    }
    // Linear: a debug build takes a few seconds; the edit distance to every field name
    // (what made a long unknown field take over a minute) is not worked out.
    assert!(started.elapsed() < std::time::Duration::from_secs(60), "{:?}", started.elapsed());
}

#[test]
fn carriage_return_line_endings_give_the_same_line_in_every_format() {
    let dir = tempfile::tempdir().expect("a scratch folder");
    let source = "segment a for account: Account = true\r\rsegment b for account: Account = account.helth > 1\r";
    crate::support::write(dir.path(), "cr.play", source);
    let json = play(dir.path(), &["check", "--format", "json", "cr.play"]);
    let report: serde_json::Value = serde_json::from_str(&json.stdout).expect("a JSON report");
    let unknown = report["diagnostics"]
        .as_array()
        .and_then(|all| all.iter().find(|d| d["code"] == "play::E0301"))
        .expect("the unknown field");
    assert_eq!((unknown["line"].as_u64(), unknown["column"].as_u64()), (Some(3), Some(42)), "{unknown}");
    let human = play(dir.path(), &["check", "cr.play"]);
    assert!(human.stderr.contains("[cr.play:3:42]"), "{}", human.stderr);
    assert!(human.stderr.contains(" 3 │ segment b"), "{}", human.stderr);
    assert!(!human.stderr.contains('\r'), "{:?}", human.stderr);
}
