//! One action: what it is, why it exists (the trigger, the changed values, the conditions
//! and their values, the record's recent history), the draft of an email task (edit,
//! preview, approve), and the forms to complete, dismiss or snooze it.

use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use maud::{html, Markup};
use play_store::{ActionRow, ActionState, HistoryQuery};
use serde_json::Value;

use super::form::Fields;
use super::queue::{json, title};
use super::session::Session;
use super::work::{change, journal, OPS};
use super::{check_csrf, html_page, layout, when, Inbox, Problem, Signed};

/// Entries of the record's history shown.
const RECENT: usize = 10;

/// The action, if there is one `who` may see.
pub(super) async fn visible(inbox: &Inbox, id: &str, who: &str) -> Result<ActionRow, Problem> {
    let id = id.to_string();
    let row = inbox.app.read(move |s| s.action(&id)).await?;
    row.filter(|r| crate::http::may_see(r.public, r.owner.as_deref(), who))
        .ok_or_else(|| Problem::not_found("such action"))
}

#[derive(serde::Deserialize)]
pub struct PageQuery {
    notice: Option<String>,
}

pub async fn page(
    State(inbox): State<Inbox>,
    Signed(s): Signed,
    Path(id): Path<String>,
    Query(q): Query<PageQuery>,
) -> Result<Response, Problem> {
    let row = visible(&inbox, &id, &s.email).await?;
    let notice = super::edit::notice(q.notice.as_deref());
    render_with(&inbox, &s, &row, Draft::Stored, None, notice, StatusCode::OK).await
}

/// The page again with what was wrong with a form other than the draft's (the record's).
pub(super) async fn again(inbox: &Inbox, s: &Session, row: &ActionRow, message: &str) -> Result<Response, Problem> {
    render(inbox, s, row, Draft::Stored, Some(message), StatusCode::UNPROCESSABLE_ENTITY).await
}

/// The email shown in the draft form.
enum Draft {
    /// As the playbook drafted it.
    Stored,
    /// As the teammate edited it, with a preview.
    Edited { subject: String, body: String },
}

pub async fn work(
    State(inbox): State<Inbox>,
    Signed(s): Signed,
    Path(id): Path<String>,
    body: axum::body::Bytes,
) -> Result<Response, Problem> {
    let fields = Fields::parse(&body);
    check_csrf(&s, &fields)?;
    let row = visible(&inbox, &id, &s.email).await?;
    let op = fields.get("op").unwrap_or_default().to_string();
    let edited = || Draft::Edited {
        subject: fields.get("subject").unwrap_or_default().to_string(),
        body: fields.get("body").unwrap_or_default().to_string(),
    };
    if op == "preview" {
        let draft = edited();
        return render(&inbox, &s, &row, draft, None, StatusCode::OK).await;
    }
    if !OPS.contains(&op.as_str()) {
        return Err(Problem::new(StatusCode::BAD_REQUEST, "That is not something to do with an action."));
    }
    let draft = op == "approve" && fields.get("subject").is_some();
    let again = |message: String| {
        let draft = if op == "approve" { edited() } else { Draft::Stored };
        (draft, Some(message))
    };
    let made = match change(&op, &fields, inbox.app.status().clock, draft) {
        Ok(c) => journal(&inbox, &row.id, &s.email, c).await.map_err(|p| p.message),
        Err(m) => Err(m),
    };
    match made {
        Ok(()) => Ok(Redirect::to(&format!("/?notice={op}")).into_response()),
        Err(message) => {
            let (draft, problem) = again(message);
            render(&inbox, &s, &row, draft, problem.as_deref(), StatusCode::UNPROCESSABLE_ENTITY).await
        }
    }
}

async fn render(
    inbox: &Inbox,
    s: &Session,
    row: &ActionRow,
    draft: Draft,
    problem: Option<&str>,
    status: StatusCode,
) -> Result<Response, Problem> {
    render_with(inbox, s, row, draft, problem, None, status).await
}

