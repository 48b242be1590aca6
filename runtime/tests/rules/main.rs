//! The engine's semantic rules, one test per rule, each named for the rule it checks.
//! Programs are built from source with the standard library, changes go in as JSON change
//! lines, and the actions and run history come out as short lines (see `harness`).
//!
//! Run with `cargo test -p play-runtime --test rules`.

mod harness;

mod actions;
mod budgets;
mod changes;
mod conditions;
mod history;
mod history_filters;
mod jit;
mod journal;
mod overflow;
mod pred;
mod queue;
mod recipients;
mod reentry;
mod replaced;
mod retention;
mod stages;
mod steps;
mod test_blocks;
mod triggers;
mod versions;
mod vm;
mod waits;
