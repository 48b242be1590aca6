//! A pulled CRM record as an `upsert` change line, through the project's own record: CRM
//! field names to the record's fields, named the way `play schema import` names them
//! (`NumberOfEmployees` → `number_of_employees`, a lookup `OwnerId` → `owner`); values
//! read by the field's type (HubSpot sends numbers and booleans as text, Salesforce a
//! multi-select picklist as `a;b`); picklist values to the enum's variant (by its name, or
//! the CRM value it was imported with). What cannot be read is passed on as it is, so the
//! daemon's ingest refuses the line naming the field, as it would refuse any change line.

use play_compiler::crm_names::{snake_case, strip_salesforce};
use play_compiler::program::{RecordDef, Schema, Ty};
use serde_json::{json, Map, Value};

use super::pull::{rfc3339, Pulled};

/// Which CRM field feeds which field of the record.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct FieldMap {
    /// `(CRM name, Play name)`.
    pub pairs: Vec<(String, String)>,
}

impl FieldMap {
    /// The CRM fields (of `names`) that are fields of `record`. A teammate (`User`) is
    /// keyed by address in Play, so a Salesforce user lookup (`OwnerId`) is read as the
    /// user's `Email` through its relationship (`Owner.Email`), and HubSpot's
    /// `hubspot_owner_id` feeds `owner` (read as the owner's address first); other user
    /// fields are left out.
    pub fn new(schema: &Schema, record: &RecordDef, names: &[String]) -> FieldMap {
        let mut pairs = Vec::new();
        let is_user =
            |ty: &Ty| matches!(plain(ty), Ty::Record(r) if schema.records.get(*r).is_some_and(|r| r.name == "User"));
        for crm in names {
            // HubSpot's owner: an owner id, read as the owner's address before mapping
            // (`removed::Owners`), into the record's `owner`.
            if crm == "hubspot_owner_id" {
                let owner = record.fields.iter().find(|f| f.name == "owner" && is_user(&f.ty));
                if let Some(f) = owner.filter(|f| !pairs.iter().any(|(_, p): &(String, String)| *p == f.name)) {
                    pairs.push((crm.clone(), f.name.clone()));
                }
                continue;
            }
            let Some(field) = candidates(crm).into_iter().find_map(|c| record.fields.iter().find(|f| f.name == c))
            else {
                continue;
            };
            if pairs.iter().any(|(_, p): &(String, String)| *p == field.name) {
                continue;
            }
            let user =
                matches!(plain(&field.ty), Ty::Record(r) if schema.records.get(*r).is_some_and(|r| r.name == "User"));
            if !user {
                pairs.push((crm.clone(), field.name.clone()));
            } else if let Some(relationship) = relationship(crm) {
                // A Salesforce user lookup: the user's address, through the relationship.
                pairs.push((format!("{relationship}.Email"), field.name.clone()));
            }
        }
        FieldMap { pairs }
    }

    /// The CRM names, to ask for.
    pub fn crm_names(&self) -> Vec<String> {
        self.pairs.iter().map(|(c, _)| c.clone()).collect()
    }
}

/// The relationship of a Salesforce lookup: `OwnerId` → `Owner`, `CSM__c` → `CSM__r`.
fn relationship(crm: &str) -> Option<String> {
    if let Some(base) = crm.strip_suffix("__c") {
        return Some(format!("{base}__r"));
    }
    crm.strip_suffix("Id").filter(|b| !b.is_empty()).map(String::from)
}

/// A value by its CRM name; `Owner.Email` reaches into the related record.
fn lookup<'a>(fields: &'a Map<String, Value>, name: &str) -> Option<&'a Value> {
    let mut parts = name.split('.');
    let mut value = fields.get(parts.next()?)?;
    for part in parts {
        value = match value {
            Value::Null => return Some(value),
            v => v.get(part)?,
        };
    }
    Some(value)
}

/// The Play names a CRM field may have been imported as.
fn candidates(crm: &str) -> Vec<String> {
    let stripped = strip_salesforce(crm);
    let mut names = vec![snake_case(&stripped)];
    if let Some(base) = stripped.strip_suffix("Id").filter(|b| !b.is_empty()) {
        names.push(snake_case(base));
    }
    names
}

/// `T` of `T?`.
fn plain(ty: &Ty) -> &Ty {
    match ty {
        Ty::Optional(t) => plain(t),
        t => t,
    }
}

/// The change id of a pulled version of a record: the same version pulled again is the
/// same change, taken once.
pub fn change_id(connector: &str, object: &str, pulled: &Pulled) -> String {
    format!("{connector}:{object}:{}:{}", pulled.id, pulled.millis)
}

/// The `upsert` line for a pulled record.
pub fn change_line(
    schema: &Schema,
    record: &RecordDef,
    map: &FieldMap,
    connector: &str,
    object: &str,
    pulled: &Pulled,
) -> String {
    let mut fields = Map::new();
    for (crm, play) in &map.pairs {
        let Some(value) = lookup(&pulled.fields, crm) else { continue };
        let Some(field) = record.fields.iter().find(|f| f.name == *play) else { continue };
        fields.insert(play.clone(), value_for(schema, &field.ty, value));
    }
    json!({
        "at": chrono::DateTime::from_timestamp_millis(pulled.millis)
            .unwrap_or_default()
            .to_rfc3339_opts(chrono::SecondsFormat::Millis, true),
        "change": "upsert",
        "change_id": change_id(connector, object, pulled),
        "record": record.name,
        "id": pulled.id,
        "fields": fields,
    })
    .to_string()
}

/// A CRM value as the change line gives a value of type `ty`.
fn value_for(schema: &Schema, ty: &Ty, value: &Value) -> Value {
    let text = value.as_str();
    match (ty, text) {
        (Ty::Optional(_), _) if value.is_null() || text == Some("") => Value::Null,
        (Ty::Optional(t), _) => value_for(schema, t, value),
        (Ty::List(t), Some(text)) => {
            let items = text.split(';').filter(|s| !s.is_empty());
            Value::Array(items.map(|s| value_for(schema, t, &Value::String(s.to_string()))).collect())
        }
        (Ty::List(t), None) => match value {
            Value::Array(items) => Value::Array(items.iter().map(|v| value_for(schema, t, v)).collect()),
            Value::Null => json!([]),
            other => other.clone(),
        },
        (Ty::Number | Ty::Money, Some(text)) => {
            text.trim().parse::<f64>().ok().and_then(serde_json::Number::from_f64).map_or(value.clone(), Value::Number)
        }
        (Ty::Int, Some(text)) => text.trim().parse::<i64>().map_or(value.clone(), Value::from),
        (Ty::Bool, Some("true")) => Value::Bool(true),
        (Ty::Bool, Some("false")) => Value::Bool(false),
        (Ty::DateTime, Some(text)) => match super::pull::millis_of(text) {
            Some(_) if text.parse::<i64>().is_err() => Value::String(rfc3339(text)),
            Some(millis) => chrono::DateTime::from_timestamp_millis(millis)
                .map_or(value.clone(), |m| Value::String(m.to_rfc3339_opts(chrono::SecondsFormat::Millis, true))),
            None => value.clone(),
        },
        (Ty::Enum(e), Some(text)) => match schema.enums.get(*e) {
            Some(def) => def.variant_for(text).map_or(value.clone(), |v| Value::String(def.variants[v].clone())),
            None => value.clone(),
        },
        _ => value.clone(),
    }
}
