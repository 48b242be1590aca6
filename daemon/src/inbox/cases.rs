//! A case: a case playbook's run on one record, shown as its stages with their activities
//! (state, assignee, the record an activity created), filtered by assignee and state.
//! Completing an activity and adding an optional one are queue changes journaled like the
//! queue's; the engine opens the next stage when a stage's required activities are done.

use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use maud::{html, Markup};
use play_compiler::program::StageDef;
use play_store::{ActionRow, ActionState};

use super::form::Fields;
use super::session::Session;
use super::work::{change, journal};
use super::{check_csrf, html_page, layout, when, Inbox, Problem, Signed};
use crate::case::{Case, StageState};

/// The address of a case's page.
pub fn address(playbook: &str, record: &str) -> String {
    format!("/cases/{playbook}/{record}")
}

#[derive(serde::Deserialize, Default)]
pub struct Filter {
    #[serde(default)]
    assignee: String,
    #[serde(default)]
    state: String,
    notice: Option<String>,
}

/// The case `who` may see.
async fn read(inbox: &Inbox, playbook: &str, record: String, who: &str) -> Result<Case, Problem> {
    let program = inbox.program().await?;
    if !inbox.app.status().sees(playbook, who) {
        return Err(Problem::not_found("such case"));
    }
    let (name, me) = (playbook.to_string(), who.to_string());
    let case = inbox.app.read(move |st| Case::read(st, &program, &name, &record, &me)).await?;
    case.ok_or_else(|| Problem::not_found("such case"))
}

pub async fn page(
    State(inbox): State<Inbox>,
    Signed(s): Signed,
    Path((playbook, ty, id)): Path<(String, String, String)>,
    Query(f): Query<Filter>,
) -> Result<Response, Problem> {
    let case = read(&inbox, &playbook, format!("{ty}/{id}"), &s.email).await?;
    let notice = match f.notice.as_deref() {
        Some("complete") => Some("The activity was completed."),
        Some("add") => Some("The activity was added."),
        _ => None,
    };
    Ok(render(&s, &case, &f, None, notice, StatusCode::OK))
}

/// Complete an activity (`op=complete`, `action`, `note`) or add an optional one
/// (`op=add`, `activity`).
pub async fn work(
    State(inbox): State<Inbox>,
    Signed(s): Signed,
    Path((playbook, ty, id)): Path<(String, String, String)>,
    body: axum::body::Bytes,
) -> Result<Response, Problem> {
    let fields = Fields::parse(&body);
    check_csrf(&s, &fields)?;
    let case = read(&inbox, &playbook, format!("{ty}/{id}"), &s.email).await?;
    let op = fields.get("op").unwrap_or_default();
    let done = match op {
        "complete" => complete(&inbox, &s, &case, &fields).await,
        "add" => add(&inbox, &case, &fields).await,
        _ => Err("That is not something to do with a case.".to_string()),
    };
    match done {
        Ok(()) => {
            Ok(Redirect::to(&format!("{}?notice={op}", address(&case.playbook.name, &case.record))).into_response())
        }
        Err(message) => {
            let message = format!("Nothing was changed. {message}");
            Ok(render(&s, &case, &Filter::default(), Some(&message), None, StatusCode::UNPROCESSABLE_ENTITY))
        }
    }
}

async fn complete(inbox: &Inbox, s: &Session, case: &Case, fields: &Fields) -> Result<(), String> {
    let id = fields.get("action").unwrap_or_default();
    if id.is_empty() {
        return Err("Pick the activity to complete.".into());
    }
    if !case.actions.iter().any(|(a, _)| a.id == id) {
        return Err(format!("`{}` is not an activity of this case.", play_runtime::change::clip(id)));
    }
    let c = change("complete", fields, inbox.app.status().clock, false)?;
    journal(inbox, id, &s.email, c).await.map_err(|p| p.message)
}

async fn add(inbox: &Inbox, case: &Case, fields: &Fields) -> Result<(), String> {
    let activity = fields.get("activity").unwrap_or_default();
    if activity.is_empty() {
        return Err("Pick an optional activity to add.".into());
    }
    let c = crate::http::activity_change(&case.record, &case.playbook.name, activity);
    super::edit::engine(inbox, c).await
}

