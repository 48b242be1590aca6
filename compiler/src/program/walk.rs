//! Every piece of code a program runs, with the record type it is about: for analyses of
//! the whole program (which history it reads, for instance).

use super::{ActionDef, Code, Node, Program, TriggerKind, WaitDef};

impl Program {
    /// Calls `f` with every piece of code the engine may run and the record type it is
    /// about (`None` for history filters, which are about an event). Test statements are
    /// left out: they run about no record.
    pub fn each_code(&self, f: &mut dyn FnMut(&Code, Option<usize>)) {
        for s in &self.segments {
            f(&s.value, Some(s.subject));
        }
        for t in &self.templates {
            t.parts.iter().for_each(|(_, code)| f(code, Some(t.subject)));
        }
        for code in &self.filters {
            f(code, None);
        }
        for pb in &self.playbooks {
            let s = Some(pb.subject);
            pb.priority.iter().chain(&pb.conditions).chain(&pb.exits).for_each(|c| f(c, s));
            for t in &pb.triggers {
                if let TriggerKind::Becomes { value: c, .. } | TriggerKind::Date { date: c, .. } = &t.kind {
                    f(c, s);
                }
            }
            for node in &pb.body {
                match node {
                    Node::Step(step) => {
                        step.filter.iter().for_each(|c| f(c, s));
                        step.actions.iter().for_each(|a| action_codes(a, &mut |c| f(c, s)));
                    }
                    Node::Stage(stage) => stage.activities.iter().for_each(|a| action_codes(a, &mut |c| f(c, s))),
                    Node::Wait(WaitDef::Delay(c) | WaitDef::Until(c)) => f(c, s),
                    Node::Wait(WaitDef::For { filter, timeout, .. }) => {
                        filter.iter().chain([timeout]).for_each(|c| f(c, s));
                    }
                }
            }
        }
    }
}

/// Every piece of code of one action's arguments.
pub(super) fn action_codes(a: &ActionDef, f: &mut dyn FnMut(&Code)) {
    let codes = [&a.title, &a.to, &a.about, &a.due, &a.note, &a.message, &a.flow, &a.url, &a.target];
    codes.into_iter().flatten().chain(a.fields.iter().map(|(_, c)| c)).for_each(f);
}
