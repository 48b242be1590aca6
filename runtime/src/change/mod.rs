//! Changes in: one JSON object per line (an upsert, an event, a delete, or a person's work
//! on the queue), read against the program's schema into slots and values, or refused
//! with a message a CS operator can act on.
//!
//! Reading never panics: every way a line can be wrong is a [`Rejection`]. What the store
//! holds is not known here, so whether a record exists (to create, to delete, to be an
//! event's subject) and which actions are open is left to the engine (`Engine::check`).

mod file;
mod json;
mod moment;
mod queue;
mod task;

use std::sync::Arc;

use play_compiler::program::{Duration, FieldDef, Program, Ty};
use play_compiler::suggest::{closest, join_or};
use serde_json::{Map, Value as Json};

use crate::config::Workspace;
use crate::value::{moment_text, Value};
pub use file::{each_line, lines};
pub use moment::{read_moment, read_moment_as, strict_date, strict_moment, strict_time};
pub use queue::{ActionRef, QueueOp};
pub use task::AdHocTask;

/// One change fed to the engine.
#[derive(Clone, Debug, PartialEq)]
pub struct Change {
    /// When it happened, in seconds since 1970 UTC.
    pub at: i64,
    pub kind: ChangeKind,
}

/// What changed. Fields are by slot, in slot order, each at most once.
#[derive(Clone, Debug, PartialEq)]
pub enum ChangeKind {
    /// Merge fields into the record (creating it on first sight).
    Upsert {
        record: u32,
        id: Arc<str>,
        fields: Vec<(u32, Value)>,
    },
    /// An event happened to the record `subject` (an id of the event's subject type).
    Event {
        event: u32,
        subject: Arc<str>,
        fields: Vec<(u32, Value)>,
    },
    Delete {
        record: u32,
        id: Arc<str>,
    },
    /// A person worked an open action of the queue (`by`, a teammate's address, when said).
    Action {
        op: QueueOp,
        action: ActionRef,
        by: Option<Arc<str>>,
    },
    /// A person added an optional activity to the open stage of a record's run of a playbook.
    Activity {
        record: u32,
        id: Arc<str>,
        playbook: String,
        activity: String,
    },
    /// A teammate made a task outside any playbook (an ad hoc task).
    Task(Arc<AdHocTask>),
}

/// A change as a line carries it: the change, the sender's id for it (`change_id`), by
/// which a change sent twice is taken once, and for an upsert the teammate who made it
/// (`by`: a record edited in the inbox), which the engine does not read.
#[derive(Clone, Debug, PartialEq)]
pub struct Line {
    pub change: Change,
    pub change_id: Option<Arc<str>>,
    pub by: Option<Arc<str>>,
}

/// Why a line was refused: the field at fault (if one is) and a message for a CS operator.
/// The caller adds the line number.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{message}")]
pub struct Rejection {
    pub field: Option<String>,
    pub message: String,
}

impl Rejection {
    pub fn line(message: impl Into<String>) -> Rejection {
        Rejection { field: None, message: message.into() }
    }

    pub fn field(name: &str, message: impl Into<String>) -> Rejection {
        Rejection { field: Some(name.to_string()), message: message.into() }
    }
}

const KINDS: [&str; 6] = ["upsert", "event", "delete", "action", "activity", "task"];
const EXAMPLE_MOMENT: &str = "2026-03-02T09:00:00Z";

/// Reads one line of a changes file. `at` and datetimes without an offset are read in the
/// workspace's time zone.
pub fn parse_change(line: &str, program: &Program, workspace: &Workspace) -> Result<Change, Rejection> {
    parse_line(line, program, workspace).map(|line| line.change)
}

