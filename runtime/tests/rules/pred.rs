//! Predicates (`vm::pred`) against the interpreter: over generated conditions and
//! generated accounts, a condition with a predicate gives the same value, or the same
//! fault at the same place, as the bytecode it stands for (differential testing).

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

/// A condition on an account, of the shapes predicates take, from plain comparisons to
/// arithmetic that can fail (a division by a health of zero).
fn condition() -> impl Strategy<Value = String> {
    let leaf = prop_oneof![
        (
            prop::sample::select(vec!["health", "weekly_active_users", "arr"]),
            prop::sample::select(vec!["<", "<=", ">", ">=", "==", "!="]),
            0u32..120
        )
            .prop_map(|(f, op, n)| format!("account.{f} {op} {n}")),
        (
            prop::sample::select(vec!["==", "!="]),
            prop::sample::select(vec!["Onboarding", "Adoption", "Renewal", "Churned"])
        )
            .prop_map(|(op, s)| format!("account.stage {op} {s}")),
        (any::<bool>(), prop::sample::subsequence(vec!["Smb", "MidMarket", "Enterprise"], 1..3))
            .prop_map(|(not, t)| format!("account.tier {}in [{}]", if not { "not " } else { "" }, t.join(", "))),
        prop::sample::select(vec!["vip", "beta", "at-risk"]).prop_map(|t| format!("contains(account.tags, \"{t}\")")),
        Just("exists(account.renewal_date)".to_string()),
        (0u32..90, 0u32..200).prop_map(|(a, b)| format!("(account.renewal_date ?? today() + {a}d) <= today() + {b}d")),
        (0u32..30, 0u32..60)
            .prop_map(|(a, b)| format!("(account.renewal_date ?? today() + {a}bd) > today() + {b}bd - 1d")),
        (0i64..20).prop_map(|n| format!("(account.used_seats ?? 0) > {n}")),
        (1u32..5000).prop_map(|n| format!("account.arr / account.health > {n}")),
        // Arithmetic that overflows for some values: a fault in both tiers, never a value.
        (1u32..200_000).prop_map(|n| format!("today() + 52560000m * (account.used_seats ?? {n}) > today()")),
        (1u32..200).prop_map(|n| format!(
            "(account.renewal_date ?? today()) + 36500d * (account.used_seats ?? {n}) > today()"
        )),
        (0i64..12).prop_map(|n| format!("(account.used_seats ?? {n}) + 9_223_372_036_854_775_800 > 0")),
        Just("(account.used_seats ?? 1) * 9_223_372_036_854_775_807 > 0".to_string()),
        Just(format!("account.arr * {}.0 > 1", "9".repeat(305))),
        (1u32..40_000).prop_map(|n| format!("today() - 1d * (account.used_seats ?? {n}) * 100 < today()")),
    ];
    leaf.prop_recursive(3, 12, 2, |inner| {
        prop_oneof![
            (inner.clone(), inner.clone()).prop_map(|(a, b)| format!("({a} and {b})")),
            (inner.clone(), inner.clone()).prop_map(|(a, b)| format!("({a} or {b})")),
            inner.prop_map(|a| format!("not ({a})")),
        ]
    })
}

/// An account's fields by slot, from a seed: empty values where the field is optional.
fn account(program: &Program, seed: u64) -> Vec<Value> {
    let r = program.schema.record_named("Account").expect("the standard library defines Account");
    let def = &program.schema.records[r];
    let variant = |ty: &str, i: u64| {
        let e = program.schema.enums.iter().position(|e| e.name == ty).expect("a standard enum");
        Value::Enum { ty: e as u32, variant: (i % program.schema.enums[e].variants.len() as u64) as u32 }
    };
    let mut fields = vec![Value::Empty; def.fields.len()];
    let mut set = |name: &str, v: Value| fields[def.slot(name).expect("an Account field")] = v;
    let bit = |n: u32| seed >> n & 1 == 1;
    set("health", Value::Num((seed % 7 * 20) as f64));
    set("arr", Value::Num((seed / 7 % 5 * 100_000) as f64));
    set("weekly_active_users", Value::Int((seed / 35 % 4 * 40) as i64));
    set("stage", variant("Stage", seed / 140));
    set("tier", variant("Tier", seed / 560));
    let tags: Vec<Value> =
        ["vip", "beta"].iter().enumerate().filter(|(i, _)| bit(12 + *i as u32)).map(|(_, t)| Value::text(t)).collect();
    set("tags", Value::List(Arc::from(tags)));
    if bit(14) {
        let today = NaiveDate::from_ymd_opt(2026, 3, 2).expect("a date");
        set("renewal_date", Value::Date(today + Days::new(seed / 32768 % 150)));
    }
    if bit(15) {
        set("used_seats", Value::Int((seed / 65536 % 30) as i64));
    }
    fields
}

