//! A case: a case playbook's run on one record, shown as its stages with their activities
//! (state, assignee, the record an activity created), filtered by assignee and state.
//! Completing an activity and adding an optional one are queue changes journaled like the
//! queue's; the engine opens the next stage when a stage's required activities are done.

use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use maud::{html, Markup};
use play_compiler::program::{Node, PlaybookDef, StageDef};
use play_store::{ActionQuery, ActionRow, ActionState, RunRow};
use serde_json::Value;

use super::form::Fields;
use super::session::Session;
use super::work::{change, journal};
use super::{check_csrf, html_page, layout, when, Inbox, Problem, Signed};

/// Most of a case's actions read (every run's activities of one record and playbook).
const ACTIONS: usize = 1_000;

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

/// Where a stage is: done, open (its activities are being worked) or not reached yet.
#[derive(Clone, Copy, PartialEq)]
enum StageState {
    Done,
    Open,
    Ahead,
}

impl StageState {
    fn words(self) -> &'static str {
        match self {
            StageState::Done => "done",
            StageState::Open => "open",
            StageState::Ahead => "not reached yet",
        }
    }
}

/// A case as read for its page.
struct Case {
    playbook: PlaybookDef,
    record: String,
    run: RunRow,
    /// The run's activities, as produced.
    actions: Vec<(ActionRow, Value)>,
}

impl Case {
    fn stages(&self) -> impl Iterator<Item = &StageDef> {
        self.playbook.body.iter().filter_map(|n| match n {
            Node::Stage(s) => Some(s),
            _ => None,
        })
    }

    fn state_of(&self, stage: &StageDef) -> StageState {
        let names: Vec<&str> = self.stages().map(|s| s.name.as_str()).collect();
        let at = self.run.step.as_deref().and_then(|step| names.iter().position(|n| *n == step));
        let this = names.iter().position(|n| *n == stage.name);
        match (at, this) {
            _ if self.run.state == "completed" => StageState::Done,
            (Some(at), Some(this)) if this < at => StageState::Done,
            (Some(at), Some(this)) if this == at && self.run.state == "active" => StageState::Open,
            _ => StageState::Ahead,
        }
    }

    /// The actions of one activity of a stage.
    fn of(&self, stage: &str, activity: &str) -> Vec<&(ActionRow, Value)> {
        self.actions
            .iter()
            .filter(|(_, j)| j["step"].as_str() == Some(stage) && j["activity"].as_str() == Some(activity))
            .collect()
    }
}

/// The case `who` may see: a case playbook's latest run on the record, and its activities.
async fn read(inbox: &Inbox, playbook: &str, record: String, who: &str) -> Result<Case, Problem> {
    let program = inbox.program().await?;
    let pb = program
        .playbook_named(playbook)
        .filter(|_| inbox.app.status().sees(playbook, who))
        .map(|i| program.playbooks[i].clone())
        .filter(|pb| pb.body.iter().any(|n| matches!(n, Node::Stage(_))))
        .ok_or_else(|| Problem::not_found("such case playbook"))?;
    let (name, key, me) = (pb.name.clone(), record.clone(), who.to_string());
    let (runs, page) = inbox
        .app
        .read(move |st| {
            let runs = st.runs(Some(&key), ACTIONS)?;
            let query = ActionQuery {
                record: Some(key),
                playbook: Some(name),
                visible_to: Some(me),
                limit: ACTIONS,
                ..ActionQuery::default()
            };
            Ok((runs, st.actions(&query)?))
        })
        .await?;
    let run = runs
        .into_iter()
        .filter(|r| r.playbook == pb.name)
        .max_by_key(|r| r.run)
        .ok_or_else(|| Problem::not_found("such case"))?;
    let actions = page
        .items
        .into_iter()
        .map(|a| {
            let j = serde_json::from_str(&a.json).unwrap_or(Value::Null);
            (a, j)
        })
        // The latest run's: produced since it started.
        .filter(|(a, _)| a.at >= run.started)
        .collect();
    Ok(Case { playbook: pb, record, run, actions })
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
                (stage.title.as_deref().unwrap_or(&stage.name)) " " span.pill { (state.words()) }
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
                        @let label = label(def, name, &rows);
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

/// What an activity is called on the page: its action's title, else its title as written
/// when that is plain text, else its name.
fn label(def: &play_compiler::program::ActionDef, name: &str, rows: &[&(ActionRow, Value)]) -> String {
    if let Some(title) = rows.first().and_then(|(_, j)| j["title"].as_str()) {
        return title.to_string();
    }
    let written = def.title.as_ref().map(|c| c.source.trim());
    match written.and_then(|t| t.strip_prefix('"')).and_then(|t| t.strip_suffix('"')) {
        Some(plain) if !plain.contains(['{', '"', '\\']) => plain.to_string(),
        _ => name.to_string(),
    }
}
