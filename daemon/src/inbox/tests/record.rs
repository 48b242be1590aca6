//! The action page's record: the trend of the field that fired the action, and editing the
//! record's fields (one upsert change; bad input refused with the field named, nothing stored).

use axum::http::StatusCode;
use play_store::{Command, Store};

use super::harness::{Daemon, PRIVATE_TASK, PUBLIC_TASK};

/// The last change line in the journal.
fn last_change(d: &Daemon) -> (u64, String) {
    let journal = d.store.read_journal(0, usize::MAX).unwrap();
    let position = d.store.journal_position().unwrap();
    let line = journal
        .iter()
        .rev()
        .find_map(|(_, c)| match c {
            Command::Change { line, .. } => Some(line.clone()),
            _ => None,
        })
        .unwrap();
    (position, line)
}

/// Every editable field of Acme as the page fills it, with `changes` put over them.
fn acme_form(page: &str, changes: &[(&str, &str)]) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for name in ["name", "health", "arr", "tier", "renewal_date", "onboarding_complete", "risk_reason"] {
        let key = format!("field.{name}");
        let value = match changes.iter().find(|(k, _)| *k == name) {
            Some((_, v)) => v.to_string(),
            None => filled(page, &key),
        };
        out.push((key, value));
    }
    out
}

/// The value the page's form holds for a field (an input's value or a select's choice).
fn filled(page: &str, name: &str) -> String {
    let at = page.find(&format!("name=\"{name}\"")).unwrap_or_else(|| panic!("no input {name}"));
    let rest = &page[at..];
    if let Some(v) = rest.split('>').next().and_then(|tag| tag.split("value=\"").nth(1)) {
        return v.split('"').next().unwrap().to_string();
    }
    let select = &rest[..rest.find("</select>").unwrap()];
    let chosen = select.split("<option").find(|o| o.contains("selected")).unwrap_or("");
    chosen.split("value=\"").nth(1).map_or(String::new(), |v| v.split('"').next().unwrap().to_string())
}

#[tokio::test]
async fn the_action_page_draws_the_trend_of_the_field_that_fired_it() {
    let d = Daemon::start().await;
    let mut jo = d.signed_in("jo-token").await;
    let page = jo.get(&format!("/actions/{PUBLIC_TASK}")).await.body;
    assert!(page.contains("Trend of health"), "{page}");
    // No playbook reads health's past, so the engine keeps none: the store's numbers of
    // every change taken draw it.
    assert!(
        page.contains("health over time: 72 on 2026-03-02, 41 on 2026-03-02, 35 on 2026-03-04, 68 on 2026-03-16"),
        "every value the changes gave it: {page}"
    );
    assert!(page.contains("<polyline"), "an inline SVG line: {page}");
    assert!(page.contains("72 → 68 over 4 values"), "{page}");
}

/// The engine's answer to a record read: its fields now, and the history it keeps of a
/// field the program reads the past of (`change(account.weekly_active_users, over: 14d)`).
#[test]
fn the_engine_gives_a_record_and_the_history_it_keeps() {
    let mut host = crate::host::Host::new(super::harness::program("customer-success"));
    let more = [
        r#"{"at":"2026-03-20T09:00:00Z","change":"upsert","record":"Account","id":"acme","fields":{"weekly_active_users":25}}"#,
        r#"{"at":"2026-03-21T09:00:00Z","change":"upsert","record":"Account","id":"acme","fields":{"weekly_active_users":20}}"#,
    ];
    for line in super::harness::CHANGES.lines().chain(more) {
        let read = host.read(line).unwrap();
        host.take(read, None).unwrap();
    }
    let view = host.record_view("Account/acme", Some("weekly_active_users")).unwrap();
    assert_eq!(view.fields["health"], 68);
    assert_eq!(view.fields["tier"], "Enterprise");
    let kept: Vec<f64> = view.history.iter().map(|p| p.1).collect();
    assert_eq!(kept[kept.len() - 2..], [25.0, 20.0], "oldest first: {kept:?}");
    let health = host.record_view("Account/acme", Some("health")).unwrap();
    assert!(health.history.is_empty(), "no playbook reads health's past: the engine keeps none");
    assert!(host.record_view("Account/nobody", None).is_none());
    assert!(host.record_view("Nothing/acme", None).is_none());
}

