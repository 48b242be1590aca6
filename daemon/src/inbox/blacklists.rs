//! The blacklists page (`/blacklists`): the company's email-sync settings and blacklist
//! (changed by the workspace owner only; everyone else reads them) and the teammate's own
//! (inbound and outbound switches, blacklist). The same settings as
//! `GET/PUT /v1/blacklists/{company,me}`; a form replaces the whole settings, its lists one
//! entry a line, and an entry that is not what its list holds is refused in the form,
//! naming the list and the line, with nothing saved.

use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use maud::{html, Markup};
use play_delivery::blacklist::{BadEntry, Blacklist, CompanySync, TeammateSync};

use super::form::Fields;
use super::session::Session;
use super::{check_csrf, html_page, layout, Inbox, Problem, Signed};
use crate::http::blacklists::{not_owner, save, saved, scope_of, COMPANY};

/// The three lists of a blacklist: the form's name, its label, a sample entry.
const LISTS: [(&str, &str, &str); 3] = [
    ("domains", "Domains (an address at the domain or a subdomain of it)", "lawyers.example"),
    ("addresses", "Addresses", "vic@acme.example"),
    ("keywords", "Keywords (in the subject or body, any case)", "salary"),
];

#[derive(serde::Deserialize)]
pub struct PageQuery {
    notice: Option<String>,
}

/// What one of the two forms shows when it comes back refused: the message and the
/// settings as typed.
enum Again {
    Company(String, CompanySync),
    Mine(String, TeammateSync),
}

/// `GET /blacklists`.
pub async fn page(
    State(inbox): State<Inbox>,
    Signed(s): Signed,
    Query(q): Query<PageQuery>,
) -> Result<Response, Problem> {
    let notice = match q.notice.as_deref() {
        Some("company") => Some("The company's email sync settings were saved."),
        Some("me") => Some("Your email sync settings were saved."),
        _ => None,
    };
    render(&inbox, &s, None, notice, StatusCode::OK).await
}

async fn render(
    inbox: &Inbox,
    s: &Session,
    again: Option<Again>,
    notice: Option<&str>,
    status: StatusCode,
) -> Result<Response, Problem> {
    let (mut company, mut company_problem) = (saved::<CompanySync>(&inbox.app, COMPANY.into()).await?, None);
    let (mut mine, mut mine_problem) = (saved::<TeammateSync>(&inbox.app, scope_of(&s.email)).await?, None);
    match again {
        Some(Again::Company(m, typed)) => (company, company_problem) = (typed, Some(m)),
        Some(Again::Mine(m, typed)) => (mine, mine_problem) = (typed, Some(m)),
        None => {}
    }
    let refusal = not_owner(&inbox.app, &s.email);
    let body = html! {
        h1 { "Email sync and blacklists" }
        p.muted {
            "Which emails are logged to the CRM: those Play sends and those from teammates' mailboxes. An email "
            "that the company's blacklist or the teammate's own keeps out is not logged (the sync log says why)."
        }
        section aria-labelledby="company" {
            h2 #company { "The company" }
            @match &refusal {
                None => (company_form(s, &company, company_problem.as_deref())),
                Some(why) => {
                    p.muted { "Read only: " (why) "." }
                    (company_view(&company))
                }
            }
        }
        section aria-labelledby="mine" {
            h2 #mine { "My own (" (s.email) ")" }
            (mine_form(s, &mine, mine_problem.as_deref()))
        }
    };
    Ok((status, html_page(layout::page("Blacklists", Some(s), "/blacklists", notice, body))).into_response())
}

fn company_view(c: &CompanySync) -> Markup {
    let yes = |b: bool| if b { "on" } else { "off" };
    html! {
        dl.facts {
            dt { "Email sync for everyone" } dd { (yes(c.enabled)) }
            dt { "Attachments logged" } dd { (yes(c.attachments)) }
            @for (name, label, _) in LISTS {
                dt { (label) }
                dd {
                    @let entries = list(&c.blacklist, name);
                    @if entries.is_empty() { "—" } @else { ul { @for e in entries { li { code { (e) } } } } }
                }
            }
        }
    }
}

fn company_form(s: &Session, c: &CompanySync, problem: Option<&str>) -> Markup {
    html! {
        form.card method="post" action="/blacklists/company" {
            (layout::csrf(s))
            (layout::problem(problem))
            (switch("company-enabled", "enabled", "Email sync on for everyone", c.enabled))
            (switch("company-attachments", "attachments", "Log attachments with the email (company-wide)", c.attachments))
            (lists("company", &c.blacklist))
            p { button type="submit" { "Save the company's settings" } }
        }
    }
}

fn mine_form(s: &Session, m: &TeammateSync, problem: Option<&str>) -> Markup {
    html! {
        form.card method="post" action="/blacklists/me" {
            (layout::csrf(s))
            (layout::problem(problem))
            (switch("mine-inbound", "inbound", "Log emails I receive", m.inbound))
            (switch("mine-outbound", "outbound", "Log emails I send", m.outbound))
            (lists("mine", &m.blacklist))
            p { button type="submit" { "Save my settings" } }
        }
    }
}

