//! Runs going forward: steps with their filters, waits of every kind, stages, `exit when`,
//! and what happens to runs in flight when the program changes.

use std::sync::Arc;

use play_compiler::program::{Inflight, Node, WaitDef};

use super::history::Outcome;
use super::run::{OpenActivity, RunState, TriggerInfo};
use super::{Engine, Extra, HistoryEntry, Loaded, Subject};
use crate::store::{Store, Timer};
use crate::value::{Happening, Value};
use crate::vm::Fault;

impl<S: Store> Engine<S> {
    fn entry(&self, run: &super::run::Run, step: Option<Arc<str>>, outcome: Outcome) -> HistoryEntry {
        HistoryEntry {
            at: self.now,
            playbook: run.playbook_name.clone(),
            version: run.version.clone(),
            record: self.record_label(run.record, &run.record_id),
            run: Some(run.id),
            step,
            outcome,
        }
    }

    pub(super) fn end_run(&mut self, id: u64, state: RunState, outcome: Outcome) {
        let Some(mut run) = self.store.run(id).cloned() else { return };
        if !run.is_active() {
            return;
        }
        run.state = state;
        run.generation += 1;
        // An ended run is never evaluated again: the record as it was before the change
        // that started it, the largest thing a run keeps, is let go (with the run itself
        // when ended runs are not kept).
        if run.trigger.old.is_some() && self.keep_ended_runs {
            run.trigger = Arc::new(TriggerInfo { old: None, ..(*run.trigger).clone() });
        }
        self.store.set_last_enrolment(&run.playbook_name, run.record, &run.record_id, run.started, Some(self.now));
        let e = self.entry(&run, None, outcome);
        self.history.push(e);
        let (name, record, rid) = (run.playbook_name.clone(), run.record, run.record_id.clone());
        self.store.put_run(run);
        if !self.keep_ended_runs {
            self.store.forget_run(id);
        }
        self.note(|| "the run ended".to_string(), &name, record, &rid);
    }

    /// Whether an `exit when` holds now; the run is ended if so.
    fn exits(&mut self, loaded: &Loaded, id: u64) -> bool {
        let Some(run) = self.store.run(id) else { return true };
        let pb = &loaded.program.playbooks[run.playbook];
        if pb.exits.is_empty() {
            return false;
        }
        let run = run.clone();
        let subject = Subject { record: run.record, id: run.record_id.clone() };
        for c in &pb.exits {
            let extra = Extra { trigger: Some(&run.trigger), timed_out: run.timed_out, ..Extra::default() };
            match self.eval(loaded, c, &subject, &extra) {
                Ok(Value::Bool(true)) => {
                    self.end_run(id, RunState::Exited, Outcome::Exited { reason: format!("`{}` holds", c.source) });
                    return true;
                }
                Ok(_) | Err(Fault::Skip { .. }) => {}
                Err(fault) => {
                    self.fail_run(loaded, id, None, fault);
                    return true;
                }
            }
        }
        false
    }

