//! Activity sync against local fakes of Salesforce REST and HubSpot CRM v3 that check
//! what their documentation asks of an activity: a Salesforce `Task` linked by `WhatId`
//! (Account, Opportunity, Case) or `WhoId` (Contact, Lead), and a HubSpot task, email or
//! call associated with the record by its documented association type. Their refusals
//! reach the outcome verbatim.

mod support;

use std::sync::{Arc, Mutex};

use play_delivery::crm::activity::{
    to_hubspot, to_hubspot_with, to_salesforce, to_salesforce_with, Activity, Call, Done,
};
use play_delivery::crm::hubspot::HubSpot;
use play_delivery::crm::salesforce::Salesforce;
use play_delivery::Outcome;
use serde_json::{json, Value};
use support::{Request, Server};

fn activity(done: Done, record: &str, playbook: Option<(&str, &str)>) -> Activity {
    let (record_type, record_id) = record.split_once('/').unwrap();
    Activity {
        done,
        record_type: record_type.into(),
        record_id: record_id.into(),
        playbook: playbook.map(|p| p.0.to_string()),
        step: playbook.map(|p| p.1.to_string()),
        subject: "Kick-off call".into(),
        body: "Walked through the rollout plan.".into(),
        at: 1_772_409_600, // 2026-03-02T00:00:00Z
        teammate: Some("jo@play.example".into()),
    }
}

/// Salesforce: a `Task` needs `Subject` and `Status`; `WhoId` takes a Contact (003) or
/// Lead (00Q) id, `WhatId` anything else, as the org's key prefixes say.
fn fake_salesforce() -> (Server, Arc<Mutex<Vec<Value>>>) {
    let tasks = Arc::new(Mutex::new(Vec::new()));
    let made = tasks.clone();
    let server = Server::with(move |r: &Request| {
        let error = |status: u16, code: &str, message: &str, field: &str| {
            (status, vec![], json!([{ "message": message, "errorCode": code, "fields": [field] }]).to_string())
        };
        if (r.method.as_str(), r.path.as_str()) != ("POST", "/services/data/v61.0/sobjects/Task/") {
            return error(404, "NOT_FOUND", "The requested resource does not exist", "");
        }
        let task: Value = serde_json::from_str(&r.body).unwrap_or_default();
        if let Some(who) = task["WhoId"].as_str().filter(|id| !id.starts_with("003") && !id.starts_with("00Q")) {
            let message = format!("Contact/Lead ID: id value of incorrect type: {who}");
            return error(400, "FIELD_INTEGRITY_EXCEPTION", &message, "WhoId");
        }
        if task["Subject"].as_str().is_none_or(str::is_empty) {
            return error(400, "REQUIRED_FIELD_MISSING", "Required fields are missing: [Subject]", "Subject");
        }
        let mut made = made.lock().unwrap();
        made.push(task);
        (201, vec![], json!({ "id": format!("00T{:012}", made.len()), "success": true, "errors": [] }).to_string())
    });
    (server, tasks)
}

#[test]
fn salesforce_gets_a_completed_task_on_the_record_with_the_playbook_and_step() {
    let (server, tasks) = fake_salesforce();
    let sf = Salesforce { instance: server.root(), version: "61.0".into(), token: "t".into() };
    let done = activity(Done::Call, "Account/001A", Some(("onboarding", "kickoff")));
    assert_eq!(to_salesforce(&sf, &done, None, "act-1"), Outcome::Delivered { code: "201".into() });
    let adhoc = activity(Done::Email, "Contact/003B", None);
    assert_eq!(to_salesforce(&sf, &adhoc, None, "act-2"), Outcome::Delivered { code: "201".into() });
    let tasks = tasks.lock().unwrap();
    assert_eq!(
        tasks[0],
        json!({ "Subject": "Kick-off call", "Status": "Completed", "TaskSubtype": "Call", "ActivityDate": "2026-03-02",
                "WhatId": "001A",
                "Description": "Walked through the rollout plan.\n\nPlaybook: onboarding\nStep: kickoff\n\nDone by: jo@play.example" })
    );
    assert_eq!(tasks[1]["WhoId"], "003B", "a contact is the task's Who");
    assert_eq!(tasks[1]["TaskSubtype"], "Email");
    assert!(tasks[1].get("WhatId").is_none());
    assert!(tasks[1]["Description"].as_str().unwrap().contains("Playbook: \nStep: "), "ad hoc: blank");
    assert_eq!(server.requests()[0].header("idempotency-key"), Some("act-1"));
}

