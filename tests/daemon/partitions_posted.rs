//! Emails and calls posted to a partitioned workspace: whichever worker they are posted to,
//! each is logged in the partition of the record it concerns — found in the workspace's
//! address book, kept as contacts and accounts are routed — whether that worker holds the
//! partition or another does; an email to an unknown address is an orphan in partition 0.

use std::time::Duration;

use play_store::postgres::ScratchDatabase;
use play_store::PostgresStore;
use serde_json::{json, Value};

use crate::partitions::{two_workers, wait_until, PARTITIONS};
use crate::scale_out::{post, token};

const ACCOUNTS: usize = 8;

fn contact_lines() -> String {
    let mut lines = Vec::new();
    for k in 0..ACCOUNTS {
        lines.push(format!(
            r#"{{"at":"2026-03-02T09:00:00Z","change":"upsert","record":"Account","id":"a{k}","fields":{{"name":"Account {k}","domain":"acct{k}.com","tier":"Enterprise","arr":300000,"stage":"Renewal","health":80,"owner":"jo@example.com","csm":"ana@example.com","weekly_active_users":40,"licensed_seats":50,"used_seats":38,"tags":[]}}}}"#
        ));
        lines.push(format!(
            r#"{{"at":"2026-03-02T09:00:00Z","change":"upsert","record":"Contact","id":"c{k}","fields":{{"email":"Vic{k}@Acct{k}.com","account":"a{k}","opted_out":false}}}}"#
        ));
    }
    lines.join("\n")
}

fn send(url: &str, token: &str, path: &str, body: Value) -> Value {
    let answer = ureq::post(&format!("{url}{path}"))
        .set("Authorization", &format!("Bearer {token}"))
        .send_json(body)
        .unwrap_or_else(|e| panic!("{path}: {e:?}"));
    answer.into_json().unwrap()
}

/// The partition whose outbox holds the delivery `id`, once one does.
fn partition_holding(stores: &[PostgresStore], id: &str) -> Option<i32> {
    (0..PARTITIONS).find(|&p| {
        let outbox = play_store::Store::as_outbox(&stores[p as usize]).unwrap();
        outbox.delivery(id).unwrap().is_some()
    })
}

fn route_of(db: &str, record: &str) -> i32 {
    let mut client = postgres::Client::connect(db, postgres::NoTls).unwrap();
    client.query_one("SELECT partition FROM play_routes WHERE record = $1", &[&record]).unwrap().get(0)
}

#[test]
fn emails_and_calls_go_to_the_partition_of_their_record_whichever_worker_takes_them() {
    let db = ScratchDatabase::create("posted").unwrap();
    let dir = crate::support::example_copy("customer-success");
    let jo = token(dir.path(), db.url());
    let (_pool, (a, url_a), (b, url_b)) = two_workers(db.url(), dir.path());
    let report = post(&url_b, &jo, &contact_lines()).expect("the contacts are taken");
    assert!(report["refused"].as_array().is_some_and(Vec::is_empty), "{report}");

    let emails: Vec<Value> = (0..ACCOUNTS)
        .map(|k| {
            json!({ "message_id": format!("<m{k}@example.com>"), "from": "jo@example.com",
                    "to": [format!("vic{k}@acct{k}.com")], "subject": format!("Renewal {k}"),
                    "text": "Shall we talk?", "sent_at": "2026-03-02T11:00:00Z" })
        })
        .chain([json!({ "message_id": "<stray@example.com>", "from": "jo@example.com",
                        "to": ["who@nowhere.example"], "subject": "Hello", "sent_at": "2026-03-02T11:00:00Z" })])
        .collect();
    let answer = send(&url_a, &jo, "/v1/emails", json!({ "emails": &emails }));
    let calls: Vec<Value> = (0..ACCOUNTS)
        .map(|k| {
            json!({ "call_id": format!("call-{k}"), "with": format!("someone@acct{k}.com"),
                    "notes": "Talked renewal", "at": "2026-03-02T12:00:00Z" })
        })
        .collect();
    let called = send(&url_b, &jo, "/v1/calls", json!({ "calls": calls }));

    let stores: Vec<PostgresStore> =
        (0..PARTITIONS).map(|k| PostgresStore::open_partition(db.url(), k).unwrap()).collect();
    let mut elsewhere = 0;
    for k in 0..ACCOUNTS {
        let email = &answer["emails"][k];
        assert_eq!(
            (&email["outcome"], &email["record"]),
            (&json!("logged"), &json!(format!("Contact/c{k}"))),
            "{answer}"
        );
        let call = &called["calls"][k];
        assert_eq!(
            (&call["outcome"], &call["record"]),
            (&json!("logged"), &json!(format!("Account/a{k}"))),
            "{called}"
        );
        let partition = route_of(db.url(), &format!("Contact/c{k}"));
        for (what, delivery) in [("email", &email["delivery"]), ("call", &call["delivery"])] {
            let delivery = delivery.as_str().unwrap();
            wait_until(&format!("the {what} is logged in its record's partition"), Duration::from_secs(30), || {
                partition_holding(&stores, delivery) == Some(partition)
            });
        }
        let holder: String = postgres::Client::connect(db.url(), postgres::NoTls)
            .unwrap()
            .query_one("SELECT holder FROM leases WHERE partition = $1", &[&partition])
            .unwrap()
            .get(0);
        elsewhere += usize::from(!holder.ends_with(&format!(":{}", a.pid())));
    }
    assert!(
        elsewhere > 0 && elsewhere < ACCOUNTS,
        "emails went both to partitions held here and elsewhere: {elsewhere}"
    );
    let stray = &answer["emails"][ACCOUNTS];
    assert_eq!(stray["outcome"], "orphan", "{answer}");
    let delivery = stray["delivery"].as_str().unwrap();
    wait_until("the orphan is kept in partition 0", Duration::from_secs(30), || {
        partition_holding(&stores, delivery) == Some(0)
    });

    // The same email posted again, to the other worker, is logged once.
    let again = send(&url_b, &jo, "/v1/emails", json!({ "emails": [&emails[0]] }));
    assert_eq!(again["emails"][0]["duplicate"], true, "{again}");
    for mut w in [a, b] {
        w.signal("TERM");
        assert_eq!(w.child.wait().unwrap().code(), Some(0), "{}", w.log_text());
    }
}

