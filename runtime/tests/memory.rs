//! What the engine holds in memory per record, measured by counting the bytes allocated
//! and not yet freed (this test binary's own allocator): a year of realistic changes to
//! the customer-success example, against the budget the daemon is sized by.

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicIsize, Ordering};

use play_runtime::change::parse_change;
use play_runtime::engine::Engine;
use play_runtime::store::MemoryStore;

#[path = "support/example.rs"]
mod example;
use example::example;

/// The system allocator, counting the bytes live.
struct Counting;

static LIVE: AtomicIsize = AtomicIsize::new(0);
/// How many allocations (and reallocations) were made.
static ALLOCS: AtomicIsize = AtomicIsize::new(0);

// SAFETY: every call is passed to the system allocator unchanged; only a counter is added.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        LIVE.fetch_add(layout.size() as isize, Ordering::Relaxed);
        ALLOCS.fetch_add(1, Ordering::Relaxed);
        System.alloc(layout)
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        LIVE.fetch_sub(layout.size() as isize, Ordering::Relaxed);
        System.dealloc(ptr, layout)
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        LIVE.fetch_add(new_size as isize - layout.size() as isize, Ordering::Relaxed);
        ALLOCS.fetch_add(1, Ordering::Relaxed);
        System.realloc(ptr, layout, new_size)
    }
}

#[global_allocator]
static ALLOCATOR: Counting = Counting;

/// The budget per stored record, its history, events and the runs it is in included: what
/// the engine holds today (694 bytes; 1,156 before fields took cells as wide as their type
/// needs, events no window reaches were swept, and a record's lists, enrolments and runs
/// going moved into its row; 1,710 with a `Vec<Value>` per record) and a tenth more. Of it,
/// the rows, their ids and texts are about 270 bytes, each row's bookkeeping with its
/// history, events, write times and enrolments about 190, open dedupe keys about 90, runs
/// in flight about 75, and timers, budgets and the rest of the engine the remainder (the
/// test prints each part).
const BUDGET: isize = 760;

const TIERS: [&str; 3] = ["Enterprise", "MidMarket", "Smb"];
const STAGES: [&str; 4] = ["Onboarding", "Adoption", "Renewal", "Churned"];

/// A small deterministic generator (the changes need only look varied).
struct Rng(u64);

impl Rng {
    fn below(&mut self, n: u64) -> u64 {
        self.0 = self.0.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        (self.0 >> 33) % n
    }
}