#[test]
fn salesforce_refusals_reach_the_log_verbatim() {
    let (server, _) = fake_salesforce();
    let sf = Salesforce { instance: server.root(), version: "61.0".into(), token: "t".into() };
    // A record of the wrong type for the link: an orphan, to be adopted by a record.
    let wrong = activity(Done::Task, "Lead/001A", None);
    assert_eq!(
        to_salesforce(&sf, &wrong, None, "act-3"),
        Outcome::Orphan {
            code: "400 FIELD_INTEGRITY_EXCEPTION".into(),
            message: "Contact/Lead ID: id value of incorrect type: 001A".into()
        }
    );
    let mut blank = activity(Done::Task, "Case/500C", None);
    blank.subject = String::new();
    assert_eq!(
        to_salesforce(&sf, &blank, None, "act-4"),
        Outcome::Failed {
            code: "400 REQUIRED_FIELD_MISSING".into(),
            message: "Required fields are missing: [Subject]".into()
        }
    );
    let odd = activity(Done::Task, "Invoice/9", None);
    let refused = to_salesforce(&sf, &odd, None, "act-5");
    assert!(matches!(refused, Outcome::Orphan { ref message, .. } if message.contains("not a `Invoice`")));
    assert_eq!(server.requests().len(), 2, "an unknown record type makes no call");
}

/// What the HubSpot fake made: object type and body.
type Made = Arc<Mutex<Vec<(String, Value)>>>;

/// HubSpot: `POST /crm/v3/objects/{tasks,emails,calls}` with `properties` and
/// `associations`; an association type that does not join that engagement to a record is
/// refused as HubSpot does (`VALIDATION_ERROR`).
fn fake_hubspot() -> (Server, Made) {
    let made = Arc::new(Mutex::new(Vec::new()));
    let kept = made.clone();
    let server = Server::with(move |r: &Request| {
        let error = |status: u16, category: &str, message: &str| {
            let e = json!({ "status": "error", "message": message, "correlationId": "9f1e", "category": category });
            (status, vec![], e.to_string())
        };
        let Some(object) = r.path.strip_prefix("/crm/v3/objects/") else {
            return error(404, "OBJECT_NOT_FOUND", "Object not found.");
        };
        // The documented HUBSPOT_DEFINED types: engagement to company, contact, deal, ticket.
        let allowed: &[u64] = match object {
            "tasks" => &[192, 204, 216, 230],
            "emails" => &[186, 198, 210, 224],
            "calls" => &[182, 194, 206, 220],
            _ => return error(404, "OBJECT_NOT_FOUND", "Object not found."),
        };
        let body: Value = serde_json::from_str(&r.body).unwrap_or_default();
        let types: Vec<u64> = body["associations"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|a| a["types"][0]["associationTypeId"].as_u64())
            .collect();
        if let Some(bad) = types.iter().find(|t| !allowed.contains(t)) {
            return error(400, "VALIDATION_ERROR", &format!("association type id {bad} is not valid for {object}"));
        }
        let direction = &body["properties"]["hs_call_direction"];
        if !direction.is_null() && direction != "INBOUND" && direction != "OUTBOUND" {
            return error(400, "VALIDATION_ERROR", &format!("{direction} was not one of the allowed options"));
        }
        if body["properties"]["hs_timestamp"].as_str().is_none() {
            return error(400, "VALIDATION_ERROR", "Property values were not valid: hs_timestamp is required");
        }
        kept.lock().unwrap().push((object.to_string(), body.clone()));
        (201, vec![], json!({ "id": "901", "properties": body["properties"] }).to_string())
    });
    (server, made)
}

