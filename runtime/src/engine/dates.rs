//! Date triggers: which fields of its record each one's moment is worked out from, so that
//! a change reschedules only the dates it may have moved.

use play_compiler::program::{Builtin, Code, Op, Program, TriggerKind};

/// A `date` trigger of a loaded program, in the order of the program's timed playbooks and
/// their triggers.
pub(crate) struct DateTrigger {
    pub playbook: usize,
    pub trigger: usize,
    /// The record type it is about.
    pub subject: u32,
    /// The fields of the record its moment is worked out from, when that is all it reads.
    pub reads: Option<Vec<u32>>,
}

/// The `date` triggers of a program, each with what its moment depends on: worked out once
/// per program, not at every change.
pub(crate) fn date_triggers(program: &Program) -> Vec<DateTrigger> {
    let mut out = Vec::new();
    for &p in &program.triggers.timed {
        let pb = &program.playbooks[p];
        for (t, trig) in pb.triggers.iter().enumerate() {
            if let TriggerKind::Date { date, .. } = &trig.kind {
                out.push(DateTrigger { playbook: p, trigger: t, subject: pb.subject as u32, reads: date_reads(date) });
            }
        }
    }
    out
}

/// Which fields of the record a `date` trigger's moment is worked out from, when those are
/// all it depends on. Code that reads only the record's own fields and constants gives the
/// same moment until one of those fields changes, so re-evaluating and rescheduling it on
/// every change (which costs more than the rest of a change nobody watches) is skipped;
/// code that reads the clock, segments, history or other records (`None`) is always worked
/// out again.
fn date_reads(code: &Code) -> Option<Vec<u32>> {
    let mut reads = Vec::new();
    for op in &code.ops {
        match op {
            Op::SubjectField { slot } | Op::FieldCompare { slot, .. } => reads.push(*slot),
            Op::Call {
                function: Builtin::Now | Builtin::Today | Builtin::DaysUntil | Builtin::DaysSince | Builtin::ManagerOf,
            } => return None,
            Op::Const { .. }
            | Op::Call { .. }
            | Op::Not
            | Op::Neg
            | Op::Add
            | Op::Sub
            | Op::Mul
            | Op::Div
            | Op::Eq
            | Op::Ne
            | Op::Lt
            | Op::Le
            | Op::Gt
            | Op::Ge
            | Op::JumpIfFalse { .. }
            | Op::JumpIfTrue { .. }
            | Op::Coalesce { .. }
            | Op::In { .. }
            | Op::List { .. }
            | Op::Concat { .. }
            | Op::Exists => {}
            _ => return None,
        }
    }
    Some(reads)
}
