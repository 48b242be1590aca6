//! `play check`: every format, exit statuses, and which files it reads.

use crate::support::{fixture, play, scratch_copy, without_version, write};

#[test]
fn syntax_errors_are_reported_for_people_on_stderr() {
    let run = play(&fixture("broken"), &["check"]);
    assert_eq!(run.code, 1);
    assert_eq!(run.stdout, "");
    insta::assert_snapshot!(run.stderr);
}

#[test]
fn syntax_errors_are_reported_as_one_json_document() {
    let run = play(&fixture("broken"), &["check", "--format", "json"]);
    assert_eq!(run.code, 1);
    assert_eq!(run.stderr, "checked 3 files: 4 errors\n");
    insta::assert_snapshot!(run.stdout);
}

#[test]
fn syntax_errors_are_reported_as_sarif() {
    let run = play(&fixture("broken"), &["check", "--format", "sarif"]);
    assert_eq!(run.code, 1);
    insta::assert_snapshot!(without_version(&run.stdout));
}

#[test]
fn syntax_errors_are_reported_as_github_annotations() {
    let run = play(&fixture("broken"), &["check", "--format", "github"]);
    assert_eq!(run.code, 1);
    insta::assert_snapshot!(run.stdout);
}

#[test]
fn json_output_is_valid_and_counts_match_the_diagnostics() {
    let run = play(&fixture("broken"), &["check", "--format", "json"]);
    let document: serde_json::Value = serde_json::from_str(&run.stdout).expect("stdout is JSON");
    let diagnostics = document["diagnostics"].as_array().expect("a list of diagnostics");
    assert_eq!(document["errors"].as_u64(), Some(diagnostics.len() as u64));
    assert_eq!(document["warnings"].as_u64(), Some(0));
}

#[test]
fn a_clean_project_passes_with_no_output_but_the_summary() {
    let run = play(&fixture("clean"), &["check"]);
    assert_eq!(run.code, 0);
    assert_eq!(run.stdout, "");
    assert_eq!(run.stderr, "checked 1 file: no problems\n");
}

#[test]
fn a_clean_project_passes_in_every_format() {
    for format in ["json", "sarif", "github"] {
        let run = play(&fixture("clean"), &["check", "--format", format, "--deny-warnings"]);
        assert_eq!(run.code, 0, "--format {format}");
    }
    let json = play(&fixture("clean"), &["check", "--format", "json"]);
    insta::assert_snapshot!(json.stdout, @r#"
    {
      "diagnostics": [],
      "errors": 0,
      "warnings": 0
    }
    "#);
}

#[test]
fn a_missing_path_means_the_check_cannot_run() {
    let run = play(&fixture("clean"), &["check", "no/such/folder"]);
    assert_eq!(run.code, 2);
    assert_eq!(run.stdout, "");
    assert_eq!(run.stderr, "error: cannot read `no/such/folder`: no such file or folder\n");
}

#[test]
fn an_unknown_format_is_a_usage_error() {
    let run = play(&fixture("clean"), &["check", "--format", "yaml"]);
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("invalid value 'yaml'"), "{}", run.stderr);
}

#[test]
fn a_file_that_is_not_utf8_is_an_error_and_the_other_files_are_still_checked() {
    let dir = scratch_copy("broken");
    write(dir.path(), "latin1.play", b"playbook caf\xe9 {\n}\n");
    let run = play(dir.path(), &["check", "--format", "json"]);
    assert_eq!(run.code, 1);
    assert_eq!(run.stderr, "checked 4 files: 5 errors\n");
    let document: serde_json::Value = serde_json::from_str(&run.stdout).expect("stdout is JSON");
    let first = &document["diagnostics"][0];
    assert_eq!(first["file"], "latin1.play");
    assert_eq!(first["message"], "file is not valid UTF-8 at byte 12");
    assert_eq!((&first["line"], &first["column"]), (&1.into(), &13.into()));

    let human = play(dir.path(), &["check", "latin1.play"]);
    assert_eq!(human.code, 1);
    insta::assert_snapshot!(human.stderr);
}

#[test]
fn hidden_folders_target_folders_and_other_extensions_are_skipped() {
    let dir = scratch_copy("clean");
    let broken = "playbook {\n";
    write(dir.path(), ".git/hooks/broken.play", broken);
    write(dir.path(), "target/debug/broken.play", broken);
    write(dir.path(), ".#renewal.play", broken);
    write(dir.path(), "notes.txt", broken);
    write(dir.path(), "nested/deeper/more.play", "");
    let run = play(dir.path(), &["check"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(run.stderr, "checked 2 files: no problems\n");
}

#[test]
fn files_and_folders_can_be_named_and_are_reported_relative_to_the_current_folder() {
    let dir = scratch_copy("broken");
    let run = play(&dir.path().join("playbooks"), &["check", "--format", "github", "../records.play", "."]);
    assert_eq!(run.code, 1);
    let files: Vec<&str> = run
        .stdout
        .lines()
        .map(|l| l.split(',').next().unwrap_or_default().trim_start_matches("::error file="))
        .collect();
    assert_eq!(files, ["../records.play", "renewal.play", "renewal.play", "renewal.play"]);

    let absolute = dir.path().join("records.play");
    let run = play(dir.path(), &["check", "--format", "github", absolute.to_str().expect("a UTF-8 path")]);
    assert!(run.stdout.starts_with("::error file=records.play,"), "{}", run.stdout);
}

#[test]
fn a_file_named_twice_is_checked_once() {
    let run = play(&fixture("broken"), &["check", ".", "records.play"]);
    assert_eq!(run.code, 1);
    assert!(run.stderr.ends_with("checked 3 files: 4 errors\n"), "{}", run.stderr);
}
