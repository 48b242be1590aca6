//! The page shell every inbox page shares (head, navigation, notice, main landmark) and the
//! small CSS and JavaScript embedded in the binary.

use maud::{html, Markup, PreEscaped, DOCTYPE};

use super::session::Session;

pub const CSS: &str = include_str!("assets/inbox.css");
pub const JS: &str = include_str!("assets/inbox.js");

/// The sections of the navigation.
const NAV: [(&str, &str); 5] = [
    ("/", "Queue"),
    ("/playbooks", "Playbooks"),
    ("/sync-log", "Sync log"),
    ("/blacklists", "Blacklists"),
    ("/status", "Status"),
];

/// A whole page: `current` is the navigation entry it belongs to.
pub fn page(title: &str, who: Option<&Session>, current: &str, notice: Option<&str>, body: Markup) -> Markup {
    html! {
        (DOCTYPE)
        html lang="en" {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                title { (title) " · Play inbox" }
                link rel="stylesheet" href="/assets/inbox.css";
                script src="/assets/inbox.js" defer {}
            }
            body {
                a.skip href="#main" { "Skip to content" }
                header.top {
                    span.brand { "Play inbox" }
                    @if let Some(s) = who {
                        nav aria-label="Sections" {
                            ul {
                                @for (href, label) in NAV {
                                    li {
                                        @if href == current {
                                            a href=(href) aria-current="page" { (label) }
                                        } @else {
                                            a href=(href) { (label) }
                                        }
                                    }
                                }
                            }
                        }
                        form.signout method="post" action="/sign-out" {
                            (csrf(s))
                            span { (s.email) }
                            " "
                            button type="submit" { "Sign out" }
                        }
                    }
                }
                main #main {
                    @if let Some(n) = notice {
                        p.notice role="status" { (n) }
                    }
                    (body)
                }
            }
        }
    }
}

/// The hidden field every form of a session carries.
pub fn csrf(s: &Session) -> Markup {
    html! { input type="hidden" name="csrf" value=(s.csrf); }
}

/// A message about what went wrong with a form, announced to screen readers.
pub fn problem(message: Option<&str>) -> Markup {
    html! {
        @if let Some(m) = message {
            p.problem role="alert" { (m) }
        }
    }
}

/// Trusted markup made by this program (the playbook pictures' SVG).
pub fn raw(text: &str) -> PreEscaped<&str> {
    PreEscaped(text)
}
