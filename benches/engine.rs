//! The engine in memory: changes per second with 10, 1,000 and 10,000 playbooks loaded
//! over 100,000 accounts. Thanks to the trigger index, a change should cost work only for
//! the playbooks it can fire, so the figures should barely move with the number loaded.
//!
//! Three kinds of change, each built before the clock starts (no JSON is parsed):
//! - `no_trigger`: a field no playbook or segment reads (`description`): the floor of
//!   what any change costs. Goal: at least 1,000,000 changes/s on one core.
//! - `enrols`: a field one playbook watches, whose conditions hold: one enrolment, one
//!   step, one action. Goal: at least 100,000 changes/s.
//! - `fires_not_enrolled`: `health` falls, which a fifth of the generated playbooks
//!   watch; their conditions are false. Not a goal: it shows the cost per playbook fired,
//!   which the index cannot avoid.
//!
//! The `enrolment` group measures enrolling changes (10 playbooks loaded) against the
//! floor of any change in the same run (`no_trigger`), and setting up reports the
//! allocations each kind of change makes (counted by this binary's allocator; the
//! count costs both sides the same atomic increment).
//!
//! The allocator is mimalloc, the global allocator of the `play` binary and so of its
//! daemon: the benchmark measures the engine as the product runs it (the counting wrapper
//! below only adds the count).

use std::alloc::{GlobalAlloc, Layout};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use criterion::{black_box, criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use mimalloc::MiMalloc;
use play_compiler::program::Program;
use play_runtime::change::{Change, ChangeKind};
use play_runtime::config::Workspace;
use play_runtime::engine::{Engine, Outcome};
use play_runtime::store::MemoryStore;
use play_runtime::value::Value;

#[path = "support/accounts.rs"]
mod accounts;

use accounts::{slot, NOW};

/// mimalloc, counting allocations (and reallocations) as the tests' counting allocator
/// does over the system's.
struct Counting;

static ALLOCS: AtomicUsize = AtomicUsize::new(0);

// SAFETY: every call is passed to mimalloc unchanged; only a counter is added.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        ALLOCS.fetch_add(1, Ordering::Relaxed);
        MiMalloc.alloc(layout)
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        MiMalloc.dealloc(ptr, layout)
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        ALLOCS.fetch_add(1, Ordering::Relaxed);
        MiMalloc.realloc(ptr, layout, new_size)
    }
}

#[global_allocator]
static ALLOCATOR: Counting = Counting;

/// How many allocations the process has made so far.
fn allocations() -> usize {
    ALLOCS.load(Ordering::Relaxed)
}

const RECORDS: usize = 100_000;
/// Segments shared by the generated playbooks: a workspace has tens, whatever its
/// number of playbooks.
const SEGMENTS: usize = 20;
/// Playbooks with a `date` trigger: each keeps a timer per account, so a workspace has
/// a handful, not thousands.
const DATED: usize = 5;

/// The playbook the `enrols` changes fire: its conditions hold for every account, and it
/// produces one action and completes (no wait, so no run stays active).
const ENROLLING: &str = include_str!("../runtime/tests/support/seats_rising.play");

/// A project of `n` generated playbooks (plus the enrolling one, the dated ones and the
/// segments), with triggers spread over the kinds playbooks use and conditions that are
/// usually false.
fn project(n: usize) -> String {
    let mut out = String::from(ENROLLING);
    for k in 0..SEGMENTS {
        out += &format!(
            "segment low_health_{k} for account: Account =\n  account.health < {} and account.tier != Smb\n\n",
            20 + k
        );
    }
    for i in 0..DATED {
        out += &format!(
            r##"playbook dated_{i} "Renewal in {d} days" {{
  for account: Account
  reentry after 180d
  on date account.renewal_date - {d}d at 09:00
  when account.stage == Renewal and account.arr > 800_000
  step s "Prepare" {{ notify slack "#renewals" "{{account.name}} renews in {d} days" }}
}}

"##,
            d = 30 + 15 * i
        );
    }
    for i in 0..n {
        let (trigger, condition) = match i % 5 {
            0 => (
                "account.health falls".to_string(),
                format!("account.stage == Churned and account.arr > {}", 1_000_000 + i),
            ),
            1 => (
                "account.stage becomes Renewal".to_string(),
                format!("account.tier == Enterprise and account.arr > {}", 600_000 + i),
            ),
            2 => ("event TicketOpened".to_string(), format!("account.arr > {} or account.health < -1", 700_000 + i)),
            3 => ("updated account.tier".to_string(), format!("account.tier == Enterprise and account.health < -{i}")),
            _ => (format!("enters low_health_{}", i % SEGMENTS), format!("account.arr > {}", 900_000 + i)),
        };
        out += &format!(
            r##"playbook generated_{i} "Generated {i}" {{
  for account: Account
  on {trigger}
  when {condition}
  step s "Look" {{ notify slack "#cs" "{{account.name}} needs a look ({i})" }}
}}

