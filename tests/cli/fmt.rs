//! `play fmt`: in place, `--check`, stdin, and files it must not touch.

use std::fs;
use std::path::Path;
use std::time::{Duration, SystemTime};

use crate::support::{fixture, play, play_with_stdin, scratch_copy};

fn read(dir: &Path, name: &str) -> String {
    fs::read_to_string(dir.join(name)).expect("the file is still there")
}

/// Sets a file's modification time far in the past, so that any write shows.
fn age(path: &Path) -> SystemTime {
    let old = SystemTime::UNIX_EPOCH + Duration::from_secs(1_000_000_000);
    fs::File::options().write(true).open(path).and_then(|f| f.set_modified(old)).expect("the file's time can be set");
    old
}

fn modified(path: &Path) -> SystemTime {
    fs::metadata(path).and_then(|m| m.modified()).expect("the file has a modification time")
}

#[test]
fn check_lists_files_that_would_change_and_changes_nothing() {
    let dir = scratch_copy("unformatted");
    let before = read(dir.path(), "renewal.play");
    let run = play(dir.path(), &["fmt", "--check"]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert_eq!(run.stdout, "renewal.play\n");
    assert_eq!(run.stderr, "");
    assert_eq!(read(dir.path(), "renewal.play"), before);
}

#[test]
fn check_passes_when_every_file_is_formatted() {
    let run = play(&fixture("clean"), &["fmt", "--check"]);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    assert_eq!(run.stdout, "");
}

#[test]
fn files_are_rewritten_in_place_and_formatted_files_are_not_written() {
    let dir = scratch_copy("unformatted");
    let formatted = dir.path().join("formatted.play");
    let old = age(&formatted);
    let run = play(dir.path(), &["fmt"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(run.stdout, "");
    insta::assert_snapshot!(read(dir.path(), "renewal.play"));
    assert_eq!(modified(&formatted), old, "an already formatted file was written");
    assert_eq!(read(dir.path(), "renewal.play"), read(dir.path(), "formatted.play"));

    let again = play(dir.path(), &["fmt", "--check"]);
    assert_eq!(again.code, 0, "formatting is not stable: {}", again.stdout);
}

#[test]
fn files_with_syntax_errors_are_reported_and_left_alone() {
    let dir = scratch_copy("broken");
    let before = read(dir.path(), "records.play");
    let run = play(dir.path(), &["fmt"]);
    assert_eq!(run.code, 1);
    assert_eq!(read(dir.path(), "records.play"), before);
    insta::assert_snapshot!(run.stderr);
}

#[test]
fn stdin_is_formatted_to_stdout() {
    let source = fs::read_to_string(fixture("unformatted").join("renewal.play")).expect("fixture is readable");
    let expected = fs::read_to_string(fixture("unformatted").join("formatted.play")).expect("fixture is readable");
    for flag in ["-", "--stdin"] {
        let run = play_with_stdin(&fixture("clean"), &["fmt", flag], &source);
        assert_eq!(run.code, 0, "{flag}: {}", run.stderr);
        assert_eq!(run.stdout, expected, "{flag}");
    }
}

#[test]
fn stdin_with_syntax_errors_prints_nothing_on_stdout() {
    let run = play_with_stdin(&fixture("clean"), &["fmt", "-"], "record Account {\n  health Number\n}\n");
    assert_eq!(run.code, 1);
    assert_eq!(run.stdout, "");
    assert!(run.stderr.contains("<stdin>:2:10"), "{}", run.stderr);
}

#[test]
fn stdin_cannot_be_combined_with_paths() {
    let run = play(&fixture("clean"), &["fmt", "-", "renewal.play"]);
    assert_eq!(run.code, 2);
    let run = play(&fixture("clean"), &["fmt", "--stdin", "renewal.play"]);
    assert_eq!(run.code, 2);
}

#[test]
fn a_missing_path_means_fmt_cannot_run() {
    let run = play(&fixture("clean"), &["fmt", "missing.play"]);
    assert_eq!(run.code, 2);
    assert_eq!(run.stderr, "error: cannot read `missing.play`: no such file or folder\n");
}
