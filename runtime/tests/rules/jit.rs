//! The JIT (`play_runtime::jit`) against the predicates and the interpreter: over generated
//! conditions and generated accounts, with awkward values (empty, NaN, infinities, the
//! largest and smallest integers, an enum of another type, a text where a number belongs),
//! compiled code gives the value the interpreter gives, or hands over and the interpreter
//! gives the value or the fault at its place (differential testing).

use std::sync::Arc;

use chrono::{Days, NaiveDate};
use play_compiler::program::Program;
use play_runtime::config::Workspace;
use play_runtime::engine::Loaded;
use play_runtime::store::MemoryStore;
use play_runtime::value::Value;
use play_runtime::vm::{Ctx, Tier, Vm};
use proptest::prelude::*;

use crate::harness::build;

/// A number a field is compared with: integers and decimals, small, large and negative.
fn number() -> impl Strategy<Value = String> {
    prop_oneof![
        (0i64..200).prop_map(|n| n.to_string()),
        (0i64..200).prop_map(|n| format!("-{n}")),
        (0u32..2000).prop_map(|n| format!("{}.{}", n / 10, n % 10)),
        Just("9_223_372_036_854_775_807".to_string()),
        Just("-9_223_372_036_854_775_807".to_string()),
        Just("9_007_199_254_740_993".to_string()),
        Just(format!("{}.0", "9".repeat(300))),
        Just("200_000".to_string()),
    ]
}

/// A condition on an account: the leaves compiled code works out itself (numbers, enums,
/// `exists`) and some it hands to the slow path (dates, lists, arithmetic).
fn condition() -> impl Strategy<Value = String> {
    let leaf = prop_oneof![
        4 => (
            prop::sample::select(vec!["health", "weekly_active_users", "arr"]),
            prop::sample::select(vec!["<", "<=", ">", ">=", "==", "!="]),
            number()
        )
            .prop_map(|(f, op, n)| format!("account.{f} {op} {n}")),
        2 => (
            prop::sample::select(vec!["==", "!="]),
            prop::sample::select(vec!["Onboarding", "Adoption", "Renewal", "Churned"])
        )
            .prop_map(|(op, s)| format!("account.stage {op} {s}")),
        2 => (prop::sample::select(vec!["==", "!="]), prop::sample::select(vec!["Smb", "MidMarket", "Enterprise"]))
            .prop_map(|(op, t)| format!("account.tier {op} {t}")),
        1 => (any::<bool>(), prop::sample::subsequence(vec!["Smb", "MidMarket", "Enterprise"], 1..3))
            .prop_map(|(not, t)| format!("account.tier {}in [{}]", if not { "not " } else { "" }, t.join(", "))),
        1 => prop::sample::select(vec!["vip", "beta"]).prop_map(|t| format!("contains(account.tags, \"{t}\")")),
        1 => prop::sample::select(vec!["renewal_date", "used_seats", "health"]).prop_map(|f| format!("exists(account.{f})")),
        1 => (0u32..90, 0u32..200).prop_map(|(a, b)| format!("(account.renewal_date ?? today() + {a}d) <= today() + {b}d")),
        1 => (0u32..30).prop_map(|b| format!("(account.renewal_date ?? today()) > today() + {b}bd - 1d")),
        1 => (0i64..20).prop_map(|n| format!("(account.used_seats ?? 0) > {n}")),
        1 => (1u32..5000).prop_map(|n| format!("account.arr / account.health > {n}")),
        1 => (0i64..12).prop_map(|n| format!("(account.used_seats ?? {n}) + 9_223_372_036_854_775_800 > 0")),
    ];
    leaf.prop_recursive(3, 12, 2, |inner| {
        prop_oneof![
            (inner.clone(), inner.clone()).prop_map(|(a, b)| format!("({a} and {b})")),
            (inner.clone(), inner.clone()).prop_map(|(a, b)| format!("({a} or {b})")),
            inner.prop_map(|a| format!("not ({a})")),
        ]
    })
}

