//! Reading what the daemon knows: runs, run history, status and Prometheus metrics (the
//! sync log is in `deliveries.rs`). A private playbook's runs and history are
//! shown to its owner alone, as its actions are.

use axum::extract::{Path, Query, State};
use axum::http::{header, StatusCode};
use axum::response::IntoResponse;
use axum::Json;
use play_runtime::value::moment_text;
use play_store::HistoryQuery;
use serde::Deserialize;
use serde_json::{json, Value};

use super::{ApiError, App, Teammate};

#[derive(Deserialize)]
pub struct RunsQuery {
    record: Option<String>,
    limit: Option<usize>,
}

pub async fn runs(
    State(app): State<App>,
    Teammate(who): Teammate,
    Query(q): Query<RunsQuery>,
) -> Result<Json<Value>, ApiError> {
    let limit = q.limit.unwrap_or(100).clamp(1, 1000);
    let rows = app.read(move |s| s.runs(q.record.as_deref(), limit)).await?;
    let status = app.status();
    let runs: Vec<Value> = rows
        .into_iter()
        .filter(|r| status.sees(&r.playbook, &who))
        .map(|r| {
            json!({ "run": r.run, "playbook": r.playbook, "record": r.record, "state": r.state, "step": r.step,
                    "started": moment_text(r.started), "updated": moment_text(r.updated) })
        })
        .collect();
    Ok(Json(json!({ "runs": runs })))
}

#[derive(Deserialize)]
pub struct HistoryParams {
    record: Option<String>,
    playbook: Option<String>,
    since: Option<String>,
    limit: Option<usize>,
}

pub async fn history(
    State(app): State<App>,
    Teammate(who): Teammate,
    Query(q): Query<HistoryParams>,
) -> Result<Json<Value>, ApiError> {
    let since = match q.since.as_deref() {
        None => None,
        Some(text) => Some(
            chrono::DateTime::parse_from_rfc3339(text)
                .map_err(|_| {
                    ApiError::new(
                        StatusCode::BAD_REQUEST,
                        format!("`since` is not a moment: write it as 2026-03-02T09:00:00Z, not `{text}`"),
                    )
                })?
                .timestamp(),
        ),
    };
    let status = app.status();
    let hidden = status.hidden_from(&who);
    let query = HistoryQuery {
        record: q.record,
        playbook: q.playbook,
        since,
        hidden,
        limit: q.limit.unwrap_or(500).clamp(1, 5000),
    };
    let rows = app.read(move |s| s.history(&query)).await?;
    let entries: Vec<Value> = rows.into_iter().map(|h| serde_json::from_str(&h.json).unwrap_or(Value::Null)).collect();
    Ok(Json(json!({ "entries": entries })))
}

pub async fn status(State(app): State<App>, Teammate(_who): Teammate) -> Result<Json<Value>, ApiError> {
    let counters = app.read(|s| s.counters()).await?;
    let status = app.status();
    let moment = |t: Option<i64>| t.map(moment_text);
    Ok(Json(json!({
        "program": { "hash": status.program_hash, "deployed_at": moment(status.deployed_at) },
        "refused_reload": status.refused_reload.map(|r| json!({ "at": moment_text(r.at), "diagnostics": r.diagnostics })),
        "journal_position": counters.journal_position,
        "clock": moment(status.clock),
        "next_timer": moment(status.next_timer),
        "actions_open": counters.actions_open,
        "outbox_backlog": counters.outbox_backlog,
        "runs_active": counters.runs_active,
        "snapshot_position": counters.snapshot_position,
    })))
}

pub async fn metrics(State(app): State<App>) -> Result<impl IntoResponse, ApiError> {
    let counters = app.read(|s| s.counters()).await?;
    Ok(([(header::CONTENT_TYPE, "text/plain; version=0.0.4")], crate::metrics::render(&counters)))
}

#[derive(Deserialize)]
pub struct ExplainParams {
    record: Option<String>,
    playbook: Option<String>,
}

/// Why a playbook did or did not enrol a record: a fold of the whole journal with the
/// engine's trace on (see `crate::explain`).
pub async fn explain(
    State(app): State<App>,
    Teammate(who): Teammate,
    Query(q): Query<ExplainParams>,
) -> Result<Json<Value>, ApiError> {
    let bad = |message: String| ApiError::new(StatusCode::BAD_REQUEST, message);
    let record = q.record.ok_or_else(|| bad("say which record: `record=Type/id`".into()))?;
    let playbook = q.playbook.ok_or_else(|| bad("say which playbook: `playbook=NAME`".into()))?;
    let Some((kind, id)) = record.split_once('/').filter(|(k, i)| !k.is_empty() && !i.trim().is_empty()) else {
        let clipped = play_runtime::change::clip(&record);
        return Err(bad(format!("`{clipped}` is not a record: write it as Type/id, e.g. Account/acme")));
    };
    let (kind, id) = (kind.to_string(), id.to_string());
    let status = app.status();
    if !status.sees(&playbook, &who) {
        return Err(ApiError::not_found("such playbook"));
    }
    let program = running_program(&app, status.program_hash.clone()).await?;
    let Some(p) = program.playbook_named(&playbook) else {
        let names = program.playbooks.iter().map(|p| p.name.as_str()).filter(|n| status.sees(n, &who));
        let hint = play_compiler::suggest::closest(&playbook, names).map(|b| format!(": did you mean `{b}`?"));
        return Err(ApiError::not_found(&format!("playbook `{playbook}`{}", hint.unwrap_or_default())));
    };
    let subject = program.schema.records[program.playbooks[p].subject].name.clone();
    if subject != kind {
        return Err(bad(format!("the playbook `{playbook}` is about {subject} records, not {kind}")));
    }
    let explained = app
        .read(move |s| Ok(crate::explain::explain(s, program, &playbook, &kind, &id)))
        .await?
        .map_err(|e| ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, e))?;
    Ok(Json(serde_json::to_value(explained).unwrap_or(Value::Null)))
}

/// `GET /v1/cases/{playbook}/{type}/{id}`: a case playbook's latest run on the record, as
/// its stages and activities.
pub async fn case(
    State(app): State<App>,
    Teammate(who): Teammate,
    Path((playbook, kind, id)): Path<(String, String, String)>,
) -> Result<Json<Value>, ApiError> {
    let status = app.status();
    if !status.sees(&playbook, &who) {
        return Err(ApiError::not_found("such playbook"));
    }
    let program = running_program(&app, status.program_hash.clone()).await?;
    let record = format!("{kind}/{id}");
    let case = app.read(move |s| crate::case::Case::read(s, &program, &playbook, &record, &who)).await?;
    let case = case.ok_or_else(|| ApiError::not_found("case of that playbook on that record"))?;
    Ok(Json(case.to_json()))
}

/// The program running, read from the store by its hash.
async fn running_program(app: &App, hash: String) -> Result<play_compiler::program::Program, ApiError> {
    let program = app.read(move |s| Ok(crate::writer::stored_program(s, &hash))).await?;
    program.map_err(|e| ApiError::new(StatusCode::SERVICE_UNAVAILABLE, e))
}
