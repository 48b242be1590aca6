//! Generic webhooks, signed per the Standard Webhooks convention: headers `webhook-id`
//! (the action's id, also sent as `Idempotency-Key`), `webhook-timestamp` (seconds) and
//! `webhook-signature` (`v1,` and the base64 HMAC-SHA256 of `id.timestamp.body` under the
//! secret, itself `whsec_` and base64), so the receiver can verify and de-duplicate.

use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;
use hmac::{Hmac, Mac};
use sha2::Sha256;

use crate::http::{outcome, post};
use crate::Outcome;

/// The signature header's value for one message.
pub fn sign(secret: &str, id: &str, timestamp: i64, body: &str) -> Result<String, String> {
    let key = STANDARD
        .decode(secret.strip_prefix("whsec_").unwrap_or(secret))
        .map_err(|_| "the webhook secret is not `whsec_` followed by base64".to_string())?;
    let mut mac = Hmac::<Sha256>::new_from_slice(&key).map_err(|e| e.to_string())?;
    mac.update(format!("{id}.{timestamp}.{body}").as_bytes());
    Ok(format!("v1,{}", STANDARD.encode(mac.finalize().into_bytes())))
}

/// Whether a signature header (one or more space-separated `v1,…`) is right for the
/// message, compared in constant time.
pub fn verify(secret: &str, id: &str, timestamp: i64, body: &str, header: &str) -> bool {
    let Ok(key) = STANDARD.decode(secret.strip_prefix("whsec_").unwrap_or(secret)) else { return false };
    header.split(' ').filter_map(|s| s.strip_prefix("v1,")).any(|sig| {
        let Ok(sig) = STANDARD.decode(sig) else { return false };
        let Ok(mut mac) = Hmac::<Sha256>::new_from_slice(&key) else { return false };
        mac.update(format!("{id}.{timestamp}.{body}").as_bytes());
        mac.verify_slice(&sig).is_ok()
    })
}

/// One signed POST of `body` (JSON).
pub fn send(url: &str, secret: &str, id: &str, timestamp: i64, body: &str) -> Outcome {
    let signature = match sign(secret, id, timestamp, body) {
        Ok(s) => s,
        Err(message) => return Outcome::Paused { code: "secret".into(), message },
    };
    let headers = [
        ("webhook-id", id.to_string()),
        ("webhook-timestamp", timestamp.to_string()),
        ("webhook-signature", signature),
        ("idempotency-key", id.to_string()),
    ];
    match post(url, &headers, body) {
        Ok(answer) => outcome(&answer),
        Err(o) => o,
    }
}
