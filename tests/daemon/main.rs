//! End-to-end tests of `play run`: the real binary on a scratch copy of an example project,
//! driven over HTTP, stopped, killed and restarted.

mod access;
mod approve;
mod clock;
mod concurrency;
mod crash;
mod delivery;
mod delivery_kill;
mod migrate;
mod partitions;
mod partitions_posted;
mod pull;
mod queue;
mod scale_out;
mod support;
mod workers;
