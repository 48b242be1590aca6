//! Working actions from the pages: one form's fields to a queue change (checked before
//! anything is journaled, so a refused form changes nothing), handing it to the engine
//! thread as the teammate, and the bulk form of a group.

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use maud::html;
use serde_json::{Map, Value};
use tokio::sync::oneshot;

use super::form::{snooze_until, Fields};
use super::{check_csrf, html_page, layout, Inbox, Problem, Signed};
use crate::writer::Request;

/// The operations a page may ask for.
pub const OPS: [&str; 4] = ["complete", "dismiss", "snooze", "approve"];

/// The queue change (without `action` and `by`) a form asks for, or what is wrong with it.
/// `now` is the daemon's clock; `draft` says whether an approval carries the edited email.
pub fn change(op: &str, fields: &Fields, now: Option<i64>, draft: bool) -> Result<Map<String, Value>, String> {
    let mut c = Map::new();
    match op {
        "complete" => {
            let note = fields.text("note", "note")?;
            if !note.is_empty() {
                c.insert("note".into(), note.into());
            }
        }
        "dismiss" => {
            c.insert("reason".into(), fields.required("reason", "reason for dismissing")?.into());
        }
        "snooze" => {
            let until = snooze_until(fields.get("until").unwrap_or_default(), now)?;
            c.insert("until".into(), play_runtime::value::moment_text(until).into());
        }
        "approve" if draft => {
            c.insert("subject".into(), fields.required("subject", "subject")?.into());
            c.insert("body".into(), fields.required("body", "email body")?.into());
        }
        "approve" => {}
        other => return Err(format!("`{}` is not something to do with an action.", play_runtime::change::clip(other))),
    }
    c.insert("op".into(), op.into());
    Ok(c)
}

/// Journals a queue change made by `who` on action `id`; the engine's refusal in its words.
pub async fn journal(inbox: &Inbox, id: &str, who: &str, mut change: Map<String, Value>) -> Result<(), Problem> {
    change.insert("change".into(), "action".into());
    change.insert("action".into(), id.into());
    change.insert("by".into(), who.into());
    let (reply, answer) = oneshot::channel();
    inbox.app.send(Request::Queue { change, reply })?;
    match answer.await {
        Ok(Ok(Ok(()))) => Ok(()),
        Ok(Ok(Err(r))) => Err(Problem::new(StatusCode::UNPROCESSABLE_ENTITY, r.message)),
        Ok(Err(message)) => Err(Problem::new(StatusCode::INTERNAL_SERVER_ERROR, message)),
        Err(_) => {
            Err(Problem::new(StatusCode::SERVICE_UNAVAILABLE, "The daemon is stopping: try again once it is back."))
        }
    }
}

/// Most actions one bulk form may work.
const MAX_BULK: usize = 1000;

/// The bulk form of a group: the same operation on every picked action the teammate may see.
pub async fn bulk(State(inbox): State<Inbox>, Signed(s): Signed, body: axum::body::Bytes) -> Result<Response, Problem> {
    let fields = Fields::parse(&body);
    check_csrf(&s, &fields)?;
    let back = fields.get("back").filter(|b| b.starts_with("/group?")).unwrap_or("/").to_string();
    let refuse = |message: String| {
        let body = html! {
            h1 { "Nothing was changed" }
            (layout::problem(Some(&message)))
            p { a href=(back) { "Back to the group" } }
        };
        Ok((
            StatusCode::UNPROCESSABLE_ENTITY,
            html_page(layout::page("Nothing was changed", Some(&s), "/", None, body)),
        )
            .into_response())
    };
    let op = fields.get("op").unwrap_or_default().to_string();
    let ids = fields.all("id");
    if ids.is_empty() {
        return refuse("Pick at least one action.".into());
    }
    if ids.len() > MAX_BULK {
        return refuse(format!("Pick at most {MAX_BULK} actions at once."));
    }
    let now = inbox.app.status().clock;
    let change = match change(&op, &fields, now, false) {
        Ok(c) => c,
        Err(message) => return refuse(message),
    };
    let who = s.email.clone();
    let wanted = ids.clone();
    let rows =
        inbox.app.read(move |st| wanted.iter().map(|id| st.action(id)).collect::<play_store::Result<Vec<_>>>()).await?;
    let mut seen = Vec::new();
    for (id, row) in ids.iter().zip(rows) {
        match row {
            Some(r) if crate::http::may_see(r.public, r.owner.as_deref(), &who) => seen.push(r),
            _ => return refuse(format!("There is no action `{}` you can see.", play_runtime::change::clip(id))),
        }
    }
    if op == "approve" && seen.iter().any(|r| r.kind != "email_task") {
        return refuse("Only drafted emails can be approved; pick email tasks alone.".into());
    }
    let mut done = 0;
    let mut refused = Vec::new();
    for r in &seen {
        match journal(&inbox, &r.id, &who, change.clone()).await {
            Ok(()) => done += 1,
            Err(p) => refused.push(format!("{}: {}", r.record, p.message)),
        }
    }
    if refused.is_empty() {
        return Ok(Redirect::to(&format!("/?notice={op}:{done}")).into_response());
    }
    let body = html! {
        h1 { (done) " done, " (refused.len()) " refused" }
        ul { @for r in &refused { li { (r) } } }
        p { a href=(back) { "Back to the group" } " · " a href="/" { "Back to the queue" } }
    };
    Ok((StatusCode::UNPROCESSABLE_ENTITY, html_page(layout::page("Partly done", Some(&s), "/", None, body)))
        .into_response())
}
