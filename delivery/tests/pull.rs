//! Pulling changes from the CRM against local fakes of Salesforce's query API and
//! HubSpot's search API: paging, the watermark filter, HubSpot's 10,000-result limit and
//! its 429, errors verbatim, and each record mapped to an `upsert` line through the
//! project's record (picklist values to variants, HubSpot's text to numbers, owners by
//! address).

#[path = "support/crm_fakes.rs"]
mod fakes;
mod support;

use play_compiler::program::{Program, RecordDef};
use play_delivery::crm::hubspot::HubSpot;
use play_delivery::crm::mapping::{change_line, FieldMap};
use play_delivery::crm::pull::{millis_of, Pulled, Which};
use play_delivery::crm::salesforce::Salesforce;
use serde_json::{json, Value};

const PROJECT: &str = r#"
extend record Account {
  /// The account's segment, a Salesforce picklist.
  segment: Segment?
  /// Imported from `Health_Score__c`.
  health_score: Int?
  /// Whether the account is a reference customer.
  reference: Bool?
}

enum Segment {
  SmallBusiness = "Small Business",
  Strategic,
}
"#;

fn program() -> Program {
    play_compiler::lower::build(&[("schema.play", PROJECT)]).unwrap_or_else(|_| panic!("the project builds"))
}

fn account(program: &Program) -> &RecordDef {
    program.schema.records.iter().find(|r| r.name == "Account").expect("Account")
}

const SF_FIELDS: &[&str] = &[
    "Name",
    "Tier__c",
    "ARR__c",
    "Stage__c",
    "Health__c",
    "Weekly_Active_Users__c",
    "OwnerId",
    "Segment__c",
    "Health_Score__c",
    "Renewal_Date__c",
    "Tags__c",
    "Type",
    "Description",
];

fn sf_account(n: usize, segment: &str) -> Value {
    let mut account = fakes::sf_account(n, "Renewal");
    let extra = json!({
        "ARR__c": 250000.0,
        "Segment__c": segment,
        "Health_Score__c": 81,
        "Renewal_Date__c": "2026-09-30",
        "Tags__c": "beta;at-risk",
        "Type": null,
        "Description": "Big one",
    });
    for (k, v) in extra.as_object().unwrap() {
        account[k] = v.clone();
    }
    account
}

fn salesforce(fake: &fakes::Salesforce, token: &str) -> Salesforce {
    Salesforce { instance: fake.root(), version: "61.0".into(), token: token.into() }
}

/// Every page the pull is told of.
fn pages(
    run: impl FnOnce(&mut dyn FnMut(Vec<Pulled>) -> Result<(), String>) -> Result<(), play_delivery::crm::pull::PullError>,
) -> Vec<Vec<Pulled>> {
    let mut pages = Vec::new();
    run(&mut |page| {
        pages.push(page);
        Ok(())
    })
    .expect("the pull succeeds");
    pages
}

#[test]
fn salesforce_pages_through_next_records_url_oldest_first_and_maps_every_field() {
    let fake = fakes::Salesforce::start("Account", SF_FIELDS, 2);
    for n in [3, 1, 5, 2, 4] {
        fake.put(sf_account(n, if n == 5 { "Galactic" } else { "Small Business" }));
    }
    let sf = salesforce(&fake, fakes::TOKEN);
    let program = program();
    let record = account(&program);
    let map = FieldMap::new(&program.schema, record, &sf.field_names("Account").unwrap());
    let got = pages(|on| sf.pull("Account", &map.crm_names(), Which::Since(0), on));

    assert_eq!(got.iter().map(Vec::len).collect::<Vec<_>>(), vec![2, 2, 1], "three pages of two");
    let ids: Vec<&str> = got.iter().flatten().map(|p| p.id.as_str()).collect();
    assert_eq!(ids, ["001A01", "001A02", "001A03", "001A04", "001A05"], "oldest first");
    let queries = fake.queries.lock().unwrap().clone();
    assert!(
        queries[0].contains("WHERE SystemModstamp >= 1970-01-01T00:00:00Z ORDER BY SystemModstamp ASC"),
        "{queries:?}"
    );
    assert!(queries[0].contains("Owner.Email"), "the owner is read by address: {}", queries[0]);
    assert_eq!(&queries[1..], ["next 0", "next 1"], "then its nextRecordsUrl");

    let lines: Vec<String> =
        got.iter().flatten().map(|p| change_line(&program.schema, record, &map, "salesforce", "Account", p)).collect();
    insta::assert_snapshot!(lines.join("\n"));
}

#[test]
fn salesforce_pulls_from_the_watermark_on_or_one_record() {
    let fake = fakes::Salesforce::start("Account", SF_FIELDS, 2000);
    for n in 1..=5 {
        fake.put(sf_account(n, "Strategic"));
    }
    let sf = salesforce(&fake, fakes::TOKEN);
    let since = millis_of("2026-03-02T09:03:00.000+0000").unwrap();
    let got = pages(|on| sf.pull("Account", &["Name".to_string()], Which::Since(since), on));
    let ids: Vec<&str> = got.iter().flatten().map(|p| p.id.as_str()).collect();
    assert_eq!(ids, ["001A03", "001A04", "001A05"], "the record at the watermark comes again, the older ones not");
    assert_eq!(got[0][0].millis, since);

    let got = pages(|on| sf.pull("Account", &["Name".to_string()], Which::Record("001A02"), on));
    assert_eq!(got[0].iter().map(|p| p.id.as_str()).collect::<Vec<_>>(), ["001A02"]);
    assert!(fake.queries.lock().unwrap().last().unwrap().contains("WHERE Id = '001A02'"));
}

