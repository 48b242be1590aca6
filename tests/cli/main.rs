//! End-to-end tests of the `play` binary: fixtures in, exit statuses and snapshots of
//! what it prints out.

mod check;
mod fmt;
mod mutation;
mod schema;
mod support;
mod top_level;
