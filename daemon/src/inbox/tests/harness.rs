//! A daemon in process on the customer-success example (clock following the changes, lee
//! the workspace owner), and a browser-like client that keeps its session cookie.

use std::path::Path;
use std::sync::{Arc, Mutex};

use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use axum::Router;
use play_store::{ActionRow, SqliteStore, Store};
use tower::ServiceExt;

use crate::http::{App, Opener};

pub const CHANGES: &str = include_str!("../../../../examples/customer-success/changes.jsonl");
/// Jo's view: the one public playbook's review task of Acme.
pub const PUBLIC_TASK: &str = "5c50141bb2f2b84f";
/// The public playbook's drafted email to Maria.
pub const PUBLIC_EMAIL: &str = "5b0859af74b63c7b";
/// A private playbook's (at_risk_escalation, owned by lee) task.
pub const PRIVATE_TASK: &str = "40cc7136fb30c2e7";

pub struct Daemon {
    pub router: Router,
    pub store: SqliteStore,
    /// A copy of the example's sources: the project the inbox publishes into.
    pub project: std::path::PathBuf,
    /// The SQLite store's file (for an outbox worker of its own).
    pub path: std::path::PathBuf,
    _dir: tempfile::TempDir,
}

pub fn program(example: &str) -> play_compiler::program::Program {
    let folder = Path::new(env!("CARGO_MANIFEST_DIR")).join("../examples").join(example);
    let mut sources = Vec::new();
    for entry in std::fs::read_dir(&folder).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "play") {
            sources.push((
                path.file_name().unwrap().to_string_lossy().into_owned(),
                std::fs::read_to_string(&path).unwrap(),
            ));
        }
    }
    sources.sort();
    let borrowed: Vec<(&str, &str)> = sources.iter().map(|(n, t)| (n.as_str(), t.as_str())).collect();
    play_compiler::lower::build(&borrowed).unwrap_or_else(|_| panic!("the example builds"))
}

impl Daemon {
    /// The daemon with the example's changes taken, and tokens `jo-token`, `lee-token`.
    pub async fn start() -> Daemon {
        Daemon::with_changes(CHANGES).await
    }

    pub async fn with_changes(changes: &str) -> Daemon {
        Daemon::example("customer-success", changes).await
    }

    /// The daemon on another example project of `examples/`.
    pub async fn example(example: &str, changes: &str) -> Daemon {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("state.db");
        let at = path.clone();
        let file = path.clone();
        let open: Opener = Arc::new(move || SqliteStore::open(&at).map(|s| Box::new(s) as Box<dyn Store>));
        let mut store = SqliteStore::open(&path).unwrap();
        store.add_token("jo@example.com", &crate::auth::token_hash("jo-token")).unwrap();
        store.add_token("lee@example.com", &crate::auth::token_hash("lee-token")).unwrap();
        let status = Arc::new(Mutex::new(crate::status::Status::default()));
        let program = program(example);
        let mut writer = crate::writer::Writer::new(
            crate::host::Host::new(program.clone()),
            open().unwrap(),
            status.clone(),
            Some("lee@example.com".into()),
        );
        writer.follow_changes = true;
        writer.recover().unwrap();
        writer.deploy_if_new(program, crate::clock::wall()).unwrap();
        let (requests, inbox) = std::sync::mpsc::channel();
        std::thread::spawn(move || writer.serve(inbox));
        let app = App::new(requests, open, status, None);
        let project = dir.path().join("project");
        std::fs::create_dir(&project).unwrap();
        let folder = Path::new(env!("CARGO_MANIFEST_DIR")).join("../examples").join(example);
        for entry in std::fs::read_dir(&folder).unwrap() {
            let path = entry.unwrap().path();
            if path.extension().is_some_and(|e| e == "play") {
                std::fs::copy(&path, project.join(path.file_name().unwrap())).unwrap();
            }
        }
        let publishing = Some(super::super::Project { root: project.clone() });
        let router = crate::http::router(app.clone()).merge(super::super::with_project(app, publishing));
        let daemon = Daemon { router, store, project, path: file, _dir: dir };
        daemon.changes(changes).await;
        daemon
    }

