//! The memory store as a snapshot keeps it: each table's cells copied column by column and its rows
//! in row order ([`TableSnap`]), the texts at their numbers, every map written in key
//! order, so that the same state always gives the same bytes; the large parts borrowed
//! while writing.

use std::borrow::Cow;
use std::sync::Arc;

use serde::{Deserialize, Serialize};

use super::SnapshotError;
use crate::engine::run::Run;
use crate::retention::Retention;
use crate::rows::{CellOrder, Enrolment, Extra, Meta, Table, TableSnap, TextsSnap};
use crate::store::{unreachable_events, MemoryStore, Timer};
use crate::value::{Happening, Value};

type Events<'a> = Vec<(u32, Cow<'a, [Arc<Happening>]>)>;

/// What a row has beside its fields.
#[derive(Serialize, Deserialize)]
pub(super) struct RowSnap<'a> {
    present: bool,
    created: i64,
    history: Cow<'a, [(u32, i64, Value)]>,
    events: Events<'a>,
    written: Cow<'a, [(u32, i64)]>,
    /// (playbook number, last enrolment, count).
    enrolled: Vec<(u32, Option<(i64, Option<i64>)>, u64)>,
    active: Cow<'a, [u64]>,
}

#[derive(Serialize, Deserialize)]
pub(super) struct StoreSnap<'a> {
    #[serde(borrow)]
    pub(super) tables: Vec<TableSnap<'a>>,
    /// By table, by row.
    rows: Vec<Vec<RowSnap<'a>>>,
    #[serde(borrow)]
    texts: TextsSnap<'a>,
    /// The playbooks enrolments name, by number.
    playbooks: Vec<Arc<str>>,
    runs: Vec<Cow<'a, Run>>,
    timers: Vec<(i64, u64, Timer)>,
    members: Vec<(u32, Vec<Arc<str>>)>,
    open: Vec<(Box<str>, u64)>,
    snoozes: Vec<(Box<str>, i64)>,
    budgets: Vec<(u32, Vec<(Arc<str>, Vec<i64>)>)>,
    email_slot: Option<(u32, u32)>,
    /// The email index: the rows indexed under the email they hold (in row order), then
    /// any entry that is not of that kind, by key.
    emails: (Vec<u32>, Vec<(Arc<str>, Arc<str>)>),
    seq: u64,
}

/// What each row of a table has beside its fields, in row order.
fn rows_of<'a>(table: &'a Table, now: i64, retention: &Retention) -> Vec<RowSnap<'a>> {
    table
        .meta
        .iter()
        .map(|meta| RowSnap {
            present: meta.present,
            created: meta.created,
            history: Cow::Borrowed(meta.extra.history.as_slice()),
            events: reachable_events(&meta.extra, now, retention),
            written: Cow::Borrowed(meta.extra.written.as_slice()),
            enrolled: meta.enrolled.iter().map(|e| (e.playbook, e.last(), e.count)).collect(),
            active: Cow::Borrowed(meta.active.as_slice()),
        })
        .collect()
}

/// The email index as rows: each row whose email is the key it is indexed under (the
/// index's entries are that in a consistent store), and the rest as they are.
fn emails_of(store: &MemoryStore) -> (Vec<u32>, Vec<(Arc<str>, Arc<str>)>) {
    let Some((record, slot)) = store.email_slot else { return Default::default() };
    let Some(table) = store.tables.get(record as usize) else {
        return (Vec::new(), sorted(store.emails.clone(), |v| v));
    };
    let mut rows = Vec::new();
    for r in 0..table.rows() as u32 {
        if let Some(Value::Text(email)) = table.row(r, &store.texts).get(slot as usize) {
            let key = lower(&email);
            if store.emails.get(&*key).is_some_and(|id| id == table.id(r)) {
                rows.push(r);
            }
        }
    }
    let rest = if rows.len() == store.emails.len() {
        Vec::new()
    } else {
        let covered: std::collections::HashSet<&str> = rows.iter().map(|r| &**table.id(*r)).collect();
        sorted(
            store.emails.iter().filter(|(_, id)| !covered.contains(&***id)).map(|(k, v)| (k.clone(), v.clone())),
            |v| v,
        )
    };
    (rows, rest)
}

/// An email as the index keys it, made only when it has capitals.
fn lower(email: &str) -> Cow<'_, str> {
    if email.chars().any(char::is_uppercase) {
        Cow::Owned(email.to_lowercase())
    } else {
        Cow::Borrowed(email)
    }
}

/// A record's events by type, without those no window reaches from `now` any more: which
/// of those the store has let go yet depends on the order it swept its rows in, and the
/// same state must give the same bytes, whether or not it was restored on the way.
fn reachable_events<'a>(x: &'a Extra, now: i64, retention: &Retention) -> Events<'a> {
    let mut out: Events<'a> = Vec::new();
    let mut from = 0;
    while from < x.events.len() {
        let event = x.events[from].event;
        let list = x.events_of(event);
        let old = unreachable_events(list, now, retention);
        if old < list.len() {
            out.push((event, Cow::Borrowed(&list[old..])));
        }
        from += list.len();
    }
    out
}

/// A row's events as the store keeps them: one list, by event type, each type's in the
/// time order the snapshot wrote them in.
fn events_in_order(groups: Events<'_>) -> Vec<Arc<Happening>> {
    let mut events: Vec<Arc<Happening>> = groups.into_iter().flat_map(|(_, l)| l.into_owned()).collect();
    // Stable: each type's events keep their order.
    events.sort_by_key(|h| h.event);
    events
}

