//! Structural validation of a loaded program: every index in range, every count and
//! duration sensible, every instruction's operands of the kind its place needs, the stack
//! never short, and the trigger index the one the playbooks give. A program file's hash
//! only says the file is whole, not that it came from the compiler: this is what lets the
//! engine index a loaded program without checking each time.

use super::*;

/// The most seconds a duration or a moment may be away from 1970: ten thousand years.
const SPAN: i64 = 10_000 * 366 * 86_400;

/// Minutes in a day: a time of day is below it.
const DAY_MINUTES: u32 = 24 * 60;

/// What is wrong with a program, as a sentence naming the place.
pub(super) fn check(program: &Program) -> Result<(), String> {
    let v = Validator { p: program, depth: std::cell::Cell::new(0) };
    v.schema()?;
    for (i, c) in program.consts.iter().enumerate() {
        v.constant(c).map_err(|e| format!("constant {i}: {e}"))?;
    }
    for (i, s) in program.segments.iter().enumerate() {
        let at = || format!("segment {i} (`{}`)", s.name);
        v.record(s.subject).map_err(|e| format!("{}: {e}", at()))?;
        v.code(&s.value, Some(s.subject)).map_err(|e| format!("{}: {e}", at()))?;
    }
    for (i, t) in program.templates.iter().enumerate() {
        let at = || format!("template {i} (`{}`)", t.name);
        v.record(t.subject).map_err(|e| format!("{}: {e}", at()))?;
        for (_, code) in &t.parts {
            v.code(code, Some(t.subject)).map_err(|e| format!("{}: {e}", at()))?;
        }
    }
    for (i, l) in program.limits.iter().enumerate() {
        v.limit(l).map_err(|e| format!("limit {i} (`{}`): {e}", l.name))?;
    }
    for (i, pb) in program.playbooks.iter().enumerate() {
        v.playbook(pb).map_err(|e| format!("playbook {i} (`{}`): {e}", pb.name))?;
    }
    for (i, t) in program.tests.iter().enumerate() {
        for (s, stmt) in t.stmts.iter().enumerate() {
            v.test_stmt(&stmt.kind).map_err(|e| format!("test {i} (`{}`), statement {}: {e}", t.name, s + 1))?;
        }
    }
    // Everything the index is built from is in range now: it must be the one it gives.
    if crate::lower::trigger_index(program) != program.triggers {
        return Err("the trigger index does not match the playbooks".into());
    }
    Ok(())
}

struct Validator<'a> {
    p: &'a Program,
    /// How many filters deep the code being checked is.
    depth: std::cell::Cell<u32>,
}

/// `Err` naming the thing when `index` is not below `count`.
fn within(what: &str, index: usize, count: usize) -> Result<(), String> {
    if index < count {
        Ok(())
    } else {
        Err(format!("{what} {index} does not exist (there are {count})"))
    }
}

