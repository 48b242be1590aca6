//! A case's page: its stages and activities, filters, completing activities until the next
//! stage opens, adding an optional one, the record an activity created, bad input refused.

use axum::http::StatusCode;
use play_store::{ActionQuery, ActionState, Store};

use super::harness::{Daemon, PUBLIC_TASK};

/// An access request assigned to lee, who owns the case-management example's private
/// playbooks (as the workspace owner).
const CASE: &str = r#"{"at":"2026-03-02T08:00:00Z","change":"upsert","record":"User","id":"lee@example.com","fields":{"email":"lee@example.com","name":"Lee Chan","team":"Support"}}
{"at":"2026-03-02T08:30:00Z","change":"upsert","record":"Account","id":"acme","fields":{"name":"Acme","tier":"Enterprise","arr":250000,"stage":"Adoption","health":72,"owner":"lee@example.com","weekly_active_users":40,"tags":[]}}
{"at":"2026-03-02T09:00:00Z","change":"upsert","record":"Case","id":"c-1026","fields":{"number":"00001026","subject":"New starter cannot log in","category":"Access","priority":"Medium","status":"New","assigned_to":"lee@example.com","account":"acme"}}
{"at":"2026-03-02T09:01:00Z","change":"upsert","record":"User","id":"lee@example.com","fields":{"name":"Lee Chan"}}
"#;

/// Moves the engine's clock to 09:`minute` with a change from the CRM, which ends the
/// instant of the teammate's last change (its actions are stored once it has ended).
async fn later(d: &Daemon, minute: u32) {
    let line = format!(
        r#"{{"at":"2026-03-02T09:{minute:02}:00Z","change":"upsert","record":"User","id":"lee@example.com","fields":{{"name":"Lee Chan"}}}}"#
    );
    d.changes(&line).await;
}

const PAGE: &str = "/cases/access_request/Case/c-1026";

/// The id of the case's action of `activity`.
fn activity(d: &Daemon, activity: &str) -> String {
    let query = ActionQuery { record: Some("Case/c-1026".into()), limit: 100, ..ActionQuery::default() };
    let page = d.store.actions(&query).unwrap();
    page.items
        .iter()
        .find(|a| serde_json::from_str::<serde_json::Value>(&a.json).unwrap()["activity"] == activity)
        .unwrap_or_else(|| {
            let all = d.store.actions(&ActionQuery { limit: 100, ..ActionQuery::default() }).unwrap();
            let runs = d.store.runs(None, 100).unwrap();
            panic!("no action of {activity}: {:?} {runs:?}", all.items.iter().map(|a| &a.json).collect::<Vec<_>>())
        })
        .id
        .clone()
}

/// The part of the page about one stage.
fn stage<'a>(page: &'a str, name: &str) -> &'a str {
    let start = page.find(&format!("id=\"stage-{name}\"")).unwrap_or_else(|| panic!("no stage {name}: {page}"));
    let rest = &page[start..];
    &rest[..rest.find("</section>").unwrap()]
}

#[tokio::test]
async fn a_case_is_walked_through_two_stages_from_its_page() {
    let d = Daemon::example("case-management", CASE).await;
    let mut lee = d.signed_in("lee-token").await;
    let verify = activity(&d, "verify");
    let action = lee.get(&format!("/actions/{verify}")).await.body;
    assert!(action.contains(&format!("href=\"{PAGE}\"")), "an activity's action links to its case: {action}");

    let playbook = lee.get("/playbooks/access_request").await.body;
    assert!(
        playbook.contains(&format!("<a href=\"{PAGE}\">its case</a>")),
        "a run in flight links to its case: {playbook}"
    );

    let page = lee.get(PAGE).await.body;
    let triage = stage(&page, "triage");
    assert!(triage.contains("open"), "{triage}");
    assert!(
        triage.contains("Verify the requester&#39;s identity") || triage.contains("Verify the requester's identity")
    );
    assert!(
        triage.contains("not added") && triage.contains("value=\"add\""),
        "the optional visit can be added: {triage}"
    );
    assert!(stage(&page, "resolve").contains("not reached yet"), "{page}");

    let added = lee.submit(PAGE, PAGE, &[("op", "add"), ("activity", "visit")]).await;
    assert_eq!(added.status, StatusCode::SEE_OTHER, "{}", added.body);
    later(&d, 2).await;
    let visit = activity(&d, "visit");
    assert_eq!(d.action(&visit).state, ActionState::Open);

    for name in ["verify", "check_seat"] {
        let id = activity(&d, name);
        let done = lee.submit(PAGE, PAGE, &[("op", "complete"), ("action", &id), ("note", "checked")]).await;
        assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.body);
        assert_eq!(d.action(&id).state, ActionState::Done);
    }
    later(&d, 3).await;
    let page = lee.get(&format!("{PAGE}?notice=complete")).await.body;
    assert!(page.contains("The activity was completed."), "{page}");
    assert!(stage(&page, "triage").contains("done"), "{page}");
    let resolve = stage(&page, "resolve");
    assert!(resolve.contains("pill\">open"), "the engine opened the next stage: {resolve}");
    let reset = activity(&d, "reset");
    assert!(resolve.contains(&format!("Task/{reset} once completed")), "{resolve}");

    lee.submit(PAGE, PAGE, &[("op", "complete"), ("action", &reset)]).await;
    later(&d, 4).await;
    let page = lee.get(PAGE).await.body;
    assert!(
        stage(&page, "resolve").contains(&format!("<a href=\"/?record=Task/{reset}\">Task/{reset}</a>")),
        "the record the activity created: {page}"
    );
}

