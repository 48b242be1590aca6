//! Fuzzes the JIT against the predicates and the interpreter: the input's bytes spell a
//! condition on an account (comparisons of numbers and enums, `in`, `exists`, `contains`,
//! dates, `??`, joined by `and`, `or` and `not`) and a few accounts with awkward values
//! (empty, NaN, infinities, the integer bounds, a text or an enum of another type where a
//! number or a tier belongs); the condition is compiled, and over every account (its row
//! in a store, as the engine keeps it) the three tiers, and the compiled scan over the
//! row, must give the same value or the same fault at the same place; so must the scan
//! over twenty rows of one table holding the accounts in turn (sixteen tested at once).
//!
//! Shared by the fuzz target of the same name and by the workspace's
//! `tests/fuzz_regressions.rs`, which runs every kept input through it.

use std::sync::Arc;

use play_runtime::config::Workspace;
use play_runtime::engine::Loaded;
use play_runtime::store::{MemoryStore, Store};
use play_runtime::value::Value;
use play_runtime::vm::{Tier, Vm};

/// The moment the condition is evaluated at (2026-03-02 09:00 UTC).
const NOW: i64 = 1_772_442_000;

/// The input, read a byte at a time (zeros once it runs out).
struct Bytes<'a>(&'a [u8]);

impl Bytes<'_> {
    fn next(&mut self) -> u8 {
        let (first, rest) = self.0.split_first().map_or((0, &[][..]), |(b, r)| (*b, r));
        self.0 = rest;
        first
    }

    fn pick<'s>(&mut self, from: &[&'s str]) -> &'s str {
        from[self.next() as usize % from.len()]
    }
}

const NUMBERS: [&str; 3] = ["health", "weekly_active_users", "arr"];
const OPS: [&str; 6] = ["<", "<=", ">", ">=", "==", "!="];
const CONSTANTS: [&str; 8] = ["0", "60", "59.5", "200_000", "9_223_372_036_854_775_807", "0.1", "100", "40"];

fn condition(b: &mut Bytes, depth: u32) -> String {
    let choice = b.next();
    if depth < 3 {
        match choice % 8 {
            0 => return format!("({} and {})", condition(b, depth + 1), condition(b, depth + 1)),
            1 => return format!("({} or {})", condition(b, depth + 1), condition(b, depth + 1)),
            2 => return format!("not ({})", condition(b, depth + 1)),
            _ => {}
        }
    }
    match b.next() % 9 {
        0..=2 => format!("account.{} {} {}", b.pick(&NUMBERS), b.pick(&OPS), b.pick(&CONSTANTS)),
        3 => format!("account.tier {} {}", b.pick(&["==", "!="]), b.pick(&["Smb", "MidMarket", "Enterprise"])),
        4 => format!("account.stage {} {}", b.pick(&["==", "!="]), b.pick(&["Onboarding", "Renewal", "Churned"])),
        5 => format!("account.tier {}in [MidMarket, Enterprise]", b.pick(&["", "not "])),
        6 => format!("exists(account.{})", b.pick(&["used_seats", "health", "renewal_date"])),
        7 => format!("(account.used_seats ?? {}) > 3", b.pick(&["0", "7"])),
        _ => format!("(account.renewal_date ?? today() + {}d) <= today() + 30d", b.next() % 60),
    }
}

fn number(b: &mut Bytes) -> Value {
    match b.next() % 12 {
        0 => Value::Empty,
        1 => Value::Num(f64::NAN),
        2 => Value::Num(f64::INFINITY),
        3 => Value::Num(f64::NEG_INFINITY),
        4 => Value::Int(i64::MAX),
        5 => Value::Int(i64::MIN),
        6 => Value::text("60"),
        7 => Value::Num(-0.0),
        8 | 9 => Value::Int(i64::from(b.next()) * 1_000),
        _ => Value::Num(f64::from(b.next()) / 2.0),
    }
}

