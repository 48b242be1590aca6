//! The fuzz target over [`checks/changes.rs`](../checks/changes.rs): see there for what it
//! holds.

#![no_main]

#[path = "../checks/changes.rs"]
mod check;

libfuzzer_sys::fuzz_target!(|data: &[u8]| check::check(data));