#[tokio::test]
async fn a_cases_activities_filter_by_assignee_and_state() {
    let d = Daemon::example("case-management", CASE).await;
    let mut lee = d.signed_in("lee-token").await;
    let verify = activity(&d, "verify");
    lee.submit(PAGE, PAGE, &[("op", "complete"), ("action", &verify)]).await;
    let open = lee.get(&format!("{PAGE}?assignee=lee%40example.com&state=open")).await.body;
    assert!(
        open.contains("Check the account has a free seat") && !open.contains(&format!("/actions/{verify}")),
        "{open}"
    );
    let done = lee.get(&format!("{PAGE}?state=done")).await.body;
    assert!(
        done.contains(&format!("/actions/{verify}")) && !done.contains("Check the account has a free seat"),
        "{done}"
    );
    let nobody = lee.get(&format!("{PAGE}?assignee=sam%40example.com")).await.body;
    assert!(!nobody.contains("/actions/"), "{nobody}");
}

#[tokio::test]
async fn bad_case_forms_say_what_is_wrong_and_change_nothing() {
    let d = Daemon::example("case-management", CASE).await;
    let mut lee = d.signed_in("lee-token").await;
    let verify = activity(&d, "verify");
    let before = d.store.journal_position().unwrap();
    let huge = "x".repeat(20_001);
    let cases: [(&[(&str, &str)], &str); 6] = [
        (&[("op", "complete")], "Pick the activity to complete."),
        (&[("op", "complete"), ("action", PUBLIC_TASK)], "is not an activity of this case"),
        (&[("op", "complete"), ("action", &verify), ("note", &huge)], "too long"),
        (&[("op", "add")], "Pick an optional activity to add."),
        (&[("op", "add"), ("activity", "verify")], "not optional"),
        (&[("op", "close")], "not something to do with a case"),
    ];
    for (form, words) in cases {
        let refused = lee.submit(PAGE, PAGE, form).await;
        assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY, "{form:?}");
        assert!(
            refused.body.contains("Nothing was changed.") && refused.body.contains(words),
            "{form:?}: {}",
            refused.body
        );
        assert_eq!(d.store.journal_position().unwrap(), before, "{form:?} changed nothing");
    }
    assert_eq!(d.action(&verify).state, ActionState::Open);
    let mut other = d.signed_in("jo-token").await;
    assert_eq!(other.get(PAGE).await.status, StatusCode::NOT_FOUND, "a private playbook's case is its owner's");
    let none = lee.get("/cases/access_request/Case/nope").await;
    assert_eq!(none.status, StatusCode::NOT_FOUND);
    let not_a_case = lee.get("/cases/critical_case_watch/Case/c-1026").await;
    assert_eq!(not_a_case.status, StatusCode::NOT_FOUND, "a playbook without stages has no case page");
}

/// `GET` of an API path with a teammate's token: status and JSON.
async fn api(d: &Daemon, token: &str, path: &str) -> (StatusCode, serde_json::Value) {
    use tower::ServiceExt;
    let request = axum::http::Request::get(path)
        .header(axum::http::header::AUTHORIZATION, format!("Bearer {token}"))
        .body(axum::body::Body::empty())
        .unwrap();
    let answer = d.router.clone().oneshot(request).await.unwrap();
    let status = answer.status();
    let bytes = axum::body::to_bytes(answer.into_body(), usize::MAX).await.unwrap();
    (status, serde_json::from_slice(&bytes).unwrap_or(serde_json::Value::Null))
}

#[tokio::test]
async fn the_api_reads_a_cases_stages() {
    let d = Daemon::example("case-management", CASE).await;
    let (status, case) = api(&d, "lee-token", "/v1/cases/access_request/Case/c-1026").await;
    assert_eq!(status, StatusCode::OK, "{case}");
    let stages = case["stages"].as_array().unwrap();
    let names: Vec<(&str, &str)> =
        stages.iter().map(|s| (s["name"].as_str().unwrap(), s["state"].as_str().unwrap())).collect();
    assert_eq!(names, [("triage", "open"), ("resolve", "not reached yet")]);
    let triage = &stages[0]["activities"];
    assert_eq!(triage[0]["name"], "verify");
    assert_eq!(triage[0]["title"], "Verify the requester's identity");
    assert_eq!(triage[0]["actions"][0]["state"], "open");
    assert_eq!(triage[0]["actions"][0]["assignee"], "lee@example.com");
    assert_eq!(triage[2]["name"], "visit");
    assert_eq!(triage[2]["optional"], true);
    assert_eq!(triage[2]["actions"], serde_json::json!([]), "not added");
    assert_eq!(stages[1]["activities"][0]["title"], "Reset credentials");
    let (status, _) = api(&d, "jo-token", "/v1/cases/access_request/Case/c-1026").await;
    assert_eq!(status, StatusCode::NOT_FOUND, "a private playbook's case is its owner's");
    let (status, _) = api(&d, "lee-token", "/v1/cases/access_request/Case/nope").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}
