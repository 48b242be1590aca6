//! Program files that are whole (their hash matches) but not what the compiler makes: they
//! are refused when loaded, with exit status 2 and what is wrong, and nothing that loads
//! can make `play test` or a replay panic.

use std::path::Path;

use play_compiler::program::{LoadError, Program, TriggerKind};
use proptest::prelude::*;
use serde_json::Value as Json;

use crate::direct::{self, Project};
use crate::support::play;

const EXAMPLES: [&str; 4] =
    ["examples/customer-success", "examples/case-management", "examples/sales-automation", "examples/signals"];

/// A program edited as JSON and given the hash of its new content.
fn rehashed(mut program: Program) -> Vec<u8> {
    program.hash = program.content_hash();
    program.to_bytes()
}

#[test]
fn every_example_program_validates() {
    for folder in EXAMPLES.iter().chain(&["tests/fixtures/test_project"]) {
        let program = direct::compile(folder).program;
        assert_eq!(program.validate(), Ok(()), "{folder}");
        assert_eq!(Program::from_bytes(&program.to_bytes()).as_ref(), Ok(&program), "{folder}");
    }
}

#[test]
fn a_trigger_index_naming_a_playbook_that_does_not_exist_is_refused() {
    let mut program = direct::compile("examples/case-management").program;
    program.triggers.timed.push(99);
    let error = Program::from_bytes(&rehashed(program)).expect_err("refused");
    assert_eq!(error, LoadError::Invalid("the trigger index does not match the playbooks".into()));
}

#[test]
fn a_field_slot_out_of_range_is_refused_naming_the_playbook_and_trigger() {
    let mut program = direct::compile("examples/customer-success").program;
    let (p, t) = program
        .playbooks
        .iter()
        .enumerate()
        .find_map(|(p, pb)| {
            pb.triggers.iter().position(|t| matches!(t.kind, TriggerKind::Falls { .. })).map(|t| (p, t))
        })
        .expect("a `falls` trigger");
    program.playbooks[p].triggers[t].kind = TriggerKind::Falls { slot: 500 };
    let name = program.playbooks[p].name.clone();
    let Err(LoadError::Invalid(message)) = Program::from_bytes(&rehashed(program)) else { panic!("refused") };
    assert!(message.starts_with(&format!("playbook {p} (`{name}`): trigger {}: field of ", t + 1)), "{message}");
    assert!(message.contains("500 does not exist"), "{message}");
}

#[test]
fn a_limit_of_zero_is_refused() {
    let mut program = direct::compile("examples/customer-success").program;
    program.limits[0].count = 0;
    let Err(LoadError::Invalid(message)) = Program::from_bytes(&rehashed(program)) else { panic!("refused") };
    assert!(message.ends_with("its count is not positive"), "{message}");
}

#[test]
fn a_jump_out_of_its_code_is_refused() {
    let mut program = direct::compile("examples/customer-success").program;
    let code = program
        .playbooks
        .iter_mut()
        .flat_map(|p| p.conditions.iter_mut())
        .find(|c| c.ops.len() > 2)
        .expect("a condition of three instructions or more");
    code.ops[1] = play_compiler::program::Op::JumpIfFalse { to: 10_000 };
    let Err(LoadError::Invalid(message)) = Program::from_bytes(&rehashed(program)) else { panic!("refused") };
    assert!(message.contains("its jump to 10000 is not forward inside the code"), "{message}");
}

#[test]
fn play_test_refuses_a_crafted_program_with_exit_2_and_what_is_wrong() {
    let dir = tempfile::tempdir().expect("a scratch folder");
    let mut program = direct::compile("examples/case-management").program;
    program.triggers.timed.push(99);
    let path = dir.path().join("crafted.playc");
    std::fs::write(&path, rehashed(program)).expect("written");
    for command in [vec!["test"], vec!["replay", "--changes", "/dev/null"]] {
        let mut args = command.clone();
        args.insert(1, path.to_str().expect("UTF-8"));
        let run = play(dir.path(), &args);
        assert_eq!(run.code, 2, "{args:?}: {}", run.stderr);
        assert!(
            run.stderr.contains("this program is not valid: the trigger index does not match the playbooks"),
            "{}",
            run.stderr
        );
    }
}

