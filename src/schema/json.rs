//! Reading values out of the CRM's JSON, with messages that say where a value is and what
//! was expected instead of what was found.

use serde_json::{Map, Value};

pub type Object = Map<String, Value>;

/// What a JSON value is, for messages: "a string", "an array", …
pub fn kind(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "true or false",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

/// A string that must be there.
pub fn string<'a>(object: &'a Object, key: &str, at: &str) -> Result<&'a str, String> {
    match object.get(key) {
        Some(Value::String(text)) => Ok(text),
        None | Some(Value::Null) => Err(format!("{at}: no \"{key}\"")),
        Some(other) => Err(format!("{at}: expected \"{key}\" to be a string, found {}", kind(other))),
    }
}

/// A string that may be missing or `null`.
pub fn optional_string<'a>(object: &'a Object, key: &str, at: &str) -> Result<Option<&'a str>, String> {
    match object.get(key) {
        Some(Value::String(text)) => Ok(Some(text)),
        None | Some(Value::Null) => Ok(None),
        Some(other) => Err(format!("{at}: expected \"{key}\" to be a string, found {}", kind(other))),
    }
}

/// A boolean that may be missing or `null`.
pub fn optional_bool(object: &Object, key: &str, at: &str) -> Result<Option<bool>, String> {
    match object.get(key) {
        Some(Value::Bool(flag)) => Ok(Some(*flag)),
        None | Some(Value::Null) => Ok(None),
        Some(other) => Err(format!("{at}: expected \"{key}\" to be true or false, found {}", kind(other))),
    }
}

/// An array that may be missing or `null` (then it is empty).
pub fn optional_array<'a>(object: &'a Object, key: &str, at: &str) -> Result<&'a [Value], String> {
    match object.get(key) {
        Some(Value::Array(items)) => Ok(items),
        None | Some(Value::Null) => Ok(&[]),
        Some(other) => Err(format!("{at}: expected \"{key}\" to be an array, found {}", kind(other))),
    }
}

/// The strings of an array that may be missing or `null`.
pub fn strings<'a>(object: &'a Object, key: &str, at: &str) -> Result<Vec<&'a str>, String> {
    optional_array(object, key, at)?
        .iter()
        .enumerate()
        .map(|(i, item)| match item {
            Value::String(text) => Ok(text.as_str()),
            other => Err(format!("{at}: expected \"{key}\"[{i}] to be a string, found {}", kind(other))),
        })
        .collect()
}
