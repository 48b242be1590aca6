//! `POST /v1/changes`: change lines as ndjson or a JSON array, each read exactly as
//! `play replay` reads a line; answered once the accepted lines are durable.

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::Json;
use serde_json::value::RawValue;
use tokio::sync::oneshot;

use super::{ApiError, App, Limits};
use crate::writer::{Refused, Report, Request};

pub async fn post(State(app): State<App>, headers: HeaderMap, body: Bytes) -> Result<Json<Report>, ApiError> {
    let signed = app.secret.as_deref().is_some_and(|secret| crate::auth::signed(&headers, &body, secret));
    if !signed && super::teammate(&headers, &app).await?.is_none() {
        return Err(ApiError::unauthorized());
    }
    let (lines, refused) = split(&body, app.limits)?;
    let (reply, answer) = oneshot::channel();
    app.send(Request::Changes { lines, reply })?;
    let mut report = match answer.await {
        Ok(Ok(report)) => report,
        Ok(Err(message)) => return Err(ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, message)),
        Err(_) => return Err(ApiError::stopping()),
    };
    report.refused.extend(refused);
    report.refused.sort_by_key(|r| r.line);
    Ok(Json(report))
}

/// The body's lines, numbered from 1 (blank lines counted, not sent), and the lines
/// refused before reading (not UTF-8). A JSON array's elements are its lines.
fn split(body: &[u8], limits: Limits) -> Result<(Vec<(usize, String)>, Vec<Refused>), ApiError> {
    let too_large = |what: String| ApiError::new(StatusCode::PAYLOAD_TOO_LARGE, what);
    let mut lines = Vec::new();
    let mut refused = Vec::new();
    if body.trim_ascii_start().starts_with(b"[") {
        let items: Vec<Box<RawValue>> = serde_json::from_slice(body).map_err(|e| {
            ApiError::new(StatusCode::BAD_REQUEST, format!("the body is not a JSON array of changes: {e}"))
        })?;
        for (n, item) in items.into_iter().enumerate() {
            lines.push((n + 1, item.get().to_string()));
        }
    } else {
        for (n, line) in play_runtime::change::lines(body) {
            match line {
                Ok(text) => lines.push((n, text.to_string())),
                Err(r) => refused.push(Refused { line: n, field: r.field, message: r.message }),
            }
        }
    }
    if lines.len() > limits.lines {
        return Err(too_large(format!(
            "{} changes in one request; send at most {} at a time",
            lines.len(),
            limits.lines
        )));
    }
    if let Some((n, _)) = lines.iter().find(|(_, l)| l.len() > limits.line_bytes) {
        return Err(too_large(format!("line {n} is longer than {} bytes", limits.line_bytes)));
    }
    Ok((lines, refused))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ndjson_lines_keep_their_numbers_past_blank_lines() {
        let (lines, refused) = split(b"{\"a\":1}\n\n{\"b\":2}\n", Limits::default()).unwrap();
        assert_eq!(lines, vec![(1, "{\"a\":1}".to_string()), (3, "{\"b\":2}".to_string())]);
        assert!(refused.is_empty());
    }

    #[test]
    fn an_array_gives_one_line_per_element_as_written() {
        let (lines, _) = split(b" [{\"a\":1}, {\"a\":1,\"a\":2}]", Limits::default()).unwrap();
        assert_eq!(lines[1], (2, "{\"a\":1,\"a\":2}".to_string()), "kept raw, so a key given twice is still refused");
    }

    #[test]
    fn too_many_or_too_long_lines_are_too_large() {
        let limits = Limits { body_bytes: 100, line_bytes: 5, lines: 1 };
        assert_eq!(split(b"1\n2\n", limits).unwrap_err().status, StatusCode::PAYLOAD_TOO_LARGE);
        assert_eq!(split(b"123456\n", limits).unwrap_err().status, StatusCode::PAYLOAD_TOO_LARGE);
    }
}
