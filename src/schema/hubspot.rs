//! HubSpot: a properties listing (`GET /crm/v3/properties/{objectType}`) as a record.
//! Enumerations become enums, owner properties `User` references, references to HubSpot's
//! standard objects references to Play's standard records, and references to any other
//! object (a `SEQUENCE`) that object's id as text. HubSpot requires no property to have
//! a value, so every field is optional.

use std::path::Path;

use serde_json::Value;

use super::json::{self, Object};
use super::{names, Builder, Choice, Field, Options, Problems, Schema};

/// HubSpot's standard objects by type name and id, and the record each one is in Play.
const OBJECTS: &[(&str, &str, &str)] = &[
    ("contacts", "0-1", "Contact"),
    ("companies", "0-2", "Account"),
    ("deals", "0-3", "Opportunity"),
    ("tickets", "0-5", "Case"),
    ("tasks", "0-27", "Task"),
    ("leads", "0-136", "Lead"),
];

/// Words in a file name that say what the file is rather than which object it lists.
const NOT_OBJECT: &[&str] = &["hubspot", "hs", "crm", "v3", "properties", "property", "props", "schema", "json"];

/// The property every object has that holds the record's id, which a Play record does
/// not declare.
const ID_PROPERTY: &str = "hs_object_id";

/// The object type a file lists, from its name: `hubspot_contacts_properties.json` →
/// `contacts`. `None` if nothing is left once the usual words are removed.
pub fn object_from_file(path: &Path) -> Option<String> {
    let stem = path.file_stem()?.to_str()?.to_ascii_lowercase();
    let words: Vec<&str> =
        stem.split(|c: char| !c.is_ascii_alphanumeric()).filter(|w| !w.is_empty() && !NOT_OBJECT.contains(w)).collect();
    (!words.is_empty()).then(|| words.join("_"))
}

/// The record for an object type: the standard record for a standard object (`companies`
/// → `Account`), or else the singular in `PascalCase` (`line_items` → `LineItem`).
pub fn record_name(object_type: &str) -> String {
    let lower = object_type.to_ascii_lowercase();
    match standard_record(&lower) {
        Some(record) => record.to_string(),
        None => {
            let name = names::pascal_case(&singular(&lower));
            if name.is_empty() {
                "Imported".to_string()
            } else {
                name
            }
        }
    }
}

fn singular(plural: &str) -> String {
    if let Some(stem) = plural.strip_suffix("ies") {
        format!("{stem}y")
    } else if ["sses", "xes", "ches", "shes"].iter().any(|end| plural.ends_with(end)) {
        plural[..plural.len() - 2].to_string()
    } else if plural.ends_with('s') && !plural.ends_with("ss") {
        plural[..plural.len() - 1].to_string()
    } else {
        plural.to_string()
    }
}

/// The standard record for a standard object type (`companies` → `Account`).
fn standard_record(object_type: &str) -> Option<&'static str> {
    let lower = object_type.to_ascii_lowercase();
    OBJECTS.iter().find(|(plural, id, _)| *plural == lower || *id == lower || singular(plural) == lower).map(|o| o.2)
}

pub fn convert(document: &Value, object_type: &str, options: &Options) -> Result<Schema, Problems> {
    let properties = listing(document).map_err(|problem| vec![problem])?;
    let record = options.record_name.clone().unwrap_or_else(|| record_name(object_type));
    let docs = vec![format!("The HubSpot object `{object_type}`.")];
    let mut builder = Builder::new(record, docs);
    let problems: Problems = properties
        .iter()
        .enumerate()
        .filter_map(|(i, property)| self::property(&mut builder, object_type, i, property).err())
        .collect();
    if problems.is_empty() {
        Ok(builder.finish())
    } else {
        Err(problems)
    }
}

