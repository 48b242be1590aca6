//! Write-back to the CRM against local fakes of Salesforce REST and HubSpot CRM v3 that
//! follow their documented endpoints, payloads and error shapes: updates, activities,
//! an upsert by external id that a repeated attempt cannot double, and each error read
//! as the outcome the outbox acts on.

mod support;

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use play_delivery::crm::hubspot::{Association, HubSpot};
use play_delivery::crm::salesforce::Salesforce;
use play_delivery::Outcome;
use serde_json::{json, Map, Value};
use support::{Answer, Request, Server};

fn fields(v: Value) -> Map<String, Value> {
    v.as_object().cloned().unwrap_or_default()
}

fn sf_error(status: u16, code: &str, message: &str) -> Answer {
    (status, vec![], json!([{ "message": message, "errorCode": code, "fields": [] }]).to_string())
}

/// Salesforce: records by type and id, a validation rule on `Account.Health_Score__c`,
/// an external-id field `Play_Action_Id__c`, and a daily request limit.
fn fake_salesforce(limit: usize) -> (Server, Arc<Mutex<HashMap<String, Value>>>) {
    let records: Arc<Mutex<HashMap<String, Value>>> = Arc::new(Mutex::new(HashMap::new()));
    records.lock().unwrap().insert("Account/001A".into(), json!({"Name": "Acme"}));
    let db = records.clone();
    let mut calls = 0;
    let server = Server::with(move |r: &Request| {
        calls += 1;
        if r.header("authorization") != Some("Bearer good") {
            return sf_error(401, "INVALID_SESSION_ID", "Session expired or invalid");
        }
        if calls > limit {
            return sf_error(403, "REQUEST_LIMIT_EXCEEDED", "TotalRequests Limit exceeded.");
        }
        let Some(rest) = r.path.strip_prefix("/services/data/v60.0/sobjects/") else {
            return sf_error(404, "NOT_FOUND", "The requested resource does not exist");
        };
        let parts: Vec<&str> = rest.trim_end_matches('/').split('/').collect();
        let body: Value = serde_json::from_str(&r.body).unwrap_or_default();
        if body.get("Health_Score__c").and_then(Value::as_i64).is_some_and(|h| !(0..=100).contains(&h)) {
            let e = json!([{"message": "Health must be between 0 and 100", "errorCode": "FIELD_CUSTOM_VALIDATION_EXCEPTION", "fields": ["Health_Score__c"]}]);
            return (400, vec![], e.to_string());
        }
        let mut db = db.lock().unwrap();
        match (r.method.as_str(), parts.as_slice()) {
            ("POST", [object]) => {
                let id = format!("00T{:012}", db.len());
                db.insert(format!("{object}/{id}"), body);
                (201, vec![], json!({"id": id, "success": true, "errors": []}).to_string())
            }
            ("PATCH", [object, id]) => match db.get_mut(&format!("{object}/{id}")) {
                Some(record) => {
                    for (k, v) in body.as_object().into_iter().flatten() {
                        record[k] = v.clone();
                    }
                    (204, vec![], String::new())
                }
                None => sf_error(404, "NOT_FOUND", "The requested resource does not exist"),
            },
            ("PATCH", [object, field, value]) => {
                let key = format!("{object}/{field}={value}");
                let created = !db.contains_key(&key);
                db.insert(key, body);
                let status = if created { 201 } else { 200 };
                (status, vec![], json!({"id": "00T1", "success": true, "errors": [], "created": created}).to_string())
            }
            _ => sf_error(405, "METHOD_NOT_ALLOWED", "HTTP Method not allowed"),
        }
    });
    (server, records)
}