/// The page, with a notice of what was just done when there is one.
async fn render_with(
    inbox: &Inbox,
    s: &Session,
    row: &ActionRow,
    draft: Draft,
    problem: Option<&str>,
    notice: Option<&str>,
    status: StatusCode,
) -> Result<Response, Problem> {
    let j = json(row);
    let hidden = inbox.app.status().hidden_from(&s.email);
    let query = HistoryQuery { record: Some(row.record.clone()), hidden, limit: 5000, ..HistoryQuery::default() };
    let history = inbox.app.read(move |st| st.history(&query)).await?;
    let recent: Vec<Value> =
        history.iter().rev().take(RECENT).map(|h| serde_json::from_str(&h.json).unwrap_or(Value::Null)).collect();
    let open = row.state == ActionState::Open;
    let task = row.clone();
    let sent = inbox.app.read(move |st| crate::http::deliveries::sent_of(st, &task)).await?;
    let sent = sent.as_ref().map(crate::http::deliveries::sent_json);
    let heading = title(row, &j);
    let view = super::record::read(inbox, &row.record, super::record::fired_by(&j)).await?;
    let program = inbox.program().await?;
    let body = html! {
        p { a href="/" { "← Queue" } }
        h1 { (heading) }
        (layout::problem(problem))
        dl.facts {
            dt { "State" } dd { (row.state.name()) @if let Some(u) = row.snoozed_until { " until " (when(u)) } }
            dt { "Kind" } dd { (row.kind.replace('_', " ")) }
            dt { "Record" } dd { a href={ "/?record=" (row.record) } { (row.record) } }
            dt { "Playbook" } dd { a href={ "/playbooks/" (row.playbook) } { (row.playbook) } " · step " code { (row.step) } }
            @if j["activity"].is_string() {
                dt { "Case" } dd { a href=(super::cases::address(&row.playbook, &row.record)) { "Its stages and activities" } }
            }
            dt { "For" } dd { (row.assignee.as_deref().unwrap_or("—")) }
            dt { "Priority" } dd { (row.priority) }
            dt { "Produced" } dd { (when(row.at)) }
            @if let Some(due) = j["due"].as_str() { dt { "Due" } dd { (due) } }
            @if let Some(note) = j["note"].as_str() { dt { "Note" } dd { (note) } }
        }
        (why(&j))
        (super::record::section(&j, &view, row.at))
        @if row.kind == "email_task" { (email(s, row, &j, &draft, open)) }
        @if let Some(sent) = &sent { (sent_email(sent)) }
        @if open { (forms(s, row)) }
        (super::edit::form(s, row, &program, super::record::current(&view)))
        h2 { "Recent history of " (row.record) }
        @if recent.is_empty() { p { "Nothing yet." } } @else {
            table {
                thead { tr { th scope="col" { "When" } th scope="col" { "Playbook" } th scope="col" { "What happened" } } }
                tbody { @for h in &recent { tr {
                    td { (h["at"].as_str().unwrap_or_default()) }
                    td { (h["playbook"].as_str().unwrap_or_default()) }
                    td { (describe(h)) }
                } } }
            }
        }
    };
    Ok((status, html_page(layout::page(&heading, Some(s), "/", notice, body))).into_response())
}

/// Why the action exists: its context.
fn why(j: &Value) -> Markup {
    let context = &j["context"];
    let changed = context["changed"].as_object();
    let conditions = context["conditions"].as_array();
    html! {
        h2 { "Why this exists" }
        p { "Trigger: " code { (context["trigger"].as_str().unwrap_or("—")) } }
        @if let Some(changed) = changed.filter(|c| !c.is_empty()) {
            table {
                caption.muted { "What changed" }
                thead { tr { th scope="col" { "Field" } th scope="col" { "Was" } th scope="col" { "Now" } } }
                tbody { @for (field, value) in changed { tr {
                    td { (field) }
                    td { (show(&value[0])) }
                    td { (show(&value[1])) }
                } } }
            }
        }
        @if let Some(conds) = conditions.filter(|c| !c.is_empty()) {
            table {
                caption.muted { "Conditions" }
                thead { tr { th scope="col" { "Condition" } th scope="col" { "Held" } } }
                tbody { @for c in conds { tr {
                    td { code { (c["source"].as_str().unwrap_or_default()) } }
                    @let held = c["value"].as_bool().unwrap_or(false);
                    td class=(held) { @if held { "yes" } @else { "no" } }
                } } }
            }
        }
    }
}

