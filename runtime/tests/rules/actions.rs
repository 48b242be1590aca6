//! Actions: their context, stable ids, dedupe while open, snooze, `?? skip`, templates,
//! priority and due moments.

use serde_json::json;

use crate::harness::{account, contact, World};

const RISK: &str = r##"template followup for contact: Contact {
  subject "Hello {contact.first_name ?? "there"}"
  body "About {contact.account.name}"
}

playbook risk {
  for account: Account
  category risk
  priority account.arr / 10_000
  reentry always
  on account.health falls
  when account.stage == Renewal
  step review {
    task "Review {account.name}" to account.owner due 2d
    email_task to account.champion ?? skip template followup
    notify slack "#cs" "{account.name} fell to {account.health}"
  }
}
"##;

const REVIEW: &str = "task Review Acme to jo@example.com (review)";

fn risk() -> World {
    let mut w = World::new(RISK);
    w.given("Account/acme", account(json!({})));
    w
}

#[test]
fn an_action_carries_its_trigger_the_changed_values_and_the_conditions() {
    let mut w = risk();
    w.upsert("Account/acme", json!({"health": 41}));
    let task = w.take().remove(0);
    let json: serde_json::Value = serde_json::from_str(&task.to_json_line()).expect("an action is JSON");
    assert_eq!(
        json["context"],
        json!({
            "trigger": "account.health falls",
            "changed": {"health": [72, 41]},
            "conditions": [{"source": "account.stage == Renewal", "value": true}]
        })
    );
    assert_eq!(
        (json["playbook"].clone(), json["step"].clone(), json["record"].clone(), json["category"].clone()),
        (json!("risk"), json!("review"), json!("Account/acme"), json!("risk"))
    );
    assert_eq!(json["version"], json!(w.version("risk")));
}

#[test]
fn an_action_s_priority_is_the_playbook_s_priority_worked_out_for_the_record() {
    let mut w = risk();
    w.upsert("Account/acme", json!({"health": 41}));
    assert_eq!(w.take()[0].priority, 25.0);
}

#[test]
fn a_due_duration_is_the_moment_it_falls_on() {
    let mut w = risk();
    w.upsert("Account/acme", json!({"health": 41}));
    assert_eq!(w.take()[0].due.map(crate::harness::text).as_deref(), Some("2026-03-04T09:00:00Z"));
}

/// The ids of the actions one enrolment of `risk` produces.
fn ids_of_one_replay() -> Vec<String> {
    let mut w = risk();
    w.upsert("Account/acme", json!({"health": 41}));
    w.take().into_iter().map(|a| a.id).collect()
}

#[test]
fn action_ids_are_the_same_when_the_same_changes_are_replayed() {
    let first = ids_of_one_replay();
    assert_eq!(first.len(), 2);
    assert_eq!(first, ids_of_one_replay());
}

#[test]
fn action_ids_differ_for_another_run_of_the_same_playbook_and_record() {
    let mut w = risk();
    w.upsert("Account/acme", json!({"health": 41}));
    w.upsert("Account/acme", json!({"health": 30}));
    let actions = w.take();
    let slack: Vec<&str> = actions.iter().filter(|a| a.title.is_none()).map(|a| a.id.as_str()).collect();
    assert_eq!(slack.len(), 2);
    assert_ne!(slack[0], slack[1]);
}

#[test]
fn a_task_still_open_is_not_produced_again_by_a_second_enrolment() {
    let mut w = risk();
    w.upsert("Account/acme", json!({"health": 41}));
    w.history();
    w.upsert("Account/acme", json!({"health": 30}));
    assert_eq!(
        w.actions(),
        [REVIEW, "notify_slack Acme fell to 41 to #cs (review)", "notify_slack Acme fell to 30 to #cs (review)"],
        "automatic actions are delivered, not kept open, so they are not deduplicated"
    );
    assert!(w.history().contains(&"task of review skipped: the same action from this step is still open".to_string()));
}

#[test]
fn a_task_is_produced_again_once_the_open_one_is_completed() {
    let mut w = risk();
    w.upsert("Account/acme", json!({"health": 41}));
    w.take();
    w.engine.complete(w.seq(REVIEW));
    w.upsert("Account/acme", json!({"health": 30}));
    assert_eq!(w.actions(), [REVIEW, "notify_slack Acme fell to 30 to #cs (review)"]);
}