/// A value for a number field: mostly ordinary, sometimes empty, NaN, infinite, at the
/// integer bounds, or a text (a type the checker would not allow, as a change line could).
fn number_value() -> impl Strategy<Value = Value> {
    prop_oneof![
        4 => (0i64..200).prop_map(|n| Value::Num(n as f64)),
        3 => (-5i64..300_000).prop_map(Value::Int),
        2 => Just(Value::Empty),
        1 => prop::sample::select(vec![
            f64::NAN, f64::INFINITY, f64::NEG_INFINITY, -0.0, 1e300, 9_007_199_254_740_993.0, 59.5, 200_000.0
        ])
        .prop_map(Value::Num),
        1 => prop::sample::select(vec![i64::MIN, i64::MAX, i64::MAX - 7, 200_000, 9_007_199_254_740_993])
            .prop_map(Value::Int),
        1 => Just(Value::text("12")),
    ]
}

/// An account's fields for one generated record.
#[derive(Clone, Debug)]
struct Account {
    numbers: [Value; 5],
    stage: u32,
    tier: u32,
    /// 0: the tier as it should be; 1: empty; 2: an enum of another type; 3: a number.
    tier_kind: u32,
    renewal: Option<u64>,
    tags: u8,
}

fn account() -> impl Strategy<Value = Account> {
    (
        [number_value(), number_value(), number_value(), number_value(), number_value()],
        0u32..5,
        0u32..4,
        prop_oneof![6 => Just(0u32), 1 => 1u32..4],
        prop::option::of(0u64..400),
        0u8..4,
    )
        .prop_map(|(numbers, stage, tier, tier_kind, renewal, tags)| Account {
            numbers,
            stage,
            tier,
            tier_kind,
            renewal,
            tags,
        })
}

/// The fields of `a` by slot in `program`'s `Account`.
fn fields(program: &Program, a: &Account) -> Vec<Value> {
    let r = program.schema.record_named("Account").expect("the standard library defines Account");
    let def = &program.schema.records[r];
    let ty = |name: &str| program.schema.enums.iter().position(|e| e.name == name).expect("a standard enum") as u32;
    let mut fields = vec![Value::Empty; def.fields.len()];
    let mut set = |name: &str, v: Value| fields[def.slot(name).expect("an Account field")] = v;
    for (name, v) in ["health", "weekly_active_users", "arr", "used_seats", "licensed_seats"].iter().zip(&a.numbers) {
        set(name, v.clone());
    }
    // A variant past the last is possible too (a program changed under a stored record).
    set("stage", Value::Enum { ty: ty("Stage"), variant: a.stage });
    set(
        "tier",
        match a.tier_kind {
            0 => Value::Enum { ty: ty("Tier"), variant: a.tier },
            1 => Value::Empty,
            2 => Value::Enum { ty: ty("Stage"), variant: a.tier },
            _ => Value::Int(i64::from(a.tier)),
        },
    );
    let tags: Vec<Value> =
        ["vip", "beta"].iter().enumerate().filter(|(i, _)| a.tags >> i & 1 == 1).map(|(_, t)| Value::text(t)).collect();
    set("tags", Value::List(Arc::from(tags)));
    if let Some(days) = a.renewal {
        let start = NaiveDate::from_ymd_opt(2026, 1, 1).expect("a date");
        set("renewal_date", Value::Date(start + Days::new(days)));
    }
    fields
}

fn ctx<'a>(
    loaded: &'a Loaded,
    store: &'a MemoryStore,
    workspace: &'a Workspace,
    id: &'a Arc<str>,
    fields: &'a [Value],
    tier: Option<&'a Tier>,
) -> Ctx<'a> {
    loaded.about(store, workspace, 1_772_442_000, 0, id, fields, tier)
}

