//! Interned texts: each distinct text a record field holds is kept once, and a field holds
//! its number. Counted, so that a text no field holds any more is let go and its number
//! reused.

use std::hash::BuildHasher;
use std::sync::Arc;

use hashbrown::HashTable;

/// The texts fields hold, by number.
#[derive(Default)]
pub struct Texts {
    /// By number: the text, or none when the number is free.
    pub(super) list: Vec<Option<Arc<str>>>,
    /// By number: how many fields hold it.
    pub(super) counts: Vec<u32>,
    /// The numbers of the texts held, found by the text (a table of numbers, hashed by the
    /// text they stand for, rather than a second copy of each text's pointer).
    pub(super) index: HashTable<u32>,
    pub(super) free: Vec<u32>,
    pub(super) hasher: foldhash::fast::RandomState,
}

impl Texts {
    fn hash(&self, text: &str) -> u64 {
        self.hasher.hash_one(text)
    }

    /// The number of `text`, counting one more holder.
    pub fn intern(&mut self, text: &Arc<str>) -> u32 {
        let hash = self.hash(text);
        let list = &self.list;
        if let Some(&n) = self.index.find(hash, |&n| list[n as usize].as_deref() == Some(&**text)) {
            self.counts[n as usize] += 1;
            return n;
        }
        let n = match self.free.pop() {
            Some(n) => {
                self.list[n as usize] = Some(text.clone());
                self.counts[n as usize] = 1;
                n
            }
            None => {
                if self.list.len() == self.list.capacity() {
                    // By an eighth, as tables grow: doubling would leave up to half of a
                    // large list unused.
                    let more = (self.list.len() / 8).max(16);
                    self.list.reserve_exact(more);
                    self.counts.reserve_exact(more);
                }
                self.list.push(Some(text.clone()));
                self.counts.push(1);
                (self.list.len() - 1) as u32
            }
        };
        let (list, hasher) = (&self.list, &self.hasher);
        self.index.insert_unique(hash, n, |&m| hasher.hash_one(list[m as usize].as_deref().unwrap_or("")));
        n
    }

    /// The number of `text`, if a field holds it (nothing is counted).
    pub fn find(&self, text: &str) -> Option<u32> {
        let list = &self.list;
        self.index.find(self.hash(text), |&n| list[n as usize].as_deref() == Some(text)).copied()
    }

    /// One holder of text `n` fewer; the text goes when none is left.
    pub fn release(&mut self, n: u32) {
        let Some(count) = self.counts.get_mut(n as usize) else { return };
        *count = count.saturating_sub(1);
        if *count > 0 {
            return;
        }
        let Some(text) = self.list[n as usize].take() else { return };
        let hash = self.hash(&text);
        if let Ok(entry) = self.index.find_entry(hash, |&m| m == n) {
            entry.remove();
        }
        self.free.push(n);
    }

    /// Text `n` (empty if the number is not held, which a consistent table never asks).
    pub fn get(&self, n: u32) -> Arc<str> {
        match self.list.get(n as usize) {
            Some(Some(text)) => text.clone(),
            _ => Arc::from(""),
        }
    }

    /// Text `n`, borrowed.
    pub fn peek(&self, n: u32) -> &str {
        self.list.get(n as usize).and_then(|t| t.as_deref()).unwrap_or("")
    }

    /// How many distinct texts are held.
    pub fn len(&self) -> usize {
        self.list.len() - self.free.len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_text_is_kept_once_and_let_go_with_its_last_holder() {
        let mut texts = Texts::default();
        let a = texts.intern(&Arc::from("Enterprise"));
        let b = texts.intern(&Arc::from("Enterprise"));
        let c = texts.intern(&Arc::from("Smb"));
        assert_eq!(a, b);
        assert_ne!(a, c);
        assert_eq!(texts.len(), 2);
        assert_eq!((texts.find("Smb"), texts.find("Enterprise"), texts.find("Startup")), (Some(c), Some(a), None));
        texts.release(a);
        assert_eq!(&*texts.get(a), "Enterprise");
        texts.release(b);
        assert_eq!(texts.len(), 1);
        assert_eq!(texts.find("Enterprise"), None, "let go");
        // The number is reused, and the old text is not found under it any more.
        let d = texts.intern(&Arc::from("MidMarket"));
        assert_eq!(d, a);
        assert_eq!(&*texts.get(d), "MidMarket");
        assert_eq!(texts.intern(&Arc::from("Smb")), c);
        assert_ne!(texts.intern(&Arc::from("Enterprise")), c);
    }
}
