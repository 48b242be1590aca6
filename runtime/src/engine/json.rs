//! The parts of an action that are JSON when written out (its `fields`, its context's
//! `changed`), kept as values until then: working them out costs no map, no copied
//! names and no texts, and writing them gives the bytes `Value::to_json` gave.

use std::sync::Arc;

use serde::ser::{SerializeMap, Serializer};
use serde::Serialize;

use play_compiler::program::Program;

use crate::value::Value;

type JsonMap = serde_json::Map<String, serde_json::Value>;

/// What writing a value as JSON needs of the program: the names of enum variants and
/// events. Made once when a program is loaded and shared by every action that holds
/// values (so that the action needs neither the program nor a text per value).
#[derive(Default, PartialEq)]
pub struct Names {
    enums: Vec<Vec<String>>,
    events: Vec<String>,
}

impl Names {
    pub fn of(program: &Program) -> Names {
        Names {
            enums: program.schema.enums.iter().map(|e| e.variants.clone()).collect(),
            events: program.schema.events.iter().map(|e| e.name.clone()).collect(),
        }
    }
}

impl std::fmt::Debug for Names {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // The program's names say nothing about one action.
        f.write_str("Names")
    }
}

/// A value written as JSON, as [`Value::to_json`] writes it: numbers as numbers (a whole
/// one without `.0`), a list as an array, anything else as its text.
pub struct Json<'a> {
    pub value: &'a Value,
    pub names: &'a Names,
}

impl Serialize for Json<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let names = self.names;
        match self.value {
            Value::Empty => s.serialize_unit(),
            Value::Bool(b) => s.serialize_bool(*b),
            Value::Int(i) => s.serialize_i64(*i),
            Value::Num(n) if n.fract() == 0.0 && n.abs() < 9.0e15 => s.serialize_i64(*n as i64),
            Value::Num(n) => match serde_json::Number::from_f64(*n) {
                Some(number) => number.serialize(s),
                None => s.serialize_unit(),
            },
            Value::List(items) => s.collect_seq(items.iter().map(|value| Json { value, names })),
            Value::Text(t) => s.serialize_str(t),
            Value::Ref { id, .. } => s.serialize_str(id),
            Value::Enum { ty, variant } => s.serialize_str(
                names.enums.get(*ty as usize).and_then(|e| e.get(*variant as usize)).map_or("", String::as_str),
            ),
            Value::Event(h) => s.serialize_str(names.events.get(h.event as usize).map_or("", String::as_str)),
            other => {
                let mut text = String::new();
                other.write_scalar(&mut text);
                s.serialize_str(&text)
            }
        }
    }
}

/// The order a JSON map (a `BTreeMap`) writes named entries in: by name, and the last of
/// entries with the same name only, as inserting them one by one into the map did.
fn map_order<T>(entries: &[T], name: impl Fn(&T) -> &str) -> Vec<usize> {
    let mut order: Vec<usize> = (0..entries.len()).collect();
    // Stable: entries with the same name stay in the order they came.
    order.sort_by(|a, b| name(&entries[*a]).cmp(name(&entries[*b])));
    let mut kept: Vec<usize> = Vec::with_capacity(order.len());
    for i in order {
        match kept.last_mut() {
            Some(last) if name(&entries[*last]) == name(&entries[i]) => *last = i,
            _ => kept.push(i),
        }
    }
    kept
}

/// The fields an `update`, `webhook` or activity that `creates` a record shows.
#[derive(Clone, Debug)]
pub enum Fields {
    /// As worked out: each name (shared with the loaded program's) and its value.
    Values { names: Arc<Names>, fields: Vec<(Arc<str>, Value)> },
    /// As read back from a snapshot, which keeps them as JSON.
    Json(JsonMap),
}

/// What `of` writes, as a JSON map (empty if it writes anything else).
fn json_map(of: &impl Serialize) -> JsonMap {
    match serde_json::to_value(of) {
        Ok(serde_json::Value::Object(map)) => map,
        _ => JsonMap::new(),
    }
}

impl Fields {
    /// The fields as a JSON map, as they are written out.
    pub fn to_map(&self) -> JsonMap {
        match self {
            Fields::Json(map) => map.clone(),
            Fields::Values { .. } => json_map(self),
        }
    }

    pub fn is_empty(&self) -> bool {
        match self {
            Fields::Values { fields, .. } => fields.is_empty(),
            Fields::Json(map) => map.is_empty(),
        }
    }
}

impl Serialize for Fields {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            Fields::Json(map) => map.serialize(s),
            Fields::Values { names, fields } => {
                let order = map_order(fields, |(name, _)| name);
                let mut map = s.serialize_map(Some(order.len()))?;
                for i in order {
                    let (name, value) = &fields[i];
                    map.serialize_entry(&**name, &Json { value, names })?;
                }
                map.end()
            }
        }
    }
}

/// Two actions' fields are the same when they write the same JSON (one worked out, one
/// read back from a snapshot, say).
impl PartialEq for Fields {
    fn eq(&self, other: &Fields) -> bool {
        match (self, other) {
            (Fields::Json(a), Fields::Json(b)) => a == b,
            _ => self.to_map() == other.to_map(),
        }
    }
}

