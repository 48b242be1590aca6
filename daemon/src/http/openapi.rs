//! `GET /openapi.json`: the API described as OpenAPI 3. [`ROUTES`] lists every route the
//! router serves; a test holds the router, this list and the document to each other.

use axum::Json;
use serde_json::{json, Map, Value};

/// Every route: method, path (OpenAPI's `{name}` form), summary, whether it needs a token.
pub const ROUTES: &[(&str, &str, &str, bool)] = &[
    ("post", "/v1/changes", "Change lines (ndjson or a JSON array); answered once the accepted ones are durable", true),
    ("get", "/v1/actions", "The queue, ranked by priority then age, a page at a time", true),
    ("get", "/v1/actions/{id}", "One action", true),
    ("post", "/v1/actions/{id}/complete", "Complete an action (body: note)", true),
    ("post", "/v1/actions/{id}/dismiss", "Dismiss an action (body: reason)", true),
    ("post", "/v1/actions/{id}/snooze", "Snooze an action (body: until)", true),
    ("post", "/v1/actions/{id}/approve", "Approve an email task (body: subject, body to edit)", true),
    ("post", "/v1/records/{type}/{id}/activities", "Add an optional activity (body: playbook, activity)", true),
    (
        "post",
        "/v1/tasks",
        "Make an ad hoc task, outside any playbook (body: title, record `Type/id`, and to, due, note); answers it",
        true,
    ),
    (
        "get",
        "/v1/tasks/orphans",
        "Completed work whose record the CRM could not match, newest first, a page at a time (?limit=&cursor=)",
        true,
    ),
    (
        "post",
        "/v1/tasks/{id}/adopt",
        "Attach an orphan to another record (body: record `Type/id`); it syncs again",
        true,
    ),
    ("get", "/v1/runs", "Runs, in flight first (?record=Type/id)", true),
    ("get", "/v1/history", "Run history (?record=&playbook=&since=)", true),
    ("get", "/v1/explain", "Why a playbook did or did not enrol a record (?record=Type/id&playbook=NAME)", true),
    (
        "get",
        "/v1/cases/{playbook}/{type}/{id}",
        "A case: its playbook's latest run on the record as stages (done, open, not reached yet) with their \
         activities, each with its actions (id, state, assignee, the record it creates)",
        true,
    ),
    ("get", "/v1/status", "The program running, the last refused reload, the journal position, timers, backlog", true),
    (
        "get",
        "/v1/sync-log",
        "Every delivery attempt with the remote code and message (?since=&limit=&sink=&record=&outcome=&teammate=); \
         `Accept: text/csv` gives the last 30 days as CSV",
        true,
    ),
    (
        "get",
        "/v1/deliveries",
        "Outbox rows and where each is: pending, delivered, dead or skipped (?state=&kind=&sink=&limit=&before=)",
        true,
    ),
    ("post", "/v1/deliveries/{id}/retry", "Retry a dead or skipped delivery after a fix", true),
    (
        "post",
        "/v1/unsubscribe",
        "One-click unsubscribe from automatic emails (?email=&action=, the link in List-Unsubscribe)",
        false,
    ),
    (
        "post",
        "/v1/sync",
        "Pull changes from the CRM now: every configured object, or one record (body: record, `Type/id`)",
        true,
    ),
    (
        "post",
        "/v1/emails",
        "Log emails from your mailbox to the CRM record each concerns (a contact by address, else an account by \
         domain), unless a switch or blacklist keeps it out; durable before the answer, once per message id",
        true,
    ),
    (
        "post",
        "/v1/calls",
        "Log calls to the CRM record each names, or else matches by its `with` address (a contact by address, \
         else an account by domain); one matching no record is an orphan to adopt; durable before the answer, once \
         per call_id",
        true,
    ),
    ("get", "/v1/blacklists/company", "The company's email sync: on or off, attachments, and its blacklist", true),
    (
        "put",
        "/v1/blacklists/company",
        "Replace the company's email sync and blacklist (the workspace owner only)",
        true,
    ),
    ("get", "/v1/blacklists/me", "Your own email sync: inbound and outbound switches, and your blacklist", true),
    ("put", "/v1/blacklists/me", "Replace your own email sync switches and blacklist", true),
    ("get", "/metrics", "Prometheus metrics", false),
    ("get", "/openapi.json", "This document", false),
];