/// Reads one line of a changes file with its `change_id`, if it has one.
pub fn parse_line(line: &str, program: &Program, workspace: &Workspace) -> Result<Line, Rejection> {
    if line.trim().is_empty() {
        return Err(Rejection::line("the line is empty: expected one change as a JSON object"));
    }
    if line.trim_start().starts_with('\u{feff}') {
        return Err(Rejection::line(
            "the line starts with a byte-order mark (U+FEFF), which only the start of a file may have: \
             remove it (files joined together often carry one)",
        ));
    }
    let json = json::read(line).map_err(|problem| match problem {
        json::JsonProblem::Duplicate { key, within } => {
            let place = within.map(|w| format!(" in `{}`", clip(&w))).unwrap_or_default();
            Rejection::field(&key, format!("duplicate key `{}`{place}: a key may be given once", clip(&key)))
        }
        json::JsonProblem::Syntax(e) => match line.chars().position(|c| c == '\u{feff}') {
            Some(at) => Rejection::line(format!(
                "a byte-order mark (U+FEFF) at column {} is not JSON: remove it (files joined together often \
                 carry one)",
                at + 1
            )),
            None => Rejection::line(json_error(&e)),
        },
    })?;
    let Json::Object(object) = json else {
        return Err(Rejection::line(format!("expected a change as a JSON object `{{…}}`, found {}", describe(&json))));
    };
    let kind = kind(&object)?;
    let keys: &[&str] = match kind {
        "upsert" => &["at", "change", "change_id", "record", "id", "fields", "by"],
        "event" => &["at", "change", "change_id", "event", "subject", "fields"],
        "delete" => &["at", "change", "change_id", "record", "id"],
        "action" => queue::ACTION_KEYS,
        "task" => task::TASK_KEYS,
        _ => queue::ACTIVITY_KEYS,
    };
    if let Some(key) = object.keys().find(|k| !keys.contains(&k.as_str())) {
        let message = match closest(key, keys.iter().copied()) {
            Some(best) => format!("unknown key `{}`: did you mean `{best}`?", clip(key)),
            None => format!("unknown key `{}` on {} change: expected {}", clip(key), article(kind), join_or(keys)),
        };
        return Err(Rejection::line(message));
    }
    let at = at(&object, workspace)?;
    let change_id = match object.get("change_id") {
        None => None,
        Some(_) => Some(id(&object, "change_id", "the sender's id for the change")?),
    };
    let by = match kind {
        "upsert" => queue::teammate(&object)?,
        _ => None,
    };
    let kind = match kind {
        "upsert" => upsert(&object, program, workspace)?,
        "event" => event(&object, program, workspace)?,
        "delete" => {
            let record = record_type(&object, program)?;
            let id = id(&object, "id", &format!("the {}'s id", program.schema.records[record].name))?;
            ChangeKind::Delete { record: record as u32, id }
        }
        "action" => queue::action(&object, at, program, workspace)?,
        "task" => task::task(&object, program, workspace)?,
        _ => queue::activity(&object, program)?,
    };
    Ok(Line { change: Change { at, kind }, change_id, by })
}

fn at(object: &Map<String, Json>, workspace: &Workspace) -> Result<i64, Rejection> {
    let Some(json) = object.get("at") else {
        return Err(Rejection::field("at", format!("missing `at`: when the change happened, like `{EXAMPLE_MOMENT}`")));
    };
    let text = json.as_str().ok_or_else(|| {
        Rejection::field(
            "at",
            format!("`at` must be a date and time like `{EXAMPLE_MOMENT}`, found {}", describe(json)),
        )
    })?;
    read_moment(text, workspace).map_err(|m| Rejection::field("at", format!("`at`: {m}")))
}

fn upsert(object: &Map<String, Json>, program: &Program, workspace: &Workspace) -> Result<ChangeKind, Rejection> {
    let record = record_type(object, program)?;
    let def = &program.schema.records[record];
    let id = id(object, "id", &format!("the {}'s id", def.name))?;
    let Some(json) = object.get("fields") else {
        return Err(Rejection::line(format!("missing `fields`: the {}'s fields to set", def.name)));
    };
    let fields = fields(json, &def.fields, &def.name, program, workspace)?;
    Ok(ChangeKind::Upsert { record: record as u32, id, fields })
}