"##
        );
    }
    out
}

/// Which field a workload changes, and how the next value follows from the current one.
#[derive(Clone, Copy)]
enum Workload {
    NoTrigger,
    Enrols,
    FiresNotEnrolled,
}

impl Workload {
    fn name(self) -> &'static str {
        match self {
            Workload::NoTrigger => "no_trigger",
            Workload::Enrols => "enrols",
            Workload::FiresNotEnrolled => "fires_not_enrolled",
        }
    }
}

/// An engine with the program loaded and every account in the store, and what the next
/// change of each workload is.
struct Bench {
    engine: Engine<MemoryStore>,
    account: u32,
    ids: Vec<Arc<str>>,
    description: usize,
    used_seats: usize,
    health: usize,
    /// The next account each workload changes, round robin.
    next: [usize; 3],
    /// How many times each workload has gone round every account.
    rounds: [u64; 3],
    descriptions: [Value; 2],
}

impl Bench {
    fn new(program: Program) -> Bench {
        let (account, _) = accounts::account_def(&program);
        let (description, used_seats, health) =
            (slot(&program, "description"), slot(&program, "used_seats"), slot(&program, "health"));
        let records = accounts::accounts(&program, RECORDS);
        let store = MemoryStore::new(program.schema.records.len());
        let mut engine = Engine::new(program, Workspace::default(), store, NOW);
        let mut ids = Vec::with_capacity(RECORDS);
        for (id, mut fields) in records {
            fields[used_seats] = Value::Int(10);
            let present: Vec<(u32, Value)> =
                fields.into_iter().enumerate().filter(|(_, v)| !v.is_empty()).map(|(s, v)| (s as u32, v)).collect();
            engine.given(account, id.clone(), present).expect("a generated account is valid");
            ids.push(id);
        }
        engine.history.clear();
        Bench {
            engine,
            account,
            ids,
            description,
            used_seats,
            health,
            next: [0; 3],
            rounds: [0; 3],
            descriptions: [Value::text("A customer (edited)."), Value::text("A customer.")],
        }
    }

    /// The next change of a workload: a field of the next account, set to a value that
    /// differs from the one it has (so that the change is a real one).
    fn change(&mut self, workload: Workload) -> Change {
        let w = workload as usize;
        let i = self.next[w];
        let round = self.rounds[w];
        self.next[w] += 1;
        if self.next[w] == self.ids.len() {
            self.next[w] = 0;
            self.rounds[w] += 1;
        }
        let (slot, value) = match workload {
            Workload::NoTrigger => (self.description, self.descriptions[(round % 2) as usize].clone()),
            Workload::Enrols => (self.used_seats, Value::Int(11 + round as i64)),
            // Falls by a hundredth each round, from the generated health.
            Workload::FiresNotEnrolled => {
                let now = self.engine.store_field(self.account, &self.ids[i], self.health);
                (self.health, Value::Num(now - 0.01))
            }
        };
        Change {
            at: NOW,
            kind: ChangeKind::Upsert {
                record: self.account,
                id: self.ids[i].clone(),
                fields: vec![(slot as u32, value)],
            },
        }
    }

    /// Feeds `n` changes of a workload, built beforehand; the time of feeding them alone.
    fn run(&mut self, workload: Workload, n: u64) -> Duration {
        let changes: Vec<Change> = (0..n).map(|_| self.change(workload)).collect();
        self.engine.history.clear();
        // Actions are taken after each change, as the daemon does, and dropped after
        // the clock stops.
        let mut taken = Vec::with_capacity(n as usize);
        let start = Instant::now();
        let mut refused = 0usize;
        for c in changes {
            refused += usize::from(black_box(self.engine.ingest(c)).is_err());
            taken.push(self.engine.take_actions());
        }
        let elapsed = start.elapsed();
        assert_eq!(refused, 0, "every generated change is valid");
        let actions = taken.iter().map(Vec::len).sum::<usize>() as u64;
        let expected = if matches!(workload, Workload::Enrols) { n } else { 0 };
        assert_eq!(actions, expected, "{}: one action per enrolling change, none otherwise", workload.name());
        elapsed
    }
}

