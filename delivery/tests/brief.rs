//! Briefs: the data a brief carries written out as text, and summarised by a local stub
//! of the OpenAI chat-completions API (`POST /v1/chat/completions`), which answers as the
//! documented API does: `choices[0].message.content`, and errors as
//! `{"error":{"message","type","code"}}` (401 `invalid_api_key`, 429 with `retry-after`).

mod support;

use std::time::Duration;

use play_delivery::brief::{data_text, write, Summariser};
use play_delivery::Outcome;
use serde_json::{json, Value};
use support::Server;

fn brief() -> Value {
    json!({
        "id": "b1", "action": "brief", "playbook": "renewal_kickoff", "step": "open",
        "record": "Account/acme", "about": "Account/acme", "to": "jo@example.com",
        "data": {
            "record": "Account/acme",
            "fields": {"name": "Acme", "health": 41, "stage": "Renewal", "tags": ["pilot", "eu"]},
            "trends": [{"field": "health", "before": 72, "now": 41, "since": "30 days"}],
            "events": [{"at": "2026-03-03T11:00:00Z", "event": "NpsSubmitted", "fields": {"score": 4, "comment": "Reports are too slow"}}],
            "open_actions": [{"id": "t1", "action": "task", "title": "Call Acme", "to": "jo@example.com", "playbook": "renewal_risk"}]
        }
    })
}

fn stub(status: u16, headers: Vec<(String, String)>, body: Value) -> Server {
    Server::with(move |_| (status, headers.clone(), body.to_string()))
}

fn summariser(server: &Server) -> Summariser {
    Summariser { url: format!("{}/v1", server.root()), model: "gpt-4o-mini".into(), api_key: Some("sk-test".into()) }
}

#[test]
fn the_data_brief_reads_as_text_section_by_section() {
    insta::assert_snapshot!(data_text(&brief()), @r"
    Account/acme: a brief from the playbook renewal_kickoff (step open).

    Key fields
    - health: 41
    - name: Acme
    - stage: Renewal
    - tags: pilot, eu

    Trends
    - health: 72 30 days ago, 41 now (-31)

    Recent events
    - 2026-03-03T11:00:00Z NpsSubmitted: comment Reports are too slow, score 4

    Open actions on the record
    - Call Acme for jo@example.com (renewal_risk)
    ");
    let (subject, text) = write(&brief(), None).unwrap();
    assert_eq!(subject, "Brief: Acme");
    assert_eq!(text, data_text(&brief()), "without a summariser the data brief goes as it is");
}

#[test]
fn a_summary_from_the_chat_completions_api_goes_above_the_data() {
    let reply = json!({
        "id": "chatcmpl-1", "object": "chat.completion", "model": "gpt-4o-mini",
        "choices": [{"index": 0, "message": {"role": "assistant", "content": "Acme's health fell to 41; call them."}, "finish_reason": "stop"}],
        "usage": {"prompt_tokens": 120, "completion_tokens": 12, "total_tokens": 132}
    });
    let server = stub(200, vec![], reply);
    let (subject, text) = write(&brief(), Some(&summariser(&server))).unwrap();
    assert_eq!(subject, "Brief: Acme");
    assert!(text.starts_with("Acme's health fell to 41; call them.\n\n---\nThe data it is made from:\n\n"), "{text}");
    assert!(text.ends_with(&data_text(&brief())), "{text}");
    let requests = server.requests();
    assert_eq!(requests.len(), 1);
    let r = &requests[0];
    assert_eq!((r.method.as_str(), r.path.as_str()), ("POST", "/v1/chat/completions"));
    assert_eq!(r.header("authorization"), Some("Bearer sk-test"));
    let sent: Value = serde_json::from_str(&r.body).unwrap();
    assert_eq!(sent["model"], "gpt-4o-mini");
    assert_eq!(sent["messages"][0]["role"], "system");
    assert_eq!(sent["messages"][1]["role"], "user");
    assert_eq!(sent["messages"][1]["content"], data_text(&brief()), "the model is given the data brief");
}

#[test]
fn a_refused_key_pauses_and_a_rate_limit_is_tried_again_after_retry_after() {
    let refused = stub(
        401,
        vec![],
        json!({"error": {"message": "Incorrect API key provided: sk-test.", "type": "invalid_request_error", "param": null, "code": "invalid_api_key"}}),
    );
    let outcome = write(&brief(), Some(&summariser(&refused))).unwrap_err();
    assert_eq!(
        outcome,
        Outcome::Paused {
            code: "invalid_api_key".into(),
            message: "the brief's summariser: Incorrect API key provided: sk-test.".into()
        }
    );
    let limited = stub(
        429,
        vec![("retry-after".into(), "20".into())],
        json!({"error": {"message": "Rate limit reached for gpt-4o-mini.", "type": "requests", "param": null, "code": "rate_limit_exceeded"}}),
    );
    let outcome = write(&brief(), Some(&summariser(&limited))).unwrap_err();
    assert!(
        matches!(&outcome, Outcome::Retry { code, after: Some(after), .. } if code == "rate_limit_exceeded" && *after == Duration::from_secs(20)),
        "{outcome:?}"
    );
    let down = stub(503, vec![], json!({"error": {"message": "The server is overloaded.", "type": "server_error"}}));
    assert!(matches!(write(&brief(), Some(&summariser(&down))).unwrap_err(), Outcome::Retry { .. }));
}
