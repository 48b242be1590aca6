//! The JIT (`play_runtime::jit`) against the predicates and the interpreter: over generated
//! conditions and generated accounts, stored as rows in a store laid out for the program
//! (and in one that is not), with awkward values (empty, NaN, infinities, the largest and
//! smallest integers, an enum of another type and a date too wide for their cells, which
//! go to the side list, a text where a number belongs, the first and last dates), compiled
//! code reading the row gives the value the interpreter gives over the row's values, or
//! hands over and the interpreter gives the value or the fault at its place (differential
//! testing), one row at a time, over many rows, and in the compiled scan over a table's
//! rows.

use std::sync::Arc;

use chrono::{Days, NaiveDate};
use play_compiler::program::Program;
use play_runtime::config::Workspace;
use play_runtime::engine::Loaded;
use play_runtime::rows::Row;
use play_runtime::store::{MemoryStore, Store};
use play_runtime::value::Value;
use play_runtime::vm::{Ctx, Fault, Tier, Vm};
use proptest::prelude::*;

use crate::harness::build;

/// `Account`'s number among the standard library's record types.
const ACCOUNT: u32 = 0;

/// The moment the conditions are evaluated at (2026-03-02 09:00 UTC).
const NOW: i64 = 1_772_442_000;

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
/// dates, texts and references against constants, dates and moments against clock terms,
/// `exists`) and some it hands to the slow path (text orderings, lists, arithmetic).
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
        1 => (any::<bool>(), prop::sample::subsequence(vec!["Onboarding", "Adoption", "Renewal", "Churned"], 1..4))
            .prop_map(|(not, s)| format!("account.stage {}in [{}]", if not { "not " } else { "" }, s.join(", "))),
        2 => (prop::sample::select(vec!["<", "<=", ">", ">=", "==", "!="]), 0u32..400)
            .prop_map(|(op, d)| format!("(exists(account.renewal_date) and account.renewal_date {op} {})", date(d))),
        1 => prop::sample::select(vec!["vip", "beta"]).prop_map(|t| format!("contains(account.tags, \"{t}\")")),
        1 => prop::sample::select(vec!["renewal_date", "used_seats", "health"]).prop_map(|f| format!("exists(account.{f})")),
        1 => (0u32..90, 0u32..200).prop_map(|(a, b)| format!("(account.renewal_date ?? today() + {a}d) <= today() + {b}d")),
        1 => (0u32..30).prop_map(|b| format!("(account.renewal_date ?? today()) > today() + {b}bd - 1d")),
        1 => (0i64..20).prop_map(|n| format!("(account.used_seats ?? 0) > {n}")),
        1 => (1u32..5000).prop_map(|n| format!("account.arr / account.health > {n}")),
        1 => (0i64..12).prop_map(|n| format!("(account.used_seats ?? {n}) + 9_223_372_036_854_775_800 > 0")),
        2 => (prop::sample::select(vec!["==", "!=", "<"]), prop::sample::select(vec!["Acme", "Beta", "Zed"]))
            .prop_map(|(op, t)| format!("account.name {op} \"{t}\"")),
        2 => (prop::sample::select(vec!["<", "<=", ">", ">=", "==", "!="]), 0u32..200, any::<bool>()).prop_map(|(op, d, flip)| {
            if flip {
                format!("(exists(account.renewal_date) and today() + {d}d {op} account.renewal_date)")
            } else {
                format!("(exists(account.renewal_date) and account.renewal_date {op} today())")
            }
        }),
        1 => (prop::sample::select(vec!["<", ">=", "=="]), 0u32..30)
            .prop_map(|(op, d)| format!("(exists(account.last_activity_at) and account.last_activity_at {op} now() - {d}d)")),
    ];
    leaf.prop_recursive(3, 12, 2, |inner| {
        prop_oneof![
            (inner.clone(), inner.clone()).prop_map(|(a, b)| format!("({a} and {b})")),
            (inner.clone(), inner.clone()).prop_map(|(a, b)| format!("({a} or {b})")),
            inner.prop_map(|a| format!("not ({a})")),
        ]
    })
}

