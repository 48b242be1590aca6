//! Compact records: each record type's records in one table of fixed-width cells (a tag
//! byte and a payload per field, see [`cell`], four or eight bytes wide as the field's
//! type needs, see [`layout`]) kept column after column, so that a scan over many rows
//! reads only the columns of the fields it tests; texts interned across the store
//! ([`Texts`]), ids mapped to dense row numbers once. A [`Row`] is a borrowed view of one
//! record's fields; [`Table`] keeps the columns, the ids and what else each record has
//! beside its fields (history, events).

pub mod cell;
pub mod layout;
mod meta;
mod snap;
mod texts;

use std::hash::BuildHasher;
use std::sync::Arc;

use hashbrown::HashTable;
use thin_vec::ThinVec;

pub use cell::Others;
pub use layout::Width;
pub use meta::{Enrolment, Extra, Meta};
pub use snap::{CellOrder, TableSnap, TextsSnap};
pub use texts::Texts;

use crate::value::Value;

/// One record's fields, borrowed from its table: the table and the row's number there,
/// each field read through the table (its cells are column after column).
#[derive(Clone, Copy)]
pub struct Row<'a> {
    table: &'a Table,
    number: u32,
    texts: &'a Texts,
}

impl<'a> Row<'a> {
    /// How many fields the row has.
    pub fn len(&self) -> usize {
        self.table.width()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Field `slot`'s value, if the row has that field.
    pub fn get(&self, slot: usize) -> Option<Value> {
        if slot >= self.len() {
            return None;
        }
        let (tag, payload) = self.table.cell(self.number, slot);
        Some(cell::decode(tag, payload, self.texts, &self.table.others))
    }

    /// Field `slot`'s value, empty if the row has no such field.
    pub fn value(&self, slot: usize) -> Value {
        self.get(slot).unwrap_or_default()
    }

    /// Whether field `slot` is there and not empty.
    pub fn has(&self, slot: usize) -> bool {
        slot < self.len() && self.table.tag(self.number, slot) != cell::EMPTY
    }

    /// Every field's value, into `out` (cleared first, its room kept).
    pub fn decode_into(&self, out: &mut Vec<Value>) {
        out.clear();
        out.extend((0..self.len()).map(|slot| self.value(slot)));
    }

    /// The values of fields `slots` into `out`, made as long as the row (its room kept):
    /// what a condition that reads only those fields needs, without decoding (and sharing
    /// the texts of) the rest. The other fields are left as they were (empty in a new
    /// buffer, else what an earlier decode put there), so that a buffer reused for one
    /// condition over many rows costs only its fields each time.
    pub fn decode_slots_into(&self, slots: &[u32], out: &mut Vec<Value>) {
        if out.len() != self.len() {
            out.clear();
            out.resize(self.len(), Value::Empty);
        }
        for &slot in slots {
            if let (Some(v), Some(to)) = (self.get(slot as usize), out.get_mut(slot as usize)) {
                *to = v;
            }
        }
    }

    /// The interned texts its text and reference cells name.
    pub fn texts(&self) -> &'a Texts {
        self.texts
    }

    /// The number of the row's layout ([`layout::layout_id`]): compiled code built for
    /// that layout may read the row's cells.
    pub fn layout(&self) -> u32 {
        self.table.shape.id
    }

    /// The row's cells as compiled code reads them: the table's tags, wide and narrow
    /// cells from this row on, and the column stride. Field `slot`'s tag is at
    /// `slot * stride` in the first, and its payload at `place * stride` in the second or
    /// the third (its place among the wide or the narrow fields, [`layout::places`]);
    /// each slice reaches past the last of those.
    pub fn cells(&self) -> (&'a [u8], &'a [u64], &'a [u32], usize) {
        let (t, r) = (self.table, self.number as usize);
        let from = |len: usize| r.min(len);
        (&t.tags[from(t.tags.len())..], &t.wide[from(t.wide.len())..], &t.narrow[from(t.narrow.len())..], t.cap)
    }

