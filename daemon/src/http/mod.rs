//! The HTTP API: the router, the state every handler shares, errors as JSON, and who is
//! asking. Handlers convert requests into the writer's requests or the store's queries
//! and back; nothing here touches the engine.

pub(crate) mod blacklists;
mod calls;
mod changes;
pub(crate) mod deliveries;
mod emails;
pub mod openapi;
mod queue;
pub(crate) use queue::activity_change;
mod read;
mod sync;
mod tasks;

use std::sync::mpsc::Sender;
use std::sync::{Arc, Mutex};

use axum::extract::{DefaultBodyLimit, FromRequestParts};
use axum::http::request::Parts;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use play_store::Store;

use crate::status::Status;
use crate::writer::Request;

/// Opens another handle on the store (a reader).
pub type Opener = Arc<dyn Fn() -> play_store::Result<Box<dyn Store>> + Send + Sync>;

/// Limits on what a request may carry.
#[derive(Clone, Copy, Debug)]
pub struct Limits {
    pub body_bytes: usize,
    pub line_bytes: usize,
    pub lines: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits { body_bytes: 32 << 20, line_bytes: 1 << 20, lines: 100_000 }
    }
}

/// What every handler shares.
#[derive(Clone)]
pub struct App {
    pub(crate) requests: Sender<Request>,
    readers: Arc<Mutex<Vec<Box<dyn Store>>>>,
    open: Opener,
    pub(crate) status: Arc<Mutex<Status>>,
    pub(crate) secret: Option<Arc<[u8]>>,
    pub(crate) limits: Limits,
    /// The CRM pull, when `play.toml` configures a CRM.
    pub(crate) pull: Option<Arc<crate::pull::Puller>>,
}

impl App {
    pub fn new(requests: Sender<Request>, open: Opener, status: Arc<Mutex<Status>>, secret: Option<Vec<u8>>) -> App {
        App {
            requests,
            readers: Arc::default(),
            open,
            status,
            secret: secret.map(Into::into),
            limits: Limits::default(),
            pull: None,
        }
    }

    /// The CRM pull `POST /v1/sync` runs.
    pub fn with_pull(mut self, pull: Option<Arc<crate::pull::Puller>>) -> App {
        self.pull = pull;
        self
    }

    /// Runs a query on a reader, off the async threads.
    pub async fn read<T: Send + 'static>(
        &self,
        query: impl FnOnce(&dyn Store) -> play_store::Result<T> + Send + 'static,
    ) -> Result<T, ApiError> {
        let app = self.clone();
        let done = tokio::task::spawn_blocking(move || {
            let reader = app.readers.lock().unwrap_or_else(|e| e.into_inner()).pop();
            let reader = match reader {
                Some(r) => r,
                None => (app.open)()?,
            };
            let result = query(reader.as_ref());
            app.readers.lock().unwrap_or_else(|e| e.into_inner()).push(reader);
            result
        })
        .await;
        match done {
            Ok(result) => result.map_err(ApiError::store),
            Err(_) => Err(ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, "a query stopped unexpectedly")),
        }
    }

    /// Sends a request to the engine thread.
    pub fn send(&self, request: Request) -> Result<(), ApiError> {
        self.requests.send(request).map_err(|_| ApiError::stopping())
    }

    pub(crate) fn status(&self) -> Status {
        self.status.lock().unwrap_or_else(|e| e.into_inner()).clone()
    }
}

