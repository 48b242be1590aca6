//! The sync-log page (`/sync-log`): every delivery attempt the teammate may see, newest
//! first, with the remote system's code and message verbatim and when it is retried; the
//! filters of `GET /v1/sync-log` (sink, record, outcome, teammate, since a day); paged; and
//! the API's CSV of the last 30 days (`/sync-log.csv`, the same filters).

use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use maud::{html, Markup};
use play_store::{Attempt, LogQuery};
use serde::Deserialize;

use super::queue::PAGE;
use super::{html_page, layout, when, Inbox, Problem, Signed};
use crate::http::deliveries::{csv_answer, log_rows, OUTCOMES};

/// How far back the page and the CSV look unless `since` says otherwise.
const DAYS: i64 = 30;
/// Attempts read at most for one page (the store gives them oldest first).
const MOST: usize = 1_000_000;
/// The sinks an attempt can go to.
const SINKS: [&str; 5] = ["smtp", "slack", "webhook", "crm", "none"];

#[derive(Clone, Debug, Default, Deserialize)]
pub struct Filter {
    sink: Option<String>,
    record: Option<String>,
    outcome: Option<String>,
    teammate: Option<String>,
    /// A day, `YYYY-MM-DD`: attempts from its start (UTC).
    since: Option<String>,
    page: Option<usize>,
}

fn some(v: &Option<String>) -> Option<String> {
    v.as_deref().map(str::trim).filter(|s| !s.is_empty()).map(String::from)
}

impl Filter {
    /// The filters as a query string (without the page), with `page` when past the first.
    fn query(&self, page: Option<usize>) -> String {
        let mut out = form_urlencoded::Serializer::new(String::new());
        for (k, v) in [
            ("sink", some(&self.sink)),
            ("record", some(&self.record)),
            ("outcome", some(&self.outcome)),
            ("teammate", some(&self.teammate)),
            ("since", some(&self.since)),
            ("page", page.filter(|p| *p > 1).map(|p| p.to_string())),
        ] {
            if let Some(v) = v {
                out.append_pair(k, &v);
            }
        }
        out.finish()
    }

    /// The store's query, or what is wrong with the filters. `since` is ignored for the CSV,
    /// which is always the last 30 days.
    fn log_query(&self, now: i64, csv: bool) -> Result<LogQuery, String> {
        let recent = now - DAYS * 86_400;
        let since = match some(&self.since).filter(|_| !csv) {
            None => recent,
            Some(day) => chrono::NaiveDate::parse_from_str(&day, "%Y-%m-%d")
                .ok()
                .and_then(|d| d.and_hms_opt(0, 0, 0))
                .map(|t| t.and_utc().timestamp())
                .ok_or_else(|| {
                    format!("`{}` is not a day: write it like 2026-03-02.", play_runtime::change::clip(&day))
                })?,
        };
        if let Some(o) = some(&self.outcome).filter(|o| !OUTCOMES.contains(&o.as_str())) {
            return Err(format!(
                "`{}` is not an outcome: pick one of {}.",
                play_runtime::change::clip(&o),
                OUTCOMES.join(", ")
            ));
        }
        Ok(LogQuery {
            since,
            limit: MOST,
            sink: some(&self.sink),
            record: some(&self.record),
            outcome: some(&self.outcome),
            teammate: some(&self.teammate),
        })
    }
}

