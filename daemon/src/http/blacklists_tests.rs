//! The email-sync settings through the router: defaults, a teammate's own list kept apart
//! from another's, the company's changed by the workspace owner alone, and bad bodies
//! refused as JSON naming the field.

use std::sync::{Arc, Mutex};

use axum::body::Body;
use axum::http::{Request, StatusCode};
use play_store::{SqliteStore, Store};
use serde_json::{json, Value};
use tower::ServiceExt;

use crate::http::{router, App, Opener};
use crate::status::Status;

/// Tokens `jo` (the workspace owner when `owner` says so) and `lee`.
fn app(dir: &std::path::Path, owner: Option<&str>) -> App {
    let path = dir.join("state.db");
    let mut s = SqliteStore::open(&path).unwrap();
    s.add_token("jo@example.com", &crate::auth::token_hash("jo")).unwrap();
    s.add_token("lee@example.com", &crate::auth::token_hash("lee")).unwrap();
    let open: Opener = Arc::new(move || SqliteStore::open(&path).map(|s| Box::new(s) as Box<dyn Store>));
    let (requests, _inbox) = std::sync::mpsc::channel();
    let status = Status { workspace_owner: owner.map(String::from), ..Status::default() };
    App::new(requests, open, Arc::new(Mutex::new(status)), None)
}

async fn call(app: &App, token: &str, method: &str, uri: &str, body: &str) -> (StatusCode, Value) {
    let request = Request::builder()
        .method(method)
        .uri(uri)
        .header("authorization", format!("Bearer {token}"))
        .header("content-type", "application/json")
        .body(Body::from(body.to_string()))
        .unwrap();
    let response = router(app.clone()).oneshot(request).await.unwrap();
    let status = response.status();
    assert_eq!(response.headers()["content-type"], "application/json", "{method} {uri}");
    let bytes = axum::body::to_bytes(response.into_body(), 1 << 20).await.unwrap();
    (status, serde_json::from_slice(&bytes).unwrap())
}

#[tokio::test]
async fn each_teammate_keeps_their_own_switches_and_blacklist() {
    let dir = tempfile::tempdir().unwrap();
    let app = app(dir.path(), Some("jo@example.com"));
    let empty = json!({ "domains": [], "addresses": [], "keywords": [] });
    let (code, v) = call(&app, "jo", "GET", "/v1/blacklists/me", "").await;
    assert_eq!((code, v), (StatusCode::OK, json!({ "inbound": true, "outbound": true, "blacklist": empty })));
    let mine =
        r#"{"outbound": false, "blacklist": {"domains": [" Family.Example "], "keywords": ["Salary", "salary"]}}"#;
    let (code, v) = call(&app, "lee", "PUT", "/v1/blacklists/me", mine).await;
    assert_eq!(code, StatusCode::OK, "{v}");
    let kept = json!({ "inbound": true, "outbound": false,
                       "blacklist": { "domains": ["family.example"], "addresses": [], "keywords": ["salary"] } });
    assert_eq!(v, kept, "trimmed, lower case, each once; unset switches on");
    assert_eq!(call(&app, "lee", "GET", "/v1/blacklists/me", "").await.1, kept);
    assert_eq!(call(&app, "jo", "GET", "/v1/blacklists/me", "").await.1["outbound"], true, "lee's are lee's");
}

#[tokio::test]
async fn only_the_workspace_owner_changes_the_companys_settings() {
    let dir = tempfile::tempdir().unwrap();
    let app = app(dir.path(), Some("jo@example.com"));
    let (code, v) = call(&app, "lee", "GET", "/v1/blacklists/company", "").await;
    assert_eq!(code, StatusCode::OK);
    assert_eq!((v["enabled"].clone(), v["attachments"].clone()), (json!(true), json!(false)), "the defaults");
    let body = r#"{"attachments": true, "blacklist": {"addresses": ["Board@Acme.example"]}}"#;
    let (code, v) = call(&app, "lee", "PUT", "/v1/blacklists/company", body).await;
    assert_eq!(code, StatusCode::FORBIDDEN);
    assert_eq!(
        v["error"],
        "only the workspace owner (jo@example.com) may change the company's email sync and blacklist"
    );
    assert_eq!(call(&app, "lee", "GET", "/v1/blacklists/company", "").await.1["attachments"], false, "unchanged");
    let (code, v) = call(&app, "jo", "PUT", "/v1/blacklists/company", body).await;
    assert_eq!(code, StatusCode::OK, "{v}");
    let (_, v) = call(&app, "lee", "GET", "/v1/blacklists/company", "").await;
    assert_eq!(v["attachments"], true);
    assert_eq!(v["blacklist"]["addresses"], json!(["board@acme.example"]));

    let elsewhere = tempfile::tempdir().unwrap();
    let nobody = self::app(elsewhere.path(), None);
    let (code, v) = call(&nobody, "jo", "PUT", "/v1/blacklists/company", "{}").await;
    assert_eq!(code, StatusCode::FORBIDDEN);
    assert!(v["error"].as_str().unwrap().contains("set `owner` in play.toml"), "{v}");
}

#[tokio::test]
async fn a_bad_body_is_refused_naming_what_is_wrong_and_nothing_is_saved() {
    let dir = tempfile::tempdir().unwrap();
    let app = app(dir.path(), Some("jo@example.com"));
    let (code, v) =
        call(&app, "jo", "PUT", "/v1/blacklists/me", r#"{"blacklist": {"domains": ["acme.com", "@x"]}}"#).await;
    assert_eq!(code, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(v["field"], "blacklist.domains[1]");
    assert_eq!(v["error"], "`blacklist.domains[1]` is a domain such as `acme.com`, not `@x`");
    let (code, v) = call(&app, "jo", "PUT", "/v1/blacklists/me", r#"{"attachments": true}"#).await;
    assert_eq!(code, StatusCode::BAD_REQUEST, "attachments are set company-wide only");
    assert!(v["error"].as_str().unwrap().contains("unknown field `attachments`"), "{v}");
    for bad in ["", "[]", "{\"inbound\": \"yes\"}", "{\"blacklist\": {\"keywords\": [1]}}"] {
        let (code, v) = call(&app, "jo", "PUT", "/v1/blacklists/company", bad).await;
        assert_eq!(code, StatusCode::BAD_REQUEST, "{bad}: {v}");
    }
    assert_eq!(call(&app, "jo", "GET", "/v1/blacklists/me", "").await.1["blacklist"]["domains"], json!([]));
}