    /// Takes a run as far as it goes now: through steps, up to a wait, a stage or the end.
    pub(super) fn continue_run(&mut self, id: u64) {
        for _ in 0..super::STEP_CAP {
            let Some(run) = self.store.run(id).cloned() else { return };
            if !run.is_active() {
                return;
            }
            let loaded = self.loaded_for(&run.program);
            if self.exits(&loaded, id) {
                return;
            }
            let pb = &loaded.program.playbooks[run.playbook];
            // At the end of its body the run completes; it never goes past it.
            assert!(run.pc <= pb.body.len(), "a run's step index stays inside its playbook");
            let subject = Subject { record: run.record, id: run.record_id.clone() };
            let Some(node) = pb.body.get(run.pc) else {
                self.end_run(id, RunState::Completed, Outcome::Completed);
                return;
            };
            match node {
                Node::Step(step) => {
                    let extra = Extra { trigger: Some(&run.trigger), timed_out: run.timed_out, ..Extra::default() };
                    let pass = match &step.filter {
                        None => Ok(true),
                        Some(f) => self.eval(&loaded, f, &subject, &extra).map(|v| v == Value::Bool(true)),
                    };
                    match pass {
                        Ok(true) => {
                            // A step that fails produces none of its actions.
                            let mark = self.pending.len();
                            for (i, action) in step.actions.iter().enumerate() {
                                if let Err(fault) =
                                    self.produce(&loaded, &run, &loaded.step_name(run.playbook, run.pc), i, action)
                                {
                                    self.drop_pending(mark);
                                    self.fail_run(&loaded, id, Some(loaded.step_name(run.playbook, run.pc)), fault);
                                    return;
                                }
                            }
                            let e =
                                self.entry(&run, Some(loaded.step_name(run.playbook, run.pc)), Outcome::StepCompleted);
                            self.history.push(e);
                            if self.trace.is_some() {
                                let n = step.name.clone();
                                self.note(|| format!("step `{n}` ran"), &run.playbook_name, run.record, &run.record_id);
                            }
                        }
                        Ok(false) => {
                            let reason = format!(
                                "the filter `{}` is false",
                                step.filter.as_ref().map_or("", |f| f.source.as_str())
                            );
                            let r = reason.clone();
                            let n = step.name.clone();
                            self.note(
                                || format!("step `{n}` skipped: {r}"),
                                &run.playbook_name,
                                run.record,
                                &run.record_id,
                            );
                            let e = self.entry(
                                &run,
                                Some(loaded.step_name(run.playbook, run.pc)),
                                Outcome::StepSkipped { reason },
                            );
                            self.history.push(e);
                        }
                        Err(fault) => {
                            self.fail_run(&loaded, id, Some(loaded.step_name(run.playbook, run.pc)), fault);
                            return;
                        }
                    }
                    self.set_pc(id, run.pc + 1);
                }
                Node::Wait(wait) => {
                    let extra = Extra { trigger: Some(&run.trigger), timed_out: run.timed_out, ..Extra::default() };
                    match wait {
                        WaitDef::Delay(code) => {
                            let d = match self.eval(&loaded, code, &subject, &extra) {
                                Ok(Value::Duration(d)) => d,
                                Ok(_) => Default::default(),
                                Err(f) => return self.fail_run(&loaded, id, None, f),
                            };
                            let until = crate::vm::shift(&self.workspace, self.now, d);
                            self.wait_until(id, until, RunState::Waiting { until });
                            return;
                        }
                        WaitDef::Until(code) => match self.until_moment(&loaded, code, &subject, &extra) {
                            Ok(Some(until)) if until > self.now => {
                                self.wait_until(id, until, RunState::WaitingUntil { until });
                                return;
                            }
                            Ok(_) => self.set_pc(id, run.pc + 1),
                            Err(f) => return self.fail_run(&loaded, id, None, f),
                        },
                        WaitDef::For { event, timeout, .. } => {
                            let d = match self.eval(&loaded, timeout, &subject, &extra) {
                                Ok(Value::Duration(d)) => d,
                                Ok(_) => Default::default(),
                                Err(f) => return self.fail_run(&loaded, id, None, f),
                            };
                            let deadline = crate::vm::shift(&self.workspace, self.now, d);
                            let since = self.now;
                            self.wait_until(
                                id,
                                deadline,
                                RunState::WaitingFor { event: *event as u32, since, deadline },
                            );
                            // One that arrived in this same instant counts, unless the run
                            // used it already.
                            let arrived: Vec<Arc<Happening>> = self
                                .store
                                .events(subject.record, &subject.id, *event as u32)
                                .iter()
                                .filter(|h| h.at == since && !run.has_spent(h))
                                .cloned()
                                .collect();
                            for h in arrived {
                                self.awaited_event(&h, &subject);
                            }
                            return;
                        }
                    }
                }
                Node::Stage(stage) => {
                    if run.state == RunState::InStage {
                        return;
                    }
                    let mut opened = Vec::new();
                    let mark = self.pending.len();
                    for (i, activity) in stage.activities.iter().enumerate() {
                        if activity.optional {
                            continue;
                        }
                        match self.produce(&loaded, &run, &loaded.step_name(run.playbook, run.pc), i, activity) {
                            Ok(Some(seq)) => opened.push(OpenActivity {
                                name: activity.name.clone().unwrap_or_default(),
                                action: seq,
                                required: true,
                                done: false,
                            }),
                            Ok(None) => {}
                            Err(fault) => {
                                self.drop_pending(mark);
                                self.fail_run(&loaded, id, Some(loaded.step_name(run.playbook, run.pc)), fault);
                                return;
                            }
                        }
                    }
                    let e = self.entry(&run, Some(loaded.step_name(run.playbook, run.pc)), Outcome::StageOpened);
                    self.history.push(e);
                    if opened.is_empty() {
                        let e = self.entry(&run, Some(loaded.step_name(run.playbook, run.pc)), Outcome::StageCompleted);
                        self.history.push(e);
                        self.set_pc(id, run.pc + 1);
                        continue;
                    }
                    if let Some(r) = self.store.run_mut(id) {
                        r.state = RunState::InStage;
                        r.activities = opened;
                    }
                    return;
                }
            }
        }
        self.step_cap_reached(id);
    }

