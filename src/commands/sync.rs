//! `play sync`: asks the running daemon to pull changes from the CRM now
//! (`POST /v1/sync`). The daemon does the pull because it is the one writer: pulled
//! records go through its engine thread like any change, and its watermarks say what was
//! pulled before; a pull beside it, straight into the store, would bypass both.

use serde::Deserialize;

use super::to_stderr;
use crate::cli::SyncArgs;
use crate::error::Error;
use crate::exit::Exit;

#[derive(Deserialize)]
struct Report {
    pulled: usize,
    accepted: usize,
    duplicates: usize,
    /// Records deleted in the CRM, taken as deletions (an older daemon says nothing).
    #[serde(default)]
    deleted: usize,
    refused: Vec<Refused>,
    errors: Vec<Failure>,
}

#[derive(Deserialize)]
struct Refused {
    record: String,
    field: Option<String>,
    message: String,
}

#[derive(Deserialize)]
struct Failure {
    crm: String,
    object: String,
    code: String,
    message: String,
}

pub fn run(args: &SyncArgs) -> Result<Exit, Error> {
    if let Some(record) = &args.record {
        if !record.split_once('/').is_some_and(|(t, id)| !t.is_empty() && !id.is_empty()) {
            return Err(Error::Usage(format!(
                "`--record {record}` is not a record: write it `Type/id`, like `Account/0015g00000AbCdE`"
            )));
        }
    }
    let token = args.token.clone().or_else(|| std::env::var("PLAY_TOKEN").ok().filter(|t| !t.is_empty()));
    let url = format!("{}/v1/sync", args.to.trim_end_matches('/'));
    let body = match &args.record {
        Some(record) => serde_json::json!({ "record": record }).to_string(),
        None => String::new(),
    };
    let report: Report = super::send::post(&url, token.as_deref(), "application/json", body)?;
    to_stderr(|err| {
        for r in &report.refused {
            let field = r.field.as_ref().map(|f| format!(" (field `{f}`)")).unwrap_or_default();
            writeln!(err, "{}: refused{field}: {}", r.record, r.message)?;
        }
        for e in &report.errors {
            writeln!(err, "{} {}: the CRM answered {}: {}", e.crm, e.object, e.code, e.message)?;
        }
        let deleted = if report.deleted > 0 { format!(", {} deleted", report.deleted) } else { String::new() };
        writeln!(
            err,
            "{} pulled: {} accepted, {} duplicates, {} refused{deleted}",
            report.pulled,
            report.accepted,
            report.duplicates,
            report.refused.len()
        )
    });
    Ok(Exit::problems_if(!report.refused.is_empty() || !report.errors.is_empty()))
}
