//! Activities upserted into Salesforce by an external-id field holding the action's id,
//! against a local fake that follows Salesforce's documented upsert (201 made, 200 or 204
//! updated, 300 several matches, 404 for a field that is not an external id): a retry
//! after a lost answer updates the task the first attempt made, leaving one. And orphans:
//! a record the CRM cannot match is an orphan, not a dead delivery.

mod support;

use play_delivery::crm::activity::{to_hubspot, to_salesforce, Activity, Done};
use play_delivery::crm::hubspot::HubSpot;
use play_delivery::crm::salesforce::Salesforce;
use play_delivery::Outcome;
use serde_json::json;
use support::sf_tasks::{SfTasks, EXTERNAL_ID};
use support::Server;

fn activity(record: &str) -> Activity {
    let (record_type, record_id) = record.split_once('/').unwrap_or((record, ""));
    Activity {
        done: Done::Task,
        record_type: record_type.into(),
        record_id: record_id.into(),
        playbook: None,
        step: None,
        subject: "Call Vic about the renewal".into(),
        body: "Renewal agreed.".into(),
        at: 1_772_409_600,
        teammate: Some("jo@play.example".into()),
    }
}

fn org(fake: &SfTasks, version: &str) -> Salesforce {
    Salesforce { instance: fake.root(), version: version.into(), token: "t".into() }
}

#[test]
fn a_retry_after_a_lost_answer_updates_the_task_and_leaves_one() {
    let fake = SfTasks::start(&["001A"]);
    let sf = org(&fake, "61.0");
    fake.lose_answers(1);
    let first = to_salesforce(&sf, &activity("Account/001A"), Some(EXTERNAL_ID), "t1.activity");
    assert!(matches!(first, Outcome::Retry { .. }), "a lost answer is tried again: {first:?}");
    assert_eq!(fake.tasks().len(), 1, "the first attempt made the task all the same");
    let again = to_salesforce(&sf, &activity("Account/001A"), Some(EXTERNAL_ID), "t1.activity");
    assert_eq!(again, Outcome::Delivered { code: "200".into() }, "the repeat updates it (created: false)");
    let tasks = fake.tasks();
    assert_eq!(tasks.len(), 1, "one task, however often it is sent");
    assert_eq!(tasks[0][EXTERNAL_ID], "t1.activity");
    assert_eq!(tasks[0]["WhatId"], "001A");
    let sent = fake.server.requests();
    assert!(sent
        .iter()
        .all(|r| r.method == "PATCH"
            && r.path == format!("/services/data/v61.0/sobjects/Task/{EXTERNAL_ID}/t1.activity")));
    assert!(sent.iter().all(|r| !r.body.contains(EXTERNAL_ID)), "the value is in the URL, not the body");
    // Before API 46.0 an update answers 204 without a body: delivered just the same.
    let old = to_salesforce(&org(&fake, "45.0"), &activity("Account/001A"), Some(EXTERNAL_ID), "t1.activity");
    assert_eq!(old, Outcome::Delivered { code: "204".into() });
    // Without the setting, a plain POST: the same attempt twice makes two tasks.
    let posted = to_salesforce(&sf, &activity("Account/001A"), None, "t2.activity");
    assert_eq!(posted, Outcome::Delivered { code: "201".into() });
    assert_eq!(fake.server.requests().last().unwrap().path, "/services/data/v61.0/sobjects/Task/");
}

#[test]
fn several_matches_and_an_unknown_field_fail_naming_the_field() {
    let fake = SfTasks::start(&["001A"]);
    fake.put(json!({ "Subject": "one", EXTERNAL_ID: "t3.activity" }));
    fake.put(json!({ "Subject": "two", EXTERNAL_ID: "t3.activity" }));
    let sf = org(&fake, "61.0");
    let several = to_salesforce(&sf, &activity("Account/001A"), Some(EXTERNAL_ID), "t3.activity");
    let Outcome::Failed { code, message } = several else { panic!("300 fails: {several:?}") };
    assert_eq!(code, "300");
    assert!(message.starts_with("several Task records have Play_Action_Id__c `t3.activity`"), "{message}");
    assert!(message.contains("/sobjects/Task/00T000000000001"), "Salesforce's list kept: {message}");
    assert_eq!(fake.tasks().len(), 2, "nothing written");
    let unknown = to_salesforce(&sf, &activity("Account/001A"), Some("Action_Key__c"), "t4.activity");
    let Outcome::Failed { code, message } = unknown else { panic!("404 fails: {unknown:?}") };
    assert_eq!(code, "404 NOT_FOUND");
    assert!(message.starts_with("The requested resource does not exist"), "verbatim first: {message}");
    assert!(message.contains("task_external_id"), "says which setting to fix: {message}");
}

#[test]
fn a_record_the_crm_cannot_match_is_an_orphan() {
    let fake = SfTasks::start(&["001A", "003B"]);
    let sf = org(&fake, "61.0");
    let cases = [
        ("Account/001Z", "400 INVALID_CROSS_REFERENCE_KEY", "invalid cross reference id"),
        ("Lead/001A", "400 FIELD_INTEGRITY_EXCEPTION", "Contact/Lead ID: id value of incorrect type: 001A"),
        (
            "Invoice/9",
            "unknown record type",
            "an activity is logged to an Account, Contact, Lead, Opportunity or Case, not a `Invoice`",
        ),
        ("Account", "no record", "no CRM id is known for the Account this activity is for"),
    ];
    for (record, code, message) in cases {
        assert_eq!(
            to_salesforce(&sf, &activity(record), Some(EXTERNAL_ID), "t5.activity"),
            Outcome::Orphan { code: code.into(), message: message.into() },
            "{record}"
        );
    }
    assert_eq!(fake.server.requests().len(), 2, "no call for a type that takes no activity, or no id");
    assert!(fake.tasks().is_empty());
}

#[test]
fn hubspot_not_finding_the_record_makes_an_orphan() {
    let server = Server::start(vec![(
        404,
        vec![],
        r#"{"status":"error","message":"Object with id 99 was not found.","correlationId":"2b","category":"OBJECT_NOT_FOUND"}"#,
    )]);
    let hs = HubSpot { root: server.root(), token: "t".into() };
    assert_eq!(
        to_hubspot(&hs, &activity("Account/99"), "t7.activity"),
        Outcome::Orphan { code: "404 OBJECT_NOT_FOUND".into(), message: "Object with id 99 was not found.".into() }
    );
}
