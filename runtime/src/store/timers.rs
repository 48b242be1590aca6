//! The store's timers: in time order, and found by what they do. Each timer is kept once,
//! in the time-ordered map; the index by timer holds only its key there.

use std::collections::BTreeMap;
use std::hash::BuildHasher;

use hashbrown::HashTable;

use super::Timer;

/// A timer's key: when it is due, and its number (so that timers due at once keep the
/// order they were set in).
pub(crate) type Key = (i64, u64);

#[derive(Default)]
pub(crate) struct Timers {
    by_time: BTreeMap<Key, Timer>,
    /// The keys, hashed by the timer they stand for.
    index: HashTable<Key>,
    hasher: foldhash::fast::RandomState,
}

impl Timers {
    /// Sets `timer` at `key`; it must not be set already.
    pub(crate) fn insert(&mut self, key: Key, timer: Timer) {
        let hash = self.hasher.hash_one(&timer);
        self.by_time.insert(key, timer);
        let (by_time, hasher) = (&self.by_time, &self.hasher);
        self.index.insert_unique(hash, key, |k| by_time.get(k).map_or(0, |t| hasher.hash_one(t)));
    }

    /// Takes `timer` off, giving the key it had.
    pub(crate) fn remove(&mut self, timer: &Timer) -> Option<Key> {
        let by_time = &self.by_time;
        let entry = self.index.find_entry(self.hasher.hash_one(timer), |k| by_time.get(k) == Some(timer)).ok()?;
        let (key, _) = entry.remove();
        self.by_time.remove(&key);
        Some(key)
    }

    /// The earliest timer, taken off if it is due by `until`.
    pub(crate) fn pop_due(&mut self, until: i64) -> Option<(i64, Timer)> {
        let (&key, timer) = self.by_time.first_key_value()?;
        if key.0 > until {
            return None;
        }
        let timer = timer.clone();
        self.remove(&timer);
        Some((key.0, timer))
    }

    /// The timers in time order.
    pub(crate) fn iter(&self) -> impl Iterator<Item = (&Key, &Timer)> {
        self.by_time.iter()
    }
}