/// The date `days` after 1 January 2026, as the language writes it.
fn date(days: u32) -> String {
    (NaiveDate::from_ymd_opt(2026, 1, 1).expect("a date") + Days::new(u64::from(days))).format("%Y-%m-%d").to_string()
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
    /// 0: the renewal date as `renewal` says; 1: the first date; 2: the last; 3: a whole
    /// number too wide for a date's cell (to the side list); 4: a small whole number.
    renewal_kind: u32,
    tags: u8,
    /// 0: "Acme"; 1: "Beta"; 2: empty; 3: a number.
    name: u32,
    /// 0 and 1: two teammates; 2: a text; 3: an account of the same id.
    owner: u32,
    /// Seconds from the test's moment the account was last active.
    active: Option<i64>,
}

fn account() -> impl Strategy<Value = Account> {
    (
        [number_value(), number_value(), number_value(), number_value(), number_value()],
        0u32..5,
        0u32..4,
        prop_oneof![6 => Just(0u32), 1 => 1u32..4],
        prop::option::of(0u64..400),
        prop_oneof![8 => Just(0u32), 1 => 1u32..5],
        0u8..4,
        (0u32..4, 0u32..4, prop::option::of(-3_000_000i64..100_000)),
    )
        .prop_map(|(numbers, stage, tier, tier_kind, renewal, renewal_kind, tags, (name, owner, active))| {
            Account { numbers, stage, tier, tier_kind, renewal, renewal_kind, tags, name, owner, active }
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
    match a.name {
        0 => set("name", Value::text("Acme")),
        1 => set("name", Value::text("Beta")),
        2 => {}
        _ => set("name", Value::Int(12)),
    }
    let user = program.schema.record_named("User").expect("the standard library defines User") as u32;
    match a.owner {
        0 => set("owner", Value::Ref { record: user, id: Arc::from("a@x.com") }),
        1 => set("owner", Value::Ref { record: user, id: Arc::from("b@x.com") }),
        2 => set("owner", Value::text("a@x.com")),
        _ => set("owner", Value::Ref { record: ACCOUNT, id: Arc::from("a@x.com") }),
    }
    if let Some(s) = a.active {
        set("last_activity_at", Value::Moment(NOW + s));
    }
    match (a.renewal_kind, a.renewal) {
        (1, _) => set("renewal_date", Value::Date(NaiveDate::MIN)),
        (2, _) => set("renewal_date", Value::Date(NaiveDate::MAX)),
        (3, _) => set("renewal_date", Value::Int(i64::MAX)),
        (4, _) => set("renewal_date", Value::Int(7)),
        (_, Some(days)) => {
            let start = NaiveDate::from_ymd_opt(2026, 1, 1).expect("a date");
            set("renewal_date", Value::Date(start + Days::new(days)));
        }
        (_, None) => {}
    }
    fields
}

/// A store holding `fields` as the account `acme`, its table laid out for the program's
/// schema as the engine lays it out (or, `laid_out` false, as a store never told the
/// schema keeps it: every field in a wide cell).
fn stored(loaded: &Loaded, fields: Vec<Value>, laid_out: bool) -> MemoryStore {
    let mut store = MemoryStore::new(loaded.program.schema.records.len());
    if laid_out {
        store.set_schema(&loaded.program.schema);
    }
    store.put_record(ACCOUNT, Arc::from("acme"), fields);
    store
}

/// The row of `acme` in `store`.
fn row(store: &MemoryStore) -> Row<'_> {
    let (table, texts) = store.table(ACCOUNT).expect("the accounts' table");
    table.present_row(table.find("acme").expect("acme's row"), texts).expect("acme is there")
}

fn ctx<'a>(
    loaded: &'a Loaded,
    store: &'a MemoryStore,
    workspace: &'a Workspace,
    id: &'a Arc<str>,
    fields: &'a [Value],
    tier: Option<&'a Tier>,
) -> Ctx<'a> {
    loaded.about(store, workspace, NOW, 0, id, fields, tier)
}

