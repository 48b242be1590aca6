//! Signing in to the inbox: a teammate's token from `play token add` once, then a session
//! cookie (`HttpOnly`, `SameSite=Strict`); every form carries the session's CSRF token, and
//! the sign-in form a cookie-bound one of its own (double submit).

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use axum::http::{header, HeaderMap};

/// The session cookie's name.
pub const COOKIE: &str = "play_session";
/// The sign-in form's own CSRF cookie, before there is a session.
pub const SIGN_IN_COOKIE: &str = "play_sign_in";
/// How long a session lasts without signing in again.
pub const LIFETIME: Duration = Duration::from_secs(12 * 60 * 60);
/// Sessions kept at most; the oldest go first when more sign in.
const MAX_SESSIONS: usize = 10_000;

/// A signed-in teammate.
#[derive(Clone, Debug)]
pub struct Session {
    pub email: String,
    /// The token every form of this session must carry.
    pub csrf: String,
    started: Instant,
}

/// The sessions of this daemon, kept in memory: a restart signs everyone out.
#[derive(Default)]
pub struct Sessions {
    map: Mutex<HashMap<String, Session>>,
}

impl Sessions {
    /// Starts a session for `email`: its id (for the cookie) and the session.
    pub fn start(&self, email: &str) -> (String, Session) {
        let id = random_token();
        let session = Session { email: email.to_string(), csrf: random_token(), started: Instant::now() };
        let mut map = self.map.lock().unwrap_or_else(|e| e.into_inner());
        map.retain(|_, s| s.started.elapsed() < LIFETIME);
        if map.len() >= MAX_SESSIONS {
            if let Some(oldest) = map.iter().min_by_key(|(_, s)| s.started).map(|(k, _)| k.clone()) {
                map.remove(&oldest);
            }
        }
        map.insert(id.clone(), session.clone());
        (id, session)
    }

    /// The live session with this id.
    pub fn get(&self, id: &str) -> Option<Session> {
        let mut map = self.map.lock().unwrap_or_else(|e| e.into_inner());
        match map.get(id) {
            Some(s) if s.started.elapsed() < LIFETIME => Some(s.clone()),
            Some(_) => {
                map.remove(id);
                None
            }
            None => None,
        }
    }

    pub fn end(&self, id: &str) {
        self.map.lock().unwrap_or_else(|e| e.into_inner()).remove(id);
    }
}

/// 32 random bytes from a cryptographically secure generator, in hex.
pub fn random_token() -> String {
    hex::encode(rand::random::<[u8; 32]>())
}

/// A cookie's value from the request's `Cookie` headers.
pub fn cookie<'h>(headers: &'h HeaderMap, name: &str) -> Option<&'h str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v)
}

/// A `Set-Cookie` value: scoped to the whole site, unreadable by scripts, never sent by
/// another site's request. `max_age` 0 removes it.
pub fn set_cookie(name: &str, value: &str, max_age: u64) -> String {
    format!("{name}={value}; Path=/; HttpOnly; SameSite=Strict; Max-Age={max_age}")
}

/// Whether two tokens are equal, in time that does not depend on where they differ.
pub fn same(a: &str, b: &str) -> bool {
    a.len() == b.len() && a.bytes().zip(b.bytes()).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_session_is_found_by_its_id_until_it_ends() {
        let sessions = Sessions::default();
        let (id, s) = sessions.start("jo@example.com");
        assert_eq!(sessions.get(&id).unwrap().email, "jo@example.com");
        assert_eq!(sessions.get(&id).unwrap().csrf, s.csrf);
        assert!(sessions.get(&random_token()).is_none());
        sessions.end(&id);
        assert!(sessions.get(&id).is_none());
    }

    #[test]
    fn cookies_are_read_by_name() {
        let mut h = HeaderMap::new();
        h.insert(header::COOKIE, "a=1; play_session=abc; b=2".parse().unwrap());
        assert_eq!(cookie(&h, COOKIE), Some("abc"));
        assert_eq!(cookie(&h, "c"), None);
    }

    #[test]
    fn tokens_compare_whole() {
        assert!(same("abc", "abc"));
        assert!(!same("abc", "abd"));
        assert!(!same("abc", "ab"));
    }
}
