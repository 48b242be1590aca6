//! The projections of what the engine produced: actions to queue rows and outbox rows, run
//! history to history rows and runs, in the store's plain types.

use play_runtime::engine::{Action, HistoryEntry};
use play_store::{ActionRow, ActionState, Batch, FieldValue, HistoryRow, OutboxRow, RunRow};
use serde_json::{Map, Value};

/// Who sees a playbook's actions.
pub struct Visibility<'a> {
    pub is_public: &'a dyn Fn(&str) -> bool,
    /// Who owns a private playbook: its `owner`, else the workspace owner.
    pub owner_of: &'a dyn Fn(&str) -> Option<String>,
}

/// Actions a person works in the queue; the others are for delivery to do.
fn is_worked_by_people(kind: &str) -> bool {
    matches!(kind, "task" | "email_task" | "activity")
}

fn text(json: &Value, key: &str) -> Option<String> {
    json.get(key).and_then(Value::as_str).map(String::from)
}

/// Who approved an email task, and which: what the email its approval produced carries
/// to delivery.
pub struct Approval {
    pub task: String,
    pub by: Option<String>,
}

/// The id of the email an email task's approval produces (as the engine makes it): an
/// outbox row's key, so that a replay never makes a second one.
pub fn approved_email_id(task: &str) -> String {
    play_compiler::program::hex_hash(format!("{task}|approved").as_bytes())
}

/// Adds an action to the batch: a queue row, and an outbox row for what delivery sends,
/// naming its sink. The email of an approved email task carries its task and approver
/// (`task`, `approved_by`) in the outbox row, and a brief the record's data (`data`).
pub fn action(batch: &mut Batch, action: &Action, who: &Visibility, extra: Map<String, Value>) {
    let json = serde_json::to_value(action).unwrap_or(Value::Null);
    let kind = text(&json, "action").unwrap_or_default();
    let public = (who.is_public)(&action.playbook);
    let worked = is_worked_by_people(&kind);
    let line = action.to_json_line();
    batch.actions.push(ActionRow {
        id: action.id.clone(),
        at: action.at,
        seq: action.seq,
        playbook: action.playbook.to_string(),
        step: action.activity.as_deref().unwrap_or(&action.step).to_string(),
        record: action.record.to_string(),
        kind: kind.clone(),
        category: text(&json, "category"),
        assignee: action.to.as_deref().map(String::from),
        priority: if action.priority.is_finite() { action.priority } else { 0.0 },
        state: if worked { ActionState::Open } else { ActionState::Done },
        public,
        owner: if public { None } else { (who.owner_of)(&action.playbook) },
        snoozed_until: None,
        json: line.clone(),
    });
    if !worked {
        let sink = crate::deliver::sinks::sink_of(&kind, &json).to_string();
        let json = match json {
            Value::Object(mut map) if !extra.is_empty() => {
                map.extend(extra);
                Value::Object(map).to_string()
            }
            _ => line,
        };
        batch.outbox.push(OutboxRow { action_id: action.id.clone(), kind, sink, at: action.at, json });
    }
}

/// An action's change of state, as the queue's row records it.
pub fn update(u: &play_runtime::engine::ActionUpdate) -> play_store::ActionUpdate {
    use play_runtime::engine::ActionState as E;
    let state = match u.state {
        E::Open => ActionState::Open,
        E::Snoozed => ActionState::Snoozed,
        E::Done => ActionState::Done,
        E::Dismissed => ActionState::Dismissed,
        E::Archived => ActionState::Archived,
    };
    play_store::ActionUpdate { id: u.id.clone(), state, snoozed_until: u.until, by: u.by.clone(), at: u.at }
}

/// Adds a history entry to the batch, and moves its run.
pub fn history(batch: &mut Batch, entry: &HistoryEntry) {
    let json = serde_json::to_value(entry).unwrap_or(Value::Null);
    if let Some(run) = entry.run {
        let state = match text(&json, "outcome").as_deref() {
            Some("completed") => "completed",
            Some("exited") => "exited",
            Some("cancelled") => "cancelled",
            Some("failed") => "failed",
            _ => "active",
        };
        batch.runs.push(RunRow {
            run,
            playbook: entry.playbook.to_string(),
            record: entry.record.to_string(),
            started: entry.at,
            updated: entry.at,
            step: entry.step.as_deref().map(str::to_owned),
            state: state.to_string(),
        });
    }
    batch.history.push(HistoryRow {
        at: entry.at,
        playbook: entry.playbook.to_string(),
        record: entry.record.to_string(),
        run: entry.run,
        json: json.to_string(),
    });
}

