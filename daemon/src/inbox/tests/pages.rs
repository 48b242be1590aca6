//! Each page and form, as a teammate's browser uses them.

use axum::http::StatusCode;
use play_store::{ActionState, Store};

use super::harness::{Daemon, PRIVATE_TASK, PUBLIC_EMAIL, PUBLIC_TASK};

/// The page with its per-session secrets blanked, for snapshots.
fn stable(body: &str) -> String {
    let mut out = String::new();
    let mut rest = body;
    while let Some(i) = rest.find("name=\"csrf\" value=\"") {
        let start = i + "name=\"csrf\" value=\"".len();
        out.push_str(&rest[..start]);
        out.push_str("[csrf]");
        rest = &rest[start..];
        rest = &rest[rest.find('"').unwrap()..];
    }
    out.push_str(rest);
    out.replace("><", ">\n<")
}

#[tokio::test]
async fn a_page_sends_the_signed_out_to_sign_in_and_a_token_signs_them_in() {
    let d = Daemon::start().await;
    let mut b = d.signed_in("jo-token").await;
    let mut stranger = d.browser();
    let away = stranger.get("/actions/5c50141bb2f2b84f").await;
    assert_eq!(away.status, StatusCode::SEE_OTHER);
    assert_eq!(away.location.as_deref(), Some("/sign-in?next=%2Factions%2F5c50141bb2f2b84f"));
    let queue = b.get("/").await;
    assert_eq!(queue.status, StatusCode::OK);
    assert!(queue.body.contains("Review renewal risk for Acme"), "{}", queue.body);
    assert!(queue.body.contains("jo@example.com"));
}

#[tokio::test]
async fn a_wrong_token_or_a_forged_sign_in_form_signs_nobody_in() {
    let d = Daemon::start().await;
    let mut b = d.browser();
    let form = b.get("/sign-in").await;
    let csrf = form.field("csrf");
    let wrong = b.post("/sign-in", &[("csrf", &csrf), ("token", "not-a-token")]).await;
    assert_eq!(wrong.status, StatusCode::UNAUTHORIZED);
    assert!(wrong.body.contains("not one this daemon knows"), "{}", wrong.body);
    b.cookies.retain(|(k, _)| k != "play_sign_in");
    let forged = b.post("/sign-in", &[("csrf", &csrf), ("token", "jo-token")]).await;
    assert_eq!(forged.status, StatusCode::FORBIDDEN, "no sign-in cookie: another site's form");
    assert!(!b.cookies.iter().any(|(k, _)| k == "play_session"));
    let empty = b.get("/sign-in").await;
    let csrf = empty.field("csrf");
    let empty = b.post("/sign-in", &[("csrf", &csrf), ("token", "")]).await;
    assert!(empty.body.contains("cannot be empty"));
}

#[tokio::test]
async fn a_form_without_the_sessions_csrf_token_changes_nothing() {
    let d = Daemon::start().await;
    let mut b = d.signed_in("jo-token").await;
    let path = format!("/actions/{PUBLIC_TASK}");
    let forged = b.post(&path, &[("csrf", "0000"), ("op", "complete")]).await;
    assert_eq!(forged.status, StatusCode::FORBIDDEN);
    assert!(forged.body.contains("Nothing was changed"), "{}", forged.body);
    let missing = b.post(&path, &[("op", "complete")]).await;
    assert_eq!(missing.status, StatusCode::FORBIDDEN);
    let bulk = b.post("/bulk", &[("op", "dismiss"), ("id", PUBLIC_TASK), ("reason", "x")]).await;
    assert_eq!(bulk.status, StatusCode::FORBIDDEN);
    let out = b.post("/sign-out", &[("csrf", "0000")]).await;
    assert_eq!(out.status, StatusCode::FORBIDDEN);
    assert_eq!(d.action(PUBLIC_TASK).state, ActionState::Open);
}

