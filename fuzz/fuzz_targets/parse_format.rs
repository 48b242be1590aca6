//! The fuzz target over [`checks/parse_format.rs`](../checks/parse_format.rs): see there for what it
//! holds.

#![no_main]

#[path = "../checks/parse_format.rs"]
mod check;

libfuzzer_sys::fuzz_target!(|data: &[u8]| check::check(data));
