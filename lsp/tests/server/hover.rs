//! Hover: the type and doc comment of fields, items and functions.

use tower_lsp::lsp_types::Position;

use crate::harness::{cursor, range, underline, Client};

async fn hover(fixture: &str) -> String {
    let (mut client, name, position) = Client::with_fixture(fixture).await;
    let answer = client.request_value("textDocument/hover", client.at(&name, position)).await;
    render(&client.texts[&name], position, &answer)
}

fn render(text: &str, position: Position, answer: &serde_json::Value) -> String {
    let mut out = cursor(text, position);
    if answer.is_null() {
        out.push_str("no hover\n");
        return out;
    }
    out.push_str("range:\n");
    out.push_str(&underline(text, range(&answer["range"])));
    out.push_str("---\n");
    out.push_str(answer["contents"]["value"].as_str().unwrap_or("?"));
    out.push('\n');
    out
}

#[tokio::test]
async fn hover_on_a_field_shows_its_type_and_doc() {
    insta::assert_snapshot!(
        hover(
            r#"
playbook welcome "Welcome" {
  for account: Account
  on created
  when account.hea$0lth < 40
}
"#
        )
        .await
    );
}

#[tokio::test]
async fn hover_on_an_item_of_the_project() {
    insta::assert_snapshot!(
        hover(
            r#"
/// Big spenders.
segment big for account: Account = account.arr > 100_000

playbook grow "Grow" {
  for account: Account
  on enters b$0ig
}
"#
        )
        .await
    );
}

#[tokio::test]
async fn hover_on_a_built_in_function() {
    insta::assert_snapshot!(
        hover(
            r#"
signal quiet for account: Account = days_si$0nce(account.last_activity_at ?? now())
"#
        )
        .await
    );
}

#[tokio::test]
async fn hover_works_after_a_broken_playbook() {
    insta::assert_snapshot!(
        hover(
            r#"
playbook broken "Broken" {
  for account: Account
  on created when (account.
  step {{{
}

playbook fine "Fine" {
  for account: Account
  on created
  when account.ti$0er == Enterprise
}
"#
        )
        .await
    );
}

#[tokio::test]
async fn hover_on_whitespace_is_empty() {
    insta::assert_snapshot!(
        hover(
            r#"
playbook welcome "Welcome" {
  for account: Account
$0
  on created
}
"#
        )
        .await
    );
}