fn program(condition: &str) -> String {
    format!(
        "playbook p {{\n  for account: Account\n  on account.health falls\n  when {condition}\n  step s {{\n    notify slack \"#cs\" \"look\"\n  }}\n}}\n"
    )
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn compiled_code_gives_what_the_interpreter_gives(
        condition in condition(),
        accounts in prop::collection::vec(account(), 16),
        zone in prop::sample::select(vec![chrono_tz::UTC, chrono_tz::Pacific::Auckland]),
    ) {
        let workspace = Workspace { time_zone: zone, ..Workspace::default() };
        let loaded = Loaded::new(build(&program(&condition)), &workspace);
        let jit = Tier::build(&loaded.program, true);
        let predicates = Tier::build(&loaded.program, false);
        let code = &loaded.program.playbooks[0].conditions[0];
        // Every condition with a predicate is compiled (a negative constant is arithmetic,
        // `-` on a number, which no predicate takes: then all three tiers interpret).
        prop_assert_eq!(jit.compiled(code), jit.get(code).is_some(), "`{}`", condition);
        prop_assert!(!predicates.compiled(code));
        let store = MemoryStore::new(loaded.program.schema.records.len());
        let id: Arc<str> = Arc::from("acme");
        let mut vm = Vm::new();
        for a in &accounts {
            let fields = fields(&loaded.program, a);
            let at = |tier| ctx(&loaded, &store, &workspace, &id, &fields, tier);
            let reference = vm.interpret(code, &at(None));
            prop_assert_eq!(vm.eval(code, &at(Some(&jit))), reference.clone(), "JIT: `{}` on {:?}", condition, a);
            prop_assert_eq!(vm.eval(code, &at(Some(&predicates))), reference, "predicates: `{}` on {:?}", condition, a);
            prop_assert_eq!(vm.test(code, &at(Some(&jit))), vm.test(code, &at(None)));
        }
    }
}

/// The benchmark's condition is compiled, and reads numbers stored as `Int` or `Num`.
#[test]
fn the_commonest_condition_is_compiled_and_right() {
    let src = program("account.tier == Enterprise and account.arr > 200_000 and account.health < 60");
    let workspace = Workspace::default();
    let loaded = Loaded::new(build(&src), &workspace);
    let jit = Tier::build(&loaded.program, true);
    let code = &loaded.program.playbooks[0].conditions[0];
    assert!(jit.compiled(code));
    let store = MemoryStore::new(loaded.program.schema.records.len());
    let id: Arc<str> = Arc::from("acme");
    let mut vm = Vm::new();
    let mut answers = Vec::new();
    for (arr, health) in [
        (Value::Num(250_000.0), Value::Int(50)),
        (Value::Int(250_000), Value::Num(59.9)),
        (Value::Int(200_000), Value::Num(10.0)),
        (Value::Num(250_000.0), Value::Num(60.0)),
    ] {
        let a = Account {
            numbers: [health, Value::Empty, arr, Value::Empty, Value::Empty],
            stage: 0,
            tier: 2,
            tier_kind: 0,
            renewal: None,
            tags: 0,
        };
        let fields = fields(&loaded.program, &a);
        let at = ctx(&loaded, &store, &workspace, &id, &fields, Some(&jit));
        let answer = vm.test(code, &at).expect("no fault");
        // The compiled code answers by itself, without the predicate or the interpreter.
        assert_eq!(jit.native_answer(code, &at), Some(answer));
        answers.push(answer);
    }
    assert_eq!(answers, [true, true, false, false]);
}

/// NaN has no order: the compiled code hands over, and the interpreter's fault comes out.
#[test]
fn nan_in_an_ordering_is_the_interpreters_fault() {
    let src = program("account.health < 60");
    let workspace = Workspace::default();
    let loaded = Loaded::new(build(&src), &workspace);
    let jit = Tier::build(&loaded.program, true);
    let code = &loaded.program.playbooks[0].conditions[0];
    let store = MemoryStore::new(loaded.program.schema.records.len());
    let id: Arc<str> = Arc::from("acme");
    let a = Account {
        numbers: [Value::Num(f64::NAN), Value::Empty, Value::Empty, Value::Empty, Value::Empty],
        stage: 0,
        tier: 0,
        tier_kind: 0,
        renewal: None,
        tags: 0,
    };
    let fields = fields(&loaded.program, &a);
    let mut vm = Vm::new();
    assert_eq!(jit.native_answer(code, &ctx(&loaded, &store, &workspace, &id, &fields, None)), None);
    let got = vm.eval(code, &ctx(&loaded, &store, &workspace, &id, &fields, Some(&jit)));
    assert_eq!(got, vm.interpret(code, &ctx(&loaded, &store, &workspace, &id, &fields, None)));
    assert!(matches!(got, Err(play_runtime::vm::Fault::Failed { .. })), "{got:?}");
}
