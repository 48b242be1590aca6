//! Go to definition (into the standard library too), find references, rename.

use serde_json::{json, Value};

use crate::harness::{apply, cursor, range, underline, Client};

/// Each location as its file's name and the line with the range drawn under it.
fn locations(client: &Client, answer: &Value) -> String {
    let list = match answer {
        Value::Array(list) => list.clone(),
        Value::Null => Vec::new(),
        single => vec![single.clone()],
    };
    if list.is_empty() {
        return "nothing\n".to_string();
    }
    let mut out = String::new();
    for location in list {
        let uri = location["uri"].as_str().unwrap_or("?");
        out.push_str(&format!("{}\n", client.name_of(uri)));
        out.push_str(&underline(&client.text_of(uri), range(&location["range"])));
    }
    out
}

#[tokio::test]
async fn definition_of_a_field_is_in_the_standard_library() {
    let (mut client, name, position) = Client::with_fixture(
        r#"
playbook renew "Renew" {
  for account: Account
  on date account.renewal_d$0ate - 90d
}
"#,
    )
    .await;
    let answer = client.request_value("textDocument/definition", client.at(&name, position)).await;
    let uri = answer["uri"].as_str().unwrap_or("");
    assert!(uri.starts_with("file://"), "a standard-library location is a file on disk: {uri}");
    insta::assert_snapshot!(cursor(&client.texts[&name], position) + &locations(&client, &answer));
}

#[tokio::test]
async fn definition_of_a_field_of_the_projects_own_record() {
    let (mut client, name, position) = Client::with_fixture(
        r#"
//- schema.play
extend record Account {
  /// Net promoter score.
  nps: Number?
}
//- main.play
playbook detractor "Detractor" {
  for account: Account
  on created
  when (account.n$0ps ?? 10) < 7
}
"#,
    )
    .await;
    let answer = client.request_value("textDocument/definition", client.at(&name, position)).await;
    insta::assert_snapshot!(cursor(&client.texts[&name], position) + &locations(&client, &answer));
}

#[tokio::test]
async fn definition_of_a_step_and_a_segment() {
    let (mut client, name, position) = Client::with_fixture(
        r#"
//- segments.play
segment big for account: Account = account.arr > 100_000
//- main.play
playbook grow "Grow" {
  for account: Account
  on enters b$0ig
}
"#,
    )
    .await;
    let answer = client.request_value("textDocument/definition", client.at(&name, position)).await;
    insta::assert_snapshot!(cursor(&client.texts[&name], position) + &locations(&client, &answer));
}

#[tokio::test]
async fn references_of_a_segment_across_files() {
    let (mut client, name, position) = Client::with_fixture(
        r#"
//- segments.play
segment b$0ig for account: Account = account.arr > 100_000
//- grow.play
playbook grow "Grow" {
  for account: Account
  on enters big
}

playbook shrink "Shrink" {
  for account: Account
  on leaves big
  when account.stage != Churned
}
"#,
    )
    .await;
    let mut params = client.at(&name, position);
    params["context"] = json!({ "includeDeclaration": true });
    let answer = client.request_value("textDocument/references", params).await;
    insta::assert_snapshot!(cursor(&client.texts[&name], position) + &locations(&client, &answer));
}

#[tokio::test]
async fn references_of_a_standard_field() {
    let (mut client, name, position) = Client::with_fixture(
        r#"
playbook watch "Watch" {
  for account: Account
  on account.health falls
  when account.hea$0lth < 40 and account.arr > 0
  step call "Call" {
    task "Health is {account.health}" to account.owner
  }
}
"#,
    )
    .await;
    let mut params = client.at(&name, position);
    params["context"] = json!({ "includeDeclaration": false });
    let answer = client.request_value("textDocument/references", params).await;
    insta::assert_snapshot!(cursor(&client.texts[&name], position) + &locations(&client, &answer));
}

#[tokio::test]
async fn rename_changes_every_file_that_uses_the_name() {
    let (mut client, name, position) = Client::with_fixture(
        r#"
//- segments.play
segment big for account: Account = account.arr > 100_000
//- grow.play
playbook grow "Grow" {
  for account: Account
  on enters b$0ig
  when big
}
"#,
    )
    .await;
    let prepared = client.request_value("textDocument/prepareRename", client.at(&name, position)).await;
    let mut params = client.at(&name, position);
    params["newName"] = json!("large");
    let answer = client.request_value("textDocument/rename", params).await;
    let mut out = cursor(&client.texts[&name], position);
    out.push_str(&format!("prepare: {}\n", prepared["placeholder"]));
    let mut changes: Vec<(String, Value)> = answer["changes"]
        .as_object()
        .map(|m| m.iter().map(|(uri, edits)| (uri.clone(), edits.clone())).collect())
        .unwrap_or_default();
    changes.sort_by(|a, b| a.0.cmp(&b.0));
    for (uri, edits) in changes {
        out.push_str(&format!("--- {} ---\n", client.name_of(&uri)));
        out.push_str(&apply(&client.text_of(&uri), &edits));
    }
    insta::assert_snapshot!(out);
}

#[tokio::test]
async fn rename_of_a_standard_field_is_refused_with_a_reason() {
    let (mut client, name, position) = Client::with_fixture(
        r#"
playbook watch "Watch" {
  for account: Account
  on created
  when account.hea$0lth < 40
}
"#,
    )
    .await;
    let prepared = client.request("textDocument/prepareRename", client.at(&name, position)).await;
    let mut params = client.at(&name, position);
    params["newName"] = json!("wellness");
    let renamed = client.request("textDocument/rename", params).await;
    insta::assert_snapshot!(format!("prepare: {prepared:?}\nrename: {renamed:?}"));
}
