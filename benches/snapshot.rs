//! Engine snapshots of 100,000 accounts: how long writing one and restoring from it take,
//! against the baseline a daemon would have without them, building the same engine again
//! from its inputs; and (printed once) the snapshot's size per record.
//!
//! Every account has its fields, one field change in its history, and one `date` trigger
//! timer, so the state is what a daemon's workspace of that size holds between batches.
//! The allocator is mimalloc, the `play` binary's, so that the figures are the product's.

use std::sync::Arc;
use std::time::Duration;

use criterion::{black_box, criterion_group, criterion_main, Criterion};
use play_compiler::program::Program;
use play_runtime::config::Workspace;
use play_runtime::engine::Engine;
use play_runtime::store::MemoryStore;
use play_runtime::value::Value;

#[path = "support/accounts.rs"]
mod accounts;

#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

use accounts::{slot, NOW};

const RECORDS: usize = 100_000;

const PROJECT: &str = r##"
playbook renewal "Renewal" {
  for account: Account
  on date account.renewal_date - 30d at 09:00
  when account.stage == Renewal
  step s "Prepare" { notify slack "#renewals" "{account.name} renews in 30 days" }
}

playbook falling "Health falling" {
  for account: Account
  on account.health falls
  when account.health < 0
  step s "Call" { task "Call {account.name}" to account.owner }
}
"##;

fn program() -> Program {
    play_compiler::lower::build(&[("snapshot.play", PROJECT)]).expect("the project compiles")
}

/// The engine a daemon would hold: every account given, then its health changed once.
fn build(program: &Program, records: &[(Arc<str>, Vec<Value>)]) -> Engine<MemoryStore> {
    let (account, _) = accounts::account_def(program);
    let health = slot(program, "health") as u32;
    let store = MemoryStore::new(program.schema.records.len());
    let mut engine = Engine::new(program.clone(), Workspace::default(), store, NOW);
    engine.hand_over = true;
    engine.keep_ended_runs = false;
    for (id, fields) in records {
        let present: Vec<(u32, Value)> =
            fields.iter().enumerate().filter(|(_, v)| !v.is_empty()).map(|(s, v)| (s as u32, v.clone())).collect();
        engine.given(account, id.clone(), present).expect("a generated account is valid");
    }
    engine.advance_to(NOW + 60);
    for (id, _) in records {
        engine.given(account, id.clone(), vec![(health, Value::Num(101.0))]).expect("a valid change");
    }
    engine.take_output();
    engine
}

fn snapshots(c: &mut Criterion) {
    let program = program();
    let records = accounts::accounts(&program, RECORDS);
    let engine = build(&program, &records);
    let bytes = engine.snapshot();
    eprintln!("snapshot of {RECORDS} accounts: {} bytes, {} bytes per account", bytes.len(), bytes.len() / RECORDS);
    let by_hash = |hash: &str| (hash == program.hash).then(|| program.clone());
    let mut group = c.benchmark_group("snapshot_100k_accounts");
    group.sample_size(10).measurement_time(Duration::from_secs(20));
    group.bench_function("snapshot", |b| b.iter(|| black_box(engine.snapshot().len())));
    group.bench_function("restore", |b| {
        b.iter(|| black_box(Engine::restore(&bytes, Workspace::default(), &by_hash).expect("restores").now()))
    });
    // The baseline: the same engine built again from its inputs.
    group.bench_function("rebuild_from_inputs", |b| b.iter(|| black_box(build(&program, &records).now())));
    group.finish();
}

criterion_group!(benches, snapshots);
criterion_main!(benches);
