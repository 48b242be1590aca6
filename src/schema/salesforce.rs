//! Salesforce: the sObject Describe result (`GET /services/data/vXX.X/sobjects/{Object}/describe`)
//! as a record. Picklists become enums, lookups become references, nillable fields optional.

use serde_json::Value;

use super::json::{self, Object};
use super::{names, Builder, Choice, Field, Options, Problems, Schema};

/// The records of the standard library: a polymorphic lookup (`OwnerId` → `Group` or
/// `User`) refers to the first of its targets that is one of these (or the object
/// imported). A lookup with no such target (`RecordTypeId`, `CampaignId`) keeps the id of
/// what it refers to as text, with a comment naming the object, so that the file checks
/// on its own.
const STANDARD: &[&str] = &["User", "Account", "Contact", "Lead", "Opportunity", "Case", "Task"];

pub fn convert(document: &Value, options: &Options) -> Result<Schema, Problems> {
    let object = describe_result(document).map_err(|problem| vec![problem])?;
    let Some(Value::Array(fields)) = object.get("fields") else {
        return Err(vec![r#"expected a "fields" array in a Salesforce describe result"#.to_string()]);
    };
    let at = "the describe result";
    let api_name = json::optional_string(object, "name", at).map_err(|problem| vec![problem])?;
    let label = json::optional_string(object, "label", at).map_err(|problem| vec![problem])?;
    let record_name = match (&options.record_name, api_name) {
        (Some(name), _) => name.clone(),
        (None, Some(name)) => record_name(name),
        (None, None) => {
            let problem = r#"expected a "name" string (the object's API name) in a Salesforce describe result, or a record name given with `--name`"#;
            return Err(vec![problem.to_string()]);
        }
    };
    let docs = match (label, api_name) {
        (Some(label), Some(api)) => vec![format!("{label} (the Salesforce object `{api}`).")],
        (None, Some(api)) => vec![format!("The Salesforce object `{api}`.")],
        (Some(label), None) => vec![label.to_string()],
        (None, None) => Vec::new(),
    };
    let mut import = Import { builder: Builder::new(record_name, docs), api_name };
    let problems: Problems = fields.iter().enumerate().filter_map(|(i, field)| import.field(i, field).err()).collect();
    if problems.is_empty() {
        Ok(import.builder.finish())
    } else {
        Err(problems)
    }
}

/// The top-level object, or why the document is not a describe result.
fn describe_result(document: &Value) -> Result<&Object, String> {
    let Value::Object(object) = document else {
        return Err(format!("expected a JSON object (a Salesforce describe result), found {}", json::kind(document)));
    };
    // `sf … --json` wraps the describe result in `{"status": 0, "result": {…}}`.
    if let (false, Some(Value::Object(inner))) = (object.contains_key("fields"), object.get("result")) {
        if inner.contains_key("fields") {
            return Ok(inner);
        }
    }
    if object.contains_key("sobjects") && !object.contains_key("fields") {
        return Err("this lists objects (a describeGlobal result); import one object's describe result instead: \
                    GET /services/data/vXX.X/sobjects/Account/describe"
            .to_string());
    }
    if object.contains_key("results") && !object.contains_key("fields") {
        return Err(r#"expected a "fields" array in a Salesforce describe result; this looks like a HubSpot properties listing (try `play schema import hubspot`)"#.to_string());
    }
    Ok(object)
}

/// A record's name for an object's API name: `Account`, `acme__Renewal_Forecast__c` →
/// `RenewalForecast`.
fn record_name(api_name: &str) -> String {
    let name = names::pascal_case(&names::strip_salesforce(api_name));
    if name.is_empty() {
        "Imported".to_string()
    } else {
        name
    }
}

struct Import<'a> {
    builder: Builder,
    /// The imported object's API name: a lookup to it refers to the imported record.
    api_name: Option<&'a str>,
}

impl Import<'_> {
    /// Adds `fields[i]` to the record, or says what is wrong with it.
    fn field(&mut self, i: usize, value: &Value) -> Result<(), String> {
        let Value::Object(field) = value else {
            return Err(format!("fields[{i}]: expected an object, found {}", json::kind(value)));
        };
        let api_name = json::string(field, "name", &format!("fields[{i}]"))?;
        let at = format!("fields[{i}] (`{api_name}`)");
        let kind = json::string(field, "type", &at)?;
        // Compound fields repeat their components, which are listed as fields of their own.
        let skipped = matches!(kind, "id" | "address" | "location");
        if skipped || json::optional_bool(field, "deprecatedAndHidden", &at)? == Some(true) {
            return Ok(());
        }
        let label = json::optional_string(field, "label", &at)?;
        let help = json::optional_string(field, "inlineHelpText", &at)?;
        let mut optional = json::optional_bool(field, "nillable", &at)?.unwrap_or(true);
        let docs: Vec<String> = label.into_iter().chain(help).map(str::to_string).collect();
        let mut name = names::snake_case(&names::strip_salesforce(api_name));
        let mut note = None;
        let ty = match kind {
            "string" | "textarea" | "phone" | "encryptedstring" | "combobox" => "Text".to_string(),
            "email" => "Email".to_string(),
            "url" => "Url".to_string(),
            "boolean" => "Bool".to_string(),
            "int" | "long" => "Int".to_string(),
            "double" => "Number".to_string(),
            "percent" => {
                note = Some("a Salesforce percent: 40 means 40%".to_string());
                "Number".to_string()
            }
            "currency" => "Money".to_string(),
            "date" => "Date".to_string(),
            "datetime" => "DateTime".to_string(),
            "picklist" | "multipicklist" => {
                let what = if kind == "picklist" { "picklist" } else { "multi-select picklist" };
                let object = self.api_name.unwrap_or("the object");
                let enum_docs = vec![format!("Values of the {what} `{api_name}` on `{object}`.")];
                let stem = names::strip_salesforce(api_name);
                match self.builder.enumeration(&stem, enum_docs, &choices(field, &at)?) {
                    Some(e) if kind == "multipicklist" => format!("List<{e}>"),
                    Some(e) => e,
                    None => {
                        note = Some(format!("a {what} with no values, read as text"));
                        "Text".to_string()
                    }
                }
            }
            "reference" => {
                let targets = json::strings(field, "referenceTo", &at)?;
                let relationship = json::optional_string(field, "relationshipName", &at)?;
                name = reference_name(api_name, relationship);
                match self.reference(&targets) {
                    Some(Target::Record { record, itself, others }) => {
                        note = others;
                        // A record that must refer to another of its kind could never
                        // have a first one.
                        if itself && !optional {
                            optional = true;
                            note =
                                Some("required in Salesforce; optional here, or no first record could be made".into());
                        }
                        record
                    }
                    Some(Target::NotImported(api)) => {
                        name = format!("{name}_id");
                        note = Some(format!("the id of a Salesforce `{api}`, an object not imported"));
                        "Text".to_string()
                    }
                    None => {
                        note = Some("a lookup with no target, read as text".to_string());
                        "Text".to_string()
                    }
                }
            }
            other => {
                note = Some(format!("the Salesforce type `{other}`, read as text"));
                "Text".to_string()
            }
        };
        self.builder.field(Field { name, docs, ty, optional, note });
        Ok(())
    }

    /// What a lookup refers to: a record Play knows (a standard one, or the one being
    /// imported), with a note naming its other targets; or, when it has none of those,
    /// an object that is not imported, whose id is kept as text.
    fn reference<'t>(&self, targets: &[&'t str]) -> Option<Target<'t>> {
        let known = |t: &&str| STANDARD.contains(t) || Some(*t) == self.api_name;
        let Some(chosen) = targets.iter().find(|t| known(t)).copied() else {
            return targets.first().map(|t| Target::NotImported(t));
        };
        let record = |api: &str| {
            if Some(api) == self.api_name {
                self.builder.record.name.clone()
            } else {
                record_name(api)
            }
        };
        let others: Vec<String> = targets.iter().filter(|t| **t != chosen).map(|t| record(t)).collect();
        let others = (!others.is_empty()).then(|| format!("also: {}", others.join(", ")));
        Some(Target::Record { record: record(chosen), itself: Some(chosen) == self.api_name, others })
    }
}

