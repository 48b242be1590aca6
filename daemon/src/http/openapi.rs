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
    ("get", "/v1/runs", "Runs, in flight first (?record=Type/id)", true),
    ("get", "/v1/history", "Run history (?record=&playbook=&since=)", true),
    ("get", "/v1/status", "The program running, the last refused reload, the journal position, timers, backlog", true),
    ("get", "/v1/sync-log", "Delivery attempts (empty until delivery is built)", true),
    ("get", "/metrics", "Prometheus metrics", false),
    ("get", "/openapi.json", "This document", false),
];

const QUEUE_PARAMS: [&str; 7] = ["assignee", "state", "category", "playbook", "record", "limit", "cursor"];

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
        if path == "/v1/actions" {
            parameters.extend(
                QUEUE_PARAMS.iter().map(|n| json!({ "name": n, "in": "query", "schema": { "type": "string" } })),
            );
        }
        let mut op = json!({
            "summary": summary,
            "parameters": parameters,
            "responses": {
                "200": { "description": "done", "content": { "application/json": {} } },
                "401": { "description": "no valid credentials" },
                "404": { "description": "not there, or not yours to see" }
            }
        });
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
        "components": { "securitySchemes": {
            "bearer": { "type": "http", "scheme": "bearer" },
            "signature": { "type": "apiKey", "in": "header", "name": "X-Play-Signature" }
        } }
    })
}