/// The query parameters of a path.
fn query_params(path: &str) -> &'static [&'static str] {
    match path {
        "/v1/actions" => &["assignee", "state", "category", "playbook", "record", "limit", "cursor"],
        "/v1/runs" => &["record", "limit"],
        "/v1/history" => &["record", "playbook", "since", "limit"],
        "/v1/explain" => &["record", "playbook"],
        "/v1/sync-log" => &["since", "limit", "sink", "record", "outcome", "teammate"],
        "/v1/deliveries" => &["state", "kind", "sink", "limit", "before"],
        "/v1/tasks/orphans" => &["limit", "cursor"],
        "/v1/unsubscribe" => &["email", "action"],
        _ => &[],
    }
}

/// What a route may answer: every refusal is `{"error", "field"?}` as JSON.
fn responses(method: &str, path: &str, secured: bool) -> Value {
    let error = |description: &str| {
        json!({ "description": description,
                "content": { "application/json": { "schema": { "$ref": "#/components/schemas/Error" } } } })
    };
    let mut answers = Map::new();
    let ok = if path == "/metrics" {
        json!({ "description": "Prometheus text exposition", "content": { "text/plain": { "schema": { "type": "string" } } } })
    } else if path == "/v1/sync-log" {
        json!({ "description": "done", "content": {
            "application/json": { "schema": { "type": "object" } },
            "text/csv": { "schema": { "type": "string" } } } })
    } else if let Some(schema) = sync_settings(path) {
        json!({ "description": "the settings in force", "content": { "application/json": { "schema": schema } } })
    } else {
        json!({ "description": "done", "content": { "application/json": { "schema": { "type": "object" } } } })
    };
    answers.insert("200".into(), ok);
    if path == "/v1/unsubscribe" {
        answers.insert("400".into(), error("the link lacks its email or action"));
        answers.insert("404".into(), error("no automatic email was sent with this link"));
    }
    if !secured {
        return Value::Object(answers);
    }
    if path.ends_with("/adopt") {
        answers.insert("409".into(), error("the task's work is not an orphan: nothing to adopt"));
    }
    if path.ends_with("/retry") {
        answers.insert("409".into(), error("the delivery is pending or delivered: nothing to retry"));
    }
    if path == "/v1/sync" {
        answers.insert("409".into(), error("no CRM is configured in play.toml"));
        answers.insert("500".into(), error("the project or the store could not be read for the pull"));
    }
    if method == "put" {
        if path == "/v1/blacklists/company" {
            answers.insert("403".into(), error("only the workspace owner may change the company's settings"));
        }
        answers.insert("413".into(), error("the body is over the limit"));
        answers.insert("422".into(), error("an entry is not a domain, an address or a keyword; `field` names it"));
    }
    let post = method == "post";
    answers.insert("400".into(), error("a malformed parameter or body"));
    answers.insert("401".into(), error("no valid credentials"));
    if path.contains('{') || path == "/v1/explain" {
        answers.insert("404".into(), error("not there, or not yours to see"));
    }
    if post {
        answers.insert("413".into(), error("the body is over the limit"));
        answers.insert("415".into(), error("the body is not of a type this route reads"));
    }
    if path == "/v1/emails" || path == "/v1/calls" {
        answers.insert(
            "422".into(),
            error("an email's or call's field is not what it holds; `field` names it, nothing is stored"),
        );
    } else if post && path != "/v1/changes" {
        answers.insert("422".into(), error("the engine refuses the operation, in its words"));
    }
    answers.insert("503".into(), error("the daemon is stopping or its store cannot be read; try again"));
    Value::Object(answers)
}

/// The body a route reads, where it reads one.
fn request_body(path: &str) -> Option<Value> {
    let text = |names: &[&str]| {
        let properties: Map<String, Value> =
            names.iter().map(|n| (n.to_string(), json!({ "type": "string" }))).collect();
        json!({ "type": "object", "properties": properties, "additionalProperties": false })
    };
    let schema = match path {
        "/v1/changes" => {
            return Some(json!({ "required": true, "content": {
                "application/x-ndjson": { "schema": { "type": "string" } },
                "application/json": { "schema": { "type": "array", "items": { "type": "object" } } } } }))
        }
        "/v1/records/{type}/{id}/activities" => {
            let mut schema = text(&["playbook", "activity"]);
            schema["required"] = json!(["playbook", "activity"]);
            schema
        }
        "/v1/sync" => text(&["record"]),
        "/v1/emails" => return Some(emails_body()),
        "/v1/calls" => return Some(calls_body()),
        "/v1/tasks" => {
            let mut schema = text(&["title", "record", "to", "due", "note"]);
            schema["required"] = json!(["title", "record"]);
            schema
        }
        "/v1/tasks/{id}/adopt" => {
            let mut schema = text(&["record"]);
            schema["required"] = json!(["record"]);
            return Some(json!({ "required": true, "content": { "application/json": { "schema": schema } } }));
        }
        p if p.starts_with("/v1/actions/{id}/") => text(&["note", "reason", "until", "subject", "body"]),
        p => {
            return sync_settings(p)
                .map(|s| json!({ "required": true, "content": { "application/json": { "schema": s } } }))
        }
    };
    Some(json!({ "content": { "application/json": { "schema": schema } } }))
}

