//! The queue page: ranked by priority then age, in tabs by state and buckets by category,
//! filtered, searched, counted and paged; actions of one playbook step produced together
//! for many records show as one group that opens into its list (`/group`).

use std::collections::HashMap;

use axum::extract::{Query, State};
use axum::response::Response;
use maud::{html, Markup};
use play_store::{ActionQuery, ActionRow, ActionState};
use serde::Deserialize;
use serde_json::Value;

use super::{html_page, layout, when, Inbox, Problem, Signed};

/// Entries (actions or groups) on one page.
pub const PAGE: usize = 50;
/// Actions of one step produced at one moment that make a group.
pub const GROUP_MIN: usize = 3;
/// Actions read from the store by one query while loading the queue.
const LOAD_PAGE: usize = 50_000;
/// The tabs: the states a teammate looks at.
const TABS: [(&str, &str); 4] =
    [("open", "Open"), ("snoozed", "Snoozed"), ("done", "Done"), ("dismissed", "Dismissed")];
const BUCKETS: [&str; 3] = ["outreach", "risk", "growth"];

#[derive(Clone, Debug, Default, Deserialize)]
pub struct Filter {
    pub tab: Option<String>,
    pub bucket: Option<String>,
    pub assignee: Option<String>,
    pub playbook: Option<String>,
    pub record: Option<String>,
    pub q: Option<String>,
    pub page: Option<usize>,
    pub notice: Option<String>,
}

fn some(v: &Option<String>) -> Option<String> {
    v.as_deref().map(str::trim).filter(|s| !s.is_empty()).map(String::from)
}

impl Filter {
    fn state(&self) -> ActionState {
        self.tab.as_deref().and_then(ActionState::from_name).unwrap_or(ActionState::Open)
    }

    /// This filter as a query string, with `change` applied.
    fn link(&self, change: impl FnOnce(&mut Filter)) -> String {
        let mut f = self.clone();
        f.notice = None;
        change(&mut f);
        let mut out = form_urlencoded::Serializer::new(String::new());
        for (k, v) in [
            ("tab", some(&f.tab)),
            ("bucket", some(&f.bucket)),
            ("assignee", some(&f.assignee)),
            ("playbook", some(&f.playbook)),
            ("record", some(&f.record)),
            ("q", some(&f.q)),
            ("page", f.page.filter(|p| *p > 1).map(|p| p.to_string())),
        ] {
            if let Some(v) = v {
                out.append_pair(k, &v);
            }
        }
        format!("/?{}", out.finish())
    }
}

/// Every action `who` may see in `state` under the filters (the store pages them in rank
/// order), at most `cap`.
pub async fn load(
    inbox: &Inbox,
    who: &str,
    state: ActionState,
    f: &Filter,
    cap: usize,
) -> Result<Vec<ActionRow>, Problem> {
    let mut query = ActionQuery {
        assignee: some(&f.assignee),
        state: Some(state),
        category: None,
        playbook: some(&f.playbook),
        record: some(&f.record),
        visible_to: Some(who.to_string()),
        // Pages this large make one query for most queues: each page is a sort of the rest.
        limit: LOAD_PAGE,
        cursor: None,
    };
    Ok(inbox
        .app
        .read(move |s| {
            let mut rows = Vec::new();
            loop {
                let page = s.actions(&query)?;
                rows.extend(page.items);
                match page.next {
                    Some(next) if rows.len() < cap => query.cursor = Some(next),
                    _ => return Ok(rows),
                }
            }
        })
        .await?)
}

/// The action as JSON (its title, draft, context).
pub fn json(row: &ActionRow) -> Value {
    serde_json::from_str(&row.json).unwrap_or(Value::Null)
}

/// What a row is called on the page.
pub fn title(row: &ActionRow, json: &Value) -> String {
    json["title"]
        .as_str()
        .or(json["subject"].as_str())
        .map_or_else(|| format!("{} · {}", row.kind.replace('_', " "), row.step), String::from)
}

