//! The ad hoc task change (`"change":"task"`): a teammate makes a task outside any
//! playbook, about a record (`Type/id`, a record type of the schema), with an optional
//! assignee, due moment and note. Journaled like every change, so a replay makes the same
//! task with the same id.

use std::sync::Arc;

use play_compiler::program::Program;
use serde_json::{Map, Value as Json};

use super::queue::text;
use super::{clip, is_email, quoted, read_moment, unknown, ChangeKind, Rejection};
use crate::config::Workspace;
use crate::value::moment_text;

pub(super) const TASK_KEYS: &[&str] =
    &["at", "change", "change_id", "id", "title", "record", "to", "due", "note", "by"];

/// The longest id a line may give its task.
const MAX_ID: usize = 64;

/// An ad hoc task, as read from its line.
#[derive(Clone, Debug, PartialEq)]
pub struct AdHocTask {
    /// The task's id when the line gives one (the daemon does); else the engine makes it.
    pub id: Option<String>,
    pub title: String,
    /// `Account/a-1`.
    pub record: String,
    /// The teammate it is assigned to.
    pub to: Option<String>,
    pub due: Option<i64>,
    pub note: Option<String>,
    /// The teammate who made it.
    pub by: Option<String>,
}

/// `{"change":"task","title":…,"record":"Account/a-1",…}`.
pub(super) fn task(
    object: &Map<String, Json>,
    program: &Program,
    workspace: &Workspace,
) -> Result<ChangeKind, Rejection> {
    let Some(title) = text(object, "title", "what is to be done")? else {
        return Err(Rejection::line("missing `title`: what is to be done, like \"Call Vic about the renewal\""));
    };
    let Some(record) = text(object, "record", "the record, as `Type/id`")? else {
        return Err(Rejection::line("missing `record`: the record the task is about, like `Account/acme`"));
    };
    let Some((ty, _)) = record.split_once('/').filter(|(ty, id)| !ty.is_empty() && !id.trim().is_empty()) else {
        return Err(Rejection::field(
            "record",
            format!("`{}` is not a record: write it as Type/id, like `Account/acme`", clip(record)),
        ));
    };
    let names: Vec<&str> = program.schema.records.iter().map(|r| r.name.as_str()).collect();
    if !names.contains(&ty) {
        return Err(Rejection::field("record", unknown("record type", ty, &names)));
    }
    let teammate = |key: &str, what: &str| -> Result<Option<String>, Rejection> {
        match text(object, key, what)? {
            Some(who) if !is_email(who) => Err(Rejection::field(
                key,
                format!("`{}` is not a teammate's email address: write it like `jo@example.com`", clip(who)),
            )),
            who => Ok(who.map(str::to_owned)),
        }
    };
    let to = teammate("to", "the teammate it is assigned to")?;
    let by = teammate("by", "the teammate who made it")?;
    let due = match text(object, "due", "when it is due")? {
        Some(due) => Some(read_moment(due, workspace).map_err(|m| Rejection::field("due", format!("`due`: {m}")))?),
        None => None,
    };
    let note = text(object, "note", "a note")?.map(str::to_owned);
    let id = match text(object, "id", "the task's id")? {
        Some(id) if id.chars().count() > MAX_ID || id.chars().any(|c| c.is_control() || c == '/') => {
            return Err(Rejection::field(
                "id",
                format!("`{}` cannot be a task's id: at most {MAX_ID} characters, without `/`", clip(id)),
            ))
        }
        id => id.map(str::to_owned),
    };
    Ok(ChangeKind::Task(Arc::new(AdHocTask {
        id,
        title: title.to_owned(),
        record: record.to_owned(),
        to,
        due,
        note,
        by,
    })))
}

/// The task change as the rest of its line.
pub(super) fn to_json(task: &AdHocTask) -> String {
    let mut out = String::from(",\"change\":\"task\"");
    let mut put = |key: &str, value: Option<String>| {
        if let Some(v) = value {
            out += &format!(",\"{key}\":{}", quoted(&v));
        }
    };
    put("id", task.id.clone());
    put("title", Some(task.title.clone()));
    put("record", Some(task.record.clone()));
    put("to", task.to.clone());
    put("due", task.due.map(moment_text));
    put("note", task.note.clone());
    put("by", task.by.clone());
    out
}
