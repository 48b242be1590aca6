//! The fuzz targets' kept inputs, run as ordinary tests: every file under
//! `fuzz/regressions/<target>/` goes through the same check as `cargo fuzz run <target>`
//! (the `fuzz/checks/` modules), so an input that once found a bug, or that a fuzzing run
//! found interesting, keeps being tried on every `cargo test`.

use std::path::Path;

#[path = "../fuzz/checks/changes.rs"]
mod changes;
#[path = "../fuzz/checks/jit.rs"]
mod jit;
#[path = "../fuzz/checks/parse_format.rs"]
mod parse_format;
#[path = "../fuzz/checks/program_load.rs"]
mod program_load;

/// Runs every kept input of `target` through `check`; says which one failed.
fn each_input(target: &str, check: fn(&[u8])) {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz/regressions").join(target);
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .filter_map(|e| e.ok().map(|e| e.path()))
        .collect();
    files.sort();
    assert!(!files.is_empty(), "no kept inputs in {}", dir.display());
    for file in files {
        let data = std::fs::read(&file).unwrap_or_else(|e| panic!("{}: {e}", file.display()));
        if std::panic::catch_unwind(|| check(&data)).is_err() {
            panic!("the kept fuzz input {} fails its check", file.display());
        }
    }
}

#[test]
fn kept_inputs_of_the_parser_and_checker_target_pass() {
    each_input("parse_format", parse_format::check);
}

#[test]
fn kept_inputs_of_the_change_lines_target_pass() {
    each_input("changes", changes::check);
}

#[test]
fn kept_inputs_of_the_program_loading_target_pass() {
    each_input("program_load", program_load::check);
}

#[test]
fn kept_inputs_of_the_jit_target_pass() {
    each_input("jit", jit::check);
}
