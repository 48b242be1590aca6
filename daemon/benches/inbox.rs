//! The inbox's queue page with 10,000 open actions, against the JSON API's first page of
//! the same queue (the baseline, in the same run): what server-rendering the page costs.

use std::sync::{Arc, Mutex};

use axum::body::Body;
use axum::http::{header, Request};
use axum::Router;
use criterion::{criterion_group, criterion_main, Criterion};
use play_daemon::http::{App, Opener};
use play_store::{ActionRow, ActionState, Batch, SqliteStore, Store};
use tower::ServiceExt;

const OPEN: usize = 10_000;

fn row(n: usize) -> ActionRow {
    let category = ["outreach", "risk", "growth"][n % 3];
    let json = serde_json::json!({
        "at": "2026-03-02T09:00:00Z", "id": format!("a{n:06}"), "playbook": "renewal_risk", "version": "v1",
        "step": format!("s{}", n % 7), "action": "task", "record": format!("Account/acct{n}"),
        "priority": (n % 50) as f64, "category": category, "title": format!("Call account {n} about the renewal"),
        "to": "jo@example.com", "context": { "trigger": "account.health falls", "conditions": [] }
    });
    ActionRow {
        id: format!("a{n:06}"),
        at: 1_772_442_000 + n as i64 * 60,
        seq: n as u64,
        playbook: "renewal_risk".into(),
        step: format!("s{}", n % 7),
        record: format!("Account/acct{n}"),
        kind: "task".into(),
        category: Some(category.into()),
        assignee: Some("jo@example.com".into()),
        priority: (n % 50) as f64,
        state: ActionState::Open,
        public: true,
        owner: None,
        snoozed_until: None,
        json: json.to_string(),
    }
}

async fn send(router: &Router, request: Request<Body>) -> (Vec<String>, String) {
    let answer = router.clone().oneshot(request).await.unwrap();
    let cookies =
        answer.headers().get_all(header::SET_COOKIE).iter().map(|c| c.to_str().unwrap().to_string()).collect();
    let body = axum::body::to_bytes(answer.into_body(), usize::MAX).await.unwrap();
    (cookies, String::from_utf8_lossy(&body).into_owned())
}

fn pair(set_cookie: &str) -> String {
    set_cookie.split(';').next().unwrap().to_string()
}

fn queue(c: &mut Criterion) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("state.db");
    let mut store = SqliteStore::open(&path).unwrap();
    store.add_token("jo@example.com", &play_daemon::token_hash("jo-token")).unwrap();
    store.append(&Batch { actions: (0..OPEN).map(row).collect(), ..Batch::default() }).unwrap();
    let at = path.clone();
    let open: Opener = Arc::new(move || SqliteStore::open(&at).map(|s| Box::new(s) as Box<dyn Store>));
    let (requests, _engine) = std::sync::mpsc::channel();
    let app = App::new(requests, open, Arc::new(Mutex::new(Default::default())), None);
    let router = play_daemon::http::router(app.clone()).merge(play_daemon::inbox::router(app));
    let runtime = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
    let session = runtime.block_on(async {
        let (cookies, form) = send(&router, Request::get("/sign-in").body(Body::empty()).unwrap()).await;
        let marker = "name=\"csrf\" value=\"";
        let start = form.find(marker).unwrap() + marker.len();
        let csrf = &form[start..start + 64];
        let request = Request::post("/sign-in")
            .header(header::COOKIE, pair(&cookies[0]))
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .body(Body::from(format!("csrf={csrf}&token=jo-token")))
            .unwrap();
        let (cookies, _) = send(&router, request).await;
        pair(&cookies[0])
    });
    let page = |path: &str| {
        let session = session.clone();
        let path = path.to_string();
        let router = router.clone();
        move || {
            let request = Request::get(&path).header(header::COOKIE, &session).body(Body::empty()).unwrap();
            let router = router.clone();
            async move { send(&router, request).await.1.len() }
        }
    };
    let api = || {
        let router = router.clone();
        async move {
            let request = Request::get("/v1/actions?limit=50")
                .header(header::AUTHORIZATION, "Bearer jo-token")
                .body(Body::empty())
                .unwrap();
            send(&router, request).await.1.len()
        }
    };
    let first = runtime.block_on(page("/")());
    assert!(first > 10_000, "the page rendered");
    let mut group = c.benchmark_group("queue_10000_open");
    group.sample_size(20);
    group.bench_function("api_first_page_json (baseline)", |b| b.to_async(&runtime).iter(api));
    group.bench_function("inbox_queue_page", |b| b.to_async(&runtime).iter(page("/")));
    group.bench_function("inbox_queue_page_search", |b| b.to_async(&runtime).iter(page("/?q=account+9999")));
    group.bench_function("inbox_queue_page_50", |b| b.to_async(&runtime).iter(page("/?page=50")));
    group.finish();
}

criterion_group!(benches, queue);
criterion_main!(benches);
