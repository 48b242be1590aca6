//! Who is asking: a teammate by the token `play token add` gave them (`Authorization:
//! Bearer`), or a signed ingest (`X-Play-Signature: sha256=<hex HMAC-SHA256 of the raw
//! body>` with the secret in `PLAY_INGEST_SECRET`). Tokens are kept as their SHA-256 only.

use axum::http::HeaderMap;
use hmac::{Hmac, Mac};
use sha2::{Digest, Sha256};

/// The SHA-256 of a token, in hex: what the store keeps.
pub fn token_hash(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

/// The bearer token of a request, if it has one.
pub fn bearer(headers: &HeaderMap) -> Option<&str> {
    let value = headers.get(axum::http::header::AUTHORIZATION)?.to_str().ok()?;
    let token = value.strip_prefix("Bearer ").or_else(|| value.strip_prefix("bearer "))?.trim();
    (!token.is_empty()).then_some(token)
}

/// Whether the body carries a valid signature made with `secret`. The comparison is in
/// constant time (`verify_slice`).
pub fn signed(headers: &HeaderMap, body: &[u8], secret: &[u8]) -> bool {
    let Some(value) = headers.get("x-play-signature").and_then(|v| v.to_str().ok()) else { return false };
    let Some(given) = value.trim().strip_prefix("sha256=").and_then(|h| hex::decode(h).ok()) else { return false };
    let Ok(mut mac) = Hmac::<Sha256>::new_from_slice(secret) else { return false };
    mac.update(body);
    mac.verify_slice(&given).is_ok()
}

/// The signature of `body` under `secret`, as the header's value (for senders and tests).
pub fn signature(body: &[u8], secret: &[u8]) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(secret).expect("HMAC takes a key of any length");
    mac.update(body);
    format!("sha256={}", hex::encode(mac.finalize().into_bytes()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(signature: &str) -> HeaderMap {
        let mut h = HeaderMap::new();
        h.insert("x-play-signature", signature.parse().unwrap());
        h
    }

    #[test]
    fn a_signature_made_with_the_secret_is_accepted() {
        let body = b"{\"at\":1}\n";
        assert!(signed(&headers(&signature(body, b"s3cret")), body, b"s3cret"));
    }

    #[test]
    fn a_signature_of_another_body_or_secret_is_refused() {
        let body = b"{\"at\":1}\n";
        assert!(!signed(&headers(&signature(b"other", b"s3cret")), body, b"s3cret"));
        assert!(!signed(&headers(&signature(body, b"wrong")), body, b"s3cret"));
        assert!(!signed(&headers("sha256=zz"), body, b"s3cret"));
        assert!(!signed(&HeaderMap::new(), body, b"s3cret"));
    }

    #[test]
    fn bearer_tokens_are_read_from_the_authorization_header() {
        let mut h = HeaderMap::new();
        h.insert("authorization", "Bearer abc".parse().unwrap());
        assert_eq!(bearer(&h), Some("abc"));
        h.insert("authorization", "Basic abc".parse().unwrap());
        assert_eq!(bearer(&h), None);
    }
}
