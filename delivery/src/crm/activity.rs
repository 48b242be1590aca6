//! Activity sync: completed work logged to the CRM record it was for. A completed task,
//! an email sent or a call logged becomes a Salesforce `Task` (`Status` `Completed`,
//! `TaskSubtype` `Task`, `Email` or `Call`; `WhatId` for an Account, Opportunity or Case,
//! `WhoId` for a Contact or Lead) or a HubSpot engagement (`tasks`, `emails` or `calls`,
//! associated with the company, contact, deal or ticket). The playbook's name and step go
//! in the description; an ad hoc task (made outside any playbook) leaves them blank.

use play_runtime::value::moment_text;
use serde_json::{json, Map, Value};

use super::hubspot::{Association, HubSpot};
use super::salesforce::Salesforce;
use crate::Outcome;

/// What was done.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Done {
    Task,
    Email,
    Call,
}

/// One piece of completed work, for one record.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Activity {
    pub done: Done,
    /// `Account`, `Contact`, `Lead`, `Opportunity` or `Case`.
    pub record_type: String,
    /// The record's id in the CRM.
    pub record_id: String,
    /// Blank for an ad hoc task.
    pub playbook: Option<String>,
    pub step: Option<String>,
    pub subject: String,
    /// The note, the email's text, what was said on the call.
    pub body: String,
    /// When it was done (seconds since 1970 UTC).
    pub at: i64,
    /// Who did it.
    pub teammate: Option<String>,
}

/// The record types an activity can be logged to.
pub const RECORD_TYPES: [&str; 5] = ["Account", "Contact", "Lead", "Opportunity", "Case"];

impl Activity {
    /// The description: the body, then where it came from.
    fn description(&self) -> String {
        let mut lines = vec![self.body.trim().to_string()];
        lines.push(format!(
            "Playbook: {}\nStep: {}",
            self.playbook.as_deref().unwrap_or(""),
            self.step.as_deref().unwrap_or("")
        ));
        if let Some(who) = &self.teammate {
            lines.push(format!("Done by: {who}"));
        }
        lines.retain(|l| !l.is_empty());
        lines.join("\n\n")
    }

    /// The Salesforce `Task` fields.
    pub fn salesforce_fields(&self) -> Result<Map<String, Value>, String> {
        let link = match self.record_type.as_str() {
            "Account" | "Opportunity" | "Case" => "WhatId",
            "Contact" | "Lead" => "WhoId",
            other => return Err(unknown_type(other)),
        };
        let subtype = match self.done {
            Done::Task => "Task",
            Done::Email => "Email",
            Done::Call => "Call",
        };
        let date: String = moment_text(self.at).chars().take(10).collect();
        let fields = json!({
            "Subject": self.subject,
            "Description": self.description(),
            "Status": "Completed",
            "TaskSubtype": subtype,
            "ActivityDate": date,
            link: self.record_id,
        });
        Ok(fields.as_object().cloned().unwrap_or_default())
    }

    /// The HubSpot object type, its properties, and its association with the record.
    pub fn hubspot_object(&self) -> Result<(&'static str, Map<String, Value>, Association), String> {
        // HUBSPOT_DEFINED association type ids, engagement to company, contact, deal, ticket.
        let (company, contact, deal, ticket, object) = match self.done {
            Done::Task => (192, 204, 216, 230, "tasks"),
            Done::Email => (186, 198, 210, 224, "emails"),
            Done::Call => (182, 194, 206, 220, "calls"),
        };
        let type_id = match self.record_type.as_str() {
            "Account" => company,
            "Contact" | "Lead" => contact,
            "Opportunity" => deal,
            "Case" => ticket,
            other => return Err(unknown_type(other)),
        };
        let at = moment_text(self.at);
        let properties = match self.done {
            Done::Task => json!({ "hs_timestamp": at, "hs_task_subject": self.subject,
                                  "hs_task_body": self.description(), "hs_task_status": "COMPLETED" }),
            Done::Email => json!({ "hs_timestamp": at, "hs_email_subject": self.subject,
                                   "hs_email_text": self.description(), "hs_email_direction": "EMAIL" }),
            Done::Call => json!({ "hs_timestamp": at, "hs_call_title": self.subject,
                                  "hs_call_body": self.description(), "hs_call_status": "COMPLETED" }),
        };
        let properties = properties.as_object().cloned().unwrap_or_default();
        Ok((object, properties, Association { type_id, id: self.record_id.clone() }))
    }
}

fn unknown_type(record_type: &str) -> String {
    format!("an activity is logged to an Account, Contact, Lead, Opportunity or Case, not a `{record_type}`")
}

