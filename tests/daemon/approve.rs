//! An approved email task end to end: `play run` with `[sinks.smtp]` pointing at a real
//! SMTP server (aiosmtpd) started by the test. The teammate approves the draft with edits
//! through the API; the server receives the edited email once, from the teammate, with the
//! id of the approval as its Message-ID, and still once after a kill -9 and a restart. The
//! action's detail shows what was sent. And a brief: the record's data captured when it
//! was made, summarised by a local stub of the chat-completions API, emailed.

use crate::support::{example_copy, token, Daemon};

#[path = "../../daemon/tests/outbox/smtp.rs"]
mod smtp;

#[path = "../../delivery/tests/support/mod.rs"]
mod http;

const CHANGES: &str = include_str!("../../examples/customer-success/changes.jsonl");

#[test]
fn an_approved_email_task_is_sent_as_edited_once_even_across_a_kill() {
    let dir = example_copy("customer-success");
    let server = smtp::SmtpServer::start();
    std::fs::write(
        dir.path().join("play.toml"),
        format!(
            "[sinks.smtp]\nhost = \"127.0.0.1\"\nport = {}\nsecurity = \"none\"\nfrom = \"Customer Success <cs@example.com>\"\n",
            server.port
        ),
    )
    .unwrap();
    let jo = token(dir.path(), "jo@example.com");
    let daemon = Daemon::start(dir.path(), &[], &[]);
    let (code, report) = daemon.post("/v1/changes", Some(&jo), CHANGES);
    assert_eq!(code, 200, "{report}");
    let actions = daemon.all_actions(&jo);
    let task = actions.iter().find(|a| a["action"] == "email_task" && a["state"] == "open").expect("a drafted email");
    let id = task["id"].as_str().unwrap().to_string();
    let to = task["to"].as_str().unwrap().to_string();

    let edit = serde_json::json!({"subject": "Our renewal call", "body": "Hi Maria,\nCan we talk this week?"});
    let (code, done) = daemon.post(&format!("/v1/actions/{id}/approve"), Some(&jo), &edit.to_string());
    assert_eq!(code, 200, "{done}");
    assert_eq!(done["state"], "done");
    let sent_id = done["sent"]["id"].as_str().expect("the approval answers with the email it sends").to_string();
    let message_id = format!("<{sent_id}@example.com>");
    let ours = |server: &smtp::SmtpServer| -> Vec<String> {
        server
            .received()
            .into_iter()
            .filter(|m| smtp::header(m, "Message-ID").as_deref() == Some(&message_id))
            .collect()
    };
    daemon.status_when(&jo, |s| s["outbox_backlog"] == 0);
    let got = ours(&server);
    assert_eq!(got.len(), 1, "the approved email arrives once");
    let m = &got[0];
    assert_eq!(smtp::header(m, "Subject").as_deref(), Some("Our renewal call"), "the edited subject");
    assert!(m.contains("Can we talk this week?"), "the edited body: {m}");
    assert_eq!(smtp::header(m, "To").as_deref(), Some(to.as_str()));
    assert_eq!(smtp::header(m, "From").as_deref(), Some("jo@example.com"), "from the teammate who approved it");
    assert_eq!(smtp::header(m, "List-Unsubscribe"), None, "a person's email");

    let (_, detail) = daemon.get(&format!("/v1/actions/{id}"), Some(&jo));
    let sent = &detail["sent"];
    assert_eq!(sent["subject"], "Our renewal call", "{detail}");
    assert_eq!(sent["body"], "Hi Maria,\nCan we talk this week?");
    assert_eq!((sent["to"].as_str(), sent["approved_by"].as_str()), (Some(to.as_str()), Some("jo@example.com")));
    assert_eq!(sent["state"], "delivered");
    assert!(sent["sent"].is_string(), "when it was sent: {detail}");
    let (_, listed) = daemon.get("/v1/deliveries?sink=smtp&kind=email", Some(&jo));
    let row = listed["deliveries"].as_array().unwrap().iter().find(|d| d["id"] == sent_id.as_str()).cloned();
    assert_eq!(row.expect("listed under its sink")["sink"], "smtp");

    // A kill and a restart replay the approval from the journal: no second email.
    let pid = daemon.child.id().to_string();
    std::process::Command::new("kill").args(["-KILL", &pid]).status().unwrap();
    drop(daemon);
    let daemon = Daemon::start(dir.path(), &[], &[]);
    daemon.status_when(&jo, |s| s["outbox_backlog"] == 0);
    let (code, again) = daemon.post(&format!("/v1/actions/{id}/approve"), Some(&jo), "{}");
    assert_eq!(code, 422, "an approved email task is not approved twice: {again}");
    std::thread::sleep(std::time::Duration::from_millis(1500));
    assert_eq!(ours(&server).len(), 1, "still one email after the restart");
    assert_eq!(daemon.stop(), 0);
}

