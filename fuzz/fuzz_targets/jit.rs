//! The fuzz target over [`checks/jit.rs`](../checks/jit.rs): see there for what it holds.

#![no_main]

#[path = "../checks/jit.rs"]
mod check;

libfuzzer_sys::fuzz_target!(|data: &[u8]| check::check(data));