    fn until_moment(
        &mut self,
        loaded: &Loaded,
        code: &play_compiler::program::Code,
        subject: &Subject,
        extra: &Extra,
    ) -> Result<Option<i64>, Fault> {
        Ok(match self.eval(loaded, code, subject, extra)? {
            Value::Moment(t) => Some(t),
            Value::Date(d) => Some(crate::vm::date_moment(&self.workspace, d)),
            _ => None,
        })
    }

    fn set_pc(&mut self, id: u64, pc: usize) {
        // A run still going stays in the store's list of active runs: changed in place.
        if let Some(run) = self.store.run_mut(id).filter(|r| r.is_active()) {
            run.pc = pc;
            run.state = RunState::Running;
            return;
        }
        if let Some(run) = self.store.run(id).cloned() {
            let mut run = run;
            run.pc = pc;
            run.state = RunState::Running;
            self.store.put_run(run);
        }
    }

    fn wait_until(&mut self, id: u64, until: i64, state: RunState) {
        let Some(mut run) = self.store.run(id).cloned() else { return };
        run.generation += 1;
        let outcome = match &state {
            RunState::WaitingFor { event, .. } => Outcome::WaitingFor {
                event: self.loaded.program.schema.events.get(*event as usize).map_or(String::new(), |e| e.name.clone()),
                until: crate::value::moment_text(until),
            },
            _ => Outcome::Waiting { until: crate::value::moment_text(until) },
        };
        run.state = state;
        self.store.schedule(until, Timer::Run { run: id, generation: run.generation });
        let e = self.entry(&run, None, outcome);
        self.history.push(e);
        self.store.put_run(run);
    }

    /// A run that went through [`super::STEP_CAP`] steps at one moment fails, its history
    /// saying so, rather than stopping where it was without a word.
    fn step_cap_reached(&mut self, id: u64) {
        let Some(run) = self.store.run(id).filter(|r| r.is_active()).cloned() else { return };
        let loaded = self.loaded_for(&run.program);
        let span = loaded.program.playbooks.get(run.playbook).map(|p| p.span).unwrap_or_default();
        let message = format!("the run went through more than {} steps at one moment (the limit)", super::STEP_CAP);
        self.fail_run(&loaded, id, None, Fault::Failed { message, span });
    }

    pub(super) fn fail_run(&mut self, loaded: &Loaded, id: u64, step: Option<Arc<str>>, fault: Fault) {
        let Some(run) = self.store.run(id).cloned() else { return };
        match fault {
            Fault::Failed { message, span } | Fault::Gone { message, span } => {
                let (file, line, column) = self.place(loaded, span);
                let e = self.entry(&run, step, Outcome::Failed { error: message, file, line, column });
                self.history.push(e);
                self.end_run(id, RunState::Failed, Outcome::Exited { reason: "the run failed".into() });
            }
            Fault::Skip { .. } => self.set_pc(id, run.pc + 1),
        }
    }

    /// A run's timer went off.
    pub(super) fn wake(&mut self, id: u64, generation: u64) {
        let Some(run) = self.store.run(id).cloned() else { return };
        if run.generation != generation || !run.is_active() {
            return;
        }
        let mut run = run;
        match run.state {
            RunState::Waiting { .. } | RunState::WaitingUntil { .. } => {}
            RunState::WaitingFor { .. } => run.timed_out = true,
            _ => return,
        }
        run.pc += 1;
        run.state = RunState::Running;
        self.store.put_run(run);
        self.continue_run(id);
    }

    /// An event arrived: runs of the record waiting for it go on when its filter holds.
    pub(super) fn awaited_event(&mut self, happening: &Arc<Happening>, subject: &Subject) {
        for id in self.store.active_runs(subject.record, &subject.id) {
            let Some(run) = self.store.run(id).cloned() else { continue };
            let RunState::WaitingFor { event, since, .. } = run.state else { continue };
            if event != happening.event || happening.at < since || run.has_spent(happening) {
                continue;
            }
            let loaded = self.loaded_for(&run.program);
            let Some(Node::Wait(WaitDef::For { filter, .. })) = loaded.program.playbooks[run.playbook].body.get(run.pc)
            else {
                continue;
            };
            if let Some(f) = filter {
                let extra = Extra { trigger: Some(&run.trigger), awaited: Some(happening), ..Extra::default() };
                match self.eval(&loaded, f, subject, &extra) {
                    Ok(Value::Bool(true)) => {}
                    Ok(_) | Err(Fault::Skip { .. }) => continue,
                    Err(fault) => {
                        self.fail_run(&loaded, id, None, fault);
                        continue;
                    }
                }
            }
            let mut run = run;
            run.spend(happening);
            run.timed_out = false;
            run.pc += 1;
            run.state = RunState::Running;
            run.generation += 1;
            self.store.put_run(run);
            self.continue_run(id);
        }
    }

