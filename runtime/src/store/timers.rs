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

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::*;

    #[test]
    fn timers_come_due_in_time_order_and_are_found_by_what_they_do() {
        let mut timers = Timers::default();
        let date = |r: &str| Timer::Date { playbook: 0, trigger: 1, record: Arc::from(r) };
        timers.insert((30, 1), date("a1"));
        timers.insert((10, 2), Timer::Run { run: 7, generation: 0 });
        timers.insert((10, 3), date("a2"));
        timers.insert((20, 4), Timer::Slot { limit: 0, who: Arc::from("jo@example.com") });
        assert_eq!(timers.remove(&date("a2")), Some((10, 3)));
        assert_eq!(timers.remove(&date("a2")), None);
        assert_eq!(timers.pop_due(5), None);
        assert_eq!(timers.pop_due(25), Some((10, Timer::Run { run: 7, generation: 0 })));
        assert_eq!(timers.pop_due(25).map(|t| t.0), Some(20));
        assert_eq!(timers.pop_due(25), None);
        // Set again after it came due: found under its new key.
        timers.insert((40, 5), Timer::Run { run: 7, generation: 0 });
        assert_eq!(timers.remove(&Timer::Run { run: 7, generation: 0 }), Some((40, 5)));
        assert_eq!(timers.iter().map(|(k, _)| *k).collect::<Vec<_>>(), vec![(30, 1)]);
    }
}
