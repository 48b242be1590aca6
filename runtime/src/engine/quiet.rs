//! Quiet schedules: simulated time far ahead costs no more than the firings that can do
//! something. An `every` firing that enrols nobody, because conditions that do not read the
//! clock are false for every record (or there are no records), changes nothing; once every schedule
//! has fired so since the last change, each later firing until the next other timer would
//! see the same store and do the same nothing, so they are skipped in one step. Only when
//! the run history is not kept: skipping leaves out the "not enrolled" entries.

use chrono::{DateTime, Utc};
use play_compiler::program::{Builtin, Code, Op, Program, TriggerKind};

use super::history::Outcome;
use super::Engine;
use crate::store::{Store, Timer};

/// The schedules that fired quietly since the last pass that did something.
#[derive(Default)]
pub(super) struct Quiet {
    fired: Vec<(u32, u32)>,
}

/// What a pass was, for [`Engine::after_pass`].
pub(super) struct Pass {
    /// The schedule that fired, if the pass was one's.
    pub schedule: Option<(u32, u32)>,
    pub history: usize,
    pub actions: usize,
}

impl<S: Store> Engine<S> {
    /// What is known before a timer's pass.
    pub(super) fn before_pass(&self, timer: &Timer) -> Pass {
        let schedule = match timer {
            Timer::Schedule { playbook, trigger } => Some((*playbook, *trigger)),
            _ => None,
        };
        Pass { schedule, history: self.history.len(), actions: self.actions.len() }
    }

    /// After a timer's pass: notes a quiet schedule firing and, once every schedule has
    /// fired quietly, moves them all past what they would do nothing until (the next other
    /// timer, or `until`). Any other pass starts the count again.
    pub(super) fn after_pass(&mut self, pass: Pass, quiet: &mut Quiet, until: i64) {
        let Some(schedule) = pass.schedule.filter(|s| self.fired_quietly(*s, &pass)) else {
            quiet.fired.clear();
            return;
        };
        if !quiet.fired.contains(&schedule) {
            quiet.fired.push(schedule);
        }
        let loaded = self.loaded.clone();
        let all = schedules(&loaded.program);
        if all.iter().any(|s| !quiet.fired.contains(s)) {
            return;
        }
        quiet.fired.clear();
        // Firings before the next other timer (and at most up to `until`) are skipped.
        let limit = self.store.next_due_where(&|t| !matches!(t, Timer::Schedule { .. })).unwrap_or(i64::MAX);
        let limit = limit.min(until.saturating_add(1));
        let Some(after) = DateTime::<Utc>::from_timestamp(limit.saturating_sub(1), 0) else { return };
        if after.timestamp() <= self.now {
            return;
        }
        for (p, t) in all {
            let kind = loaded.program.playbooks.get(p as usize).and_then(|pb| pb.triggers.get(t as usize));
            if let Some(TriggerKind::Every { every, at }) = kind.map(|k| &k.kind) {
                let next = self.workspace.next_schedule(*every, at / 60, at % 60, after).timestamp();
                self.store.schedule(next, Timer::Schedule { playbook: p, trigger: t });
            }
        }
    }

    /// Whether a schedule's firing did nothing that a later firing could do differently:
    /// no action, and every record kept out by a false condition that does not read the
    /// clock (the others may turn true as time passes; re-entry rules may let it in).
    fn fired_quietly(&self, (p, _): (u32, u32), pass: &Pass) -> bool {
        if self.keep_history || self.trace.is_some() || self.actions.len() != pass.actions || !self.pending.is_empty() {
            return false;
        }
        let program = &self.loaded.program;
        let Some(pb) = program.playbooks.get(p as usize) else { return false };
        let entries = self.history.get(pass.history..).unwrap_or(&[]);
        entries.iter().all(|e| match &e.outcome {
            Outcome::NotEnrolled { conditions, .. } if *e.playbook == *pb.name => {
                conditions.iter().zip(&pb.conditions).any(|(c, code)| !c.value && clock_free(program, code, 0))
            }
            _ => false,
        })
    }
}

/// Every `every` trigger of the program, as its timers name them.
fn schedules(program: &Program) -> Vec<(u32, u32)> {
    let mut out = Vec::new();
    for &p in &program.triggers.timed {
        let Some(pb) = program.playbooks.get(p) else { continue };
        for (t, trig) in pb.triggers.iter().enumerate() {
            if matches!(trig.kind, TriggerKind::Every { .. }) {
                out.push((p as u32, t as u32));
            }
        }
    }
    out
}

/// Whether code gives the same value at every moment for the same store: it reads no
/// clock, no window of history and no change over time (through segments too).
fn clock_free(program: &Program, code: &Code, depth: u32) -> bool {
    if depth > 64 {
        return false;
    }
    code.ops.iter().all(|op| match op {
        Op::Call { function: Builtin::Now | Builtin::Today | Builtin::DaysUntil | Builtin::DaysSince } => false,
        Op::History { within: true, .. } | Op::Change { .. } => false,
        Op::Segment { index } => {
            program.segments.get(*index as usize).is_some_and(|s| clock_free(program, &s.value, depth + 1))
        }
        _ => true,
    })
}