/// Change lines like `benches/changes/generate.py` writes: teammates, accounts with three
/// contacts each, then a year of logins, feature use, tickets, scores and field updates.
fn changes(accounts: u64, lines: u64, each: &mut dyn FnMut(&str)) {
    let mut rng = Rng(7);
    let mut written = 0;
    let mut out = |line: String| {
        each(&line);
        written += 1;
    };
    let start = 1_767_600_000; // 2026-01-05
    let at = |t: i64| play_runtime::value::moment_text(t);
    for u in 0..40 {
        out(format!(
            r#"{{"change":"upsert","record":"User","id":"csm{u}@example.com","fields":{{"email":"csm{u}@example.com","name":"csm{u}"}},"at":"{}"}}"#,
            at(start)
        ));
    }
    for a in 0..accounts {
        out(format!(
            r#"{{"change":"upsert","record":"Account","id":"a{a}","fields":{{"name":"Account {a}","tier":"{}","arr":{},"stage":"{}","health":{},"owner":"csm{}@example.com","csm":"csm{}@example.com","weekly_active_users":{},"tags":[],"renewal_date":"2026-{:02}-15"}},"at":"{}"}}"#,
            TIERS[rng.below(3) as usize],
            (5 + rng.below(495)) * 1000,
            STAGES[rng.below(4) as usize],
            30 + rng.below(65),
            rng.below(40),
            rng.below(40),
            1 + rng.below(300),
            2 + rng.below(11),
            at(start)
        ));
        for c in 0..3 {
            let role = if c == 0 { "Champion" } else { "EndUser" };
            out(format!(
                r#"{{"change":"upsert","record":"Contact","id":"a{a}c{c}","fields":{{"email":"c{c}@a{a}.example","first_name":"Contact{c}","account":"a{a}","opted_out":false,"role":"{role}"}},"at":"{}"}}"#,
                at(start)
            ));
        }
    }
    let rest = lines.saturating_sub(40 + 4 * accounts).max(1);
    let step = (365 * 86_400 / rest as i64).max(1);
    let mut t = start;
    for _ in 0..rest {
        t += step;
        let a = rng.below(accounts);
        let c = rng.below(3);
        let roll = rng.below(100);
        let line = match roll {
            0..45 => format!(r#""change":"event","event":"Login","subject":"a{a}c{c}","fields":{{}}"#),
            45..65 => format!(
                r#""change":"event","event":"FeatureUsed","subject":"a{a}c{c}","fields":{{"feature":"reports"}}"#
            ),
            65..70 => format!(
                r#""change":"event","event":"TicketOpened","subject":"a{a}","fields":{{"severity":"High","subject":"Something broke"}}"#
            ),
            70..72 => format!(
                r#""change":"event","event":"NpsSubmitted","subject":"a{a}c{c}","fields":{{"score":{}}}"#,
                rng.below(11)
            ),
            72..88 => format!(
                r#""change":"upsert","record":"Account","id":"a{a}","fields":{{"health":{},"weekly_active_users":{}}}"#,
                20 + rng.below(75),
                1 + rng.below(300)
            ),
            88..97 => format!(r#""change":"upsert","record":"Contact","id":"a{a}c{c}","fields":{{"title":"VP"}}"#),
            _ => format!(
                r#""change":"upsert","record":"Account","id":"a{a}","fields":{{"stage":"{}"}}"#,
                STAGES[rng.below(4) as usize]
            ),
        };
        out(format!(r#"{{{line},"at":"{}"}}"#, at(t)));
    }
}

#[test]
fn a_year_of_changes_stays_within_the_memory_budget_per_record() {
    let (program, workspace) = example();
    let accounts = 1_000;
    let records = (40 + accounts * 4) as isize;
    let types = program.schema.records.len();
    let first = 1_767_600_000;
    let mut engine = Engine::new(program, workspace, MemoryStore::new(types), first);
    // As a long-running engine does: history and actions handed over, ended runs let go.
    engine.keep_history = false;
    engine.keep_closable = false;
    engine.keep_ended_runs = false;
    let before = LIVE.load(Ordering::Relaxed);
    let (mut created, mut i) = (0, 0);
    // Allocations in the engine only (not in reading the line), over the changes that
    // create records (where the example's playbooks enrol) and over the rest.
    let (mut creating, mut later) = (0, 0);
    changes(accounts, 50_000, &mut |line| {
        let change = parse_change(line, engine.program(), &engine.workspace).expect("a valid change");
        let allocs = ALLOCS.load(Ordering::Relaxed);
        engine.ingest(change).expect("an accepted change");
        let made = ALLOCS.load(Ordering::Relaxed) - allocs;
        if i < records {
            creating += made;
        } else {
            later += made;
        }
        drop(engine.take_settled_actions());
        i += 1;
        if i == records {
            created = LIVE.load(Ordering::Relaxed) - before;
        }
    });
    let after = LIVE.load(Ordering::Relaxed) - before;
    eprintln!("allocations per change: {} creating records, {} after", creating / records, later / (50_000 - records));
    eprintln!(
        "{records} records: {} bytes each once created, {} bytes each after a year of changes",
        created / records,
        after / records
    );
    // Where the bytes are: each part of the store let go in turn, then the rest of the engine.
    let mut parts: Vec<(&str, isize)> = Vec::new();
    let mut last = LIVE.load(Ordering::Relaxed);
    engine.store.let_go_in_parts(&mut |name| {
        let now = LIVE.load(Ordering::Relaxed);
        match parts.iter_mut().find(|(n, _)| *n == name) {
            Some(p) => p.1 += last - now,
            None => parts.push((name, last - now)),
        }
        last = now;
    });
    drop(engine);
    parts.push(("the rest of the engine", last - LIVE.load(Ordering::Relaxed)));
    for (name, bytes) in &parts {
        eprintln!("{name:>28}: {:>5} bytes per record", bytes / records);
    }
    assert!(after / records <= BUDGET, "{} bytes per record, over the budget of {BUDGET}", after / records);
}