/// An event carries its whole payload, so unlike an upsert it must have every required field.
fn event(object: &Map<String, Json>, program: &Program, workspace: &Workspace) -> Result<ChangeKind, Rejection> {
    let event = event_type(object, program)?;
    let def = &program.schema.events[event];
    let subject_name = program.schema.records.get(def.subject).map_or("record", |r| r.name.as_str());
    let subject = id(object, "subject", &format!("the id of the {subject_name} it happened to"))?;
    let fields = match object.get("fields") {
        Some(json) => fields(json, &def.fields, &def.name, program, workspace)?,
        None => Vec::new(),
    };
    let present: Vec<u32> = fields.iter().map(|(slot, _)| *slot).collect();
    let missing = required_missing(&def.fields, &present);
    if let Some(first) = missing.first() {
        let names: Vec<&str> = missing.iter().map(String::as_str).collect();
        let noun = if missing.len() == 1 { "field" } else { "fields" };
        let message = format!("missing required {noun} {} on {}", join_and(&names), def.name);
        return Err(Rejection::field(first, message));
    }
    Ok(ChangeKind::Event { event: event as u32, subject, fields })
}

/// Converts one JSON value to a Value of type `ty` (shared with the engine and tests).
pub fn value_from_json(json: &Json, ty: &Ty, program: &Program, workspace: &Workspace) -> Result<Value, String> {
    convert(json, ty, program, workspace).map_err(|fault| fault.describe(None))
}

/// The required (non-optional, non-List) fields of a record type missing from `present` — for
/// "missing required field on create". An unknown record type has none.
pub fn missing_required(program: &Program, record: u32, present: &[u32]) -> Vec<String> {
    program.schema.records.get(record as usize).map_or_else(Vec::new, |r| required_missing(&r.fields, present))
}

/// A change back as one JSON line (for property tests and for writing change files); keys
/// come in the order of the format's examples, fields in the change's order.
pub fn to_json_line(change: &Change, program: &Program) -> String {
    let schema = &program.schema;
    let record_name = |r: u32| schema.records.get(r as usize).map_or("?", |d| d.name.as_str());
    let mut out = format!("{{\"at\":{}", quoted(&moment_text(change.at)));
    match &change.kind {
        ChangeKind::Upsert { record, id, fields } => {
            out += &format!(",\"change\":\"upsert\",\"record\":{},\"id\":{}", quoted(record_name(*record)), quoted(id));
            let defs = schema.records.get(*record as usize).map_or(&[][..], |d| &d.fields);
            out += &format!(",\"fields\":{}", fields_json(fields, defs, program));
        }
        ChangeKind::Event { event, subject, fields } => {
            let def = schema.events.get(*event as usize);
            let name = def.map_or("?", |d| d.name.as_str());
            out += &format!(",\"change\":\"event\",\"event\":{},\"subject\":{}", quoted(name), quoted(subject));
            if !fields.is_empty() {
                let defs = def.map_or(&[][..], |d| &d.fields);
                out += &format!(",\"fields\":{}", fields_json(fields, defs, program));
            }
        }
        ChangeKind::Delete { record, id } => {
            out += &format!(",\"change\":\"delete\",\"record\":{},\"id\":{}", quoted(record_name(*record)), quoted(id));
        }
        kind @ (ChangeKind::Action { .. } | ChangeKind::Activity { .. }) => out += &queue::to_json(kind, program),
        ChangeKind::Task(task) => out += &task::to_json(task),
    }
    out.push('}');
    out
}

fn fields_json(fields: &[(u32, Value)], defs: &[FieldDef], program: &Program) -> String {
    let entries: Vec<String> = fields
        .iter()
        .map(|(slot, value)| {
            let name = defs.get(*slot as usize).map_or("?", |f| f.name.as_str());
            format!("{}:{}", quoted(name), value.to_json(program))
        })
        .collect();
    format!("{{{}}}", entries.join(","))
}

