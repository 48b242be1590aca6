//! Slack incoming webhooks: `{"text": …}` POSTed to the hook's URL. Slack answers `ok`,
//! or an error word in the body: `invalid_payload` fails the delivery; `no_service`,
//! `invalid_token`, `no_active_hooks`, `channel_not_found`, `channel_is_archived` and
//! `action_prohibited` mean the hook no longer works, so the sink pauses until it is
//! replaced; 429 (with `Retry-After`) and 5xx are tried again.

use crate::http::{outcome, post};
use crate::Outcome;

/// The error words that mean the hook itself is gone or refused.
const HOOK_GONE: [&str; 6] =
    ["no_service", "invalid_token", "no_active_hooks", "channel_not_found", "channel_is_archived", "action_prohibited"];

/// One message to a hook. The text is already escaped for Slack by the engine.
pub fn send(hook: &str, id: &str, text: &str) -> Outcome {
    let body = serde_json::json!({ "text": text }).to_string();
    let answer = match post(hook, &[("idempotency-key", id.to_string())], &body) {
        Ok(a) => a,
        Err(o) => return o,
    };
    let word = answer.body.trim();
    if HOOK_GONE.contains(&word) {
        return Outcome::Paused { code: format!("{} {word}", answer.status), message: word.to_string() };
    }
    match outcome(&answer) {
        Outcome::Failed { code, message } => Outcome::Failed { code: format!("{code} {word}"), message },
        other => other,
    }
}
