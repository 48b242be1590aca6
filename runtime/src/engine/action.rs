//! Actions out: what a person sees in the queue and what `play replay` prints, with the
//! context that produced them (INTERFACES.md "Actions out").

use std::sync::Arc;

use serde::{Serialize, Serializer};

use play_compiler::program::{ActionKind, Category};

/// One produced action. Its texts are shared (`Arc<str>`): a text the code gives is
/// the value's own, with no copy for the action, and the snapshots, queue and deliveries
/// that hold the action share it too.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Action {
    #[serde(serialize_with = "moment")]
    pub at: i64,
    /// Stable for the same playbook, version, record, run and step.
    pub id: String,
    /// Shared with the run's (no copy per action).
    pub playbook: Arc<str>,
    pub version: Arc<str>,
    /// Shared with the program's.
    pub step: Arc<str>,
    #[serde(serialize_with = "kind")]
    pub action: ActionKind,
    /// `Account/acme`, shared with the change's history entries.
    pub record: Arc<str>,
    pub priority: f64,
    #[serde(skip_serializing_if = "Option::is_none", serialize_with = "category")]
    pub category: Option<Category>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub title: Option<Arc<str>>,
    /// The recipient, assignee or channel, as text (a teammate's or contact's address,
    /// a channel, a record id).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub to: Option<Arc<str>>,
    /// The record a recipient is (`Contact/vic`), when it is one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub to_record: Option<Arc<str>>,
    #[serde(skip_serializing_if = "Option::is_none", serialize_with = "opt_moment")]
    pub due: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<Arc<str>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub message: Option<Arc<str>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub template: Option<Arc<str>>,
    /// A template's rendered parts (`subject`, `body`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub subject: Option<Arc<str>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub body: Option<Arc<str>>,
    /// An email's HTML part: the template's body (or a `notify email` message) with
    /// every interpolated value HTML-escaped, the text written in the source as it is.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub html: Option<Arc<str>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub flow: Option<Arc<str>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub about: Option<Arc<str>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub url: Option<Arc<str>>,
    /// The record `assign` or `update` writes to.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub target: Option<Arc<str>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub field: Option<Arc<str>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fields: Option<super::json::Fields>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub creates: Option<Arc<str>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub activity: Option<Arc<str>>,
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub optional: bool,
    /// Shared by the actions of one run's trigger (made once per run, not per action).
    pub context: Arc<Context>,
    /// The run that produced it.
    #[serde(skip)]
    pub run: u64,
    #[serde(skip)]
    pub seq: u64,
}

/// What produced an action. Its parts are shared: the trigger's source with the program's,
/// what changed with the other runs the same change started, the conditions with the run's.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct Context {
    pub trigger: Arc<str>,
    #[serde(skip_serializing_if = "super::json::Changed::is_empty")]
    pub changed: super::json::Changed,
    pub conditions: Arc<[super::history::Condition]>,
}

impl Action {
    /// The action as one JSON line.
    pub fn to_json_line(&self) -> String {
        serde_json::to_string(self).unwrap_or_default()
    }
}

pub(crate) fn moment<S: Serializer>(at: &i64, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(&crate::value::moment_text(*at))
}

fn opt_moment<S: Serializer>(at: &Option<i64>, s: S) -> Result<S::Ok, S::Error> {
    match at {
        Some(t) => moment(t, s),
        None => s.serialize_none(),
    }
}

fn kind<S: Serializer>(k: &ActionKind, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(k.name())
}

fn category<S: Serializer>(c: &Option<Category>, s: S) -> Result<S::Ok, S::Error> {
    match c {
        Some(c) => s.serialize_str(&format!("{c:?}").to_lowercase()),
        None => s.serialize_none(),
    }
}