#[test]
fn hubspot_gets_an_engagement_associated_with_the_record() {
    let (server, made) = fake_hubspot();
    let hs = HubSpot { root: server.root(), token: "t".into() };
    let cases = [
        (Done::Task, "Opportunity/77", "tasks", 216),
        (Done::Email, "Contact/51", "emails", 198),
        (Done::Call, "Case/8", "calls", 220),
        (Done::Task, "Account/12", "tasks", 192),
    ];
    for (i, (done, record, _, _)) in cases.iter().enumerate() {
        let a = activity(*done, record, Some(("renewal", "call_owner")));
        assert_eq!(to_hubspot(&hs, &a, &format!("act-{i}")), Outcome::Delivered { code: "201".into() }, "{record}");
    }
    let made = made.lock().unwrap();
    for ((_, record, object, type_id), (sent_to, body)) in cases.iter().zip(made.iter()) {
        assert_eq!(sent_to, object, "{record}");
        let id = record.split_once('/').unwrap().1;
        assert_eq!(
            body["associations"],
            json!([{ "to": { "id": id }, "types": [{ "associationCategory": "HUBSPOT_DEFINED", "associationTypeId": type_id }] }])
        );
    }
    assert_eq!(made[0].1["properties"]["hs_task_status"], "COMPLETED");
    assert_eq!(made[0].1["properties"]["hs_timestamp"], "2026-03-02T00:00:00Z");
    assert!(made[1].1["properties"]["hs_email_text"].as_str().unwrap().contains("Playbook: renewal\nStep: call_owner"));
    assert_eq!(made[2].1["properties"]["hs_call_title"], "Kick-off call");
}

#[test]
fn hubspot_refusals_reach_the_log_verbatim() {
    let server = Server::start(vec![(
        401,
        vec![],
        r#"{"status":"error","message":"Authentication credentials not found.","correlationId":"1a","category":"INVALID_AUTHENTICATION"}"#,
    )]);
    let hs = HubSpot { root: server.root(), token: "old".into() };
    assert_eq!(
        to_hubspot(&hs, &activity(Done::Task, "Account/12", None), "act-9"),
        Outcome::Paused {
            code: "401 INVALID_AUTHENTICATION".into(),
            message: "Authentication credentials not found.".into()
        }
    );
}

#[test]
fn a_logged_call_carries_its_direction_duration_and_outcome() {
    let call = Call { duration_seconds: Some(300), inbound: true, outcome: Some("connected".into()) };
    let a = activity(Done::Call, "Account/001A", None);
    let (sf_server, sf_made) = fake_salesforce();
    let sf = Salesforce { instance: sf_server.root(), version: "61.0".into(), token: "t".into() };
    assert!(matches!(to_salesforce_with(&sf, &a, &call.salesforce_fields(), None, "c1"), Outcome::Delivered { .. }));
    let task = sf_made.lock().unwrap()[0].clone();
    assert_eq!(
        (&task["TaskSubtype"], &task["CallType"], &task["CallDurationInSeconds"], &task["CallDisposition"]),
        (&json!("Call"), &json!("Inbound"), &json!(300), &json!("connected"))
    );
    let (hs_server, hs_made) = fake_hubspot();
    let hs = HubSpot { root: hs_server.root(), token: "t".into() };
    let outbound = Call { inbound: false, ..call };
    assert_eq!(
        to_hubspot_with(&hs, &a, &outbound.hubspot_properties(), "c1"),
        Outcome::Delivered { code: "201".into() }
    );
    let (object, body) = hs_made.lock().unwrap()[0].clone();
    assert_eq!(object, "calls");
    assert_eq!(
        (&body["properties"]["hs_call_direction"], &body["properties"]["hs_call_duration"]),
        (&json!("OUTBOUND"), &json!("300000")),
        "HubSpot takes the duration in milliseconds"
    );
}
