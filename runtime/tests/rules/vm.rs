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
        tier: None,
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

#[test]
fn a_segment_that_uses_itself_is_a_fault_not_a_crash() {
    // The checker refuses such a segment; a program file could still say it.
    let src = r##"segment low for account: Account = account.health < 40

playbook watch {
  for account: Account
  on account.health falls
  when low
  step review {
    notify slack "#cs" "review"
  }
}
"##;
    let mut w = with_low_defined_by_itself(src);
    w.given("Account/acme", account(json!({"health": 50})));
    w.upsert("Account/acme", json!({"health": 41}));
    assert_eq!(w.actions(), Vec::<String>::new());
    assert_eq!(w.history(), ["failed at rules.play:1:36: segments use each other too deeply to work out"]);
}

#[test]
fn a_segment_too_deep_to_work_out_is_a_recorded_failure_for_its_membership_not_silence() {
    // Membership used to treat the fault as "not a member": the playbook never fired and
    // nothing said why.
    let src = r##"segment low for account: Account = account.health < 40

playbook watch {
  for account: Account
  on enters low
  step review {
    notify slack "#cs" "review"
  }
}
"##;
    let mut w = with_low_defined_by_itself(src);
    w.given("Account/acme", account(json!({"health": 50})));
    w.upsert("Account/acme", json!({"health": 30}));
    assert_eq!(w.actions(), Vec::<String>::new());
    // Once when the record is given, once when it changes.
    assert_eq!(w.history(), ["failed at rules.play:1:36: segments use each other too deeply to work out"; 2]);
}

mod fused {
    //! `field_compare` is `subject_field; const; <comparison>` in one instruction, and
    //! `compare_quick` is `compare` with the common cases worked out in place: each must
    //! agree with what it stands for on every pair of values, errors included
    //! (differential testing).

    use std::sync::Arc;

    use chrono::NaiveDate;
    use play_compiler::program::{Cmp, Code, Duration, Op, SrcSpan};
    use play_runtime::config::Workspace;
    use play_runtime::store::MemoryStore;
    use play_runtime::value::Value;
    use play_runtime::vm::{compare, compare_quick, Ctx, Vm};
    use proptest::prelude::*;

    use crate::harness::build;

    fn value() -> impl Strategy<Value = Value> {
        prop_oneof![
            Just(Value::Empty),
            any::<bool>().prop_map(Value::Bool),
            (-3i64..3).prop_map(Value::Int),
            prop_oneof![(-3i64..3).prop_map(|n| n as f64 / 2.0), Just(f64::NAN)].prop_map(Value::Num),
            prop::sample::select(vec!["", "a", "b", "ab"]).prop_map(Value::text),
            (0u32..3).prop_map(|d| Value::Date(NaiveDate::from_ymd_opt(2026, 3, 1 + d).expect("a date"))),
            (0i64..3).prop_map(|d| Value::Moment(1_772_323_200 + d * 43_200)),
            (0u32..2, 0u32..3).prop_map(|(ty, variant)| Value::Enum { ty, variant }),
            (0i64..3).prop_map(|s| Value::Duration(Duration { seconds: s * 86_400, business_days: 0 })),
            Just(Value::List(Arc::from(vec![Value::text("a")]))),
        ]
    }

    fn cmp() -> impl Strategy<Value = Cmp> {
        prop::sample::select(vec![Cmp::Eq, Cmp::Ne, Cmp::Lt, Cmp::Le, Cmp::Gt, Cmp::Ge])
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 2048, ..ProptestConfig::default() })]

        #[test]
        fn a_fused_comparison_agrees_with_the_three_instructions_it_replaces(field in value(), constant in value(), cmp in cmp()) {
            let program = build("");
            let consts = vec![constant];
            let subject = vec![field];
            let store = MemoryStore::new(program.schema.records.len());
            let workspace = Workspace::default();
            let id: Arc<str> = Arc::from("acme");
            let ctx = Ctx {
                program: &program,
                consts: &consts,
                data: &store,
                workspace: &workspace,
                now: 1_772_442_000,
                subject_type: 0,
                subject_id: &id,
                subject: &subject,
                old: None,
                trigger_event: None,
                awaited: None,
                timed_out: false,
                tier: None,
            };
            let span = SrcSpan::default();
            let apart = Code { ops: vec![Op::SubjectField { slot: 0 }, Op::Const { index: 0 }, cmp.op()], spans: vec![span; 3], source: String::new() };
            let fused = Code { ops: vec![Op::FieldCompare { slot: 0, index: 0, cmp }], spans: vec![span], source: String::new() };
            let mut vm = Vm::new();
            prop_assert_eq!(vm.eval(&fused, &ctx), vm.eval(&apart, &ctx));
            prop_assert_eq!(compare_quick(cmp.op(), &subject[0], &consts[0], &ctx), compare(cmp.op(), &subject[0], &consts[0], &ctx));
        }
    }
}

/// A world running `src` with its segment `low` made to use itself, as a program file (which
/// the checker never saw) could say.
fn with_low_defined_by_itself(src: &str) -> World {
    let mut program = build(src);
    let s = program.segments.iter().position(|s| s.name == "low").expect("the segment");
    let span = program.segments[s].value.spans.first().copied().unwrap_or_default();
    program.segments[s].value =
        Code { ops: vec![Op::Segment { index: s as u32 }], spans: vec![span], source: "low".into() };
    let mut w = World::with(src, Workspace::default());
    w.engine.reload(program);
    w
}