/// Every integer and every array element of a program's JSON, by path.
fn places(json: &Json, path: &mut Vec<Step>, out: &mut Vec<(Vec<Step>, Kind)>) {
    match json {
        Json::Number(_) => out.push((path.clone(), Kind::Number)),
        Json::Array(items) => {
            if !items.is_empty() {
                out.push((path.clone(), Kind::Array));
            }
            for (i, item) in items.iter().enumerate() {
                path.push(Step::Index(i));
                places(item, path, out);
                path.pop();
            }
        }
        Json::Object(fields) => {
            for (key, item) in fields {
                // Places in the source change nothing the engine relies on.
                if matches!(key.as_str(), "hash" | "format" | "span" | "spans" | "files") {
                    continue;
                }
                path.push(Step::Key(key.clone()));
                places(item, path, out);
                path.pop();
            }
        }
        _ => {}
    }
}

#[derive(Clone, Debug)]
enum Step {
    Key(String),
    Index(usize),
}

#[derive(Clone, Copy, Debug)]
enum Kind {
    Number,
    Array,
}

fn at<'j>(json: &'j mut Json, path: &[Step]) -> Option<&'j mut Json> {
    path.iter().try_fold(json, |j, step| match step {
        Step::Key(k) => j.get_mut(k.as_str()),
        Step::Index(i) => j.get_mut(*i),
    })
}

/// One structural change: an integer set to another (an index, a count, a slot, an
/// operand, a jump target), or an array element removed or repeated.
fn mutate(json: &mut Json, pick: usize, choice: u64) {
    let mut out = Vec::new();
    places(json, &mut Vec::new(), &mut out);
    let Some((path, kind)) = out.get(pick % out.len().max(1)).cloned() else { return };
    let Some(target) = at(json, &path) else { return };
    match kind {
        Kind::Number => {
            let old = target.as_i64().unwrap_or(0);
            let new = match choice % 6 {
                0 => 0,
                1 => old + 1,
                2 => old - 1,
                3 => old + 7,
                4 => i64::from(u32::MAX),
                _ => -1,
            };
            *target = Json::from(new);
        }
        Kind::Array => {
            let Json::Array(items) = target else { return };
            let i = choice as usize % items.len();
            if choice.is_multiple_of(2) {
                items.remove(i);
            } else {
                let copy = items[i].clone();
                items.insert(i, copy);
            }
        }
    }
}

/// The example programs and the replay fixtures run against each.
fn projects() -> &'static [(Project, String)] {
    static PROJECTS: std::sync::OnceLock<Vec<(Project, String)>> = std::sync::OnceLock::new();
    PROJECTS.get_or_init(|| {
        let fixtures = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/replay");
        let mut changes = String::new();
        for name in ["renewal_health_falls.jsonl", "case_triage.jsonl", "call_tracker.jsonl"] {
            changes.push_str(&std::fs::read_to_string(fixtures.join(name)).expect("a fixture"));
        }
        EXAMPLES.iter().map(|f| (direct::compile(f), changes.clone())).collect()
    })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 192, failure_persistence: None, ..ProptestConfig::default() })]

    /// A program mutated structurally and given a matching hash either does not load or
    /// runs its tests and a replay (far into simulated time) without a panic.
    #[test]
    fn a_structurally_mutated_program_is_refused_or_runs_without_a_panic(
        which in 0usize..4,
        edits in prop::collection::vec((any::<usize>(), any::<u64>()), 1..4),
    ) {
        let (project, changes) = &projects()[which];
        let mut json = serde_json::to_value(&project.program).expect("JSON");
        for (pick, choice) in edits {
            mutate(&mut json, pick, choice);
        }
        let Ok(program) = serde_json::from_value::<Program>(json) else { return Ok(()) };
        let Ok(program) = Program::from_bytes(&rehashed(program)) else { return Ok(()) };
        let _ = play_runtime::testing::run_all(&program, &project.workspace);
        let project = Project { program, workspace: project.workspace.clone() };
        let _ = direct::replay(&project, changes, Some(1_830_000_000));
    }
}