/// The properties, or why the document is not a listing. The v3 API wraps them in
/// `{"results": […]}`; older APIs return the bare array, which is accepted too.
fn listing(document: &Value) -> Result<&[Value], String> {
    match document {
        Value::Array(properties) => Ok(properties),
        Value::Object(object) => match object.get("results") {
            Some(Value::Array(properties)) => Ok(properties),
            _ if object.contains_key("fields") => Err(r#"expected a "results" array in a HubSpot properties listing; this looks like a Salesforce describe result (try `play schema import salesforce`)"#.to_string()),
            _ => Err(r#"expected a "results" array in a HubSpot properties listing"#.to_string()),
        },
        other => Err(format!("expected a JSON object (a HubSpot properties listing), found {}", json::kind(other))),
    }
}

/// Adds `results[i]` to the record, or says what is wrong with it.
fn property(builder: &mut Builder, object_type: &str, i: usize, value: &Value) -> Result<(), String> {
    let Value::Object(property) = value else {
        return Err(format!("results[{i}]: expected an object, found {}", json::kind(value)));
    };
    let api_name = json::string(property, "name", &format!("results[{i}]"))?;
    let at = format!("results[{i}] (`{api_name}`)");
    let kind = json::string(property, "type", &at)?;
    let field_type = json::optional_string(property, "fieldType", &at)?.unwrap_or("");
    let label = json::optional_string(property, "label", &at)?;
    let description = json::optional_string(property, "description", &at)?;
    let archived = json::optional_bool(property, "archived", &at)?.unwrap_or(false);
    if archived || api_name == ID_PROPERTY {
        return Ok(());
    }
    let mut docs: Vec<String> = label.into_iter().chain(description).map(str::to_string).collect();
    if json::optional_bool(property, "calculated", &at)? == Some(true) {
        docs.push("Calculated by HubSpot.".to_string());
    }
    let mut name = names::snake_case(api_name);
    let mut note = None;
    let referenced = json::optional_string(property, "referencedObjectType", &at)?.filter(|r| !r.is_empty());
    let ty = match (kind, referenced) {
        (_, Some(object)) => {
            name = reference_name(api_name);
            let record = if object.eq_ignore_ascii_case("owner") {
                Some("User".to_string())
            } else if object.eq_ignore_ascii_case(object_type) || record_name(object) == builder.record.name {
                Some(builder.record.name.clone())
            } else {
                standard_record(object).map(str::to_string)
            };
            match record {
                Some(record) => many(field_type, record),
                // An object Play has no record for (a `SEQUENCE`): its id, as text.
                None => {
                    name = format!("{}_id", name.strip_suffix("_id").unwrap_or(&name));
                    note = Some(format!("the id of a HubSpot `{object}`, an object not imported"));
                    many(field_type, "Text".to_string())
                }
            }
        }
        ("string", _) => {
            let hint = json::optional_string(property, "textDisplayHint", &at)?;
            if api_name == "email" || hint == Some("email") {
                "Email".to_string()
            } else {
                "Text".to_string()
            }
        }
        ("phone_number", _) => "Text".to_string(),
        ("number", _) => {
            let currency = json::optional_bool(property, "showCurrencySymbol", &at)? == Some(true)
                || json::optional_string(property, "numberDisplayHint", &at)? == Some("currency");
            if currency { "Money" } else { "Number" }.to_string()
        }
        ("date", _) => "Date".to_string(),
        ("datetime", _) => "DateTime".to_string(),
        ("bool", _) => "Bool".to_string(),
        ("enumeration", _) if field_type == "booleancheckbox" => "Bool".to_string(),
        ("enumeration", _) => {
            let enum_docs = vec![format!("Values of the property `{api_name}`.")];
            match builder.enumeration(&enum_stem(api_name, label), enum_docs, &choices(property, &at)?) {
                Some(e) => many(field_type, e),
                None => {
                    note = Some("an enumeration with no options, read as text".to_string());
                    "Text".to_string()
                }
            }
        }
        (other, _) => {
            note = Some(format!("the HubSpot type `{other}`, read as text"));
            "Text".to_string()
        }
    };
    builder.field(Field { name, docs, ty, optional: true, note });
    Ok(())
}

/// `List<T>` for a property that holds several values (`fieldType` `checkbox`).
fn many(field_type: &str, ty: String) -> String {
    if field_type == "checkbox" {
        format!("List<{ty}>")
    } else {
        ty
    }
}

/// A reference's field name: `hubspot_owner_id` → `owner`, `secondary_owner` stays.
fn reference_name(api_name: &str) -> String {
    let base = api_name.strip_prefix("hubspot_").unwrap_or(api_name);
    let base = base.strip_suffix("_id").filter(|b| !b.is_empty()).unwrap_or(base);
    names::snake_case(base)
}

/// What an enum is named after: the property's name without HubSpot's prefix, with the
/// label's words when the name runs them together (`lifecyclestage`, "Lifecycle Stage").
fn enum_stem(api_name: &str, label: Option<&str>) -> String {
    let base = api_name.strip_prefix("hs_").or(api_name.strip_prefix("hubspot_")).unwrap_or(api_name);
    match label {
        Some(label) if names::pascal_case(label).eq_ignore_ascii_case(base) => label.to_string(),
        _ => base.to_string(),
    }
}

/// An enumeration's options. Hidden ones are kept, marked, since records may hold them.
fn choices<'a>(property: &'a Object, at: &str) -> Result<Vec<Choice<'a>>, String> {
    let mut choices = Vec::new();
    for (i, option) in json::optional_array(property, "options", at)?.iter().enumerate() {
        let at = format!("{at}: options[{i}]");
        let Value::Object(option) = option else {
            return Err(format!("{at}: expected an object, found {}", json::kind(option)));
        };
        let value = json::string(option, "value", &at)?;
        let label = json::optional_string(option, "label", &at)?;
        let hidden = json::optional_bool(option, "hidden", &at)?.unwrap_or(false);
        choices.push(Choice { value, label, retired: hidden.then_some("Hidden in HubSpot.") });
    }
    Ok(choices)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_object_type_comes_from_the_file_name() {
        assert_eq!(object_from_file(Path::new("x/hubspot_contacts_properties.json")).as_deref(), Some("contacts"));
        assert_eq!(object_from_file(Path::new("line-items.json")).as_deref(), Some("line_items"));
        assert_eq!(object_from_file(Path::new("hubspot-properties.json")), None);
    }

    #[test]
    fn standard_objects_become_standard_records() {
        assert_eq!(record_name("companies"), "Account");
        assert_eq!(record_name("deal"), "Opportunity");
        assert_eq!(record_name("0-5"), "Case");
        assert_eq!(record_name("line_items"), "LineItem");
        assert_eq!(record_name("invoices"), "Invoice");
        assert_eq!(record_name("addresses"), "Address");
    }
}
