//! One command applied whole: a guard that begins the store's transaction when the first
//! one opens and commits it when the last one closes, however the command's code leaves
//! (an early `return` or `?` included), so `begin` and `commit` always pair.

use std::ops::{Deref, DerefMut};

use super::Engine;
use crate::store::Store;

/// The engine inside a command. Derefs to the engine; dropping it ends the command.
/// Commands nest (a tick inside a change, a settle inside a tick): only the outermost
/// begins and commits.
pub struct Batch<'a, S: Store> {
    engine: &'a mut Engine<S>,
}

impl<S: Store> Engine<S> {
    /// Opens a command: the store's transaction begins unless one is open already.
    pub(crate) fn batch(&mut self) -> Batch<'_, S> {
        if self.depth == 0 {
            self.store.begin();
        }
        self.depth += 1;
        Batch { engine: self }
    }

    /// Whether a command is open (for assertions: the store is written only inside one).
    pub fn in_batch(&self) -> bool {
        self.depth > 0
    }
}

impl<S: Store> Drop for Batch<'_, S> {
    fn drop(&mut self) {
        assert!(self.engine.depth > 0, "a command closed that was never opened");
        self.engine.depth -= 1;
        if self.engine.depth == 0 {
            self.engine.store.commit();
        }
    }
}

impl<S: Store> Deref for Batch<'_, S> {
    type Target = Engine<S>;
    fn deref(&self) -> &Engine<S> {
        self.engine
    }
}

impl<S: Store> DerefMut for Batch<'_, S> {
    fn deref_mut(&mut self) -> &mut Engine<S> {
        self.engine
    }
}