/// A map's entries in key order.
fn sorted<K: Ord + Clone, V, R>(map: impl IntoIterator<Item = (K, V)>, f: impl Fn(V) -> R) -> Vec<(K, R)> {
    let mut out: Vec<(K, R)> = map.into_iter().map(|(k, v)| (k, f(v))).collect();
    out.sort_by(|a, b| a.0.cmp(&b.0));
    out
}

impl<'a> StoreSnap<'a> {
    /// The store at `now` (the engine's clock).
    pub(super) fn of(store: &'a MemoryStore, now: i64) -> StoreSnap<'a> {
        let mut runs: Vec<Cow<'a, Run>> = store.runs.values().map(Cow::Borrowed).collect();
        runs.sort_by_key(|r| r.id);
        StoreSnap {
            tables: store.tables.iter().map(TableSnap::of).collect(),
            rows: store.tables.iter().map(|t| rows_of(t, now, &store.retention)).collect(),
            texts: TextsSnap::of(&store.texts),
            playbooks: store.playbooks.clone(),
            runs,
            timers: store.timers.iter().map(|((at, seq), t)| (*at, *seq, t.clone())).collect(),
            members: sorted(store.members.iter().map(|(k, v)| (*k, v)), |set| {
                let mut ids: Vec<Arc<str>> = set.iter().cloned().collect();
                ids.sort();
                ids
            }),
            open: sorted(store.open.clone(), |v| v),
            snoozes: sorted(store.snoozes.clone(), |v| v),
            budgets: sorted(store.budgets.iter().map(|(k, v)| (*k, v)), |t| sorted(t.clone(), |l| l)),
            email_slot: store.email_slot,
            emails: emails_of(store),
            seq: store.seq,
        }
    }

    /// The store again, and its runs' events relinked: a run knows the events it has used
    /// by identity, which writing them out by value loses.
    pub(super) fn into_store(self, cells: CellOrder) -> Result<MemoryStore, SnapshotError> {
        let mut store = MemoryStore {
            texts: self.texts.into_texts().map_err(SnapshotError::Inconsistent)?,
            ..MemoryStore::default()
        };
        if self.rows.len() != self.tables.len() {
            return Err(SnapshotError::Inconsistent("its tables and their rows do not match".into()));
        }
        let playbooks = self.playbooks.len() as u32;
        for (table, rows) in self.tables.into_iter().zip(self.rows) {
            let meta = rows
                .into_iter()
                .map(|row| {
                    if row.enrolled.iter().any(|e| e.0 >= playbooks) {
                        return Err(SnapshotError::Inconsistent(
                            "an enrolment names a playbook it does not have".into(),
                        ));
                    }
                    Ok(Meta {
                        present: row.present,
                        created: row.created,
                        extra: Extra {
                            history: row.history.into_owned().into(),
                            events: events_in_order(row.events).into(),
                            written: row.written.into_owned().into(),
                        },
                        enrolled: row
                            .enrolled
                            .into_iter()
                            .map(|(p, last, count)| Enrolment::new(p, last, count))
                            .collect(),
                        active: row.active.into_owned().into(),
                    })
                })
                .collect::<Result<Vec<Meta>, SnapshotError>>()?;
            store.tables.push(table.into_table(meta, &store.texts, cells).map_err(SnapshotError::Inconsistent)?);
        }
        store.playbook_numbers = self.playbooks.iter().enumerate().map(|(n, p)| (p.clone(), n as u32)).collect();
        store.playbooks = self.playbooks;
        for run in self.runs {
            let mut run = run.into_owned();
            let events = |event: u32| {
                let table = store.tables.get(run.record as usize)?;
                Some(table.meta[table.find(&run.record_id)? as usize].extra.events_of(event))
            };
            let spent: Vec<Arc<Happening>> = run
                .spent
                .iter()
                .map(|h| {
                    events(h.event).and_then(|l| l.iter().find(|x| ***x == **h)).cloned().unwrap_or_else(|| h.clone())
                })
                .collect();
            run.spent = spent;
            store.runs.insert(run.id, run);
        }
        for (at, seq, timer) in self.timers {
            store.timers.insert((at, seq), timer);
        }
        store.members = self.members.into_iter().map(|(k, ids)| (k, ids.into_iter().collect())).collect();
        store.open = self.open.into_iter().collect();
        store.snoozes = self.snoozes.into_iter().collect();
        store.budgets = self.budgets.into_iter().map(|(k, t)| (k, t.into_iter().collect())).collect();
        store.email_slot = self.email_slot;
        let (rows, rest) = self.emails;
        if let Some((record, slot)) = store.email_slot {
            let table = store.tables.get(record as usize);
            for r in rows {
                let row = table.filter(|t| (r as usize) < t.rows());
                let email = row.and_then(|t| match t.row(r, &store.texts).get(slot as usize) {
                    Some(Value::Text(email)) => Some((Arc::from(&*lower(&email)), t.id(r).clone())),
                    _ => None,
                });
                let (key, id) = email.ok_or_else(|| {
                    SnapshotError::Inconsistent("the email index names a row without an email".into())
                })?;
                store.emails.insert(key, id);
            }
        }
        store.emails.extend(rest);
        store.seq = self.seq;
        Ok(store)
    }

    /// How many record types the store has.
    pub(super) fn record_types(&self) -> usize {
        self.tables.len()
    }

    pub(super) fn runs(&self) -> impl Iterator<Item = &Run> {
        self.runs.iter().map(|r| &**r)
    }

    pub(super) fn timers(&self) -> impl Iterator<Item = &Timer> {
        self.timers.iter().map(|t| &t.2)
    }
}