fn program(condition: &str) -> String {
    format!(
        "playbook p {{\n  for account: Account\n  on every day at 09:00\n  when {condition}\n  step s {{\n    notify slack \"#cs\" \"look\"\n  }}\n}}\n"
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
        let id: Arc<str> = Arc::from("acme");
        let mut vm = Vm::new();
        for a in &accounts {
            let given = fields(&loaded.program, a);
            for laid_out in [true, false] {
                let store = stored(&loaded, given.clone(), laid_out);
                let row = row(&store);
                // What the store gives back is what every tier reads.
                let values = row.to_vec();
                let at = |tier| ctx(&loaded, &store, &workspace, &id, &values, tier);
                let reference = vm.interpret(code, &at(None));
                let what = format!("`{condition}` on {a:?}, laid out {laid_out}");
                prop_assert_eq!(vm.eval_row(code, &at(Some(&jit)), row), reference.clone(), "JIT: {}", what);
                prop_assert_eq!(vm.eval_row(code, &at(Some(&predicates)), row), reference.clone(), "predicates over the row: {}", what);
                prop_assert_eq!(vm.eval(code, &at(Some(&predicates))), reference.clone(), "predicates: {}", what);
                prop_assert_eq!(vm.eval_row(code, &at(None), row), reference.clone(), "interpreter over the row: {}", what);
                prop_assert_eq!(vm.test_row(code, &at(Some(&jit)), row), vm.test(code, &at(None)), "test: {}", what);
                // Compiled code answering alone gives the interpreter's value, and it
                // answers alone only over a row laid out as it was compiled for.
                if let Some(b) = jit.native_answer(code, &at(None), row) {
                    prop_assert!(laid_out, "{}", what);
                    prop_assert_eq!(Ok(Value::Bool(b)), reference, "native: {}", what);
                }
            }
        }
        // Over all the accounts at once, with one context, each tier gives for each row
        // what the interpreter gives over its values.
        for laid_out in [true, false] {
            let mut store = MemoryStore::new(loaded.program.schema.records.len());
            if laid_out {
                store.set_schema(&loaded.program.schema);
            }
            let ids: Vec<Arc<str>> = (0..accounts.len()).map(|i| Arc::from(format!("a{i}"))).collect();
            for (a, id) in accounts.iter().zip(&ids) {
                store.put_record(ACCOUNT, id.clone(), fields(&loaded.program, a));
            }
            let (table, texts) = store.table(ACCOUNT).expect("the accounts' table");
            let rows: Vec<(Row, &Arc<str>)> =
                ids.iter().map(|id| (table.record(id, texts).expect("stored"), id)).collect();
            let reference: Vec<_> = rows
                .iter()
                .map(|(row, id)| vm.test(code, &ctx(&loaded, &store, &workspace, id, &row.to_vec(), None)))
                .collect();
            for (name, tier) in [("JIT", Some(&jit)), ("predicates", Some(&predicates)), ("interpreter", None)] {
                let mut got = Vec::new();
                let at = ctx(&loaded, &store, &workspace, &ids[0], &[], tier);
                vm.test_rows(code, &at, rows.iter().copied(), |answer| got.push(answer));
                prop_assert_eq!(&got, &reference, "{} over all rows: `{}`, laid out {}", name, condition, laid_out);
            }
            // The compiled scan over the table's rows by number, in another order, each
            // many times (more rows than one chunk of the scan), and in order, each once
            // (consecutive row numbers, which the scan counts itself rather than reads),
            // gives each row's answer and fault in that order, and answers alone exactly
            // the rows compiled code answers alone (the others it leaves to be tested one
            // by one).
            let shuffled: Vec<usize> = (0..1_100).map(|i| (i * 7 + i / 16) % ids.len()).collect();
            let in_order: Vec<usize> = (0..ids.len()).collect();
            for (order, consecutive) in [(shuffled, false), (in_order, true)] {
                let numbers: Vec<u32> = order.iter().map(|&i| table.find(&ids[i]).expect("a row")).collect();
                if consecutive {
                    prop_assert!(numbers.iter().enumerate().all(|(i, &r)| r as usize == i), "rows in order");
                }
                let expected: Vec<_> = order.iter().map(|&i| reference[i].clone()).collect();
                let alone_expected = order
                    .iter()
                    .filter(|&&i| jit.native_answer(code, &ctx(&loaded, &store, &workspace, &ids[0], &[], None), rows[i].0).is_some())
                    .count();
                for (name, tier) in [("JIT", Some(&jit)), ("predicates", Some(&predicates)), ("interpreter", None)] {
                    let mut got = Vec::new();
                    let at = ctx(&loaded, &store, &workspace, &ids[0], &[], tier);
                    let alone = vm.test_table(code, &at, (table, texts), &numbers, |answer| got.push(answer));
                    prop_assert_eq!(&got, &expected, "{} scanned: `{}`, laid out {}", name, condition, laid_out);
                    let scanned = if name == "JIT" && laid_out { alone_expected } else { 0 };
                    prop_assert_eq!(alone, scanned, "{} answered alone: `{}`, laid out {}", name, condition, laid_out);
                    prop_assert_eq!(vm.test_table(code, &at, (table, texts), &[], |_| got.push(Ok(true))), 0);
                    prop_assert_eq!(got.len(), numbers.len(), "no rows, no answers");
                }
            }
        }
    }
}