/// What changed, in an action's context: each changed field's name with its value before
/// and after (written as `{"name": [before, after]}`).
#[derive(Clone, Debug)]
pub enum Changed {
    /// The triggering change's own list, shared with the run's trigger.
    Values { names: Arc<Names>, changed: Arc<[(Arc<str>, Value, Value)]> },
    /// As read back from a snapshot, which keeps it as JSON.
    Json(JsonMap),
}

impl Default for Changed {
    fn default() -> Changed {
        Changed::Json(JsonMap::new())
    }
}

impl Changed {
    /// What changed as a JSON map, as it is written out.
    pub fn to_map(&self) -> JsonMap {
        match self {
            Changed::Json(map) => map.clone(),
            Changed::Values { .. } => json_map(self),
        }
    }

    pub fn is_empty(&self) -> bool {
        match self {
            Changed::Values { changed, .. } => changed.is_empty(),
            Changed::Json(map) => map.is_empty(),
        }
    }
}

impl Serialize for Changed {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            Changed::Json(map) => map.serialize(s),
            Changed::Values { names, changed } => {
                let order = map_order(changed, |(name, _, _)| name);
                let mut map = s.serialize_map(Some(order.len()))?;
                for i in order {
                    let (name, before, after) = &changed[i];
                    map.serialize_entry(&**name, &[Json { value: before, names }, Json { value: after, names }])?;
                }
                map.end()
            }
        }
    }
}

impl PartialEq for Changed {
    fn eq(&self, other: &Changed) -> bool {
        match (self, other) {
            (Changed::Json(a), Changed::Json(b)) => a == b,
            (Changed::Values { changed: a, .. }, Changed::Values { changed: b, .. }) if Arc::ptr_eq(a, b) => true,
            _ => self.to_map() == other.to_map(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::value::Happening;

    /// Values of every kind, some of them awkward (NaN, infinities, large and negative
    /// numbers, escapes, an enum and an event out of range).
    fn values(program: &Program) -> Vec<Value> {
        let enumerated = program.schema.enums.iter().position(|e| e.variants.len() > 1).expect("an enum") as u32;
        let happening =
            |event| Value::Event(Arc::new(Happening { event, at: 0, subject: Arc::from("a"), fields: vec![] }));
        vec![
            Value::Empty,
            Value::Bool(true),
            Value::Int(-42),
            Value::Int(i64::MAX),
            Value::Num(3.0),
            Value::Num(-0.25),
            Value::Num(1.0e16),
            Value::Num(2.5e-7),
            Value::Num(f64::NAN),
            Value::Num(f64::INFINITY),
            Value::text("quote \" and \\ and é\n"),
            Value::Ref { record: 0, id: Arc::from("csm@example.com") },
            Value::Enum { ty: enumerated, variant: 1 },
            Value::Enum { ty: 9_999, variant: 0 },
            happening(0),
            happening(9_999),
            Value::Date(chrono::NaiveDate::from_ymd_opt(2026, 1, 5).expect("a date")),
            Value::Moment(1_767_600_000),
            Value::Time(9 * 60 + 5),
            Value::List(Arc::from(vec![Value::Int(1), Value::Enum { ty: enumerated, variant: 0 }, Value::Empty])),
        ]
    }

    fn program() -> Program {
        play_compiler::lower::build(&[("t.play", "")]).unwrap_or_else(|_| panic!("an empty program compiles"))
    }

    /// Written without the program, a value gives the bytes `Value::to_json` gave.
    #[test]
    fn a_value_is_written_as_to_json_wrote_it() {
        let program = program();
        let names = Names::of(&program);
        for value in values(&program) {
            let json = serde_json::to_string(&Json { value: &value, names: &names }).expect("JSON");
            let before = serde_json::to_string(&value.to_json(&program)).expect("JSON");
            assert_eq!(json, before, "{value:?}");
        }
    }

    /// Fields and what changed are written as a map made by inserting them one by one:
    /// by name, the last of a repeated name.
    #[test]
    fn fields_and_changes_are_written_as_the_map_was() {
        let program = program();
        let names = Arc::new(Names::of(&program));
        let all = values(&program);
        let named: Vec<(Arc<str>, Value)> = all
            .iter()
            .enumerate()
            .map(|(i, v)| (Arc::from(["zeta", "alpha", "mid", "alpha", "beta"][i % 5]), v.clone()))
            .collect();
        let mut map = JsonMap::new();
        for (name, value) in &named {
            map.insert(name.to_string(), value.to_json(&program));
        }
        let fields = Fields::Values { names: names.clone(), fields: named.clone() };
        assert_eq!(serde_json::to_string(&fields).expect("JSON"), serde_json::to_string(&map).expect("JSON"));
        assert_eq!(fields, Fields::Json(map));

        let changed: Arc<[(Arc<str>, Value, Value)]> =
            named.iter().zip(all.iter().rev()).map(|((n, a), b)| (n.clone(), a.clone(), b.clone())).collect();
        let mut map = JsonMap::new();
        for (name, before, after) in changed.iter() {
            let pair = serde_json::Value::Array(vec![before.to_json(&program), after.to_json(&program)]);
            map.insert(name.to_string(), pair);
        }
        let changed = Changed::Values { names, changed };
        assert_eq!(serde_json::to_string(&changed).expect("JSON"), serde_json::to_string(&map).expect("JSON"));
        assert_eq!(changed, Changed::Json(map));
    }
}
