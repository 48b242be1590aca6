//! How far back a record's field history and events are kept: as far as the running
//! program reads them, and no further. A field no `change(…)` reads keeps no history; an
//! event type no `did`, `count`, `last` or `wait for` reads is not kept; one read only
//! `within:` a constant window is kept for that window. Code whose window is worked out
//! at run time keeps everything of its kind.

use std::sync::Arc;

use play_compiler::program::{Code, Const, Duration, History, Node, Op, Program, WaitDef};

use crate::config::Workspace;

/// How far back one field's history, or one event type, is read.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Reach {
    /// Read without a bound (`count(E)`, a window worked out at run time).
    pub all: bool,
    /// The constant windows it is read over (`within: 30d`); `0` for the moment itself
    /// (`wait for E` takes an event of its own instant).
    pub windows: Vec<Duration>,
    /// Its latest one is read (`last(E)`).
    pub latest: bool,
}

impl Reach {
    /// Read at all.
    pub fn is_read(&self) -> bool {
        self.all || self.latest || !self.windows.is_empty()
    }

    fn window(&mut self, d: Duration) {
        if !self.windows.contains(&d) {
            self.windows.push(d);
        }
    }
}

/// What the program reads of the past, by record type and slot and by event type.
#[derive(Clone, Debug, Default)]
pub struct Retention {
    fields: Vec<Vec<Reach>>,
    events: Vec<Reach>,
    workspace: Option<Arc<Workspace>>,
}

/// Everything kept: for a store that has not been told what the program reads.
static KEEP_ALL: Reach = Reach { all: true, windows: Vec::new(), latest: false };

impl Retention {
    /// What `program` reads, with `workspace`'s calendar for business-day windows.
    pub fn of(program: &Program, workspace: &Workspace) -> Retention {
        let schema = &program.schema;
        let mut r = Retention {
            fields: schema.records.iter().map(|d| vec![Reach::default(); d.fields.len()]).collect(),
            events: vec![Reach::default(); schema.events.len()],
            workspace: Some(Arc::new(workspace.clone())),
        };
        program.each_code(&mut |code, subject| r.code(program, code, subject));
        for pb in &program.playbooks {
            for node in &pb.body {
                if let Node::Wait(WaitDef::For { event, .. }) = node {
                    if let Some(reach) = r.events.get_mut(*event) {
                        reach.window(Duration::default());
                    }
                }
            }
        }
        r
    }

    /// What any of `programs` reads (runs in flight may follow an older program than the
    /// current one).
    pub fn of_all<'a>(programs: impl IntoIterator<Item = &'a Program>, workspace: &Workspace) -> Retention {
        let mut all = Retention { workspace: Some(Arc::new(workspace.clone())), ..Retention::default() };
        for p in programs {
            let one = Retention::of(p, workspace);
            merge(&mut all.events, one.events);
            if all.fields.len() < one.fields.len() {
                all.fields.resize(one.fields.len(), Vec::new());
            }
            for (mine, theirs) in all.fields.iter_mut().zip(one.fields) {
                merge(mine, theirs);
            }
        }
        all
    }

    fn code(&mut self, program: &Program, code: &Code, subject: Option<usize>) {
        for (pc, op) in code.ops.iter().enumerate() {
            match *op {
                Op::History { kind, event, within, filter, .. } => {
                    let window = within.then(|| constant_window(program, code, pc));
                    let Some(reach) = self.events.get_mut(event as usize) else { continue };
                    match (kind, window) {
                        (_, Some(Some(d))) => reach.window(d),
                        (History::Last, None) if filter.is_none() => reach.latest = true,
                        _ => reach.all = true,
                    }
                }
                Op::Change { slot } => {
                    let window = constant_window(program, code, pc);
                    // About no known record: the slot of every record type.
                    let records = match subject {
                        Some(s) => s..s + 1,
                        None => 0..self.fields.len(),
                    };
                    for r in records {
                        if let Some(reach) = self.fields.get_mut(r).and_then(|f| f.get_mut(slot as usize)) {
                            match window {
                                Some(d) => reach.window(d),
                                None => reach.all = true,
                            }
                        }
                    }
                }
                _ => {}
            }
        }
    }

    /// How far back a field's history is read.
    pub fn field(&self, record: u32, slot: u32) -> &Reach {
        match &self.workspace {
            None => &KEEP_ALL,
            Some(_) => self.fields.get(record as usize).and_then(|f| f.get(slot as usize)).unwrap_or(&KEEP_ALL),
        }
    }

    /// How far back events of a type are read.
    pub fn event(&self, event: u32) -> &Reach {
        match &self.workspace {
            None => &KEEP_ALL,
            Some(_) => self.events.get(event as usize).unwrap_or(&KEEP_ALL),
        }
    }

    /// The earliest moment any window of `reach` looks back to from `now`: what is older
    /// may go (a field keeps its last value from before it). `None` when all is kept.
    pub fn cutoff(&self, reach: &Reach, now: i64) -> Option<i64> {
        if reach.all {
            return None;
        }
        let workspace = self.workspace.as_deref()?;
        let mut cutoff = now;
        for d in &reach.windows {
            let back = Duration { seconds: d.seconds.saturating_neg(), business_days: -d.business_days };
            cutoff = cutoff.min(crate::vm::checked_shift(workspace, now, back)?);
        }
        Some(cutoff)
    }
}

/// Widens each of `mine` to reach as far as the same place of `theirs`.
fn merge(mine: &mut Vec<Reach>, theirs: Vec<Reach>) {
    if mine.len() < theirs.len() {
        mine.resize(theirs.len(), Reach::default());
    }
    for (m, t) in mine.iter_mut().zip(theirs) {
        m.all |= t.all;
        m.latest |= t.latest;
        t.windows.into_iter().for_each(|d| m.window(d));
    }
}

/// The window an instruction at `pc` pops, when it is a constant duration pushed just
/// before it that no jump can go around.
fn constant_window(program: &Program, code: &Code, pc: usize) -> Option<Duration> {
    let jumped_to = code.ops.iter().any(
        |op| matches!(op, Op::JumpIfFalse { to } | Op::JumpIfTrue { to } | Op::Coalesce { to } if *to as usize == pc),
    );
    match (pc.checked_sub(1).map(|p| code.ops[p]), jumped_to) {
        (Some(Op::Const { index }), false) => match program.consts.get(index as usize) {
            Some(Const::Duration(d)) => Some(*d),
            _ => None,
        },
        _ => None,
    }
}