    /// Takes change lines as the CRM sends them (lee's token); every one must be accepted.
    pub async fn changes(&self, changes: &str) {
        let daemon = self;
        let request = Request::post("/v1/changes")
            .header(header::AUTHORIZATION, "Bearer lee-token")
            .body(Body::from(changes.to_string()))
            .unwrap();
        let answer = daemon.router.clone().oneshot(request).await.unwrap();
        assert_eq!(answer.status(), StatusCode::OK);
        let report = axum::body::to_bytes(answer.into_body(), usize::MAX).await.unwrap();
        let report: serde_json::Value = serde_json::from_slice(&report).unwrap();
        assert_eq!(report["refused"], serde_json::json!([]), "{report}");
    }

    pub fn action(&self, id: &str) -> ActionRow {
        self.store.action(id).unwrap().unwrap_or_else(|| panic!("no action {id}"))
    }

    /// A browser with no cookies.
    pub fn browser(&self) -> Browser {
        Browser { router: self.router.clone(), cookies: Vec::new() }
    }

    /// A browser signed in as the owner of `token`.
    pub async fn signed_in(&self, token: &str) -> Browser {
        let mut b = self.browser();
        let form = b.get("/sign-in").await;
        assert_eq!(form.status, StatusCode::OK);
        let csrf = form.field("csrf");
        let answer = b.post("/sign-in", &[("csrf", &csrf), ("token", token), ("next", "/")]).await;
        assert_eq!(answer.status, StatusCode::SEE_OTHER, "{}", answer.body);
        b
    }
}

/// A page as the browser got it.
pub struct Answer {
    pub status: StatusCode,
    pub location: Option<String>,
    pub body: String,
}

impl Answer {
    /// The value of the first hidden field named `name`.
    pub fn field(&self, name: &str) -> String {
        let marker = format!("name=\"{name}\" value=\"");
        let start =
            self.body.find(&marker).unwrap_or_else(|| panic!("no field {name} in {}", self.body)) + marker.len();
        self.body[start..].split('"').next().unwrap().to_string()
    }
}

/// Keeps cookies like a browser (one site, no expiry bookkeeping beyond `Max-Age=0`).
pub struct Browser {
    router: Router,
    pub cookies: Vec<(String, String)>,
}

impl Browser {
    pub async fn get(&mut self, path: &str) -> Answer {
        self.send(Request::get(path), Body::empty()).await
    }

    pub async fn post(&mut self, path: &str, fields: &[(&str, &str)]) -> Answer {
        let body = form_urlencoded::Serializer::new(String::new()).extend_pairs(fields).finish();
        let request = Request::post(path).header(header::CONTENT_TYPE, "application/x-www-form-urlencoded");
        self.send(request, Body::from(body)).await
    }

    /// Posts with the session's CSRF token, read from `page`.
    pub async fn submit(&mut self, page: &str, path: &str, fields: &[(&str, &str)]) -> Answer {
        let csrf = self.get(page).await.field("csrf");
        let mut all = vec![("csrf", csrf.as_str())];
        all.extend_from_slice(fields);
        self.post(path, &all).await
    }

    async fn send(&mut self, mut request: axum::http::request::Builder, body: Body) -> Answer {
        if !self.cookies.is_empty() {
            let jar: Vec<String> = self.cookies.iter().map(|(k, v)| format!("{k}={v}")).collect();
            request = request.header(header::COOKIE, jar.join("; "));
        }
        let answer = self.router.clone().oneshot(request.body(body).unwrap()).await.unwrap();
        for set in answer.headers().get_all(header::SET_COOKIE) {
            let set = set.to_str().unwrap();
            let (pair, rest) = set.split_once(';').unwrap_or((set, ""));
            let (k, v) = pair.split_once('=').unwrap();
            self.cookies.retain(|(name, _)| name != k);
            if !rest.contains("Max-Age=0") {
                self.cookies.push((k.to_string(), v.to_string()));
            }
        }
        let status = answer.status();
        let location = answer.headers().get(header::LOCATION).map(|l| l.to_str().unwrap().to_string());
        let bytes = axum::body::to_bytes(answer.into_body(), usize::MAX).await.unwrap();
        Answer { status, location, body: String::from_utf8(bytes.to_vec()).unwrap() }
    }
}
