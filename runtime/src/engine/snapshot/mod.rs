//! Engine snapshots: the whole state of an engine over a memory store as bytes, and an
//! engine again from them. A daemon recovers from its latest snapshot plus the journal
//! after it, so a restored engine must act exactly as the one snapshotted: the same
//! actions with the same ids, the same history, the same next snapshot.
//!
//! The bytes are `PLAYSNAP`, the format version (`u32`, little-endian), a checksum of the
//! rest and of the version (`u64`; format 2's of the rest only), then the state in
//! postcard. Programs are named by hash (the daemon keeps
//! them by hash). Every map is written in key order, so that equal states give equal bytes.
//! A snapshot is taken between batches: what the engine produced has been taken
//! ([`Engine::take_output`]) first.

mod action;
mod store;

use std::collections::{BTreeSet, HashMap};
use std::sync::Arc;

use play_compiler::program::Program;
use serde::{Deserialize, Serialize};

use super::budget::Waiting;
use super::{budget, queue, Engine, Loaded};
use crate::config::Workspace;
use crate::rows::CellOrder;
use crate::store::{MemoryStore, Timer};
use crate::vm::Vm;
use action::{ActionSnap, PendingSnap, ProducedSnap};
use store::StoreSnap;

/// The version of the snapshot format written; a snapshot of another is refused, but for
/// [`ROW_MAJOR_FORMAT`].
pub const SNAPSHOT_FORMAT: u32 = 3;

/// The previous format, still read: the same but for the tables' cells, which it lays
/// out row after row (format 3 column after column).
const ROW_MAJOR_FORMAT: u32 = 2;

const MAGIC: &[u8; 8] = b"PLAYSNAP";
const HEADER: usize = 8 + 4 + 8;

/// Why a snapshot could not be restored.
#[derive(Debug, thiserror::Error, PartialEq)]
pub enum SnapshotError {
    #[error("this is not an engine snapshot")]
    NotASnapshot,
    #[error("the snapshot is in format {found}; this engine reads format {expected}")]
    Format { found: u32, expected: u32 },
    #[error("the snapshot is damaged: its checksum does not match its contents")]
    Damaged,
    #[error("the snapshot cannot be read: {0}")]
    Unreadable(String),
    #[error("the snapshot names the program `{0}`, which is not available")]
    MissingProgram(String),
    #[error("the snapshot does not fit its programs: {0}")]
    Inconsistent(String),
}

#[derive(Serialize, Deserialize)]
struct EngineSnap<'a> {
    now: i64,
    position: u64,
    program: String,
    /// Every program runs follow, the current one included, by hash.
    programs: Vec<String>,
    /// `keep_history`, `keep_closable`, `keep_ended_runs`, `hand_over`.
    flags: [bool; 4],
    #[serde(borrow)]
    store: StoreSnap<'a>,
    produced: Vec<(u64, ProducedSnap)>,
    snoozed: Vec<(i64, u64)>,
    ids: Vec<(String, u64)>,
    drafts: Vec<(u64, ActionSnap)>,
    change_ids: Vec<(i64, Arc<str>)>,
    waiting: Vec<((u64, Arc<str>), Vec<PendingSnap>)>,
    freed: Vec<(u64, Arc<str>)>,
    /// The open instant's actions, waiting for it to end (touch budgets arbitrate them
    /// then), in the order they were produced, and their dedupe keys.
    pending: Vec<PendingSnap>,
    pending_keys: Vec<String>,
}

/// A 64-bit FNV-1a over the bytes, eight at a time: damage to any byte changes it.
fn checksum(bytes: &[u8]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    let mut chunks = bytes.chunks_exact(8);
    for c in &mut chunks {
        let word = u64::from_le_bytes([c[0], c[1], c[2], c[3], c[4], c[5], c[6], c[7]]);
        h = (h ^ word).wrapping_mul(0x0100_0000_01b3);
        h ^= h >> 29;
    }
    for b in chunks.remainder() {
        h = (h ^ u64::from(*b)).wrapping_mul(0x0100_0000_01b3);
    }
    h ^ bytes.len() as u64
}

/// The checksum a snapshot of format `format` carries: from format 3 on the version is
/// mixed in, so that damage that turns a 3 into the 2 still read is found.
fn seal(format: u32, body: &[u8]) -> u64 {
    let sum = checksum(body);
    if format == ROW_MAJOR_FORMAT {
        sum
    } else {
        sum ^ u64::from(format).wrapping_mul(0x9e37_79b9_7f4a_7c15)
    }
}