/// An account whose every field holds what its type says (as most stored records do):
/// numbers as `Num`, seat counts as `Int`, the tier and the renewal date as they should
/// be, a name, an owner and a last activity.
fn typed_account() -> impl Strategy<Value = Account> {
    (
        prop_oneof![(0i64..200).prop_map(|n| n as f64), (0u32..3_000_000).prop_map(|n| f64::from(n) / 10.0)],
        (0u32..400, 0u32..300_000, 0i64..50, 0i64..50),
        (0u32..5, 0u32..3, prop::option::of(0u64..400), 0u32..3, 0u32..2, -3_000_000i64..100_000),
    )
        .prop_map(|(health, (users, arr, used, licensed), (stage, tier, renewal, name, owner, active))| Account {
            numbers: [
                Value::Num(health),
                Value::Num(f64::from(users)),
                Value::Num(f64::from(arr)),
                Value::Int(used),
                Value::Int(licensed),
            ],
            stage,
            tier,
            tier_kind: 0,
            renewal,
            renewal_kind: 0,
            tags: 0,
            name,
            owner,
            active: Some(active),
        })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    /// Over rows in order (counted, or given ascending) whose cells mostly hold what their
    /// types say, the compiled scan tests sixteen consecutive rows at a time
    /// (`jit/lanes.rs`) where the condition has a form over lanes, and gives each row the interpreter's answer or fault, whether the sixteen
    /// were answered together or, with an awkward cell among them, one at a time.
    #[test]
    fn sixteen_rows_at_a_time_answer_as_one_at_a_time(
        condition in condition(),
        accounts in prop::collection::vec(prop_oneof![40 => typed_account(), 1 => account()], 40..72),
        zone in prop::sample::select(vec![chrono_tz::UTC, chrono_tz::Pacific::Auckland]),
    ) {
        let workspace = Workspace { time_zone: zone, ..Workspace::default() };
        let loaded = Loaded::new(build(&program(&condition)), &workspace);
        let jit = Tier::build(&loaded.program, true);
        let code = &loaded.program.playbooks[0].conditions[0];
        let mut vm = Vm::new();
        let mut store = MemoryStore::new(loaded.program.schema.records.len());
        store.set_schema(&loaded.program.schema);
        let ids: Vec<Arc<str>> = (0..accounts.len()).map(|i| Arc::from(format!("a{i}"))).collect();
        for (a, id) in accounts.iter().zip(&ids) {
            store.put_record(ACCOUNT, id.clone(), fields(&loaded.program, a));
        }
        let (table, texts) = store.table(ACCOUNT).expect("the accounts' table");
        let rows: Vec<Row> = ids.iter().map(|id| table.record(id, texts).expect("stored")).collect();
        let expected: Vec<_> = rows
            .iter()
            .zip(&ids)
            .map(|(row, id)| vm.test(code, &ctx(&loaded, &store, &workspace, id, &row.to_vec(), None)))
            .collect();
        let at = ctx(&loaded, &store, &workspace, &ids[0], &[], None);
        let alone_expected = rows.iter().filter(|row| jit.native_answer(code, &at, **row).is_some()).count();
        // The rows in order from the first, and from others, so that the sixteen start
        // anywhere among them (counted by the scan), and ascending with gaps (given by
        // number: sixteen at once where they are consecutive, from row 17 on).
        let n = ids.len() as u32;
        let lists: [Vec<u32>; 4] =
            [(0..n).collect(), (1..n).collect(), (7..n).collect(), (0..n).filter(|r| *r != 3 && r % 40 != 39).collect()];
        for numbers in lists {
            let mut got = Vec::new();
            let at = ctx(&loaded, &store, &workspace, &ids[0], &[], Some(&jit));
            let alone = vm.test_table(code, &at, (table, texts), &numbers, |answer| got.push(answer));
            let want: Vec<_> = numbers.iter().map(|&r| expected[r as usize].clone()).collect();
            prop_assert_eq!(&got, &want, "`{}` over rows {:?}", condition, numbers);
            if numbers.len() == ids.len() {
                prop_assert_eq!(alone, alone_expected, "answered alone: `{}`", condition);
            }
        }
    }
}

