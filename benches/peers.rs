//! Play against native code and its peers on one condition,
//! `tier == Enterprise and arr > 200_000 and health < 60`, over the same accounts (200,000,
//! out of the processor's caches, and 1,000, in them), in one process:
//!
//! - `native_struct`: hand-written Rust over a plain struct per account;
//! - `native_stored`: hand-written Rust over Play's stored records (each account's row in
//!   its table, reached by its row number, the three fields decoded as values);
//! - `jit`, `predicates`, `interpreter`: Play's three tiers over the same rows, reached the
//!   same way (ids mapped to row numbers once, as the engine does), the condition tested
//!   over all of them with one context (`Vm::test_rows`, as the engine tests a schedule's
//!   records): compiled code reads the row's cells; the predicates and the interpreter
//!   read its values, decoded (the fields the condition reads);
//! - `jit_scan`: the compiled scan over the table's cells, the rows given by number
//!   (`Vm::test_table`, as the engine tests a schedule's records), every row answered by
//!   the scan alone;
//! - `jit_scan_shuffled`: the same scan over the same rows given in another order (not
//!   ascending: each row tested alone by the scan rather than sixteen at once);
//! - `native_columns`, `native_rows`: hand-written Rust doing the scan's loads and tests
//!   over the table's own columns, and over the same cells copied row after row (the
//!   layout the table had before columns), for comparison;
//! - `jit_one_by_one`: compiled code, a context made for each row (`Vm::test_row`, as the
//!   engine tests the one record a change is about);
//! - `rhai`, `cel`: the condition in Rhai and in CEL (the `cel` crate, cel-rust), each
//!   given the account's three values prepared beforehand (evaluation only; the tier as
//!   an integer, their cheapest comparison).
//!
//! Before timing, every evaluator's match count over the accounts must be the same.
//!
//! The `jit_compile` group times building a program's tier with and without the JIT: the
//! four example projects (28 playbooks), a generated project of 1,000 playbooks that
//! start on a change, and the same 1,000 fired by a schedule (whose conditions each get a
//! compiled scan too).

use criterion::{black_box, criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use play_compiler::program::Code;
use play_runtime::config::Workspace;
use play_runtime::engine::Loaded;
use play_runtime::rows::{cell, layout, Width};
use play_runtime::store::{MemoryStore, Store};
use play_runtime::value::Value;
use play_runtime::vm::{Tier, Vm};

#[path = "support/accounts.rs"]
mod accounts;
mod support;

use accounts::{slot, variant, NOW};

const SIZES: [usize; 2] = [1_000, 200_000];

const CONDITION: &str = "account.tier == Enterprise and account.arr > 200_000 and account.health < 60";
const RHAI: &str = "tier == 2 && arr > 200000.0 && health < 60.0";
const CEL: &str = "tier == 2 && arr > 200000.0 && health < 60.0";

/// An account as a Rust programmer would write it.
struct Plain {
    tier: u8,
    arr: f64,
    health: f64,
}

/// The three fields' cells (tag, whole payload) of every row: in the table's own
/// columns, and copied row after row as the table kept them before it had columns.
struct Cells<'t> {
    tags: &'t [u8],
    wide: &'t [u64],
    narrow: &'t [u32],
    /// The column stride.
    stride: usize,
    /// Each field's slot, whether it is wide, and its place among the wide or the narrow
    /// fields.
    fields: [(usize, bool, usize); 3],
    /// The rows' cells row after row: each row's tags, wide and narrow cells.
    rows: (Vec<u8>, Vec<u64>, Vec<u32>),
    /// How many tags, wide and narrow cells a row has there.
    row_strides: (usize, usize, usize),
}

