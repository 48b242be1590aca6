//! Local fakes of the CRM endpoints the pull reads, following each one's documented
//! shapes: Salesforce REST (`sobjects/{object}/describe`; `query?q=` SOQL with
//! `nextRecordsUrl` paging, `done`, `attributes`; errors as `[{"message","errorCode"}]`,
//! `INVALID_SESSION_ID`, `INVALID_FIELD`, `MALFORMED_QUERY`) and HubSpot CRM v3 search
//! (`POST /crm/v3/objects/{object}/search` with `filterGroups`, `sorts`, `properties`,
//! `limit`, `after`; `paging.next.after`; the 10,000-result limit; 429 `RATE_LIMIT` with
//! its `X-HubSpot-RateLimit-*` headers).
#![allow(dead_code)]

use std::sync::{Arc, Mutex};

use serde_json::{json, Value};

use super::support::{decode, Answer, Request, Server};

/// The token both fakes take.
pub const TOKEN: &str = "good";

/// A Salesforce Account as the query API returns it: the fields the pull tests read, the
/// `n`th minute past 09:00 as its `SystemModstamp`, and its owner's address through the
/// `Owner` relationship. Tests set their own extra fields on it.
#[allow(dead_code)]
pub fn sf_account(n: usize, stage: &str) -> Value {
    json!({
        "Id": format!("001A{n:02}"),
        "SystemModstamp": format!("2026-03-02T09:{n:02}:00.000+0000"),
        "Name": format!("Acme {n}"),
        "Tier__c": "Enterprise",
        "ARR__c": 250000,
        "Stage__c": stage,
        "Health__c": 72,
        "Weekly_Active_Users__c": 40,
        "OwnerId": "005A01",
        "Owner": { "attributes": { "type": "User" }, "Email": "jo@example.com" },
    })
}

fn millis(text: &str) -> i64 {
    let text = if text.len() > 5 && text.as_bytes()[text.len() - 5] == b'+' {
        format!("{}:{}", &text[..text.len() - 2], &text[text.len() - 2..])
    } else {
        text.to_string()
    };
    chrono::DateTime::parse_from_rfc3339(&text).map(|d| d.timestamp_millis()).unwrap_or(i64::MIN)
}

/// A Salesforce org holding records of one object.
#[derive(Clone)]
pub struct Salesforce {
    pub server: Arc<Server>,
    pub records: Arc<Mutex<Vec<Value>>>,
    /// How many calls were answered with each path start (`describe`, `query`).
    pub queries: Arc<Mutex<Vec<String>>>,
}

fn sf_error(status: u16, code: &str, message: &str) -> Answer {
    (status, vec![], json!([{ "message": message, "errorCode": code }]).to_string())
}

