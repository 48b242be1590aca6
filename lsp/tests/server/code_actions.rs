//! Code actions apply the did-you-mean fixes carried in the diagnostics' `data`.

use serde_json::json;

use crate::harness::{apply, cursor, Client};

#[tokio::test]
async fn a_did_you_mean_fix_is_offered_and_applies() {
    let (mut client, name, position) = Client::with_fixture(
        r#"
playbook welcome "Welcome" {
  for account: Account
  on created
  when account.hel$0th < 40
}
"#,
    )
    .await;
    let published = client.diagnostics(&name, Some(1)).await;
    let actions = client.code_actions(&name, position, &published.diagnostics).await;
    let mut out = cursor(&client.texts[&name], position);
    for action in actions.as_array().into_iter().flatten() {
        out.push_str(&format!("action: {} ({})\n", action["title"].as_str().unwrap_or("?"), action["kind"]));
        let edits = &action["edit"]["changes"][client.url(&name).as_str()];
        out.push_str(&apply(&client.texts[&name], edits));
    }
    insta::assert_snapshot!(out);
}

#[tokio::test]
async fn a_fix_for_text_that_has_changed_since_is_not_offered() {
    let (mut client, name, position) = Client::with_fixture(
        r#"
playbook welcome "Welcome" {
  for account: Account
  on created
  when account.hel$0th < 40
}
"#,
    )
    .await;
    let published = client.diagnostics(&name, Some(1)).await;
    let edited = client.texts[&name].replace("helth", "hxlth");
    client.change(&name, &edited).await;
    let actions = client.code_actions(&name, position, &published.diagnostics).await;
    assert_eq!(actions, json!([]));
}