/// What `POST /v1/emails` reads: `{"emails": [ … ]}`.
fn emails_body() -> Value {
    let text = |what: &str| json!({ "type": "string", "description": what });
    let addresses = json!({ "type": "array", "items": { "type": "string" } });
    let attachment = json!({ "type": "object", "required": ["name", "content"], "properties": {
        "name": text("the file's name"), "content_type": text("its MIME type"),
        "content": text("its bytes in base64") } });
    let email = json!({ "type": "object", "additionalProperties": false,
        "required": ["message_id", "from", "to", "sent_at"], "properties": {
        "message_id": text("the Message-ID: an email posted twice is logged once"),
        "from": text("the sender's address"), "to": addresses, "cc": addresses,
        "subject": text("the subject"), "text": text("the plain-text body"), "html": text("the HTML body"),
        "sent_at": text("when it was sent, RFC 3339"),
        "direction": { "type": "string", "enum": ["inbound", "outbound"],
                       "description": "by default outbound when you sent it, else inbound" },
        "attachments": { "type": "array", "items": attachment } } });
    json!({ "required": true, "content": { "application/json": { "schema": {
        "type": "object", "required": ["emails"], "additionalProperties": false,
        "properties": { "emails": { "type": "array", "items": email } } } } } })
}

/// What `POST /v1/calls` reads: `{"calls": [ … ]}`.
fn calls_body() -> Value {
    let text = |what: &str| json!({ "type": "string", "description": what });
    let call = json!({ "type": "object", "additionalProperties": false,
        "required": ["call_id", "at"], "properties": {
        "call_id": text("the dialer's id of the call: a call posted twice is logged once"),
        "record": text("the CRM record it is logged to, as Type/id (Account, Contact, Lead, Opportunity, Case)"),
        "with": text("the other party's address, matched when no record is given"),
        "subject": text("the subject (`Call` when left out)"), "notes": text("what was said"),
        "duration_seconds": { "type": "integer", "minimum": 0, "description": "how long it lasted" },
        "direction": { "type": "string", "enum": ["inbound", "outbound"], "description": "outbound by default" },
        "outcome": text("what came of it: connected, left voicemail, …"),
        "at": text("when it took place, RFC 3339") } });
    json!({ "required": true, "content": { "application/json": { "schema": {
        "type": "object", "required": ["calls"], "additionalProperties": false,
        "properties": { "calls": { "type": "array", "items": call } } } } } })
}

/// The email-sync settings of `/v1/blacklists/…`: what a PUT sends and every answer gives.
fn sync_settings(path: &str) -> Option<Value> {
    let list = |what: &str| json!({ "type": "array", "items": { "type": "string" }, "description": what });
    let blacklist = json!({ "type": "object", "additionalProperties": false, "properties": {
        "domains": list("an address at one of these domains, or their subdomains, is not logged"),
        "addresses": list("these addresses are not logged"),
        "keywords": list("an email with one of these in its subject or body is not logged (any case)") } });
    let switch = |what: &str| json!({ "type": "boolean", "default": true, "description": what });
    let properties = match path {
        "/v1/blacklists/company" => json!({
            "enabled": switch("email sync on or off for everyone"),
            "attachments": { "type": "boolean", "default": false, "description": "attachments are logged too" },
            "blacklist": blacklist }),
        "/v1/blacklists/me" => json!({
            "inbound": switch("the emails you receive are logged"),
            "outbound": switch("the emails you send are logged"),
            "blacklist": blacklist }),
        _ => return None,
    };
    Some(json!({ "type": "object", "additionalProperties": false, "properties": properties }))
}