/// The holder (`host:pid`) of `partition`'s lease.
fn holder_of(db: &str, partition: i32) -> String {
    let mut client = postgres::Client::connect(db, postgres::NoTls).unwrap();
    client.query_one("SELECT holder FROM leases WHERE partition = $1", &[&partition]).unwrap().get(0)
}

/// Signs in to the inbox at `url` with `token`, as a browser does: the session's cookie.
fn sign_in(url: &str, token: &str) -> String {
    let agent = ureq::AgentBuilder::new().redirects(0).build();
    let form = agent.get(&format!("{url}/sign-in")).call().unwrap();
    let bound = form.all("set-cookie").iter().map(|c| c.split(';').next().unwrap().to_string()).collect::<Vec<_>>();
    let page = form.into_string().unwrap();
    let csrf = page.split("name=\"csrf\" value=\"").nth(1).and_then(|r| r.split('"').next()).unwrap().to_string();
    let signed = agent
        .post(&format!("{url}/sign-in"))
        .set("Cookie", &bound.join("; "))
        .send_form(&[("token", token), ("csrf", &csrf), ("next", "/")])
        .unwrap();
    let session = signed.all("set-cookie").into_iter().find(|c| c.starts_with("play_session=")).map(|c| c.to_string());
    session.expect("a session cookie").split(';').next().unwrap().to_string()
}

#[test]
fn the_inbox_shows_a_record_held_by_another_worker() {
    let db = ScratchDatabase::create("peers").unwrap();
    let dir = crate::support::example_copy("customer-success");
    let jo = token(dir.path(), db.url());
    let (_pool, (a, url_a), (b, url_b)) = two_workers(db.url(), dir.path());
    let lines = (0..40).map(crate::crash::line).collect::<Vec<_>>().join("\n");
    // Sent again when refused as a whole (a teammate's daily budget used up by another
    // partition meanwhile: each line has its change id, so none is taken twice).
    let mut refusals = Vec::new();
    while post(&url_b, &jo, &lines).is_none() {
        refusals.push(());
        assert!(refusals.len() < 5, "the changes are taken within five tries");
    }
    let merged = play_store::postgres::Merged::open(db.url(), PARTITIONS).unwrap();
    let open = play_store::ActionQuery {
        state: Some(play_store::ActionState::Open),
        limit: 1000,
        ..play_store::ActionQuery::default()
    };
    // A task jo may see, whose record is in a partition the worker at `url_a` does not hold.
    let mut found = None;
    wait_until("a task held by the other worker", Duration::from_secs(30), || {
        let items = play_store::Store::actions(&merged, &open).unwrap().items;
        found = items.into_iter().find(|t| {
            let partition = merged.partition_of_action(&t.id).unwrap().unwrap_or(0);
            t.kind == "task"
                && t.record.starts_with("Account/")
                && (t.public || t.owner.as_deref() == Some("jo@example.com"))
                && !holder_of(db.url(), partition).ends_with(&format!(":{}", a.pid()))
        });
        found.is_some()
    });
    let task = found.unwrap();
    let page = |url: &str| {
        let cookie = sign_in(url, &jo);
        let answer = ureq::get(&format!("{url}/actions/{}", task.id)).set("Cookie", &cookie).call().unwrap();
        answer.into_string().unwrap()
    };
    let here = page(&url_a);
    assert!(
        here.contains(r#"name="field.licensed_seats" value="50""#),
        "the record's fields, asked of the worker holding it: {here}"
    );
    let csrf = |p: &str| p.split("name=\"csrf\" value=\"").skip(1).map(|r| r[64..].to_string()).collect::<Vec<_>>();
    assert_eq!(csrf(&here), csrf(&page(&url_b)), "the page is the same from either worker");
    for mut w in [a, b] {
        w.signal("TERM");
        assert_eq!(w.child.wait().unwrap().code(), Some(0), "{}", w.log_text());
    }
}
