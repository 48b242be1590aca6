//! Syntax fixtures: every error kind renders as its snapshot says, valid files parse
//! clean, and recovery keeps the good parts of a broken file.

use std::fs;
use std::path::{Path, PathBuf};

use play_compiler::diagnostic::render::{render, Style};
use play_compiler::syntax::ast::Item;

fn fixtures(dir: &str) -> Vec<PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/syntax").join(dir);
    let mut files: Vec<PathBuf> = fs::read_dir(&root)
        .unwrap_or_else(|e| panic!("{}: {e}", root.display()))
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "play"))
        .collect();
    files.sort();
    files
}

fn rendered(path: &Path) -> (String, Vec<&'static str>) {
    let src = fs::read_to_string(path).unwrap();
    let name = path.file_name().unwrap().to_string_lossy().to_string();
    let parse = play_compiler::parse(&src);
    let text: String = parse.diagnostics.iter().map(|d| render(d, &name, &src, Style::Plain)).collect();
    (text, parse.diagnostics.iter().map(|d| d.code).collect())
}

/// Each file in `errors/` is named for the code it must produce (`E0103_…`); its rendered
/// diagnostics are snapshotted.
#[test]
fn every_syntax_error_kind_renders_as_snapshotted() {
    let files = fixtures("errors");
    assert!(files.len() >= 15, "expected a fixture per syntax error kind");
    for path in files {
        let stem = path.file_stem().unwrap().to_string_lossy().to_string();
        let code = format!("play::{}", &stem[..5]);
        let (text, codes) = rendered(&path);
        assert!(codes.contains(&code.as_str()), "{stem}: expected {code}, got {codes:?}\n{text}");
        insta::with_settings!({ snapshot_suffix => stem.clone(), prepend_module_to_snapshot => false }, {
            insta::assert_snapshot!("syntax_error", text);
        });
    }
}

#[test]
fn every_syntax_code_has_a_fixture() {
    let names: Vec<String> =
        fixtures("errors").iter().map(|p| p.file_name().unwrap().to_string_lossy().to_string()).collect();
    for (code, summary) in play_compiler::diagnostic::codes::SYNTAX {
        let short = code.trim_start_matches("play::");
        assert!(names.iter().any(|n| n.starts_with(short)), "no fixture for {code} ({summary})");
    }
}

#[test]
fn valid_fixtures_parse_without_diagnostics() {
    for path in fixtures("valid") {
        let (text, _) = rendered(&path);
        assert!(text.is_empty(), "{}:\n{text}", path.display());
    }
}

#[test]
fn three_broken_playbooks_report_three_errors_and_keep_the_good_one() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/syntax/recovery/three_broken_one_good.play");
    let src = fs::read_to_string(&path).unwrap();
    let parse = play_compiler::parse(&src);
    assert_eq!(parse.diagnostics.len(), 3, "{:#?}", parse.diagnostics);
    let names: Vec<&str> = parse
        .file
        .items
        .iter()
        .filter_map(|i| match i {
            Item::Playbook(p) => Some(p.name.name.as_str()),
            _ => None,
        })
        .collect();
    assert!(names.contains(&"good"), "{names:?}");
    let good = parse.file.items.iter().find_map(|i| match i {
        Item::Playbook(p) if p.name.name == "good" => Some(p),
        _ => None,
    });
    assert!(good.is_some_and(|p| p.errors.is_empty() && p.clauses.len() == 3));
    let (text, _) = rendered(&path);
    insta::assert_snapshot!("three_broken_one_good", text);
}

#[test]
fn a_broken_clause_keeps_the_rest_of_its_playbook() {
    let src = "playbook p \"P\" {\n  for a: Account\n  wen a.health < 5\n  on created\n  step s { task \"x\" }\n}\n";
    let parse = play_compiler::parse(src);
    let Some(Item::Playbook(p)) = parse.file.items.first() else { panic!("no playbook: {:#?}", parse) };
    assert_eq!(p.clauses.len(), 3);
    assert_eq!(p.errors.len(), 1);
    assert_eq!(parse.diagnostics.len(), 1);
}

#[test]
fn diagnostics_come_in_source_order() {
    let src = fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/syntax/recovery/three_broken_one_good.play"),
    )
    .unwrap();
    let parse = play_compiler::parse(&src);
    let starts: Vec<usize> = parse.diagnostics.iter().map(|d| d.span().start).collect();
    let mut sorted = starts.clone();
    sorted.sort();
    assert_eq!(starts, sorted);
}