/// `GET /sync-log`.
pub async fn page(State(inbox): State<Inbox>, Signed(s): Signed, Query(f): Query<Filter>) -> Result<Response, Problem> {
    let (rows, problem) = match f.log_query(crate::clock::wall(), false) {
        Ok(query) => (log_rows(&inbox.app, &s.email, query).await?, None),
        Err(message) => (Vec::new(), Some(message)),
    };
    let pages = rows.len().div_ceil(PAGE).max(1);
    let page = f.page.unwrap_or(1).clamp(1, pages);
    let shown: Vec<&(String, Attempt)> = rows.iter().rev().skip((page - 1) * PAGE).take(PAGE).collect();
    let link = |p: usize| format!("/sync-log?{}", f.query(Some(p)));
    let body = html! {
        h1 { "Sync log" }
        p.muted {
            "Every attempt to deliver an action you may see, newest first: what the remote system answered, "
            "verbatim, and when it is tried again. "
            @if some(&f.since).is_none() { "The last " (DAYS) " days; pick a day to look further back." }
        }
        (filters(&f))
        (layout::problem(problem.as_deref()))
        p { a href={ "/sync-log.csv?" (f.query(None)) } download="sync-log.csv" { "Download the last " (DAYS) " days as CSV" } }
        @if rows.is_empty() { p { "No attempts under these filters." } } @else {
            p.muted { (rows.len()) " attempts" }
            table.log {
                thead { tr {
                    @for h in ["When", "Action", "Sink", "Record", "Teammate", "Attempt", "Outcome", "Code", "Message", "Next retry"] {
                        th scope="col" { (h) }
                    }
                } }
                tbody { @for (playbook, a) in &shown { (line(playbook, a)) } }
            }
            @if pages > 1 {
                nav.pager aria-label="Pages" {
                    @if page > 1 { a href=(link(page - 1)) rel="prev" { "← Newer" } }
                    span { "Page " (page) " of " (pages) }
                    @if page < pages { a href=(link(page + 1)) rel="next" { "Older →" } }
                }
            }
        }
    };
    let status = if problem.is_some() { StatusCode::BAD_REQUEST } else { StatusCode::OK };
    Ok((status, html_page(layout::page("Sync log", Some(&s), "/sync-log", None, body))).into_response())
}

/// `GET /sync-log.csv`: the API's CSV of the last 30 days, under the page's filters.
pub async fn csv(State(inbox): State<Inbox>, Signed(s): Signed, Query(f): Query<Filter>) -> Result<Response, Problem> {
    let query = f.log_query(crate::clock::wall(), true).map_err(|m| Problem::new(StatusCode::BAD_REQUEST, m))?;
    let rows = log_rows(&inbox.app, &s.email, query).await?;
    Ok(csv_answer(&rows))
}

fn line(playbook: &str, a: &Attempt) -> Markup {
    html! {
        tr {
            td { (when(a.at)) }
            td { code { (a.action_id) } @if !playbook.is_empty() { br; span.muted { (playbook) } } }
            td { (a.sink) }
            td { a href={ "/?record=" (a.record) } { (a.record) } }
            td { (a.teammate.as_deref().unwrap_or("—")) }
            td { (a.attempt) }
            td { span class={ "pill outcome-" (a.outcome) } { (a.outcome) } }
            td { code { (a.code) } }
            td.message { (a.message) }
            td { (a.next_at.map_or_else(|| "—".to_string(), when)) }
        }
    }
}

fn filters(f: &Filter) -> Markup {
    let chosen = |v: &Option<String>, option: &str| some(v).as_deref() == Some(option);
    html! {
        form.filters method="get" action="/sync-log" role="search" {
            div {
                label for="sink" { "Sink" }
                select #sink name="sink" {
                    option value="" { "Any" }
                    @for k in SINKS { option value=(k) selected[chosen(&f.sink, k)] { (k) } }
                }
            }
            div { label for="record" { "Record" } input #record type="text" name="record" value=[some(&f.record)] placeholder="Account/acme"; }
            div {
                label for="outcome" { "Outcome" }
                select #outcome name="outcome" {
                    option value="" { "Any" }
                    @for o in OUTCOMES { option value=(o) selected[chosen(&f.outcome, o)] { (o) } }
                }
            }
            div { label for="teammate" { "Teammate" } input #teammate type="text" name="teammate" value=[some(&f.teammate)] placeholder="jo@example.com"; }
            div { label for="since" { "Since" } input #since type="date" name="since" value=[some(&f.since)]; }
            div { button type="submit" { "Filter" } " " a href="/sync-log" { "Clear" } }
        }
    }
}
