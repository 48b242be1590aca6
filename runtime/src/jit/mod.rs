//! The JIT: compiles the predicates of a program's conditions (see `vm/pred.rs`) to native
//! functions over a record's row of values with Cranelift, when the program is loaded.
//!
//! Compiled code works out itself the comparisons of a field with a number, an enum
//! variant or a truth value, `exists`, and `and`/`or`/`not`; every other part of a
//! condition (dates, texts, lists, clock terms, arithmetic) it hands to the predicate tier
//! through a call, and any case where the predicate would ask the interpreter (an empty
//! value or NaN in an ordering, an enum of another type) it hands over too. It answers
//! true, false or "ask the interpreter", which stays the reference: the property tests in
//! `runtime/tests/rules/jit.rs` hold the three to the same answers.
//!
//! The JIT is on unless turned off for the process ([`set_enabled`]), which `play`'s
//! `--no-jit` flag and `PLAY_NO_JIT=1` do.

mod emit;
mod layout;
mod raw;

use std::sync::atomic::{AtomicBool, Ordering};

pub use emit::compile;
pub use layout::Layout;
pub use raw::{Code, Function};

/// Whether tiers built from now on compile their predicates.
static ENABLED: AtomicBool = AtomicBool::new(true);

/// Turns the JIT on or off for the tiers built from now on (`--no-jit`).
pub fn set_enabled(on: bool) {
    ENABLED.store(on, Ordering::Relaxed);
}

/// Whether the JIT is on.
pub fn enabled() -> bool {
    ENABLED.load(Ordering::Relaxed)
}