/// One input: the three tiers agree on every account, or the check panics.
pub fn check(data: &[u8]) {
    let mut b = Bytes(data);
    let condition = condition(&mut b, 0);
    let src = format!(
        "playbook p {{\n  for account: Account\n  on every day at 09:00\n  when {condition}\n  step s {{\n    notify slack \"#cs\" \"look\"\n  }}\n}}\n"
    );
    let Ok(program) = play_compiler::lower::build(&[("fuzz.play", &src)]) else { return };
    let workspace = Workspace::default();
    let loaded = Loaded::new(program, &workspace);
    let jit = Tier::build(&loaded.program, true);
    let predicates = Tier::build(&loaded.program, false);
    let code = &loaded.program.playbooks[0].conditions[0];
    assert_eq!(jit.compiled(code), jit.get(code).is_some(), "every predicate is compiled: `{condition}`");
    let Some(r) = loaded.program.schema.record_named("Account") else { return };
    let def = &loaded.program.schema.records[r];
    let ty = |name: &str| loaded.program.schema.enums.iter().position(|e| e.name == name).unwrap_or(0) as u32;
    let id: Arc<str> = Arc::from("acme");
    let mut vm = Vm::new();
    // Each account's fields as stored, and the interpreter's answer over them.
    let mut tested = Vec::new();
    for _ in 0..4 {
        let mut fields = vec![Value::Empty; def.fields.len()];
        for name in NUMBERS.iter().chain(&["used_seats"]) {
            if let Some(slot) = def.slot(name) {
                fields[slot] = number(&mut b);
            }
        }
        let variant = u32::from(b.next() % 5);
        let tier = match b.next() % 6 {
            0 => Value::Empty,
            1 => Value::Enum { ty: ty("Stage"), variant },
            2 => Value::Int(2),
            _ => Value::Enum { ty: ty("Tier"), variant: variant % 3 },
        };
        let stage = Value::Enum { ty: ty("Stage"), variant: u32::from(b.next() % 5) };
        for (name, v) in [("tier", tier), ("stage", stage)] {
            if let Some(slot) = def.slot(name) {
                fields[slot] = v;
            }
        }
        // The account as a row of a store laid out for the program, as the engine keeps it.
        let mut store = MemoryStore::new(loaded.program.schema.records.len());
        store.set_schema(&loaded.program.schema);
        store.put_record(r as u32, id.clone(), fields);
        let Some((table, texts)) = store.table(r as u32) else { return };
        let Some(row) = table.find(&id).and_then(|n| table.present_row(n, texts)) else { return };
        let fields = row.to_vec();
        let at = |tier| loaded.about(&store, &workspace, NOW, r as u32, &id, &fields, tier);
        let reference = vm.interpret(code, &at(None));
        assert_eq!(vm.eval_row(code, &at(Some(&jit)), row), reference, "JIT: `{condition}` on {fields:?}");
        assert_eq!(vm.eval(code, &at(Some(&predicates))), reference, "predicates: `{condition}` on {fields:?}");
        // The compiled scan over the row, twice, gives the same answer each time.
        let Some(number) = table.find(&id) else { return };
        let mut scanned = Vec::new();
        vm.test_table(code, &at(Some(&jit)), (table, texts), &[number, number], |got| scanned.push(got));
        let answer = reference.map(|v| matches!(v, Value::Bool(true)));
        assert_eq!(scanned, [answer.clone(), answer.clone()], "scan: `{condition}` on {fields:?}");
        tested.push((fields, answer));
    }
    // The four accounts in turn over twenty rows of one table: the scan tests the first
    // sixteen at once (`jit/lanes.rs`) when the condition and their cells allow, the
    // last four one at a time, and gives each row its account's answer.
    let mut store = MemoryStore::new(loaded.program.schema.records.len());
    store.set_schema(&loaded.program.schema);
    let ids: Vec<Arc<str>> = (0..20).map(|i| Arc::from(format!("a{i}"))).collect();
    for (i, id) in ids.iter().enumerate() {
        store.put_record(r as u32, id.clone(), tested[i % tested.len()].0.clone());
    }
    let Some((table, texts)) = store.table(r as u32) else { return };
    let Some(numbers) = ids.iter().map(|id| table.find(id)).collect::<Option<Vec<u32>>>() else { return };
    let at = loaded.about(&store, &workspace, NOW, r as u32, &ids[0], &[], Some(&jit));
    let mut scanned = Vec::new();
    vm.test_table(code, &at, (table, texts), &numbers, |got| scanned.push(got));
    let expected: Vec<_> = (0..ids.len()).map(|i| tested[i % tested.len()].1.clone()).collect();
    assert_eq!(scanned, expected, "scan over twenty rows: `{condition}`");
}