/// A JSON value as a person reads it.
fn show(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Null => "—".into(),
        other => other.to_string(),
    }
}

/// A history entry in words.
fn describe(h: &Value) -> String {
    let outcome = &h["outcome"];
    let what = outcome["outcome"].as_str().unwrap_or("?").replace('_', " ");
    let detail = ["trigger", "reason", "done", "action", "until", "error"]
        .iter()
        .filter_map(|k| outcome[*k].as_str().map(|v| format!("{k}: {v}")))
        .collect::<Vec<_>>()
        .join(", ");
    let step = h["step"].as_str().map(|s| format!("step {s}: ")).unwrap_or_default();
    if detail.is_empty() {
        format!("{step}{what}")
    } else {
        format!("{step}{what} ({detail})")
    }
}

/// The drafted email: editable, previewed as it will be sent, approved.
fn email(s: &Session, row: &ActionRow, j: &Value, draft: &Draft, open: bool) -> Markup {
    let (subject, body) = match draft {
        Draft::Stored => {
            (j["subject"].as_str().unwrap_or_default().to_string(), j["body"].as_str().unwrap_or_default().to_string())
        }
        Draft::Edited { subject, body } => (subject.clone(), body.clone()),
    };
    html! {
        h2 { "The drafted email" }
        p { "To " (j["to"].as_str().unwrap_or("—")) }
        @if matches!(draft, Draft::Edited { .. }) {
            section.preview aria-label="Preview" {
                strong { (subject) } "\n\n" (body)
            }
        }
        @if open {
            form method="post" action={ "/actions/" (row.id) } {
                (layout::csrf(s))
                p { label for="subject" { "Subject" } input #subject type="text" name="subject" value=(subject) size="70" required; }
                p { label for="body" { "Body" } textarea #body name="body" required { (body) } }
                p {
                    button.secondary type="submit" name="op" value="preview" { "Preview" } " "
                    button type="submit" name="op" value="approve" { "Approve and send" }
                }
            }
        } @else {
            section.preview aria-label="The email" { strong { (subject) } "\n\n" (body) }
        }
    }
}

/// What an approved email task sent, and where its delivery is.
fn sent_email(sent: &Value) -> Markup {
    let state = sent["state"].as_str().unwrap_or_default();
    html! {
        h2 { "The email sent" }
        dl.facts {
            dt { "To" } dd { (show(&sent["to"])) }
            dt { "Approved" } dd { (show(&sent["approved"])) " by " (show(&sent["approved_by"])) }
            dt { "Delivery" } dd {
                @match state {
                    "delivered" => { "sent " (show(&sent["sent"])) }
                    "pending" => { "waiting to be sent" }
                    "skipped" => { "not sent: " (show(&sent["last_message"])) }
                    _ => { "could not be sent: " (show(&sent["last_message"])) }
                }
            }
        }
        section.preview aria-label="The email sent" { strong { (show(&sent["subject"])) } "\n\n" (show(&sent["body"])) }
    }
}

/// Complete with a note, dismiss with a reason, snooze until a date.
fn forms(s: &Session, row: &ActionRow) -> Markup {
    let to = format!("/actions/{}", row.id);
    html! {
        h2 { "Work it" }
        div.cards {
            @if row.kind != "email_task" {
                form.card method="post" action=(to) {
                    (layout::csrf(s))
                    label for="note" { "Note (optional)" }
                    textarea #note name="note" rows="3" {}
                    p { button type="submit" name="op" value="complete" { "Complete" } }
                }
            }
            form.card method="post" action=(to) {
                (layout::csrf(s))
                label for="reason" { "Reason for dismissing (the playbook's owner reads it)" }
                input #reason type="text" name="reason" size="40";
                p { button type="submit" name="op" value="dismiss" { "Dismiss" } }
            }
            form.card method="post" action=(to) {
                (layout::csrf(s))
                label for="until" { "Snooze until" }
                input #until type="date" name="until";
                p { button type="submit" name="op" value="snooze" { "Snooze" } }
            }
        }
    }
}
