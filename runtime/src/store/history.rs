//! Keeping a record's field history and events in time order, and trimming what no
//! window the program reads reaches any more.

use std::sync::Arc;

use thin_vec::ThinVec;

use crate::retention::Retention;
use crate::value::{Happening, Value};

/// Notes that a field was written at `at` (a new record: the creation, for every field).
pub(super) fn note_written(made: &mut i64, written: &mut ThinVec<(u32, i64)>, created: bool, slot: u32, at: i64) {
    if created {
        *made = at;
        written.clear();
        return;
    }
    match written.iter_mut().find(|w| w.0 == slot) {
        Some(w) => w.1 = w.1.max(at),
        None => snug(written).push((slot, at)),
    }
}

/// Makes room for one more entry by half the list, not double: most records hold a few
/// entries of each list, and a list's first room is one entry, not four.
pub(super) fn snug<T>(list: &mut ThinVec<T>) -> &mut ThinVec<T> {
    if list.len() == list.capacity() {
        list.reserve_exact(list.len() / 2 + 1);
    }
    list
}

/// Adds an entry to a history kept oldest first: at the end, unless it is a late one
/// (placed before the latest), which goes after every entry at or before its moment.
pub(super) fn in_time_order<T>(history: &mut ThinVec<T>, entry: T, at: impl Fn(&T) -> i64) {
    let moment = at(&entry);
    snug(history);
    if history.last().is_none_or(|last| at(last) <= moment) {
        history.push(entry);
    } else {
        let place = history.partition_point(|h| at(h) <= moment);
        history.insert(place, entry);
    }
}

/// Whether a history list has grown enough to be trimmed: each time its length reaches a
/// power of two, so that trimming costs a constant per entry.
pub(super) fn grown(len: usize) -> bool {
    len >= 4 && len.is_power_of_two()
}

/// Lets go of field history older than every window the program reads it over, keeping
/// each field's last value from before the oldest window (`change(…)` compares with it).
pub(super) fn trim_history(history: &mut ThinVec<(u32, i64, Value)>, record: u32, now: i64, retention: &Retention) {
    let mut cutoffs: Vec<(u32, Option<i64>)> = Vec::new();
    let mut seen_before: Vec<u32> = Vec::new();
    let mut keep = vec![true; history.len()];
    for (i, (slot, at, _)) in history.iter().enumerate().rev() {
        let cutoff = match cutoffs.iter().find(|(s, _)| s == slot) {
            Some((_, c)) => *c,
            None => {
                let c = retention.cutoff(retention.field(record, *slot), now);
                cutoffs.push((*slot, c));
                c
            }
        };
        if cutoff.is_some_and(|c| *at < c) {
            if seen_before.contains(slot) {
                keep[i] = false;
            } else {
                seen_before.push(*slot);
            }
        }
    }
    let mut flags = keep.into_iter();
    history.retain(|_| flags.next().unwrap_or(true));
}

/// How many of one type's events, in time order, no window the program reads them over
/// reaches from `now`: the oldest ones, short of the latest when `last` reads it.
pub(crate) fn unreachable_events(list: &[Arc<Happening>], now: i64, retention: &Retention) -> usize {
    let Some(first) = list.first() else { return 0 };
    let reach = retention.event(first.event);
    let Some(cutoff) = retention.cutoff(reach, now) else { return 0 };
    let keep = list.len() - usize::from(reach.latest);
    list[..keep].partition_point(|h| h.at < cutoff)
}

/// Lets go of a record's events (by type, then in time order) that no window the program
/// reads them over reaches from `now` any more. A long list of one type waits until half
/// of it is old, so that each event is moved a constant number of times.
pub(super) fn trim_events(events: &mut ThinVec<Arc<Happening>>, now: i64, retention: &Retention) {
    let mut from = 0;
    let before = events.len();
    while from < events.len() {
        let event = events[from].event;
        let len = events[from..].partition_point(|h| h.event == event);
        let old = unreachable_events(&events[from..from + len], now, retention);
        if old > 0 && (len <= 16 || old * 2 >= len) {
            events.drain(from..from + old);
            from += len - old;
        } else {
            from += len;
        }
    }
    // Most lists are short and often empty again: an emptied one gives its room back, and
    // so does one much shorter than its room.
    if events.len() < before && (events.is_empty() || events.capacity() > events.len() + events.len() / 2 + 4) {
        events.shrink_to_fit();
    }
}
