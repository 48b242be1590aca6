//! The inbox: the web page where teammates work the queue, served by `play run` at `/`.
//! Server-rendered HTML (maud) over the same store reads and queue changes as the JSON
//! API; a teammate signs in with their token and gets a session cookie, and every form
//! carries the session's CSRF token. A teammate sees public playbooks' actions and their
//! own private ones, nothing else, on every page.

mod action;
mod blacklists;
mod cases;
mod edit;
mod form;
mod layout;
mod playbooks;
mod publish;
mod queue;
mod record;
pub mod session;
mod sign_in;
mod status;
mod sync_log;
#[cfg(test)]
pub(crate) mod tests;
mod work;

use std::sync::{Arc, Mutex};

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::Router;
use maud::{html, Markup};
use play_compiler::program::Program;

use crate::http::{ApiError, App};
use session::{Session, Sessions};

/// What the inbox's handlers share: the API's state, the sessions, the program read last.
#[derive(Clone)]
pub struct Inbox {
    app: App,
    sessions: Arc<Sessions>,
    program: Arc<Mutex<Option<Arc<Program>>>>,
    /// The watched project folder, where publishing writes (none: publish in the source).
    project: Option<publish::Project>,
}

pub use publish::Project;

/// The inbox's routes, to merge with the API's.
pub fn router(app: App) -> Router {
    with_project(app, None)
}

/// The inbox's routes, publishing playbooks into `project` (the folder hot reload watches).
pub fn with_project(app: App, project: Option<Project>) -> Router {
    let inbox = Inbox { app, sessions: Arc::default(), program: Arc::default(), project };
    Router::new()
        .route("/", get(queue::page))
        .route("/sign-in", get(sign_in::form).post(sign_in::submit))
        .route("/sign-out", post(sign_in::sign_out))
        .route("/actions/:id", get(action::page).post(action::work))
        .route("/actions/:id/record", post(edit::save))
        .route("/cases/:playbook/:record_type/:id", get(cases::page).post(cases::work))
        .route("/group", get(queue::group))
        .route("/bulk", post(work::bulk))
        .route("/playbooks", get(playbooks::list))
        .route("/playbooks/:name", get(playbooks::one))
        .route("/playbooks/:name/picture.svg", get(playbooks::picture))
        .route("/playbooks/:name/publish", post(publish::submit))
        .route("/status", get(status::page))
        .route("/sync-log", get(sync_log::page))
        .route("/sync-log.csv", get(sync_log::csv))
        .route("/blacklists", get(blacklists::page))
        .route("/blacklists/company", post(blacklists::save_company))
        .route("/blacklists/me", post(blacklists::save_mine))
        .route("/assets/inbox.css", get(|| async { asset("text/css", layout::CSS) }))
        .route("/assets/inbox.js", get(|| async { asset("text/javascript", layout::JS) }))
        .with_state(inbox)
}

fn asset(kind: &'static str, text: &'static str) -> Response {
    ([(header::CONTENT_TYPE, kind), (header::CACHE_CONTROL, "max-age=300")], text).into_response()
}

impl Inbox {
    /// The program running, read from the store once per deploy.
    async fn program(&self) -> Result<Arc<Program>, Problem> {
        let hash = self.app.status().program_hash;
        if let Some(p) = self.program.lock().unwrap_or_else(|e| e.into_inner()).as_ref() {
            if p.hash == hash {
                return Ok(p.clone());
            }
        }
        let read = self.app.read(move |s| Ok(crate::writer::stored_program(s, &hash))).await?;
        let program = Arc::new(read.map_err(|e| Problem::new(StatusCode::SERVICE_UNAVAILABLE, e))?);
        *self.program.lock().unwrap_or_else(|e| e.into_inner()) = Some(program.clone());
        Ok(program)
    }
}

/// The signed-in teammate of a page request; without a session the page sends them to
/// sign in (and back here after).
pub struct Signed(pub Session);

#[axum::async_trait]
impl FromRequestParts<Inbox> for Signed {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, inbox: &Inbox) -> Result<Self, Self::Rejection> {
        let session = session::cookie(&parts.headers, session::COOKIE).and_then(|id| inbox.sessions.get(id));
        match session {
            Some(s) => Ok(Signed(s)),
            None if parts.method == axum::http::Method::GET => {
                let next = parts.uri.path_and_query().map_or("/", |p| p.as_str());
                let next: String = form_urlencoded::byte_serialize(next.as_bytes()).collect();
                Err(Redirect::to(&format!("/sign-in?next={next}")).into_response())
            }
            None => Err(Problem::new(
                StatusCode::UNAUTHORIZED,
                "You are signed out (the session ended or the daemon restarted): sign in again and redo this.",
            )
            .into_response()),
        }
    }
}

/// Refuses a form whose CSRF token is not the session's.
fn check_csrf(s: &Session, fields: &form::Fields) -> Result<(), Problem> {
    match fields.get("csrf") {
        Some(t) if session::same(t, &s.csrf) => Ok(()),
        _ => Err(Problem::new(
            StatusCode::FORBIDDEN,
            "This form was not sent from your inbox page (or the page is from an older session): reload the \
             page and try again. Nothing was changed.",
        )),
    }
}

/// A page that could not be shown, in words.
#[derive(Debug)]
pub struct Problem {
    status: StatusCode,
    message: String,
}

impl Problem {
    pub fn new(status: StatusCode, message: impl Into<String>) -> Problem {
        Problem { status, message: message.into() }
    }

    pub fn not_found(what: &str) -> Problem {
        Problem::new(StatusCode::NOT_FOUND, format!("There is no {what} here, or it is not one you can see."))
    }
}

impl From<ApiError> for Problem {
    fn from(e: ApiError) -> Problem {
        Problem::new(e.status, e.message)
    }
}

impl IntoResponse for Problem {
    fn into_response(self) -> Response {
        let body = html! {
            h1 { "Something is in the way" }
            (layout::problem(Some(&self.message)))
            p { a href="/" { "Back to the queue" } }
        };
        (self.status, html_page(layout::page("Problem", None, "", None, body))).into_response()
    }
}

/// A rendered page as an HTML response.
fn html_page(markup: Markup) -> Response {
    ([(header::CONTENT_TYPE, "text/html; charset=utf-8")], markup.into_string()).into_response()
}

/// The words for `moment` as the pages show it.
fn when(moment: i64) -> String {
    chrono::DateTime::from_timestamp(moment, 0)
        .map_or_else(|| moment.to_string(), |t| t.format("%Y-%m-%d %H:%M").to_string())
}
