//! The VM: every evaluation has a step budget, and going over it is a fault with a place,
//! recorded like any run-time failure, never a hang or a panic.

use play_compiler::program::{Code, Const, Op};
use play_runtime::config::Workspace;
use play_runtime::store::MemoryStore;
use play_runtime::value::Value;
use play_runtime::vm::{Ctx, Fault, Vm, STEP_BUDGET};
use serde_json::json;

use crate::harness::{account, build, World};

/// Code that never ends: push `true`, jump back while it is true.
fn endless(program: &mut play_compiler::program::Program, span_of: &Code) -> Code {
    program.consts.push(Const::Bool(true));
    let index = program.consts.len() as u32 - 1;
    let span = span_of.spans.first().copied().unwrap_or_default();
    Code {
        ops: vec![Op::Const { index }, Op::JumpIfTrue { to: 0 }],
        spans: vec![span, span],
        source: span_of.source.clone(),
    }
}

#[test]
fn an_evaluation_over_the_step_budget_is_a_fault() {
    let mut program = build("");
    let code = endless(&mut program, &Code::default());
    let consts: Vec<Value> = program.consts.iter().map(|c| Value::from_const(c, |_| 0)).collect();
    let store = MemoryStore::new(program.schema.records.len());
    let workspace = Workspace::default();
    let id = std::sync::Arc::from("acme");
    let ctx = Ctx {
        program: &program,
        consts: &consts,
        data: &store,
        workspace: &workspace,
        now: 0,
        subject_type: 0,
        subject_id: &id,
        subject: &[],
        old: None,
        trigger_event: None,
        awaited: None,
        timed_out: false,
    };
    let mut vm = Vm::new();
    match vm.eval(&code, &ctx) {
        Err(Fault::Failed { message, .. }) => assert_eq!(message, "this took too many steps to work out"),
        other => panic!("expected a fault after {STEP_BUDGET} steps, got {other:?}"),
    }
    // The budget is per evaluation: the next one starts afresh.
    let short = Code {
        ops: vec![Op::Const { index: code_index(&code) }],
        spans: vec![Default::default()],
        source: String::new(),
    };
    assert_eq!(vm.eval(&short, &ctx), Ok(Value::Bool(true)));
}

fn code_index(code: &Code) -> u32 {
    match code.ops[0] {
        Op::Const { index } => index,
        _ => unreachable!("the endless code starts with a constant"),
    }
}

#[test]
fn a_condition_over_the_step_budget_is_a_recorded_failure_with_its_place() {
    let src = r##"playbook endless {
  for account: Account
  on account.health falls
  when account.arr > 0
  step review {
    notify slack "#cs" "review"
  }
}
"##;
    let mut program = build(src);
    let condition = program.playbooks[0].conditions[0].clone();
    program.playbooks[0].conditions[0] = endless(&mut program, &condition);
    let mut w = World::with(src, Workspace::default());
    w.engine.reload(program);
    w.given("Account/acme", account(json!({})));
    w.upsert("Account/acme", json!({"health": 41}));
    assert_eq!(w.actions(), Vec::<String>::new());
    assert_eq!(w.history(), ["failed at rules.play:4:8: this took too many steps to work out"]);
}