#[test]
fn salesforce_updates_logs_activities_and_reads_its_errors() {
    let (server, db) = fake_salesforce(6);
    let sf = Salesforce { instance: server.root(), version: "60.0".into(), token: "good".into() };
    let update = sf.update("Account", "001A", &fields(json!({"OwnerId": "005B", "Health_Score__c": 41})), "act-1");
    assert_eq!(update, Outcome::Delivered { code: "204".into() });
    assert_eq!(db.lock().unwrap()["Account/001A"]["OwnerId"], "005B");
    let task = fields(json!({"Subject": "Call Vic", "Status": "Completed", "WhatId": "001A"}));
    assert_eq!(sf.create("Task", &task, None, "act-2"), Outcome::Delivered { code: "201".into() });
    // A repeated attempt of an upsert by the action's id makes no second task.
    let ext = Some(("Play_Action_Id__c", "act-3"));
    assert_eq!(sf.create("Task", &task, ext, "act-3"), Outcome::Delivered { code: "201".into() });
    assert_eq!(sf.create("Task", &task, ext, "act-3"), Outcome::Delivered { code: "200".into() });
    assert_eq!(db.lock().unwrap().keys().filter(|k| k.starts_with("Task/")).count(), 2);
    let bad = sf.update("Account", "001A", &fields(json!({"Health_Score__c": 400})), "act-4");
    assert_eq!(
        bad,
        Outcome::Failed {
            code: "400 FIELD_CUSTOM_VALIDATION_EXCEPTION".into(),
            message: "Health must be between 0 and 100".into()
        }
    );
    let gone = sf.update("Account", "001Z", &fields(json!({"Name": "X"})), "act-5");
    assert!(matches!(gone, Outcome::Failed { ref code, .. } if code == "404 NOT_FOUND"));
    let limited = sf.update("Account", "001A", &fields(json!({"Name": "X"})), "act-6");
    assert!(matches!(limited, Outcome::Retry { ref code, .. } if code == "403 REQUEST_LIMIT_EXCEEDED"), "{limited:?}");
    let expired = Salesforce { token: "old".into(), ..sf }.update("Account", "001A", &Map::new(), "act-7");
    assert!(matches!(expired, Outcome::Paused { ref code, .. } if code == "401 INVALID_SESSION_ID"));
    let sent = server.requests();
    assert_eq!(sent[0].method, "PATCH");
    assert_eq!(sent[0].path, "/services/data/v60.0/sobjects/Account/001A");
    assert_eq!(sent[2].path, "/services/data/v60.0/sobjects/Task/Play_Action_Id__c/act-3");
}

fn hs_error(status: u16, category: &str, message: &str) -> Answer {
    let e = json!({"status": "error", "message": message, "correlationId": "6a1b", "category": category});
    (status, vec![], e.to_string())
}

#[test]
fn hubspot_updates_logs_activities_and_reads_its_errors() {
    let mut calls = 0;
    let server = Server::with(move |r: &Request| {
        calls += 1;
        if r.header("authorization") != Some("Bearer good") {
            return hs_error(401, "INVALID_AUTHENTICATION", "Authentication credentials not found.");
        }
        if calls == 4 {
            let e = json!({"status": "error", "message": "You have reached your secondly limit.", "errorType": "RATE_LIMIT", "correlationId": "7c2d", "policyName": "SECONDLY"});
            let headers = vec![
                ("X-HubSpot-RateLimit-Interval-Milliseconds".to_string(), "1000".to_string()),
                ("X-HubSpot-RateLimit-Max".to_string(), "100".to_string()),
                ("X-HubSpot-RateLimit-Remaining".to_string(), "0".to_string()),
            ];
            return (429, headers, e.to_string());
        }
        let body: Value = serde_json::from_str(&r.body).unwrap_or_default();
        if body["properties"]["lifecyclestage"] == "zombie" {
            return hs_error(400, "VALIDATION_ERROR", "Property values were not valid: lifecyclestage");
        }
        match (r.method.as_str(), r.path.as_str()) {
            ("PATCH", "/crm/v3/objects/contacts/51") => {
                (200, vec![], json!({"id": "51", "properties": body["properties"]}).to_string())
            }
            ("POST", "/crm/v3/objects/tasks") => {
                (201, vec![], json!({"id": "512", "properties": body["properties"]}).to_string())
            }
            _ => hs_error(404, "OBJECT_NOT_FOUND", "Object not found."),
        }
    });
    let hs = HubSpot { root: server.root(), token: "good".into() };
    let props = fields(json!({"hubspot_owner_id": "77"}));
    assert_eq!(hs.update("contacts", "51", &props, "act-1"), Outcome::Delivered { code: "200".into() });
    let task = fields(
        json!({"hs_task_subject": "Call Vic", "hs_task_status": "COMPLETED", "hs_timestamp": "2026-03-02T09:00:00Z"}),
    );
    let to = [Association { type_id: 204, id: "51".into() }];
    assert_eq!(hs.create("tasks", &task, &to, "act-2"), Outcome::Delivered { code: "201".into() });
    let bad = hs.update("contacts", "51", &fields(json!({"lifecyclestage": "zombie"})), "act-3");
    assert!(matches!(bad, Outcome::Failed { ref code, .. } if code == "400 VALIDATION_ERROR"));
    let limited = hs.update("contacts", "51", &props, "act-4");
    assert_eq!(
        limited,
        Outcome::Retry {
            code: "429 RATE_LIMIT".into(),
            message: "You have reached your secondly limit.".into(),
            after: Some(Duration::from_secs(1))
        }
    );
    let out = HubSpot { token: "revoked".into(), ..hs }.update("contacts", "51", &props, "act-5");
    assert!(matches!(out, Outcome::Paused { ref code, .. } if code == "401 INVALID_AUTHENTICATION"));
    let sent = server.requests();
    let created: Value = serde_json::from_str(&sent[1].body).unwrap();
    assert_eq!(created["associations"][0]["types"][0]["associationTypeId"], 204);
    assert_eq!(created["associations"][0]["to"]["id"], "51");
    assert_eq!(sent[0].header("idempotency-key"), Some("act-1"));
}
