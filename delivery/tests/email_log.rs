//! Email sync against local fakes that follow each CRM's documented API: Salesforce makes
//! a `Task` (`POST sobjects/Task/`, answered `{"id","success","errors"}`) and takes each
//! attachment as a `ContentVersion` whose `FirstPublishLocationId` must be a record it
//! has and whose `VersionData` must be base64; HubSpot takes each attachment through the
//! files API (`POST /files/v3/files`, multipart with `file`, `options` and `folderPath`,
//! answered with the file's `id`) and then an `emails` engagement whose
//! `hs_attachment_ids` must name files it has, associated with the record.

mod support;

use std::sync::{Arc, Mutex};

use base64::Engine as _;
use play_delivery::blacklist::Direction;
use play_delivery::crm::email_log::{to_hubspot, to_salesforce, Attachment, LoggedEmail, HUBSPOT_FOLDER};
use play_delivery::crm::hubspot::HubSpot;
use play_delivery::crm::salesforce::Salesforce;
use play_delivery::Outcome;
use serde_json::{json, Value};
use support::{Request, Server};

fn email(record: &str, attachments: Vec<Attachment>) -> LoggedEmail {
    let (record_type, record_id) = record.split_once('/').unwrap();
    LoggedEmail {
        record_type: record_type.into(),
        record_id: record_id.into(),
        direction: Direction::Inbound,
        from: "Maria Lopez <maria@acme.example>".into(),
        to: vec!["jo@play.example".into()],
        cc: vec!["lee@play.example".into()],
        subject: "Our renewal".into(),
        text: "Can we talk about seats?".into(),
        html: Some("<p>Can we talk about seats?</p>".into()),
        at: 1_772_409_600, // 2026-03-02T00:00:00Z
        message_id: "<m1@acme.example>".into(),
        teammate: Some("jo@play.example".into()),
        attachments,
    }
}

fn quote() -> Attachment {
    Attachment { name: "quote.txt".into(), content_type: "text/plain".into(), data: b"50 seats".to_vec() }
}

fn sf_error(status: u16, code: &str, message: &str) -> (u16, Vec<(String, String)>, String) {
    (status, vec![], json!([{ "message": message, "errorCode": code, "fields": [] }]).to_string())
}

/// What the Salesforce fake made, each with its id.
type Made = Arc<Mutex<Vec<(String, Value)>>>;

/// Salesforce: tasks and content versions, by the ids it hands out.
fn fake_salesforce() -> (Server, Made) {
    let made: Made = Arc::default();
    let db = made.clone();
    let server = Server::with(move |r: &Request| {
        let body: Value = serde_json::from_str(&r.body).unwrap_or_default();
        let mut db = db.lock().unwrap();
        match (r.method.as_str(), r.path.as_str()) {
            ("POST", "/services/data/v61.0/sobjects/Task/") => {
                if body["Subject"].as_str().is_none_or(str::is_empty) {
                    return sf_error(400, "REQUIRED_FIELD_MISSING", "Required fields are missing: [Subject]");
                }
                let id = format!("00T{:012}", db.len() + 1);
                db.push((id.clone(), body));
                (201, vec![], json!({ "id": id, "success": true, "errors": [] }).to_string())
            }
            ("POST", "/services/data/v61.0/sobjects/ContentVersion/") => {
                let parent = body["FirstPublishLocationId"].as_str().unwrap_or_default();
                if !db.iter().any(|(id, _)| id == parent) {
                    return sf_error(
                        400,
                        "INVALID_CROSS_REFERENCE_KEY",
                        &format!("invalid cross reference id: {parent}"),
                    );
                }
                let data = body["VersionData"].as_str().unwrap_or_default();
                if base64::engine::general_purpose::STANDARD.decode(data).is_err()
                    || body["PathOnClient"].as_str().is_none()
                {
                    return sf_error(400, "INVALID_FIELD", "VersionData: bad value for restricted field");
                }
                let id = format!("068{:012}", db.len() + 1);
                db.push((id.clone(), body));
                (201, vec![], json!({ "id": id, "success": true, "errors": [] }).to_string())
            }
            _ => sf_error(404, "NOT_FOUND", "The requested resource does not exist"),
        }
    });
    (server, made)
}

fn salesforce(server: &Server) -> Salesforce {
    Salesforce { instance: server.root(), version: "61.0".into(), token: "t".into() }
}