#[test]
fn a_snoozed_action_is_not_produced_again_until_the_snooze_ends() {
    let mut w = risk();
    w.upsert("Account/acme", json!({"health": 41}));
    w.take();
    let task = w.seq(REVIEW);
    assert!(w.engine.snooze(task, crate::harness::moment("2026-03-05T09:00:00Z")));
    w.engine.complete(task);
    w.history();
    w.after("1d");
    w.upsert("Account/acme", json!({"health": 30}));
    assert_eq!(w.actions(), ["notify_slack Acme fell to 30 to #cs (review)"]);
    assert!(w
        .history()
        .contains(&"task of review skipped: the same action is snoozed until 2026-03-05T09:00:00Z".to_string()));
    w.at("2026-03-05T09:00:00Z");
    w.upsert("Account/acme", json!({"health": 20}));
    assert_eq!(w.actions(), [REVIEW, "notify_slack Acme fell to 20 to #cs (review)"]);
}

#[test]
fn skip_on_an_empty_recipient_skips_the_action_with_a_history_entry() {
    let mut w = risk();
    w.upsert("Account/acme", json!({"health": 41}));
    assert_eq!(w.actions(), [REVIEW, "notify_slack Acme fell to 41 to #cs (review)"]);
    assert_eq!(
        w.history(),
        [
            "enrolled by `account.health falls` [account.stage == Renewal is true]",
            "email_task of review skipped: its recipient is empty (`?? skip`, rules.play line 15)",
            "step review",
            "completed"
        ]
    );
}

#[test]
fn a_template_is_written_for_its_recipient() {
    let mut w = risk();
    w.given("Contact/vic", contact("acme", json!({"first_name": "Vic"})));
    w.upsert("Account/acme", json!({"champion": "vic", "health": 41}));
    let email = w.take().remove(1);
    assert_eq!(
        (email.to.as_deref(), email.to_record.as_deref(), email.template.as_deref()),
        (Some("vic@acme.example"), Some("Contact/vic"), Some("followup"))
    );
    assert_eq!((email.subject.as_deref(), email.body.as_deref()), (Some("Hello Vic"), Some("About Acme")));
}

#[test]
fn a_recipient_that_is_gone_skips_the_action_not_the_run() {
    // The champion is deleted while the run waits: the check-in is skipped, the
    // escalation a month later still goes.
    let mut w = World::new(
        r##"template checkin for contact: Contact {
  subject "Checking in"
  body "Hi {contact.first_name ?? "there"}"
}

playbook save {
  for account: Account
  on account.health falls
  wait 7d
  step checkin {
    email_task to account.champion ?? skip template checkin
  }
  wait 23d
  step escalate {
    task "Escalate {account.name}" to account.owner
  }
}
"##,
    );
    w.given("Account/acme", account(json!({"champion": "vic"})));
    w.given("Contact/vic", contact("acme", json!({"first_name": "Vic"})));
    w.upsert("Account/acme", json!({"health": 41}));
    w.after("1d");
    w.delete("Contact/vic");
    w.after("30d");
    assert_eq!(w.actions(), ["task Escalate Acme to jo@example.com (escalate)"]);
    let history = w.history();
    assert!(
        history.contains(
            &"email_task of checkin skipped: its recipient is gone: the Contact `vic` is not in the store".to_string()
        ),
        "{history:#?}"
    );
    assert_eq!(history.last().map(String::as_str), Some("completed"));
}

const ESCALATE: &str = r##"playbook escalate {
  for account: Account
  on account.health falls
  step escalate {
    task "Escalate {account.name}" to manager_of(account.owner)
  }
}
"##;

#[test]
fn teammates_are_found_by_email_in_a_directory_whose_ids_are_not_addresses() {
    let mut w = World::new(ESCALATE);
    w.given("User/u-boss", json!({"email": "boss@example.com", "name": "Bo"}));
    w.given("User/u-jo", json!({"email": "Jo@Example.com", "name": "Jo", "manager": "boss@example.com"}));
    w.given("Account/acme", account(json!({})));
    w.upsert("Account/acme", json!({"health": 41}));
    assert_eq!(w.actions(), ["task Escalate Acme to boss@example.com (escalate)"]);
    assert!(!w.history().iter().any(|h| h.contains("fell back")));
}