/// A field of a stored record as a number (for the next `health`).
trait StoreField {
    fn store_field(&self, record: u32, id: &str, slot: usize) -> f64;
}

impl StoreField for Engine<MemoryStore> {
    fn store_field(&self, record: u32, id: &str, slot: usize) -> f64 {
        use play_runtime::vm::Data;
        self.store.record(record, id).and_then(|f| f.value(slot).number()).expect("a stored account with a health")
    }
}

/// Builds the project of `n` playbooks, loads the accounts, and checks that each workload
/// does what it says: nothing, one enrolment per change, fires that do not enrol.
fn setup(n: usize) -> Bench {
    let source = project(n);
    let started = Instant::now();
    let program = play_compiler::lower::build(&[("generated.play", &source)]).expect("the generated project compiles");
    let built = started.elapsed();
    let mut bench = Bench::new(program);
    eprintln!("{n} playbooks: built in {built:.2?}, {RECORDS} accounts loaded in {:.2?}", started.elapsed() - built);
    bench.run(Workload::NoTrigger, 1_000);
    assert!(bench.engine.history.is_empty(), "a change nobody watches leaves no history");
    bench.run(Workload::Enrols, 1_000);
    for workload in [Workload::NoTrigger, Workload::Enrols] {
        // The changes are built (and the history cleared) before the count starts.
        let changes: Vec<Change> = (0..1_000).map(|_| bench.change(workload)).collect();
        bench.engine.history.clear();
        let before = allocations();
        for c in changes {
            bench.engine.ingest(c).expect("a valid change");
            drop(bench.engine.take_actions());
        }
        let made = allocations() - before;
        eprintln!("{n} playbooks, {}: {:.1} allocations per change", workload.name(), made as f64 / 1_000.0);
    }
    bench.engine.history.clear();
    bench.run(Workload::Enrols, 1_000);
    let enrolled = bench.engine.history.iter().filter(|h| matches!(h.outcome, Outcome::Enrolled { .. })).count();
    assert_eq!(enrolled, 1_000, "one enrolment per enrolling change");
    bench.run(Workload::FiresNotEnrolled, 100);
    let fired = &bench.engine.history;
    assert!(
        !fired.is_empty() && fired.iter().all(|h| matches!(h.outcome, Outcome::NotEnrolled { .. })),
        "falling health fires, never enrols"
    );
    bench
}

fn bench(c: &mut Criterion) {
    let mut group = c.benchmark_group("engine");
    group.sample_size(10);
    group.warm_up_time(Duration::from_secs(1));
    group.measurement_time(Duration::from_secs(3));
    group.throughput(Throughput::Elements(1));
    for n in [10, 1_000, 10_000] {
        // Set up on first use, so that a filtered run builds only what it measures.
        let mut bench: Option<Bench> = None;
        for workload in [Workload::NoTrigger, Workload::Enrols, Workload::FiresNotEnrolled] {
            group.bench_function(BenchmarkId::new(workload.name(), n), |b| {
                let bench = bench.get_or_insert_with(|| setup(n));
                b.iter_custom(|iters| bench.run(workload, iters))
            });
        }
    }
    group.finish();
}

/// Enrolling changes against the floor of any change, in the same run.
fn enrolment(c: &mut Criterion) {
    let mut group = c.benchmark_group("enrolment");
    group.sample_size(10);
    group.warm_up_time(Duration::from_secs(1));
    group.measurement_time(Duration::from_secs(3));
    group.throughput(Throughput::Elements(1));
    let mut bench = setup(10);
    for workload in [Workload::NoTrigger, Workload::Enrols] {
        group.bench_function(workload.name(), |b| b.iter_custom(|iters| bench.run(workload, iters)));
    }
    group.finish();
}

criterion_group!(benches, enrolment, bench);
criterion_main!(benches);
