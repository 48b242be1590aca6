//! The status page: the program running, the engine's clock and counters, and the
//! diagnostics of a refused reload.

use axum::extract::State;
use axum::response::Response;
use maud::html;

use super::{html_page, layout, when, Inbox, Problem, Signed};

pub async fn page(State(inbox): State<Inbox>, Signed(s): Signed) -> Result<Response, Problem> {
    let counters = inbox.app.read(|st| st.counters()).await?;
    let status = inbox.app.status();
    let moment = |t: Option<i64>| t.map_or_else(|| "—".to_string(), when);
    let body = html! {
        h1 { "Status" }
        dl.facts {
            dt { "Program running" } dd { code { (status.program_hash) } }
            dt { "Deployed" } dd { (moment(status.deployed_at)) }
            dt { "Clock" } dd { (moment(status.clock)) }
            dt { "Next timer" } dd { (moment(status.next_timer)) }
            dt { "Open actions (everyone's)" } dd { (counters.actions_open) }
            dt { "Runs in flight" } dd { (counters.runs_active) }
            dt { "Waiting to be sent" } dd { (counters.outbox_backlog) }
            dt { "Journal position" } dd { (counters.journal_position) }
        }
        h2 { "Last reload" }
        @match &status.refused_reload {
            None => p { "The project on disk is the one running (or its last edit deployed)." },
            Some(r) => {
                p.problem role="alert" { "The edit saved at " (when(r.at)) " did not check, so the program above keeps running. Fix these and save again:" }
                pre { (r.diagnostics) }
            }
        }
    };
    Ok(html_page(layout::page("Status", Some(&s), "/status", None, body)))
}