/// The router with every route of [`openapi::ROUTES`].
pub fn router(app: App) -> Router {
    let body_limit = app.limits.body_bytes;
    Router::new()
        .route("/v1/changes", post(changes::post))
        .route("/v1/actions", get(queue::list))
        .route("/v1/actions/:id", get(queue::one))
        .route("/v1/actions/:id/:op", post(queue::work))
        .route("/v1/records/:record_type/:id/activities", post(queue::activity))
        .route("/v1/tasks", post(tasks::create))
        .route("/v1/tasks/orphans", get(tasks::orphans))
        .route("/v1/tasks/:id/adopt", post(tasks::adopt))
        .route("/v1/runs", get(read::runs))
        .route("/v1/history", get(read::history))
        .route("/v1/explain", get(read::explain))
        .route("/v1/cases/:playbook/:record_type/:id", get(read::case))
        .route("/v1/status", get(read::status))
        .route("/v1/sync-log", get(deliveries::sync_log))
        .route("/v1/deliveries", get(deliveries::list))
        .route("/v1/deliveries/:id/retry", post(deliveries::retry))
        .route("/v1/unsubscribe", post(deliveries::unsubscribe))
        .route("/v1/blacklists/company", get(blacklists::company).put(blacklists::put_company))
        .route("/v1/blacklists/me", get(blacklists::mine).put(blacklists::put_mine))
        .route("/v1/sync", post(sync::post))
        .route("/v1/emails", post(emails::post))
        .route("/v1/calls", post(calls::post))
        .route("/metrics", get(read::metrics))
        .route("/openapi.json", get(openapi::document))
        .layer(DefaultBodyLimit::max(body_limit))
        .layer(axum::middleware::map_response(json_errors))
        .with_state(app)
}

/// Answers axum's own refusals (a query that does not parse, a body without its content
/// type, an unknown path or method, a body over the limit) as JSON errors, like every
/// other refusal of the API.
async fn json_errors(response: Response) -> Response {
    use axum::http::header::{CONTENT_LENGTH, CONTENT_TYPE};
    let status = response.status();
    let json = response
        .headers()
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/json"));
    if json || !(status.is_client_error() || status.is_server_error()) {
        return response;
    }
    let (parts, body) = response.into_parts();
    let text = axum::body::to_bytes(body, 64 * 1024).await.map(|b| String::from_utf8_lossy(&b).trim().to_string());
    let message = match text {
        Ok(text) if !text.is_empty() => text,
        _ => status.canonical_reason().unwrap_or("refused").to_lowercase(),
    };
    let mut answer = ApiError::new(status, message).into_response();
    for (name, value) in &parts.headers {
        if name != CONTENT_TYPE && name != CONTENT_LENGTH {
            answer.headers_mut().insert(name.clone(), value.clone());
        }
    }
    answer
}

/// An error as the API answers it: a status and `{"error": "…"}`.
#[derive(Debug)]
pub struct ApiError {
    pub status: StatusCode,
    pub message: String,
    pub field: Option<String>,
}

impl ApiError {
    pub fn new(status: StatusCode, message: impl Into<String>) -> ApiError {
        ApiError { status, message: message.into(), field: None }
    }

    pub fn unauthorized() -> ApiError {
        crate::metrics::unauthorized();
        ApiError::new(
            StatusCode::UNAUTHORIZED,
            "this needs a teammate's token (`Authorization: Bearer …`, from `play token add`)",
        )
    }

    pub fn not_found(what: &str) -> ApiError {
        ApiError::new(StatusCode::NOT_FOUND, format!("there is no {what}"))
    }

    pub fn stopping() -> ApiError {
        ApiError::new(StatusCode::SERVICE_UNAVAILABLE, "the daemon is stopping; send again once it is back")
    }

    fn store(e: play_store::StoreError) -> ApiError {
        tracing::error!("{e}");
        ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, e.to_string())
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let mut body = serde_json::json!({ "error": self.message });
        if let Some(field) = self.field {
            body["field"] = field.into();
        }
        (self.status, Json(body)).into_response()
    }
}

/// The teammate a request is made by, from its bearer token.
pub struct Teammate(pub String);

#[axum::async_trait]
impl FromRequestParts<App> for Teammate {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, app: &App) -> Result<Self, Self::Rejection> {
        teammate(&parts.headers, app).await?.map(Teammate).ok_or_else(ApiError::unauthorized)
    }
}

/// Whose token the request carries, if it carries a known one.
pub async fn teammate(headers: &axum::http::HeaderMap, app: &App) -> Result<Option<String>, ApiError> {
    let Some(token) = crate::auth::bearer(headers) else { return Ok(None) };
    let hash = crate::auth::token_hash(token);
    app.read(move |s| s.token_owner(&hash)).await
}

/// Whether `who` may see an action of `row`'s playbook.
pub fn may_see(row_public: bool, row_owner: Option<&str>, who: &str) -> bool {
    row_public || row_owner == Some(who)
}
