//! The editor covers tests: the names a `test` block uses (templates, playbooks, steps,
//! record types, events and their fields) are found, followed and renamed with the rest;
//! hover explains actions and expectations; completion knows what follows `expect`.

use serde_json::{json, Value};

use crate::harness::{apply, cursor, range, underline, Client};

/// A project with a template, a playbook that uses it, and a test of the playbook. The
/// cursor marker is put in with `mark`.
const PROJECT: &str = r#"
template renewal_note for contact: Contact {
  subject "Renewal"
  body "Hi"
}

event Survey on Contact {
  score: Int
}

playbook renewal "Renewal" {
  for account: Account
  on account.health falls
  when account.health < 40
  step review "Review" {
    task "Review {account.name}" to account.owner due 2d
    email_task to account.champion ?? skip template renewal_note
  }
}

test "a falling health is reviewed" {
  given Account acme { name: "Acme", tier: Enterprise, arr: 250_000, stage: Renewal, health: 72,
                       owner: "jo@example.com", weekly_active_users: 40, tags: [] }
  given Contact jo { email: "jo@acme.example", account: acme, opted_out: false }
  at 2026-03-02T09:00:00Z
  event Survey on jo { score: 3 }
  update acme { health: 30 }
  expect task to "jo@example.com" playbook renewal step review
  expect email_task template renewal_note
}
"#;

/// The project with `$0` put before the `n`th (from 0) occurrence of `at`.
fn mark(at: &str, n: usize) -> String {
    let mut start = 0;
    for _ in 0..n {
        start += PROJECT[start..].find(at).map_or(0, |i| i + at.len());
    }
    let i = start + PROJECT[start..].find(at).unwrap_or(0);
    format!("{}$0{}", &PROJECT[..i], &PROJECT[i..])
}

fn locations(client: &Client, answer: &Value) -> String {
    let list = match answer {
        Value::Array(list) => list.clone(),
        Value::Null => Vec::new(),
        single => vec![single.clone()],
    };
    let mut out = String::new();
    for location in list {
        let uri = location["uri"].as_str().unwrap_or("?");
        out.push_str(&format!("{}\n", client.name_of(uri)));
        out.push_str(&underline(&client.text_of(uri), range(&location["range"])));
    }
    if out.is_empty() {
        out.push_str("nothing\n");
    }
    out
}

async fn references(fixture: &str) -> String {
    let (mut client, name, position) = Client::with_fixture(fixture).await;
    let mut params = client.at(&name, position);
    params["context"] = json!({ "includeDeclaration": true });
    let answer = client.request_value("textDocument/references", params).await;
    cursor(&client.texts[&name], position) + &locations(&client, &answer)
}

async fn rename(fixture: &str, to: &str) -> String {
    let (mut client, name, position) = Client::with_fixture(fixture).await;
    let mut params = client.at(&name, position);
    params["newName"] = json!(to);
    let answer = client.request_value("textDocument/rename", params).await;
    let mut out = cursor(&client.texts[&name], position);
    for (uri, edits) in answer["changes"].as_object().cloned().unwrap_or_default() {
        out.push_str(&format!("--- {} ---\n", client.name_of(&uri)));
        out.push_str(&apply(&client.text_of(&uri), &edits));
    }
    out
}

async fn hover(fixture: &str) -> String {
    let (mut client, name, position) = Client::with_fixture(fixture).await;
    let answer = client.request_value("textDocument/hover", client.at(&name, position)).await;
    let text = &client.texts[&name];
    let mut out = cursor(text, position);
    if answer.is_null() {
        return out + "no hover\n";
    }
    out.push_str(&underline(text, range(&answer["range"])));
    out.push_str("---\n");
    out.push_str(answer["contents"]["value"].as_str().unwrap_or("?"));
    out.push('\n');
    out
}

