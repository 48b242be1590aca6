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

/// The commands listed under `Commands:` in `play --help`.
fn commands() -> Vec<String> {
    let run = play(&fixture("clean"), &["--help"]);
    run.stdout
        .split("Commands:")
        .nth(1)
        .and_then(|rest| rest.split("\n\n").next())
        .unwrap_or_default()
        .lines()
        .filter(|line| line.starts_with("  ") && !line.starts_with("   "))
        .filter_map(|line| line.split_whitespace().next())
        .filter(|name| *name != "help")
        .map(str::to_owned)
        .collect()
}

#[test]
fn every_command_has_help_with_examples_whose_paths_exist() {
    let commands = commands();
    assert!(commands.len() >= 8, "{commands:?}");
    // Help is wrapped to the terminal's width: compare with single spaces.
    let top = play(&fixture("clean"), &["--help"]).stdout.split_whitespace().collect::<Vec<_>>().join(" ");
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    for command in &commands {
        // The overview names every command.
        assert!(top.contains(&format!("`play {command}")), "`play --help` does not describe {command}");
        let run = play(&fixture("clean"), &[command.as_str(), "--help"]);
        assert_eq!(run.code, 0, "{command}");
        assert!(run.stdout.contains("EXAMPLES:"), "{command}: {}", run.stdout);
        for word in run.stdout.split_whitespace() {
            if let Some(path) = word.strip_prefix("examples/") {
                let path = path.trim_end_matches(|c: char| !c.is_alphanumeric() && c != '-');
                assert!(
                    root.join("examples").join(path).exists(),
                    "`play {command} --help` names examples/{path}, which does not exist"
                );
            }
        }
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