pub(crate) fn quoted(text: &str) -> String {
    Json::String(text.to_string()).to_string()
}

/// The `change` key: `upsert`, `event` or `delete`.
fn kind(object: &Map<String, Json>) -> Result<&'static str, Rejection> {
    let expected = join_or(&KINDS);
    let Some(json) = object.get("change") else {
        return Err(Rejection::line(format!("missing `change`: the kind of change, {expected}")));
    };
    let Some(text) = json.as_str() else {
        return Err(Rejection::field("change", format!("`change` must be {expected}, found {}", describe(json))));
    };
    if let Some(kind) = KINDS.iter().find(|k| **k == text) {
        return Ok(kind);
    }
    Err(Rejection::line(match closest(text, KINDS) {
        Some(best) => format!("unknown change `{}`: did you mean `{best}`?", clip(text)),
        None => format!("unknown change `{}`: expected {expected}", clip(text)),
    }))
}

fn record_type(object: &Map<String, Json>, program: &Program) -> Result<usize, Rejection> {
    let names: Vec<&str> = program.schema.records.iter().map(|r| r.name.as_str()).collect();
    let name = type_name(object, "record", "record type", &names)?;
    program.schema.record_named(name).ok_or_else(|| Rejection::field("record", unknown("record type", name, &names)))
}

fn event_type(object: &Map<String, Json>, program: &Program) -> Result<usize, Rejection> {
    let names: Vec<&str> = program.schema.events.iter().map(|e| e.name.as_str()).collect();
    let name = type_name(object, "event", "event type", &names)?;
    program.schema.event_named(name).ok_or_else(|| Rejection::field("event", unknown("event type", name, &names)))
}

fn type_name<'a>(object: &'a Map<String, Json>, key: &str, what: &str, names: &[&str]) -> Result<&'a str, Rejection> {
    match object.get(key) {
        None => {
            Err(Rejection::line(format!("missing `{key}`: the {what}, like `{}`", names.first().unwrap_or(&"Account"))))
        }
        Some(json) => json.as_str().ok_or_else(|| {
            let article = if what.starts_with(['a', 'e', 'i', 'o', 'u']) { "an" } else { "a" };
            Rejection::field(key, format!("`{key}` must be the name of {article} {what}, found {}", describe(json)))
        }),
    }
}

/// "unknown record type `Acount`: did you mean `Account`?", listing the choices when there
/// is no close one and few enough to read.
pub(crate) fn unknown(what: &str, name: &str, names: &[&str]) -> String {
    match closest(name, names.iter().copied()) {
        Some(best) => format!("unknown {what} `{}`: did you mean `{best}`?", clip(name)),
        None if names.len() <= 12 => format!("unknown {what} `{}`: expected {}", clip(name), join_or(names)),
        None => format!("unknown {what} `{}`", clip(name)),
    }
}

/// An `id` or `subject`: non-blank text.
pub(crate) fn id(object: &Map<String, Json>, key: &str, what: &str) -> Result<Arc<str>, Rejection> {
    match object.get(key) {
        None => Err(Rejection::line(format!("missing `{key}`: {what}"))),
        Some(Json::String(text)) if text.trim().is_empty() => {
            Err(Rejection::field(key, format!("`{key}` cannot be blank")))
        }
        Some(Json::String(text)) => Ok(Arc::from(text.as_str())),
        Some(Json::Number(n)) => Err(Rejection::field(key, format!("`{key}` must be text: write `\"{n}\"`"))),
        Some(json) => Err(Rejection::field(key, format!("`{key}` must be {what} as text, found {}", describe(json)))),
    }
}