#[test]
fn a_teammate_lookup_that_falls_back_says_so_in_the_run_history() {
    let mut w = World::new(ESCALATE);
    w.given("User/u-jo", json!({"email": "jo@example.com", "name": "Jo"}));
    w.given("Account/acme", account(json!({})));
    w.given("Account/initech", account(json!({"name": "Initech", "owner": "al@example.com"})));
    w.upsert("Account/acme", json!({"health": 41}));
    w.upsert("Account/initech", json!({"health": 41}));
    assert_eq!(
        w.actions(),
        ["task Escalate Acme to jo@example.com (escalate)", "task Escalate Initech to al@example.com (escalate)"]
    );
    let fell_back: Vec<String> = w.history().into_iter().filter(|h| h.contains("fell back")).collect();
    assert_eq!(
        fell_back,
        [
            "escalate fell back: `jo@example.com` has no manager in the directory: `manager_of` gives the teammate themself",
            "escalate fell back: `al@example.com` is not in the directory: `manager_of` gives the teammate themself"
        ]
    );
}

/// Record values an attacker could type into a CRM.
const SCRIPT: &str = "<script>alert('x')</script> & co";
const SLACK_LINK: &str = "<https://evil.example|click> <!channel> & co";

const CHANNELS: &str = r##"template hello for contact: Contact {
  subject "Hello {contact.first_name ?? "there"}"
  body "<p>Dear {contact.first_name ?? "there"},</p> <b>{contact.account.name}</b>"
}

playbook reach {
  for account: Account
  on account.health falls
  step reach {
    email_task to account.champion ?? skip template hello
    notify email "cs-leads@example.com" "<h1>Risk</h1> {account.name}"
    notify slack "#cs" "<!here> {account.name} fell to {account.health}"
    webhook "https://hooks.example.com/play" { account: account.name, note: "{account.name} \"quoted\"" }
  }
}
"##;

fn hostile() -> Vec<play_runtime::engine::Action> {
    let mut w = World::new(CHANNELS);
    w.given("Account/acme", account(json!({"name": SLACK_LINK})));
    w.given("Contact/vic", contact("acme", json!({"first_name": SCRIPT})));
    w.upsert("Account/acme", json!({"champion": "vic", "health": 41}));
    w.take()
}

#[test]
fn an_email_carries_its_html_part_with_every_interpolated_value_escaped() {
    let actions = hostile();
    let email = &actions[0];
    assert_eq!(
        email.html.as_deref(),
        Some(
            "<p>Dear &lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; co,</p> \
             <b>&lt;https://evil.example|click&gt; &lt;!channel&gt; &amp; co</b>"
        )
    );
    // The plain-text body is the values as they are.
    assert_eq!(email.body.as_deref(), Some(format!("<p>Dear {SCRIPT},</p> <b>{SLACK_LINK}</b>").as_str()));
    let notification = &actions[1];
    assert_eq!(notification.message.as_deref(), Some(format!("<h1>Risk</h1> {SLACK_LINK}").as_str()));
    assert_eq!(
        notification.html.as_deref(),
        Some("<h1>Risk</h1> &lt;https://evil.example|click&gt; &lt;!channel&gt; &amp; co")
    );
}

#[test]
fn a_slack_message_escapes_its_values_so_none_makes_a_link_or_a_mention() {
    let actions = hostile();
    assert_eq!(
        actions[2].message.as_deref(),
        Some("<!here> &lt;https://evil.example|click&gt; &lt;!channel&gt; &amp; co fell to 41")
    );
}

#[test]
fn a_webhook_body_carries_values_json_encoded() {
    let actions = hostile();
    let line: serde_json::Value =
        serde_json::from_str(&actions[3].to_json_line()).expect("an action is one JSON object");
    assert_eq!(line["fields"]["account"], json!(SLACK_LINK));
    assert_eq!(line["fields"]["note"], json!(format!("{SLACK_LINK} \"quoted\"")));
}

#[test]
fn a_list_of_simple_values_is_interpolated_with_commas_between_its_items() {
    let mut w = World::new(
        r##"playbook tagged {
  for account: Account
  on account.health falls
  step tell {
    notify slack "#cs" "{account.name} is tagged {account.tags}"
  }
}
"##,
    );
    w.given("Account/acme", account(json!({"tags": ["pilot", "emea"]})));
    w.upsert("Account/acme", json!({"health": 41}));
    let json: serde_json::Value = serde_json::from_str(&w.take().remove(0).to_json_line()).expect("JSON");
    assert_eq!(json["message"], json!("Acme is tagged pilot, emea"));
}
