//! Pulling changes from the CRM: the records of one object modified at or after a
//! watermark, oldest first, a page at a time. Salesforce: `GET …/query?q=SELECT … WHERE
//! SystemModstamp >= … ORDER BY SystemModstamp` followed by its `nextRecordsUrl`; the
//! fields selected are those the object's describe result and the Play record share.
//! HubSpot: `POST /crm/v3/objects/{object}/search` filtered on the last-modified date
//! (`GTE`), sorted ascending, followed by `paging.next.after`; a search gives at most
//! 10,000 results, so past that the search starts again from the last date seen.

use std::time::Duration;

use serde_json::{json, Map, Value};

use super::hubspot::HubSpot;
use super::salesforce::Salesforce;
use crate::http::{clip, send, Answer};

/// One record as the CRM gave it.
#[derive(Clone, Debug, PartialEq)]
pub struct Pulled {
    /// The CRM's id.
    pub id: String,
    /// When it was last modified, as the CRM wrote it.
    pub modified: String,
    /// The same moment in milliseconds since 1970 UTC.
    pub millis: i64,
    /// Its fields by the CRM's names.
    pub fields: Map<String, Value>,
}

/// Why a pull stopped: the CRM's code and message, verbatim.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PullError {
    /// `401 INVALID_SESSION_ID`, `429 RATE_LIMIT`, `network`.
    pub code: String,
    pub message: String,
    /// How long the CRM asked to wait, when it did.
    pub after: Option<Duration>,
}

impl std::fmt::Display for PullError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.code, self.message)
    }
}

/// What to pull: records modified at or after `since` (milliseconds), or one record.
#[derive(Clone, Copy, Debug)]
pub enum Which<'a> {
    Since(i64),
    Record(&'a str),
}

/// Results per HubSpot search page (its maximum), and the most one search gives.
const HUBSPOT_PAGE: usize = 100;
const HUBSPOT_LIMIT: usize = 10_000;

/// A page handler: told each page in order; an error stops the pull.
pub type OnPage<'a> = dyn FnMut(Vec<Pulled>) -> Result<(), String> + 'a;

pub(super) fn error(
    answer: Answer,
    code_of: impl Fn(&Value) -> Option<String>,
    message_of: impl Fn(&Value) -> Option<String>,
) -> PullError {
    let body: Value = serde_json::from_str(&answer.body).unwrap_or_default();
    let code = code_of(&body).map_or_else(|| answer.status.to_string(), |c| format!("{} {c}", answer.status));
    let message = message_of(&body).map_or_else(|| clip(&answer.body), |m| clip(&m));
    PullError { code, message, after: answer.retry_after.or(answer.rate_interval) }
}

pub(super) fn network(o: crate::Outcome) -> PullError {
    match o {
        crate::Outcome::Retry { code, message, after } => PullError { code, message, after },
        other => PullError { code: other.code().to_string(), message: String::new(), after: None },
    }
}

impl Salesforce {
    pub(super) fn get(&self, url: &str) -> Result<Value, PullError> {
        let headers = [("authorization", format!("Bearer {}", self.token))];
        let answer = send("GET", url, &headers, "").map_err(network)?;
        if !(200..300).contains(&answer.status) {
            let first = |v: &Value, key: &str| v.get(0).and_then(|e| e[key].as_str()).map(String::from);
            return Err(error(answer, |v| first(v, "errorCode"), |v| first(v, "message")));
        }
        serde_json::from_str(&answer.body).map_err(|e| PullError {
            code: "answer".into(),
            message: format!("Salesforce answered with something that is not JSON: {e}"),
            after: None,
        })
    }

    pub(super) fn root(&self) -> String {
        format!("{}/services/data/v{}", self.instance.trim_end_matches('/'), self.version)
    }

    /// The API names of an object's fields (`GET sobjects/{object}/describe`).
    pub fn field_names(&self, object: &str) -> Result<Vec<String>, PullError> {
        let described = self.get(&format!("{}/sobjects/{object}/describe", self.root()))?;
        let fields = described["fields"].as_array().cloned().unwrap_or_default();
        Ok(fields.iter().filter_map(|f| f["name"].as_str().map(String::from)).collect())
    }

