//! Deletions and HubSpot owners pulled, against the local fakes: Salesforce's `queryAll`
//! (which alone sees records with `IsDeleted`), HubSpot's `archived=true` list (paged by
//! `after`, which the search never returns) and its owners API; each deletion a `delete`
//! change line, each owner id the owner's address, mapped into the record's `owner`.

#[path = "support/crm_fakes.rs"]
mod fakes;
mod support;

use play_delivery::crm::hubspot::HubSpot;
use play_delivery::crm::mapping::{change_line, FieldMap};
use play_delivery::crm::pull::{millis_of, Pulled, Which};
use play_delivery::crm::removed::{delete_line, Owners};
use play_delivery::crm::salesforce::Salesforce;
use serde_json::{json, Value};

fn collect(run: impl FnOnce(&mut dyn FnMut(Vec<Pulled>) -> Result<(), String>)) -> Vec<Pulled> {
    let mut all = Vec::new();
    run(&mut |page| {
        all.extend(page);
        Ok(())
    });
    all
}

#[test]
fn salesforce_deletions_come_from_query_all_since_the_watermark() {
    let fake = fakes::Salesforce::start("Account", &["Name"], 2);
    for n in 1..=4 {
        fake.put(fakes::sf_account(n, "Renewal"));
    }
    fake.delete("001A02", "2026-03-03T08:00:00.000+0000");
    fake.delete("001A03", "2026-03-03T09:00:00.000+0000");
    let sf = Salesforce { instance: fake.root(), version: "61.0".into(), token: fakes::TOKEN.into() };
    let mut alive = Vec::new();
    sf.pull("Account", &[], Which::Since(0), &mut |page| {
        alive.extend(page.into_iter().map(|p| p.id));
        Ok(())
    })
    .unwrap();
    assert_eq!(alive, ["001A01", "001A04"], "`query` never gives a deleted record");
    let deleted = collect(|on| sf.pull_deleted("Account", 0, on).unwrap());
    assert_eq!(deleted.iter().map(|p| p.id.as_str()).collect::<Vec<_>>(), ["001A02", "001A03"]);
    let since = millis_of("2026-03-03T09:00:00.000+0000").unwrap();
    let later = collect(|on| sf.pull_deleted("Account", since, on).unwrap());
    assert_eq!(later.iter().map(|p| p.id.as_str()).collect::<Vec<_>>(), ["001A03"], "from the watermark on");
    let asked = fake.queries.lock().unwrap().clone();
    assert!(
        asked.iter().any(|q| q.starts_with(
            "queryAll SELECT Id, SystemModstamp FROM Account WHERE IsDeleted = true AND SystemModstamp >= "
        )),
        "{asked:?}"
    );
    let line: Value = serde_json::from_str(&delete_line("Account", "salesforce", "Account", &later[0])).unwrap();
    assert_eq!(
        line,
        json!({ "at": "2026-03-03T09:00:00.000Z", "change": "delete", "record": "Account", "id": "001A03",
                "change_id": format!("salesforce:Account:001A03:deleted:{since}") })
    );
}

#[test]
fn hubspot_archived_records_are_listed_page_by_page() {
    let fake = fakes::HubSpot::start("companies", 10_000);
    for n in 1..=150 {
        fake.put(
            &n.to_string(),
            json!({ "name": format!("Co {n}"), "hs_lastmodifieddate": "2026-03-02T09:00:00.000Z" }),
        );
    }
    for n in [7, 120, 121] {
        fake.archive(&n.to_string(), &format!("2026-03-0{}T10:00:00.000Z", if n == 7 { 3 } else { 4 }));
    }
    let hs = HubSpot { root: fake.root(), token: fakes::TOKEN.into() };
    let all = collect(|on| hs.pull_archived("companies", 0, on).unwrap());
    assert_eq!(all.iter().map(|p| p.id.as_str()).collect::<Vec<_>>(), ["7", "120", "121"]);
    let since = millis_of("2026-03-04T00:00:00Z").unwrap();
    let later = collect(|on| hs.pull_archived("companies", since, on).unwrap());
    assert_eq!(later.iter().map(|p| p.id.as_str()).collect::<Vec<_>>(), ["120", "121"], "archived since the watermark");
    let found = collect(|on| hs.pull("companies", &["name".into()], Which::Since(0), on).unwrap());
    assert_eq!(found.len(), 147, "the search never gives an archived record");
}

#[test]
fn hubspot_owner_ids_become_addresses_in_the_records_owner() {
    let fake = fakes::HubSpot::start("companies", 10_000);
    let props = |owner: &str| {
        json!({ "name": "Acme", "tier": "Enterprise", "arr": "1", "stage": "Renewal", "health": "50",
                "weekly_active_users": "3", "hubspot_owner_id": owner, "hs_lastmodifieddate": "2026-03-02T09:00:00.000Z" })
    };
    fake.put("1", props("41"));
    fake.put("2", props("99"));
    let hs = HubSpot { root: fake.root(), token: fakes::TOKEN.into() };
    let program =
        play_compiler::lower::build(&[("schema.play", "")]).unwrap_or_else(|_| panic!("the standard records build"));
    let record = program.schema.records.iter().find(|r| r.name == "Account").unwrap();
    let mut names: Vec<String> = record.fields.iter().map(|f| f.name.clone()).collect();
    names.push("hubspot_owner_id".into());
    let map = FieldMap::new(&program.schema, record, &names);
    assert!(map.pairs.contains(&("hubspot_owner_id".to_string(), "owner".to_string())), "{map:?}");
    let mut page = collect(|on| hs.pull("companies", &map.crm_names(), Which::Since(0), on).unwrap());
    Owners::default().resolve(&hs, &mut page).unwrap();
    let lines: Vec<Value> = page
        .iter()
        .map(|p| serde_json::from_str(&change_line(&program.schema, record, &map, "hubspot", "companies", p)).unwrap())
        .collect();
    assert_eq!(lines[0]["fields"]["owner"], "jo@example.com");
    assert_eq!(lines[1]["fields"]["owner"], Value::Null, "an owner HubSpot does not have (404) is no owner");
    let bad = HubSpot { root: fake.root(), token: "expired".into() };
    let e = bad.owner_email("41").unwrap_err();
    assert_eq!(e.code, "401 INVALID_AUTHENTICATION");
}