/// A logged call's particulars, written beside its activity's fields.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Call {
    pub duration_seconds: Option<u64>,
    pub inbound: bool,
    /// What came of it (`connected`, `left voicemail`, …), as the dialer says it.
    pub outcome: Option<String>,
}

impl Call {
    /// Salesforce's call fields of a `Task`: `CallType`, `CallDurationInSeconds`,
    /// `CallDisposition`.
    pub fn salesforce_fields(&self) -> Map<String, Value> {
        let mut fields = Map::new();
        fields.insert("CallType".into(), if self.inbound { "Inbound" } else { "Outbound" }.into());
        if let Some(d) = self.duration_seconds {
            fields.insert("CallDurationInSeconds".into(), d.into());
        }
        if let Some(o) = &self.outcome {
            fields.insert("CallDisposition".into(), o.clone().into());
        }
        fields
    }

    /// HubSpot's call properties: `hs_call_direction`, `hs_call_duration` (milliseconds).
    /// Its `hs_call_disposition` takes an outcome's id from the portal, not words, so the
    /// outcome goes in the body instead.
    pub fn hubspot_properties(&self) -> Map<String, Value> {
        let mut properties = Map::new();
        properties.insert("hs_call_direction".into(), if self.inbound { "INBOUND" } else { "OUTBOUND" }.into());
        if let Some(d) = self.duration_seconds {
            properties.insert("hs_call_duration".into(), (d * 1000).to_string().into());
        }
        properties
    }
}

/// Logs an activity to Salesforce, as an upsert by `external` (the field holding the
/// action's id) when one is configured, so a repeated attempt makes no second task. A
/// record Salesforce does not know (`INVALID_CROSS_REFERENCE_KEY`, `MALFORMED_ID`, an id
/// of the wrong type) or of a type that takes no activity makes the activity an orphan.
pub fn to_salesforce(sf: &Salesforce, activity: &Activity, external: Option<&str>, key: &str) -> Outcome {
    to_salesforce_with(sf, activity, &Map::new(), external, key)
}

/// Logs an activity to Salesforce with `extra` fields (a call's) beside its own.
pub fn to_salesforce_with(
    sf: &Salesforce,
    activity: &Activity,
    extra: &Map<String, Value>,
    external: Option<&str>,
    key: &str,
) -> Outcome {
    if activity.record_id.trim().is_empty() {
        return no_crm_id(activity);
    }
    match activity.salesforce_fields() {
        Ok(mut fields) => {
            fields.extend(extra.clone());
            match sf.create("Task", &fields, external.filter(|f| !f.is_empty()).map(|f| (f, key)), key) {
                Outcome::Failed { code, message } if salesforce_unknown_record(&code, &message) => {
                    Outcome::Orphan { code, message }
                }
                other => other,
            }
        }
        Err(message) => Outcome::Orphan { code: "unknown record type".into(), message },
    }
}

/// Logs an activity to HubSpot. A record HubSpot does not know (a 404, or an association
/// to an object it cannot find) makes the activity an orphan.
pub fn to_hubspot(hs: &HubSpot, activity: &Activity, key: &str) -> Outcome {
    to_hubspot_with(hs, activity, &Map::new(), key)
}

/// Logs an activity to HubSpot with `extra` properties (a call's) beside its own.
pub fn to_hubspot_with(hs: &HubSpot, activity: &Activity, extra: &Map<String, Value>, key: &str) -> Outcome {
    if activity.record_id.trim().is_empty() {
        return no_crm_id(activity);
    }
    match activity.hubspot_object() {
        Ok((object, mut properties, with)) => {
            properties.extend(extra.clone());
            match hs.create(object, &properties, &[with], key) {
                Outcome::Failed { code, message } if code.starts_with("404") || mentions_not_found(&message) => {
                    Outcome::Orphan { code, message }
                }
                other => other,
            }
        }
        Err(message) => Outcome::Orphan { code: "unknown record type".into(), message },
    }
}

fn no_crm_id(activity: &Activity) -> Outcome {
    Outcome::Orphan {
        code: "no record".into(),
        message: format!("no CRM id is known for the {} this activity is for", activity.record_type),
    }
}

/// Salesforce's answers for a `WhatId` or `WhoId` it cannot match to a record.
fn salesforce_unknown_record(code: &str, message: &str) -> bool {
    let error = code.split_once(' ').map_or("", |(_, e)| e);
    matches!(error, "INVALID_CROSS_REFERENCE_KEY" | "MALFORMED_ID" | "ENTITY_IS_DELETED")
        || (error == "FIELD_INTEGRITY_EXCEPTION" && message.contains("id value of incorrect type"))
}

fn mentions_not_found(message: &str) -> bool {
    let m = message.to_lowercase();
    m.contains("not found") || m.contains("does not exist")
}
