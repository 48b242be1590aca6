//! The Slack and webhook sinks against a real local HTTP server: what is sent (body,
//! Standard Webhooks headers that verify, the idempotency key) and how each answer is read.

mod support;

use std::time::Duration;

use play_delivery::{slack, webhook, Outcome};
use support::{closed_port_url, Server};

const SECRET: &str = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";

#[test]
fn the_standard_webhooks_example_signature() {
    // The example of the Standard Webhooks specification.
    let sig = webhook::sign(SECRET, "msg_p5jXN8AQM9LWM0D4loKWxJek", 1614265330, r#"{"test": 2432232314}"#).unwrap();
    assert_eq!(sig, "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=");
    assert!(webhook::verify(SECRET, "msg_p5jXN8AQM9LWM0D4loKWxJek", 1614265330, r#"{"test": 2432232314}"#, &sig));
    assert!(!webhook::verify(SECRET, "msg_p5jXN8AQM9LWM0D4loKWxJek", 1614265331, r#"{"test": 2432232314}"#, &sig));
    assert!(webhook::sign("not base64!", "a", 1, "{}").is_err());
}

#[test]
fn a_webhook_is_signed_and_its_answers_read() {
    let server = Server::start(vec![
        (200, vec![], "{}"),
        (429, vec![("retry-after", "120")], "slow down"),
        (503, vec![], "down"),
        (401, vec![], "who are you"),
        (422, vec![], "bad field"),
    ]);
    let body = r#"{"account":"acme"}"#;
    let send = || webhook::send(&server.url, SECRET, "act-1", 1_767_600_000, body);
    assert_eq!(send(), Outcome::Delivered { code: "200".into() });
    assert_eq!(
        send(),
        Outcome::Retry { code: "429".into(), message: "slow down".into(), after: Some(Duration::from_secs(120)) }
    );
    assert!(matches!(send(), Outcome::Retry { ref code, after: None, .. } if code == "503"));
    assert!(matches!(send(), Outcome::Paused { ref code, .. } if code == "401"));
    assert!(matches!(send(), Outcome::Failed { ref code, ref message } if code == "422" && message == "bad field"));
    let first = &server.requests()[0];
    assert_eq!(first.body, body);
    assert_eq!(first.header("webhook-id"), Some("act-1"));
    assert_eq!(first.header("idempotency-key"), Some("act-1"));
    let ts: i64 = first.header("webhook-timestamp").unwrap().parse().unwrap();
    assert!(webhook::verify(SECRET, "act-1", ts, &first.body, first.header("webhook-signature").unwrap()));
}

#[test]
fn a_webhook_to_a_closed_port_is_tried_again() {
    let outcome = webhook::send(&closed_port_url(), SECRET, "act-1", 1, "{}");
    assert!(matches!(outcome, Outcome::Retry { ref code, .. } if code == "network"), "{outcome:?}");
}

#[test]
fn slack_answers_as_its_incoming_webhooks_document_them() {
    let server = Server::start(vec![
        (200, vec![], "ok"),
        (429, vec![("retry-after", "30")], "rate_limited"),
        (404, vec![], "no_service"),
        (403, vec![], "invalid_token"),
        (410, vec![], "channel_is_archived"),
        (400, vec![], "invalid_payload"),
        (500, vec![], "rollup_error"),
    ]);
    let send = || slack::send(&server.url, "act-9", "Acme's health fell to *41*");
    assert_eq!(send(), Outcome::Delivered { code: "200".into() });
    assert!(matches!(send(), Outcome::Retry { after: Some(d), .. } if d == Duration::from_secs(30)));
    for word in ["no_service", "invalid_token", "channel_is_archived"] {
        assert!(matches!(send(), Outcome::Paused { ref message, .. } if message == word));
    }
    assert!(matches!(send(), Outcome::Failed { ref code, .. } if code == "400 invalid_payload"));
    assert!(matches!(send(), Outcome::Retry { ref code, .. } if code == "500"));
    let first = &server.requests()[0];
    assert_eq!(first.body, r#"{"text":"Acme's health fell to *41*"}"#);
    assert_eq!(first.header("idempotency-key"), Some("act-9"));
}