#[tokio::test]
async fn the_record_form_is_typed_by_the_schema() {
    let d = Daemon::start().await;
    let mut jo = d.signed_in("jo-token").await;
    let page = jo.get(&format!("/actions/{PUBLIC_TASK}")).await.body;
    assert!(page.contains(r#"<select id="f-tier" name="field.tier">"#), "an enum is a select: {page}");
    assert!(page.contains(r#"<option value="Enterprise" selected>"#), "Acme's tier chosen: {page}");
    assert!(page.contains(r#"id="f-health" type="number" step="any" name="field.health" value="68""#), "{page}");
    assert!(page.contains(r#"id="f-renewal_date" type="date""#), "{page}");
    assert!(page.contains(r#"<select id="f-onboarding_complete" name="field.onboarding_complete">"#), "{page}");
    assert!(!page.contains("name=\"field.tags\""), "a list is not edited here: {page}");
}

#[tokio::test]
async fn saving_the_record_journals_one_upsert_of_the_changed_fields() {
    let d = Daemon::start().await;
    let mut jo = d.signed_in("jo-token").await;
    let path = format!("/actions/{PUBLIC_TASK}");
    let page = jo.get(&path).await.body;
    let csrf = jo.get(&path).await.field("csrf");
    let mut form = acme_form(&page, &[("health", "52.5"), ("risk_reason", "Champion left")]);
    form.push(("csrf".into(), csrf));
    let pairs: Vec<(&str, &str)> = form.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    let saved = jo.post(&format!("{path}/record"), &pairs).await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
    assert_eq!(saved.location.as_deref(), Some(format!("{path}?notice=record").as_str()));
    let (_, line) = last_change(&d);
    let line: serde_json::Value = serde_json::from_str(&line).unwrap();
    assert_eq!(line["change"], "upsert");
    assert_eq!(line["record"], "Account");
    assert_eq!(line["id"], "acme");
    assert_eq!(
        line["fields"],
        serde_json::json!({"health": 52.5, "risk_reason": "Champion left"}),
        "only what changed"
    );
    let after = jo.get(&format!("{path}?notice=record")).await.body;
    assert!(after.contains("The record was saved."), "{after}");
    assert!(after.contains(r#"name="field.health" value="52.5""#), "{after}");
    assert!(after.contains("68 on 2026-03-16, 52.50 on "), "the trend has the new value: {after}");
}

#[tokio::test]
async fn bad_record_input_names_the_field_and_stores_nothing() {
    let d = Daemon::start().await;
    let mut jo = d.signed_in("jo-token").await;
    let path = format!("/actions/{PUBLIC_TASK}");
    let page = jo.get(&path).await.body;
    let before = d.store.journal_position().unwrap();
    let huge = "x".repeat(20_001);
    let cases: [(&str, &str, &str); 6] = [
        ("health", "lots", "`health` must be a number, not `lots`"),
        ("health", "1e999", "`health` must be a number"),
        ("name", "", "`name` cannot be empty"),
        ("risk_reason", &huge, "`risk_reason` is too long (20001 characters)"),
        ("tier", "Platinum", "`tier`"),
        ("renewal_date", "next spring", "`renewal_date`"),
    ];
    for (field, value, words) in cases {
        let csrf = jo.get(&path).await.field("csrf");
        let mut form = acme_form(&page, &[(field, value)]);
        form.push(("csrf".into(), csrf));
        let pairs: Vec<(&str, &str)> = form.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
        let refused = jo.post(&format!("{path}/record"), &pairs).await;
        assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY, "{field}={value}");
        assert!(refused.body.contains("Nothing was saved."), "{}", refused.body);
        assert!(refused.body.contains(words), "{field}={value}: expected {words} in {}", refused.body);
        assert_eq!(d.store.journal_position().unwrap(), before, "{field}={value} stored nothing");
    }
    let csrf = jo.get(&path).await.field("csrf");
    let mut same = acme_form(&page, &[]);
    same.push(("csrf".into(), csrf));
    let pairs: Vec<(&str, &str)> = same.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    let unchanged = jo.post(&format!("{path}/record"), &pairs).await;
    assert!(unchanged.body.contains("no field was changed"), "{}", unchanged.body);
    assert_eq!(d.store.journal_position().unwrap(), before);
}

#[tokio::test]
async fn a_private_playbooks_action_does_not_open_its_record_to_others() {
    let d = Daemon::start().await;
    let mut jo = d.signed_in("jo-token").await;
    let before = d.store.journal_position().unwrap();
    let path = format!("/actions/{PUBLIC_TASK}");
    let edit = jo.submit(&path, &format!("/actions/{PRIVATE_TASK}/record"), &[("field.health", "10")]).await;
    assert_eq!(edit.status, StatusCode::NOT_FOUND);
    assert_eq!(d.store.journal_position().unwrap(), before);
}