#[test]
fn salesforce_errors_come_back_verbatim() {
    let fake = fakes::Salesforce::start("Account", SF_FIELDS, 2000);
    let expired = salesforce(&fake, "expired");
    let e = expired.pull("Account", &[], Which::Since(0), &mut |_| Ok(())).unwrap_err();
    assert_eq!((e.code.as_str(), e.message.as_str()), ("401 INVALID_SESSION_ID", "Session expired or invalid"));
    let e = expired.field_names("Account").unwrap_err();
    assert_eq!(e.code, "401 INVALID_SESSION_ID");

    let sf = salesforce(&fake, fakes::TOKEN);
    let e = sf.pull("Account", &["Helth__c".to_string()], Which::Since(0), &mut |_| Ok(())).unwrap_err();
    assert_eq!(e.code, "400 INVALID_FIELD");
    assert_eq!(e.message, "No such column 'Helth__c' on entity 'Account'.");
}

fn hubspot(fake: &fakes::HubSpot) -> HubSpot {
    HubSpot { root: fake.root(), token: fakes::TOKEN.into() }
}

fn hs_company(n: usize) -> Value {
    json!({
        "name": format!("Acme {n}"),
        "segment": "Strategic",
        "health_score": "81",
        "arr": "250000.50",
        "reference": "true",
        "tags": "beta;at-risk",
        "hs_lastmodifieddate": format!("2026-03-02T09:{n:02}:00.000Z"),
    })
}

#[test]
fn hubspot_pages_with_after_and_starts_again_past_its_result_limit() {
    // A search gives at most 4 results here (10,000 at HubSpot).
    let fake = fakes::HubSpot::start("companies", 4);
    for n in 1..=10 {
        fake.put(&format!("{n}"), hs_company(n));
    }
    let hs = hubspot(&fake);
    let got = pages(|on| hs.pull_within("companies", &["name".to_string()], Which::Since(0), 4, on));
    let mut ids: Vec<String> = got.iter().flatten().map(|p| p.id.clone()).collect();
    let times: Vec<i64> = got.iter().flatten().map(|p| p.millis).collect();
    assert!(times.windows(2).all(|w| w[0] <= w[1]), "oldest first across searches: {times:?}");
    ids.dedup();
    assert_eq!(ids, (1..=10).map(|n| n.to_string()).collect::<Vec<_>>(), "nothing missed past the limit");
    let searches = fake.searches.lock().unwrap().clone();
    assert!(searches.len() >= 3, "the search started again from the last date: {searches:?}");
    for s in &searches {
        assert_eq!(s["filterGroups"][0]["filters"][0]["operator"], "GTE");
        assert_eq!(s["sorts"][0], json!({ "propertyName": "hs_lastmodifieddate", "direction": "ASCENDING" }));
    }
    let restarted = &searches[1]["filterGroups"][0]["filters"][0]["value"];
    assert_eq!(restarted.as_str(), Some(millis_of("2026-03-02T09:04:00.000Z").unwrap().to_string().as_str()));
}

#[test]
fn hubspot_waits_out_a_429_and_reads_its_errors() {
    let fake = fakes::HubSpot::start("companies", 10_000);
    fake.put("1", hs_company(1));
    fake.limited.lock().unwrap().push(1);
    let hs = hubspot(&fake);
    let got = pages(|on| hs.pull("companies", &["name".to_string()], Which::Since(0), on));
    assert_eq!(got.iter().flatten().count(), 1, "taken after the rate-limit interval");

    fake.limited.lock().unwrap().extend([3, 4, 5, 6]);
    let e = hs.pull("companies", &[], Which::Since(0), &mut |_| Ok(())).unwrap_err();
    assert_eq!((e.code.as_str(), e.message.as_str()), ("429 RATE_LIMIT", "You have reached your secondly limit."));

    let wrong = HubSpot { root: fake.root(), token: "revoked".into() };
    let e = wrong.pull("companies", &[], Which::Since(0), &mut |_| Ok(())).unwrap_err();
    assert_eq!(
        (e.code.as_str(), e.message.as_str()),
        ("401 INVALID_AUTHENTICATION", "Authentication credentials not found.")
    );
}

#[test]
fn hubspot_text_becomes_the_record_s_types() {
    let fake = fakes::HubSpot::start("companies", 10_000);
    fake.put("7", hs_company(7));
    let hs = hubspot(&fake);
    let program = program();
    let record = account(&program);
    let names: Vec<String> = record.fields.iter().map(|f| f.name.clone()).collect();
    let map = FieldMap::new(&program.schema, record, &names);
    assert!(!map.crm_names().contains(&"owner".to_string()), "HubSpot owners are ids, not addresses: left out");
    let got = pages(|on| hs.pull("companies", &map.crm_names(), Which::Record("7"), on));
    let line: Value =
        serde_json::from_str(&change_line(&program.schema, record, &map, "hubspot", "companies", &got[0][0])).unwrap();
    assert_eq!(line["change_id"], format!("hubspot:companies:7:{}", millis_of("2026-03-02T09:07:00.000Z").unwrap()));
    assert_eq!(line["at"], "2026-03-02T09:07:00.000Z");
    assert_eq!(
        line["fields"],
        json!({ "name": "Acme 7", "segment": "Strategic", "health_score": 81, "arr": 250000.5, "reference": true, "tags": ["beta", "at-risk"] })
    );
}
