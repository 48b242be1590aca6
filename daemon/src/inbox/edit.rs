//! Editing the action's record on the action page: a form typed by the schema, whose changed
//! fields become one `upsert` change line that the engine checks exactly like a line of
//! `POST /v1/changes` (a refused line names its field and stores nothing).

use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use maud::{html, Markup};
use play_compiler::check::types::Ty;
use play_compiler::program::{FieldDef, Program};
use play_store::ActionRow;
use serde_json::{Map, Value};
use tokio::sync::oneshot;

use super::form::{Fields, MAX_TEXT};
use super::session::Session;
use super::{check_csrf, layout, record, Inbox, Problem, Signed};
use crate::writer::Request;

/// The form's name for a record field.
fn input_name(field: &str) -> String {
    format!("field.{field}")
}

/// Whether the page offers a field for editing: lists and event links stay as they are.
fn editable(ty: &Ty) -> bool {
    match ty {
        Ty::Optional(inner) => editable(inner),
        Ty::List(_) | Ty::Event(_) | Ty::Error => false,
        _ => true,
    }
}

/// The record's fields as a form, filled with their values now.
pub fn form(s: &Session, row: &ActionRow, program: &Program, now: &Map<String, Value>) -> Markup {
    let Some(def) = record_def(program, &row.record) else { return html! {} };
    html! {
        h2 #record { "Edit " (row.record) }
        form.fields method="post" action={ "/actions/" (row.id) "/record" } {
            (layout::csrf(s))
            div.cards {
                @for f in def.fields.iter().filter(|f| editable(&f.ty)) {
                    p { (input(program, f, now.get(&f.name))) }
                }
            }
            p.muted { "Only the fields you change are saved, as one change to the record (playbooks see it like any \
                       other change)." }
            p { button type="submit" { "Save the record" } }
        }
    }
}

fn record_def<'p>(program: &'p Program, record: &str) -> Option<&'p play_compiler::program::RecordDef> {
    let (ty, _) = record.split_once('/')?;
    program.schema.record_named(ty).map(|r| &program.schema.records[r])
}

/// One field's label and input, by its type.
fn input(program: &Program, f: &FieldDef, value: Option<&Value>) -> Markup {
    let (ty, optional) = match &f.ty {
        Ty::Optional(inner) => (inner.as_ref(), true),
        other => (other, false),
    };
    let name = input_name(&f.name);
    let id = format!("f-{}", f.name);
    let text = match value {
        Some(Value::String(s)) => s.clone(),
        Some(Value::Null) | None => String::new(),
        Some(other) => other.to_string(),
    };
    let kind = program.schema.type_name(&f.ty);
    html! {
        label for=(id) { (f.name) " " span.muted { "(" (kind) ")" } }
        @match ty {
            Ty::Enum(e) => {
                @let def = &program.schema.enums[*e];
                @let chosen = def.variant_for(&text);
                select id=(id) name=(name) {
                    @if optional || chosen.is_none() { option value="" selected[chosen.is_none()] { "—" } }
                    @for (i, v) in def.variants.iter().enumerate() { option value=(v) selected[chosen == Some(i)] { (v) } }
                }
            }
            Ty::Bool => {
                select id=(id) name=(name) {
                    @if optional || text.is_empty() { option value="" selected[text.is_empty()] { "—" } }
                    option value="true" selected[text == "true"] { "yes" }
                    option value="false" selected[text == "false"] { "no" }
                }
            }
            Ty::Number | Ty::Money => { input id=(id) type="number" step="any" name=(name) value=(text); }
            Ty::Int => { input id=(id) type="number" step="1" name=(name) value=(text); }
            Ty::Date => { input id=(id) type="date" name=(name) value=(text); }
            Ty::Email => { input id=(id) type="email" name=(name) value=(text) size="30"; }
            Ty::Url => { input id=(id) type="url" name=(name) value=(text) size="30"; }
            _ => { input id=(id) type="text" name=(name) value=(text) size="30"; }
        }
    }
}

/// A form's text for one field as the JSON a change line carries, or what is wrong with it
/// (the engine then checks the value itself: an enum's variants, an email's form, a range).
pub fn typed(f: &FieldDef, text: &str) -> Result<Value, String> {
    let (ty, optional) = match &f.ty {
        Ty::Optional(inner) => (inner.as_ref(), true),
        other => (other, false),
    };
    let name = &f.name;
    if text.chars().count() > MAX_TEXT {
        return Err(format!("`{name}` is too long ({} characters): keep it under {MAX_TEXT}.", text.chars().count()));
    }
    if text.is_empty() {
        return if optional {
            Ok(Value::Null)
        } else {
            Err(format!("`{name}` cannot be empty: the record must have one."))
        };
    }
    let shown = play_runtime::change::clip(text);
    Ok(match ty {
        Ty::Number | Ty::Money => text
            .parse::<f64>()
            .ok()
            .and_then(serde_json::Number::from_f64)
            .map(Value::Number)
            .ok_or_else(|| format!("`{name}` must be a number, not `{shown}`."))?,
        Ty::Int => text
            .parse::<i64>()
            .map(Value::from)
            .map_err(|_| format!("`{name}` must be a whole number, not `{shown}`."))?,
        Ty::Bool => match text {
            "true" => Value::Bool(true),
            "false" => Value::Bool(false),
            _ => return Err(format!("`{name}` must be yes or no, not `{shown}`.")),
        },
        _ => Value::String(text.to_string()),
    })
}

