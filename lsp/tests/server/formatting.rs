//! Formatting through the same formatter as `play fmt`.

use crate::harness::{apply, Client};

#[tokio::test]
async fn formatting_rewrites_the_document_canonically() {
    let (mut client, name, _) = Client::with_fixture(
        r#"
playbook   welcome "Welcome"{
for account:Account
    on created
  when account.health<40   // low
step call "Call" {
task "Call {account.name}" to account.owner due 2d
}
}
"#,
    )
    .await;
    let params = serde_json::json!({
        "textDocument": { "uri": client.url(&name) },
        "options": { "tabSize": 2, "insertSpaces": true }
    });
    let edits = client.request_value("textDocument/formatting", params).await;
    insta::assert_snapshot!(apply(&client.texts[&name], &edits));
}

#[tokio::test]
async fn a_file_with_syntax_errors_is_not_formatted() {
    let (mut client, name, _) = Client::with_fixture(
        r#"
playbook welcome "Welcome" {
  for account: Account
  on created when (
}
"#,
    )
    .await;
    let params = serde_json::json!({
        "textDocument": { "uri": client.url(&name) },
        "options": { "tabSize": 2, "insertSpaces": true }
    });
    let edits = client.request_value("textDocument/formatting", params).await;
    assert!(edits.is_null(), "{edits}");
}

#[tokio::test]
async fn formatting_follows_the_unsaved_buffer() {
    let (mut client, name, _) =
        Client::with_fixture("segment big for account: Account = account.arr > 100_000\n").await;
    let typed = "segment   big for account:Account=account.arr>200_000\n";
    client.change(&name, typed).await;
    let params = serde_json::json!({
        "textDocument": { "uri": client.url(&name) },
        "options": { "tabSize": 2, "insertSpaces": true }
    });
    let edits = client.request_value("textDocument/formatting", params).await;
    insta::assert_snapshot!(apply(typed, &edits));
}
