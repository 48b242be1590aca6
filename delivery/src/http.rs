//! HTTP for the sinks: one POST, its answer read into an [`Outcome`] by the rules every
//! JSON endpoint here shares (a `Retry-After` honoured, 5xx and 429 retried, 401 and 403
//! pausing the sink, other 4xx failing the delivery).

use std::time::Duration;

use crate::Outcome;

/// An answer: its status, `Retry-After` (in seconds) and body.
pub struct Answer {
    pub status: u16,
    pub retry_after: Option<Duration>,
    /// HubSpot's `X-HubSpot-RateLimit-Interval-Milliseconds`: the window a 429 is about.
    pub rate_interval: Option<Duration>,
    pub body: String,
}

/// How long to wait for a connection and for the whole answer.
const TIMEOUT: Duration = Duration::from_secs(30);

/// POSTs `body` (JSON) to `url` with `headers`: the answer, or the network error as a
/// retry.
pub fn post(url: &str, headers: &[(&str, String)], body: &str) -> Result<Answer, Outcome> {
    send("POST", url, headers, body)
}

/// Sends `body` (JSON) with `method` to `url`.
pub fn send(method: &str, url: &str, headers: &[(&str, String)], body: &str) -> Result<Answer, Outcome> {
    let agent = ureq::AgentBuilder::new().timeout(TIMEOUT).build();
    let mut request = agent.request(method, url).set("content-type", "application/json");
    for (name, value) in headers {
        request = request.set(name, value);
    }
    let response = match request.send_string(body) {
        Ok(r) => r,
        Err(ureq::Error::Status(_, r)) => r,
        Err(ureq::Error::Transport(t)) => {
            return Err(Outcome::Retry { code: "network".into(), message: t.to_string(), after: None })
        }
    };
    let status = response.status();
    let retry_after =
        response.header("retry-after").and_then(|v| v.trim().parse::<u64>().ok()).map(Duration::from_secs);
    let rate_interval = response
        .header("x-hubspot-ratelimit-interval-milliseconds")
        .and_then(|v| v.trim().parse::<u64>().ok())
        .map(Duration::from_millis);
    // An answer body is read up to 64 KiB: enough for any error message.
    let mut body = String::new();
    let _ = std::io::Read::read_to_string(&mut std::io::Read::take(response.into_reader(), 64 * 1024), &mut body);
    Ok(Answer { status, retry_after, rate_interval, body })
}

/// The common reading of an answer.
pub fn outcome(answer: &Answer) -> Outcome {
    let code = answer.status.to_string();
    let message = clip(&answer.body);
    match answer.status {
        200..=299 => Outcome::Delivered { code },
        408 | 425 | 429 | 500..=599 => Outcome::Retry { code, message, after: answer.retry_after },
        401 | 403 => Outcome::Paused { code, message },
        _ => Outcome::Failed { code, message },
    }
}

/// A remote message, short enough for a log line.
pub fn clip(text: &str) -> String {
    let text = text.trim();
    match text.char_indices().nth(300) {
        Some((i, _)) => format!("{}…", &text[..i]),
        None => text.to_string(),
    }
}
