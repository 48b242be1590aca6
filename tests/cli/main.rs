//! End-to-end tests of the `play` binary: fixtures in, exit statuses and snapshots of
//! what it prints out.

mod build;
mod change_lines;
mod check;
mod determinism;
mod direct;
mod explain;
mod fmt;
mod mutation;
mod play_test;
mod program_load;
mod replay;
mod schema;
mod simulated_time;
mod support;
mod top_level;
