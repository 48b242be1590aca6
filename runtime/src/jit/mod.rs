//! The JIT: compiles the predicates of a program's conditions (see `vm/pred.rs`) to native
//! functions over a record's row (`crate::rows`: a tag byte and a fixed-width cell per
//! field, each field in its table's column, at a constant place times the column stride
//! the code is given) with Cranelift, when the program is loaded; a deploy loads
//! the program again, and so compiles again for the tables as it reshapes them.
//!
//! Compiled code loads the cells itself and works out the comparisons of a field with a
//! number, an enum variant, a truth value or a date, `in` a list of enum variants,
//! `exists`, and `and`/`or`/`not`; every other part of a condition (texts, lists, clock
//! terms, arithmetic) and every cell it does not expect (a value in the side list, a
//! number where an enum belongs) it hands to the predicate tier through a call, which
//! decodes the row's values then, once; any case where the predicate would ask the
//! interpreter (an empty value or NaN in an ordering) it hands over too. It answers
//! true, false or "ask the interpreter", which stays the reference: the property tests in
//! `runtime/tests/rules/jit.rs` hold the three to the same answers.
//!
//! Each condition of a playbook a schedule fires (`on every …`: tested over every record
//! of its type) is also compiled to a scan (`scan.rs`, in the same module): a loop over
//! many rows of one table, given by number, straight over the table's columns, that writes
//! one answer byte a row and never calls the slow path: a row it cannot answer alone is
//! tested again by the function over one row (`Vm::test_table`). When every leaf has a
//! form over lanes (`lanes.rs`), sixteen consecutive rows are tested at once with vector
//! instructions; otherwise, when every leaf is compiled, each row is first tested without
//! branches (every leaf's cell loaded and compared, the answers combined as bits); a row
//! takes the branching code only when a cell is of a kind the leaf does not answer for.
//!
//! The JIT is on unless turned off for the process ([`set_enabled`]), which `play`'s
//! `--no-jit` flag and `PLAY_NO_JIT=1` do.

mod cells;
mod emit;
mod lanes;
mod leaf;
mod raw;
mod scan;

use std::sync::atomic::{AtomicBool, Ordering};

pub use emit::{compile, Job};
pub use raw::{Answer, Code, Function, Runner, Scanning};

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