/// Whether an activity's action passes the page's filters.
fn shown(f: &Filter, a: &ActionRow) -> bool {
    (f.assignee.is_empty() || a.assignee.as_deref() == Some(f.assignee.trim()))
        && (f.state.is_empty() || a.state.name() == f.state)
}

const STATES: [&str; 4] = ["open", "snoozed", "done", "dismissed"];

fn render(
    s: &Session,
    case: &Case,
    f: &Filter,
    problem: Option<&str>,
    notice: Option<&str>,
    status: StatusCode,
) -> Response {
    let here = address(&case.playbook.name, &case.record);
    let title = format!("{} · {}", case.playbook.title.as_deref().unwrap_or(&case.playbook.name), case.record);
    let filtered = !f.assignee.is_empty() || !f.state.is_empty();
    let body = html! {
        p { a href="/" { "← Queue" } }
        h1 { (title) }
        (layout::problem(problem))
        dl.facts {
            dt { "Playbook" } dd { a href={ "/playbooks/" (case.playbook.name) } { (case.playbook.name) } }
            dt { "Record" } dd { a href={ "/?record=" (case.record) } { (case.record) } }
            dt { "Run" } dd { (case.run.state) ", started " (when(case.run.started)) }
        }
        form.filters method="get" action=(here) {
            p { label for="assignee" { "Assignee" } input #assignee type="text" name="assignee" value=(f.assignee); }
            p { label for="state" { "State" }
                select #state name="state" {
                    option value="" selected[f.state.is_empty()] { "Any" }
                    @for st in STATES { option value=(st) selected[f.state == st] { (st) } }
                }
            }
            p { button type="submit" { "Filter" } }
        }
        @for stage in case.stages() { (stage_section(s, case, stage, f, filtered, &here)) }
    };
    (status, html_page(layout::page(&title, Some(s), "/", notice, body))).into_response()
}

fn stage_section(s: &Session, case: &Case, stage: &StageDef, f: &Filter, filtered: bool, here: &str) -> Markup {
    let state = case.state_of(stage);
    html! {
        section.stage aria-labelledby={ "stage-" (stage.name) } {
            h2 #{ "stage-" (stage.name) } {
                (stage.title.as_deref().unwrap_or(&stage.name)) " " span.pill { (state.name()) }
            }
            table {
                thead { tr {
                    th scope="col" { "Activity" } th scope="col" { "State" } th scope="col" { "Assignee" }
                    th scope="col" { "Created" } th scope="col" { "Work it" }
                } }
                tbody {
                    @for def in &stage.activities {
                        @let name = def.name.as_deref().unwrap_or_default();
                        @let rows = case.of(&stage.name, name);
                        @let label = crate::case::label(def, name, &rows);
                        @let label = label.as_str();
                        @if rows.is_empty() && !filtered {
                            tr {
                                td { (label) @if def.optional { " " span.pill { "optional" } } }
                                td.muted { @if def.optional { "not added" } @else { "not opened" } }
                                td { "—" } td { "—" }
                                td { @if def.optional && state == StageState::Open {
                                    form method="post" action=(here) {
                                        (layout::csrf(s))
                                        input type="hidden" name="activity" value=(name);
                                        button.secondary type="submit" name="op" value="add" { "Add " (label) }
                                    }
                                } }
                            }
                        }
                        @for (a, j) in rows.iter().filter(|(a, _)| shown(f, a)).map(|r| (&r.0, &r.1)) {
                            tr {
                                td { a href={ "/actions/" (a.id) } { (label) } @if def.optional { " " span.pill { "optional" } } }
                                td { (a.state.name()) }
                                td { (a.assignee.as_deref().unwrap_or("—")) }
                                td { @match j["creates"].as_str() {
                                    Some(r) if a.state == ActionState::Done => a href={ "/?record=" (r) } { (r) },
                                    Some(r) => span.muted { (r) " once completed" },
                                    None => "—",
                                } }
                                td { @if a.state == ActionState::Open {
                                    form method="post" action=(here) {
                                        (layout::csrf(s))
                                        input type="hidden" name="action" value=(a.id);
                                        label for={ "note-" (a.id) } { "Note (optional)" }
                                        input id={ "note-" (a.id) } type="text" name="note" size="24";
                                        " "
                                        button type="submit" name="op" value="complete" { "Complete" }
                                    }
                                } }
                            }
                        }
                    }
                }
            }
        }
    }
}
