//! `play send FILE`: a change file posted to a running daemon in batches of 1,000 lines;
//! refused lines are printed with their line number in the file.

use std::io::IsTerminal;

use serde::Deserialize;

use super::to_stderr;
use crate::cli::SendArgs;
use crate::error::Error;
use crate::exit::Exit;

const BATCH: usize = 1_000;

#[derive(Deserialize)]
struct Answer {
    accepted: usize,
    duplicates: usize,
    refused: Vec<Refusal>,
}

#[derive(Deserialize)]
struct Refusal {
    line: usize,
    field: Option<String>,
    message: String,
}

pub fn run(args: &SendArgs) -> Result<Exit, Error> {
    let bytes = std::fs::read(&args.file).map_err(|source| Error::Read { path: args.file.clone(), source })?;
    let place = args.file.display().to_string();
    let mut refused = 0;
    let report = |number: usize, field: Option<&str>, message: &str| {
        let field = field.map(|f| format!(" (field `{f}`)")).unwrap_or_default();
        to_stderr(|err| writeln!(err, "{place}:{number}: refused{field}: {message}"));
    };
    let mut batch: Vec<(usize, &str)> = Vec::with_capacity(BATCH);
    let mut batches = Vec::new();
    for (number, line) in play_runtime::change::lines(&bytes) {
        match line {
            Ok(text) => batch.push((number, text)),
            Err(r) => {
                refused += 1;
                report(number, r.field.as_deref(), &r.message);
            }
        }
        if batch.len() == BATCH {
            batches.push(std::mem::take(&mut batch));
        }
    }
    if !batch.is_empty() {
        batches.push(batch);
    }
    let total: usize = batches.iter().map(Vec::len).sum();
    let bar = progress(total);
    let token = args.token.clone().or_else(|| std::env::var("PLAY_TOKEN").ok().filter(|t| !t.is_empty()));
    let url = format!("{}/v1/changes", args.to.trim_end_matches('/'));
    let (mut accepted, mut duplicates) = (0, 0);
    for batch in &batches {
        let body: String = batch.iter().map(|(_, l)| format!("{l}\n")).collect();
        let answer: Answer = post(&url, token.as_deref(), "application/x-ndjson", body)?;
        accepted += answer.accepted;
        duplicates += answer.duplicates;
        for r in answer.refused {
            refused += 1;
            // The daemon numbers the lines of the batch; the file's number is ours.
            let number = batch.get(r.line.wrapping_sub(1)).map_or(r.line, |(n, _)| *n);
            match &bar {
                Some(bar) => bar.suspend(|| report(number, r.field.as_deref(), &r.message)),
                None => report(number, r.field.as_deref(), &r.message),
            }
        }
        if let Some(bar) = &bar {
            bar.inc(batch.len() as u64);
        }
    }
    if let Some(bar) = bar {
        bar.finish_and_clear();
    }
    to_stderr(|err| writeln!(err, "{accepted} accepted, {duplicates} duplicates, {refused} refused"));
    Ok(Exit::problems_if(refused > 0))
}

/// POSTs `body` to the daemon and reads its JSON answer; its refusal as a usage error.
pub(crate) fn post<T: serde::de::DeserializeOwned>(
    url: &str,
    token: Option<&str>,
    content_type: &str,
    body: String,
) -> Result<T, Error> {
    let mut request = ureq::post(url).set("Content-Type", content_type);
    if let Some(token) = token {
        request = request.set("Authorization", &format!("Bearer {token}"));
    }
    let response = match request.send_string(&body) {
        Ok(r) => r,
        Err(ureq::Error::Status(code, r)) => {
            let text = r.into_string().unwrap_or_default();
            let message = serde_json::from_str::<serde_json::Value>(&text)
                .ok()
                .and_then(|v| v.get("error").and_then(|e| e.as_str()).map(String::from))
                .unwrap_or(text);
            return Err(Error::Usage(format!("the daemon at {url} answered {code}: {message}")));
        }
        Err(e) => return Err(Error::Usage(format!("cannot reach the daemon at {url}: {e}"))),
    };
    response
        .into_json()
        .map_err(|e| Error::Usage(format!("the daemon at {url} gave an answer that is not a report: {e}")))
}

/// A progress bar when stderr is a terminal.
fn progress(lines: usize) -> Option<indicatif::ProgressBar> {
    if !std::io::stderr().is_terminal() {
        return None;
    }
    let bar = indicatif::ProgressBar::new(lines as u64);
    let style = indicatif::ProgressStyle::with_template("{bar:40} {pos}/{len} changes sent {per_sec} eta {eta}")
        .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar());
    bar.set_style(style);
    Some(bar)
}
