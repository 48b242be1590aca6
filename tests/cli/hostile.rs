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