fn matches(row: &ActionRow, needle: &str) -> bool {
    let j = json(row);
    let fields = [title(row, &j), row.record.clone(), row.playbook.clone(), row.step.clone()];
    let extra = ["to", "note", "body"].map(|k| j[k].as_str().unwrap_or_default().to_lowercase());
    fields.iter().map(|f| f.to_lowercase()).chain(extra).any(|f| f.contains(needle))
}

/// A line of the queue: one action, or a group of them.
enum Entry<'r> {
    One(&'r ActionRow),
    Group(Vec<&'r ActionRow>),
}

/// Groups the actions of a step produced at one moment when there are enough of them; a
/// group stands where its first (highest ranked) action would.
fn entries(rows: &[ActionRow]) -> Vec<Entry<'_>> {
    let mut sizes: HashMap<(&str, &str, i64), usize> = HashMap::new();
    for r in rows {
        *sizes.entry((&r.playbook, &r.step, r.at)).or_default() += 1;
    }
    let mut placed: HashMap<(&str, &str, i64), usize> = HashMap::new();
    let mut out: Vec<Entry> = Vec::new();
    for r in rows {
        let key = (r.playbook.as_str(), r.step.as_str(), r.at);
        if sizes[&key] < GROUP_MIN {
            out.push(Entry::One(r));
        } else if let Some(&i) = placed.get(&key) {
            if let Entry::Group(g) = &mut out[i] {
                g.push(r);
            }
        } else {
            placed.insert(key, out.len());
            out.push(Entry::Group(vec![r]));
        }
    }
    out
}

pub async fn page(State(inbox): State<Inbox>, Signed(s): Signed, Query(f): Query<Filter>) -> Result<Response, Problem> {
    let state = f.state();
    let rows = load(&inbox, &s.email, state, &f, usize::MAX).await?;
    let needle = some(&f.q).map(|q| q.to_lowercase());
    let rows: Vec<ActionRow> = match &needle {
        Some(n) => rows.into_iter().filter(|r| matches(r, n)).collect(),
        None => rows,
    };
    let mut counts: HashMap<String, usize> = HashMap::new();
    for r in &rows {
        *counts.entry(r.category.clone().unwrap_or_default()).or_default() += 1;
    }
    let total = rows.len();
    let bucket = some(&f.bucket).filter(|b| BUCKETS.contains(&b.as_str()));
    let shown: Vec<ActionRow> = match &bucket {
        Some(b) => rows.into_iter().filter(|r| r.category.as_deref() == Some(b)).collect(),
        None => rows,
    };
    let all = entries(&shown);
    let pages = all.len().div_ceil(PAGE).max(1);
    let page = f.page.unwrap_or(1).clamp(1, pages);
    let visible = all.iter().skip((page - 1) * PAGE).take(PAGE);
    let playbooks = visible_playbooks(&inbox, &s.email).await;
    let tab = state.name();
    let body = html! {
        h1 { "Queue" }
        nav aria-label="States" {
            ul.tabs {
                @for (name, label) in TABS {
                    li { a href=(f.link(|g| { g.tab = Some(name.into()); g.page = None; })) aria-current=[(name == tab).then_some("page")] {
                        (label) @if name == tab { " (" (total) ")" }
                    } }
                }
            }
        }
        nav aria-label="Buckets" {
            ul.buckets {
                li { a href=(f.link(|g| { g.bucket = None; g.page = None; })) aria-current=[bucket.is_none().then_some("page")] { "All (" (total) ")" } }
                @for b in BUCKETS {
                    li { a href=(f.link(|g| { g.bucket = Some(b.into()); g.page = None; })) aria-current=[(bucket.as_deref() == Some(b)).then_some("page")] {
                        (capital(b)) " (" (counts.get(b).copied().unwrap_or(0)) ")"
                    } }
                }
            }
        }
        (filters(&f, tab, &playbooks))
        p.muted { "Keys: " kbd { "j" } "/" kbd { "k" } " move, " kbd { "Enter" } " opens, " kbd { "/" } " searches." }
        @if all.is_empty() {
            p { "Nothing here." }
        } @else {
            table #queue {
                caption.muted { (shown.len()) " actions, ranked by priority then age" }
                thead { tr { th scope="col" { "Action" } th scope="col" { "Record" } th scope="col" { "Playbook" } th scope="col" { "For" } th scope="col" { "Priority" } th scope="col" { "Since" } } }
                tbody {
                    @for e in visible { (entry(e, tab)) }
                }
            }
            nav.pager aria-label="Pages" {
                @if page > 1 { a href=(f.link(|g| g.page = Some(page - 1))) rel="prev" { "← Previous" } }
                span { "Page " (page) " of " (pages) }
                @if page < pages { a href=(f.link(|g| g.page = Some(page + 1))) rel="next" { "Next →" } }
            }
        }
    };
    let notice = f.notice.as_deref().map(notice_text);
    Ok(html_page(layout::page("Queue", Some(&s), "/", notice.as_deref(), body)))
}

