//! Publishing a private playbook from its page: a confirmation first, refused with the
//! compiler's list while it uses private segments or signals, else written into the source.

use axum::http::StatusCode;

use super::harness::Daemon;

fn source(d: &Daemon, file: &str) -> String {
    std::fs::read_to_string(d.project.join(file)).unwrap()
}

#[tokio::test]
async fn a_private_playbook_is_published_into_its_source_after_a_confirmation() {
    let d = Daemon::start().await;
    let mut lee = d.signed_in("lee-token").await;
    let page = "/playbooks/champion_removed";
    let body = lee.get(page).await.body;
    assert!(body.contains("Publishing is permanent.") && body.contains("whole history"), "{body}");
    let before = source(&d, "relationships.play");

    let unconfirmed = lee.submit(page, &format!("{page}/publish"), &[]).await;
    assert_eq!(unconfirmed.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(unconfirmed.body.contains("Tick the box"), "{}", unconfirmed.body);
    assert_eq!(source(&d, "relationships.play"), before, "nothing written");

    let published = lee.submit(page, &format!("{page}/publish"), &[("confirm", "yes")]).await;
    assert_eq!(published.status, StatusCode::SEE_OTHER, "{}", published.body);
    let after = source(&d, "relationships.play");
    let block = &after[after.find("playbook champion_removed").unwrap()..];
    let block = &block[..block.find("\n}").unwrap()];
    assert!(block.contains("\n  visibility public\n"), "{block}");
    assert_eq!(after.replace("  visibility public\n", ""), before.replace("  visibility private\n", ""));
}

#[tokio::test]
async fn publishing_is_refused_with_the_list_while_the_playbook_uses_private_segments() {
    let d = Daemon::start().await;
    let mut lee = d.signed_in("lee-token").await;
    let page = "/playbooks/at_risk_escalation";
    let before = source(&d, "health.play");
    let refused = lee.submit(page, &format!("{page}/publish"), &[("confirm", "yes")]).await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(refused.body.contains("It was not published. Nothing was changed:"), "{}", refused.body);
    assert!(refused.body.contains("at_risk"), "the private segment is named: {}", refused.body);
    assert_eq!(source(&d, "health.play"), before, "nothing written");
}

#[tokio::test]
async fn only_who_sees_a_private_playbook_may_publish_it() {
    let d = Daemon::start().await;
    let mut jo = d.signed_in("jo-token").await;
    let before = source(&d, "relationships.play");
    let answer = jo.submit("/", "/playbooks/champion_removed/publish", &[("confirm", "yes")]).await;
    assert_eq!(answer.status, StatusCode::NOT_FOUND);
    assert_eq!(source(&d, "relationships.play"), before);
    let public = jo.get("/playbooks/renewal_risk").await.body;
    assert!(!public.contains("Publishing is permanent."), "a public playbook has nothing to publish");
}
