//! `play schema import`: a CRM's description of one object (a Salesforce describe result,
//! a HubSpot properties listing) turned into a Play `record` and its `enum`s.
//!
//! Each importer reads the JSON into a [`Schema`], plain data; [`Schema::to_source`]
//! writes it as Play source, which the command then runs through the formatter. Problems
//! with the input are collected as messages, every one of them, rather than stopping at
//! the first.

pub mod hubspot;
mod json;
pub mod names;
mod render;
pub mod salesforce;

use names::Unique;

/// One imported object: a record, and the enums its fields use.
#[derive(Debug)]
pub struct Schema {
    pub record: Record,
    pub enums: Vec<Enum>,
}

#[derive(Debug)]
pub struct Record {
    pub name: String,
    pub docs: Vec<String>,
    pub fields: Vec<Field>,
}

#[derive(Debug)]
pub struct Field {
    pub name: String,
    pub docs: Vec<String>,
    /// The Play type without the optional mark: `Text`, `List<AccountTags>`.
    pub ty: String,
    pub optional: bool,
    /// Said after the field, on its line: how the CRM's type was read.
    pub note: Option<String>,
}

#[derive(Debug)]
pub struct Enum {
    pub name: String,
    pub docs: Vec<String>,
    pub variants: Vec<Variant>,
}

#[derive(Debug)]
pub struct Variant {
    pub name: String,
    pub docs: Vec<String>,
    /// The CRM's own value when it is not the name (`Customer - Direct`), written
    /// `CustomerDirect = "Customer - Direct"` so that change lines may give either.
    pub value: Option<String>,
}

/// One picklist entry or enumeration option, as the CRM describes it.
pub struct Choice<'a> {
    pub value: &'a str,
    pub label: Option<&'a str>,
    /// Why the CRM no longer offers it (an inactive or hidden value), if it does not.
    pub retired: Option<&'static str>,
}

/// What the user asked for besides the file.
#[derive(Debug, Default)]
pub struct Options {
    /// `--name`: the record's name, instead of one derived from the object's.
    pub record_name: Option<String>,
}

/// Problems with the input, each a message in the house style (without the file name).
pub type Problems = Vec<String>;

/// The names given out so far in one import: fields in the record, and items (the record
/// and its enums) in the file.
pub struct Builder {
    pub record: Record,
    pub enums: Vec<Enum>,
    fields: Unique,
    items: Unique,
}

impl Builder {
    pub fn new(record_name: String, docs: Vec<String>) -> Builder {
        let mut items = Unique::new();
        let name = items.claim(record_name);
        Builder { record: Record { name, docs, fields: Vec::new() }, enums: Vec::new(), fields: Unique::new(), items }
    }

    /// Adds a field, renaming it if the record already has one of that name.
    pub fn field(&mut self, mut field: Field) {
        field.name = self.fields.claim(field.name);
        self.record.fields.push(field);
    }

    /// Adds an enum for a field's choices and returns its name: the record's name followed
    /// by `stem` (`Account` + `Industry`), unless `stem` already starts with the record's.
    /// Returns `None` when no choice yields a variant name, so that the caller can fall
    /// back to `Text`.
    pub fn enumeration(&mut self, stem: &str, docs: Vec<String>, choices: &[Choice]) -> Option<String> {
        let variants = variants(choices);
        if variants.is_empty() {
            return None;
        }
        let stem = names::pascal_case(stem);
        let base = if stem.starts_with(&self.record.name) { stem } else { format!("{}{stem}", self.record.name) };
        let name = self.items.claim(base);
        self.enums.push(Enum { name: name.clone(), docs, variants });
        Some(name)
    }

    pub fn finish(self) -> Schema {
        Schema { record: self.record, enums: self.enums }
    }
}