impl Engine<MemoryStore> {
    /// The engine's state as bytes. Taken between batches: the output must have been
    /// taken first (a programming error otherwise, not a user's). The instant may still be
    /// open: its actions waiting for it to end are part of the state.
    pub fn snapshot(&self) -> Vec<u8> {
        assert!(
            self.actions.is_empty() && self.updates.is_empty() && self.history.is_empty(),
            "a snapshot is taken between batches, once the output has been taken"
        );
        assert_eq!(self.depth, 0, "a snapshot is taken between commands");
        let mut produced: Vec<(u64, ProducedSnap)> =
            self.produced.iter().map(|(seq, p)| (*seq, ProducedSnap::of(p))).collect();
        produced.sort_by_key(|p| p.0);
        let mut ids: Vec<(String, u64)> = self.queue.ids.iter().map(|(k, v)| (k.clone(), *v)).collect();
        ids.sort();
        let mut drafts: Vec<(u64, ActionSnap)> =
            self.queue.drafts.iter().map(|(seq, a)| (*seq, ActionSnap::of(a))).collect();
        drafts.sort_by_key(|d| d.0);
        let mut waiting: Vec<((u64, Arc<str>), Vec<PendingSnap>)> = self
            .queues
            .waiting
            .iter()
            .map(|((l, who), heap)| {
                let mut list: Vec<&Waiting> = heap.iter().collect();
                // The order the queue lets them out in, which is total (by number last).
                list.sort_by(|a, b| b.cmp(a));
                ((*l as u64, who.clone()), list.into_iter().map(|w| PendingSnap::of(&w.0)).collect())
            })
            .collect();
        waiting.sort_by(|a, b| a.0.cmp(&b.0));
        let snap = EngineSnap {
            now: self.now,
            position: self.position,
            program: self.loaded.program.hash.clone(),
            programs: self.followed_programs().into_iter().collect(),
            flags: [self.keep_history, self.keep_closable, self.keep_ended_runs, self.hand_over],
            store: StoreSnap::of(&self.store, self.now),
            produced,
            snoozed: self.snoozed.iter().copied().collect(),
            ids,
            drafts,
            change_ids: self.queue.change_order.iter().cloned().collect(),
            waiting,
            freed: self.queues.freed.iter().map(|(l, w)| (*l as u64, w.clone())).collect(),
            pending: self.pending.iter().map(PendingSnap::of).collect(),
            pending_keys: {
                let mut keys: Vec<String> = self.pending_keys.iter().cloned().collect();
                keys.sort();
                keys
            },
        };
        let body = postcard::to_stdvec(&snap).unwrap_or_default();
        let mut out = Vec::with_capacity(HEADER + body.len());
        out.extend_from_slice(MAGIC);
        out.extend_from_slice(&SNAPSHOT_FORMAT.to_le_bytes());
        out.extend_from_slice(&seal(SNAPSHOT_FORMAT, &body).to_le_bytes());
        out.extend_from_slice(&body);
        out
    }

