//! Reading one change line as JSON, strictly: a key given twice in one object (at any depth)
//! is refused, naming the key, where a plain JSON reader would keep the last one (so that
//! `"change":"upsert", …, "change":"delete"` would delete the record).

use std::cell::RefCell;
use std::fmt;

use serde::de::{DeserializeSeed, Deserializer, Error as _, MapAccess, SeqAccess, Visitor};
use serde_json::{Map, Number, Value as Json};

/// Why a line is not a JSON value a change can be read from.
pub(crate) enum JsonProblem {
    /// A key given twice in one object: the key, and the key of the object holding it
    /// (none at the top level).
    Duplicate { key: String, within: Option<String> },
    /// Not JSON at all.
    Syntax(serde_json::Error),
}

/// Reads `line` as one JSON value, refusing duplicate keys.
pub(crate) fn read(line: &str) -> Result<Json, JsonProblem> {
    let duplicate = RefCell::new(None);
    let mut reader = serde_json::Deserializer::from_str(line);
    let result = Strict { within: None, duplicate: &duplicate }.deserialize(&mut reader).and_then(|json| {
        reader.end()?;
        Ok(json)
    });
    match (result, duplicate.into_inner()) {
        (_, Some((key, within))) => Err(JsonProblem::Duplicate { key, within }),
        (Ok(json), None) => Ok(json),
        (Err(e), None) => Err(JsonProblem::Syntax(e)),
    }
}

/// A JSON value, as `serde_json::Value` reads it, but with every object checked for
/// duplicate keys. `within` is the key of the value being read.
struct Strict<'a> {
    within: Option<&'a str>,
    duplicate: &'a RefCell<Option<(String, Option<String>)>>,
}

impl<'de> DeserializeSeed<'de> for Strict<'_> {
    type Value = Json;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Json, D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Strict<'_> {
    type Value = Json;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a JSON value")
    }

    fn visit_bool<E>(self, v: bool) -> Result<Json, E> {
        Ok(Json::Bool(v))
    }

    fn visit_i64<E>(self, v: i64) -> Result<Json, E> {
        Ok(Json::Number(v.into()))
    }

    fn visit_u64<E>(self, v: u64) -> Result<Json, E> {
        Ok(Json::Number(v.into()))
    }

    fn visit_f64<E>(self, v: f64) -> Result<Json, E> {
        // JSON text has no NaN or infinity; a number too large for f64 is refused by the
        // reader before it gets here.
        Ok(Number::from_f64(v).map_or(Json::Null, Json::Number))
    }

    fn visit_str<E>(self, v: &str) -> Result<Json, E> {
        Ok(Json::String(v.to_owned()))
    }

    fn visit_string<E>(self, v: String) -> Result<Json, E> {
        Ok(Json::String(v))
    }

    fn visit_unit<E>(self) -> Result<Json, E> {
        Ok(Json::Null)
    }

    fn visit_none<E>(self) -> Result<Json, E> {
        Ok(Json::Null)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Json, A::Error> {
        let mut items = Vec::new();
        while let Some(item) = seq.next_element_seed(Strict { within: self.within, duplicate: self.duplicate })? {
            items.push(item);
        }
        Ok(Json::Array(items))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Json, A::Error> {
        let mut object = Map::new();
        while let Some(key) = map.next_key::<String>()? {
            if object.contains_key(&key) {
                let message = format!("duplicate key `{key}`");
                *self.duplicate.borrow_mut() = Some((key, self.within.map(str::to_owned)));
                return Err(A::Error::custom(message));
            }
            let value = map.next_value_seed(Strict { within: Some(&key), duplicate: self.duplicate })?;
            object.insert(key, value);
        }
        Ok(Json::Object(object))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_what_serde_json_reads_when_keys_are_distinct() {
        let line = r#"{"a":[1,-2,3.5,null,true,"x"],"b":{"c":{}},"d":18446744073709551615,"e":1e400}"#;
        let plain: Result<Json, _> = serde_json::from_str(line);
        match (read(line), plain) {
            (Ok(strict), Ok(plain)) => assert_eq!(strict, plain),
            (Err(JsonProblem::Syntax(a)), Err(b)) => assert_eq!(a.to_string(), b.to_string()),
            _ => panic!("the strict reader and serde_json disagree on {line}"),
        }
    }

    #[test]
    fn a_nested_duplicate_names_the_object_it_is_in() {
        match read(r#"{"fields":{"tier":"A","x":[{"k":1,"k":2}]}}"#) {
            Err(JsonProblem::Duplicate { key, within }) => {
                assert_eq!((key.as_str(), within.as_deref()), ("k", Some("x")))
            }
            _ => panic!("the duplicate was not found"),
        }
    }
}