/// An action row as the API shows it: the action of "Actions out" with its `state`,
/// `visibility` and `owner`.
pub fn action_json(row: &ActionRow) -> Value {
    let mut json: Value = serde_json::from_str(&row.json).unwrap_or_else(|_| Value::Object(Default::default()));
    if let Value::Object(map) = &mut json {
        map.insert("state".into(), row.state.name().into());
        map.insert("visibility".into(), if row.public { "public" } else { "private" }.into());
        map.insert("owner".into(), row.owner.clone().map_or(Value::Null, Value::String));
        if let Some(until) = row.snoozed_until {
            map.insert("snoozed_until".into(), play_runtime::value::moment_text(until).into());
        }
    }
    json
}

/// The outbox row that logs work a teammate completed to the CRM record (activity sync):
/// a task, an approved email task or an activity of `row`, done by `u`. Its id is the
/// action's with `.activity`, so a replay of the completion makes no second row.
pub fn completed(row: &ActionRow, u: &play_runtime::engine::ActionUpdate) -> Option<OutboxRow> {
    let (play_runtime::engine::ActionState::Done, Some(by)) = (u.state, u.by.as_deref()) else { return None };
    if !is_worked_by_people(&row.kind) {
        return None;
    }
    let action: Value = serde_json::from_str(&row.json).unwrap_or(Value::Null);
    let subject = u.subject.clone().or_else(|| text(&action, "title")).unwrap_or_else(|| row.step.clone());
    let body = if row.kind == "email_task" { u.body.clone().or_else(|| text(&action, "body")) } else { None };
    let id = format!("{}.activity", row.id);
    let json = serde_json::json!({
        "id": id, "action": "log_activity", "of": row.id, "done": if row.kind == "email_task" { "email" } else { "task" },
        "playbook": row.playbook, "step": row.step, "record": row.record, "subject": subject,
        "body": body.or_else(|| u.note.clone()).unwrap_or_default(), "by": by, "to": text(&action, "to"),
        "at": play_runtime::value::moment_text(u.at),
    });
    Some(OutboxRow { action_id: id, kind: "log_activity".into(), sink: "crm".into(), at: u.at, json: json.to_string() })
}

/// The outbox row that writes a teammate's edit of a record back to the CRM: an `update`
/// of the fields the accepted `upsert` line set, naming the teammate (`by`). The CRM sink
/// leaves out the fields `unsynced` names (and skips an edit of those only), as for an
/// `update` action. Its id is a hash of the journaled line and its arrival, so a refold of
/// the journal makes the same row and no second one.
pub fn edit(line: &str, at: i64, arrival: Option<i64>, by: &str) -> Option<OutboxRow> {
    let change: Value = serde_json::from_str(line).ok()?;
    let (record, id) = (change.get("record")?.as_str()?, change.get("id")?.as_str()?);
    let key = play_compiler::program::hex_hash(format!("{line}|{arrival:?}|edit").as_bytes());
    let json = serde_json::json!({
        "id": key, "action": "update", "edit": true, "playbook": "", "record": format!("{record}/{id}"),
        "fields": change.get("fields").cloned().unwrap_or(Value::Null), "by": by, "at": play_runtime::value::moment_text(at),
    });
    Some(OutboxRow { action_id: key, kind: "update".into(), sink: "crm".into(), at, json: json.to_string() })
}

#[cfg(test)]
#[path = "project_tests.rs"]
mod tests;

/// The numbers an accepted change gave its record's fields (finite ones only), as the
/// store keeps them for trends: a change line's `at` is when the record took them.
pub fn values(program: &play_compiler::program::Program, change: &play_runtime::change::Change) -> Vec<FieldValue> {
    let play_runtime::change::ChangeKind::Upsert { record, id, fields } = &change.kind else { return Vec::new() };
    let Some(def) = program.schema.records.get(*record as usize) else { return Vec::new() };
    fields
        .iter()
        .filter_map(|(slot, value)| {
            let value = value.number().filter(|n| n.is_finite())?;
            let field = def.fields.get(*slot as usize)?;
            Some(FieldValue { record: format!("{}/{id}", def.name), field: field.name.clone(), at: change.at, value })
        })
        .collect()
}
