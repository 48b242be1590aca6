//! Ad hoc tasks in the engine: a `"change":"task"` line makes a task at once, with no run
//! and no run history; without an `id` the engine makes one that a fold of the same lines
//! makes again; it is worked by its id like any task; a bad line is refused naming its
//! field; and the line reads back as written.

use play_compiler::program::Program;
use play_runtime::change::{parse_change, to_json_line};
use play_runtime::config::Workspace;
use play_runtime::engine::{ActionState, Engine};
use play_runtime::store::MemoryStore;

fn program() -> Program {
    play_compiler::lower::build(&[("schema.play", "")]).unwrap_or_else(|_| panic!("the schema builds"))
}

const TASK: &str = r#"{"at":"2026-03-02T09:00:00Z","change":"task","title":"Call Vic","record":"Account/acme","to":"jo@example.com","due":"2026-03-10T09:00:00Z","note":"He asked","by":"lee@example.com"}"#;

/// The lines folded by a fresh engine: the ids of the tasks made, and the engine.
fn fold(lines: &[&str]) -> (Vec<String>, Engine<MemoryStore>) {
    let program = program();
    let workspace = Workspace::default();
    let mut engine = Engine::new(program.clone(), workspace.clone(), MemoryStore::new(program.schema.records.len()), 0);
    let mut ids = Vec::new();
    for line in lines {
        let change = parse_change(line, &program, &workspace).expect("a good line");
        engine.ingest(change).expect("taken");
        ids.extend(engine.take_output().actions.into_iter().map(|a| a.id));
    }
    (ids, engine)
}

#[test]
fn a_task_line_makes_a_task_at_once_with_the_same_id_on_every_fold() {
    let (ids, mut engine) = fold(&[TASK, TASK]);
    assert_eq!(ids.len(), 2, "two lines, two tasks");
    assert_ne!(ids[0], ids[1], "each its own id");
    assert_eq!(fold(&[TASK, TASK]).0, ids, "a fold of the same lines makes the same ids");
    let program = program();
    let workspace = Workspace::default();
    let complete = format!(
        r#"{{"at":"2026-03-02T10:00:00Z","change":"action","op":"complete","action":"{}","by":"jo@example.com","note":"done"}}"#,
        ids[0]
    );
    engine.ingest(parse_change(&complete, &program, &workspace).unwrap()).expect("completed by its id");
    let out = engine.take_output();
    assert_eq!(out.updates.len(), 1);
    assert_eq!((out.updates[0].id.as_str(), out.updates[0].state), (ids[0].as_str(), ActionState::Done));
    assert!(out.history.is_empty(), "an ad hoc task has no run history");
    let again = engine.ingest(parse_change(&complete, &program, &workspace).unwrap());
    assert!(again.is_err_and(|r| r.message.contains("not open any more")), "closed once");
}

#[test]
fn the_action_is_a_task_of_no_playbook() {
    let program = program();
    let workspace = Workspace::default();
    let mut engine = Engine::new(program.clone(), workspace.clone(), MemoryStore::new(program.schema.records.len()), 0);
    let line = TASK.replace(r#""change":"task","#, r#""change":"task","id":"t-1","#);
    engine.ingest(parse_change(&line, &program, &workspace).unwrap()).unwrap();
    let action = engine.take_output().actions.pop().expect("made at once");
    let json: serde_json::Value = serde_json::from_str(&action.to_json_line()).unwrap();
    assert_eq!(json["id"], "t-1");
    assert_eq!((json["action"].as_str(), json["playbook"].as_str()), (Some("task"), Some("")));
    assert_eq!((json["title"].as_str(), json["to"].as_str()), (Some("Call Vic"), Some("jo@example.com")));
    assert_eq!((json["due"].as_str(), json["note"].as_str()), (Some("2026-03-10T09:00:00Z"), Some("He asked")));
    let twice = engine.ingest(parse_change(&line, &program, &workspace).unwrap());
    assert!(twice.is_err_and(|r| r.field.as_deref() == Some("id")), "an open action's id is not taken twice");
    let change = parse_change(&line, &program, &workspace).unwrap();
    assert_eq!(parse_change(&to_json_line(&change, &program), &program, &workspace).unwrap(), change, "reads back");
}

#[test]
fn a_bad_task_line_is_refused_naming_its_field() {
    let program = program();
    let workspace = Workspace::default();
    let cases = [
        (r#""title":"x","record":"Acount/a""#, Some("record"), "did you mean `Account`"),
        (r#""title":"x","record":"acme""#, Some("record"), "is not a record"),
        (r#""record":"Account/a""#, None, "missing `title`"),
        (r#""title":" ","record":"Account/a""#, Some("title"), "cannot be blank"),
        (r#""title":"x","record":"Account/a","to":"jo""#, Some("to"), "not a teammate's email"),
        (r#""title":"x","record":"Account/a","due":"soon""#, Some("due"), "`due`"),
        (r#""title":"x","record":"Account/a","id":"a/b""#, Some("id"), "cannot be a task's id"),
        (r#""title":"x","record":"Account/a","owner":"jo@example.com""#, None, "unknown key `owner`"),
    ];
    for (keys, field, says) in cases {
        let line = format!(r#"{{"at":"2026-03-02T09:00:00Z","change":"task",{keys}}}"#);
        let refused = parse_change(&line, &program, &workspace).expect_err(&line);
        assert_eq!(refused.field.as_deref(), field, "{line}: {}", refused.message);
        assert!(refused.message.contains(says), "{line}: {}", refused.message);
    }
}