/// An account with these numbers (health, weekly users, ARR, seats used, seats licensed),
/// an Enterprise in onboarding, renewing `renewal` days into 2026.
fn plain(numbers: [Value; 5], renewal: Option<u64>) -> Account {
    Account {
        numbers,
        stage: 0,
        tier: 2,
        tier_kind: 0,
        renewal,
        renewal_kind: 0,
        tags: 0,
        name: 0,
        owner: 0,
        active: None,
    }
}

/// The benchmark's condition is compiled, and reads numbers stored as `Int` or `Num`
/// straight from the row.
#[test]
fn the_commonest_condition_is_compiled_and_right() {
    let src = program("account.tier == Enterprise and account.arr > 200_000 and account.health < 60");
    let workspace = Workspace::default();
    let loaded = Loaded::new(build(&src), &workspace);
    let jit = Tier::build(&loaded.program, true);
    let code = &loaded.program.playbooks[0].conditions[0];
    assert!(jit.compiled(code));
    let id: Arc<str> = Arc::from("acme");
    let mut vm = Vm::new();
    let mut answers = Vec::new();
    for (arr, health) in [
        (Value::Num(250_000.0), Value::Int(50)),
        (Value::Int(250_000), Value::Num(59.9)),
        (Value::Int(200_000), Value::Num(10.0)),
        (Value::Num(250_000.0), Value::Num(60.0)),
    ] {
        let a = plain([health, Value::Empty, arr, Value::Empty, Value::Empty], None);
        let store = stored(&loaded, fields(&loaded.program, &a), true);
        let at = ctx(&loaded, &store, &workspace, &id, &[], Some(&jit));
        let answer = vm.test_row(code, &at, row(&store)).expect("no fault");
        // The compiled code answers by itself, without the predicate or the interpreter.
        assert_eq!(jit.native_answer(code, &at, row(&store)), Some(answer));
        answers.push(answer);
    }
    assert_eq!(answers, [true, true, false, false]);
}

