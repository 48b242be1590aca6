//! A local fake of Salesforce's `Task` sObject as its REST API documents it: `POST
//! sobjects/Task/` makes one; `PATCH sobjects/Task/{ExternalIdField}/{value}` upserts by
//! an external-id field — 201 (`"created": true`) when no task holds the value, 200
//! (`"created": false`; 204 without a body before API 46.0) when one does, 300 with the
//! matching records' URLs when several do, 404 `NOT_FOUND` when the field is not an
//! external-id field of Task. A `WhatId` or `WhoId` that is no record of the org is
//! `INVALID_CROSS_REFERENCE_KEY`; a `WhoId` that is not a Contact (003) or Lead (00Q) id
//! is `FIELD_INTEGRITY_EXCEPTION`. `GET sobjects/Task/{ExternalIdField}/{value}` reads a
//! task back by its external id. Files: `POST sobjects/ContentVersion/` takes one
//! (`VersionData` base64, `PathOnClient` required, `FirstPublishLocationId` a task the org
//! has), and `query?q=SELECT Id, Description FROM ContentVersion WHERE
//! FirstPublishLocationId = '…'` lists a task's. An answer can be lost on purpose: the
//! work is done and the connection closes without a reply, as when a network drops it.
#![allow(dead_code)] // each test binary uses part of it

use std::collections::HashSet;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use serde_json::{json, Value};

use super::{Answer, Request, Server};

/// The external-id fields the fake org's `Task` has.
pub const EXTERNAL_ID: &str = "Play_Action_Id__c";

pub struct SfTasks {
    pub server: Server,
    tasks: Arc<Mutex<Vec<Value>>>,
    files: Arc<Mutex<Vec<Value>>>,
    known: Arc<Mutex<HashSet<String>>>,
    lose: Arc<AtomicUsize>,
    /// Answers to give before losing any.
    keep: Arc<AtomicUsize>,
}

fn error(status: u16, code: &str, message: &str, fields: &[&str]) -> Answer {
    (status, vec![], json!([{ "message": message, "errorCode": code, "fields": fields }]).to_string())
}

fn version_at_least_46(version: &str) -> bool {
    version.split('.').next().and_then(|v| v.parse::<u32>().ok()).is_some_and(|v| v >= 46)
}

impl SfTasks {
    /// The org holds the records `known` (ids such as `001A`, `003B`).
    pub fn start(known: &[&str]) -> SfTasks {
        let tasks: Arc<Mutex<Vec<Value>>> = Arc::default();
        let files: Arc<Mutex<Vec<Value>>> = Arc::default();
        let known: Arc<Mutex<HashSet<String>>> = Arc::new(Mutex::new(known.iter().map(|k| k.to_string()).collect()));
        let (lose, keep) = (Arc::new(AtomicUsize::new(0)), Arc::new(AtomicUsize::new(0)));
        let (db, versions, ids, lost, kept) = (tasks.clone(), files.clone(), known.clone(), lose.clone(), keep.clone());
        let server = Server::with(move |r: &Request| {
            let answer = handle(r, &db, &versions, &ids);
            if kept.load(Ordering::SeqCst) > 0 {
                kept.fetch_sub(1, Ordering::SeqCst);
                return answer;
            }
            if lost.load(Ordering::SeqCst) > 0 {
                lost.fetch_sub(1, Ordering::SeqCst);
                return (0, vec![], String::new());
            }
            answer
        });
        SfTasks { server, tasks, files, known, lose, keep }
    }

    pub fn root(&self) -> String {
        self.server.root()
    }

    /// The tasks the org holds.
    pub fn tasks(&self) -> Vec<Value> {
        self.tasks.lock().unwrap().clone()
    }

    /// The files (`ContentVersion`s) the org holds.
    pub fn files(&self) -> Vec<Value> {
        self.files.lock().unwrap().clone()
    }

    /// Puts a task in the org as it is (two with one external id make an upsert 300).
    pub fn put(&self, task: Value) {
        let mut tasks = self.tasks.lock().unwrap();
        let id = format!("00T{:012}", tasks.len() + 1);
        let mut task = task;
        task["Id"] = id.into();
        tasks.push(task);
    }

    /// The next `n` answers are lost (their requests are taken all the same).
    pub fn lose_answers(&self, n: usize) {
        self.lose_answers_after(0, n);
    }

    /// The `keep` next answers are given, then `n` lost.
    pub fn lose_answers_after(&self, keep: usize, n: usize) {
        self.keep.store(keep, Ordering::SeqCst);
        self.lose.store(n, Ordering::SeqCst);
    }

    pub fn know(&self, id: &str) {
        self.known.lock().unwrap().insert(id.to_string());
    }
}