pub async fn document() -> Json<Value> {
    Json(openapi())
}

/// The document.
pub fn openapi() -> Value {
    let mut paths = Map::new();
    for &(method, path, summary, secured) in ROUTES {
        let mut parameters: Vec<Value> = path
            .split('/')
            .filter_map(|p| p.strip_prefix('{').and_then(|p| p.strip_suffix('}')))
            .map(|name| json!({ "name": name, "in": "path", "required": true, "schema": { "type": "string" } }))
            .collect();
        parameters.extend(
            query_params(path).iter().map(|n| json!({ "name": n, "in": "query", "schema": { "type": "string" } })),
        );
        let mut op =
            json!({ "summary": summary, "parameters": parameters, "responses": responses(method, path, secured) });
        if let Some(body) = request_body(path) {
            op["requestBody"] = body;
        }
        if secured {
            op["security"] = json!([{ "bearer": [] }, { "signature": [] }]);
        }
        let entry = paths.entry(path.to_string()).or_insert_with(|| json!({}));
        entry[method] = op;
    }
    json!({
        "openapi": "3.0.3",
        "info": { "title": "Play daemon", "version": env!("CARGO_PKG_VERSION") },
        "paths": paths,
        "components": {
          "schemas": { "Error": { "type": "object", "required": ["error"], "properties": {
              "error": { "type": "string" }, "field": { "type": "string" } } } },
          "securitySchemes": {
            "bearer": { "type": "http", "scheme": "bearer" },
            "signature": { "type": "apiKey", "in": "header", "name": "X-Play-Signature" }
        } }
    })
}

#[cfg(test)]
mod tests {
    use std::sync::{Arc, Mutex};

    use axum::body::Body;
    use axum::http::{Request, StatusCode};
    use play_store::{SqliteStore, Store};
    use tower::ServiceExt;

    use super::*;
    use crate::http::{router, App, Opener};

    #[tokio::test]
    async fn every_route_is_in_the_document_and_served_with_its_credentials() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("state.db");
        let open: Opener = Arc::new(move || SqliteStore::open(&path).map(|s| Box::new(s) as Box<dyn Store>));
        let (requests, _inbox) = std::sync::mpsc::channel();
        let app = App::new(requests, open, Arc::new(Mutex::new(Default::default())), None);
        let document = openapi();
        for &(method, path, _, secured) in ROUTES {
            assert!(document["paths"][path][method].is_object(), "{method} {path} is in openapi.json");
            let uri = path.replace("{id}", "x").replace("{type}", "Account");
            let request =
                Request::builder().method(method.to_uppercase().as_str()).uri(&uri).body(Body::empty()).unwrap();
            let status = router(app.clone()).oneshot(request).await.unwrap().status();
            if secured {
                assert_eq!(status, StatusCode::UNAUTHORIZED, "{method} {uri} asks for credentials");
            } else {
                // Served without credentials (the unsubscribe link answers 400 without its query).
                let refused = [StatusCode::UNAUTHORIZED, StatusCode::NOT_FOUND, StatusCode::METHOD_NOT_ALLOWED];
                assert!(!refused.contains(&status), "{method} {uri} is served without credentials: {status}");
            }
        }
        // axum's own refusals are JSON errors too, their headers kept.
        for (method, uri, status) in
            [("GET", "/nowhere", StatusCode::NOT_FOUND), ("DELETE", "/metrics", StatusCode::METHOD_NOT_ALLOWED)]
        {
            let request = Request::builder().method(method).uri(uri).body(Body::empty()).unwrap();
            let answer = router(app.clone()).oneshot(request).await.unwrap();
            assert_eq!(answer.status(), status);
            assert_eq!(answer.headers()["content-type"], "application/json", "{method} {uri}");
            if status == StatusCode::METHOD_NOT_ALLOWED {
                assert!(answer.headers().contains_key("allow"), "the Allow header is kept");
            }
            let body = axum::body::to_bytes(answer.into_body(), 1 << 16).await.unwrap();
            let body: Value = serde_json::from_slice(&body).unwrap();
            assert!(body["error"].as_str().is_some_and(|e| !e.is_empty()), "{method} {uri}: {body}");
        }
        let paths = document["paths"].as_object().unwrap();
        let listed: usize = paths.values().map(|p| p.as_object().unwrap().len()).sum();
        assert_eq!(listed, ROUTES.len(), "the document has no route the router lacks");
    }
}
