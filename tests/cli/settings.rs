//! `play.toml`: checked by `play check` with every problem at once, in every format, and
//! carried by a built program so that it runs as its project does.

use crate::support::{play, scratch_copy, write};

/// Four problems: a misspelt zone, an unknown setting, a misspelt day and a bad holiday.
const BAD_SETTINGS: &str = "[workspace]\ntime_zone = \"Europe/Pariss\"\ntimezone = \"UTC\"\n\n[calendar]\nweekend = [\"saturday\", \"sundy\"]\nholidays = [2026-12-25, \"2026-02-30\"]\n";

fn project_with_bad_settings() -> tempfile::TempDir {
    let dir = scratch_copy("test_project");
    write(dir.path(), "play.toml", BAD_SETTINGS);
    dir
}

#[test]
fn a_misspelt_time_zone_in_play_toml_fails_check() {
    let dir = scratch_copy("test_project");
    write(dir.path(), "play.toml", "[workspace]\ntime_zone = \"America/NewYork\"\n");
    let run = play(dir.path(), &["check"]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(run.stderr.contains("play::E0604"), "{}", run.stderr);
    assert!(run.stderr.contains("unknown time zone `America/NewYork`"), "{}", run.stderr);
    assert!(run.stderr.contains("did you mean `America/New_York`?"), "{}", run.stderr);
}

#[test]
fn every_problem_in_play_toml_is_reported_for_people_with_its_place() {
    let dir = project_with_bad_settings();
    let run = play(dir.path(), &["check"]);
    assert_eq!(run.code, 1);
    insta::assert_snapshot!(run.stderr);
}

#[test]
fn every_problem_in_play_toml_is_reported_as_json_with_codes_lines_and_columns() {
    let dir = project_with_bad_settings();
    let run = play(dir.path(), &["check", "--format", "json"]);
    assert_eq!(run.code, 1);
    let document: serde_json::Value = serde_json::from_str(&run.stdout).expect("stdout is JSON");
    let found: Vec<(String, String, u64, u64)> = document["diagnostics"]
        .as_array()
        .expect("a list")
        .iter()
        .map(|d| {
            (
                d["file"].as_str().unwrap_or_default().to_string(),
                d["code"].as_str().unwrap_or_default().to_string(),
                d["line"].as_u64().unwrap_or_default(),
                d["column"].as_u64().unwrap_or_default(),
            )
        })
        .collect();
    let expected = [
        ("play.toml", "play::E0604", 2, 13),
        ("play.toml", "play::E0602", 3, 1),
        ("play.toml", "play::E0605", 6, 24),
        ("play.toml", "play::E0606", 7, 25),
    ];
    let expected: Vec<_> = expected.iter().map(|(f, c, l, col)| (f.to_string(), c.to_string(), *l, *col)).collect();
    assert_eq!(found, expected);
    assert_eq!(document["errors"], 4);
    insta::assert_snapshot!(run.stdout);
}

#[test]
fn problems_in_play_toml_are_reported_as_sarif_and_github_annotations() {
    let dir = project_with_bad_settings();
    let sarif = play(dir.path(), &["check", "--format", "sarif"]);
    assert_eq!(sarif.code, 1);
    let document: serde_json::Value = serde_json::from_str(&sarif.stdout).expect("SARIF is JSON");
    let results = document["runs"][0]["results"].as_array().expect("results");
    assert_eq!(results.len(), 4);
    assert_eq!(results[0]["ruleId"], "play::E0604");
    assert_eq!(results[0]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"], "play.toml");
    assert_eq!(results[0]["locations"][0]["physicalLocation"]["region"]["startLine"], 2);
    let github = play(dir.path(), &["check", "--format", "github"]);
    assert_eq!(github.code, 1);
    insta::assert_snapshot!(github.stdout);
}

#[test]
fn a_clean_play_toml_checks_clean() {
    let dir = scratch_copy("test_project");
    let settings =
        "[workspace]\ntime_zone = \"Europe/Paris\"\n[calendar]\nweekend = [\"sunday\"]\nholidays = [2026-12-25]\n";
    write(dir.path(), "play.toml", settings);
    let run = play(dir.path(), &["check", "--deny-warnings"]);
    assert_eq!((run.code, run.stderr.as_str()), (0, "checked 3 files: no problems\n"));
}

#[test]
fn build_refuses_a_project_whose_play_toml_has_problems_and_names_every_one() {
    let dir = project_with_bad_settings();
    let run = play(dir.path(), &["build", "-o", "p.playc"]);
    assert_eq!(run.code, 1);
    for code in ["E0604", "E0602", "E0605", "E0606"] {
        assert!(run.stderr.contains(code), "{code}: {}", run.stderr);
    }
    assert!(!dir.path().join("p.playc").exists());
}

const CHANGES: [&str; 2] = [
    r#"{"at":"2026-03-02T08:00:00","change":"upsert","record":"Account","id":"acme","fields":{"name":"Acme","tier":"MidMarket","arr":80000,"stage":"Adoption","health":72,"owner":"jo@example.com","weekly_active_users":40,"tags":[]}}"#,
    r#"{"at":"2026-03-02T09:00:00","change":"upsert","record":"Account","id":"acme","fields":{"health":45}}"#,
];

#[test]
fn a_built_program_runs_in_its_project_time_zone_and_calendar() {
    let project = scratch_copy("test_project");
    write(
        project.path(),
        "play.toml",
        "[workspace]\ntime_zone = \"America/New_York\"\n[calendar]\nholidays = [2026-03-04]\n",
    );
    write(project.path(), "changes.jsonl", CHANGES.join("\n"));
    let from_source = play(project.path(), &["replay", "--changes", "changes.jsonl"]);
    assert_eq!(from_source.code, 0, "{}", from_source.stderr);
    // 9:00 in New York is 14:00 UTC; two business days later, skipping the holiday on
    // Wednesday, is Thursday.
    assert!(from_source.stdout.contains(r#""at":"2026-03-02T14:00:00Z""#), "{}", from_source.stdout);
    assert!(from_source.stdout.contains(r#""due":"2026-03-05T14:00:00Z""#), "{}", from_source.stdout);

    // The program is moved away from its project: no play.toml beside it.
    let elsewhere = tempfile::tempdir().expect("a scratch folder");
    let program = elsewhere.path().join("p.playc");
    let build = play(project.path(), &["build", "-o", program.to_str().expect("a UTF-8 path")]);
    assert_eq!(build.code, 0, "{}", build.stderr);
    write(elsewhere.path(), "changes.jsonl", CHANGES.join("\n"));
    let from_program = play(elsewhere.path(), &["replay", "p.playc", "--changes", "changes.jsonl"]);
    assert_eq!(from_program.code, 0, "{}", from_program.stderr);
    assert_eq!(from_program.stdout, from_source.stdout);
}

#[test]
fn a_built_program_carries_its_settings_in_the_file() {
    let project = scratch_copy("test_project");
    write(
        project.path(),
        "play.toml",
        "[workspace]\ntime_zone = \"Asia/Tokyo\"\n[calendar]\nweekend = [\"friday\", \"saturday\"]\n",
    );
    let build = play(project.path(), &["build", "-o", "p.playc"]);
    assert_eq!(build.code, 0, "{}", build.stderr);
    let bytes = std::fs::read(project.path().join("p.playc")).expect("written");
    let program = play_compiler::program::Program::from_bytes(&bytes).expect("loads");
    assert_eq!(program.settings.time_zone, "Asia/Tokyo");
    assert_eq!(program.settings.weekend, [false, false, false, false, true, true, false]);
}
