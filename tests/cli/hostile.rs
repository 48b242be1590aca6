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
