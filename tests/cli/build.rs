//! `play build`: the disassembly, and program files that load back as they were built
//! and refuse to load when damaged or from another format version.

use std::path::Path;

use play_compiler::program::{LoadError, Program, FORMAT_VERSION};

use crate::direct;
use crate::support::{fixture, play, write};

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

#[test]
fn the_disassembly_of_the_case_management_example() {
    let run = play(root(), &["build", "examples/case-management", "--dump"]);
    assert_eq!((run.code, run.stderr.as_str()), (0, ""));
    insta::assert_snapshot!(run.stdout);
}

/// A scheduled playbook's compiled conditions say, in the dump, how they are tested over
/// every record of their type when the schedule fires: sixteen records at once here.
#[test]
fn the_dump_says_how_a_scheduled_playbook_is_tested_over_many_records() {
    let run = play(root(), &["build", "examples/customer-success", "--dump"]);
    assert_eq!((run.code, run.stderr.as_str()), (0, ""));
    let line = "  native      playbook quiet_accounts when (over many records: 16 at once): account.stage in [Adoption, Renewal]\n";
    assert!(run.stdout.contains(line), "{}", run.stdout);
    // A playbook that starts on a change tests one record at a time: no scan.
    assert!(!run.stdout.contains("playbook back_to_healthy when (over"), "{}", run.stdout);
    let off = play(root(), &["build", "examples/customer-success", "--dump", "--no-jit"]);
    assert!(off.stdout.contains("  predicate   playbook quiet_accounts when: account.stage in [Adoption, Renewal]\n"));
}

/// The dump's last section says how each condition runs: compiled by the JIT, or, with
/// `--no-jit` or `PLAY_NO_JIT=1`, as a predicate; bytecode no predicate takes is interpreted.
#[test]
fn the_dump_says_which_conditions_are_compiled() {
    let section = |stdout: &str| stdout[stdout.find("\nconditions: ").expect("the section") + 1..].to_string();
    let on = section(&play(root(), &["build", "examples/signals", "--dump"]).stdout);
    assert!(on.starts_with("conditions: 3 of 20 native (JIT on)\n"), "{on}");
    assert!(on.contains("  native      segment live_customer: account.stage in [Onboarding, Adoption, Renewal]\n"));
    assert!(on.contains("  interpreted signal account_weight: account.arr / 10_000\n"), "{on}");
    let off = section(&play(root(), &["build", "examples/signals", "--dump", "--no-jit"]).stdout);
    assert!(off.starts_with("conditions: 0 of 20 native (JIT off)\n"), "{off}");
    assert!(off.contains("  predicate   segment live_customer: "), "{off}");
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_play"))
        .args(["build", "examples/signals", "--dump"])
        .current_dir(root())
        .env("PLAY_NO_JIT", "1")
        .output()
        .expect("play runs");
    assert_eq!(section(&String::from_utf8_lossy(&output.stdout)), off);
}

