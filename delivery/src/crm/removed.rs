//! What else the pull reads from the CRM: records **deleted** there, and HubSpot
//! **owners**.
//!
//! - Salesforce keeps deleted records (in its recycle bin) visible to `queryAll`:
//!   `GET queryAll?q=SELECT Id, SystemModstamp FROM {Object} WHERE IsDeleted = true AND
//!   SystemModstamp >= {watermark} ORDER BY SystemModstamp ASC`, followed by its
//!   `nextRecordsUrl`.
//! - HubSpot lists archived records with `GET /crm/v3/objects/{object}?archived=true`
//!   (`limit`, `after`; each result has `archivedAt`); those archived at or after the
//!   watermark are taken.
//! - A HubSpot owner (`hubspot_owner_id`) is read as its address through
//!   `GET /crm/v3/owners/{ownerId}` (`email`), since Play knows teammates by address.
//!
//! A deleted record becomes a `delete` change line, with a `change_id` of its id and the
//! moment it was deleted.

use std::collections::HashMap;

use serde_json::{json, Value};

use super::hubspot::HubSpot;
use super::pull::{error, millis_of, network, query_escape, soql_moment, OnPage, PullError, Pulled};
use super::salesforce::Salesforce;
use crate::http::send;

impl Salesforce {
    /// Records of `object` deleted at or after `since` (milliseconds), page by page.
    pub fn pull_deleted(&self, object: &str, since: i64, on_page: &mut OnPage) -> Result<(), PullError> {
        let soql = format!(
            "SELECT Id, SystemModstamp FROM {object} WHERE IsDeleted = true AND SystemModstamp >= {} \
             ORDER BY SystemModstamp ASC",
            soql_moment(since)
        );
        let mut url = format!("{}/queryAll?q={}", self.root(), query_escape(&soql));
        loop {
            let page = self.get(&url)?;
            let records = page["records"].as_array().cloned().unwrap_or_default();
            let pulled = records
                .iter()
                .map(|r| {
                    let modified = r["SystemModstamp"].as_str().unwrap_or_default().to_string();
                    let id = r["Id"].as_str().unwrap_or_default().to_string();
                    Pulled { millis: millis_of(&modified).unwrap_or(0), id, modified, fields: Default::default() }
                })
                .collect();
            on_page(pulled).map_err(|message| PullError { code: "ingest".into(), message, after: None })?;
            match page["nextRecordsUrl"].as_str() {
                Some(next) if page["done"] != Value::Bool(true) => {
                    url = format!("{}{next}", self.instance.trim_end_matches('/'))
                }
                _ => return Ok(()),
            }
        }
    }
}

impl HubSpot {
    fn get(&self, path: &str) -> Result<Value, PullError> {
        let url = format!("{}{path}", self.root.trim_end_matches('/'));
        let headers = [("authorization", format!("Bearer {}", self.token))];
        let answer = send("GET", &url, &headers, "").map_err(network)?;
        if !(200..300).contains(&answer.status) {
            let text = |v: &Value, key: &str| v[key].as_str().map(String::from);
            let code = |v: &Value| text(v, "category").or_else(|| text(v, "errorType"));
            return Err(error(answer, code, |v| text(v, "message")));
        }
        serde_json::from_str(&answer.body).map_err(|e| PullError {
            code: "answer".into(),
            message: format!("HubSpot answered with something that is not JSON: {e}"),
            after: None,
        })
    }

    /// Records of `object` archived at or after `since` (milliseconds), page by page.
    pub fn pull_archived(&self, object: &str, since: i64, on_page: &mut OnPage) -> Result<(), PullError> {
        let mut after: Option<String> = None;
        loop {
            let mut path = format!("/crm/v3/objects/{object}?archived=true&limit=100");
            if let Some(a) = &after {
                path.push_str(&format!("&after={}", query_escape(a)));
            }
            let page = self.get(&path)?;
            let results = page["results"].as_array().cloned().unwrap_or_default();
            let pulled = results
                .iter()
                .filter_map(|r| {
                    let modified = r["archivedAt"].as_str().or_else(|| r["updatedAt"].as_str())?.to_string();
                    let millis = millis_of(&modified)?;
                    let id = r["id"].as_str()?.to_string();
                    (millis >= since).then(|| Pulled { id, modified, millis, fields: Default::default() })
                })
                .collect();
            on_page(pulled).map_err(|message| PullError { code: "ingest".into(), message, after: None })?;
            after = page["paging"]["next"]["after"].as_str().map(String::from);
            if after.is_none() {
                return Ok(());
            }
        }
    }

    /// The address of a HubSpot owner, by its id (`GET /crm/v3/owners/{ownerId}`); `None`
    /// for an owner HubSpot does not have (404) or one without an address.
    pub fn owner_email(&self, id: &str) -> Result<Option<String>, PullError> {
        let id: String = id.chars().filter(char::is_ascii_alphanumeric).collect();
        match self.get(&format!("/crm/v3/owners/{id}")) {
            Ok(owner) => Ok(owner["email"].as_str().filter(|e| !e.is_empty()).map(str::to_lowercase)),
            Err(e) if e.code.starts_with("404") => Ok(None),
            Err(e) => Err(e),
        }
    }
}

/// HubSpot owner ids read as addresses, each asked once per pull.
#[derive(Default)]
pub struct Owners(HashMap<String, Option<String>>);

impl Owners {
    /// Replaces each `hubspot_owner_id` of the page's records by the owner's address (a
    /// blank id, or an owner HubSpot does not have, becomes no owner).
    pub fn resolve(&mut self, hs: &HubSpot, page: &mut [Pulled]) -> Result<(), PullError> {
        for p in page {
            let Some(id) = p.fields.get("hubspot_owner_id").and_then(Value::as_str).map(String::from) else {
                continue;
            };
            let email = if id.trim().is_empty() {
                None
            } else if let Some(known) = self.0.get(&id) {
                known.clone()
            } else {
                let email = hs.owner_email(&id)?;
                self.0.insert(id.clone(), email.clone());
                email
            };
            p.fields.insert("hubspot_owner_id".into(), email.map_or(Value::Null, Value::String));
        }
        Ok(())
    }
}

/// The `delete` line of a record deleted in the CRM.
pub fn delete_line(record: &str, connector: &str, object: &str, pulled: &Pulled) -> String {
    json!({
        "at": chrono::DateTime::from_timestamp_millis(pulled.millis)
            .unwrap_or_default()
            .to_rfc3339_opts(chrono::SecondsFormat::Millis, true),
        "change": "delete",
        "change_id": format!("{connector}:{object}:{}:deleted:{}", pulled.id, pulled.millis),
        "record": record,
        "id": pulled.id,
    })
    .to_string()
}
