//! A program loaded to run: its constants as values, its names and conditions as written
//! (shared by every run, action and history entry that names them) and its predicates.

use std::sync::Arc;

use chrono::Timelike;
use play_compiler::program::{ActionDef, Node, Op, Program};

use crate::config::Workspace;
use crate::value::Value;
use crate::vm::{Ctx, Tier};

/// A program ready to run: its constants as values.
pub struct Loaded {
    pub program: Program,
    pub consts: Vec<Value>,
    /// The program's hash, shared by every run that follows it (instead of a copy each).
    pub(crate) hash: Arc<str>,
    /// Each playbook's name and version, shared the same way.
    pub(crate) names: Vec<(Arc<str>, Arc<str>)>,
    /// The `date` triggers, with the fields each depends on.
    pub(crate) dates: Vec<super::dates::DateTrigger>,
    /// Each playbook's conditions as written, shared by the history, runs and actions.
    pub(crate) conditions: Vec<Vec<Arc<str>>>,
    /// Each playbook's triggers as written, shared the same way.
    pub(crate) triggers: Vec<Vec<Arc<str>>>,
    /// The names of each playbook's steps and stages by their place in its body (empty
    /// for a wait), shared by the actions and history entries of every run.
    pub(crate) steps: Vec<Vec<Arc<str>>>,
    /// The names of each record type's fields, shared by the triggers' lists of what
    /// changed.
    pub(crate) fields: Vec<Vec<Arc<str>>>,
    /// The names of the fields each action of each playbook shows (`update`, `webhook`,
    /// `creates`), by the place of its step or stage in the body and its index there,
    /// shared by the actions as their fields' names.
    pub(crate) action_fields: Vec<Vec<Vec<Vec<Arc<str>>>>>,
    /// By record type: whether any code about it reads a field as it was before the
    /// triggering change (`old(…)`). Only then is the whole record before a change kept
    /// for the runs it starts (the triggers read the changed fields' values before from
    /// the change itself).
    pub(crate) reads_old: Vec<bool>,
    /// What writing values as JSON needs of the program, shared by the actions that
    /// keep values until they are written out.
    pub(crate) json: Arc<super::json::Names>,
    /// The program's commonest conditions as predicates (see `vm::pred`).
    pub tier: Tier,
}

impl Loaded {
    pub fn new(program: Program, workspace: &Workspace) -> Arc<Loaded> {
        let local = |t: chrono::NaiveDateTime| {
            workspace.at_local(t.date(), 0, 0).timestamp() + i64::from(t.time().num_seconds_from_midnight())
        };
        let consts = program.consts.iter().map(|c| Value::from_const(c, local)).collect();
        let hash = Arc::from(program.hash.as_str());
        let names =
            program.playbooks.iter().map(|p| (Arc::from(p.name.as_str()), Arc::from(p.version.as_str()))).collect();
        let dates = super::dates::date_triggers(&program);
        let conditions = program.playbooks.iter().map(|p| shared(&p.conditions, |c| &c.source)).collect();
        let triggers = program.playbooks.iter().map(|p| shared(&p.triggers, |t| &t.source)).collect();
        let steps = program.playbooks.iter().map(|p| shared(&p.body, |n| n.name().unwrap_or_default())).collect();
        let fields = program.schema.records.iter().map(|r| shared(&r.fields, |f| &f.name)).collect();
        let action_fields = program
            .playbooks
            .iter()
            .map(|p| {
                p.body
                    .iter()
                    .map(|n| {
                        let defs: &[ActionDef] = match n {
                            Node::Step(s) => &s.actions,
                            Node::Stage(s) => &s.activities,
                            Node::Wait(_) => &[],
                        };
                        defs.iter().map(|d| shared(&d.fields, |(name, _)| name)).collect()
                    })
                    .collect()
            })
            .collect();
        let json = Arc::new(super::json::Names::of(&program));
        let mut reads_old = vec![false; program.schema.records.len()];
        program.each_code(&mut |code, about| {
            if code.ops.iter().any(|op| matches!(op, Op::Old { .. })) {
                match about {
                    Some(r) => reads_old.iter_mut().enumerate().for_each(|(i, o)| *o |= i == r),
                    // Code about no record type (a history filter): any may run it.
                    None => reads_old.iter_mut().for_each(|o| *o = true),
                }
            }
        });
        // Predicates are found by their code's address: the codes sit in the program's
        // vectors, which moving the program into place does not move.
        let tier = Tier::new(&program);
        Arc::new(Loaded {
            program,
            consts,
            hash,
            names,
            dates,
            conditions,
            triggers,
            steps,
            fields,
            action_fields,
            reads_old,
            json,
            tier,
        })
    }
}

impl Loaded {
    /// A playbook's trigger as written (empty for one the program does not have).
    pub(crate) fn trigger_source(&self, playbook: usize, trigger: usize) -> Arc<str> {
        self.triggers.get(playbook).and_then(|t| t.get(trigger)).cloned().unwrap_or_default()
    }

    /// The name of the step or stage at a place in a playbook's body, shared.
    pub(crate) fn step_name(&self, playbook: usize, at: usize) -> Arc<str> {
        self.steps.get(playbook).and_then(|s| s.get(at)).cloned().unwrap_or_default()
    }

    /// The shared name of the `field`th field of the `index`th action of the step or
    /// stage at `at` in a playbook's body, when it is `name` (which it is, unless the
    /// action is not the program's).
    pub(crate) fn action_field(&self, playbook: usize, at: usize, index: usize, field: usize, name: &str) -> Arc<str> {
        let shared = self.action_fields.get(playbook).and_then(|b| b.get(at)).and_then(|a| a.get(index));
        match shared.and_then(|f| f.get(field)) {
            Some(shared) if **shared == *name => shared.clone(),
            _ => Arc::from(name),
        }
    }

    /// What code about one record sees when it is evaluated outside a run: the record's
    /// fields and the clock, nothing of a trigger or an awaited event.
    #[allow(clippy::too_many_arguments)]
    pub fn about<'a>(
        &'a self,
        data: &'a dyn crate::vm::Data,
        workspace: &'a Workspace,
        now: i64,
        subject_type: u32,
        subject_id: &'a Arc<str>,
        subject: &'a [Value],
        tier: Option<&'a Tier>,
    ) -> Ctx<'a> {
        Ctx {
            program: &self.program,
            consts: &self.consts,
            data,
            workspace,
            now,
            subject_type,
            subject_id,
            subject,
            old: None,
            trigger_event: None,
            awaited: None,
            timed_out: false,
            tier,
        }
    }
}

/// The text `text` gives of each of `items`, made shared once.
fn shared<'a, T>(items: &'a [T], text: impl Fn(&'a T) -> &'a str) -> Vec<Arc<str>> {
    items.iter().map(|i| Arc::from(text(i))).collect()
}
