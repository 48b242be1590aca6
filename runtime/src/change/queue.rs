//! The queue's changes: a person completing, dismissing, snoozing or approving an open
//! action (`"change":"action"`), and adding an optional activity to a stage
//! (`"change":"activity"`). Read here against the program (its playbooks, steps and
//! activities); which actions are open is the engine's to say.

use std::sync::Arc;

use play_compiler::program::{Node, Program};
use play_compiler::suggest::join_or;
use serde_json::{Map, Value as Json};

use super::{clip, describe, id, is_email, quoted, read_moment, unknown, ChangeKind, Rejection};
use crate::config::Workspace;
use crate::value::moment_text;

pub(super) const ACTION_KEYS: &[&str] = &[
    "at",
    "change",
    "change_id",
    "op",
    "action",
    "playbook",
    "step",
    "activity",
    "record",
    "by",
    "until",
    "reason",
    "note",
    "subject",
    "body",
];
pub(super) const ACTIVITY_KEYS: &[&str] = &["at", "change", "change_id", "record", "playbook", "activity"];
const OPS: [&str; 4] = ["complete", "dismiss", "snooze", "approve"];

/// What a person did to an action.
#[derive(Clone, Debug, PartialEq)]
pub enum QueueOp {
    Complete {
        note: Option<String>,
    },
    Dismiss {
        reason: Option<String>,
    },
    /// Until a moment after the change's.
    Snooze {
        until: i64,
    },
    /// Sends an email task's draft, with the subject or body edited when given.
    Approve {
        subject: Option<String>,
        body: Option<String>,
    },
}

impl QueueOp {
    pub fn name(&self) -> &'static str {
        match self {
            QueueOp::Complete { .. } => "complete",
            QueueOp::Dismiss { .. } => "dismiss",
            QueueOp::Snooze { .. } => "snooze",
            QueueOp::Approve { .. } => "approve",
        }
    }
}

/// Which action: by its id, or as the open action of a playbook's step or activity for a
/// record.
#[derive(Clone, Debug, PartialEq)]
pub enum ActionRef {
    Id(String),
    Open { playbook: String, step: Option<String>, activity: Option<String>, record: u32, id: Arc<str> },
}

/// `{"change":"action","op":…}`.
pub(super) fn action(
    object: &Map<String, Json>,
    at: i64,
    program: &Program,
    workspace: &Workspace,
) -> Result<ChangeKind, Rejection> {
    let op = match text(object, "op", "what was done to the action")? {
        Some(op) if OPS.contains(&op) => op,
        Some(op) => {
            return Err(Rejection::field(
                "op",
                match play_compiler::suggest::closest(op, OPS) {
                    Some(best) => format!("unknown op `{}`: did you mean `{best}`?", clip(op)),
                    None => format!("unknown op `{}`: expected {}", clip(op), join_or(&OPS)),
                },
            ))
        }
        None => return Err(Rejection::line(format!("missing `op`: what was done, {}", join_or(&OPS)))),
    };
    let only = |key: &str, ops: &str| -> Result<(), Rejection> {
        match object.contains_key(key) && op != ops {
            true => Err(Rejection::field(key, format!("`{key}` goes with `\"op\":\"{ops}\"`, not `{op}`"))),
            false => Ok(()),
        }
    };
    only("until", "snooze")?;
    only("reason", "dismiss")?;
    only("note", "complete")?;
    only("subject", "approve")?;
    only("body", "approve")?;
    let op = match op {
        "complete" => QueueOp::Complete { note: text(object, "note", "a note")?.map(str::to_owned) },
        "dismiss" => QueueOp::Dismiss { reason: text(object, "reason", "why it was dismissed")?.map(str::to_owned) },
        "approve" => QueueOp::Approve {
            subject: text(object, "subject", "the email's subject")?.map(str::to_owned),
            body: text(object, "body", "the email's body")?.map(str::to_owned),
        },
        _ => {
            let Some(until) = text(object, "until", "when the action comes back")? else {
                return Err(Rejection::line("missing `until`: when the snoozed action comes back"));
            };
            let until =
                read_moment(until, workspace).map_err(|m| Rejection::field("until", format!("`until`: {m}")))?;
            if until <= at {
                return Err(Rejection::field("until", "`until` must be after `at`"));
            }
            QueueOp::Snooze { until }
        }
    };
    let by = teammate(object)?;
    let action = match object.get("action") {
        Some(_) => {
            for key in ["playbook", "step", "activity", "record"] {
                if object.contains_key(key) {
                    return Err(Rejection::field(
                        key,
                        format!(
                            "`{key}` names an open action, which `action` (its id) already does: give one or the other"
                        ),
                    ));
                }
            }
            ActionRef::Id(id(object, "action", "the action's id")?.to_string())
        }
        None => named(object, program)?,
    };
    Ok(ChangeKind::Action { op, action, by })
}

