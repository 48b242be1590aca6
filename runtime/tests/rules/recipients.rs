//! Email recipients are structural: `email`, `email_task` and `enroll` go to any record
//! with an `Email` field (its `email` field, else its only `Email` field) or to an
//! `Email` value.

use serde_json::json;

use crate::harness::{account, contact, World};

#[test]
fn a_projects_own_person_with_an_email_field_receives_drafted_emails() {
    let mut world = World::new(
        "record Person { name: Text  email: Email }
         template hello for person: Person { subject \"Hello {person.name}\" body \"Welcome\" }
         playbook welcome {
           for person: Person
           on created
           step hello {
             email_task to person template hello
             enroll person in flow \"Welcome\"
           }
         }",
    );
    world.upsert("Person/p1", json!({"name": "Vic", "email": "vic@acme.example"}));
    let actions = world.take();
    assert_eq!(actions.len(), 2);
    for a in &actions {
        assert_eq!(a.to.as_deref(), Some("vic@acme.example"));
        assert_eq!(a.to_record.as_deref(), Some("Person/p1"));
    }
    assert_eq!(actions[0].subject.as_deref(), Some("Hello Vic"));
}

#[test]
fn a_record_whose_only_email_field_is_not_named_email_is_written_to_at_that_field() {
    let mut world = World::new(
        "record Member { name: Text  work_address: Email  nickname: Text? }
         playbook welcome {
           for member: Member
           on created
           step hello { enroll member in flow \"Welcome\" }
         }",
    );
    world.upsert("Member/m1", json!({"name": "Vic", "work_address": "vic@work.example"}));
    assert_eq!(world.actions(), ["enroll to vic@work.example (hello)"]);
}

#[test]
fn an_email_to_an_address_is_written_from_the_playbooks_subject() {
    let mut world = World::new(
        "template renewal_note for account: Account {
           subject \"Renewal of {account.name}\"
           body \"Your renewal is coming up\"
         }
         playbook renewal {
           for account: Account
           on account.stage becomes Renewal
           step reach_out { email to account.champion.email ?? skip template renewal_note }
         }",
    );
    world.upsert("Account/acme", account(json!({"stage": "Onboarding"})));
    world.upsert("Contact/vic", contact("acme", json!({"email": "vic@acme.example"})));
    world.upsert("Account/acme", json!({"champion": "vic", "stage": "Renewal"}));
    let actions = world.take();
    assert_eq!(actions.len(), 1);
    assert_eq!(actions[0].to.as_deref(), Some("vic@acme.example"));
    assert_eq!(actions[0].to_record, None);
    assert_eq!(actions[0].subject.as_deref(), Some("Renewal of Acme"));
}
