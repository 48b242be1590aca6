//! A case: a case playbook's latest run on one record, as its stages (done, open or not
//! reached yet) with their activities and the actions they produced. Read from the program
//! and the stored runs and actions; the inbox's case page and `GET /v1/cases/…` show it.

use play_compiler::program::{ActionDef, Node, PlaybookDef, Program, StageDef};
use play_store::{ActionQuery, ActionRow, RunRow, Store};
use serde_json::{json, Value};

/// Most of a case's actions read (every run's activities of one record and playbook).
const ACTIONS: usize = 1_000;

/// Where a stage is: done, open (its activities are being worked) or not reached yet.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum StageState {
    Done,
    Open,
    Ahead,
}

impl StageState {
    pub fn name(self) -> &'static str {
        match self {
            StageState::Done => "done",
            StageState::Open => "open",
            StageState::Ahead => "not reached yet",
        }
    }
}

/// A case as read.
pub struct Case {
    pub playbook: PlaybookDef,
    pub record: String,
    pub run: RunRow,
    /// The latest run's activities, as produced, each with its JSON.
    pub actions: Vec<(ActionRow, Value)>,
}

impl Case {
    /// The case of `playbook` on `record` (`Type/id`), with the actions `who` may see; none
    /// when the playbook has no stages or never ran on the record.
    pub fn read(
        store: &dyn Store,
        program: &Program,
        playbook: &str,
        record: &str,
        who: &str,
    ) -> play_store::Result<Option<Case>> {
        let Some(pb) = program.playbook_named(playbook).map(|i| &program.playbooks[i]) else { return Ok(None) };
        if !pb.body.iter().any(|n| matches!(n, Node::Stage(_))) {
            return Ok(None);
        }
        let runs = store.runs(Some(record), ACTIONS)?;
        let Some(run) = runs.into_iter().filter(|r| r.playbook == pb.name).max_by_key(|r| r.run) else {
            return Ok(None);
        };
        let query = ActionQuery {
            record: Some(record.to_string()),
            playbook: Some(pb.name.clone()),
            visible_to: Some(who.to_string()),
            limit: ACTIONS,
            ..ActionQuery::default()
        };
        let actions = store
            .actions(&query)?
            .items
            .into_iter()
            // The latest run's: produced since it started.
            .filter(|a| a.at >= run.started)
            .map(|a| {
                let j = serde_json::from_str(&a.json).unwrap_or(Value::Null);
                (a, j)
            })
            .collect();
        Ok(Some(Case { playbook: pb.clone(), record: record.to_string(), run, actions }))
    }

    pub fn stages(&self) -> impl Iterator<Item = &StageDef> {
        self.playbook.body.iter().filter_map(|n| match n {
            Node::Stage(s) => Some(s),
            _ => None,
        })
    }

    /// Stages before the one the run is in are done; the run's own is open while it runs.
    pub fn state_of(&self, stage: &StageDef) -> StageState {
        let names: Vec<&str> = self.stages().map(|s| s.name.as_str()).collect();
        let at = self.run.step.as_deref().and_then(|step| names.iter().position(|n| *n == step));
        let this = names.iter().position(|n| *n == stage.name);
        match (at, this) {
            _ if self.run.state == "completed" => StageState::Done,
            (Some(at), Some(this)) if this < at => StageState::Done,
            (Some(at), Some(this)) if this == at && self.run.state == "active" => StageState::Open,
            _ => StageState::Ahead,
        }
    }

    /// The actions of one activity of a stage.
    pub fn of(&self, stage: &str, activity: &str) -> Vec<&(ActionRow, Value)> {
        self.actions
            .iter()
            .filter(|(_, j)| j["step"].as_str() == Some(stage) && j["activity"].as_str() == Some(activity))
            .collect()
    }

    /// The case as `GET /v1/cases/{playbook}/{Type}/{id}` answers it.
    pub fn to_json(&self) -> Value {
        let stages: Vec<Value> = self
            .stages()
            .map(|stage| {
                let activities: Vec<Value> = stage
                    .activities
                    .iter()
                    .map(|def| {
                        let name = def.name.as_deref().unwrap_or_default();
                        let rows = self.of(&stage.name, name);
                        let actions: Vec<Value> = rows
                            .iter()
                            .map(|(a, j)| {
                                json!({ "id": a.id, "state": a.state.name(), "assignee": a.assignee, "creates": j["creates"] })
                            })
                            .collect();
                        json!({ "name": name, "title": label(def, name, &rows), "optional": def.optional, "actions": actions })
                    })
                    .collect();
                json!({ "name": stage.name, "title": stage.title, "state": self.state_of(stage).name(), "activities": activities })
            })
            .collect();
        json!({
            "playbook": self.playbook.name,
            "record": self.record,
            "run": { "state": self.run.state, "started": play_runtime::value::moment_text(self.run.started) },
            "stages": stages,
        })
    }
}

/// What an activity is called: its action's title, else its title as written when that is
/// plain text, else its name.
pub fn label(def: &ActionDef, name: &str, rows: &[&(ActionRow, Value)]) -> String {
    if let Some(title) = rows.first().and_then(|(_, j)| j["title"].as_str()) {
        return title.to_string();
    }
    let written = def.title.as_ref().map(|c| c.source.trim());
    match written.and_then(|t| t.strip_prefix('"')).and_then(|t| t.strip_suffix('"')) {
        Some(plain) if !plain.contains(['{', '"', '\\']) => plain.to_string(),
        _ => name.to_string(),
    }
}
