//! Signing in with a token from `play token add`, and out again.

use axum::extract::{Query, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{AppendHeaders, IntoResponse, Redirect, Response};
use maud::html;
use serde::Deserialize;

use super::form::Fields;
use super::session::{self, random_token, same, set_cookie, LIFETIME, SIGN_IN_COOKIE};
use super::{check_csrf, html_page, layout, Inbox, Problem, Signed};

#[derive(Deserialize)]
pub struct Next {
    next: Option<String>,
}

/// Only a path of this site: never `//elsewhere` or `https://…`.
fn local(next: Option<&str>) -> String {
    match next {
        Some(n) if n.starts_with('/') && !n.starts_with("//") && !n.contains('\\') => n.to_string(),
        _ => "/".into(),
    }
}

pub async fn form(Query(q): Query<Next>) -> Response {
    render(&local(q.next.as_deref()), None, StatusCode::OK)
}

/// The form with a fresh CSRF token, bound to the browser by a cookie.
fn render(next: &str, problem: Option<&str>, status: StatusCode) -> Response {
    let token = random_token();
    let body = html! {
        h1 { "Sign in" }
        (layout::problem(problem))
        form method="post" action="/sign-in" {
            input type="hidden" name="csrf" value=(token);
            input type="hidden" name="next" value=(next);
            p {
                label for="token" { "Your token (from " code { "play token add you@example.com" } ")" }
                input #token type="password" name="token" autocomplete="current-password" required size="70";
            }
            p { button type="submit" { "Sign in" } }
        }
    };
    let cookie = set_cookie(SIGN_IN_COOKIE, &token, 3600);
    (status, [(header::SET_COOKIE, cookie)], html_page(layout::page("Sign in", None, "", None, body))).into_response()
}

pub async fn submit(State(inbox): State<Inbox>, headers: HeaderMap, body: axum::body::Bytes) -> Response {
    let fields = Fields::parse(&body);
    let next = local(fields.get("next"));
    let bound = session::cookie(&headers, SIGN_IN_COOKIE);
    let posted = fields.get("csrf");
    if !matches!((bound, posted), (Some(b), Some(p)) if same(b, p)) {
        let message = "This sign-in form was not sent from this site's page (or it expired): try again.";
        return render(&next, Some(message), StatusCode::FORBIDDEN);
    }
    let token = fields.get("token").unwrap_or_default().to_string();
    if token.is_empty() {
        return render(&next, Some("Paste your token: it cannot be empty."), StatusCode::UNPROCESSABLE_ENTITY);
    }
    let hash = crate::auth::token_hash(&token);
    let owner = match inbox.app.read(move |s| s.token_owner(&hash)).await {
        Ok(o) => o,
        Err(e) => return Problem::from(e).into_response(),
    };
    let Some(email) = owner else {
        crate::metrics::unauthorized();
        let message = "That token is not one this daemon knows: ask for one with `play token add you@example.com`.";
        return render(&next, Some(message), StatusCode::UNAUTHORIZED);
    };
    let (id, _) = inbox.sessions.start(&email);
    let cookie = set_cookie(session::COOKIE, &id, LIFETIME.as_secs());
    let clear = set_cookie(SIGN_IN_COOKIE, "", 0);
    (AppendHeaders([(header::SET_COOKIE, cookie), (header::SET_COOKIE, clear)]), Redirect::to(&next)).into_response()
}

pub async fn sign_out(
    State(inbox): State<Inbox>,
    Signed(s): Signed,
    headers: HeaderMap,
    body: axum::body::Bytes,
) -> Response {
    if let Err(p) = check_csrf(&s, &Fields::parse(&body)) {
        return p.into_response();
    }
    if let Some(id) = session::cookie(&headers, session::COOKIE) {
        inbox.sessions.end(id);
    }
    ([(header::SET_COOKIE, set_cookie(session::COOKIE, "", 0))], Redirect::to("/sign-in")).into_response()
}
