//! Condition evaluation: the VM running a playbook's compiled `when` clauses over 100 and
//! 10,000 accounts, against a hand-written Rust function computing the same conditions over
//! the same fields, in the same run; the VM with the JIT (`vm`) and with predicates alone
//! (`predicates`). The native code works out today's date once per moment, as the engine
//! does. The goal is the VM within 3× of native.
//!
//! Before timing, both are run over every record and must agree on every condition: a
//! comparison of different work would be worthless.

use std::sync::Arc;

use chrono::{Days, NaiveDate};
use criterion::{black_box, criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use play_compiler::program::Code;
use play_runtime::config::Workspace;
use play_runtime::engine::Loaded;
use play_runtime::store::MemoryStore;
use play_runtime::value::Value;
use play_runtime::vm::{Tier, Vm};

#[path = "support/accounts.rs"]
mod accounts;

use accounts::{slot, variant, NOW};

/// A hundred records stay in the processor's caches, as the record a change just touched
/// does in the engine; ten thousand do not, and show what memory adds to both.
const SIZES: [usize; 2] = [100, 10_000];

/// Conditions typical of the examples (`renewals.play`, `health.play`): enum and number
/// comparisons joined by `and`/`or`, a `??` default with `today()`, a list test and `in`.
const PLAYBOOK: &str = r##"
playbook renewal_watch "Renewal watch" {
  for account: Account
  category risk
  reentry always

  on account.health falls
  when account.stage == Renewal and account.tier == Enterprise and account.arr > 200_000
  when (account.renewal_date ?? today() + 60d) <= today() + 90d
  when not contains(account.tags, "do-not-contact") and account.weekly_active_users >= 5
  when account.stage in [Adoption, Renewal] or account.health < 40

  step alert "Alert the team" {
    notify slack "#cs-renewals" "{account.name} needs a look"
  }
}
"##;

/// The conditions written by hand, with the slots and constants resolved once.
struct Native {
    stage: usize,
    tier: usize,
    arr: usize,
    renewal_date: usize,
    tags: usize,
    weekly_active_users: usize,
    health: usize,
    renewal: Value,
    adoption: Value,
    enterprise: Value,
}

fn number(v: &Value) -> f64 {
    match v {
        Value::Num(n) => *n,
        Value::Int(i) => *i as f64,
        _ => f64::NAN,
    }
}

impl Native {
    /// The four conditions for one record, as the VM computes them, with today's date (in
    /// UTC, like the default workspace) worked out once for the moment by the caller.
    #[inline(never)]
    fn eval(&self, f: &[Value], today: NaiveDate) -> [bool; 4] {
        let stage = &f[self.stage];
        let first = *stage == self.renewal && f[self.tier] == self.enterprise && number(&f[self.arr]) > 200_000.0;
        let renews = match &f[self.renewal_date] {
            Value::Date(d) => *d,
            _ => today + Days::new(60),
        };
        let second = renews <= today + Days::new(90);
        let tagged = match &f[self.tags] {
            Value::List(items) => items.iter().any(|v| matches!(v, Value::Text(t) if &**t == "do-not-contact")),
            _ => false,
        };
        let third = !tagged && number(&f[self.weekly_active_users]) >= 5.0;
        let fourth = *stage == self.adoption || *stage == self.renewal || number(&f[self.health]) < 40.0;
        [first, second, third, fourth]
    }
}

fn bench(c: &mut Criterion) {
    let program = play_compiler::lower::build(&[("bench.play", PLAYBOOK)]).expect("the benchmark playbook compiles");
    let workspace = Workspace::default();
    let native = Native {
        stage: slot(&program, "stage"),
        tier: slot(&program, "tier"),
        arr: slot(&program, "arr"),
        renewal_date: slot(&program, "renewal_date"),
        tags: slot(&program, "tags"),
        weekly_active_users: slot(&program, "weekly_active_users"),
        health: slot(&program, "health"),
        renewal: variant(&program, "Stage", "Renewal"),
        adoption: variant(&program, "Stage", "Adoption"),
        enterprise: variant(&program, "Tier", "Enterprise"),
    };
    let (account, _) = accounts::account_def(&program);
    let loaded = Loaded::new(program, &workspace);
    let conditions: &[Code] = &loaded.program.playbooks[0].conditions;
    assert_eq!(conditions.len(), 4, "one code per `when`");
    // The conditions only read the subject's own fields; the store answers nothing.
    let store = MemoryStore::new(loaded.program.schema.records.len());
    let mut vm = Vm::new();

    // One context per record, pointing at its fields.
    let predicates = Tier::build(&loaded.program, false);
    assert!(loaded.tier.is_compiled(), "the JIT compiled the conditions");
    let eval_vm = |vm: &mut Vm, tier: &Tier, id: &Arc<str>, fields: &[Value]| -> [bool; 4] {
        let ctx = loaded.about(&store, &workspace, NOW, account, id, fields, Some(tier));
        let mut out = [false; 4];
        for (o, code) in out.iter_mut().zip(conditions) {
            *o = vm.test(code, &ctx).unwrap_or_else(|f| panic!("`{}` failed: {f:?}", code.source));
        }
        out
    };

    let mut group = c.benchmark_group("conditions");
    group.sample_size(20);
    for size in SIZES {
        let records = accounts::accounts(&loaded.program, size);
        // Same answers on every record, and a spread of answers so that short-circuits vary.
        let mut held = [0usize; 4];
        for (id, fields) in &records {
            let (v, n) = (eval_vm(&mut vm, &loaded.tier, id, fields), native.eval(fields, accounts::today()));
            assert_eq!(v, n, "VM and native disagree on {id}");
            assert_eq!(v, eval_vm(&mut vm, &predicates, id, fields), "JIT and predicates disagree on {id}");
            for (h, b) in held.iter_mut().zip(v) {
                *h += usize::from(b);
            }
        }
        assert!(
            held.iter().all(|&h| h > 0 && h < size),
            "every condition is sometimes true and sometimes false: {held:?}"
        );

        group.throughput(Throughput::Elements(size as u64));
        group.bench_function(BenchmarkId::new("native", size), |b| {
            b.iter(|| {
                let mut hits = 0usize;
                // Once per moment, as the engine's VM does.
                let today = accounts::today();
                for (_, fields) in &records {
                    hits += native.eval(black_box(fields), black_box(today)).iter().filter(|&&x| x).count();
                }
                hits
            })
        });
        for (name, tier) in [("vm", &loaded.tier), ("predicates", &predicates)] {
            group.bench_function(BenchmarkId::new(name, size), |b| {
                b.iter(|| {
                    let mut hits = 0usize;
                    for (id, fields) in &records {
                        hits += eval_vm(&mut vm, tier, id, black_box(fields)).iter().filter(|&&x| x).count();
                    }
                    hits
                })
            });
        }
    }
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