async fn complete(fixture: &str) -> String {
    let (mut client, name, position) = Client::with_fixture(fixture).await;
    let answer = client.request_value("textDocument/completion", client.at(&name, position)).await;
    let mut out = cursor(&client.texts[&name], position);
    let items = answer.as_array().or_else(|| answer["items"].as_array()).cloned().unwrap_or_default();
    for item in items {
        out.push_str(&format!(
            "{:<16} {}",
            item["label"].as_str().unwrap_or("?"),
            item["detail"].as_str().unwrap_or("")
        ));
        out = out.trim_end().to_string();
        out.push('\n');
    }
    out
}

#[tokio::test]
async fn renaming_a_template_renames_it_in_the_tests_that_name_it() {
    let result = rename(&mark("renewal_note for", 0), "renewal_followup").await;
    assert_eq!(result.matches("renewal_followup").count(), 3, "{result}");
    insta::assert_snapshot!(result);
}

#[tokio::test]
async fn references_of_a_playbook_include_the_tests() {
    insta::assert_snapshot!(references(&mark("renewal \"Renewal\"", 0)).await);
}

#[tokio::test]
async fn references_of_a_step_include_the_tests() {
    insta::assert_snapshot!(references(&mark("review \"Review\"", 0)).await);
}

#[tokio::test]
async fn definition_of_a_step_named_in_a_test() {
    let (mut client, name, position) = Client::with_fixture(&mark("review\n  expect email_task", 0)).await;
    let answer = client.request_value("textDocument/definition", client.at(&name, position)).await;
    insta::assert_snapshot!(cursor(&client.texts[&name], position) + &locations(&client, &answer));
}

#[tokio::test]
async fn renaming_an_event_and_its_field_reaches_the_test() {
    let event = rename(&mark("Survey on Contact", 0), "Feedback").await;
    assert_eq!(event.matches("Feedback").count(), 2, "{event}");
    let field = rename(&mark("score: Int", 0), "rating").await;
    assert_eq!(field.matches("rating").count(), 2, "{field}");
    insta::assert_snapshot!(format!("{event}\n{field}"));
}

#[tokio::test]
async fn references_of_a_record_type_and_a_teammate_field_include_the_tests() {
    // The standard `Contact` is used all over the standard library: look at this file only.
    let record = references(&mark("Contact jo", 0)).await;
    let here = record.lines().filter(|l| *l == "main.play").count();
    assert_eq!(here, 3, "the template, the event and the test's record: {record}");
    assert!(record.contains("given Contact jo"), "{record}");
    let owner = references(&mark("owner: \"jo", 0)).await;
    assert!(owner.contains("account.owner due"), "{owner}");
    insta::assert_snapshot!(owner);
}

#[tokio::test]
async fn hover_on_action_keywords_in_a_step() {
    let task = hover(&mark("task \"Review", 0)).await;
    let email_task = hover(&mark("email_task to", 0)).await;
    insta::assert_snapshot!(format!("{task}\n{email_task}"));
}

#[tokio::test]
async fn hover_on_the_words_of_an_expectation() {
    let verb = hover(&mark("expect task", 0)).await;
    let kind = hover(&mark("task to \"jo@example.com\"", 0)).await;
    let option_word = hover(&mark("to \"jo@example.com\"", 0)).await;
    insta::assert_snapshot!(format!("{verb}\n{kind}\n{option_word}"));
}

#[tokio::test]
async fn completion_after_expect_offers_the_kinds_of_action() {
    let fixture = PROJECT.replace("  expect email_task template renewal_note\n", "  expect $0\n");
    insta::assert_snapshot!(complete(&fixture).await);
}

#[tokio::test]
async fn completion_after_an_expected_kind_offers_its_options_and_then_names() {
    let options = complete(&PROJECT.replace("expect email_task template renewal_note", "expect email_task $0")).await;
    let templates =
        complete(&PROJECT.replace("expect email_task template renewal_note", "expect email_task template $0")).await;
    let steps = complete(
        &PROJECT.replace("expect email_task template renewal_note", "expect no task playbook renewal step $0"),
    )
    .await;
    let acted = complete(&PROJECT.replace("expect email_task template renewal_note", "complete $0")).await;
    assert!(templates.contains("renewal_note"), "{templates}");
    assert!(steps.contains("review"), "{steps}");
    insta::assert_snapshot!(format!("{options}\n{templates}\n{steps}\n{acted}"));
}