fn handle(r: &Request, db: &Mutex<Vec<Value>>, files: &Mutex<Vec<Value>>, known: &Mutex<HashSet<String>>) -> Answer {
    let Some(rest) = r.path.strip_prefix("/services/data/v") else {
        return error(404, "NOT_FOUND", "The requested resource does not exist", &[]);
    };
    let Some((version, rest)) = rest.split_once('/') else {
        return error(404, "NOT_FOUND", "The requested resource does not exist", &[]);
    };
    if let Some(answer) = file_or_read(r, version, rest, db, files) {
        return answer;
    }
    let parts: Vec<&str> = rest.trim_end_matches('/').split('/').collect();
    let mut task: Value = match serde_json::from_str(&r.body) {
        Ok(Value::Object(o)) => Value::Object(o),
        _ => return error(400, "JSON_PARSER_ERROR", "The request body is not a JSON object", &[]),
    };
    for link in ["WhatId", "WhoId"] {
        if let Some(id) = task[link].as_str() {
            if link == "WhoId" && !id.starts_with("003") && !id.starts_with("00Q") {
                let message = format!("Contact/Lead ID: id value of incorrect type: {id}");
                return error(400, "FIELD_INTEGRITY_EXCEPTION", &message, &[link]);
            }
            if !known.lock().unwrap().contains(id) {
                return error(400, "INVALID_CROSS_REFERENCE_KEY", "invalid cross reference id", &[link]);
            }
        }
    }
    let mut tasks = db.lock().unwrap();
    match (r.method.as_str(), parts.as_slice()) {
        ("POST", ["sobjects", "Task"]) => {
            let id = format!("00T{:012}", tasks.len() + 1);
            task["Id"] = id.clone().into();
            tasks.push(task);
            (201, vec![], json!({ "id": id, "success": true, "errors": [] }).to_string())
        }
        ("PATCH", ["sobjects", "Task", field, value]) => {
            if *field != EXTERNAL_ID {
                return error(404, "NOT_FOUND", "The requested resource does not exist", &[]);
            }
            if task.get(*field).is_some() || task.get("Id").is_some() {
                let message = format!("{field}: an upsert names the record in its URL, not in its body");
                return error(400, "INVALID_FIELD", &message, &[field]);
            }
            let matching: Vec<usize> = (0..tasks.len()).filter(|i| tasks[*i][*field] == *value).collect();
            match matching.as_slice() {
                [] => {
                    let id = format!("00T{:012}", tasks.len() + 1);
                    task["Id"] = id.clone().into();
                    task[*field] = (*value).into();
                    tasks.push(task);
                    (201, vec![], json!({ "id": id, "success": true, "errors": [], "created": true }).to_string())
                }
                [one] => {
                    let record = &mut tasks[*one];
                    for (k, v) in task.as_object().into_iter().flatten() {
                        record[k] = v.clone();
                    }
                    let id = record["Id"].clone();
                    if version_at_least_46(version) {
                        (200, vec![], json!({ "id": id, "success": true, "errors": [], "created": false }).to_string())
                    } else {
                        (204, vec![], String::new())
                    }
                }
                several => {
                    let urls: Vec<String> = several
                        .iter()
                        .map(|i| {
                            format!(
                                "/services/data/v{version}/sobjects/Task/{}",
                                tasks[*i]["Id"].as_str().unwrap_or("")
                            )
                        })
                        .collect();
                    (300, vec![], json!(urls).to_string())
                }
            }
        }
        _ => error(405, "METHOD_NOT_ALLOWED", "HTTP Method not allowed", &[]),
    }
}

/// The calls that are not a task's write: reading a task by its external id, making a
/// file, listing a task's files.
fn file_or_read(
    r: &Request,
    version: &str,
    rest: &str,
    db: &Mutex<Vec<Value>>,
    files: &Mutex<Vec<Value>>,
) -> Option<Answer> {
    let tasks = db.lock().unwrap();
    if r.method == "GET" {
        if let Some(q) = rest.strip_prefix("query?q=") {
            let q = super::decode(q);
            let Some(parent) = q
                .strip_prefix("SELECT Id, Description FROM ContentVersion WHERE FirstPublishLocationId = '")
                .and_then(|p| p.strip_suffix('\''))
            else {
                return Some(error(400, "MALFORMED_QUERY", &format!("unexpected query: {q}"), &[]));
            };
            let records: Vec<Value> = files
                .lock()
                .unwrap()
                .iter()
                .filter(|f| f["FirstPublishLocationId"] == parent)
                .map(|f| json!({ "attributes": { "type": "ContentVersion" }, "Id": f["Id"], "Description": f["Description"] }))
                .collect();
            return Some((
                200,
                vec![],
                json!({ "totalSize": records.len(), "done": true, "records": records }).to_string(),
            ));
        }
        let path = rest.split('?').next().unwrap_or_default();
        let parts: Vec<&str> = path.split('/').collect();
        let ["sobjects", "Task", field, value] = parts.as_slice() else {
            return Some(error(404, "NOT_FOUND", "The requested resource does not exist", &[]));
        };
        return Some(match tasks.iter().find(|t| t[*field] == *value) {
            Some(t) => (200, vec![], json!({ "attributes": { "type": "Task" }, "Id": t["Id"] }).to_string()),
            None => error(404, "NOT_FOUND", "The requested resource does not exist", &[]),
        });
    }
    if r.method != "POST" || rest.trim_end_matches('/') != "sobjects/ContentVersion" {
        return None;
    }
    let body: Value = serde_json::from_str(&r.body).unwrap_or_default();
    let parent = body["FirstPublishLocationId"].as_str().unwrap_or_default();
    if !tasks.iter().any(|t| t["Id"] == parent) {
        let message = format!("invalid cross reference id: {parent}");
        return Some(error(400, "INVALID_CROSS_REFERENCE_KEY", &message, &["FirstPublishLocationId"]));
    }
    let data = body["VersionData"].as_str().unwrap_or_default();
    if play_delivery::crm::email_log::decode(data).is_err() || body["PathOnClient"].as_str().is_none() {
        return Some(error(400, "INVALID_FIELD", "VersionData: bad value for restricted field", &["VersionData"]));
    }
    let mut files = files.lock().unwrap();
    let id = format!("068{:012}", files.len() + 1);
    let mut file = body;
    file["Id"] = id.clone().into();
    files.push(file);
    let _ = version;
    Some((201, vec![], json!({ "id": id, "success": true, "errors": [] }).to_string()))
}