/// The `fields` object, by slot and in slot order.
fn fields(
    json: &Json,
    defs: &[FieldDef],
    owner: &str,
    program: &Program,
    workspace: &Workspace,
) -> Result<Vec<(u32, Value)>, Rejection> {
    let Json::Object(object) = json else {
        return Err(Rejection::line(format!(
            "`fields` must be an object of field names and values, found {}",
            describe(json)
        )));
    };
    let mut out = Vec::with_capacity(object.len());
    for (name, json) in object {
        let Some(slot) = defs.iter().position(|f| f.name == *name) else {
            let names: Vec<&str> = defs.iter().map(|f| f.name.as_str()).collect();
            let message = match closest(name, names.iter().copied()) {
                Some(best) => format!("unknown field `{}` on {owner}: did you mean `{best}`?", clip(name)),
                None if names.is_empty() => format!("unknown field `{}`: {owner} has no fields", clip(name)),
                None if names.len() <= 8 => {
                    format!("unknown field `{}` on {owner}: expected {}", clip(name), join_or(&names))
                }
                None => format!("unknown field `{}` on {owner}", clip(name)),
            };
            return Err(Rejection::field(name, message));
        };
        let value = convert(json, &defs[slot].ty, program, workspace)
            .map_err(|fault| Rejection::field(name, fault.describe(Some(name))))?;
        out.push((slot as u32, value));
    }
    out.sort_by_key(|(slot, _)| *slot);
    Ok(out)
}

fn required_missing(fields: &[FieldDef], present: &[u32]) -> Vec<String> {
    fields
        .iter()
        .enumerate()
        .filter(|(slot, f)| !matches!(f.ty, Ty::Optional(_) | Ty::List(_)) && !present.contains(&(*slot as u32)))
        .map(|(_, f)| f.name.clone())
        .collect()
}

/// Why a JSON value does not fit a type: the list items it is in (outermost first) and what
/// is wrong with it.
struct Fault {
    items: Vec<usize>,
    problem: Problem,
}

enum Problem {
    /// `null` where the type is not optional.
    Empty,
    Wrong(String),
}

impl Fault {
    fn wrong(message: String) -> Fault {
        Fault { items: Vec::new(), problem: Problem::Wrong(message) }
    }

    /// The message about field `field`, or about a bare value.
    fn describe(&self, field: Option<&str>) -> String {
        let mut place = field.map(|f| format!("`{f}`"));
        for item in self.items.iter() {
            place = Some(match place {
                Some(outer) => format!("item {} of {outer}", item + 1),
                None => format!("item {}", item + 1),
            });
        }
        match (&self.problem, place) {
            (Problem::Empty, Some(place)) => format!("{place} cannot be empty"),
            (Problem::Empty, None) => "expected a value, found `null`".to_string(),
            (Problem::Wrong(message), Some(place)) => format!("{place}: {message}"),
            (Problem::Wrong(message), None) => message.clone(),
        }
    }
}

