//! `play test` says more: `expect 2 email` counts the matching actions, `containing`
//! finds a text in an action's title, message, subject or body, and `titled` matches a
//! notification's message.

use play_runtime::config::Workspace;
use play_runtime::testing::run_all;

use crate::harness::build;

const PLAYBOOK: &str = r##"
playbook welcome {
  for account: Account
  on created
  step hello {
    notify slack "#cs" "New account: {account.name}"
    notify slack "#sales" "Say hello to {account.name}"
    task "Call {account.name}"
  }
}
"##;

const ACME: &str = r#"create Account acme { name: "Acme", tier: Enterprise, arr: 250_000, stage: Renewal,
    health: 72, owner: "jo@example.com", weekly_active_users: 40, tags: [] }"#;

/// The failure messages of each test, by name.
fn run(tests: &str) -> Vec<(String, Vec<String>)> {
    let program = build(&format!("{PLAYBOOK}\n{tests}"));
    run_all(&program, &Workspace::default())
        .into_iter()
        .map(|r| (r.name, r.failures.into_iter().map(|f| f.message).collect()))
        .collect()
}

#[test]
fn expect_with_a_count_holds_for_exactly_that_many_matching_actions() {
    let results = run(&format!(
        r#"test "two" {{
  at 2026-03-02T09:00:00Z
  {ACME}
  expect 2 notify slack
  expect 1 task
  expect 0 email
}}
test "three" {{
  at 2026-03-02T09:00:00Z
  {ACME}
  expect 3 notify slack
}}"#
    ));
    assert_eq!(results[0], ("two".to_string(), vec![]));
    assert_eq!(
        results[1],
        (
            "three".to_string(),
            vec!["`expect 3 notify slack` did not hold: 3 such actions were expected, 2 were produced".to_string()]
        )
    );
}

#[test]
fn containing_finds_a_text_in_a_notifications_message_and_titled_matches_it_whole() {
    let results = run(&format!(
        r##"test "found" {{
  at 2026-03-02T09:00:00Z
  {ACME}
  expect notify slack containing "Say hello"
  expect 1 notify slack containing "Acme" to "#cs"
  expect notify slack titled "New account: Acme"
  expect task containing "Call"
  expect no notify slack containing "Globex"
}}
test "missing" {{
  at 2026-03-02T09:00:00Z
  {ACME}
  expect notify slack containing "Globex"
}}"##
    ));
    assert_eq!(results[0], ("found".to_string(), vec![]));
    assert_eq!(results[1].1, ["`expect notify slack containing \"Globex\"` did not hold: no such action was produced"]);
}
