//! The fuzz target over [`checks/program_load.rs`](../checks/program_load.rs): see there for what it
//! holds.

#![no_main]

#[path = "../checks/program_load.rs"]
mod check;

libfuzzer_sys::fuzz_target!(|data: &[u8]| check::check(data));
