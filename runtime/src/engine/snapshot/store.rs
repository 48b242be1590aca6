//! The memory store as a snapshot keeps it: every map written in key order, so that the
//! same state always gives the same bytes; the large parts borrowed while writing.

use std::borrow::Cow;
use std::sync::Arc;

use serde::{Deserialize, Serialize};

use super::SnapshotError;
use crate::engine::run::Run;
use crate::retention::Retention;
use crate::rows::{Enrolment, Extra, Table};
use crate::store::{unreachable_events, MemoryStore, Timer};
use crate::value::{Happening, Value};

type Events<'a> = Vec<(u32, Cow<'a, [Arc<Happening>]>)>;
/// By record type, by id: the runs still going.
type Active = Vec<(u32, Vec<(Arc<str>, Vec<u64>)>)>;

/// A field's value: most are the latest entry of the field's history, written once there.
#[derive(Serialize, Deserialize)]
enum FieldSnap<'a> {
    Empty,
    /// The value of this entry of the record's history.
    InHistory(u32),
    Value(Cow<'a, Value>),
}

/// A record's fields, each pointing into its history when the value is there.
fn fields_of<'a>(fields: Vec<Value>, history: &[(u32, i64, Value)]) -> Vec<FieldSnap<'a>> {
    let mut last = vec![None; fields.len()];
    for (i, (slot, _, _)) in history.iter().enumerate() {
        if let Some(cell) = last.get_mut(*slot as usize) {
            *cell = Some(i);
        }
    }
    fields
        .into_iter()
        .zip(last)
        .map(|(v, last)| match last {
            _ if v.is_empty() => FieldSnap::Empty,
            Some(i) if history[i].2 == v => FieldSnap::InHistory(i as u32),
            _ => FieldSnap::Value(Cow::Owned(v)),
        })
        .collect()
}

#[derive(Serialize, Deserialize)]
pub(super) struct StoredSnap<'a> {
    id: Arc<str>,
    fields: Vec<FieldSnap<'a>>,
    history: Cow<'a, [(u32, i64, Value)]>,
    events: Events<'a>,
    created: i64,
    written: Cow<'a, [(u32, i64)]>,
}

#[derive(Serialize, Deserialize)]
pub(super) struct StoreSnap<'a> {
    records: Vec<Vec<StoredSnap<'a>>>,
    runs: Vec<Cow<'a, Run>>,
    active: Active,
    /// (playbook, record type, id, last enrolment, count).
    enrolments: Vec<(Arc<str>, u32, Arc<str>, Option<(i64, Option<i64>)>, u64)>,
    timers: Vec<(i64, u64, Timer)>,
    members: Vec<(u32, Vec<Arc<str>>)>,
    open: Vec<(Box<str>, u64)>,
    snoozes: Vec<(Box<str>, i64)>,
    budgets: Vec<(u32, Vec<(Arc<str>, Vec<i64>)>)>,
    email_slot: Option<(u32, u32)>,
    emails: Vec<(Arc<str>, Arc<str>)>,
    seq: u64,
}