/// `{"change":"activity","record":"Case/c1","playbook":…,"activity":…}`.
pub(super) fn activity(object: &Map<String, Json>, program: &Program) -> Result<ChangeKind, Rejection> {
    let (playbook, subject) = playbook(object, program)?;
    let (record, id) = record(object, program, subject)?;
    let Some(activity) = text(object, "activity", "the optional activity to add")? else {
        return Err(Rejection::line("missing `activity`: the optional activity to add"));
    };
    let optional = activities(program, &playbook).filter(|(_, a)| a.optional).map(|(_, a)| a.name);
    let names: Vec<&str> = optional.collect();
    if !names.contains(&activity) {
        let mut message = unknown("optional activity", activity, &names);
        if activities(program, &playbook).any(|(_, a)| a.name == activity) {
            message = format!("`{}` is not optional: it is added with its stage", clip(activity));
        }
        return Err(Rejection::field("activity", format!("{message} (in `{playbook}`)")));
    }
    Ok(ChangeKind::Activity { record, id, playbook, activity: activity.to_owned() })
}

/// An open action named by playbook, step or activity, and record.
fn named(object: &Map<String, Json>, program: &Program) -> Result<ActionRef, Rejection> {
    if !object.contains_key("playbook") {
        return Err(Rejection::line(
            "missing `action`: the action's id, or `playbook`, `step` or `activity`, and `record` naming it",
        ));
    }
    let (playbook, subject) = playbook(object, program)?;
    let (record, id) = record(object, program, subject)?;
    let step = text(object, "step", "a step or stage of the playbook")?;
    let activity = text(object, "activity", "an activity of the playbook")?;
    if let Some(step) = step {
        let names: Vec<&str> = steps(program, &playbook).collect();
        if !names.contains(&step) {
            let message = unknown("step", step, &names);
            return Err(Rejection::field("step", format!("{message} (in `{playbook}`)")));
        }
    }
    if let Some(activity) = activity {
        let names: Vec<&str> = activities(program, &playbook)
            .filter(|(stage, _)| step.is_none_or(|s| s == *stage))
            .map(|(_, a)| a.name)
            .collect();
        if !names.contains(&activity) {
            let message = unknown("activity", activity, &names);
            return Err(Rejection::field("activity", format!("{message} (in `{playbook}`)")));
        }
    }
    if step.is_none() && activity.is_none() {
        return Err(Rejection::line("missing `step` or `activity`: which of the playbook's actions"));
    }
    Ok(ActionRef::Open { playbook, step: step.map(str::to_owned), activity: activity.map(str::to_owned), record, id })
}

/// The `playbook` key: a playbook of the program, and the record type it is about.
fn playbook(object: &Map<String, Json>, program: &Program) -> Result<(String, usize), Rejection> {
    let Some(name) = text(object, "playbook", "a playbook's name")? else {
        return Err(Rejection::line("missing `playbook`: the playbook's name"));
    };
    match program.playbook_named(name) {
        Some(p) => Ok((name.to_owned(), program.playbooks[p].subject)),
        None => {
            let names: Vec<&str> = program.playbooks.iter().map(|p| p.name.as_str()).collect();
            Err(Rejection::field("playbook", unknown("playbook", name, &names)))
        }
    }
}

/// The `record` key, `Type/id`, of the playbook's record type.
fn record(object: &Map<String, Json>, program: &Program, subject: usize) -> Result<(u32, Arc<str>), Rejection> {
    let subject_name = program.schema.records.get(subject).map_or("Account", |r| r.name.as_str());
    let Some(text) = text(object, "record", "the record, as `Type/id`")? else {
        return Err(Rejection::line(format!("missing `record`: the record, like `{subject_name}/acme`")));
    };
    let Some((ty, id)) = text.split_once('/').filter(|(ty, id)| !ty.is_empty() && !id.trim().is_empty()) else {
        return Err(Rejection::field(
            "record",
            format!("`{}` is not a record: write it as Type/id, like `{subject_name}/acme`", clip(text)),
        ));
    };
    if ty != subject_name {
        return Err(Rejection::field(
            "record",
            format!(
                "the playbook is about {subject_name} records, so `record` must be `{subject_name}/…`, not `{}`",
                clip(text)
            ),
        ));
    }
    Ok((subject as u32, Arc::from(id)))
}

