//! Emails logged to Salesforce without duplicates, against the local fake that follows
//! Salesforce's documented upsert, `ContentVersion` and query calls: the task is upserted
//! by `task_external_id` holding the action's id, and each file carries `{key}.{n}`, so an
//! attempt repeated after a lost answer leaves one task and each file once.

mod support;

use play_delivery::blacklist::Direction;
use play_delivery::crm::email_log::{to_salesforce, Attachment, LoggedEmail};
use play_delivery::crm::salesforce::Salesforce;
use play_delivery::Outcome;
use support::sf_tasks::{SfTasks, EXTERNAL_ID};

fn email(attachments: Vec<Attachment>) -> LoggedEmail {
    LoggedEmail {
        record_type: "Contact".into(),
        record_id: "003A".into(),
        direction: Direction::Outbound,
        from: "jo@play.example".into(),
        to: vec!["maria@acme.example".into()],
        cc: Vec::new(),
        subject: "Your renewal".into(),
        text: "Quote attached.".into(),
        html: None,
        at: 1_772_409_600,
        message_id: "<e1@play.example>".into(),
        teammate: Some("jo@play.example".into()),
        attachments,
    }
}

fn file(name: &str) -> Attachment {
    Attachment { name: name.into(), content_type: "text/plain".into(), data: name.as_bytes().to_vec() }
}

fn org(fake: &SfTasks, version: &str) -> Salesforce {
    Salesforce { instance: fake.root(), version: version.into(), token: "t".into() }
}

#[test]
fn a_lost_answer_to_the_task_leaves_one_task_with_each_file_once() {
    let fake = SfTasks::start(&["003A"]);
    let sf = org(&fake, "61.0");
    let sent = email(vec![file("quote.txt"), file("terms.txt")]);
    fake.lose_answers(1);
    let first = to_salesforce(&sf, &sent, Some(EXTERNAL_ID), "e1.log");
    assert!(matches!(first, Outcome::Retry { .. }), "a lost answer is tried again: {first:?}");
    assert_eq!((fake.tasks().len(), fake.files().len()), (1, 0), "the task was made, no file yet");
    let again = to_salesforce(&sf, &sent, Some(EXTERNAL_ID), "e1.log");
    assert_eq!(again, Outcome::Delivered { code: "200".into() });
    let tasks = fake.tasks();
    assert_eq!(tasks.len(), 1, "exactly one task");
    assert_eq!(
        (&tasks[0][EXTERNAL_ID], &tasks[0]["TaskSubtype"], &tasks[0]["WhoId"]),
        (&"e1.log".into(), &"Email".into(), &"003A".into())
    );
    let files = fake.files();
    let marks: Vec<&str> = files.iter().map(|f| f["Description"].as_str().unwrap()).collect();
    assert_eq!(marks, ["e1.log.0", "e1.log.1"]);
    assert!(files.iter().all(|f| f["FirstPublishLocationId"] == tasks[0]["Id"]));
}

#[test]
fn a_lost_answer_to_a_file_attaches_only_what_is_missing() {
    let fake = SfTasks::start(&["003A"]);
    let sf = org(&fake, "61.0");
    let sent = email(vec![file("quote.txt"), file("terms.txt")]);
    // The task and the first file are answered; the first file's answer is lost.
    fake.lose_answers_after(1, 1);
    let first = to_salesforce(&sf, &sent, Some(EXTERNAL_ID), "e2.log");
    match &first {
        Outcome::Retry { message, .. } => assert!(message.contains("quote.txt"), "{message}"),
        other => panic!("a lost answer to a file is tried again: {other:?}"),
    }
    assert_eq!((fake.tasks().len(), fake.files().len()), (1, 1));
    let again = to_salesforce(&sf, &sent, Some(EXTERNAL_ID), "e2.log");
    assert_eq!(again, Outcome::Delivered { code: "200".into() });
    let names: Vec<String> = fake.files().iter().map(|f| f["Title"].as_str().unwrap().to_string()).collect();
    assert_eq!(names, ["quote.txt", "terms.txt"], "each file once");
    assert_eq!(fake.tasks().len(), 1);
    // Sent once more (a retry by hand): nothing new.
    assert_eq!(to_salesforce(&sf, &sent, Some(EXTERNAL_ID), "e2.log"), Outcome::Delivered { code: "200".into() });
    assert_eq!((fake.tasks().len(), fake.files().len()), (1, 2));
}

#[test]
fn before_api_46_the_updated_task_is_read_back_by_its_external_id() {
    let fake = SfTasks::start(&["003A"]);
    let sf = org(&fake, "45.0");
    let sent = email(vec![file("quote.txt")]);
    fake.lose_answers(1);
    assert!(matches!(to_salesforce(&sf, &sent, Some(EXTERNAL_ID), "e3.log"), Outcome::Retry { .. }));
    // The repeat is answered 204 without a body: the task's id comes from a read.
    assert_eq!(to_salesforce(&sf, &sent, Some(EXTERNAL_ID), "e3.log"), Outcome::Delivered { code: "204".into() });
    let reads = fake.server.requests();
    assert!(reads.iter().any(|r| r.method == "GET" && r.path.contains(&format!("sobjects/Task/{EXTERNAL_ID}/e3.log"))));
    assert_eq!(fake.files().len(), 1);
    assert_eq!(fake.files()[0]["FirstPublishLocationId"], fake.tasks()[0]["Id"]);
}

#[test]
fn without_an_external_id_field_the_task_is_posted() {
    let fake = SfTasks::start(&["003A"]);
    let outcome = to_salesforce(&org(&fake, "61.0"), &email(vec![file("quote.txt")]), None, "e4.log");
    assert_eq!(outcome, Outcome::Delivered { code: "201".into() });
    let sent = fake.server.requests();
    assert_eq!(
        sent.iter().map(|r| (r.method.as_str(), r.path.as_str())).collect::<Vec<_>>(),
        [("POST", "/services/data/v61.0/sobjects/Task/"), ("POST", "/services/data/v61.0/sobjects/ContentVersion/")]
    );
}