    /// The record changed: its runs may exit, and a `wait until` may move.
    pub(super) fn record_changed(&mut self, subject: &Subject) {
        for id in self.store.active_runs(subject.record, &subject.id) {
            let Some(run) = self.store.run(id).cloned() else { continue };
            let loaded = self.loaded_for(&run.program);
            if self.exits(&loaded, id) {
                continue;
            }
            let RunState::WaitingUntil { until } = run.state else { continue };
            let Some(Node::Wait(WaitDef::Until(code))) = loaded.program.playbooks[run.playbook].body.get(run.pc) else {
                continue;
            };
            let extra = Extra { trigger: Some(&run.trigger), timed_out: run.timed_out, ..Extra::default() };
            match self.until_moment(&loaded, code, subject, &extra) {
                Ok(Some(t)) if t != until && t > self.now => {
                    self.wait_until(id, t, RunState::WaitingUntil { until: t })
                }
                Ok(Some(t)) if t != until => {
                    let mut run = run;
                    run.generation += 1;
                    run.pc += 1;
                    run.state = RunState::Running;
                    self.store.put_run(run);
                    self.continue_run(id);
                }
                Ok(_) => {}
                Err(fault) => self.fail_run(&loaded, id, None, fault),
            }
        }
    }

    /// An activity was completed: its stage may be complete, and the next one opens.
    pub(super) fn activity_done(&mut self, run_id: u64, action: u64) {
        let Some(mut run) = self.store.run(run_id).cloned() else { return };
        let Some(a) = run.activities.iter_mut().find(|a| a.action == action) else { return };
        a.done = true;
        let complete = run.activities.iter().all(|a| a.done || !a.required);
        if complete && run.state == RunState::InStage {
            let loaded = self.loaded_for(&run.program);
            let stage = loaded.program.playbooks[run.playbook]
                .body
                .get(run.pc)
                .and_then(|n| n.name())
                .map(|_| loaded.step_name(run.playbook, run.pc));
            let e = self.entry(&run, stage, Outcome::StageCompleted);
            self.history.push(e);
            run.pc += 1;
            run.state = RunState::Running;
            run.activities.clear();
            self.store.put_run(run);
            self.continue_run(run_id);
        } else {
            self.store.put_run(run);
        }
    }

    /// Runs in flight meet a new program: `keep` finishes on the old version, `migrate`
    /// moves to the step of the same name (or ends when it is gone), `cancel` ends.
    pub(super) fn migrate_runs(&mut self, new: &Arc<Loaded>) {
        for id in self.store.all_active_runs() {
            let Some(run) = self.store.run(id).cloned() else { continue };
            let Some(p) = new.program.playbook_named(&run.playbook_name) else { continue };
            let pb = &new.program.playbooks[p];
            if *pb.version == *run.version {
                let mut run = run;
                run.program = new.hash.clone();
                run.playbook = p;
                self.store.put_run(run);
                continue;
            }
            match pb.inflight {
                Inflight::Keep => {}
                Inflight::Cancel => self.end_run(
                    id,
                    RunState::Cancelled,
                    Outcome::Cancelled { reason: "the playbook changed (inflight cancel)".into() },
                ),
                Inflight::Migrate => {
                    let old = self.loaded_for(&run.program);
                    let body = &old.program.playbooks[run.playbook].body;
                    // The step it is at, or the next named one after a wait.
                    let name = body[run.pc.min(body.len())..].iter().find_map(Node::name).map(str::to_string);
                    let target = name.as_ref().and_then(|n| pb.body.iter().position(|node| node.name() == Some(n)));
                    match target {
                        Some(pc) => {
                            let mut moved = run.clone();
                            let outcome = Outcome::Migrated { to_version: pb.version.clone() };
                            let e = self.entry(&moved, None, outcome);
                            self.history.push(e);
                            moved.program = new.hash.clone();
                            moved.playbook = p;
                            moved.version = new.names[p].1.clone();
                            let at_wait = matches!(body.get(run.pc), Some(Node::Wait(_)));
                            // A run waiting keeps its timer and goes on at the step it was headed for.
                            moved.pc = if at_wait { pc.saturating_sub(1) } else { pc };
                            if at_wait && !matches!(pb.body.get(moved.pc), Some(Node::Wait(_))) {
                                moved.pc = pc;
                                moved.state = RunState::Running;
                                moved.generation += 1;
                            }
                            let go = moved.state == RunState::Running;
                            self.store.put_run(moved);
                            if go {
                                self.continue_run(id);
                            }
                        }
                        None => self.end_run(
                            id,
                            RunState::Exited,
                            Outcome::Exited {
                                reason: "its step is gone from the new version (inflight migrate)".into(),
                            },
                        ),
                    }
                }
            }
        }
    }
}
