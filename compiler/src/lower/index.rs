//! The trigger index: for each kind of change, the playbooks (and segments) it can
//! concern, so that the engine's cost per change does not grow with the playbooks that
//! cannot fire on it.

use crate::program::*;

pub(crate) fn build(program: &Program) -> TriggerIndex {
    let records = program.schema.records.len();
    let mut index = TriggerIndex {
        created: vec![Vec::new(); records],
        deleted: vec![Vec::new(); records],
        updated_any: vec![Vec::new(); records],
        field: program.schema.records.iter().map(|r| vec![Vec::new(); r.fields.len()]).collect(),
        event: vec![Vec::new(); program.schema.events.len()],
        segments: vec![Vec::new(); records],
        membership: vec![Vec::new(); program.segments.len()],
        timed: Vec::new(),
        segment_fields: program.schema.records.iter().map(|r| vec![Vec::new(); r.fields.len()]).collect(),
    };
    for (p, pb) in program.playbooks.iter().enumerate() {
        let s = pb.subject;
        for t in &pb.triggers {
            let field = |index: &mut TriggerIndex, slot: usize| {
                if let Some(list) = index.field.get_mut(s).and_then(|f| f.get_mut(slot)) {
                    push(list, p);
                }
            };
            match &t.kind {
                TriggerKind::Created => push(&mut index.created[s], p),
                TriggerKind::Deleted => push(&mut index.deleted[s], p),
                TriggerKind::Updated { slots } if slots.is_empty() => push(&mut index.updated_any[s], p),
                TriggerKind::Updated { slots } => slots.iter().for_each(|slot| field(&mut index, *slot)),
                TriggerKind::Becomes { slot, .. } | TriggerKind::Rises { slot } | TriggerKind::Falls { slot } => {
                    field(&mut index, *slot)
                }
                TriggerKind::Event { event, .. } => push(&mut index.event[*event], p),
                TriggerKind::Enters { segment } | TriggerKind::Leaves { segment } => {
                    push(&mut index.membership[*segment], p)
                }
                TriggerKind::Date { .. } | TriggerKind::Every { .. } => push(&mut index.timed, p),
            }
        }
    }
    // Membership is tracked for segments some playbook enters or leaves.
    for (s, seg) in program.segments.iter().enumerate() {
        if index.membership[s].is_empty() {
            continue;
        }
        push(&mut index.segments[seg.subject], s);
        for slot in fields_read(program, s, &mut Vec::new()) {
            if let Some(list) = index.segment_fields[seg.subject].get_mut(slot) {
                push(list, s);
            }
        }
    }
    index
}

fn push(list: &mut Vec<usize>, p: usize) {
    if list.last() != Some(&p) && !list.contains(&p) {
        list.push(p);
    }
}

/// The subject's fields a segment reads directly or through the signals it uses: every
/// field when it reads history or old values (re-evaluated on every change then).
fn fields_read(program: &Program, s: usize, seen: &mut Vec<usize>) -> Vec<usize> {
    if seen.contains(&s) {
        return Vec::new();
    }
    seen.push(s);
    let seg = &program.segments[s];
    let all = || (0..program.schema.records[seg.subject].fields.len()).collect::<Vec<_>>();
    let ops = &seg.value.ops;
    let mut out = Vec::new();
    for op in ops {
        match op {
            Op::SubjectField { slot } | Op::FieldCompare { slot, .. } => out.push(*slot as usize),
            Op::Subject => return all(),
            Op::Segment { index } => out.extend(fields_read(program, *index as usize, seen)),
            Op::History { .. }
            | Op::Change { .. }
            | Op::Old { .. }
            | Op::Call { function: Builtin::Now | Builtin::Today | Builtin::DaysUntil | Builtin::DaysSince } => {
                return all()
            }
            _ => {}
        }
    }
    out
}