/// Whether a field's value changes: numbers compare as numbers (`72` is `72.0`).
fn differs(old: Option<&Value>, new: &Value) -> bool {
    match (old, new) {
        (Some(a), b) if a.is_number() && b.is_number() => a.as_f64() != b.as_f64(),
        (None, Value::Null) => false,
        (Some(a), b) => a != b,
        (None, _) => true,
    }
}

/// The fields a posted form changes, checked before anything is journaled.
pub fn changed(
    program: &Program,
    record: &str,
    fields: &Fields,
    now: &Map<String, Value>,
) -> Result<Map<String, Value>, String> {
    let def = record_def(program, record).ok_or_else(|| format!("{record} is not a record the program knows."))?;
    let mut out = Map::new();
    for f in def.fields.iter().filter(|f| editable(&f.ty)) {
        let Some(text) = fields.get(&input_name(&f.name)) else { continue };
        if text.is_empty() && now.get(&f.name).is_none_or(Value::is_null) {
            continue;
        }
        let value = typed(f, text)?;
        if differs(now.get(&f.name), &value) {
            out.insert(f.name.clone(), value);
        }
    }
    if out.is_empty() {
        return Err("Nothing to save: no field was changed.".into());
    }
    Ok(out)
}

/// `POST /actions/{id}/record`: saves the record's changed fields as one upsert.
pub async fn save(
    State(inbox): State<Inbox>,
    Signed(s): Signed,
    Path(id): Path<String>,
    body: axum::body::Bytes,
) -> Result<Response, Problem> {
    let fields = Fields::parse(&body);
    check_csrf(&s, &fields)?;
    let row = super::action::visible(&inbox, &id, &s.email).await?;
    let program = inbox.program().await?;
    let view = record::read(&inbox, &row.record, None).await?;
    let made = match changed(&program, &row.record, &fields, record::current(&view)) {
        Ok(values) => upsert(&inbox, &row.record, values, &s.email).await,
        Err(message) => Err(message),
    };
    match made {
        Ok(()) => Ok(Redirect::to(&format!("/actions/{}?notice=record", row.id)).into_response()),
        Err(message) => {
            let message = format!("Nothing was saved. {message}");
            super::action::again(&inbox, &s, &row, &message).await
        }
    }
}

/// Journals the record's new values as one `upsert` change line at the daemon's clock,
/// naming the teammate who made it (`by`); the engine's refusal in its words, naming the
/// field. The engine thread writes an accepted edit back to the CRM (an `update` outbox
/// row, `crate::project::edit`).
pub async fn upsert(inbox: &Inbox, record: &str, values: Map<String, Value>, by: &str) -> Result<(), String> {
    let (ty, id) = record.split_once('/').ok_or_else(|| format!("`{record}` is not a record."))?;
    let mut change = Map::new();
    change.insert("change".into(), "upsert".into());
    change.insert("record".into(), ty.into());
    change.insert("id".into(), id.into());
    change.insert("fields".into(), Value::Object(values));
    change.insert("by".into(), by.into());
    engine(inbox, change).await
}

/// Hands a change line (without `at`: the daemon's clock) to the engine thread; its refusal
/// in its words, with the field it names.
pub async fn engine(inbox: &Inbox, change: Map<String, Value>) -> Result<(), String> {
    let (reply, answer) = oneshot::channel();
    inbox.app.send(Request::Queue { change, reply }).map_err(|e| e.message)?;
    match answer.await {
        Ok(Ok(Ok(()))) => Ok(()),
        Ok(Ok(Err(r))) => Err(match r.field {
            Some(field) if !r.message.contains(&format!("`{field}`")) => format!("`{field}`: {}", r.message),
            _ => r.message,
        }),
        Ok(Err(message)) => Err(message),
        Err(_) => Err("The daemon is stopping: try again once it is back.".into()),
    }
}

/// What the page says after a save.
pub fn notice(which: Option<&str>) -> Option<&'static str> {
    (which == Some("record")).then_some("The record was saved.")
}