impl Validator<'_> {
    fn record(&self, r: usize) -> Result<&RecordDef, String> {
        within("record type", r, self.p.schema.records.len())?;
        Ok(&self.p.schema.records[r])
    }

    fn event(&self, e: usize) -> Result<&EventDef, String> {
        within("event type", e, self.p.schema.events.len())?;
        Ok(&self.p.schema.events[e])
    }

    fn slot(&self, r: usize, slot: usize) -> Result<&FieldDef, String> {
        let def = self.record(r)?;
        within(&format!("field of `{}`", def.name), slot, def.fields.len())?;
        Ok(&def.fields[slot])
    }

    fn event_slot(&self, e: usize, slot: usize) -> Result<(), String> {
        let def = self.event(e)?;
        within(&format!("field of event `{}`", def.name), slot, def.fields.len())
    }

    fn ty(&self, ty: &Ty) -> Result<(), String> {
        match ty {
            Ty::List(t) | Ty::Optional(t) => self.ty(t),
            Ty::Record(r) => self.record(*r).map(|_| ()),
            Ty::Enum(e) => within("enum", *e, self.p.schema.enums.len()),
            Ty::Event(e) => self.event(*e).map(|_| ()),
            _ => Ok(()),
        }
    }

    fn schema(&self) -> Result<(), String> {
        let s = &self.p.schema;
        for r in &s.records {
            for f in &r.fields {
                self.ty(&f.ty).map_err(|e| format!("record `{}`, field `{}`: {e}", r.name, f.name))?;
            }
        }
        for e in &s.enums {
            if e.variants.is_empty() {
                return Err(format!("enum `{}` has no variants", e.name));
            }
        }
        for ev in &s.events {
            let at = |e: String| format!("event `{}`: {e}", ev.name);
            self.record(ev.subject).map_err(at)?;
            for f in &ev.fields {
                self.ty(&f.ty).map_err(|e| at(format!("field `{}`: {e}", f.name)))?;
            }
            for &(owner, slot) in &ev.owners {
                self.record(owner).map_err(at)?;
                let field = self.slot(ev.subject, slot).map_err(at)?;
                if *field.ty.required() != Ty::Record(owner) {
                    return Err(at(format!(
                        "its owner through field `{}` is not what the field refers to",
                        field.name
                    )));
                }
            }
        }
        Ok(())
    }

    fn constant(&self, c: &Const) -> Result<(), String> {
        match c {
            Const::Number(n) if !n.is_finite() => Err("a number that is not finite".into()),
            Const::DateTime(t) if t.abs() > SPAN => Err(format!("the moment {t} is out of range")),
            Const::Duration(d) => duration(d),
            Const::Time(m) if *m >= DAY_MINUTES => Err(format!("the time of day {m} is out of range")),
            Const::Enum { ty, variant } => {
                within("enum", *ty, self.p.schema.enums.len())?;
                let def = &self.p.schema.enums[*ty];
                within(&format!("variant of `{}`", def.name), *variant, def.variants.len())
            }
            Const::Ref { record, .. } => self.record(*record).map(|_| ()),
            _ => Ok(()),
        }
    }

    fn limit(&self, l: &LimitDef) -> Result<(), String> {
        if l.count == 0 {
            return Err("its count is not positive".into());
        }
        duration(&l.window)?;
        if l.window.seconds <= 0 && l.window.business_days <= 0 {
            return Err("its window is not positive".into());
        }
        Ok(())
    }

    fn playbook(&self, pb: &PlaybookDef) -> Result<(), String> {
        let s = Some(pb.subject);
        self.record(pb.subject)?;
        if let Some(c) = &pb.priority {
            self.code(c, s).map_err(|e| format!("priority: {e}"))?;
        }
        if let Reentry::After(d) = &pb.reentry {
            duration(d).map_err(|e| format!("reentry: {e}"))?;
        }
        for (t, trig) in pb.triggers.iter().enumerate() {
            self.trigger(&trig.kind, pb.subject).map_err(|e| format!("trigger {}: {e}", t + 1))?;
        }
        for (c, code) in pb.conditions.iter().chain(&pb.exits).enumerate() {
            self.code(code, s).map_err(|e| format!("condition {}: {e}", c + 1))?;
        }
        for (n, node) in pb.body.iter().enumerate() {
            self.node(node, pb.subject).map_err(|e| format!("step {}: {e}", n + 1))?;
        }
        Ok(())
    }

    fn trigger(&self, kind: &TriggerKind, subject: usize) -> Result<(), String> {
        match kind {
            TriggerKind::Event { event, via } => {
                let def = self.event(*event)?;
                if let Some(slot) = via {
                    let field = self.slot(def.subject, *slot)?;
                    if *field.ty.required() != Ty::Record(subject) {
                        return Err(format!("field `{}` does not lead to the playbook's subject", field.name));
                    }
                }
                Ok(())
            }
            TriggerKind::Becomes { slot, value } => {
                self.slot(subject, *slot)?;
                self.code(value, Some(subject))
            }
            TriggerKind::Rises { slot } | TriggerKind::Falls { slot } => self.slot(subject, *slot).map(|_| ()),
            TriggerKind::Enters { segment } | TriggerKind::Leaves { segment } => {
                within("segment", *segment, self.p.segments.len())?;
                if self.p.segments[*segment].subject != subject {
                    return Err(format!("segment {segment} is about another record type"));
                }
                Ok(())
            }
            TriggerKind::Updated { slots } => slots.iter().try_for_each(|s| self.slot(subject, *s).map(|_| ())),
            TriggerKind::Created | TriggerKind::Deleted => Ok(()),
            TriggerKind::Date { date, at } => {
                time_of_day(at.unwrap_or(0))?;
                self.code(date, Some(subject))
            }
            TriggerKind::Every { at, .. } => time_of_day(*at),
        }
    }

    fn node(&self, node: &Node, subject: usize) -> Result<(), String> {
        let s = Some(subject);
        match node {
            Node::Step(step) => {
                if let Some(f) = &step.filter {
                    self.code(f, s)?;
                }
                step.actions.iter().try_for_each(|a| self.action(a, subject))
            }
            Node::Stage(stage) => stage.activities.iter().try_for_each(|a| self.action(a, subject)),
            Node::Wait(WaitDef::Delay(c) | WaitDef::Until(c)) => self.code(c, s),
            Node::Wait(WaitDef::For { event, filter, timeout }) => {
                self.event(*event)?;
                if let Some(f) = filter {
                    self.code(f, s)?;
                }
                self.code(timeout, s)
            }
        }
    }

    fn action(&self, a: &ActionDef, subject: usize) -> Result<(), String> {
        if let Some(t) = a.template {
            within("template", t, self.p.templates.len())?;
        }
        if let Some(r) = a.creates {
            self.record(r)?;
        }
        let mut result = Ok(());
        super::walk::action_codes(a, &mut |code| {
            if result.is_ok() {
                result = self.code(code, Some(subject));
            }
        });
        result
    }

    fn test_stmt(&self, kind: &TestStmtKind) -> Result<(), String> {
        match kind {
            TestStmtKind::Put { record, fields, .. } | TestStmtKind::Update { record, fields, .. } => {
                for (slot, code) in fields {
                    self.slot(*record, *slot)?;
                    self.code(code, None)?;
                }
                Ok(())
            }
            TestStmtKind::Delete { record, .. } => self.record(*record).map(|_| ()),
            TestStmtKind::Event { event, fields, .. } => {
                for (slot, code) in fields {
                    self.event_slot(*event, *slot)?;
                    self.code(code, None)?;
                }
                Ok(())
            }
            TestStmtKind::At(c @ (Const::Date(_) | Const::DateTime(_) | Const::LocalDateTime(_))) => self.constant(c),
            TestStmtKind::At(_) => Err("`at` is not given a moment".into()),
            TestStmtKind::After(d) => duration(d),
            TestStmtKind::Expect(e) | TestStmtKind::Act { expect: e, .. } => {
                [&e.to, &e.titled, &e.containing].into_iter().flatten().try_for_each(|c| self.code(c, None))
            }
            // Named by text, found (or not, which fails the test) when it runs.
            TestStmtKind::AddActivity { .. } => Ok(()),
        }
    }

    /// One piece of code, about `subject` (none in tests): operands in range, jumps
    /// forward and inside the code, and the stack never popped below empty.
    fn code(&self, code: &Code, subject: Option<usize>) -> Result<(), String> {
        let ops = &code.ops;
        if code.spans.len() != ops.len() {
            return Err("its instructions and their places differ in number".into());
        }
        // The stack's depth before each instruction, as jumps forward arrive there.
        let mut arriving: Vec<Option<usize>> = vec![None; ops.len() + 1];
        let mut depth = 0usize;
        for (pc, op) in ops.iter().enumerate() {
            let at = |e: String| format!("instruction {pc} of `{}`: {e}", clip(&code.source));
            if let Some(d) = arriving[pc] {
                if d != depth {
                    return Err(at("the stack differs in depth where paths meet".into()));
                }
            }
            let (pops, pushes) = self.op(*op, subject).map_err(at)?;
            if depth < pops {
                return Err(at("it takes more values than the stack holds".into()));
            }
            if let Op::JumpIfFalse { to } | Op::JumpIfTrue { to } | Op::Coalesce { to } = *op {
                let to = to as usize;
                if to <= pc || to > ops.len() {
                    return Err(at(format!("its jump to {to} is not forward inside the code")));
                }
                match arriving[to] {
                    Some(d) if d != depth => return Err(at("the stack differs in depth where paths meet".into())),
                    _ => arriving[to] = Some(depth),
                }
            }
            depth = depth - pops + pushes;
        }
        if arriving[ops.len()].is_some_and(|d| d != depth) {
            return Err(format!("`{}`: the stack differs in depth where paths meet", clip(&code.source)));
        }
        if !ops.is_empty() && depth != 1 {
            return Err(format!("`{}` does not leave one value", clip(&code.source)));
        }
        Ok(())
    }

    /// What an instruction pops and pushes, once its operands are checked.
    fn op(&self, op: Op, subject: Option<usize>) -> Result<(usize, usize), String> {
        let subject_slot = |slot: u32| match subject {
            Some(s) => self.slot(s, slot as usize).map(|_| ()),
            None => Err("it reads a subject where there is none".into()),
        };
        Ok(match op {
            Op::Const { index } => {
                within("constant", index as usize, self.p.consts.len())?;
                (0, 1)
            }
            Op::Subject => {
                subject.ok_or("it reads a subject where there is none")?;
                (0, 1)
            }
            Op::Awaited | Op::TriggerEvent | Op::TimedOut => (0, 1),
            Op::Field { record, slot } => {
                self.slot(record as usize, slot as usize)?;
                (1, 1)
            }
            Op::SubjectField { slot } | Op::Change { slot } | Op::Old { slot } => {
                subject_slot(slot)?;
                if matches!(op, Op::Change { .. }) {
                    (1, 1)
                } else {
                    (0, 1)
                }
            }
            Op::FieldCompare { slot, index, .. } => {
                subject_slot(slot)?;
                within("constant", index as usize, self.p.consts.len())?;
                (0, 1)
            }
            Op::EventField { event, slot } => {
                self.event_slot(event as usize, slot as usize)?;
                (1, 1)
            }
            Op::RecordId | Op::EventAt | Op::Not | Op::Neg | Op::Exists => (1, 1),
            Op::Add | Op::Sub | Op::Mul | Op::Div | Op::Eq | Op::Ne | Op::Lt | Op::Le | Op::Gt | Op::Ge => (2, 1),
            // The jump's effect on the stack is its fall-through: the top is popped.
            Op::JumpIfFalse { .. } | Op::JumpIfTrue { .. } | Op::Coalesce { .. } => (1, 0),
            Op::SkipIfEmpty => (1, 1),
            Op::In { count, .. } => (count as usize + 1, 1),
            Op::List { count } | Op::Concat { count } => (count as usize, 1),
            Op::Segment { index } => {
                within("segment", index as usize, self.p.segments.len())?;
                let about = self.p.segments[index as usize].subject;
                if subject != Some(about) {
                    return Err(format!("segment {index} is about another record type"));
                }
                (0, 1)
            }
            Op::Call { function } => (function.arity(), 1),
            Op::History { event, within: w, by, filter, .. } => {
                self.event(event as usize)?;
                if let Some(f) = filter {
                    within("filter", f as usize, self.p.filters.len())?;
                    // A filter runs about the same subject as the code that uses it; filters
                    // inside filters nest no deeper than the engine follows.
                    if self.depth.get() >= crate::program::SEGMENT_DEPTH {
                        return Err(format!("filter {f} nests filters too deeply"));
                    }
                    self.depth.set(self.depth.get() + 1);
                    let inner = self.code(&self.p.filters[f as usize], subject);
                    self.depth.set(self.depth.get() - 1);
                    inner.map_err(|e| format!("filter {f}: {e}"))?;
                }
                (usize::from(w) + usize::from(by), 1)
            }
        })
    }
}

fn duration(d: &Duration) -> Result<(), String> {
    if d.seconds.abs() > SPAN || d.business_days.abs() > SPAN / 86_400 {
        return Err("a duration is out of range".into());
    }
    Ok(())
}

fn time_of_day(minutes: u32) -> Result<(), String> {
    if minutes >= DAY_MINUTES {
        return Err(format!("the time of day {minutes} is out of range"));
    }
    Ok(())
}

/// Code as written, cut short for a message.
fn clip(source: &str) -> String {
    let mut out: String = source.chars().take(40).collect();
    if out.len() < source.len() {
        out.push('…');
    }
    out
}
