//! Completion: fields by the receiver's type, enum variants where one is expected,
//! keywords valid at the cursor, even in lines that do not parse.

use serde_json::Value;

use crate::harness::{cursor, Client};

async fn complete(fixture: &str) -> String {
    let (mut client, name, position) = Client::with_fixture(fixture).await;
    let answer = client.request_value("textDocument/completion", client.at(&name, position)).await;
    render(&client.texts[&name], position, &answer)
}

/// The cursor under its line, then one completion per line: label, kind, detail.
fn render(text: &str, position: tower_lsp::lsp_types::Position, answer: &Value) -> String {
    let mut out = cursor(text, position);
    let items = answer.as_array().or_else(|| answer["items"].as_array()).cloned().unwrap_or_default();
    for item in items {
        let kind = item["kind"].as_u64().map_or("?".to_string(), kind_name);
        out.push_str(&format!("{:<28} {kind:<10}", item["label"].as_str().unwrap_or("?")));
        if let Some(detail) = item["detail"].as_str() {
            out.push_str(&format!(" {detail}"));
        }
        if let Some(insert) = item["insertText"].as_str() {
            out.push_str(&format!(" => {insert:?}"));
        }
        out = out.trim_end().to_string();
        out.push('\n');
    }
    out
}

fn kind_name(kind: u64) -> String {
    match kind {
        3 => "function",
        5 => "field",
        6 => "variable",
        14 => "keyword",
        15 => "snippet",
        20 => "variant",
        21 => "item",
        22 => "type",
        23 => "event",
        _ => "other",
    }
    .to_string()
}

#[tokio::test]
async fn fields_of_the_receiver_after_a_dot() {
    insta::assert_snapshot!(
        complete(
            r#"
playbook welcome "Welcome" {
  for account: Account
  on created
  when account.$0
}
"#
        )
        .await
    );
}

#[tokio::test]
async fn fields_through_a_reference() {
    insta::assert_snapshot!(
        complete(
            r#"
playbook welcome "Welcome" {
  for account: Account
  on created
  when account.owner.$0
}
"#
        )
        .await
    );
}

#[tokio::test]
async fn enum_variants_after_a_comparison() {
    insta::assert_snapshot!(
        complete(
            r#"
playbook welcome "Welcome" {
  for account: Account
  on created
  when account.stage == $0
}
"#
        )
        .await
    );
}

#[tokio::test]
async fn keywords_and_clauses_in_a_playbook_body() {
    insta::assert_snapshot!(
        complete(
            r#"
playbook welcome "Welcome" {
  for account: Account
  on created
  $0
}
"#
        )
        .await
    );
}

#[tokio::test]
async fn fields_in_a_line_that_does_not_parse_yet() {
    insta::assert_snapshot!(
        complete(
            r#"
playbook welcome "Welcome" {
  for account: Account
  on created
  step call "Call" {
    task "Call {account.name}" to account.$0
  }
}
"#
        )
        .await
    );
}

#[tokio::test]
async fn a_broken_playbook_does_not_stop_completion_after_it() {
    insta::assert_snapshot!(
        complete(
            r#"
playbook broken "Broken" {
  for account: Account
  on created when (account.
  step {{{
}

playbook fine "Fine" {
  for account: Account
  on created
  when account.tier == $0
}
"#
        )
        .await
    );
}

#[tokio::test]
async fn completion_follows_the_buffer_before_it_is_analysed() {
    let (mut client, name, _) = Client::with_fixture(
        r#"
playbook welcome "Welcome" {
  for account: Account
  on created
}
"#,
    )
    .await;
    let typed = client.texts[&name].replace("on created\n", "on created\n  when account.stage == \n");
    client.change(&name, &typed).await;
    // Asked at once, well within the pause before the edit is analysed.
    let line = typed.lines().position(|l| l.contains("==")).unwrap_or(0);
    let position = tower_lsp::lsp_types::Position { line: line as u32, character: 24 };
    let answer = client.request_value("textDocument/completion", client.at(&name, position)).await;
    insta::assert_snapshot!(render(&typed, position, &answer));
}

#[tokio::test]
async fn segments_after_enters() {
    insta::assert_snapshot!(
        complete(
            r#"
//- segments.play
/// Big spenders.
segment big for account: Account = account.arr > 100_000
segment quiet for account: Account = account.weekly_active_users < 2
//- main.play
playbook grow "Grow" {
  for account: Account
  on enters $0
}
"#
        )
        .await
    );
}

#[tokio::test]
async fn actions_in_a_step() {
    insta::assert_snapshot!(
        complete(
            r#"
playbook grow "Grow" {
  for account: Account
  on created
  step call "Call" {
    $0
  }
}
"#
        )
        .await
    );
}