/// A table's rows in id order, each with its history and events.
fn rows_of<'a>(table: &'a Table, store: &'a MemoryStore, now: i64) -> Vec<StoredSnap<'a>> {
    const NONE: &[(u32, i64, Value)] = &[];
    let mut rows: Vec<StoredSnap<'a>> = (0..table.rows() as u32)
        .map(|r| {
            let meta = &table.meta[r as usize];
            let extra = Some(&meta.extra);
            let history = extra.map_or(NONE, |x| x.history.as_slice());
            let fields = if meta.present { table.row(r, &store.texts).to_vec() } else { Vec::new() };
            StoredSnap {
                id: table.id(r).clone(),
                fields: fields_of(fields, history),
                history: Cow::Borrowed(history),
                events: extra.map_or_else(Vec::new, |x| reachable_events(x, now, &store.retention)),
                created: meta.created,
                written: Cow::Borrowed(extra.map_or(&[][..], |x| x.written.as_slice())),
            }
        })
        .collect();
    rows.sort_by(|a, b| a.id.cmp(&b.id));
    rows
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

/// By record type, by id, in that order: the runs still going of each record that has any.
fn active_of(store: &MemoryStore) -> Active {
    let mut out = Vec::new();
    for (record, table) in store.tables.iter().enumerate() {
        let by_id = (0..table.rows() as u32).filter(|r| !table.meta[*r as usize].active.is_empty());
        let mut by_id: Vec<(Arc<str>, Vec<u64>)> =
            by_id.map(|r| (table.id(r).clone(), table.meta[r as usize].active.to_vec())).collect();
        by_id.sort_by(|a, b| a.0.cmp(&b.0));
        if !by_id.is_empty() {
            out.push((record as u32, by_id));
        }
    }
    out
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
        let records = store.tables.iter().map(|table| rows_of(table, store, now)).collect();
        let mut runs: Vec<Cow<'a, Run>> = store.runs.values().map(Cow::Borrowed).collect();
        runs.sort_by_key(|r| r.id);
        let mut enrolments = Vec::new();
        for (record, table) in store.tables.iter().enumerate() {
            for r in 0..table.rows() as u32 {
                for e in &table.meta[r as usize].enrolled {
                    let playbook = store.playbooks[e.playbook as usize].clone();
                    enrolments.push((playbook, record as u32, table.id(r).clone(), e.last(), e.count));
                }
            }
        }
        enrolments.sort_by(|a, b| (&a.0, a.1, &a.2).cmp(&(&b.0, b.1, &b.2)));
        StoreSnap {
            records,
            runs,
            active: active_of(store),
            enrolments,
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
            emails: sorted(store.emails.clone(), |v| v),
            seq: store.seq,
        }
    }

    /// The store again, and its runs' events relinked: a run knows the events it has used
    /// by identity, which writing them out by value loses.
    pub(super) fn into_store(self) -> Result<MemoryStore, SnapshotError> {
        let mut store = MemoryStore::default();
        for rows in self.records {
            let mut table = Table::default();
            for row in rows {
                let history = row.history.into_owned();
                // A deleted record keeps its row (and history) without fields.
                let present = !row.fields.is_empty();
                let fields = row
                    .fields
                    .into_iter()
                    .map(|f| match f {
                        FieldSnap::Empty => Ok(Value::Empty),
                        FieldSnap::Value(v) => Ok(v.into_owned()),
                        FieldSnap::InHistory(i) => history.get(i as usize).map(|h| h.2.clone()).ok_or_else(|| {
                            SnapshotError::Inconsistent(format!("a field of `{}` points past its history", row.id))
                        }),
                    })
                    .collect::<Result<Vec<Value>, SnapshotError>>()?;
                let extra = Extra {
                    history: history.into(),
                    events: events_in_order(row.events).into(),
                    written: row.written.into_owned().into(),
                };
                table.widen(fields.len(), &mut store.texts);
                let r = table.row_of(&row.id);
                let meta = &mut table.meta[r as usize];
                meta.present = present;
                meta.created = row.created;
                meta.extra = extra;
                for (slot, value) in fields.into_iter().enumerate() {
                    table.set(r, slot, value, &mut store.texts);
                }
            }
            store.tables.push(table);
        }
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
        for (record, by_id) in self.active {
            for (id, runs) in by_id {
                let table = store.table_mut(record);
                let row = table.row_of(&id);
                table.meta[row as usize].active = runs.into();
            }
        }
        for (playbook, record, id, last, count) in self.enrolments {
            let e = store.enrolment_mut(&playbook, record, &id);
            *e = Enrolment::new(e.playbook, last, count);
        }
        for (at, seq, timer) in self.timers {
            store.timers.insert((at, seq), timer);
        }
        store.members = self.members.into_iter().map(|(k, ids)| (k, ids.into_iter().collect())).collect();
        store.open = self.open.into_iter().collect();
        store.snoozes = self.snoozes.into_iter().collect();
        store.budgets = self.budgets.into_iter().map(|(k, t)| (k, t.into_iter().collect())).collect();
        store.email_slot = self.email_slot;
        store.emails = self.emails.into_iter().collect();
        store.seq = self.seq;
        Ok(store)
    }

    /// How many record types the store has.
    pub(super) fn record_types(&self) -> usize {
        self.records.len()
    }

    pub(super) fn runs(&self) -> impl Iterator<Item = &Run> {
        self.runs.iter().map(|r| &**r)
    }

    pub(super) fn timers(&self) -> impl Iterator<Item = &Timer> {
        self.timers.iter().map(|t| &t.2)
    }
}