/// What a lookup refers to.
enum Target<'t> {
    /// A record of the project: a standard one, or the one imported (`itself`).
    Record { record: String, itself: bool, others: Option<String> },
    /// An object that is neither, by its API name: its id is kept as text.
    NotImported(&'t str),
}

/// A lookup's field name, from its relationship (`Owner`, `CSM__r`), or else from its own
/// name without `Id` (`OwnerId`).
fn reference_name(api_name: &str, relationship: Option<&str>) -> String {
    match relationship {
        Some(relationship) if !relationship.is_empty() => names::snake_case(&names::strip_salesforce(relationship)),
        _ => {
            let base = names::strip_salesforce(api_name);
            let base = base.strip_suffix("Id").filter(|b| !b.is_empty()).unwrap_or(&base);
            names::snake_case(base)
        }
    }
}

/// A picklist's values. Inactive ones are kept, marked, since old records still hold them.
fn choices<'a>(field: &'a Object, at: &str) -> Result<Vec<Choice<'a>>, String> {
    let mut choices = Vec::new();
    for (i, entry) in json::optional_array(field, "picklistValues", at)?.iter().enumerate() {
        let at = format!("{at}: picklistValues[{i}]");
        let Value::Object(entry) = entry else {
            return Err(format!("{at}: expected an object, found {}", json::kind(entry)));
        };
        let value = json::string(entry, "value", &at)?;
        let label = json::optional_string(entry, "label", &at)?;
        let active = json::optional_bool(entry, "active", &at)?.unwrap_or(true);
        choices.push(Choice { value, label, retired: (!active).then_some("Inactive in Salesforce.") });
    }
    Ok(choices)
}