/// Dates against dates, and `in` a list of enum variants, are read from the row too; a
/// date too wide for its cell (in the side list) is the predicate's to answer.
#[test]
fn dates_and_enum_lists_are_compiled_and_right() {
    let src = program(
        "exists(account.renewal_date) and account.renewal_date < 2026-03-01 and account.stage in [Onboarding, Renewal]",
    );
    let workspace = Workspace::default();
    let loaded = Loaded::new(build(&src), &workspace);
    let jit = Tier::build(&loaded.program, true);
    let code = &loaded.program.playbooks[0].conditions[0];
    let id: Arc<str> = Arc::from("acme");
    let none = [Value::Empty, Value::Empty, Value::Empty, Value::Empty, Value::Empty];
    for (days, stage, holds) in [(10, 0, true), (58, 2, true), (58, 1, false), (59, 0, false), (300, 0, false)] {
        let a = Account { stage, ..plain(none.clone(), Some(days)) };
        let store = stored(&loaded, fields(&loaded.program, &a), true);
        let at = ctx(&loaded, &store, &workspace, &id, &[], Some(&jit));
        assert_eq!(jit.native_answer(code, &at, row(&store)), Some(holds), "{days} days, stage {stage}");
    }
    let wide = Account { renewal_kind: 3, ..plain(none, Some(1)) };
    let store = stored(&loaded, fields(&loaded.program, &wide), true);
    let at = ctx(&loaded, &store, &workspace, &id, &[], Some(&jit));
    assert_eq!(jit.native_answer(code, &at, row(&store)), None, "a whole number where a date belongs");
    // The interpreter's fault, at its place: a whole number and a date have no order.
    let values = row(&store).to_vec();
    let reference = Vm::new().interpret(code, &ctx(&loaded, &store, &workspace, &id, &values, None));
    assert!(matches!(reference, Err(play_runtime::vm::Fault::Failed { .. })), "{reference:?}");
    assert_eq!(Vm::new().eval_row(code, &at, row(&store)), reference);
}

/// NaN has no order: the compiled code hands over, and the interpreter's fault comes out.
#[test]
fn nan_in_an_ordering_is_the_interpreters_fault() {
    let src = program("account.health < 60");
    let workspace = Workspace::default();
    let loaded = Loaded::new(build(&src), &workspace);
    let jit = Tier::build(&loaded.program, true);
    let code = &loaded.program.playbooks[0].conditions[0];
    let id: Arc<str> = Arc::from("acme");
    let a = plain([Value::Num(f64::NAN), Value::Empty, Value::Empty, Value::Empty, Value::Empty], None);
    let store = stored(&loaded, fields(&loaded.program, &a), true);
    let values = row(&store).to_vec();
    let mut vm = Vm::new();
    let at = |tier| ctx(&loaded, &store, &workspace, &id, &values, tier);
    assert_eq!(jit.native_answer(code, &at(None), row(&store)), None);
    let got = vm.eval_row(code, &at(Some(&jit)), row(&store));
    assert_eq!(got, vm.interpret(code, &at(None)));
    assert!(matches!(got, Err(play_runtime::vm::Fault::Failed { .. })), "{got:?}");
}

/// What compiled code answers by itself, and what the VM answers, for `condition` over
/// each account stored alone (laid out for the program).
fn answers(condition: &str, accounts: &[Account]) -> Vec<(Option<bool>, Result<bool, Fault>)> {
    let workspace = Workspace::default();
    let loaded = Loaded::new(build(&program(condition)), &workspace);
    let jit = Tier::build(&loaded.program, true);
    let code = &loaded.program.playbooks[0].conditions[0];
    let id: Arc<str> = Arc::from("acme");
    accounts
        .iter()
        .map(|a| {
            let store = stored(&loaded, fields(&loaded.program, a), true);
            let at = ctx(&loaded, &store, &workspace, &id, &[], Some(&jit));
            (jit.native_answer(code, &at, row(&store)), Vm::new().test_row(code, &at, row(&store)))
        })
        .collect()
}

