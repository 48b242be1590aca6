//! Counters for `/metrics`, in the Prometheus text format.

use std::fmt::Write;
use std::sync::atomic::{AtomicU64, Ordering::Relaxed};

use crate::writer::Report;

static ACCEPTED: AtomicU64 = AtomicU64::new(0);
static DUPLICATES: AtomicU64 = AtomicU64::new(0);
static REFUSED: AtomicU64 = AtomicU64::new(0);
static COMMANDS: AtomicU64 = AtomicU64::new(0);
static ACTIONS: AtomicU64 = AtomicU64::new(0);
static COMMITS: AtomicU64 = AtomicU64::new(0);
static UNAUTHORIZED: AtomicU64 = AtomicU64::new(0);

pub fn taken(report: &Report) {
    ACCEPTED.fetch_add(report.accepted as u64, Relaxed);
    DUPLICATES.fetch_add(report.duplicates as u64, Relaxed);
    REFUSED.fetch_add(report.refused.len() as u64, Relaxed);
}

pub fn committed(commands: u64, actions: u64) {
    COMMITS.fetch_add(1, Relaxed);
    COMMANDS.fetch_add(commands, Relaxed);
    ACTIONS.fetch_add(actions, Relaxed);
}

pub fn unauthorized() {
    UNAUTHORIZED.fetch_add(1, Relaxed);
}

/// The counters of this process, and the store's gauges.
pub fn render(counters: &play_store::Counters) -> String {
    let mut out = String::new();
    let mut metric = |name: &str, kind: &str, help: &str, value: u64| {
        let _ = writeln!(out, "# HELP {name} {help}\n# TYPE {name} {kind}\n{name} {value}");
    };
    metric("play_changes_accepted_total", "counter", "Change lines accepted.", ACCEPTED.load(Relaxed));
    metric(
        "play_changes_duplicate_total",
        "counter",
        "Change lines whose change_id was taken before.",
        DUPLICATES.load(Relaxed),
    );
    metric("play_changes_refused_total", "counter", "Change lines refused.", REFUSED.load(Relaxed));
    metric("play_journal_commands_total", "counter", "Commands appended to the journal.", COMMANDS.load(Relaxed));
    metric("play_group_commits_total", "counter", "Transactions that appended a batch.", COMMITS.load(Relaxed));
    metric("play_actions_produced_total", "counter", "Actions produced.", ACTIONS.load(Relaxed));
    metric(
        "play_unauthorized_total",
        "counter",
        "Requests refused for want of credentials.",
        UNAUTHORIZED.load(Relaxed),
    );
    metric("play_journal_position", "gauge", "The journal's last position.", counters.journal_position);
    metric("play_actions_open", "gauge", "Actions open in the queue.", counters.actions_open);
    metric("play_outbox_backlog", "gauge", "Actions waiting for delivery.", counters.outbox_backlog);
    metric("play_runs_active", "gauge", "Runs in flight.", counters.runs_active);
    out
}
