//! The Play runtime: the VM that evaluates compiled code, and the engine's deterministic
//! core (triggers, enrolments, steps, waits, actions, run history) over a store and a clock.

pub mod calendar;
pub mod change;
pub mod config;
pub mod engine;
pub mod jit;
pub mod retention;
pub mod rows;
pub mod settings;
pub mod store;
pub mod testing;
pub mod value;
pub mod vm;
