//! The seeded simulator: the daemon's engine thread (`Writer`) driven in one process, with
//! the wall clock, the store's failures and the crashes under the seed's control. Each seed
//! sends change lines (late, duplicated, refused, resent after a crash), queue operations,
//! clock ticks and deploys; the store fails before or after its commit, snapshots are lost
//! or torn, and the engine is dropped (a crash) between batches. At the end:
//!
//! - every acknowledged change is in the journal;
//! - the projections (queue, runs, history) equal those of ONE clean fold of the journal,
//!   so nothing acknowledged is lost and no action is produced twice;
//! - the engine recovered from it equals the clean fold (its timers included);
//! - the same seed gives the same journal.
//!
//! `PLAY_SIM_SEEDS=N` runs N seeds (CI runs the default), `PLAY_SIM_SEED=S` one seed.

mod sim;

use sim::{Outcome, Sim};

const DEFAULT_SEEDS: u64 = 2_000;

fn seeds() -> Vec<u64> {
    if let Some(one) = std::env::var("PLAY_SIM_SEED").ok().and_then(|s| s.parse().ok()) {
        return vec![one];
    }
    let n = std::env::var("PLAY_SIM_SEEDS").ok().and_then(|s| s.parse().ok()).unwrap_or(DEFAULT_SEEDS);
    (1..=n).collect()
}

#[test]
fn no_seed_loses_an_acknowledged_change_or_produces_an_action_twice() {
    let programs = sim::Programs::new();
    let seeds = seeds();
    // The seeds are independent: they are shared among the machine's cores.
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
    let totals = std::thread::scope(|scope| {
        let workers: Vec<_> = (0..threads)
            .map(|t| {
                let (seeds, programs) = (&seeds, &programs);
                scope.spawn(move || {
                    let mut totals = Outcome::default();
                    for &seed in seeds.iter().skip(t).step_by(threads) {
                        let outcome = Sim::new(seed, programs).run();
                        if let Err(message) = outcome.check() {
                            panic!("seed {seed}: {message}\n(run it alone: PLAY_SIM_SEED={seed} cargo test -p play-daemon --test simulate)");
                        }
                        totals.add(&outcome);
                    }
                    totals
                })
            })
            .collect();
        let mut totals = Outcome::default();
        for worker in workers {
            totals.add(&worker.join().unwrap_or_else(|e| std::panic::resume_unwind(e)));
        }
        totals
    });
    // The seeds must reach what they are meant to test, or the test proves nothing.
    assert!(totals.crashes > 0 && totals.failed_appends > 0 && totals.lost_acks > 0, "{totals:?}");
    assert!(totals.torn_snapshots > 0 && totals.restored > 0 && totals.deploys > 0, "{totals:?}");
    assert!(totals.actions > 0 && totals.queue_ops > 0 && totals.refused > 0 && totals.duplicates > 0, "{totals:?}");
}

#[test]
fn the_same_seed_gives_the_same_journal() {
    let programs = sim::Programs::new();
    for seed in [3, 17, 99] {
        let a = Sim::new(seed, &programs).run();
        let b = Sim::new(seed, &programs).run();
        assert_eq!(a.journal, b.journal, "seed {seed}");
        assert!(!a.journal.is_empty());
    }
}