fn capital(word: &str) -> String {
    let mut c = word.chars();
    c.next().map(|f| f.to_uppercase().chain(c).collect()).unwrap_or_default()
}

/// The words for what was just done (a fixed set: a link cannot make the page say anything).
pub fn notice_text(code: &str) -> String {
    let (what, n) = code.split_once(':').map_or((code, None), |(w, n)| (w, n.parse::<usize>().ok()));
    let word = match what {
        "complete" => "completed",
        "dismiss" => "dismissed",
        "snooze" => "snoozed",
        "approve" => "approved and sent",
        _ => return String::new(),
    };
    match n {
        Some(n) => format!("{n} actions {word}."),
        None => format!("The action was {word}."),
    }
}

fn filters(f: &Filter, tab: &str, playbooks: &[String]) -> Markup {
    html! {
        form.filters method="get" action="/" role="search" {
            input type="hidden" name="tab" value=(tab);
            @if let Some(b) = some(&f.bucket) { input type="hidden" name="bucket" value=(b); }
            div { label for="q" { "Search" } input #q type="search" name="q" value=[some(&f.q)] placeholder="title, record, note…"; }
            div { label for="assignee" { "Assignee" } input #assignee type="text" name="assignee" value=[some(&f.assignee)] placeholder="jo@example.com"; }
            div {
                label for="playbook" { "Playbook" }
                select #playbook name="playbook" {
                    option value="" { "Any" }
                    @for p in playbooks {
                        option value=(p) selected[some(&f.playbook).as_deref() == Some(p.as_str())] { (p) }
                    }
                }
            }
            div { label for="record" { "Record" } input #record type="text" name="record" value=[some(&f.record)] placeholder="Account/acme"; }
            div { button type="submit" { "Filter" } " " a href={ "/?tab=" (tab) } { "Clear" } }
        }
    }
}

fn entry(e: &Entry, tab: &str) -> Markup {
    match e {
        Entry::One(r) => {
            let j = json(r);
            html! {
                tr.row {
                    td { a href={ "/actions/" (r.id) } { (title(r, &j)) } " " span.pill { (r.kind.replace('_', " ")) } }
                    td { (r.record) }
                    td { (r.playbook) }
                    td { (r.assignee.as_deref().unwrap_or("—")) }
                    td { (r.priority) }
                    td { (when(r.at)) }
                }
            }
        }
        Entry::Group(g) => {
            let first = g[0];
            let link = group_link(&first.playbook, &first.step, first.at, tab);
            html! {
                tr.row.group {
                    td { a href=(link) { (g.len()) " × " (title(first, &json(first))) } " " span.pill { "group" } }
                    td { (g.len()) " records" }
                    td { (first.playbook) }
                    td { (first.assignee.as_deref().unwrap_or("—")) }
                    td { (first.priority) }
                    td { (when(first.at)) }
                }
            }
        }
    }
}

pub fn group_link(playbook: &str, step: &str, at: i64, tab: &str) -> String {
    let q = form_urlencoded::Serializer::new(String::new())
        .append_pair("playbook", playbook)
        .append_pair("step", step)
        .append_pair("at", &at.to_string())
        .append_pair("tab", tab)
        .finish();
    format!("/group?{q}")
}

/// The names of the playbooks `who` may see, for the filter.
async fn visible_playbooks(inbox: &Inbox, who: &str) -> Vec<String> {
    let status = inbox.app.status();
    match inbox.program().await {
        Ok(p) => p.playbooks.iter().map(|p| p.name.clone()).filter(|n| status.sees(n, who)).collect(),
        Err(_) => Vec::new(),
    }
}

#[derive(Deserialize)]
pub struct GroupQuery {
    playbook: String,
    step: String,
    at: i64,
    tab: Option<String>,
}

/// A group opened into its list, with the bulk form.
pub async fn group(
    State(inbox): State<Inbox>,
    Signed(s): Signed,
    Query(q): Query<GroupQuery>,
) -> Result<Response, Problem> {
    let f = Filter { playbook: Some(q.playbook.clone()), tab: q.tab.clone(), ..Filter::default() };
    let state = f.state();
    let rows: Vec<ActionRow> = load(&inbox, &s.email, state, &f, usize::MAX)
        .await?
        .into_iter()
        .filter(|r| r.step == q.step && r.at == q.at)
        .collect();
    if rows.is_empty() {
        return Err(Problem::not_found("such group of actions"));
    }
    let emails = rows.iter().all(|r| r.kind == "email_task");
    let back = group_link(&q.playbook, &q.step, q.at, state.name());
    let first = &rows[0];
    let body = html! {
        h1 { (rows.len()) " × " (title(first, &json(first))) }
        p.muted { "Step " code { (q.step) } " of " a href={ "/playbooks/" (q.playbook) } { (q.playbook) } ", produced " (when(q.at)) "." }
        form method="post" action="/bulk" {
            (layout::csrf(&s))
            input type="hidden" name="back" value=(back);
            table #queue {
                caption.muted { "Pick the actions to work together" }
                thead { tr { th scope="col" { "Pick" } th scope="col" { "Action" } th scope="col" { "Record" } th scope="col" { "For" } } }
                tbody {
                    @for r in &rows {
                        tr.row {
                            td { input type="checkbox" name="id" value=(r.id) id={ "pick-" (r.id) } checked[state == ActionState::Open] aria-label={ "Pick " (r.record) }; }
                            td { a href={ "/actions/" (r.id) } { (title(r, &json(r))) } }
                            td { label for={ "pick-" (r.id) } { (r.record) } }
                            td { (r.assignee.as_deref().unwrap_or("—")) }
                        }
                    }
                }
            }
            @if state == ActionState::Open {
                div.cards {
                    @if emails {
                        div.card { h2 { "Approve" } p { "Send each drafted email as it is." } button type="submit" name="op" value="approve" { "Approve picked" } }
                    }
                    div.card {
                        h2 { "Dismiss" }
                        label for="reason" { "Reason (the playbook's owner reads it)" }
                        input #reason type="text" name="reason" size="40";
                        p { button type="submit" name="op" value="dismiss" { "Dismiss picked" } }
                    }
                    div.card {
                        h2 { "Snooze" }
                        label for="until" { "Until" }
                        input #until type="date" name="until";
                        p { button type="submit" name="op" value="snooze" { "Snooze picked" } }
                    }
                }
            }
        }
    };
    Ok(html_page(layout::page("Group", Some(&s), "/", None, body)))
}