/// Texts compared with constants and dates with `today()` terms are read from the row
/// too: the constant's number among the interned texts (none for a text no field holds)
/// and the clock term's value are worked out when the code is called. A number where a
/// text belongs goes to the slow path, whose predicate finds it unequal to the text.
#[test]
fn texts_and_clock_terms_are_compiled_and_right() {
    let none = [Value::Empty, Value::Empty, Value::Empty, Value::Empty, Value::Empty];
    // Today is 2 March 2026 (day 60 of the year), so the term is 1 April (day 90).
    let cases = [(80, 0), (90, 0), (91, 0), (80, 1), (80, 2), (80, 3)];
    let accounts: Vec<Account> =
        cases.iter().map(|&(days, name)| Account { name, ..plain(none.clone(), Some(days)) }).collect();
    let condition = "exists(account.renewal_date) and account.renewal_date <= today() + 30d and account.name == \"Acme\" and account.name != \"Zed\"";
    assert_eq!(
        answers(condition, &accounts),
        [
            (Some(true), Ok(true)),
            (Some(true), Ok(true)),
            (Some(false), Ok(false)),
            (Some(false), Ok(false)),
            (Some(false), Ok(false)),
            (None, Ok(false)),
        ]
    );
}

/// Only the conditions of a playbook a schedule fires (`on every …`), which it tests over
/// every record of its type, get a compiled scan; an `exit when`, and the conditions of a
/// playbook that starts on a change, are compiled for one row at a time, and over a
/// table's rows they are tested one by one, with the same answers.
#[test]
fn only_scheduled_conditions_are_scanned_and_the_rest_answer_alike_over_a_table() {
    let playbook = |name: &str, on: &str| {
        format!("playbook {name} {{\n  for account: Account\n  on {on}\n  when account.health < 60\n  exit when account.health < 60\n  step s {{\n    notify slack \"#cs\" \"look\"\n  }}\n}}\n")
    };
    let src = playbook("p", "every day at 09:00") + &playbook("q", "account.health falls");
    let workspace = Workspace::default();
    let loaded = Loaded::new(build(&src), &workspace);
    let jit = Tier::build(&loaded.program, true);
    let [p, q] = [0, 1].map(|i| &loaded.program.playbooks[i]);
    let (condition, exit, changed) = (&p.conditions[0], &p.exits[0], &q.conditions[0]);
    assert!(jit.compiled(condition) && jit.compiled(exit) && jit.compiled(changed));
    let none = [Value::Empty, Value::Empty, Value::Empty, Value::Empty, Value::Empty];
    let healths = [Value::Num(10.0), Value::Num(90.0), Value::Int(59), Value::Empty];
    let mut store = MemoryStore::new(loaded.program.schema.records.len());
    store.set_schema(&loaded.program.schema);
    let ids: Vec<Arc<str>> = (0..healths.len()).map(|i| Arc::from(format!("a{i}"))).collect();
    for (health, id) in healths.iter().zip(&ids) {
        let mut numbers = none.clone();
        numbers[0] = health.clone();
        store.put_record(ACCOUNT, id.clone(), fields(&loaded.program, &plain(numbers, None)));
    }
    let (table, texts) = store.table(ACCOUNT).expect("the accounts' table");
    let numbers: Vec<u32> = ids.iter().map(|id| table.find(id).expect("a row")).collect();
    let at = ctx(&loaded, &store, &workspace, &ids[0], &[], Some(&jit));
    let mut vm = Vm::new();
    let mut answers = Vec::new();
    for code in [condition, exit, changed] {
        let mut got = Vec::new();
        let alone = vm.test_table(code, &at, (table, texts), &numbers, |answer| got.push(answer.ok()));
        answers.push((alone, got));
    }
    let expected = vec![Some(true), Some(false), Some(true), None];
    assert_eq!(answers, [(3, expected.clone()), (0, expected.clone()), (0, expected)]);
}