#[test]
fn salesforce_gets_a_task_and_each_attachment_as_a_content_version_linked_to_it() {
    let (server, made) = fake_salesforce();
    let outcome = to_salesforce(&salesforce(&server), &email("Contact/003A", vec![quote()]), None, "email-1");
    assert!(matches!(outcome, Outcome::Delivered { .. }), "{outcome:?}");
    let made = made.lock().unwrap();
    assert_eq!(made.len(), 2);
    let (task_id, task) = &made[0];
    assert_eq!(
        (&task["Subject"], &task["TaskSubtype"], &task["Status"], &task["WhoId"], &task["ActivityDate"]),
        (&json!("Our renewal"), &json!("Email"), &json!("Completed"), &json!("003A"), &json!("2026-03-02"))
    );
    assert_eq!(
        task["Description"],
        "From: Maria Lopez <maria@acme.example>\nTo: jo@play.example\nCc: lee@play.example\nMessage-ID: <m1@acme.example>\n\nCan we talk about seats?"
    );
    let (_, version) = &made[1];
    assert_eq!(version["FirstPublishLocationId"], json!(task_id));
    assert_eq!(version["Title"], "quote.txt");
    let data = base64::engine::general_purpose::STANDARD.decode(version["VersionData"].as_str().unwrap()).unwrap();
    assert_eq!(data, b"50 seats");
}

#[test]
fn without_attachments_salesforce_gets_the_task_alone_and_a_refusal_is_verbatim() {
    let (server, made) = fake_salesforce();
    let outcome = to_salesforce(&salesforce(&server), &email("Account/001A", Vec::new()), None, "email-2");
    assert!(matches!(outcome, Outcome::Delivered { .. }));
    assert_eq!(made.lock().unwrap().len(), 1);
    assert_eq!(made.lock().unwrap()[0].1["WhatId"], "001A");
    let mut blank = email("Account/001A", Vec::new());
    blank.subject = " ".into();
    // A blank subject is written `(no subject)`, which Salesforce takes.
    assert!(matches!(to_salesforce(&salesforce(&server), &blank, None, "email-3"), Outcome::Delivered { .. }));
    let refused = to_salesforce(&salesforce(&server), &email("Widget/1", Vec::new()), None, "email-4");
    assert!(matches!(refused, Outcome::Failed { .. }), "a record type no activity takes is refused before any call");
    assert_eq!(server.requests().len(), 2);
}

/// HubSpot: the files API and the emails object.
fn fake_hubspot() -> (Server, Arc<Mutex<Vec<Value>>>) {
    let made: Arc<Mutex<Vec<Value>>> = Arc::default();
    let db = made.clone();
    let files: Arc<Mutex<Vec<(String, String)>>> = Arc::default();
    let server = Server::with(move |r: &Request| {
        let error = |status: u16, category: &str, message: &str| {
            let body =
                json!({ "status": "error", "message": message, "correlationId": "c0ffee", "category": category });
            (status, vec![], body.to_string())
        };
        match (r.method.as_str(), r.path.as_str()) {
            ("POST", "/files/v3/files") => {
                let Some(boundary) = r.header("content-type").and_then(|c| c.split_once("boundary=")).map(|b| b.1)
                else {
                    return error(415, "VALIDATION_ERROR", "Content type 'application/json' not supported");
                };
                let mut parts = std::collections::HashMap::new();
                for part in r.body.split(&format!("--{boundary}")) {
                    let Some((head, content)) = part.split_once("\r\n\r\n") else { continue };
                    let Some(name) = head.split("name=\"").nth(1).and_then(|n| n.split('"').next()) else { continue };
                    let filename = head.split("filename=\"").nth(1).and_then(|n| n.split('"').next());
                    let content = content.strip_suffix("\r\n").unwrap_or(content).to_string();
                    parts.insert(name.to_string(), (filename.map(String::from), content));
                }
                let Some((Some(filename), content)) = parts.get("file").cloned() else {
                    return error(400, "VALIDATION_ERROR", "file is required");
                };
                let options: Value =
                    parts.get("options").and_then(|(_, o)| serde_json::from_str(o).ok()).unwrap_or_default();
                if options["access"].as_str().is_none() {
                    return error(400, "VALIDATION_ERROR", "options.access is required");
                }
                if !parts.contains_key("folderPath") && !parts.contains_key("folderId") {
                    return error(400, "VALIDATION_ERROR", "folderId or folderPath is required");
                }
                let mut files = files.lock().unwrap();
                let id = format!("{}", 9000 + files.len());
                files.push((id.clone(), content));
                let body = json!({ "id": id, "name": filename, "access": options["access"],
                                   "path": format!("{}/{filename}", parts["folderPath"].1) });
                (201, vec![], body.to_string())
            }
            ("POST", "/crm/v3/objects/emails") => {
                let body: Value = serde_json::from_str(&r.body).unwrap_or_default();
                let ids = body["properties"]["hs_attachment_ids"].as_str().unwrap_or_default();
                let known = files.lock().unwrap();
                if let Some(bad) = ids.split(';').filter(|i| !i.is_empty()).find(|i| !known.iter().any(|(k, _)| k == i))
                {
                    return error(400, "VALIDATION_ERROR", &format!("File {bad} does not exist"));
                }
                if body["properties"]["hs_timestamp"].as_str().is_none() {
                    return error(400, "VALIDATION_ERROR", "Property hs_timestamp is required");
                }
                db.lock().unwrap().push(body);
                (201, vec![], json!({ "id": "512", "properties": {} }).to_string())
            }
            _ => error(404, "OBJECT_NOT_FOUND", "Object not found."),
        }
    });
    (server, made)
}

