//! A project's own record or event takes the place of the standard one in every command:
//! `check`, `test`, `replay`, `explain` and a built program agree.

use crate::support::{play, write};

const PROJECT: &str = r#"record Contact {
  email: Email
  name: Text
}

event FeatureUsed on Contact { feature: Text }

playbook adoption {
  for contact: Contact
  on event FeatureUsed
  step thank {
    task "Thank {contact.name} for using {trigger.event.feature}"
  }
}

test "a contact who uses a feature is thanked" {
  at 2026-03-02T09:00:00Z
  create Contact vic { email: "vic@acme.example", name: "Vic" }
  event FeatureUsed on vic { feature: "reports" }
  expect task titled "Thank Vic for using reports"
}
"#;

const CHANGES: &str = concat!(
    r#"{"at":"2026-03-02T09:00:00Z","change":"upsert","record":"Contact","id":"c1","fields":{"email":"vic@acme.example","name":"Vic"}}"#,
    "\n",
    r#"{"at":"2026-03-02T10:00:00Z","change":"event","event":"FeatureUsed","subject":"c1","fields":{"feature":"reports"}}"#,
    "\n",
);

fn project() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("a scratch folder");
    write(dir.path(), "project/main.play", PROJECT);
    write(dir.path(), "changes.jsonl", CHANGES);
    dir
}

#[test]
fn a_projects_own_contact_and_event_are_read_by_replay_as_by_test() {
    let dir = project();
    let test = play(dir.path(), &["test", "project"]);
    assert_eq!(test.code, 0, "{}{}", test.stdout, test.stderr);
    let run = play(dir.path(), &["replay", "project", "--changes", "changes.jsonl"]);
    assert_eq!((run.code, run.stderr.as_str()), (0, ""));
    assert!(run.stdout.contains(r#""title":"Thank Vic for using reports""#), "{}", run.stdout);
    assert!(run.stdout.contains(r#""record":"Contact/c1""#), "{}", run.stdout);
}

#[test]
fn explain_knows_a_playbook_about_a_projects_own_contact() {
    let dir = project();
    let args = ["explain", "project", "--changes", "changes.jsonl", "--record", "Contact/c1", "--playbook", "adoption"];
    let run = play(dir.path(), &args);
    assert_eq!((run.code, run.stderr.as_str()), (0, ""));
    assert!(run.stdout.contains("  outcome: enrolled\n"), "{}", run.stdout);
}

#[test]
fn a_built_program_reads_a_projects_own_contact_as_its_project_does() {
    let dir = project();
    assert_eq!(play(dir.path(), &["build", "project", "-o", "own.playc"]).code, 0);
    let from_source = play(dir.path(), &["replay", "project", "--changes", "changes.jsonl"]);
    let from_program = play(dir.path(), &["replay", "own.playc", "--changes", "changes.jsonl"]);
    assert_eq!((from_program.code, from_program.stderr.as_str()), (0, ""));
    assert_eq!(from_program.stdout, from_source.stdout);
    assert!(!from_program.stdout.is_empty());
}

#[test]
fn an_account_imported_from_salesforce_replaces_the_standard_one_in_replay() {
    let dir = tempfile::tempdir().expect("a scratch folder");
    let describe = crate::support::fixture("schema").join("salesforce_account_describe.json");
    let describe = describe.to_str().expect("a UTF-8 path");
    let import = play(dir.path(), &["schema", "import", "salesforce", describe]);
    assert_eq!((import.code, import.stderr.as_str()), (0, ""));
    write(dir.path(), "project/account.play", &import.stdout);
    write(
        dir.path(),
        "project/health.play",
        "playbook health_review {\n  for account: Account\n  on account.health_score falls\n  step review {\n    task \"Review {account.name}\" to account.owner\n  }\n}\n",
    );
    let fields = r#""is_deleted":false,"name":"Acme","owner":"jo@example.com","created_date":"2026-03-01T09:00:00Z","created_by":"jo@example.com","last_modified_date":"2026-03-01T09:00:00Z","last_modified_by":"jo@example.com","system_modstamp":"2026-03-01T09:00:00Z","tier":"Enterprise","customer_stage":"Renewal","arr":250000,"health_score":72,"weekly_active_users":40"#;
    let changes = format!(
        "{{\"at\":\"2026-03-02T09:00:00Z\",\"change\":\"upsert\",\"record\":\"Account\",\"id\":\"acme\",\"fields\":{{{fields}}}}}\n\
         {{\"at\":\"2026-03-02T10:00:00Z\",\"change\":\"upsert\",\"record\":\"Account\",\"id\":\"acme\",\"fields\":{{\"health_score\":41}}}}\n"
    );
    write(dir.path(), "changes.jsonl", changes);
    let run = play(dir.path(), &["replay", "project", "--changes", "changes.jsonl"]);
    assert_eq!((run.code, run.stderr.as_str()), (0, ""));
    assert!(run.stdout.contains(r#""title":"Review Acme""#), "{}", run.stdout);
}
