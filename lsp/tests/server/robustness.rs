//! Every request is answered, whatever it points at: unknown files, positions past the
//! end, the standard library's read-only copy.

use serde_json::{json, Value};
use tower_lsp::lsp_types::Position;

use crate::harness::Client;

const SOURCE: &str = r#"
playbook welcome "Welcome" {
  for account: Account
  on created
  when account.health < 40
}
"#;

#[tokio::test]
async fn requests_about_an_unknown_file_get_empty_answers() {
    let (mut client, _, _) = Client::with_fixture(SOURCE).await;
    let unknown = client.url("nowhere.play");
    let at = json!({ "textDocument": { "uri": unknown }, "position": { "line": 3, "character": 4 } });
    let doc = json!({ "textDocument": { "uri": unknown } });
    assert_eq!(client.request_value("textDocument/hover", at.clone()).await, Value::Null);
    assert_eq!(client.request_value("textDocument/definition", at.clone()).await, Value::Null);
    assert_eq!(client.request_value("textDocument/documentSymbol", doc.clone()).await, Value::Null);
    assert_eq!(
        client
            .request_value(
                "textDocument/formatting",
                json!({ "textDocument": { "uri": unknown }, "options": { "tabSize": 2, "insertSpaces": true } })
            )
            .await,
        Value::Null
    );
    assert_eq!(client.request_value("textDocument/semanticTokens/full", doc.clone()).await, Value::Null);
    assert_eq!(client.request_value("textDocument/foldingRange", doc).await, Value::Null);
    let mut refs = at.clone();
    refs["context"] = json!({ "includeDeclaration": true });
    assert_eq!(client.request_value("textDocument/references", refs).await, Value::Null);
    let mut rename = at.clone();
    rename["newName"] = json!("x");
    assert_eq!(client.request_value("textDocument/rename", rename).await, Value::Null);
    // Nothing is known of the file, not even its text.
    assert_eq!(client.request_value("textDocument/completion", at).await, Value::Null);
}

#[tokio::test]
async fn positions_past_the_end_are_answered() {
    let (mut client, name, _) = Client::with_fixture(SOURCE).await;
    for position in
        [Position::new(0, 0), Position::new(3, 999), Position::new(999, 0), Position::new(u32::MAX, u32::MAX)]
    {
        let at = client.at(&name, position);
        client.request_value("textDocument/hover", at.clone()).await;
        client.request_value("textDocument/completion", at.clone()).await;
        client.request_value("textDocument/definition", at).await;
    }
}

#[tokio::test]
async fn the_standard_library_copy_can_be_browsed_but_has_no_diagnostics() {
    let (mut client, name, _) = Client::with_fixture(
        r#"
playbook renew "Renew" {
  for account: Account
  on date account.renewal_date - 90d
}
"#,
    )
    .await;
    let at = client.at(&name, Position::new(2, 22));
    let definition = client.request_value("textDocument/definition", at).await;
    let uri = definition["uri"].as_str().unwrap_or_default().to_string();
    let text = client.text_of(&uri);
    client.drain();
    client
        .notify(
            "textDocument/didOpen",
            json!({ "textDocument": { "uri": uri, "languageId": "play", "version": 1, "text": text } }),
        )
        .await;
    let line = text.lines().position(|l| l.contains("renewal_date:")).unwrap_or(0) as u32;
    let hover = client
        .request_value(
            "textDocument/hover",
            json!({ "textDocument": { "uri": uri }, "position": { "line": line, "character": 4 } }),
        )
        .await;
    assert!(hover["contents"]["value"].as_str().is_some_and(|h| h.contains("renewal_date")), "{hover}");
    let published: Vec<String> = client
        .drain()
        .into_iter()
        .filter(|m| m.method() == "textDocument/publishDiagnostics")
        .filter_map(|m| m.params().and_then(|p| p["uri"].as_str().map(str::to_string)))
        .collect();
    assert!(!published.contains(&uri), "diagnostics published for the standard library: {published:?}");
}

#[tokio::test]
async fn shutdown_is_answered() {
    let (mut client, _, _) = Client::with_fixture(SOURCE).await;
    assert_eq!(client.request_value("shutdown", Value::Null).await, Value::Null);
}

/// A long chain of signals each defined by the next used to overflow the stack of the
/// server's worker (about 1,000 were enough): it is one diagnostic, and the server goes on.
#[tokio::test]
async fn a_long_chain_of_signals_is_a_diagnostic_not_a_crash() {
    let (mut client, _, _) = Client::with_fixture(SOURCE).await;
    let mut chain = String::new();
    for i in 0..3000 {
        let next = if i + 1 < 3000 { format!("s{}", i + 1) } else { "account.health".to_string() };
        chain.push_str(&format!("signal s{i} for account: Account = {next} + 1\n"));
    }
    client.open("chain.play", &chain).await;
    let published = client.diagnostics("chain.play", Some(1)).await;
    let codes: Vec<String> = published
        .diagnostics
        .iter()
        .filter_map(|d| match &d.code {
            Some(tower_lsp::lsp_types::NumberOrString::String(c)) => Some(c.clone()),
            _ => None,
        })
        .collect();
    assert!(codes.iter().any(|c| c == "play::E0310"), "{codes:?}");
    let at = client.at("chain.play", Position::new(0, 8));
    client.request_value("textDocument/hover", at).await;
}
