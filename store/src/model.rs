//! The plain data that goes in and out of a [`crate::Store`].

use serde::{Deserialize, Serialize};

use crate::Position;

/// One command of the journal: everything that moves the engine.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "command", rename_all = "snake_case")]
pub enum Command {
    /// A change line, exactly as accepted (a queue operation is one too), and the moment
    /// it arrived (none: it is taken at its own `at`, or the clock's if later).
    Change { line: String, arrival: Option<i64> },
    /// The clock moved to `at` (seconds since 1970 UTC).
    Tick { at: i64 },
    /// The program with this hash was put in place at `at` (its bytes are in the programs).
    Deploy { hash: String, at: i64 },
    /// Touch budgets other partitions of the workspace used, up to their shared row `upto`:
    /// they count in this partition's budgets too.
    Uses { uses: Vec<BudgetUse>, upto: i64 },
}

/// A touch budget used: the limit's name, the teammate it counts, when.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct BudgetUse {
    pub limit: String,
    pub who: String,
    pub at: i64,
}

/// A use of a budget shared across partitions, as a batch takes it: refused (the whole
/// batch with it) when the limit's window since `since` already holds `count` uses.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SharedUse {
    pub used: BudgetUse,
    pub since: i64,
    pub count: u64,
}

impl Command {
    /// A command as the journal keeps it: its kind, its text and its moment.
    pub fn encode(&self) -> (&'static str, Option<String>, Option<i64>) {
        match self {
            Command::Change { line, arrival } => ("change", Some(line.clone()), *arrival),
            Command::Tick { at } => ("tick", None, Some(*at)),
            Command::Deploy { hash, at } => ("deploy", Some(hash.clone()), Some(*at)),
            Command::Uses { uses, upto } => ("uses", serde_json::to_string(uses).ok(), Some(*upto)),
        }
    }

    /// A command from the journal's kind, text and moment; none when they are not one.
    pub fn decode(kind: &str, text: Option<String>, at: Option<i64>) -> Option<Command> {
        Some(match (kind, text, at) {
            ("change", Some(line), arrival) => Command::Change { line, arrival },
            ("tick", _, Some(at)) => Command::Tick { at },
            ("deploy", Some(hash), Some(at)) => Command::Deploy { hash, at },
            ("uses", Some(uses), Some(upto)) => Command::Uses { uses: serde_json::from_str(&uses).ok()?, upto },
            _ => return None,
        })
    }
}

/// What one group commit writes.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Batch {
    pub commands: Vec<Command>,
    /// The `change_id`s the batch's changes took.
    pub change_ids: Vec<String>,
    /// Actions produced.
    pub actions: Vec<ActionRow>,
    /// Actions people worked.
    pub updates: Vec<ActionUpdate>,
    /// Actions for delivery to send.
    pub outbox: Vec<OutboxRow>,
    pub history: Vec<HistoryRow>,
    /// Runs started, moved or ended.
    pub runs: Vec<RunRow>,
    /// The numbers records' fields took, from the changes taken: what a trend is drawn from.
    pub values: Vec<FieldValue>,
    /// Touch budgets shared across partitions that the batch used (a partition's store of a
    /// workspace of several checks and keeps them; others ignore them).
    pub budget_uses: Vec<SharedUse>,
}

/// A number a record's field took, when.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct FieldValue {
    /// `Type/id`.
    pub record: String,
    pub field: String,
    pub at: i64,
    pub value: f64,
}

impl Batch {
    pub fn is_empty(&self) -> bool {
        *self == Batch::default()
    }
}

/// Where an action is in the queue.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ActionState {
    Open,
    Snoozed,
    Done,
    Dismissed,
    Archived,
}

impl ActionState {
    pub const ALL: [ActionState; 5] =
        [ActionState::Open, ActionState::Snoozed, ActionState::Done, ActionState::Dismissed, ActionState::Archived];

    pub fn name(self) -> &'static str {
        match self {
            ActionState::Open => "open",
            ActionState::Snoozed => "snoozed",
            ActionState::Done => "done",
            ActionState::Dismissed => "dismissed",
            ActionState::Archived => "archived",
        }
    }

    pub fn from_name(name: &str) -> Option<ActionState> {
        ActionState::ALL.into_iter().find(|s| s.name() == name)
    }
}

