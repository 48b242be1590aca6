//! What `/v1/status` says about the engine and the program, kept up to date by the engine
//! thread and the reloader.

use std::collections::BTreeMap;

use play_store::Position;
use serde::Serialize;

#[derive(Clone, Debug, Default, Serialize)]
pub struct Status {
    /// The hash of the program running.
    pub program_hash: String,
    /// When it was deployed (seconds since 1970 UTC).
    pub deployed_at: Option<i64>,
    /// The last edit of the project that did not check, with its diagnostics; cleared by
    /// the next good deploy.
    pub refused_reload: Option<RefusedReload>,
    pub journal_position: Position,
    /// On a workspace of several partitions, the journal position of each partition this
    /// worker holds (`journal_position` is their sum).
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub partitions: BTreeMap<i32, Position>,
    /// The engine's clock, once it has one.
    pub clock: Option<i64>,
    /// When the next timer is due.
    pub next_timer: Option<i64>,
    /// The playbooks of the program running that are private, each with its owner (the
    /// one teammate who sees what it does).
    pub private_playbooks: BTreeMap<String, Option<String>>,
    /// The workspace owner (`play run --owner`, else `owner` in `play.toml`): who may
    /// change the company's email-sync settings.
    pub workspace_owner: Option<String>,
}

impl Status {
    /// Whether `who` may see what `playbook` did: it is public, or theirs.
    pub fn sees(&self, playbook: &str, who: &str) -> bool {
        self.private_playbooks.get(playbook).is_none_or(|owner| owner.as_deref() == Some(who))
    }

    /// The private playbooks `who` may not see.
    pub fn hidden_from(&self, who: &str) -> Vec<String> {
        self.private_playbooks.keys().filter(|p| !self.sees(p, who)).cloned().collect()
    }
}

#[derive(Clone, Debug, Serialize)]
pub struct RefusedReload {
    pub at: i64,
    pub diagnostics: String,
}
