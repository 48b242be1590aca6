//! Diagnostics are published for every file of the project on open and after changes.

use serde_json::Value;
use tower_lsp::lsp_types::PublishDiagnosticsParams;

use crate::harness::{underline, Client};

/// Each diagnostic under its source line, with its related information and fix.
fn render(client: &Client, name: &str, published: &PublishDiagnosticsParams) -> String {
    let text = client.texts.get(name).cloned().unwrap_or_else(|| client.text_of(published.uri.as_str()));
    let mut out = format!("{name} (version {:?})\n", published.version);
    if published.diagnostics.is_empty() {
        out.push_str("no diagnostics\n");
    }
    for d in &published.diagnostics {
        let severity = d.severity.map_or("?".to_string(), |s| format!("{s:?}").to_lowercase());
        let code = match &d.code {
            Some(tower_lsp::lsp_types::NumberOrString::String(code)) => code.clone(),
            _ => String::new(),
        };
        out.push_str(&format!("\n{severity}[{code}]: {}\n", d.message));
        out.push_str(&underline(&text, d.range));
        for related in d.related_information.iter().flatten() {
            out.push_str(&format!("  related: {}\n", related.message));
            out.push_str(&underline(&text, related.location.range));
        }
        if let Some(data) = &d.data {
            out.push_str(&format!("  fix: {} -> {}\n", data["title"], data.get("newText").unwrap_or(&Value::Null)));
        }
    }
    out
}

#[tokio::test]
async fn diagnostics_are_published_when_a_file_is_opened() {
    let (mut client, name, _) = Client::with_fixture(
        r#"
playbook welcome "Welcome" {
  for account: Account
  on created
  when account.helth < 40 and account.stage == Renewl
}
"#,
    )
    .await;
    let published = client.diagnostics(&name, Some(1)).await;
    insta::assert_snapshot!(render(&client, &name, &published));
}

#[tokio::test]
async fn fixing_the_error_clears_the_diagnostics() {
    let (mut client, name, _) = Client::with_fixture(
        r#"
playbook welcome "Welcome" {
  for account: Account
  on created
  when account.helth < 40
}
"#,
    )
    .await;
    let opened = client.diagnostics(&name, Some(1)).await;
    assert_eq!(opened.diagnostics.len(), 1, "{opened:#?}");
    let fixed = client.texts[&name].replace("helth", "health");
    let version = client.change(&name, &fixed).await;
    let published = client.diagnostics(&name, Some(version)).await;
    insta::assert_snapshot!(render(&client, &name, &published));
}

#[tokio::test]
async fn an_edit_that_breaks_the_line_is_reported_after_the_change() {
    let (mut client, name, _) = Client::with_fixture(
        r#"
playbook welcome "Welcome" {
  for account: Account
  on created
  when account.health < 40
}
"#,
    )
    .await;
    client.diagnostics(&name, Some(1)).await;
    let broken = client.texts[&name].replace("when account.health < 40", "when account.health < (40");
    let version = client.change(&name, &broken).await;
    let published = client.diagnostics(&name, Some(version)).await;
    insta::assert_snapshot!(render(&client, &name, &published));
}

#[tokio::test]
async fn an_edit_in_one_file_publishes_the_errors_it_causes_in_another() {
    let (mut client, name, _) = Client::with_fixture(
        r#"
//- segments.play
segment big for account: Account = account.arr > 100_000$0
//- playbooks.play
playbook grow "Grow" {
  for account: Account
  on enters big
  step call "Call" {
    task "Call {account.name}" to account.owner
  }
}
"#,
    )
    .await;
    client.diagnostics(&name, Some(1)).await;
    let renamed = client.texts[&name].replace("segment big", "segment large");
    client.change(&name, &renamed).await;
    let other = client.diagnostics("playbooks.play", None).await;
    insta::assert_snapshot!(render(&client, "playbooks.play", &other));
}

#[tokio::test]
async fn secondary_labels_become_related_information() {
    let (mut client, name, _) = Client::with_fixture(
        r#"
segment big for account: Account = account.arr > 100_000
segment big for account: Account = account.arr > 200_000
"#,
    )
    .await;
    let published = client.diagnostics(&name, Some(1)).await;
    insta::assert_snapshot!(render(&client, &name, &published));
}

#[tokio::test]
async fn a_file_created_on_disk_is_checked_when_the_client_reports_it() {
    let (mut client, name, _) =
        Client::with_fixture("segment big for account: Account = account.arr > 100_000\n").await;
    client.diagnostics(&name, Some(1)).await;
    let path = client.folder.path().join("new.play");
    std::fs::write(&path, "public segment small for account: Account = account.ar < 10\n")
        .unwrap_or_else(|e| panic!("cannot write: {e}"));
    let uri = client.url("new.play");
    client
        .notify("workspace/didChangeWatchedFiles", serde_json::json!({ "changes": [{ "uri": uri, "type": 1 }] }))
        .await;
    let published = client.diagnostics("new.play", None).await;
    insta::assert_snapshot!(render(&client, "new.play", &published));
}

#[tokio::test]
async fn a_deleted_file_has_its_diagnostics_cleared() {
    let (mut client, name, _) = Client::with_fixture(
        r#"
//- main.play
segment big for account: Account = account.arr > 100_000
//- broken.play
segment small for account: Account = account.ar < 10
"#,
    )
    .await;
    client.diagnostics(&name, Some(1)).await;
    std::fs::remove_file(client.folder.path().join("broken.play")).unwrap_or_else(|e| panic!("cannot delete: {e}"));
    let uri = client.url("broken.play");
    client
        .notify("workspace/didChangeWatchedFiles", serde_json::json!({ "changes": [{ "uri": uri, "type": 3 }] }))
        .await;
    let published = client.diagnostics("broken.play", None).await;
    assert!(published.diagnostics.is_empty(), "{published:#?}");
}

#[tokio::test]
async fn closing_an_unsaved_file_outside_the_project_clears_its_diagnostics() {
    let (mut client, _, _) = Client::with_fixture("segment big for account: Account = account.arr > 100_000\n").await;
    let scratch = serde_json::json!({ "uri": "untitled:Untitled-1", "languageId": "play", "version": 1, "text": "segment x for a: Account = a.nope\n" });
    client.notify("textDocument/didOpen", serde_json::json!({ "textDocument": scratch })).await;
    client
        .notify("textDocument/didClose", serde_json::json!({ "textDocument": { "uri": "untitled:Untitled-1" } }))
        .await;
    let cleared = tokio::time::timeout(std::time::Duration::from_secs(20), async {
        loop {
            let messages = client.drain();
            let last = messages
                .iter()
                .filter(|m| m.method() == "textDocument/publishDiagnostics")
                .filter_map(|m| m.params())
                .rfind(|p| p["uri"] == "untitled:Untitled-1")
                .cloned();
            if let Some(last) = last {
                if last["diagnostics"] == serde_json::json!([]) {
                    return;
                }
            }
            tokio::time::sleep(std::time::Duration::from_millis(20)).await;
        }
    })
    .await;
    assert!(cleared.is_ok(), "the closed buffer's diagnostics were never cleared");
}