#[tokio::test]
async fn a_teammate_sees_public_playbooks_actions_and_the_owner_sees_private_ones_too() {
    let d = Daemon::start().await;
    let mut jo = d.signed_in("jo-token").await;
    let mut lee = d.signed_in("lee-token").await;
    let jo_queue = jo.get("/").await.body;
    let lee_queue = lee.get("/").await.body;
    assert!(!jo_queue.contains("Build a save plan for Acme"), "a private playbook's task: {jo_queue}");
    assert!(lee_queue.contains("Build a save plan for Acme"));
    assert!(jo_queue.contains("Review renewal risk for Acme") && lee_queue.contains("Review renewal risk for Acme"));
    assert_eq!(jo.get(&format!("/actions/{PRIVATE_TASK}")).await.status, StatusCode::NOT_FOUND);
    assert_eq!(lee.get(&format!("/actions/{PRIVATE_TASK}")).await.status, StatusCode::OK);
    let dismiss = jo
        .submit("/", "/bulk", &[("op", "dismiss"), ("id", PRIVATE_TASK), ("reason", "not mine"), ("back", "/")])
        .await;
    assert_eq!(dismiss.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(d.action(PRIVATE_TASK).state, ActionState::Open);
    let work = jo.submit("/", &format!("/actions/{PRIVATE_TASK}"), &[("op", "dismiss"), ("reason", "x")]).await;
    assert_eq!(work.status, StatusCode::NOT_FOUND);
    let jo_books = jo.get("/playbooks").await.body;
    assert!(jo_books.contains("renewal_risk") && !jo_books.contains("at_risk_escalation"), "{jo_books}");
    assert!(lee.get("/playbooks").await.body.contains("at_risk_escalation"));
    assert_eq!(jo.get("/playbooks/at_risk_escalation").await.status, StatusCode::NOT_FOUND);
    assert_eq!(jo.get("/playbooks/at_risk_escalation/picture.svg").await.status, StatusCode::NOT_FOUND);
    let history = jo.get(&format!("/actions/{PUBLIC_TASK}")).await.body;
    assert!(!history.contains("at_risk_escalation"), "the record's history hides private playbooks: {history}");
}

#[tokio::test]
async fn completing_dismissing_and_snoozing_by_form_move_the_action() {
    let d = Daemon::start().await;
    let mut lee = d.signed_in("lee-token").await;
    let page = format!("/actions/{PUBLIC_TASK}");
    let done = lee.submit(&page, &page, &[("op", "complete"), ("note", "called them")]).await;
    assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.body);
    assert_eq!(done.location.as_deref(), Some("/?notice=complete"));
    assert!(lee.get("/?notice=complete").await.body.contains("The action was completed."));
    assert_eq!(d.action(PUBLIC_TASK).state, ActionState::Done);
    assert!(lee.get("/?tab=done").await.body.contains("Review renewal risk for Acme"));
    let page = format!("/actions/{PRIVATE_TASK}");
    let snoozed = lee.submit(&page, &page, &[("op", "snooze"), ("until", "2026-04-01")]).await;
    assert_eq!(snoozed.status, StatusCode::SEE_OTHER, "{}", snoozed.body);
    let row = d.action(PRIVATE_TASK);
    assert_eq!(row.state, ActionState::Snoozed);
    assert_eq!(row.snoozed_until.map(play_runtime::value::moment_text).as_deref(), Some("2026-04-01T09:00:00Z"));
    assert!(lee.get("/?tab=snoozed").await.body.contains("Build a save plan for Acme"));
    let again = lee.submit(&page, &page, &[("op", "dismiss"), ("reason", "handled by phone")]).await;
    assert_eq!(again.status, StatusCode::SEE_OTHER, "a snoozed action can still be dismissed");
    assert_eq!(d.action(PRIVATE_TASK).state, ActionState::Dismissed);
    let closed = lee
        .submit(
            &format!("/actions/{PUBLIC_TASK}"),
            &format!("/actions/{PUBLIC_TASK}"),
            &[("op", "dismiss"), ("reason", "x")],
        )
        .await;
    assert_eq!(closed.status, StatusCode::UNPROCESSABLE_ENTITY, "a done action is not open: the engine says so");
    assert!(closed.body.contains("role=\"alert\""), "{}", closed.body);
}