fn switch(id: &str, name: &str, label: &str, on: bool) -> Markup {
    html! {
        p.switch { input type="checkbox" id=(id) name=(name) value="on" checked[on]; " " label.inline for=(id) { (label) } }
    }
}

/// The blacklist's three lists as text areas, one entry a line.
fn lists(prefix: &str, b: &Blacklist) -> Markup {
    html! {
        div.cards {
            @for (name, label, sample) in LISTS {
                @let id = format!("{prefix}-{name}");
                p {
                    label for=(id) { (label) }
                    textarea id=(id) name=(name) rows="5" placeholder=(sample) { (list(b, name).join("\n")) }
                }
            }
        }
    }
}

fn list<'b>(b: &'b Blacklist, name: &str) -> &'b [String] {
    match name {
        "domains" => &b.domains,
        "addresses" => &b.addresses,
        _ => &b.keywords,
    }
}

/// The form's lists as a blacklist: one entry a line, blank lines left out; too long a
/// text is refused.
fn blacklist(fields: &Fields) -> Result<Blacklist, String> {
    let mut b = Blacklist::default();
    for (name, _, _) in LISTS {
        let text = fields.text(name, &format!("list of {name}"))?;
        let entries: Vec<String> = text.lines().map(str::trim).filter(|l| !l.is_empty()).map(String::from).collect();
        match name {
            "domains" => b.domains = entries,
            "addresses" => b.addresses = entries,
            _ => b.keywords = entries,
        }
    }
    Ok(b)
}

/// A refused entry in the form's words: `Domains, line 2: …` (lines count the entries).
fn refused(e: BadEntry) -> String {
    let (list, line) = e
        .field
        .strip_prefix("blacklist.")
        .and_then(|f| f.split_once('['))
        .map(|(l, i)| (l.to_string(), i.trim_end_matches(']').parse::<usize>().map_or(0, |i| i + 1)))
        .unwrap_or_default();
    let mut name = list.clone();
    if let Some(first) = name.get_mut(..1) {
        first.make_ascii_uppercase();
    }
    format!("Nothing was saved. {name}, entry {line}: {}.", e.message)
}

/// `POST /blacklists/company`: the workspace owner only.
pub async fn save_company(
    State(inbox): State<Inbox>,
    Signed(s): Signed,
    body: axum::body::Bytes,
) -> Result<Response, Problem> {
    let fields = Fields::parse(&body);
    check_csrf(&s, &fields)?;
    if let Some(why) = not_owner(&inbox.app, &s.email) {
        let mut why = why;
        if let Some(first) = why.get_mut(..1) {
            first.make_ascii_uppercase();
        }
        return Err(Problem::new(StatusCode::FORBIDDEN, format!("{why}. Nothing was saved.")));
    }
    let mut typed = CompanySync {
        enabled: fields.get("enabled").is_some(),
        attachments: fields.get("attachments").is_some(),
        blacklist: Blacklist::default(),
    };
    match take_blacklist(&fields, &mut typed.blacklist) {
        Ok(()) => {
            save(&inbox.app, COMPANY.into(), &typed).await?;
            Ok(Redirect::to("/blacklists?notice=company").into_response())
        }
        Err(m) => render(&inbox, &s, Some(Again::Company(m, typed)), None, StatusCode::UNPROCESSABLE_ENTITY).await,
    }
}

/// The form's blacklist, cleaned, into `slot`; when it is refused, `slot` keeps what was
/// typed (for the form shown again) and the answer says why.
fn take_blacklist(fields: &Fields, slot: &mut Blacklist) -> Result<(), String> {
    let typed = blacklist(fields).map_err(|m| format!("Nothing was saved. {m}"))?;
    *slot = typed.clone();
    *slot = typed.cleaned().map_err(refused)?;
    Ok(())
}

/// `POST /blacklists/me`: the teammate's own settings.
pub async fn save_mine(
    State(inbox): State<Inbox>,
    Signed(s): Signed,
    body: axum::body::Bytes,
) -> Result<Response, Problem> {
    let fields = Fields::parse(&body);
    check_csrf(&s, &fields)?;
    let mut typed = TeammateSync {
        inbound: fields.get("inbound").is_some(),
        outbound: fields.get("outbound").is_some(),
        blacklist: Blacklist::default(),
    };
    match take_blacklist(&fields, &mut typed.blacklist) {
        Ok(()) => {
            save(&inbox.app, scope_of(&s.email), &typed).await?;
            Ok(Redirect::to("/blacklists?notice=me").into_response())
        }
        Err(m) => render(&inbox, &s, Some(Again::Mine(m, typed)), None, StatusCode::UNPROCESSABLE_ENTITY).await,
    }
}
