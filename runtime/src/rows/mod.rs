//! Compact records: each record type's records in one table of fixed-width rows (a tag
//! byte and an eight-byte payload per field, see [`cell`]), texts interned across the
//! store ([`Texts`]), ids mapped to dense row numbers once. A [`Row`] is a borrowed view
//! of one record's fields; [`Table`] keeps the rows, their ids and what else each record
//! has beside its fields (history, events).

pub mod cell;
mod texts;

use std::hash::BuildHasher;
use std::sync::Arc;

use hashbrown::HashTable;

pub use cell::Others;
pub use texts::Texts;

use crate::value::{Happening, Value};

/// One record's fields, borrowed from its table.
#[derive(Clone, Copy)]
pub struct Row<'a> {
    tags: &'a [u8],
    cells: &'a [u64],
    texts: &'a Texts,
    others: &'a Others,
}

impl<'a> Row<'a> {
    /// How many fields the row has.
    pub fn len(&self) -> usize {
        self.tags.len()
    }

    pub fn is_empty(&self) -> bool {
        self.tags.is_empty()
    }

    /// Field `slot`'s value, if the row has that field.
    pub fn get(&self, slot: usize) -> Option<Value> {
        let tag = *self.tags.get(slot)?;
        Some(cell::decode(tag, self.cells[slot], self.texts, self.others))
    }

    /// Field `slot`'s value, empty if the row has no such field.
    pub fn value(&self, slot: usize) -> Value {
        self.get(slot).unwrap_or_default()
    }

    /// Whether field `slot` is there and not empty.
    pub fn has(&self, slot: usize) -> bool {
        self.tags.get(slot).is_some_and(|t| *t != cell::EMPTY)
    }

    /// Every field's value, into `out` (cleared first, its room kept).
    pub fn decode_into(&self, out: &mut Vec<Value>) {
        out.clear();
        out.extend((0..self.len()).map(|slot| self.value(slot)));
    }

    pub fn to_vec(&self) -> Vec<Value> {
        let mut out = Vec::with_capacity(self.len());
        self.decode_into(&mut out);
        out
    }

    /// The raw cells (tag, payload) of the row, for code that reads fields in place.
    pub fn raw(&self) -> (&'a [u8], &'a [u64]) {
        (self.tags, self.cells)
    }
}

/// What a record has beside its fields, kept only once it has any of it.
#[derive(Default, Clone)]
pub struct Extra {
    /// (slot, moment, value), in time order: only of the fields the program reads back.
    pub history: Vec<(u32, i64, Value)>,
    /// The events that concern it, of the types the program reads: one list, by event
    /// type and then in time order, so that each type's are one slice of it.
    pub events: Vec<Arc<Happening>>,
    /// When each field written since the record was made was last written, for late
    /// changes (a moment per field changed, not per field).
    pub written: Vec<(u32, i64)>,
}

/// A row's bookkeeping.
#[derive(Default)]
pub struct Meta {
    /// Whether the record is there: a deleted record keeps its row (and its history).
    pub present: bool,
    /// When the record was made.
    pub created: i64,
    pub extra: Option<Box<Extra>>,
}

impl Extra {
    /// Where the events of type `event` are in `events`.
    pub fn events_range(&self, event: u32) -> std::ops::Range<usize> {
        let from = self.events.partition_point(|h| h.event < event);
        from..from + self.events[from..].partition_point(|h| h.event == event)
    }

    /// The events of type `event`, in time order.
    pub fn events_of(&self, event: u32) -> &[Arc<Happening>] {
        &self.events[self.events_range(event)]
    }
}

impl Meta {
    pub fn extra_mut(&mut self) -> &mut Extra {
        self.extra.get_or_insert_with(Box::default)
    }
}

/// One record type's records.
#[derive(Default)]
pub struct Table {
    /// Fields per row; a wider record widens every row.
    width: usize,
    tags: Vec<u8>,
    cells: Vec<u64>,
    /// By row.
    ids: Vec<Arc<str>>,
    pub(crate) meta: Vec<Meta>,
    /// Row numbers, found by the id they stand for.
    index: HashTable<u32>,
    hasher: foldhash::fast::RandomState,
    others: Others,
    /// The next row [`Table::sweep_events`] looks at.
    swept: u32,
}

impl Table {
    pub fn width(&self) -> usize {
        self.width
    }

    /// How many rows (deleted records included).
    pub fn rows(&self) -> usize {
        self.ids.len()
    }

    /// The row of a record id, if it has one.
    pub fn find(&self, id: &str) -> Option<u32> {
        let hash = self.hasher.hash_one(id);
        self.index.find(hash, |&r| &*self.ids[r as usize] == id).copied()
    }

    /// The row of a record id, a new (absent) one if it has none.
    pub fn row_of(&mut self, id: &Arc<str>) -> u32 {
        if let Some(r) = self.find(id) {
            return r;
        }
        let r = self.ids.len() as u32;
        if self.ids.len() == self.ids.capacity() {
            self.grow();
        }
        self.ids.push(id.clone());
        self.meta.push(Meta::default());
        self.tags.resize(self.tags.len() + self.width, cell::EMPTY);
        self.cells.resize(self.cells.len() + self.width, 0);
        let (ids, hasher) = (&self.ids, &self.hasher);
        self.index.insert_unique(hasher.hash_one(&**id), r, |&m| hasher.hash_one(&*ids[m as usize]));
        r
    }