/// Variants named after the choices' values. A value written as one lower-case run
/// (`marketingqualifiedlead`) takes its words from its label when the label spells the
/// same letters (`Marketing Qualified Lead`); a value that is an internal id, or has no
/// letters or digits, is named after its label. A variant's doc comment gives the label
/// when the name does not already say it, the value when it is an id, and says when the
/// CRM retired the value. A variant whose name is not the CRM's value keeps the value
/// (`CustomerDirect = "Customer - Direct"`), so that change lines can give it as the CRM
/// sends it.
fn variants(choices: &[Choice]) -> Vec<Variant> {
    let mut unique = Unique::new();
    let mut out = Vec::new();
    for choice in choices {
        let label = choice.label.filter(|l| !l.trim().is_empty());
        let from_value = names::pascal_case(choice.value);
        let from_label = label.map(names::pascal_case).unwrap_or_default();
        let one_run = !choice.value.is_empty() && choice.value.chars().all(|c| c.is_ascii_lowercase());
        // A long number is an internal id (a HubSpot pipeline stage's `115237371`).
        let id = choice.value.len() >= 6 && choice.value.chars().all(|c| c.is_ascii_digit());
        let run_spelt = one_run && from_label.to_ascii_lowercase() == choice.value;
        let name = if (run_spelt || id || from_value.is_empty()) && !from_label.is_empty() {
            from_label.clone()
        } else {
            from_value.clone()
        };
        // Nothing usable in the value or the label (`—`, `?`): a placeholder.
        let name = if name.is_empty() { "Value".to_string() } else { name };
        let mut docs = Vec::new();
        if let Some(label) = label.filter(|_| from_label != name) {
            docs.push(label.to_string());
        }
        if let Some(why) = choice.retired {
            docs.push(why.to_string());
        }
        let name = unique.claim(name);
        let value = (choice.value != name).then(|| choice.value.to_string());
        out.push(Variant { name, docs, value });
    }
    // A value that is another variant's name would name two variants: the name wins.
    let names: Vec<String> = out.iter().map(|v| v.name.clone()).collect();
    let mut seen = std::collections::HashSet::new();
    for v in &mut out {
        if v.value.as_ref().is_some_and(|value| names.contains(value) || !seen.insert(value.clone())) {
            v.value = None;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn choice<'a>(value: &'a str, label: &'a str) -> Choice<'a> {
        Choice { value, label: Some(label), retired: None }
    }

    fn names(variants: &[Variant]) -> Vec<&str> {
        variants.iter().map(|v| v.name.as_str()).collect()
    }

    #[test]
    fn lower_case_runs_take_their_words_from_the_label() {
        let vs = variants(&[choice("marketingqualifiedlead", "Marketing Qualified Lead"), choice("other", "Other")]);
        assert_eq!(names(&vs), ["MarketingQualifiedLead", "Other"]);
        assert!(vs[0].docs.is_empty());
    }

    #[test]
    fn variants_are_deduplicated_and_never_empty() {
        let vs = variants(&[choice("Yes", "Yes"), choice("YES", "Yes!"), choice("—", "")]);
        assert_eq!(names(&vs), ["Yes", "Yes2", "Value"]);
    }

    #[test]
    fn internal_ids_are_named_after_their_label() {
        let vs = variants(&[choice("115237371", "Renewal negotiation"), choice("5", "Five")]);
        assert_eq!(names(&vs), ["RenewalNegotiation", "V5"]);
        assert_eq!(vs[0].value.as_deref(), Some("115237371"));
    }

    #[test]
    fn values_that_are_not_names_are_kept_beside_the_variant() {
        let vs = variants(&[choice("Customer - Direct", "Customer - Direct"), choice("Prospect", "Prospect")]);
        assert_eq!(names(&vs), ["CustomerDirect", "Prospect"]);
        assert_eq!(vs[0].value.as_deref(), Some("Customer - Direct"));
        assert_eq!(vs[1].value, None);
    }

    #[test]
    fn a_value_that_is_another_variants_name_is_not_kept() {
        let vs = variants(&[choice("Yes", "Yes"), choice("YES", "Yes"), choice("Yes2", "Yes 2")]);
        assert_eq!(names(&vs), ["Yes", "Yes2", "Yes22"]);
        assert_eq!(vs[1].value.as_deref(), Some("YES"));
        assert_eq!(vs[2].value, None);
    }

    #[test]
    fn a_label_that_says_more_than_the_value_becomes_a_doc_comment() {
        let vs = variants(&[choice("NEW", "New lead"), choice("A", "Option A")]);
        assert_eq!(vs[0].docs, ["New lead"]);
        assert_eq!(vs[1].docs, ["Option A"]);
    }
}
