//! Generated `Account` records for the runtime benchmarks: varied enough that conditions
//! short-circuit at different places and triggers see real changes, and the same on
//! every run (a fixed pseudo-random sequence, no clock). Included by `#[path]` from
//! `benches/vm.rs` and `benches/engine.rs`, which both need `play-runtime`.

use std::sync::Arc;

use chrono::{DateTime, Days, NaiveDate};
use play_compiler::program::{Program, RecordDef};
use play_runtime::value::Value;

/// The benchmarks' clock: Monday 2 March 2026, 09:00 UTC.
pub const NOW: i64 = 1_772_442_000;

/// Today's date at [`NOW`], in the default (UTC) workspace.
pub fn today() -> NaiveDate {
    DateTime::from_timestamp(NOW, 0).expect("a valid moment").date_naive()
}

/// A small deterministic generator (SplitMix64), so that records are the same on every run.
pub struct Mix(pub u64);

impl Mix {
    pub fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A number in `0..n`.
    pub fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

/// An enum variant as a value, looked up by name in the program's schema.
pub fn variant(program: &Program, ty: &str, name: &str) -> Value {
    let e = program.schema.enums.iter().position(|e| e.name == ty).unwrap_or_else(|| panic!("no enum `{ty}`"));
    let v = program.schema.enums[e]
        .variants
        .iter()
        .position(|v| v == name)
        .unwrap_or_else(|| panic!("no variant `{ty}.{name}`"));
    Value::Enum { ty: e as u32, variant: v as u32 }
}

/// The `Account` record type and its index.
pub fn account_def(program: &Program) -> (u32, &RecordDef) {
    let r = program.schema.record_named("Account").expect("the standard library defines Account");
    (r as u32, &program.schema.records[r])
}

/// The slot of an `Account` field.
pub fn slot(program: &Program, field: &str) -> usize {
    account_def(program).1.slot(field).unwrap_or_else(|| panic!("Account has no field `{field}`"))
}

/// `n` accounts as (id, fields by slot). Every required field is present; about a third
/// have no renewal date; tags, stages, tiers, ARR, health and usage are spread out.
pub fn accounts(program: &Program, n: usize) -> Vec<(Arc<str>, Vec<Value>)> {
    let (_, def) = account_def(program);
    let stages = ["Onboarding", "Adoption", "Renewal", "Churned"].map(|s| variant(program, "Stage", s));
    let tiers = ["Smb", "MidMarket", "Enterprise"].map(|t| variant(program, "Tier", t));
    let tag_pool: Vec<Value> = ["beta", "at-risk", "do-not-contact", "vip"].iter().map(|t| Value::text(t)).collect();
    let user = program.schema.record_named("User").expect("the standard library defines User") as u32;
    let owners: Vec<Value> =
        (0..50).map(|i| Value::Ref { record: user, id: Arc::from(format!("csm{i}@example.com")) }).collect();
    let today = today();
    let mut mix = Mix(42);
    (0..n)
        .map(|i| {
            let mut fields = vec![Value::Empty; def.fields.len()];
            let mut set = |name: &str, v: Value| fields[def.slot(name).expect("an Account field")] = v;
            set("name", Value::text(&format!("Company {i}")));
            set("domain", Value::text(&format!("company{i}.example.com")));
            set("tier", tiers[mix.below(3) as usize].clone());
            set("arr", Value::Num((5_000 + mix.below(500_000)) as f64));
            set("stage", stages[mix.below(4) as usize].clone());
            set("health", Value::Num(mix.below(101) as f64));
            set("owner", owners[mix.below(50) as usize].clone());
            if mix.below(3) > 0 {
                set("renewal_date", Value::Date(today + Days::new(mix.below(365))));
            }
            set("weekly_active_users", Value::Num(mix.below(200) as f64));
            let tags: Vec<Value> = tag_pool.iter().filter(|_| mix.below(4) == 0).cloned().collect();
            set("tags", Value::List(Arc::from(tags)));
            set("plan", Value::text(["Starter", "Pro", "Enterprise"][mix.below(3) as usize]));
            set("phone", Value::text(&format!("+1 555 {:04}", i % 10_000)));
            set("description", Value::text("A customer."));
            (Arc::from(format!("acct-{i}")), fields)
        })
        .collect()
}