    /// Pulls `object`'s `fields` (API names), page by page.
    pub fn pull(&self, object: &str, fields: &[String], which: Which, on_page: &mut OnPage) -> Result<(), PullError> {
        let mut select = vec!["Id".to_string(), "SystemModstamp".to_string()];
        select.extend(fields.iter().filter(|f| *f != "Id" && *f != "SystemModstamp").cloned());
        let filter = match which {
            // SOQL takes whole seconds: from the watermark's second on, the record at the
            // watermark itself coming again as a duplicate.
            Which::Since(millis) => format!("SystemModstamp >= {}", soql_moment(millis)),
            Which::Record(id) => format!("Id = '{}'", id.replace('\\', "\\\\").replace('\'', "\\'")),
        };
        let soql = format!("SELECT {} FROM {object} WHERE {filter} ORDER BY SystemModstamp ASC", select.join(", "));
        let mut url = format!("{}/query?q={}", self.root(), query_escape(&soql));
        loop {
            let page = self.get(&url)?;
            let records = page["records"].as_array().cloned().unwrap_or_default();
            let mut pulled = Vec::with_capacity(records.len());
            for record in records {
                let Value::Object(mut fields) = record else { continue };
                fields.remove("attributes");
                let id = fields.remove("Id").and_then(|v| v.as_str().map(String::from)).unwrap_or_default();
                let modified =
                    fields.remove("SystemModstamp").and_then(|v| v.as_str().map(String::from)).unwrap_or_default();
                pulled.push(Pulled { millis: millis_of(&modified).unwrap_or(0), id, modified, fields });
            }
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
    /// The property holding when a record was last modified: contacts have their own.
    pub fn modified_property(object: &str) -> &'static str {
        if object == "contacts" {
            "lastmodifieddate"
        } else {
            "hs_lastmodifieddate"
        }
    }

    /// One search; a 429 waits for the interval HubSpot gives (at most 10 s) and asks
    /// again, up to 3 times.
    fn search(&self, object: &str, body: &Value) -> Result<Value, PullError> {
        let url = format!("{}/crm/v3/objects/{object}/search", self.root.trim_end_matches('/'));
        let headers = [("authorization", format!("Bearer {}", self.token))];
        let mut tries = 0;
        let answer = loop {
            let answer = send("POST", &url, &headers, &body.to_string()).map_err(network)?;
            tries += 1;
            if answer.status != 429 || tries > 3 {
                break answer;
            }
            let wait = answer.rate_interval.or(answer.retry_after).unwrap_or(Duration::from_secs(1));
            std::thread::sleep(wait.min(Duration::from_secs(10)));
        };
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

    /// Pulls `object`'s `properties`, page by page.
    pub fn pull(
        &self,
        object: &str,
        properties: &[String],
        which: Which,
        on_page: &mut OnPage,
    ) -> Result<(), PullError> {
        self.pull_within(object, properties, which, HUBSPOT_LIMIT, on_page)
    }

    /// [`HubSpot::pull`], with the most results one search gives (HubSpot's is 10,000).
    pub fn pull_within(
        &self,
        object: &str,
        properties: &[String],
        which: Which,
        limit: usize,
        on_page: &mut OnPage,
    ) -> Result<(), PullError> {
        let modified = HubSpot::modified_property(object);
        let mut wanted: Vec<&str> = properties.iter().map(String::as_str).collect();
        wanted.push(modified);
        let (mut since, record) = match which {
            Which::Since(millis) => (millis, None),
            Which::Record(id) => (0, Some(id)),
        };
        loop {
            let filter = match record {
                Some(id) => json!({ "propertyName": "hs_object_id", "operator": "EQ", "value": id }),
                None => json!({ "propertyName": modified, "operator": "GTE", "value": since.to_string() }),
            };
            let mut after: Option<String> = None;
            let mut seen = 0;
            let mut last = since;
            loop {
                let mut body = json!({
                    "filterGroups": [{ "filters": [filter] }],
                    "sorts": [{ "propertyName": modified, "direction": "ASCENDING" }],
                    "properties": wanted,
                    "limit": HUBSPOT_PAGE.min(limit),
                });
                if let Some(a) = &after {
                    body["after"] = a.clone().into();
                }
                let page = self.search(object, &body)?;
                let results = page["results"].as_array().cloned().unwrap_or_default();
                seen += results.len();
                let mut pulled = Vec::with_capacity(results.len());
                for result in results {
                    let id = result["id"].as_str().unwrap_or_default().to_string();
                    let mut fields = result["properties"].as_object().cloned().unwrap_or_default();
                    let stamp = fields.remove(modified).and_then(|v| v.as_str().map(String::from));
                    let stamp = stamp.or_else(|| result["updatedAt"].as_str().map(String::from)).unwrap_or_default();
                    let millis = millis_of(&stamp).unwrap_or(0);
                    last = last.max(millis);
                    fields.remove("hs_object_id");
                    pulled.push(Pulled { id, modified: stamp, millis, fields });
                }
                on_page(pulled).map_err(|message| PullError { code: "ingest".into(), message, after: None })?;
                after = page["paging"]["next"]["after"].as_str().map(String::from);
                if after.is_none() || seen + HUBSPOT_PAGE.min(limit) > limit {
                    break;
                }
            }
            // A search that stopped at HubSpot's limit goes on from the last date it gave.
            if after.is_none() || record.is_some() || last == since {
                return Ok(());
            }
            since = last;
        }
    }
}

/// A SOQL dateTime literal, to the second below: `2026-03-02T09:00:00Z`.
pub(super) fn soql_moment(millis: i64) -> String {
    chrono::DateTime::from_timestamp(millis.div_euclid(1000), 0)
        .unwrap_or_default()
        .format("%Y-%m-%dT%H:%M:%SZ")
        .to_string()
}

/// Milliseconds since 1970 of a CRM's moment: RFC 3339 (`…Z`, `…+00:00`), Salesforce's
/// `2026-03-02T09:00:00.000+0000`, or HubSpot's milliseconds as text.
pub fn millis_of(text: &str) -> Option<i64> {
    if let Ok(n) = text.parse::<i64>() {
        return Some(n);
    }
    let parsed = chrono::DateTime::parse_from_rfc3339(&rfc3339(text)).ok()?;
    Some(parsed.timestamp_millis())
}

/// A CRM's moment as RFC 3339: Salesforce's `+0000` offset gets its colon.
pub fn rfc3339(text: &str) -> String {
    let bytes = text.as_bytes();
    let n = bytes.len();
    if n > 5 && (bytes[n - 5] == b'+' || bytes[n - 5] == b'-') && bytes[n - 4..].iter().all(u8::is_ascii_digit) {
        format!("{}:{}", &text[..n - 2], &text[n - 2..])
    } else {
        text.to_string()
    }
}

/// Text as a query-string value.
pub(super) fn query_escape(text: &str) -> String {
    text.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-_.~".contains(&b) {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}