fn convert(json: &Json, ty: &Ty, program: &Program, workspace: &Workspace) -> Result<Value, Fault> {
    if let Ty::Optional(inner) = ty {
        return if json.is_null() { Ok(Value::Empty) } else { convert(json, inner, program, workspace) };
    }
    if json.is_null() {
        return Err(Fault { items: Vec::new(), problem: Problem::Empty });
    }
    let wrong = |what: &str| Fault::wrong(format!("expected {what}, found {}", describe(json)));
    let text = |what: &str| json.as_str().ok_or_else(|| wrong(what));
    let value = match ty {
        Ty::Text => Value::text(text("text")?),
        Ty::Email => {
            let s = text("an email address")?;
            if !is_email(s) {
                return Err(Fault::wrong(format!(
                    "`{}` is not an email address: it needs one `@` with text on either side",
                    clip(s)
                )));
            }
            Value::text(s)
        }
        Ty::Url => {
            let s = text("a web address")?;
            if !(s.starts_with("http://") || s.starts_with("https://")) {
                return Err(Fault::wrong(format!(
                    "`{}` is not a web address: it must start with `http://` or `https://`",
                    clip(s)
                )));
            }
            Value::text(s)
        }
        Ty::Number | Ty::Money => Value::Num(json.as_f64().ok_or_else(|| wrong("a number"))?),
        Ty::Int => Value::Int(whole(json).map_err(Fault::wrong)?),
        Ty::Bool => Value::Bool(json.as_bool().ok_or_else(|| wrong("`true` or `false`"))?),
        Ty::Date => {
            let s = text("a date like `2026-03-02`")?;
            let date = strict_date(s).ok_or_else(|| {
                Fault::wrong(format!("`{}` is not a date: expected one like `2026-03-02` (year, month, day)", clip(s)))
            })?;
            Value::Date(date)
        }
        Ty::DateTime => Value::Moment(
            read_moment(text(&format!("a date and time like `{EXAMPLE_MOMENT}`"))?, workspace).map_err(Fault::wrong)?,
        ),
        Ty::Duration => {
            let example = "like `3d`, `12h`, `30m`, `2w` or `3bd`";
            let s = text(&format!("a duration {example}"))?;
            let d = duration(s)
                .ok_or_else(|| Fault::wrong(format!("`{}` is not a duration: expected one {example}", clip(s))))?;
            Value::Duration(d)
        }
        Ty::Time => {
            let s = text("a time like `09:00`")?;
            let minutes = strict_time(s).ok_or_else(|| {
                Fault::wrong(format!("`{}` is not a time of day: expected one like `09:00`", clip(s)))
            })?;
            Value::Time(minutes)
        }
        Ty::Enum(e) => {
            let Some(def) = program.schema.enums.get(*e) else {
                return Err(Fault::wrong(format!("the program has no enum #{e}")));
            };
            let variants: Vec<&str> = def.variants.iter().map(String::as_str).collect();
            let expected = join_or(&variants);
            let s = text(&expected)?;
            match def.variant_for(s) {
                Some(i) => Value::Enum { ty: *e as u32, variant: i as u32 },
                None => {
                    let mut message = format!("expected {expected}, found {}", describe(json));
                    if let Some(best) = closest(s, variants.iter().copied()) {
                        message += &format!(": did you mean `{best}`?");
                    }
                    return Err(Fault::wrong(message));
                }
            }
        }
        Ty::Record(r) if program.schema.records.get(*r).is_some_and(|d| d.name == "User") => {
            // A teammate is written as their email address (docs: Teammates).
            let s = text("a teammate's email address")?;
            if s.trim().is_empty() {
                return Err(Fault::wrong("a teammate's email address cannot be blank".to_string()));
            }
            if !is_email(s) {
                return Err(Fault::wrong(format!(
                    "`{}` is not a teammate's email address: a User is written as one, like `jo@example.com`",
                    clip(s)
                )));
            }
            Value::Ref { record: *r as u32, id: Arc::from(s) }
        }
        Ty::Record(r) => {
            let name = with_article(&program.schema.type_name(ty));
            let s = text(&format!("the id of {name}"))?;
            if s.trim().is_empty() {
                return Err(Fault::wrong(format!("the id of {name} cannot be blank")));
            }
            Value::Ref { record: *r as u32, id: Arc::from(s) }
        }
        Ty::List(item) => {
            let Json::Array(items) = json else {
                return Err(wrong(&format!("a list ({})", program.schema.type_name(ty))));
            };
            let mut values = Vec::with_capacity(items.len());
            for (i, json) in items.iter().enumerate() {
                let value = convert(json, item, program, workspace).map_err(|mut fault| {
                    fault.items.insert(0, i);
                    fault
                })?;
                values.push(value);
            }
            Value::List(values.into())
        }
        Ty::Optional(_) | Ty::Event(_) | Ty::Error => {
            return Err(Fault::wrong(format!("a {} cannot be given in a change", program.schema.type_name(ty))));
        }
    };
    Ok(value)
}