/// An action of the queue.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ActionRow {
    pub id: String,
    /// When it was produced (seconds since 1970 UTC).
    pub at: i64,
    /// The order the engine produced it in: ties of priority and age go by it.
    pub seq: u64,
    pub playbook: String,
    /// The step or activity that produced it.
    pub step: String,
    /// `Account/acme`.
    pub record: String,
    /// `task`, `email`, …
    pub kind: String,
    pub category: Option<String>,
    /// The teammate it is for.
    pub assignee: Option<String>,
    pub priority: f64,
    pub state: ActionState,
    /// Whether its playbook is public; a private one's actions are seen by `owner` alone.
    pub public: bool,
    pub owner: Option<String>,
    pub snoozed_until: Option<i64>,
    /// The action as in "Actions out" (one JSON object).
    pub json: String,
}

/// A person worked an action.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ActionUpdate {
    pub id: String,
    pub state: ActionState,
    pub snoozed_until: Option<i64>,
    pub by: Option<String>,
    pub at: i64,
}

/// An action for delivery to send, keyed by the action id (the idempotency key).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct OutboxRow {
    pub action_id: String,
    pub kind: String,
    /// The sink it goes to (`smtp`, `slack`, `webhook`, `crm`), chosen when it is
    /// projected; `none` for a kind delivery sends nowhere.
    pub sink: String,
    pub at: i64,
    pub json: String,
}

/// One entry of the run history.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct HistoryRow {
    pub at: i64,
    pub playbook: String,
    pub record: String,
    pub run: Option<u64>,
    /// The entry as JSON (its outcome and details).
    pub json: String,
}

/// A run of a playbook for a record.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RunRow {
    pub run: u64,
    pub playbook: String,
    pub record: String,
    pub started: i64,
    pub updated: i64,
    /// The last step it reached.
    pub step: Option<String>,
    /// `active` or how it ended (`completed`, `exited`, `cancelled`, `failed`).
    pub state: String,
}

/// Which actions, and which page of them.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ActionQuery {
    pub assignee: Option<String>,
    pub state: Option<ActionState>,
    pub category: Option<String>,
    pub playbook: Option<String>,
    pub record: Option<String>,
    /// Only actions this teammate may see: public playbooks' and private ones they own.
    pub visible_to: Option<String>,
    pub limit: usize,
    /// Where the previous page ended ([`Page::next`]).
    pub cursor: Option<Cursor>,
}

/// A place in the queue's order: the last action of a page.
#[derive(Clone, Debug, PartialEq)]
pub struct Cursor {
    pub priority: f64,
    pub at: i64,
    pub seq: u64,
}

impl Cursor {
    pub fn of(row: &ActionRow) -> Cursor {
        Cursor { priority: row.priority, at: row.at, seq: row.seq }
    }

    /// An opaque text for a URL.
    pub fn encode(&self) -> String {
        format!("{}_{}_{}", self.priority.to_bits(), self.at, self.seq)
    }

    pub fn decode(text: &str) -> Option<Cursor> {
        let mut parts = text.split('_');
        let priority = f64::from_bits(parts.next()?.parse().ok()?);
        let at = parts.next()?.parse().ok()?;
        let seq = parts.next()?.parse().ok()?;
        (parts.next().is_none() && priority.is_finite()).then_some(Cursor { priority, at, seq })
    }
}

/// A page of the queue.
#[derive(Clone, Debug, PartialEq)]
pub struct Page {
    pub items: Vec<ActionRow>,
    /// Where the next page starts, when there may be one.
    pub next: Option<Cursor>,
}

/// Which history.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct HistoryQuery {
    pub record: Option<String>,
    pub playbook: Option<String>,
    pub since: Option<i64>,
    /// Playbooks whose entries are left out (private ones the asker may not see).
    pub hidden: Vec<String>,
    pub limit: usize,
}

/// What `/v1/status` and `/metrics` count.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Counters {
    pub journal_position: Position,
    pub actions: u64,
    pub actions_open: u64,
    pub outbox_backlog: u64,
    pub history_entries: u64,
    pub runs_active: u64,
    pub snapshot_position: Option<Position>,
}
