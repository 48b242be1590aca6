//! End-to-end tests of the `play` binary: fixtures in, exit statuses and snapshots of
//! what it prints out.

mod build;
mod change_lines;
mod changes_in;
mod check;
mod determinism;
mod diff;
mod direct;
mod engine_snapshot;
mod explain;
mod fmt;
mod graph;
mod hostile;
mod lsp;
mod mutation;
mod own_items;
mod play_test;
mod program_load;
mod replay;
mod schema;
mod settings;
mod simulated_time;
mod support;
mod top_level;