#[tokio::test]
async fn bad_input_on_every_form_gets_words_and_changes_nothing() {
    let d = Daemon::start().await;
    let mut lee = d.signed_in("lee-token").await;
    let page = format!("/actions/{PUBLIC_TASK}");
    let huge = "x".repeat(super::super::form::MAX_TEXT + 1);
    for (fields, words) in [
        (vec![("op", "dismiss"), ("reason", "  ")], "cannot be empty"),
        (vec![("op", "snooze"), ("until", "2026-03-01")], "not in the future"),
        (vec![("op", "snooze"), ("until", "soon")], "is not a date"),
        (vec![("op", "snooze")], "Pick a date"),
        (vec![("op", "complete"), ("note", huge.as_str())], "too long"),
    ] {
        let answer = lee.submit(&page, &page, &fields).await;
        assert_eq!(answer.status, StatusCode::UNPROCESSABLE_ENTITY, "{fields:?}");
        assert!(answer.body.contains(words), "{words}: {}", answer.body);
        assert!(answer.body.contains("role=\"alert\""));
    }
    let email = format!("/actions/{PUBLIC_EMAIL}");
    let blank = lee.submit(&email, &email, &[("op", "approve"), ("subject", ""), ("body", "Hi")]).await;
    assert_eq!(blank.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(blank.body.contains("Write a subject"), "{}", blank.body);
    assert!(blank.body.contains(">Hi</textarea>"), "the edit is kept: {}", blank.body);
    let unknown = lee.submit(&page, &page, &[("op", "explode")]).await;
    assert_eq!(unknown.status, StatusCode::BAD_REQUEST);
    assert_eq!(d.action(PUBLIC_TASK).state, ActionState::Open);
    assert_eq!(d.action(PUBLIC_EMAIL).state, ActionState::Open);
}

#[tokio::test]
async fn an_email_draft_is_edited_previewed_and_approved_as_edited() {
    let d = Daemon::start().await;
    let mut jo = d.signed_in("jo-token").await;
    let page = format!("/actions/{PUBLIC_EMAIL}");
    let shown = jo.get(&page).await.body;
    assert!(shown.contains("Your renewal is on 2026-04-04"), "{shown}");
    let body = "Hi Maria,\n\n<b>Can we talk</b> this week?";
    let preview = jo.submit(&page, &page, &[("op", "preview"), ("subject", "Our call"), ("body", body)]).await;
    assert_eq!(preview.status, StatusCode::OK);
    assert!(preview.body.contains("aria-label=\"Preview\""));
    assert!(preview.body.contains("&lt;b&gt;Can we talk&lt;/b&gt;"), "escaped: {}", preview.body);
    assert_eq!(d.action(PUBLIC_EMAIL).state, ActionState::Open, "a preview sends nothing");
    let sent = jo.submit(&page, &page, &[("op", "approve"), ("subject", "Our call"), ("body", body)]).await;
    assert_eq!(sent.status, StatusCode::SEE_OTHER, "{}", sent.body);
    assert_eq!(d.action(PUBLIC_EMAIL).state, ActionState::Done);
    let outbox = d.store.counters().unwrap().outbox_backlog;
    assert!(outbox > 0, "the approved email waits for delivery");
    let done = jo.get(&page).await.body;
    assert!(done.contains("The email sent"), "the page shows what was sent: {done}");
    assert!(done.contains("<strong>Our call</strong>"), "with the edited subject: {done}");
    assert!(done.contains("&lt;b&gt;Can we talk&lt;/b&gt;"), "and body, escaped: {done}");
    assert!(done.contains("waiting to be sent") && done.contains("by jo@example.com"), "{done}");
}

#[tokio::test]
async fn actions_of_one_step_produced_together_are_one_group_worked_in_bulk() {
    let mut changes = String::from(super::harness::CHANGES);
    for n in 1..=4 {
        changes.push_str(&format!(
            "{{\"at\":\"2026-03-17T09:00:00Z\",\"change\":\"upsert\",\"record\":\"Account\",\"id\":\"new{n}\",\"fields\":{{\"name\":\"New {n}\",\"tier\":\"MidMarket\",\"arr\":1000,\"stage\":\"Onboarding\",\"health\":80,\"owner\":\"jo@example.com\",\"weekly_active_users\":1,\"tags\":[]}}}}\n"
        ));
    }
    // A moment's actions are held until the clock leaves it: a later change moves it on.
    changes.push_str(r#"{"at":"2026-03-17T09:05:00Z","change":"upsert","record":"User","id":"lee@example.com","fields":{"title":"CS Manager"}}"#);
    let d = Daemon::with_changes(&changes).await;
    let mut lee = d.signed_in("lee-token").await;
    let queue = lee.get("/").await.body;
    assert!(queue.contains("4 × Schedule the kickoff call with New"), "{queue}");
    let link = "/group?playbook=onboarding&step=kickoff&at=1773738000&tab=open";
    assert!(queue.contains(&link.replace('&', "&amp;")), "{queue}");
    let group = lee.get(link).await;
    assert_eq!(group.status, StatusCode::OK);
    let ids: Vec<String> = group
        .body
        .match_indices("name=\"id\" value=\"")
        .map(|(i, m)| group.body[i + m.len()..i + m.len() + 16].to_string())
        .collect();
    assert_eq!(ids.len(), 4, "{}", group.body);
    let empty = lee.submit(link, "/bulk", &[("op", "dismiss"), ("id", &ids[0]), ("reason", ""), ("back", link)]).await;
    assert_eq!(empty.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(empty.body.contains("cannot be empty"));
    assert_eq!(d.action(&ids[0]).state, ActionState::Open);
    let approve = lee.submit(link, "/bulk", &[("op", "approve"), ("id", &ids[0]), ("back", link)]).await;
    assert!(approve.body.contains("Only drafted emails"), "{}", approve.body);
    let picked = [
        ("op", "dismiss"),
        ("id", &ids[0]),
        ("id", &ids[1]),
        ("id", &ids[2]),
        ("reason", "pilot only"),
        ("back", link),
    ];
    let done = lee.submit(link, "/bulk", &picked).await;
    assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.body);
    assert_eq!(done.location.as_deref(), Some("/?notice=dismiss:3"));
    let states: Vec<ActionState> = ids.iter().map(|id| d.action(id).state).collect();
    assert_eq!(states, [ActionState::Dismissed, ActionState::Dismissed, ActionState::Dismissed, ActionState::Open]);
    assert!(!lee.get("/").await.body.contains("4 × Schedule"), "one left is no group");
}

#[tokio::test]
async fn the_queue_is_filtered_searched_counted_and_paged() {
    let d = Daemon::start().await;
    let mut lee = d.signed_in("lee-token").await;
    let all = lee.get("/").await.body;
    assert!(all.contains("Risk (") && all.contains("Outreach ("), "{all}");
    let risk = lee.get("/?bucket=risk").await.body;
    assert!(risk.contains("Build a save plan") && !risk.contains("Schedule the kickoff call"), "{risk}");
    let found = lee.get("/?q=SAVE+plan").await.body;
    assert!(found.contains("Build a save plan") && !found.contains("Review renewal risk"), "{found}");
    let by_record = lee.get("/?record=Account%2Fglobex").await.body;
    assert!(by_record.contains("Globex") && !by_record.contains("Build a save plan"));
    let by_assignee = lee.get("/?assignee=ana%40example.com").await.body;
    assert!(by_assignee.contains("Build a save plan") && !by_assignee.contains("Review renewal risk"));
    let by_playbook = lee.get("/?playbook=renewal_risk").await.body;
    assert!(by_playbook.contains("Review renewal risk") && !by_playbook.contains("Build a save plan"));
    assert!(all.contains("Page 1 of 1"));
    let beyond = lee.get("/?page=99").await;
    assert_eq!(beyond.status, StatusCode::OK, "a page past the end shows the last");
}

#[tokio::test]
async fn playbooks_show_their_picture_and_history_and_status_the_program() {
    let d = Daemon::start().await;
    let mut lee = d.signed_in("lee-token").await;
    let page = lee.get("/playbooks/renewal_risk").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("<svg"), "the picture is inline");
    assert!(page.body.contains("Run history") && page.body.contains("Account/acme"));
    let svg = lee.get("/playbooks/renewal_risk/picture.svg").await;
    assert!(svg.body.starts_with("<svg") || svg.body.starts_with("<?xml"), "{}", &svg.body[..80.min(svg.body.len())]);
    let status = lee.get("/status").await.body;
    assert!(status.contains("Program running") && status.contains("is the one running"), "{status}");
}

#[tokio::test]
async fn the_action_page_says_why_the_action_exists() {
    let d = Daemon::start().await;
    let mut jo = d.signed_in("jo-token").await;
    let page = jo.get(&format!("/actions/{PUBLIC_TASK}")).await;
    insta::assert_snapshot!(stable(&page.body));
}

#[tokio::test]
async fn signing_out_ends_the_session() {
    let d = Daemon::start().await;
    let mut jo = d.signed_in("jo-token").await;
    let cookie = jo.cookies.clone();
    let out = jo.submit("/", "/sign-out", &[]).await;
    assert_eq!(out.status, StatusCode::SEE_OTHER);
    jo.cookies = cookie;
    assert_eq!(jo.get("/").await.status, StatusCode::SEE_OTHER, "the old cookie no longer signs in");
}
