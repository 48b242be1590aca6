//! Which of the subject's fields a piece of code reads, so that evaluating it by the
//! interpreter needs only those decoded from the record's row (a notification's text
//! reads two or three of an account's thirty-odd fields).

use play_compiler::program::{Code, Op, Program, SEGMENT_DEPTH};

/// The subject's fields `code` reads, in order and each once: through `SubjectField`,
/// `FieldCompare` and `Change`, and through the segments and history filters it runs on
/// the same subject. Nothing when that cannot be told (an unknown segment or filter, or
/// uses nested deeper than the interpreter follows), and then every field is decoded.
pub(crate) fn subject_fields(program: &Program, code: &Code) -> Option<Vec<u32>> {
    let mut out = Vec::new();
    walk(program, code, 0, &mut out)?;
    out.sort_unstable();
    out.dedup();
    Some(out)
}

fn walk(program: &Program, code: &Code, depth: u32, out: &mut Vec<u32>) -> Option<()> {
    if depth > SEGMENT_DEPTH {
        return None;
    }
    for op in &code.ops {
        match *op {
            Op::SubjectField { slot } | Op::FieldCompare { slot, .. } | Op::Change { slot } => out.push(slot),
            Op::Segment { index } => walk(program, &program.segments.get(index as usize)?.value, depth + 1, out)?,
            Op::History { filter: Some(f), .. } => walk(program, program.filters.get(f as usize)?, depth + 1, out)?,
            _ => {}
        }
    }
    Some(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn program(source: &str) -> Program {
        play_compiler::lower::build(&[("t.play", source)]).unwrap_or_else(|_| panic!("the test program compiles"))
    }

    /// A step's text reads the fields it interpolates; a filter that uses a segment reads
    /// the segment's fields too; and no other field.
    #[test]
    fn code_reads_its_fields_and_its_segments_fields() {
        let p = program(
            r##"
segment healthy for account: Account = account.health > 70

playbook p "P" {
  for account: Account
  on updated account.arr
  step s "S" when healthy and account.arr > 5 {
    notify slack "#cs" "{account.name}: {account.arr}"
  }
}
"##,
        );
        let def = p.schema.records.iter().find(|r| r.name == "Account").expect("the record");
        let slot = |name: &str| def.slot(name).expect("a field") as u32;
        let play_compiler::program::Node::Step(step) = &p.playbooks[0].body[0] else { panic!("a step") };
        let sorted = |mut v: Vec<u32>| {
            v.sort_unstable();
            v
        };
        let message = step.actions[0].message.as_ref().expect("a message");
        assert_eq!(subject_fields(&p, message), Some(sorted(vec![slot("name"), slot("arr")])));
        let filter = step.filter.as_ref().expect("a filter");
        assert_eq!(subject_fields(&p, filter), Some(sorted(vec![slot("health"), slot("arr")])));
    }
}