/// What an evaluation of an account's condition sees: its fields and the clock, nothing
/// of a trigger or an event.
fn about<'a>(
    loaded: &'a Loaded,
    store: &'a MemoryStore,
    workspace: &'a Workspace,
    now: i64,
    id: &'a Arc<str>,
    fields: &'a [Value],
    tier: Option<&'a Tier>,
) -> Ctx<'a> {
    loaded.about(store, workspace, now, 0, id, fields, tier)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn a_predicate_gives_what_the_interpreter_gives(
        condition in condition(),
        seeds in prop::collection::vec(any::<u64>(), 24),
        zone in prop::sample::select(vec![chrono_tz::UTC, chrono_tz::Pacific::Auckland, chrono_tz::America::Los_Angeles]),
    ) {
        let src = format!(
            "playbook p {{\n  for account: Account\n  on account.health falls\n  when {condition}\n  step s {{\n    notify slack \"#cs\" \"look\"\n  }}\n}}\n"
        );
        let mut workspace = Workspace { time_zone: zone, ..Workspace::default() };
        workspace.calendar.holidays.insert(NaiveDate::from_ymd_opt(2026, 3, 4).expect("a date"));
        let loaded = Loaded::new(build(&src), &workspace);
        let code = &loaded.program.playbooks[0].conditions[0];
        prop_assert!(loaded.tier.get(code).is_some(), "`{}` has no predicate", condition);
        let store = MemoryStore::new(loaded.program.schema.records.len());
        let id: Arc<str> = Arc::from("acme");
        let mut vm = Vm::new();
        for seed in seeds {
            let fields = account(&loaded.program, seed);
            let ctx = |tier| about(&loaded, &store, &workspace, 1_772_442_000, &id, &fields, tier);
            let reference = vm.interpret(code, &ctx(None));
            prop_assert_eq!(vm.eval(code, &ctx(Some(&loaded.tier))), reference.clone(), "`{}` on {:?}", condition, fields);
            prop_assert_eq!(vm.test(code, &ctx(Some(&loaded.tier))), vm.test(code, &ctx(None)));
        }
    }
}

/// Overflowing arithmetic is a fault at the operator, from the predicate tier as from
/// the interpreter — not a wrapped value that makes the condition false.
#[test]
fn overflowing_time_arithmetic_is_a_fault_in_both_tiers() {
    let src = "playbook p {\n  for account: Account\n  on account.health falls\n  when today() + 52560000m * (account.used_seats ?? 100000) > today()\n  step s {\n    notify slack \"#cs\" \"look\"\n  }\n}\n";
    let workspace = Workspace::default();
    let loaded = Loaded::new(build(src), &workspace);
    let code = &loaded.program.playbooks[0].conditions[0];
    assert!(loaded.tier.get(code).is_some(), "the condition has a predicate");
    let store = MemoryStore::new(loaded.program.schema.records.len());
    let id: Arc<str> = Arc::from("acme");
    let fields = account(&loaded.program, 0);
    let mut vm = Vm::new();
    for tier in [None, Some(&loaded.tier)] {
        let ctx = about(&loaded, &store, &workspace, 1_772_442_000, &id, &fields, tier);
        match vm.eval(code, &ctx) {
            Err(play_runtime::vm::Fault::Failed { message, span }) => {
                assert!(message.contains("overflows"), "{message}");
                assert_eq!(
                    &src[span.start as usize..span.end as usize],
                    "52560000m * (account.used_seats ?? 100000)",
                    "{span:?}"
                );
            }
            other => panic!("expected a fault, got {other:?}"),
        }
    }
}

/// Clock terms (`today() + 1d`) are worked out once per moment; one VM evaluating at the
/// same moment in another time zone must not reuse them.
#[test]
fn a_clock_term_is_worked_out_again_in_another_time_zone() {
    let src = "playbook p {\n  for account: Account\n  on account.health falls\n  when (account.renewal_date ?? today()) == today() + 1d\n  step s {\n    notify slack \"#cs\" \"look\"\n  }\n}\n";
    let utc = Workspace::default();
    let loaded = Loaded::new(build(src), &utc);
    let code = &loaded.program.playbooks[0].conditions[0];
    assert!(loaded.tier.get(code).is_some(), "the condition has a predicate");
    let store = MemoryStore::new(loaded.program.schema.records.len());
    let id: Arc<str> = Arc::from("acme");
    let mut fields = account(&loaded.program, 0);
    // 2026-03-02T20:00:00Z: the 2nd in UTC, already the 3rd in Auckland.
    let r = loaded.program.schema.record_named("Account").expect("the standard library defines Account");
    let slot = loaded.program.schema.records[r].slot("renewal_date").expect("a field");
    fields[slot] = Value::Date(NaiveDate::from_ymd_opt(2026, 3, 3).expect("a date"));
    let auckland = Workspace { time_zone: chrono_tz::Pacific::Auckland, ..Workspace::default() };
    let mut vm = Vm::new();
    let mut answers = Vec::new();
    for workspace in [&utc, &auckland, &utc] {
        let ctx = about(&loaded, &store, workspace, 1_772_481_600, &id, &fields, Some(&loaded.tier));
        answers.push(vm.test(code, &ctx).expect("no fault"));
    }
    assert_eq!(answers, [true, false, true]);
}