/// An optional text key, not blank.
pub(super) fn text<'a>(object: &'a Map<String, Json>, key: &str, what: &str) -> Result<Option<&'a str>, Rejection> {
    match object.get(key) {
        None => Ok(None),
        Some(Json::String(s)) if s.trim().is_empty() => Err(Rejection::field(key, format!("`{key}` cannot be blank"))),
        Some(Json::String(s)) => Ok(Some(s)),
        Some(json) => Err(Rejection::field(key, format!("`{key}` must be {what} as text, found {}", describe(json)))),
    }
}

/// The teammate who made a change (`by`), if the line names one: an email address.
pub(super) fn teammate(object: &Map<String, Json>) -> Result<Option<Arc<str>>, Rejection> {
    match text(object, "by", "the teammate who did it")? {
        Some(by) if !is_email(by) => Err(Rejection::field(
            "by",
            format!("`{}` is not a teammate's email address: write who did it like `jo@example.com`", clip(by)),
        )),
        by => Ok(by.map(Arc::from)),
    }
}

/// The names of a playbook's steps and stages.
fn steps<'a>(program: &'a Program, playbook: &str) -> impl Iterator<Item = &'a str> {
    let body = program.playbook_named(playbook).map_or(&[][..], |p| &program.playbooks[p].body[..]);
    body.iter().filter_map(Node::name)
}

/// A playbook's named activities, with the stage each is in.
pub(crate) struct Named<'a> {
    pub name: &'a str,
    pub optional: bool,
}

fn activities<'a>(program: &'a Program, playbook: &str) -> impl Iterator<Item = (&'a str, Named<'a>)> {
    let body = program.playbook_named(playbook).map_or(&[][..], |p| &program.playbooks[p].body[..]);
    body.iter()
        .filter_map(|node| match node {
            Node::Stage(stage) => Some(stage),
            _ => None,
        })
        .flat_map(|stage| {
            stage.activities.iter().filter_map(move |a| {
                a.name.as_deref().map(|name| (stage.name.as_str(), Named { name, optional: a.optional }))
            })
        })
}

/// The `action` and `activity` changes as lines.
pub(super) fn to_json(kind: &ChangeKind, program: &Program) -> String {
    let record_name = |r: u32, id: &str| {
        let name = program.schema.records.get(r as usize).map_or("?", |d| d.name.as_str());
        quoted(&format!("{name}/{id}"))
    };
    let mut out = String::new();
    match kind {
        ChangeKind::Action { op, action, by } => {
            out += &format!(",\"change\":\"action\",\"op\":\"{}\"", op.name());
            match action {
                ActionRef::Id(id) => out += &format!(",\"action\":{}", quoted(id)),
                ActionRef::Open { playbook, step, activity, record, id } => {
                    out += &format!(",\"playbook\":{}", quoted(playbook));
                    if let Some(step) = step {
                        out += &format!(",\"step\":{}", quoted(step));
                    }
                    if let Some(activity) = activity {
                        out += &format!(",\"activity\":{}", quoted(activity));
                    }
                    out += &format!(",\"record\":{}", record_name(*record, id));
                }
            }
            if let Some(by) = by {
                out += &format!(",\"by\":{}", quoted(by));
            }
            let extra: Vec<(&str, String)> = match op {
                QueueOp::Complete { note } => note.iter().map(|n| ("note", quoted(n))).collect(),
                QueueOp::Dismiss { reason } => reason.iter().map(|r| ("reason", quoted(r))).collect(),
                QueueOp::Snooze { until } => vec![("until", quoted(&moment_text(*until)))],
                QueueOp::Approve { subject, body } => subject
                    .iter()
                    .map(|s| ("subject", quoted(s)))
                    .chain(body.iter().map(|b| ("body", quoted(b))))
                    .collect(),
            };
            for (key, value) in extra {
                out += &format!(",\"{key}\":{value}");
            }
        }
        ChangeKind::Activity { record, id, playbook, activity } => {
            out += &format!(
                ",\"change\":\"activity\",\"record\":{},\"playbook\":{},\"activity\":{}",
                record_name(*record, id),
                quoted(playbook),
                quoted(activity)
            );
        }
        _ => {}
    }
    out
}