impl Salesforce {
    /// An org whose `object` has `fields` (API names; lookups named with `Id` have a
    /// relationship), paging query results `page` at a time.
    pub fn start(object: &'static str, fields: &'static [&'static str], page: usize) -> Salesforce {
        let records: Arc<Mutex<Vec<Value>>> = Arc::default();
        let queries: Arc<Mutex<Vec<String>>> = Arc::default();
        let (db, seen) = (records.clone(), queries.clone());
        let cursors: Arc<Mutex<Vec<Vec<Value>>>> = Arc::default();
        let server = Server::with(move |r: &Request| {
            if r.header("authorization") != Some(&format!("Bearer {TOKEN}")) {
                return sf_error(401, "INVALID_SESSION_ID", "Session expired or invalid");
            }
            let Some(rest) = r.path.strip_prefix("/services/data/v61.0/") else {
                return sf_error(404, "NOT_FOUND", "The requested resource does not exist");
            };
            if let Some(name) = rest.strip_prefix("sobjects/").and_then(|p| p.strip_suffix("/describe")) {
                if name != object {
                    return sf_error(404, "NOT_FOUND", "The requested resource does not exist");
                }
                let mut all = vec!["Id", "SystemModstamp"];
                all.extend(fields);
                let fields: Vec<Value> = all.iter().map(|f| json!({ "name": f })).collect();
                return (200, vec![], json!({ "name": object, "fields": fields }).to_string());
            }
            let chunk = |rows: Vec<Value>, cursors: &mut Vec<Vec<Value>>| -> Answer {
                let total = rows.len();
                let (first, rest) = rows.split_at(page.min(total));
                let mut answer = json!({ "totalSize": total, "done": rest.is_empty(), "records": first });
                if !rest.is_empty() {
                    cursors.push(rest.to_vec());
                    answer["nextRecordsUrl"] =
                        format!("/services/data/v61.0/query/01gD0000002HU6KIAW-{}", cursors.len() - 1).into();
                }
                (200, vec![], answer.to_string())
            };
            if let Some(cursor) = rest.strip_prefix("query/01gD0000002HU6KIAW-") {
                let mut cursors = cursors.lock().unwrap();
                let Some(rows) = cursor.parse::<usize>().ok().and_then(|n| cursors.get(n).cloned()) else {
                    return sf_error(400, "INVALID_QUERY_LOCATOR", "invalid query locator");
                };
                seen.lock().unwrap().push(format!("next {cursor}"));
                return chunk(rows, &mut cursors);
            }
            // `queryAll` also sees deleted records (`IsDeleted`); `query` never does.
            let (all, q) = match (rest.strip_prefix("queryAll?q="), rest.strip_prefix("query?q=")) {
                (Some(q), _) => (true, decode(q)),
                (None, Some(q)) => (false, decode(q)),
                _ => return sf_error(404, "NOT_FOUND", "The requested resource does not exist"),
            };
            seen.lock().unwrap().push(if all { format!("queryAll {q}") } else { q.clone() });
            // SELECT a, b FROM Object WHERE … ORDER BY SystemModstamp ASC
            let Some((select, rest)) = q.strip_prefix("SELECT ").and_then(|s| s.split_once(" FROM ")) else {
                return sf_error(400, "MALFORMED_QUERY", "unexpected token");
            };
            let Some((from, rest)) = rest.split_once(" WHERE ") else {
                return sf_error(400, "MALFORMED_QUERY", "expecting WHERE");
            };
            if from != object {
                return sf_error(400, "INVALID_TYPE", &format!("sObject type '{from}' is not supported."));
            }
            for column in select.split(", ") {
                let base = column.split('.').next().unwrap_or(column);
                let known = ["Id", "SystemModstamp"].contains(&column)
                    || fields.contains(&column)
                    || (column.ends_with(".Email") && fields.contains(&format!("{base}Id").as_str()));
                if !known {
                    return sf_error(400, "INVALID_FIELD", &format!("No such column '{column}' on entity '{object}'."));
                }
            }
            let Some(filter) = rest.strip_suffix(" ORDER BY SystemModstamp ASC") else {
                return sf_error(400, "MALFORMED_QUERY", "expecting ORDER BY SystemModstamp");
            };
            let mut rows: Vec<Value> = db.lock().unwrap().clone();
            let deleted = filter.starts_with("IsDeleted = true AND ");
            let filter = filter.strip_prefix("IsDeleted = true AND ").unwrap_or(filter);
            rows.retain(|row| (row["IsDeleted"] == true) == (all && deleted) || (all && !deleted));
            if let Some(since) = filter.strip_prefix("SystemModstamp >= ") {
                let since = millis(since);
                if since == i64::MIN {
                    return sf_error(
                        400,
                        "MALFORMED_QUERY",
                        &format!(
                            "value of filter criterion for field 'SystemModstamp' must be of type dateTime: {since}"
                        ),
                    );
                }
                rows.retain(|row| millis(row["SystemModstamp"].as_str().unwrap_or_default()) >= since);
            } else if let Some(id) = filter.strip_prefix("Id = '").and_then(|i| i.strip_suffix('\'')) {
                rows.retain(|row| row["Id"] == id);
            } else {
                return sf_error(400, "MALFORMED_QUERY", "unexpected filter");
            }
            rows.sort_by_key(|row| millis(row["SystemModstamp"].as_str().unwrap_or_default()));
            for row in &mut rows {
                let id = row["Id"].clone();
                row["attributes"] = json!({ "type": object, "url": format!("/services/data/v61.0/sobjects/{object}/{}", id.as_str().unwrap_or_default()) });
            }
            chunk(rows, &mut cursors.lock().unwrap())
        });
        Salesforce { server: Arc::new(server), records, queries }
    }

    /// Adds or changes a record (its `Id` and `SystemModstamp` among the fields).
    pub fn put(&self, record: Value) {
        let mut db = self.records.lock().unwrap();
        db.retain(|r| r["Id"] != record["Id"]);
        db.push(record);
    }

    /// Deletes a record (to the recycle bin): `IsDeleted`, its `SystemModstamp` the moment.
    pub fn delete(&self, id: &str, at: &str) {
        let mut db = self.records.lock().unwrap();
        for r in db.iter_mut().filter(|r| r["Id"] == id) {
            r["IsDeleted"] = true.into();
            r["SystemModstamp"] = at.into();
        }
    }

    pub fn root(&self) -> String {
        self.server.root()
    }
}

/// A HubSpot portal holding records of one object.
#[derive(Clone)]
pub struct HubSpot {
    pub server: Arc<Server>,
    pub records: Arc<Mutex<Vec<Value>>>,
    /// Searches answered 429 first, one each, before these calls are served.
    pub limited: Arc<Mutex<Vec<usize>>>,
    pub searches: Arc<Mutex<Vec<Value>>>,
}

impl HubSpot {
    /// A portal whose search gives at most `cap` results (HubSpot's is 10,000).
    pub fn start(object: &'static str, cap: usize) -> HubSpot {
        let records: Arc<Mutex<Vec<Value>>> = Arc::default();
        let limited: Arc<Mutex<Vec<usize>>> = Arc::default();
        let searches: Arc<Mutex<Vec<Value>>> = Arc::default();
        let (db, limits, seen) = (records.clone(), limited.clone(), searches.clone());
        let mut calls = 0;
        let server = Server::with(move |r: &Request| {
            let error = |status: u16, category: &str, message: &str| -> Answer {
                let body = json!({ "status": "error", "message": message, "correlationId": "aeb5f871-7f07-4993-9211-075dc63e7cbf", "category": category });
                (status, vec![], body.to_string())
            };
            if r.header("authorization") != Some(&format!("Bearer {TOKEN}")) {
                return error(401, "INVALID_AUTHENTICATION", "Authentication credentials not found.");
            }
            calls += 1;
            if limits.lock().unwrap().contains(&calls) {
                let body = json!({ "status": "error", "message": "You have reached your secondly limit.", "errorType": "RATE_LIMIT", "correlationId": "7c2d", "policyName": "SECONDLY" });
                let headers = vec![
                    ("X-HubSpot-RateLimit-Interval-Milliseconds".to_string(), "50".to_string()),
                    ("X-HubSpot-RateLimit-Max".to_string(), "100".to_string()),
                    ("X-HubSpot-RateLimit-Remaining".to_string(), "0".to_string()),
                ];
                return (429, headers, body.to_string());
            }
            if r.method == "GET" {
                return hubspot_get(r, object, &db.lock().unwrap(), &error);
            }
            if r.method != "POST" || r.path != format!("/crm/v3/objects/{object}/search") {
                return error(404, "OBJECT_NOT_FOUND", "Object not found.");
            }
            let Ok(body) = serde_json::from_str::<Value>(&r.body) else {
                return error(400, "VALIDATION_ERROR", "Invalid input JSON on line 1");
            };
            seen.lock().unwrap().push(body.clone());
            let after: usize = body["after"].as_str().map_or(Ok(0), str::parse).unwrap_or(usize::MAX);
            let limit = body["limit"].as_u64().unwrap_or(10) as usize;
            if limit > 200 {
                return error(400, "VALIDATION_ERROR", "limit must be at most 200");
            }
            if after >= cap {
                return error(400, "VALIDATION_ERROR", &format!("paging past {cap} results is not allowed"));
            }
            let filter = &body["filterGroups"][0]["filters"][0];
            let property = filter["propertyName"].as_str().unwrap_or_default();
            let value = filter["value"].as_str().unwrap_or_default();
            let mut rows: Vec<Value> = db.lock().unwrap().clone();
            // The search never finds archived records.
            rows.retain(|row| row["archived"] != true);
            match (property, filter["operator"].as_str()) {
                ("hs_object_id", Some("EQ")) => rows.retain(|row| row["id"] == value),
                ("hs_lastmodifieddate" | "lastmodifieddate", Some("GTE")) => {
                    let since: i64 = value.parse().unwrap_or(i64::MAX);
                    rows.retain(|row| millis(row["properties"][property].as_str().unwrap_or_default()) >= since)
                }
                _ => return error(400, "VALIDATION_ERROR", "unsupported filter"),
            }
            rows.sort_by_key(|row| millis(row["properties"]["hs_lastmodifieddate"].as_str().unwrap_or_default()));
            let total = rows.len();
            let wanted: Vec<&str> =
                body["properties"].as_array().into_iter().flatten().filter_map(Value::as_str).collect();
            let page: Vec<Value> = rows
                .into_iter()
                .skip(after)
                .take(limit)
                .map(|mut row| {
                    let mut properties = serde_json::Map::new();
                    for (k, v) in row["properties"].as_object().cloned().unwrap_or_default() {
                        if wanted.contains(&k.as_str())
                            || ["hs_object_id", "createdate", "hs_lastmodifieddate"].contains(&k.as_str())
                        {
                            properties.insert(k, v);
                        }
                    }
                    properties.insert("hs_object_id".into(), row["id"].clone());
                    row["properties"] = properties.into();
                    row["archived"] = false.into();
                    row
                })
                .collect();
            let mut answer = json!({ "total": total, "results": page });
            if after + limit < total {
                let next = (after + limit).to_string();
                answer["paging"] = json!({ "next": { "after": next, "link": format!("?after={next}") } });
            }
            (200, vec![], answer.to_string())
        });
        HubSpot { server: Arc::new(server), records, limited, searches }
    }