#[test]
fn a_brief_carries_the_records_data_and_is_summarised_by_the_configured_model() {
    let dir = example_copy("customer-success");
    let server = smtp::SmtpServer::start();
    let model = http::Server::with(|_| {
        let reply = serde_json::json!({
            "id": "chatcmpl-1", "object": "chat.completion", "model": "gpt-test",
            "choices": [{"index": 0, "message": {"role": "assistant", "content": "Globex has a new owner."}, "finish_reason": "stop"}]
        });
        (200, vec![], reply.to_string())
    });
    std::fs::write(
        dir.path().join("play.toml"),
        format!(
            "[sinks.smtp]\nhost = \"127.0.0.1\"\nport = {}\nsecurity = \"none\"\nfrom = \"Customer Success <cs@example.com>\"\n\n\
             [sinks.brief]\nurl = \"{}/v1\"\nmodel = \"gpt-test\"\napi_key_env = \"BRIEF_KEY\"\n",
            server.port,
            model.root()
        ),
    )
    .unwrap();
    let jo = token(dir.path(), "jo@example.com");
    let daemon = Daemon::start(dir.path(), &[], &[("BRIEF_KEY", "sk-local")]);
    let (code, report) = daemon.post("/v1/changes", Some(&jo), CHANGES);
    assert_eq!(code, 200, "{report}");
    daemon.status_when(&jo, |s| s["outbox_backlog"] == 0);
    // The workspace's owner sees every playbook's deliveries (the briefs' playbooks are private).
    let lee = token(dir.path(), "lee@example.com");
    let (_, listed) = daemon.get("/v1/deliveries?kind=brief", Some(&lee));
    let briefs = listed["deliveries"].as_array().unwrap();
    assert!(!briefs.is_empty(), "the changes made briefs: {listed}");
    assert!(briefs.iter().all(|d| d["sink"] == "smtp" && d["state"] == "delivered"), "{listed}");

    let got = server.received();
    let globex = got
        .iter()
        .find(|m| smtp::header(m, "Subject").as_deref() == Some("Brief: Globex"))
        .unwrap_or_else(|| panic!("Globex's brief arrives: {got:?}"));
    assert_eq!(smtp::header(globex, "To").as_deref(), Some("ana@example.com"));
    assert!(globex.contains("Globex has a new owner."), "the summary: {globex}");
    // The data, as the engine held it when the brief was made (the owner had just changed).
    assert!(globex.contains("- owner: ana@example.com"), "{globex}");
    assert!(globex.contains("- tier: MidMarket"), "{globex}");
    assert!(globex.contains("Open actions on the record"), "{globex}");
    let asked = model.requests();
    assert!(asked
        .iter()
        .all(|r| r.path == "/v1/chat/completions" && r.header("authorization") == Some("Bearer sk-local")));
    let globex_asked = asked.iter().any(|r| {
        let body: serde_json::Value = serde_json::from_str(&r.body).unwrap();
        body["model"] == "gpt-test"
            && body["messages"][1]["content"].as_str().unwrap_or_default().contains("Account/globex")
    });
    assert!(globex_asked, "the model was given Globex's data");
    assert_eq!(daemon.stop(), 0);
}