    /// Makes room for more rows by an eighth (doubling would leave up to half of a large
    /// table empty), still a constant number of moves per row.
    fn grow(&mut self) {
        let more = (self.ids.len() / 8).max(16);
        self.ids.reserve_exact(more);
        self.meta.reserve_exact(more);
        self.tags.reserve_exact(more * self.width);
        self.cells.reserve_exact(more * self.width);
    }

    pub fn id(&self, row: u32) -> &Arc<str> {
        &self.ids[row as usize]
    }

    /// Makes rows at least `width` fields wide (a reloaded schema may add fields).
    pub fn widen(&mut self, width: usize) {
        if width <= self.width {
            return;
        }
        let (old, rows) = (self.width, self.ids.len());
        let room = self.ids.capacity() * width;
        let mut tags = Vec::with_capacity(room);
        tags.resize(rows * width, cell::EMPTY);
        let mut cells = Vec::with_capacity(room);
        cells.resize(rows * width, 0);
        for r in 0..rows {
            tags[r * width..r * width + old].copy_from_slice(&self.tags[r * old..(r + 1) * old]);
            cells[r * width..r * width + old].copy_from_slice(&self.cells[r * old..(r + 1) * old]);
        }
        (self.tags, self.cells, self.width) = (tags, cells, width);
    }

    /// A row's fields, whether or not the record is there.
    pub fn row<'a>(&'a self, row: u32, texts: &'a Texts) -> Row<'a> {
        let at = row as usize * self.width;
        Row {
            tags: &self.tags[at..at + self.width],
            cells: &self.cells[at..at + self.width],
            texts,
            others: &self.others,
        }
    }

    /// The fields of a record that is there.
    pub fn record<'a>(&'a self, id: &str, texts: &'a Texts) -> Option<Row<'a>> {
        let r = self.find(id)?;
        self.meta[r as usize].present.then(|| self.row(r, texts))
    }

    /// Whether field `slot` of `row` holds `value`.
    pub fn holds(&self, row: u32, slot: usize, value: &Value, texts: &Texts) -> bool {
        let at = row as usize * self.width + slot;
        cell::holds(self.tags[at], self.cells[at], value, texts, &self.others)
    }

    /// Writes field `slot` of `row` (which must be inside the width), giving back what it
    /// held.
    pub fn set(&mut self, row: u32, slot: usize, value: Value, texts: &mut Texts) -> Value {
        let at = row as usize * self.width + slot;
        let (tag, payload) = (self.tags[at], self.cells[at]);
        let old = cell::decode(tag, payload, texts, &self.others);
        let (new_tag, new_payload) = cell::encode(value, texts, &mut self.others);
        cell::release(tag, payload, texts, &mut self.others);
        self.tags[at] = new_tag;
        self.cells[at] = new_payload;
        old
    }

    /// Empties every field of `row`.
    pub fn clear(&mut self, row: u32, texts: &mut Texts) {
        let at = row as usize * self.width;
        for i in at..at + self.width {
            cell::release(self.tags[i], self.cells[i], texts, &mut self.others);
            self.tags[i] = cell::EMPTY;
            self.cells[i] = 0;
        }
    }

    /// Calls `trim` on the history and events of the next `rows` rows, in turn round the
    /// table.
    pub fn sweep_events(&mut self, rows: usize, mut trim: impl FnMut(&mut Extra)) {
        let all = self.meta.len() as u32;
        for _ in 0..rows.min(all as usize) {
            self.swept = if self.swept + 1 >= all { 0 } else { self.swept + 1 };
            if let Some(x) = self.meta[self.swept as usize].extra.as_deref_mut() {
                trim(x);
            }
        }
    }

    /// Lets go of the table part by part, calling `each` with each part's name after it
    /// goes: how a test sees what each part held.
    pub fn let_go_in_parts(&mut self, each: &mut dyn FnMut(&'static str)) {
        for m in &mut self.meta {
            if let Some(x) = m.extra.as_deref_mut() {
                x.history = Vec::new();
            }
        }
        each("field history");
        for m in &mut self.meta {
            if let Some(x) = m.extra.as_deref_mut() {
                x.events = Vec::new();
            }
        }
        each("events");
        for m in &mut self.meta {
            if let Some(x) = m.extra.as_deref_mut() {
                x.written = Vec::new();
            }
        }
        each("when fields were written");
        for m in &mut self.meta {
            m.extra = None;
        }
        each("extras (boxes)");
        self.meta = Vec::new();
        each("row bookkeeping");
        self.index = HashTable::new();
        each("id index");
        self.ids = Vec::new();
        each("ids");
        (self.tags, self.cells, self.others) = Default::default();
        each("rows");
    }

    /// The rows of the records that are there.
    pub fn present(&self) -> impl Iterator<Item = u32> + '_ {
        (0..self.ids.len() as u32).filter(|r| self.meta[*r as usize].present)
    }
}

#[cfg(test)]
mod tests;
