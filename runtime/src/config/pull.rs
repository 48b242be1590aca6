//! Pulling changes from a CRM, in `[crm.salesforce]` and `[crm.hubspot]`: how often
//! (`pull_every`, 12 hours by default), which objects (`objects`), and which fields are
//! never written back (`unsynced`, `Record.field`).

use super::kind;
use super::sinks::SinkProblem;

/// Pulling changes from a CRM, and what is never written back to it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PullConfig {
    /// Seconds between two pulls: `pull_every`, 12 hours by default.
    pub every: u64,
    /// The CRM objects pulled (`Account`, or HubSpot's `companies`); by default the
    /// accounts only.
    pub objects: Vec<String>,
    /// `Record.field`s never written back to the CRM.
    pub unsynced: Vec<String>,
}

/// 12 hours.
pub const DEFAULT_PULL_EVERY: u64 = 12 * 3600;

/// HubSpot's objects that can be pulled, and the record each one is in Play.
pub const HUBSPOT_OBJECTS: [(&str, &str); 4] =
    [("companies", "Account"), ("contacts", "Contact"), ("deals", "Opportunity"), ("tickets", "Case")];

impl PullConfig {
    /// The settings read (`pull_every`, `objects`, `unsynced`), with the defaults.
    pub(super) fn new(
        every: Option<&str>,
        objects: Option<Vec<String>>,
        unsynced: Option<Vec<String>>,
        default_object: &str,
    ) -> PullConfig {
        PullConfig {
            every: every.and_then(seconds).unwrap_or(DEFAULT_PULL_EVERY),
            objects: objects.unwrap_or_else(|| vec![default_object.to_string()]),
            unsynced: unsynced.unwrap_or_default(),
        }
    }

    /// Whether `field` of `record` is never written back.
    pub fn is_unsynced(&self, record: &str, field: &str) -> bool {
        self.unsynced.iter().any(|u| u.split_once('.') == Some((record, field)))
    }
}

/// `30m`, `12h`, `1d` in seconds; `None` for anything else or less than a minute.
pub fn seconds(text: &str) -> Option<u64> {
    let text = text.trim();
    let unit = text.chars().last()?;
    let amount: u64 = text[..text.len() - unit.len_utf8()].trim().parse().ok()?;
    let scale = match unit {
        'm' => 60,
        'h' => 3600,
        'd' => 86_400,
        _ => return None,
    };
    Some(amount.checked_mul(scale)?).filter(|s| *s >= 60)
}

/// `objects = [...]` or `unsynced = [...]`: a list of text, each entry checked.
pub(super) fn list_of(name: &str, key: &'static str, item: &toml_edit::Item) -> Result<Vec<String>, SinkProblem> {
    let expected = match (key, name) {
        ("unsynced", _) => "a list of `Record.field`, like `[\"Account.health_score\"]`",
        (_, "salesforce") => "a list of Salesforce objects, like `[\"Account\", \"Contact\"]`",
        _ => "a list of HubSpot objects: `companies`, `contacts`, `deals`, `tickets`",
    };
    let bad = |found: String| SinkProblem::BadValue { key, found, expected };
    let Some(array) = item.as_array() else { return Err(bad(kind(item).to_string())) };
    let mut list = Vec::new();
    for value in array.iter() {
        let Some(text) = value.as_str() else { return Err(bad(format!("a list holding {}", value.type_name()))) };
        let ident = |t: &str| {
            t.chars().next().is_some_and(|c| c.is_ascii_alphabetic())
                && t.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
        };
        let good = match (key, name) {
            ("unsynced", _) => text.split_once('.').is_some_and(|(r, f)| ident(r) && ident(f)),
            (_, "salesforce") => ident(text),
            _ => HUBSPOT_OBJECTS.iter().any(|(o, _)| *o == text),
        };
        if !good {
            return Err(bad(format!("`{text}`")));
        }
        list.push(text.to_string());
    }
    Ok(list)
}
