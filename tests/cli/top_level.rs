//! `play --help`, `--version` and argument errors.

use crate::support::{fixture, play};

#[test]
fn help_describes_every_command_with_examples() {
    for args in [&["--help"][..], &["check", "--help"], &["fmt", "--help"]] {
        let run = play(&fixture("clean"), args);
        assert_eq!(run.code, 0, "{args:?}");
        assert!(run.stdout.contains("EXAMPLES:"), "{args:?}: {}", run.stdout);
    }
}

#[test]
fn version_is_printed() {
    let run = play(&fixture("clean"), &["--version"]);
    assert_eq!(run.code, 0);
    assert_eq!(run.stdout, format!("play {}\n", env!("CARGO_PKG_VERSION")));
}

#[test]
fn an_unknown_command_is_a_usage_error() {
    let run = play(&fixture("clean"), &["chek"]);
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("unrecognized subcommand 'chek'"), "{}", run.stderr);
}

#[test]
fn no_command_is_a_usage_error() {
    let run = play(&fixture("clean"), &[]);
    assert_eq!(run.code, 2);
}
