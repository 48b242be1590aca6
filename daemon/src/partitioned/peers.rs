//! Workers asking each other what only a partition's engine thread knows — a record as the
//! engine holds it, which the inbox's action page shows — when another worker holds the
//! partition: it is asked over HTTP (`GET /internal/records/{Type}/{id}`) at the address
//! that worker gives in `play_workers` (`--advertise`, else where it listens), found by the
//! partition's lease. Such a request carries the workspace's worker secret (`play_secret`,
//! made by the first worker, read only by workers); the route refuses any other.

use std::sync::{Arc, OnceLock};
use std::time::Duration;

use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use serde::Deserialize;
use tokio::sync::oneshot;

use crate::host::RecordView;
use crate::http::App;
use crate::writer::Request;

/// The header a worker's request carries its secret in.
const HEADER: &str = "x-play-worker";
/// How long a worker waits for another's answer.
const TIMEOUT: Duration = Duration::from_secs(5);

/// What this worker tells the others, and how it knows their requests.
pub struct Peers {
    pub secret: String,
    /// Where the others reach this worker (`http://host:port`), once it listens.
    pub address: OnceLock<String>,
}

impl Peers {
    /// The address others reach this worker at, listening on `bound`: `advertise` if it
    /// is said, else the bound address (with the host's name for an unspecified one).
    pub fn set_address(&self, advertise: Option<&str>, bound: std::net::SocketAddr) {
        let address = match advertise {
            Some(a) => a.trim_end_matches('/').to_string(),
            None if bound.ip().is_unspecified() => format!("http://{}:{}", crate::lease::host_name(), bound.port()),
            None => format!("http://{bound}"),
        };
        let _ = self.address.set(address);
    }
}

/// The record as the engine of the worker at `address` holds it; `None` when it does not
/// answer, or holds no such record.
pub fn record_at(address: &str, secret: &str, record: &str, trend: Option<&str>) -> Option<RecordView> {
    let mut request = ureq::get(&format!("{address}/internal/records/{record}")).set(HEADER, secret).timeout(TIMEOUT);
    if let Some(field) = trend {
        request = request.query("trend", field);
    }
    match request.call() {
        Ok(answer) => answer.into_json().ok(),
        Err(e) => {
            tracing::warn!(address, record, "the worker holding the record did not answer: {e}");
            None
        }
    }
}

/// The route other workers ask.
pub fn routes(app: App, peers: Arc<Peers>) -> Router {
    Router::new().route("/internal/records/:record_type/:id", get(record)).with_state((app, peers))
}

#[derive(Deserialize)]
struct Trend {
    trend: Option<String>,
}

async fn record(
    State((app, peers)): State<(App, Arc<Peers>)>,
    headers: HeaderMap,
    Path((record_type, id)): Path<(String, String)>,
    Query(Trend { trend }): Query<Trend>,
) -> Response {
    let given = headers.get(HEADER).and_then(|v| v.to_str().ok()).unwrap_or_default();
    if !crate::inbox::session::same(given, &peers.secret) {
        return StatusCode::NOT_FOUND.into_response();
    }
    let (reply, answer) = oneshot::channel();
    let request = Request::Record { record: format!("{record_type}/{id}"), trend, here_only: true, reply };
    if app.send(request).is_err() {
        return StatusCode::SERVICE_UNAVAILABLE.into_response();
    }
    match answer.await {
        Ok(Some(view)) => Json(view).into_response(),
        Ok(None) => StatusCode::NOT_FOUND.into_response(),
        Err(_) => StatusCode::SERVICE_UNAVAILABLE.into_response(),
    }
}