/// A whole number that fits in 64 bits; `3.0` counts, `3.5` does not.
fn whole(json: &Json) -> Result<i64, String> {
    let Json::Number(n) = json else {
        return Err(format!("expected a whole number, found {}", describe(json)));
    };
    if let Some(i) = n.as_i64() {
        return Ok(i);
    }
    if n.is_u64() {
        return Err(format!("`{n}` is outside the range of whole numbers"));
    }
    // Without serde_json's arbitrary precision every other number is an f64.
    let f = n.as_f64().unwrap_or(f64::NAN);
    if f.fract() != 0.0 {
        return Err(format!("expected a whole number, found `{n}`"));
    }
    // 2^63 is exactly representable, so the half-open range keeps the cast exact.
    if (-9_223_372_036_854_775_808.0..9_223_372_036_854_775_808.0).contains(&f) {
        Ok(f as i64)
    } else {
        Err(format!("`{n}` is outside the range of whole numbers"))
    }
}

pub(crate) use play_compiler::email::is_email;

/// `3d`, `12h`, `30m`, `2w`, `3bd`, `45s`, or a sum of them as durations are written out
/// (`2bd + 3h`).
fn duration(s: &str) -> Option<Duration> {
    let mut total = Duration::default();
    for part in s.split('+') {
        let part = part.trim();
        let digits = part.find(|c: char| !c.is_ascii_digit())?;
        let amount: i64 = part.get(..digits)?.parse().ok()?;
        let (seconds, business_days) = match part.get(digits..)? {
            "s" => (1, 0),
            "m" => (60, 0),
            "h" => (3600, 0),
            "d" => (86_400, 0),
            "w" => (604_800, 0),
            "bd" => (0, 1),
            _ => return None,
        };
        total.seconds = total.seconds.checked_add(amount.checked_mul(seconds)?)?;
        total.business_days = total.business_days.checked_add(amount.checked_mul(business_days)?)?;
    }
    Some(total)
}

/// A JSON value as a message shows it: scalars as written, containers by kind.
pub(crate) fn describe(json: &Json) -> String {
    match json {
        Json::Array(_) => "a list".to_string(),
        Json::Object(_) => "an object".to_string(),
        Json::String(s) => format!("`{}`", clip(&quoted(s))),
        other => format!("`{other}`"),
    }
}

/// User input cut to a length a message can carry.
pub fn clip(text: &str) -> String {
    const MAX: usize = 40;
    if text.chars().count() <= MAX {
        text.to_string()
    } else {
        format!("{}…", text.chars().take(MAX).collect::<String>())
    }
}

/// serde_json's message without the line number (a change is one line; the caller names it).
fn json_error(e: &serde_json::Error) -> String {
    if e.classify() == serde_json::error::Category::Eof {
        return "this line is not valid JSON: it ends too early".to_string();
    }
    let text = e.to_string();
    let what = text.split(" at line ").next().unwrap_or(&text);
    if e.line() <= 1 {
        format!("this line is not valid JSON: {what} at column {}", e.column())
    } else {
        format!("this line is not valid JSON: {what}")
    }
}

fn article(kind: &str) -> &'static str {
    match kind {
        "upsert" => "an `upsert`",
        "event" => "an `event`",
        "action" => "an `action`",
        "activity" => "an `activity`",
        _ => "a `delete`",
    }
}

/// "an Account", "a User", "an Update", by the compiler's one rule for articles.
pub(crate) fn with_article(name: &str) -> String {
    format!("{} {name}", play_compiler::suggest::article(name))
}

/// "`a`, `b` and `c`".
fn join_and(names: &[&str]) -> String {
    let list = join_or(names);
    match list.rfind(" or ") {
        Some(at) => format!("{} and {}", &list[..at], &list[at + 4..]),
        None => list,
    }
}