    /// The table the row is in and its row number there: rows of one table can be tested
    /// by a scan over the table's cells rather than one by one.
    pub fn place(&self) -> (&'a Table, u32) {
        (self.table, self.number)
    }

    pub fn to_vec(&self) -> Vec<Value> {
        let mut out = Vec::with_capacity(self.len());
        self.decode_into(&mut out);
        out
    }
}

/// Where each field of a table's rows is: its width, and its place among a row's wide or
/// narrow cells.
#[derive(Default, Clone, PartialEq)]
struct Shape {
    widths: Vec<Width>,
    places: Vec<u32>,
    /// How many wide and narrow cells a row has.
    wide: usize,
    narrow: usize,
    /// The number of this layout ([`layout::layout_id`]), which compiled code checks.
    id: u32,
}

impl Shape {
    fn of(widths: Vec<Width>) -> Shape {
        let (places, wide, narrow) = layout::places(&widths);
        let id = layout::layout_id(&widths);
        Shape { widths, places, wide, narrow, id }
    }
}

/// One record type's records.
#[derive(Default)]
pub struct Table {
    shape: Shape,
    /// A tag per field, then the wide and the narrow cells, column after column: field
    /// `slot`'s tag of row `r` at `tags[slot * cap + r]`, a wide field's payload at
    /// `wide[place * cap + r]`, a narrow one's at `narrow[place * cap + r]` (`place` its
    /// place among the wide or the narrow fields). Each is exactly `cap` cells a column
    /// long, the rows past [`Table::rows`] empty.
    tags: Vec<u8>,
    wide: Vec<u64>,
    narrow: Vec<u32>,
    /// How many rows the columns have room for: the column stride.
    cap: usize,
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
        self.shape.widths.len()
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
        if self.ids.len() == self.cap {
            self.grow();
        }
        self.ids.push(id.clone());
        self.meta.push(Meta::default());
        let (ids, hasher) = (&self.ids, &self.hasher);
        self.index.insert_unique(hasher.hash_one(&**id), r, |&m| hasher.hash_one(&*ids[m as usize]));
        r
    }

    /// Makes room for more rows by an eighth (doubling would leave up to half of a large
    /// table empty), still a constant number of moves per row: each column is moved to
    /// its place at the new stride.
    fn grow(&mut self) {
        let more = (self.ids.len() / 8).max(16);
        self.ids.reserve_exact(more);
        self.meta.reserve_exact(more);
        let (cap, rows) = (self.cap + more, self.ids.len());
        let (width, wide, narrow) = (self.width(), self.shape.wide, self.shape.narrow);
        self.tags = restride(&self.tags, width, (self.cap, cap), rows, cell::EMPTY);
        self.wide = restride(&self.wide, wide, (self.cap, cap), rows, 0);
        self.narrow = restride(&self.narrow, narrow, (self.cap, cap), rows, 0);
        self.cap = cap;
    }

    pub fn id(&self, row: u32) -> &Arc<str> {
        &self.ids[row as usize]
    }

    /// Makes rows at least `width` fields wide (a reloaded schema may add fields); a field
    /// added this way is wide until [`Table::reshape`] says otherwise.
    pub fn widen(&mut self, width: usize, texts: &mut Texts) {
        if width > self.width() {
            let mut widths = self.shape.widths.clone();
            widths.resize(width, Width::Wide);
            self.reshape(widths, texts);
        }
    }

    /// Keeps each field in the width given (fields past `widths` keep theirs), moving the
    /// rows' cells if that changes anything; a value that does not fit its new cell goes to
    /// the side list.
    pub fn reshape(&mut self, mut widths: Vec<Width>, texts: &mut Texts) {
        if widths.len() < self.width() {
            widths.extend_from_slice(&self.shape.widths[widths.len()..]);
        }
        let shape = Shape::of(widths);
        if shape == self.shape {
            return;
        }
        // Every row's cells read under the old shape, then written again under the new
        // (at the same stride).
        let (rows, was) = (self.ids.len(), self.width());
        let cells: Vec<(u8, u64)> = (0..rows * was).map(|i| self.cell((i / was) as u32, i % was)).collect();
        self.shape = shape;
        let cap = self.cap;
        self.tags = vec![cell::EMPTY; cap * self.width()];
        self.wide = vec![0; cap * self.shape.wide];
        self.narrow = vec![0; cap * self.shape.narrow];
        for (i, (tag, payload)) in cells.into_iter().enumerate() {
            let (tag, payload) = self.fit(i % was, tag, payload, texts);
            self.put((i / was) as u32, i % was, tag, payload);
        }
    }

    /// A cell (tag, whole payload) as field `slot` can keep it: in the side list when its
    /// payload does not fit a narrow cell (rare: a value the field's type does not lead
    /// one to expect).
    fn fit(&mut self, slot: usize, tag: u8, payload: u64, texts: &mut Texts) -> (u8, u64) {
        let Width::Narrow { high } = self.shape.widths[slot] else { return (tag, payload) };
        if layout::narrow(tag, payload, high).is_some() {
            return (tag, payload);
        }
        let value = cell::decode(tag, payload, texts, &self.others);
        cell::release(tag, payload, texts, &mut self.others);
        cell::encode_aside(value, &mut self.others)
    }

    /// Where field `slot` of `row` is among the wide or narrow cells.
    fn at(&self, row: u32, slot: usize) -> (usize, Width) {
        let place = self.shape.places[slot] as usize;
        (place * self.cap + row as usize, self.shape.widths[slot])
    }

    /// Field `slot`'s tag of `row`.
    fn tag(&self, row: u32, slot: usize) -> u8 {
        self.tags[slot * self.cap + row as usize]
    }

    /// Field `slot` of `row`: its tag and whole payload.
    fn cell(&self, row: u32, slot: usize) -> (u8, u64) {
        let tag = self.tag(row, slot);
        match self.at(row, slot) {
            (i, Width::Wide) => (tag, self.wide[i]),
            (i, Width::Narrow { high }) => (tag, layout::whole(tag, self.narrow[i], high)),
        }
    }

    /// Writes field `slot` of `row` as a cell that fits it ([`Table::fit`]).
    fn put(&mut self, row: u32, slot: usize, tag: u8, payload: u64) {
        self.tags[slot * self.cap + row as usize] = tag;
        match self.at(row, slot) {
            (i, Width::Wide) => self.wide[i] = payload,
            (i, Width::Narrow { .. }) => self.narrow[i] = payload as u32,
        }
    }

    /// A row's fields, whether or not the record is there.
    ///
    /// # Panics
    /// If `row` is not below [`Table::rows`] (row numbers come from the table, never from
    /// input).
    pub fn row<'a>(&'a self, row: u32, texts: &'a Texts) -> Row<'a> {
        assert!((row as usize) < self.rows(), "row {row} of a table of {} rows", self.rows());
        Row { table: self, number: row, texts }
    }

    /// The fields of the record at `row` when it is there (a row number is dense: from 0
    /// to [`Table::rows`]).
    pub fn present_row<'a>(&'a self, row: u32, texts: &'a Texts) -> Option<Row<'a>> {
        self.meta.get(row as usize)?.present.then(|| self.row(row, texts))
    }

    /// The fields of a record that is there.
    pub fn record<'a>(&'a self, id: &str, texts: &'a Texts) -> Option<Row<'a>> {
        let r = self.find(id)?;
        self.meta[r as usize].present.then(|| self.row(r, texts))
    }

    /// Whether field `slot` of `row` holds `value`.
    pub fn holds(&self, row: u32, slot: usize, value: &Value, texts: &Texts) -> bool {
        let (tag, payload) = self.cell(row, slot);
        cell::holds(tag, payload, value, texts, &self.others)
    }

    /// Writes field `slot` of `row` (which must be inside the width), giving back what it
    /// held.
    pub fn set(&mut self, row: u32, slot: usize, value: Value, texts: &mut Texts) -> Value {
        let (tag, payload) = self.cell(row, slot);
        let old = cell::decode(tag, payload, texts, &self.others);
        let (new_tag, new_payload) = cell::encode(value, texts, &mut self.others);
        let (new_tag, new_payload) = self.fit(slot, new_tag, new_payload, texts);
        cell::release(tag, payload, texts, &mut self.others);
        self.put(row, slot, new_tag, new_payload);
        old
    }

    /// Empties every field of `row`.
    pub fn clear(&mut self, row: u32, texts: &mut Texts) {
        for slot in 0..self.width() {
            let (tag, payload) = self.cell(row, slot);
            cell::release(tag, payload, texts, &mut self.others);
            self.put(row, slot, cell::EMPTY, 0);
        }
    }

    /// Calls `trim` on the history and events of the next `rows` rows, in turn round the
    /// table.
    pub fn sweep_events(&mut self, rows: usize, mut trim: impl FnMut(&mut Extra)) {
        let all = self.meta.len() as u32;
        for _ in 0..rows.min(all as usize) {
            self.swept = if self.swept + 1 >= all { 0 } else { self.swept + 1 };
            let x = &mut self.meta[self.swept as usize].extra;
            if !x.events.is_empty() {
                trim(x);
            }
        }
    }

    /// Lets go of the table part by part, calling `each` with each part's name after it
    /// goes: how a test sees what each part held.
    pub fn let_go_in_parts(&mut self, each: &mut dyn FnMut(&'static str)) {
        for m in &mut self.meta {
            m.extra.history = ThinVec::new();
        }
        each("field history");
        for m in &mut self.meta {
            m.extra.events = ThinVec::new();
        }
        each("events");
        for m in &mut self.meta {
            m.extra.written = ThinVec::new();
        }
        each("when fields were written");
        for m in &mut self.meta {
            m.enrolled = ThinVec::new();
        }
        each("enrolments");
        for m in &mut self.meta {
            m.active = ThinVec::new();
        }
        each("active runs by record");
        self.meta = Vec::new();
        each("row bookkeeping");
        self.index = HashTable::new();
        each("id index");
        self.ids = Vec::new();
        each("ids");
        (self.tags, self.wide, self.narrow, self.others, self.cap) = Default::default();
        each("rows");
    }

    /// The number of the rows' layout ([`layout::layout_id`]), as [`Row::layout`] gives it.
    pub fn layout(&self) -> u32 {
        self.shape.id
    }

    /// Every row's cells, column after column, as compiled code scans them: field
    /// `slot`'s tag of row `r` at `slot * stride + r` in the first, a wide field's payload
    /// at `place * stride + r` in the second, a narrow one's at `place * stride + r` in the
    /// third (`place` as [`layout::places`] gives it, `stride` as [`Table::stride`]); each
    /// is exactly `stride` cells a column long.
    pub fn cells(&self) -> (&[u8], &[u64], &[u32]) {
        (&self.tags, &self.wide, &self.narrow)
    }

    /// The column stride: how many rows the columns have room for (at least
    /// [`Table::rows`]).
    pub fn stride(&self) -> usize {
        self.cap
    }

    /// The rows of the records that are there.
    pub fn present(&self) -> impl Iterator<Item = u32> + '_ {
        (0..self.ids.len() as u32).filter(|r| self.meta[*r as usize].present)
    }
}

/// `columns` columns of `rows` cells each, `from` apart, moved `to` apart (the rest
/// filled with `empty`).
fn restride<T: Copy>(cells: &[T], columns: usize, (from, to): (usize, usize), rows: usize, empty: T) -> Vec<T> {
    let mut out = vec![empty; columns * to];
    for c in 0..columns {
        out[c * to..c * to + rows].copy_from_slice(&cells[c * from..c * from + rows]);
    }
    out
}

#[cfg(test)]
mod tests;