    /// An engine from a snapshot, its programs found by hash. A damaged snapshot, one of
    /// another format, or one that does not fit its programs is an error.
    pub fn restore(
        bytes: &[u8],
        workspace: Workspace,
        program_by_hash: &dyn Fn(&str) -> Option<Program>,
    ) -> Result<Engine<MemoryStore>, SnapshotError> {
        if bytes.len() < HEADER || &bytes[..8] != MAGIC {
            return Err(SnapshotError::NotASnapshot);
        }
        let word = |at: usize, n: usize| bytes[at..at + n].iter().rev().fold(0u64, |acc, b| (acc << 8) | u64::from(*b));
        let format = word(8, 4) as u32;
        let cells = match format {
            SNAPSHOT_FORMAT => CellOrder::Columns,
            ROW_MAJOR_FORMAT => CellOrder::Rows,
            found => return Err(SnapshotError::Format { found, expected: SNAPSHOT_FORMAT }),
        };
        let body = &bytes[HEADER..];
        if word(12, 8) != seal(format, body) {
            return Err(SnapshotError::Damaged);
        }
        let snap: EngineSnap = postcard::from_bytes(body).map_err(|e| SnapshotError::Unreadable(e.to_string()))?;
        let mut programs = HashMap::new();
        for hash in snap.programs.iter().chain(std::iter::once(&snap.program)) {
            if programs.contains_key(hash) {
                continue;
            }
            let program = program_by_hash(hash).ok_or_else(|| SnapshotError::MissingProgram(hash.clone()))?;
            if program.hash != *hash {
                return Err(SnapshotError::MissingProgram(hash.clone()));
            }
            programs.insert(hash.clone(), Loaded::new(program, &workspace));
        }
        let loaded = programs[&snap.program].clone();
        fits(&snap, &programs, &loaded)?;
        let mut produced = HashMap::new();
        for (seq, p) in snap.produced {
            produced.insert(seq, p.into_produced());
        }
        let mut drafts = HashMap::new();
        for (seq, a) in snap.drafts {
            drafts.insert(seq, Box::new(a.into_action()?));
        }
        let mut waiting: HashMap<budget::BudgetKey, std::collections::BinaryHeap<Waiting>> = HashMap::new();
        for ((l, who), list) in snap.waiting {
            let heap = waiting.entry((l as usize, who)).or_default();
            for p in list {
                heap.push(Waiting(p.into_pending()?));
            }
        }
        let change_ids = snap.change_ids.iter().map(|(at, id)| (id.clone(), *at)).collect();
        let [keep_history, keep_closable, keep_ended_runs, hand_over] = snap.flags;
        let mut engine = Engine {
            store: snap.store.into_store(cells)?,
            workspace,
            loaded,
            programs,
            now: snap.now,
            vm: Vm::new(),
            actions: Vec::new(),
            produced,
            written: Default::default(),
            pending: snap.pending.into_iter().map(PendingSnap::into_pending).collect::<Result<_, _>>()?,
            pending_keys: snap.pending_keys.into_iter().collect(),
            queues: budget::Queues { waiting, freed: snap.freed.into_iter().map(|(l, w)| (l as usize, w)).collect() },
            budget_uses: Vec::new(),
            history: Vec::new(),
            keep_history,
            keep_closable,
            keep_ended_runs,
            hand_over,
            trace: None,
            queue: queue::Queue {
                ids: snap.ids.into_iter().collect(),
                drafts,
                change_ids,
                change_order: snap.change_ids.into_iter().collect(),
            },
            updates: Vec::new(),
            snoozed: snap.snoozed.into_iter().collect::<BTreeSet<_>>(),
            depth: 0,
            subject: Vec::new(),
            label: Default::default(),
            context: None,
            conditions: Vec::new(),
            candidates: Vec::new(),
            reads: std::collections::HashMap::new(),
            position: snap.position,
        };
        // What the store keeps of the past follows from the programs, not the snapshot.
        engine.retain();
        Ok(engine)
    }
}

/// Whether what the snapshot refers to is there: each run's program, playbook, record type
/// and place; each timer's playbook and limit. (The checksum finds damage; this finds a
/// snapshot put with the wrong programs, before anything can index out of range.)
fn fits(snap: &EngineSnap, programs: &HashMap<String, Arc<Loaded>>, current: &Loaded) -> Result<(), SnapshotError> {
    let types = snap.store.record_types();
    if types < current.program.schema.records.len() {
        return Err(SnapshotError::Inconsistent(format!(
            "it has {types} record types, the program {}",
            current.program.schema.records.len()
        )));
    }
    for run in snap.store.runs() {
        let bad = |why: &str| SnapshotError::Inconsistent(format!("run {}: {why}", run.id));
        let loaded = programs.get(&*run.program).ok_or_else(|| bad("its program is not among the snapshot's"))?;
        let pb = loaded.program.playbooks.get(run.playbook).ok_or_else(|| bad("its playbook is not in its program"))?;
        if run.pc > pb.body.len() || run.record as usize >= types {
            return Err(bad("its step or record type is out of range"));
        }
    }
    let playbooks = current.program.playbooks.len() as u32;
    let limits = current.program.limits.len() as u32;
    for timer in snap.store.timers() {
        let ok = match timer {
            Timer::Date { playbook, .. } | Timer::Schedule { playbook, .. } => *playbook < playbooks,
            Timer::Slot { limit, .. } => *limit < limits,
            Timer::Run { .. } => true,
        };
        if !ok {
            return Err(SnapshotError::Inconsistent("a timer names a playbook or limit the program lacks".into()));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests;