    /// Archives (deletes) a record at `at`.
    pub fn archive(&self, id: &str, at: &str) {
        let mut db = self.records.lock().unwrap();
        for r in db.iter_mut().filter(|r| r["id"] == id) {
            r["archived"] = true.into();
            r["archivedAt"] = at.into();
        }
    }

    /// Adds or changes a record: its id and properties (`hs_lastmodifieddate` among them).
    pub fn put(&self, id: &str, properties: Value) {
        let mut db = self.records.lock().unwrap();
        db.retain(|r| r["id"] != id);
        let updated = properties["hs_lastmodifieddate"].clone();
        db.push(json!({ "id": id, "properties": properties, "createdAt": updated, "updatedAt": updated }));
    }

    pub fn root(&self) -> String {
        self.server.root()
    }
}

/// The owners the HubSpot fake knows: `GET /crm/v3/owners/{ownerId}`.
pub const HUBSPOT_OWNERS: [(&str, &str); 2] = [("41", "jo@example.com"), ("42", "ana@example.com")];

/// HubSpot's GETs: the owner by id (404 for one it does not have), and the object's
/// archived records (`?archived=true`, paged by `limit` and `after`).
fn hubspot_get(r: &Request, object: &str, db: &[Value], error: &dyn Fn(u16, &str, &str) -> Answer) -> Answer {
    if let Some(id) = r.path.strip_prefix("/crm/v3/owners/") {
        return match HUBSPOT_OWNERS.iter().find(|(o, _)| *o == id) {
            Some((id, email)) => {
                let body = json!({ "id": id, "email": email, "firstName": "", "lastName": "", "userId": 9, "archived": false,
                                   "createdAt": "2026-01-01T00:00:00Z", "updatedAt": "2026-01-01T00:00:00Z" });
                (200, vec![], body.to_string())
            }
            None => error(404, "OBJECT_NOT_FOUND", &format!("Owner {id} not found")),
        };
    }
    let Some(query) = r.path.strip_prefix(&format!("/crm/v3/objects/{object}?")) else {
        return error(404, "OBJECT_NOT_FOUND", "Object not found.");
    };
    let param = |k: &str| query.split('&').find_map(|p| p.strip_prefix(&format!("{k}="))).map(String::from);
    let archived = param("archived").as_deref() == Some("true");
    let limit: usize = param("limit").and_then(|l| l.parse().ok()).unwrap_or(10);
    let after: usize = param("after").and_then(|a| a.parse().ok()).unwrap_or(0);
    let rows: Vec<Value> = db.iter().filter(|row| (row["archived"] == true) == archived).cloned().collect();
    let page: Vec<Value> = rows.iter().skip(after).take(limit).cloned().collect();
    let mut answer = json!({ "results": page });
    if after + limit < rows.len() {
        answer["paging"] = json!({ "next": { "after": (after + limit).to_string() } });
    }
    (200, vec![], answer.to_string())
}