impl<'t> Cells<'t> {
    fn new(table: &'t play_runtime::rows::Table, widths: &[Width], slots: [usize; 3]) -> Cells<'t> {
        let (tags, wide, narrow) = table.cells();
        let (places, wides, narrows) = layout::places(widths);
        let fields = slots.map(|s| (s, widths[s] == Width::Wide, places[s] as usize));
        let stride = table.stride();
        let mut rows = (Vec::new(), Vec::new(), Vec::new());
        for r in 0..table.rows() {
            rows.0.extend((0..widths.len()).map(|c| tags[c * stride + r]));
            rows.1.extend((0..wides).map(|c| wide[c * stride + r]));
            rows.2.extend((0..narrows).map(|c| narrow[c * stride + r]));
        }
        Cells { tags, wide, narrow, stride, fields, rows, row_strides: (widths.len(), wides, narrows) }
    }

    /// The condition over row `r` as the scan tests it, from the table's columns.
    #[inline(always)]
    fn columns(&self, r: usize, enterprise: u32) -> bool {
        let [tier, arr, health] = self.fields.map(|(slot, wide, place)| {
            let tag = self.tags[slot * self.stride + r];
            let payload =
                if wide { self.wide[place * self.stride + r] } else { u64::from(self.narrow[place * self.stride + r]) };
            (tag, payload)
        });
        holds(tier, arr, health, enterprise)
    }

    /// The same from the cells row after row.
    #[inline(always)]
    fn row_major(&self, r: usize, enterprise: u32) -> bool {
        let (t, w, n) = self.row_strides;
        let [tier, arr, health] = self.fields.map(|(slot, wide, place)| {
            let tag = self.rows.0[r * t + slot];
            let payload = if wide { self.rows.1[r * w + place] } else { u64::from(self.rows.2[r * n + place]) };
            (tag, payload)
        });
        holds(tier, arr, health, enterprise)
    }
}

/// `tier == Enterprise and arr > 200_000 and health < 60` over cells whose kinds are the
/// expected ones (an enum, two numbers), as the scan tests it without branches.
#[inline(always)]
fn holds(tier: (u8, u64), arr: (u8, u64), health: (u8, u64), enterprise: u32) -> bool {
    let ok = (tier.0 == cell::ENUM) & (arr.0 == cell::NUM) & (health.0 == cell::NUM);
    ok & (tier.1 as u32 == enterprise) & (f64::from_bits(arr.1) > 200_000.0) & (f64::from_bits(health.1) < 60.0)
}

fn number(v: &Value) -> f64 {
    match v {
        Value::Num(n) => *n,
        Value::Int(i) => *i as f64,
        _ => f64::NAN,
    }
}

fn bench(c: &mut Criterion) {
    let src = format!(
        "playbook watch {{\n  for account: Account\n  on every day at 09:00\n  when {CONDITION}\n  step s {{\n    notify slack \"#cs\" \"look\"\n  }}\n}}\n"
    );
    let program = play_compiler::lower::build(&[("peers.play", &src)]).expect("the benchmark playbook compiles");
    let workspace = Workspace::default();
    let (tier_at, arr_at, health_at) = (slot(&program, "tier"), slot(&program, "arr"), slot(&program, "health"));
    let enterprise = variant(&program, "Tier", "Enterprise");
    let (account, account_def) = accounts::account_def(&program);
    let widths = layout::of_record(account_def);
    let Value::Enum { variant: enterprise_variant, .. } = enterprise else { panic!("an enum variant") };
    let loaded = Loaded::new(program, &workspace);
    let code: &Code = &loaded.program.playbooks[0].conditions[0];
    let jit = Tier::build(&loaded.program, true);
    let predicates = Tier::build(&loaded.program, false);
    assert!(jit.compiled(code), "the JIT compiled the condition");
    let rhai = rhai::Engine::new();
    let rhai_ast = rhai.compile_expression(RHAI).expect("the Rhai condition compiles");
    let cel_program = cel::Program::compile(CEL).expect("the CEL condition compiles");
    let cel_root = cel::Context::default();

    let mut group = c.benchmark_group("peers");
    group.sample_size(10);
    for size in SIZES {
        let records = accounts::accounts(&loaded.program, size);
        let mut store = MemoryStore::new(loaded.program.schema.records.len());
        // The rows laid out as the engine lays them out once it loads the program.
        store.set_schema(&loaded.program.schema);
        for (id, fields) in &records {
            store.put_record(account, id.clone(), fields.clone());
        }
        let (table, texts) = store.table(account).expect("the accounts' table");
        // Ids mapped to dense row numbers once, as the engine maps them.
        let rows: Vec<u32> = records.iter().map(|(id, _)| table.find(id).expect("a stored account")).collect();
        let plain: Vec<Plain> = records
            .iter()
            .map(|(_, f)| Plain {
                tier: if f[tier_at] == enterprise { 2 } else { 0 },
                arr: number(&f[arr_at]),
                health: number(&f[health_at]),
            })
            .collect();
        let mut rhai_scopes: Vec<rhai::Scope> = plain
            .iter()
            .map(|p| {
                let mut s = rhai::Scope::new();
                s.push_constant("tier", i64::from(p.tier))
                    .push_constant("arr", p.arr)
                    .push_constant("health", p.health);
                s
            })
            .collect();
        let cel_scopes: Vec<cel::Context> = plain
            .iter()
            .map(|p| {
                let mut s = cel_root.new_inner_scope();
                s.add_variable_from_value("tier", i64::from(p.tier));
                s.add_variable_from_value("arr", p.arr);
                s.add_variable_from_value("health", p.health);
                s
            })
            .collect();

        let native_struct =
            || plain.iter().filter(|p| black_box(p).tier == 2 && p.arr > 200_000.0 && p.health < 60.0).count();
        let native_stored = || {
            rows.iter()
                .filter(|&&r| {
                    let f = table.row(black_box(r), texts);
                    f.value(tier_at) == enterprise
                        && number(&f.value(arr_at)) > 200_000.0
                        && number(&f.value(health_at)) < 60.0
                })
                .count()
        };
        // As the engine tests a condition over many records (a schedule's records): the
        // context made once, then each row tested, its values decoded only when compiled
        // code cannot answer alone (always, for the predicates and the interpreter, and
        // then only the three fields the condition reads).
        let play = |vm: &mut Vm, tier: Option<&Tier>| {
            let mut hits = 0;
            let ctx = loaded.about(&store, &workspace, NOW, account, table.id(rows[0]), &[], tier);
            let over = rows.iter().map(|&r| (table.row(black_box(r), texts), table.id(r)));
            vm.test_rows(code, &ctx, over, |got| hits += usize::from(got.expect("no fault")));
            hits
        };
        // As the engine tests a condition about the one record a change is about: the
        // context made, the condition found and the clock memo checked for every row.
        let one_by_one = |vm: &mut Vm, tier: Option<&Tier>| {
            let mut hits = 0;
            for &r in &rows {
                let row = table.row(black_box(r), texts);
                let ctx = loaded.about(&store, &workspace, NOW, account, table.id(r), &[], tier);
                hits += usize::from(vm.test_row(code, &ctx, row).expect("no fault"));
            }
            hits
        };
        // As the engine tests a schedule's records: the compiled scan over the table's
        // cells, the rows given by number (`Vm::test_table`).
        let scan_over = |vm: &mut Vm, rows: &[u32]| {
            let mut hits = 0;
            let ctx = loaded.about(&store, &workspace, NOW, account, table.id(rows[0]), &[], Some(&jit));
            let alone = vm.test_table(code, &ctx, (table, texts), black_box(rows), |got| {
                hits += usize::from(got.expect("no fault"))
            });
            (hits, alone)
        };
        let scan = |vm: &mut Vm| scan_over(vm, &rows);
        // A permutation of the rows (7,919 is a prime that divides neither size).
        let shuffled: Vec<u32> = (0..size).map(|i| rows[i * 7_919 % size]).collect();
        // Hand-written Rust doing the scan's loads and tests: over the table's own columns,
        // and over the same cells copied row after row (the layout before columns).
        let cells = Cells::new(table, &widths, [tier_at, arr_at, health_at]);
        let native_rows =
            || rows.iter().filter(|&&r| cells.row_major(black_box(r) as usize, enterprise_variant)).count();
        let native_columns =
            || rows.iter().filter(|&&r| cells.columns(black_box(r) as usize, enterprise_variant)).count();
        let rhai_eval = |scopes: &mut [rhai::Scope]| {
            scopes
                .iter_mut()
                .map(|s| rhai.eval_ast_with_scope::<bool>(s, &rhai_ast).expect("a Rhai truth value"))
                .filter(|&b| b)
                .count()
        };
        let cel_eval =
            || cel_scopes.iter().filter(|s| matches!(cel_program.execute(s), Ok(cel::Value::Bool(true)))).count();

        let mut vm = Vm::new();
        let expected = native_struct();
        assert!(expected > 0 && expected < size, "some accounts match, not all: {expected}");
        assert_eq!(native_stored(), expected, "native over stored records");
        assert_eq!(play(&mut vm, Some(&jit)), expected, "JIT");
        assert_eq!(one_by_one(&mut vm, Some(&jit)), expected, "JIT, one row at a time");
        assert_eq!(scan(&mut vm), (expected, size), "the compiled scan, every row answered alone");
        assert_eq!(scan_over(&mut vm, &shuffled), (expected, size), "the scan over the rows in another order");
        assert_eq!(native_columns(), expected, "native over the table's columns");
        assert_eq!(native_rows(), expected, "native over the cells row after row");
        assert_eq!(play(&mut vm, Some(&predicates)), expected, "predicates");
        assert_eq!(play(&mut vm, None), expected, "interpreter");
        assert_eq!(rhai_eval(&mut rhai_scopes), expected, "Rhai");
        assert_eq!(cel_eval(), expected, "CEL");

        group.throughput(Throughput::Elements(size as u64));
        group.bench_function(BenchmarkId::new("native_struct", size), |b| b.iter(native_struct));
        group.bench_function(BenchmarkId::new("native_stored", size), |b| b.iter(native_stored));
        group.bench_function(BenchmarkId::new("jit", size), |b| b.iter(|| play(&mut vm, Some(&jit))));
        group.bench_function(BenchmarkId::new("jit_scan", size), |b| b.iter(|| scan(&mut vm)));
        group.bench_function(BenchmarkId::new("jit_scan_shuffled", size), |b| b.iter(|| scan_over(&mut vm, &shuffled)));
        group.bench_function(BenchmarkId::new("native_rows", size), |b| b.iter(native_rows));
        group.bench_function(BenchmarkId::new("native_columns", size), |b| b.iter(native_columns));
        group.bench_function(BenchmarkId::new("jit_one_by_one", size), |b| b.iter(|| one_by_one(&mut vm, Some(&jit))));
        group.bench_function(BenchmarkId::new("predicates", size), |b| b.iter(|| play(&mut vm, Some(&predicates))));
        group.bench_function(BenchmarkId::new("interpreter", size), |b| b.iter(|| play(&mut vm, None)));
        group.bench_function(BenchmarkId::new("rhai", size), |b| b.iter(|| rhai_eval(&mut rhai_scopes)));
        group.bench_function(BenchmarkId::new("cel", size), |b| b.iter(cel_eval));
    }
    group.finish();
}

/// The `.play` files of an example project, by path.
fn example(name: &str) -> Vec<(String, String)> {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("examples").join(name);
    let mut files = Vec::new();
    let mut folders = vec![dir];
    while let Some(folder) = folders.pop() {
        for entry in std::fs::read_dir(&folder).expect("an example folder").flatten() {
            let path = entry.path();
            if path.is_dir() {
                folders.push(path);
            } else if path.extension().is_some_and(|e| e == "play") {
                let text = std::fs::read_to_string(&path).expect("a readable example");
                files.push((path.display().to_string(), text));
            }
        }
    }
    files
}

fn compile_time(c: &mut Criterion) {
    let build = |files: &[(String, String)]| {
        let sources: Vec<(&str, &str)> = files.iter().map(|(a, b)| (a.as_str(), b.as_str())).collect();
        play_compiler::lower::build(&sources).expect("the project compiles")
    };
    let examples: Vec<_> = ["customer-success", "case-management", "sales-automation", "signals"]
        .iter()
        .map(|name| build(&example(name)))
        .collect();
    assert_eq!(examples.iter().map(|p| p.playbooks.len()).sum::<usize>(), 28, "the 28 example playbooks");
    let mut generated = vec![("shared.play".to_string(), support::SHARED.to_string())];
    generated.push(("playbooks.play".to_string(), (0..1_000).map(support::playbook).collect()));
    // The same playbooks fired by a schedule, so that every condition gets a scan too.
    let scheduled: Vec<(String, String)> = generated
        .iter()
        .map(|(name, text)| {
            (
                name.clone(),
                text.replace("on account.health falls or account.stage becomes Renewal", "on every day at 09:00"),
            )
        })
        .collect();
    assert_ne!(scheduled, generated, "the generated playbooks start on a change");
    let (generated, scheduled) = ([build(&generated)], [build(&scheduled)]);
    let mut group = c.benchmark_group("jit_compile");
    group.sample_size(10);
    let projects =
        [("examples", &examples[..]), ("1000_playbooks", &generated[..]), ("1000_scheduled", &scheduled[..])];
    for (name, programs) in projects {
        for jit in [false, true] {
            let id = BenchmarkId::new(if jit { "tier_with_jit" } else { "tier_predicates_only" }, name);
            group.bench_function(id, |b| {
                b.iter(|| programs.iter().map(|p| usize::from(Tier::build(p, jit).is_compiled())).sum::<usize>())
            });
        }
    }
    group.finish();
}

criterion_group!(benches, bench, compile_time);
criterion_main!(benches);