/// Builds `examples/case-management` to a program file in a scratch folder.
fn built() -> (tempfile::TempDir, Vec<u8>, String) {
    let dir = tempfile::tempdir().expect("a scratch folder");
    let out = dir.path().join("case-management.playc");
    let run = play(root(), &["build", "examples/case-management", "-o", out.to_str().expect("a UTF-8 path")]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(run.stdout, "");
    let bytes = std::fs::read(&out).expect("the program was written");
    (dir, bytes, run.stderr)
}

#[test]
fn a_built_program_loads_back_equal_to_the_program_compiled_in_memory() {
    let (dir, bytes, stderr) = built();
    let loaded = Program::from_bytes(&bytes).expect("the program loads");
    let compiled = direct::compile("examples/case-management").program;
    assert_eq!(loaded, compiled);
    assert_eq!(loaded.to_bytes(), bytes, "loading and saving again gives the same bytes");
    assert_eq!(loaded.format, FORMAT_VERSION);
    assert_eq!(loaded.content_hash(), loaded.hash);
    let out = dir.path().join("case-management.playc");
    assert_eq!(
        stderr,
        format!(
            "built {} (5 playbooks, 0 segments and signals, 0 templates, {} tests; program {})\n",
            out.display(),
            loaded.tests.len(),
            loaded.hash
        )
    );
    let dump = play(root(), &["build", "examples/case-management", "--dump"]).stdout;
    assert!(dump.starts_with(&loaded.disassemble()), "the dump is the disassembly, then how conditions run");
}

#[test]
fn the_same_project_builds_to_the_same_bytes() {
    let (_a, first, _) = built();
    let (_b, second, _) = built();
    assert_eq!(first, second);
}

#[test]
fn a_damaged_program_file_is_refused_with_a_clear_error() {
    let (_dir, bytes, _) = built();

    let truncated = &bytes[..bytes.len() / 2];
    let error = Program::from_bytes(truncated).expect_err("half a program does not load");
    assert!(matches!(error, LoadError::Damaged(_)), "{error:?}");
    assert!(error.to_string().starts_with("this is not a play program, or it is damaged: "), "{error}");

    // A header of this format with nothing after it is damaged, not of another version.
    let header_only = format!("{{\"format\":{FORMAT_VERSION}}}");
    for junk in [&b""[..], b"\x00\x01\x02", b"[]", header_only.as_bytes(), b"not a program"] {
        let error = Program::from_bytes(junk).expect_err("junk does not load");
        assert!(matches!(error, LoadError::Damaged(_)), "{junk:?}: {error:?}");
    }

    // A change to the content that still parses is caught by the hash.
    let text = String::from_utf8(bytes.clone()).expect("programs are JSON text");
    let edited = text.replacen("Verify the requester's identity", "Verify the requester's identify", 1);
    assert_ne!(edited, text);
    let error = Program::from_bytes(edited.as_bytes()).expect_err("an edited program does not load");
    assert_eq!(error, LoadError::Damaged("the content does not match its hash".into()));
    insta::assert_snapshot!(error.to_string(), @"this is not a play program, or it is damaged: the content does not match its hash");
}

#[test]
fn a_program_of_another_format_version_is_refused_and_told_to_rebuild() {
    let (_dir, bytes, _) = built();
    let mut program: serde_json::Value = serde_json::from_slice(&bytes).expect("programs are JSON");
    let future = FORMAT_VERSION + 1;
    program["format"] = future.into();
    let error = Program::from_bytes(&serde_json::to_vec(&program).expect("JSON")).expect_err("another version");
    assert_eq!(error, LoadError::Version { found: future, want: FORMAT_VERSION });
    insta::assert_snapshot!(
        error.to_string(),
        @"this program was built by another version of play (format 4, this play reads 3); build it again"
    );
}

#[test]
fn a_project_with_errors_is_reported_and_not_built() {
    let dir = tempfile::tempdir().expect("a scratch folder");
    let out = dir.path().join("broken.playc");
    let run = play(&fixture("broken"), &["build", "-o", out.to_str().expect("a UTF-8 path")]);
    assert_eq!(run.code, 1);
    assert!(run.stderr.ends_with("checked 3 files: 4 errors\n"), "{}", run.stderr);
    assert!(!out.exists(), "nothing is written");
}

#[test]
fn an_unwritable_output_means_the_build_cannot_run() {
    let run = play(root(), &["build", "examples/case-management", "-o", "no/such/folder/program.playc"]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(run.stderr.starts_with("error: cannot write `no/such/folder/program.playc`"), "{}", run.stderr);
}

#[test]
fn a_built_program_replays_and_tests_as_its_project_does_without_its_source() {
    let dir = tempfile::tempdir().expect("a scratch folder");
    let out = dir.path().join("customer-success.playc");
    let out = out.to_str().expect("a UTF-8 path");
    assert_eq!(play(root(), &["build", "examples/customer-success", "-o", out]).code, 0);

    // The history names places (`failed at file:line:column`) from the program alone.
    let changes = "tests/fixtures/replay/renewal_health_falls.jsonl";
    let replay =
        |path: &str| play(root(), &["replay", path, "--changes", changes, "--until", "2026-03-20", "--history"]);
    let (from_source, from_program) = (replay("examples/customer-success"), replay(out));
    assert_eq!(from_program.code, from_source.code, "{}", from_program.stderr);
    assert!(!from_program.stdout.is_empty(), "the replay produced actions");
    assert_eq!(from_program.stdout, from_source.stdout);
    assert_eq!(from_program.stderr, from_source.stderr);

    let test = |path: &str| play(root(), &["test", path]);
    let (from_source, from_program) = (test("examples/customer-success"), test(out));
    assert_eq!((from_program.code, &from_program.stderr), (from_source.code, &from_source.stderr));
}

#[test]
fn a_damaged_program_file_cannot_be_run() {
    let dir = tempfile::tempdir().expect("a scratch folder");
    write(dir.path(), "program.playc", "{\"format\":3,\"not\":\"a program\"}");
    let run = play(dir.path(), &["test", "program.playc"]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(
        run.stderr.starts_with("error: cannot load `program.playc`: this is not a play program, or it is damaged: "),
        "{}",
        run.stderr
    );
}
