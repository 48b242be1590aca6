//! How many allocations an enrolling change costs the in-memory engine, counted by this
//! test binary's own allocator: a change of an account's CSM in the customer-success
//! example, which `owner_handoff` (`reentry always`) enrols, runs and completes, producing
//! its brief and its email to the owner's manager.

use play_runtime::change::parse_change;
use play_runtime::engine::Engine;
use play_runtime::store::MemoryStore;

#[path = "support/example.rs"]
mod example;
use example::example;

#[path = "support/counting.rs"]
mod counting;
use counting::{allocations as allocated, sites};

/// Allocations per enrolling change the engine is held to: what it makes today (56, with
/// three actions produced per change by two runs; 107 before), rounded up. The goal is 10.
/// Shared, not copied: the playbook's name, version, trigger, step names and conditions
/// (from the loaded program, with the run's conditions shared by its history entry and its
/// actions' context), the record's `Type/id` name (once per change), and what changed as
/// JSON (once per change). What is left (`PLAY_ALLOC_SITES=3` prints it, site by site) is
/// mostly the output itself: the brief's fields as a JSON map (about 13), texts the VM
/// writes (about 13: interpolation and escaping, `manager_of`'s notes), the actions' ids,
/// titles, recipients and other texts, each run, its trigger and conditions, and each
/// action's context.
const CEILING: usize = 60;

#[test]
fn an_enrolling_change_costs_few_allocations() {
    let (program, workspace) = example();
    let types = program.schema.records.len();
    let start = 1_767_600_000; // 2026-01-05
    let at = play_runtime::value::moment_text;
    let mut engine = Engine::new(program, workspace, MemoryStore::new(types), start);
    // As a long-running engine does: history and actions handed over, ended runs let go.
    engine.keep_history = false;
    engine.keep_closable = false;
    engine.keep_ended_runs = false;
    let accounts = 1_000;
    let mut lines = Vec::new();
    for u in 0..40 {
        lines.push(format!(
            r#"{{"change":"upsert","record":"User","id":"csm{u}@example.com","fields":{{"email":"csm{u}@example.com","name":"csm{u}"}},"at":"{}"}}"#,
            at(start)
        ));
    }
    for a in 0..accounts {
        lines.push(format!(
            r#"{{"change":"upsert","record":"Account","id":"a{a}","fields":{{"name":"Account {a}","tier":"Enterprise","arr":120000,"stage":"Adoption","health":70,"owner":"csm{}@example.com","csm":"csm{}@example.com","weekly_active_users":40,"tags":[]}},"at":"{}"}}"#,
            a % 40,
            a % 40,
            at(start)
        ));
    }
    for line in &lines {
        let change = parse_change(line, engine.program(), &engine.workspace).expect("a valid change");
        engine.ingest(change).expect("an accepted change");
    }
    drop(engine.take_actions());
    // Each account's CSM changes, a minute apart, round the accounts four times: the first
    // round warms the engine's buffers up, the other three are counted.
    let rounds = 4;
    let changes: Vec<_> = (0..rounds * accounts)
        .map(|i| {
            let line = format!(
                r#"{{"change":"upsert","record":"Account","id":"a{}","fields":{{"csm":"csm{}@example.com"}},"at":"{}"}}"#,
                i % accounts,
                (i / accounts + 1 + i % accounts) % 40,
                at(start + 3_600 + 60 * i as i64)
            );
            parse_change(&line, engine.program(), &engine.workspace).expect("a valid change")
        })
        .collect();
    let (mut allocations, mut counted, mut actions) = (0, 0, 0);
    let mut changes = changes.into_iter();
    // `PLAY_ALLOC_SITES=depth` prints where the allocations of a hundred enrolling changes
    // (after the first round) come from, by the innermost frames of the workspace's code.
    if let Some(depth) = std::env::var("PLAY_ALLOC_SITES").ok().and_then(|d| d.parse().ok()) {
        for change in changes.by_ref().take(accounts) {
            engine.ingest(change).expect("an accepted change");
            drop(engine.take_settled_actions());
        }
        let traced = 100;
        let found = sites(depth, || {
            for change in changes.by_ref().take(traced) {
                engine.ingest(change).expect("an accepted change");
                drop(engine.take_settled_actions());
            }
        });
        for (n, site) in found {
            eprintln!("{:6.2} {site}", n as f64 / traced as f64);
        }
        return;
    }
    for (i, change) in changes.enumerate() {
        let before = allocated();
        engine.ingest(change).expect("an accepted change");
        let made = allocated() - before;
        let taken = engine.take_settled_actions();
        if i >= accounts {
            allocations += made;
            counted += 1;
            actions += taken.len();
        }
    }
    let per_change = allocations as f64 / counted as f64;
    eprintln!("{per_change:.1} allocations per enrolling change ({counted} changes, {actions} actions)");
    // Every counted change enrolled and produced its two actions (the last one's wait for
    // its moment to end).
    assert!(actions + 2 >= 2 * counted, "{actions} actions from {counted} changes");
    assert!(per_change <= CEILING as f64, "{per_change:.1} allocations per enrolling change, over {CEILING}");
}
