//! Keeping a record's field history and events in time order, and trimming what no
//! window the program reads reaches any more.

use crate::retention::Retention;
use crate::value::Value;

/// Notes that a field was written at `at` (a new record: the creation, for every field).
pub(super) fn note_written(made: &mut i64, written: &mut Vec<(u32, i64)>, created: bool, slot: u32, at: i64) {
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
pub(super) fn snug<T>(list: &mut Vec<T>) -> &mut Vec<T> {
    if list.len() == list.capacity() {
        list.reserve_exact(list.len() / 2 + 1);
    }
    list
}

/// Adds an entry to a history kept oldest first: at the end, unless it is a late one
/// (placed before the latest), which goes after every entry at or before its moment.
pub(super) fn in_time_order<T>(history: &mut Vec<T>, entry: T, at: impl Fn(&T) -> i64) {
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
pub(super) fn trim_history(history: &mut Vec<(u32, i64, Value)>, record: u32, now: i64, retention: &Retention) {
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
