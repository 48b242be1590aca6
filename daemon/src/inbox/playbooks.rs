//! Playbooks: each with its picture (the SVG of `play graph`), version, visibility, owner,
//! runs in flight and run history. A private playbook is shown to its owner alone.

use std::collections::HashMap;

use axum::extract::{Path, Query, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use maud::html;
use play_compiler::graph::{to_svg, Graph};
use play_compiler::program::{PlaybookDef, Program};
use play_store::HistoryQuery;
use serde_json::Value;

use super::{html_page, layout, when, Inbox, Problem, Signed};

/// Runs read to count those in flight.
const RUNS: usize = 100_000;
/// History entries shown on a playbook's page.
const HISTORY: usize = 100;

fn owner(pb: &PlaybookDef, status: &crate::status::Status) -> Option<String> {
    pb.owner.clone().or_else(|| status.private_playbooks.get(&pb.name).cloned().flatten())
}

pub async fn list(State(inbox): State<Inbox>, Signed(s): Signed) -> Result<Response, Problem> {
    let program = inbox.program().await?;
    let status = inbox.app.status();
    let runs = inbox.app.read(|st| st.runs(None, RUNS)).await?;
    let mut active: HashMap<&str, usize> = HashMap::new();
    for r in runs.iter().filter(|r| r.state == "active") {
        *active.entry(r.playbook.as_str()).or_default() += 1;
    }
    let seen: Vec<&PlaybookDef> = program.playbooks.iter().filter(|p| status.sees(&p.name, &s.email)).collect();
    let body = html! {
        h1 { "Playbooks" }
        table {
            thead { tr { th scope="col" { "Playbook" } th scope="col" { "Version" } th scope="col" { "Visibility" } th scope="col" { "Owner" } th scope="col" { "Runs in flight" } } }
            tbody { @for p in &seen { tr.row {
                td { a href={ "/playbooks/" (p.name) } { (p.name) } @if let Some(t) = &p.title { br; span.muted { (t) } } }
                td { (p.version) }
                td { @if p.public { "public" } @else { "private" } }
                td { (owner(p, &status).unwrap_or_else(|| "—".into())) }
                td { (active.get(p.name.as_str()).copied().unwrap_or(0)) }
            } } }
        }
    };
    Ok(html_page(layout::page("Playbooks", Some(&s), "/playbooks", None, body)))
}

/// The playbook `who` may see by this name.
async fn visible(inbox: &Inbox, name: &str, who: &str) -> Result<(std::sync::Arc<Program>, usize), Problem> {
    let program = inbox.program().await?;
    let index = program.playbook_named(name).filter(|_| inbox.app.status().sees(name, who));
    index.map(|i| (program.clone(), i)).ok_or_else(|| Problem::not_found("such playbook"))
}

fn svg(program: &Program, pb: &PlaybookDef) -> String {
    to_svg(&Graph::of(program, pb))
        .unwrap_or_else(|e| format!("<p>The picture could not be drawn: {}</p>", maud::html! { (e) }.into_string()))
}

pub async fn picture(
    State(inbox): State<Inbox>,
    Signed(s): Signed,
    Path(name): Path<String>,
) -> Result<Response, Problem> {
    let (program, i) = visible(&inbox, &name, &s.email).await?;
    Ok(([(header::CONTENT_TYPE, "image/svg+xml")], svg(&program, &program.playbooks[i])).into_response())
}

#[derive(serde::Deserialize)]
pub struct PageQuery {
    notice: Option<String>,
}

pub async fn one(
    State(inbox): State<Inbox>,
    Signed(s): Signed,
    Path(name): Path<String>,
    Query(q): Query<PageQuery>,
) -> Result<Response, Problem> {
    let (program, i) = visible(&inbox, &name, &s.email).await?;
    let pb = &program.playbooks[i];
    let status = inbox.app.status();
    let wanted = name.clone();
    let runs = inbox.app.read(move |st| st.runs(None, RUNS)).await?;
    let in_flight: Vec<_> = runs.iter().filter(|r| r.playbook == wanted && r.state == "active").take(200).collect();
    let query = HistoryQuery { playbook: Some(name.clone()), limit: 100_000, ..HistoryQuery::default() };
    let history = inbox.app.read(move |st| st.history(&query)).await?;
    let entries: Vec<Value> =
        history.iter().rev().take(HISTORY).map(|h| serde_json::from_str(&h.json).unwrap_or(Value::Null)).collect();
    let picture = svg(&program, pb);
    let has_stages = pb.body.iter().any(|n| matches!(n, play_compiler::program::Node::Stage(_)));
    let body = html! {
        p { a href="/playbooks" { "← Playbooks" } }
        h1 { (pb.name) }
        @if let Some(t) = &pb.title { p { (t) } }
        dl.facts {
            dt { "Version" } dd { (pb.version) }
            dt { "Visibility" } dd { @if pb.public { "public" } @else { "private: only its owner sees what it does" } }
            dt { "Owner" } dd { (owner(pb, &status).unwrap_or_else(|| "—".into())) }
            dt { "Runs in flight" } dd { (in_flight.len()) }
        }
        h2 { "Picture" }
        figure.picture tabindex="0" role="img" aria-label={ "The steps of " (pb.name) } { (layout::raw(&picture)) }
        p { a href={ "/playbooks/" (pb.name) "/picture.svg" } { "The picture as SVG" } }
        @if !pb.public { (super::publish::section(&s, &pb.name, inbox.project.is_some(), &[])) }
        h2 { "Runs in flight" }
        @if in_flight.is_empty() { p { "None." } } @else {
            table {
                thead { tr { th scope="col" { "Run" } th scope="col" { "Record" } th scope="col" { "Step" } th scope="col" { "Started" } th scope="col" { "Last moved" } } }
                tbody { @for r in &in_flight { tr {
                    td { (r.run) }
                    td {
                        a href={ "/?record=" (r.record) } { (r.record) }
                        @if has_stages { " · " a href=(super::cases::address(&pb.name, &r.record)) { "its case" } }
                    }
                    td { (r.step.as_deref().unwrap_or("—")) }
                    td { (when(r.started)) } td { (when(r.updated)) }
                } } }
            }
        }
        h2 { "Run history" }
        @if entries.is_empty() { p { "Nothing yet." } } @else {
            table {
                caption.muted { "The latest " (entries.len()) ", newest first" }
                thead { tr { th scope="col" { "When" } th scope="col" { "Record" } th scope="col" { "Step" } th scope="col" { "Outcome" } th scope="col" { "Reason" } } }
                tbody { @for h in &entries {
                    @let o = &h["outcome"];
                    tr {
                        td { (h["at"].as_str().unwrap_or_default()) }
                        td { (h["record"].as_str().unwrap_or_default()) }
                        td { (h["step"].as_str().unwrap_or("—")) }
                        td { (o["outcome"].as_str().unwrap_or_default().replace('_', " ")) }
                        td { (["reason", "error", "trigger", "done"].iter().find_map(|k| o[*k].as_str()).unwrap_or("")) }
                    }
                } }
            }
        }
    };
    let notice = (q.notice.as_deref() == Some("published"))
        .then_some("Published: the project's source now says so, and the daemon deploys it in a moment.");
    Ok(html_page(layout::page(&pb.name, Some(&s), "/playbooks", notice, body)))
}