#[test]
fn hubspot_gets_the_files_first_then_the_email_carrying_their_ids() {
    let (server, made) = fake_hubspot();
    let hs = HubSpot { root: server.root(), token: "t".into() };
    let second =
        Attachment { name: "notes.md".into(), content_type: "text/markdown".into(), data: b"# Notes".to_vec() };
    let outcome = to_hubspot(&hs, &email("Account/77", vec![quote(), second]), "email-1");
    assert!(matches!(outcome, Outcome::Delivered { .. }), "{outcome:?}");
    let sent = server.requests();
    assert_eq!(
        sent.iter().map(|r| r.path.as_str()).collect::<Vec<_>>(),
        ["/files/v3/files", "/files/v3/files", "/crm/v3/objects/emails"]
    );
    assert!(sent[0].body.contains(HUBSPOT_FOLDER) && sent[0].body.contains("50 seats"));
    let made = made.lock().unwrap();
    let properties = &made[0]["properties"];
    assert_eq!(properties["hs_attachment_ids"], "9000;9001");
    assert_eq!(properties["hs_email_direction"], "INCOMING_EMAIL");
    assert_eq!(properties["hs_email_subject"], "Our renewal");
    assert_eq!(properties["hs_email_html"], "<p>Can we talk about seats?</p>");
    let headers: Value = serde_json::from_str(properties["hs_email_headers"].as_str().unwrap()).unwrap();
    assert_eq!(headers["from"]["email"], "maria@acme.example");
    assert_eq!(headers["cc"][0]["email"], "lee@play.example");
    // The email engagement to a company: association type 186, HubSpot-defined.
    assert_eq!(
        made[0]["associations"],
        json!([{ "to": { "id": "77" }, "types": [{ "associationCategory": "HUBSPOT_DEFINED", "associationTypeId": 186 }] }])
    );
}

#[test]
fn a_hubspot_outbound_email_without_attachments_has_no_attachment_ids() {
    let (server, made) = fake_hubspot();
    let hs = HubSpot { root: server.root(), token: "t".into() };
    let mut sent = email("Contact/5", Vec::new());
    sent.direction = Direction::Outbound;
    assert!(matches!(to_hubspot(&hs, &sent, "email-2"), Outcome::Delivered { .. }));
    let made = made.lock().unwrap();
    assert_eq!(made[0]["properties"]["hs_email_direction"], "EMAIL");
    assert!(made[0]["properties"].get("hs_attachment_ids").is_none());
    assert_eq!(made[0]["associations"][0]["types"][0]["associationTypeId"], 198, "email to contact");
}

#[test]
fn a_refused_upload_stops_the_email_with_hubspots_message() {
    let server = Server::start(vec![(
        403,
        vec![],
        r#"{"status":"error","message":"This app hasn't been granted all required scopes to make this call.","category":"MISSING_SCOPES","correlationId":"1"}"#,
    )]);
    let hs = HubSpot { root: server.root(), token: "t".into() };
    match to_hubspot(&hs, &email("Contact/5", vec![quote()]), "email-3") {
        Outcome::Paused { code, message } => {
            assert_eq!(code, "403 MISSING_SCOPES");
            assert_eq!(
                message,
                "the attachment `quote.txt`: This app hasn't been granted all required scopes to make this call."
            );
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(server.requests().len(), 1, "no email is made without its files");
}
