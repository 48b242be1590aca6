//! A table and the interned texts as a snapshot keeps them: the cells copied column by
//! column (tags, then the wide and narrow cells as little-endian bytes, each column
//! trimmed to the rows there are), ids in row order, the side list and the free numbers
//! as they are. Restored, every record is at the same row and every text at the same
//! number, so a restored store is the one snapshotted, byte for byte, and writing or
//! reading a million rows is a few copies rather than a million values made. Snapshots
//! of format 2 (before columns) have the same parts with the cells row after row: they
//! are read too ([`CellOrder::Rows`]).

use std::borrow::Cow;
use std::hash::BuildHasher;
use std::sync::Arc;

use serde::{Deserialize, Serialize};

use super::cell::{Others, OTHER};
use super::{Meta, Shape, Table, Texts, Width};
use crate::value::Value;

/// How a snapshot's cells are laid out.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CellOrder {
    /// Row after row: a row's tags, then its wide, then its narrow cells (format 2).
    Rows,
    /// Column after column, each column as long as the rows (format 3 on).
    Columns,
}

/// A table's fields and ids; what each row has beside them is the caller's.
#[derive(Serialize, Deserialize)]
pub struct TableSnap<'a> {
    /// Each field's width: none for wide, the `high` half of a narrow one.
    widths: Vec<Option<u32>>,
    #[serde(borrow, with = "serde_bytes")]
    tags: Cow<'a, [u8]>,
    #[serde(borrow, with = "serde_bytes")]
    wide: Cow<'a, [u8]>,
    #[serde(borrow, with = "serde_bytes")]
    narrow: Cow<'a, [u8]>,
    #[serde(borrow)]
    ids: Vec<&'a str>,
    others: Cow<'a, [Value]>,
    others_free: Cow<'a, [u32]>,
}

/// The interned texts.
#[derive(Serialize, Deserialize)]
pub struct TextsSnap<'a> {
    #[serde(borrow)]
    list: Vec<Option<&'a str>>,
    counts: Cow<'a, [u32]>,
    free: Cow<'a, [u32]>,
}

/// `columns` columns `stride` cells apart, each trimmed to its first `rows` cells, as
/// little-endian bytes.
fn le_bytes<const N: usize, T: Copy>(
    cells: &[T],
    (columns, stride, rows): (usize, usize, usize),
    bytes: impl Fn(T) -> [u8; N],
) -> Vec<u8> {
    let mut out = Vec::with_capacity(columns * rows * N);
    for c in 0..columns {
        for cell in &cells[c * stride..c * stride + rows] {
            out.extend_from_slice(&bytes(*cell));
        }
    }
    out
}

/// Cells of `N` bytes each, `columns` a row, as columns of `rows` cells: read as they
/// are when they are columns already, moved when they are row after row.
fn columns_of<const N: usize, T: Copy + Default>(
    bytes: &[u8],
    (columns, rows): (usize, usize),
    cells: CellOrder,
    read: impl Fn([u8; N]) -> T,
) -> Vec<T> {
    let values = bytes.chunks_exact(N).map(|c| read(c.try_into().unwrap_or([0; N])));
    match cells {
        CellOrder::Columns => values.collect(),
        CellOrder::Rows => {
            let mut out = vec![T::default(); columns * rows];
            for (i, v) in values.enumerate() {
                // Row `i / columns`, column `i % columns`.
                out[(i % columns) * rows + i / columns] = v;
            }
            out
        }
    }
}

impl<'a> TableSnap<'a> {
    pub fn of(table: &'a Table) -> TableSnap<'a> {
        let rows = table.rows();
        TableSnap {
            widths: table
                .shape
                .widths
                .iter()
                .map(|w| match w {
                    Width::Wide => None,
                    Width::Narrow { high } => Some(*high),
                })
                .collect(),
            tags: Cow::Owned(le_bytes(&table.tags, (table.width(), table.cap, rows), |t| [t])),
            wide: Cow::Owned(le_bytes(&table.wide, (table.shape.wide, table.cap, rows), u64::to_le_bytes)),
            narrow: Cow::Owned(le_bytes(&table.narrow, (table.shape.narrow, table.cap, rows), u32::to_le_bytes)),
            ids: table.ids.iter().map(|id| &**id).collect(),
            others: Cow::Borrowed(&table.others.values),
            others_free: Cow::Borrowed(&table.others.free),
        }
    }

    /// How many rows it has.
    pub fn rows(&self) -> usize {
        self.ids.len()
    }

    /// The table again, with `meta` for its rows (one each, in row order), its cells laid
    /// out as `cells` says. Cells that do not add up to whole rows are an error, never a
    /// panic later.
    pub fn into_table(self, meta: Vec<Meta>, texts: &Texts, cells: CellOrder) -> Result<Table, String> {
        let shape =
            Shape::of(self.widths.iter().map(|w| w.map_or(Width::Wide, |high| Width::Narrow { high })).collect());
        let rows = self.ids.len();
        let fits = |what: &str, have: usize, want: usize| {
            if have == want {
                Ok(())
            } else {
                Err(format!("a table's {what} take {have} bytes where its {rows} rows need {want}"))
            }
        };
        fits("tags", self.tags.len(), rows * shape.widths.len())?;
        fits("wide cells", self.wide.len(), rows * shape.wide * 8)?;
        fits("narrow cells", self.narrow.len(), rows * shape.narrow * 4)?;
        if meta.len() != rows {
            return Err(format!("a table has {rows} rows and {} rows of bookkeeping", meta.len()));
        }
        let others = self.others.len();
        if self.others_free.iter().any(|i| *i as usize >= others) {
            return Err("a table's side list frees a place it does not have".into());
        }
        let (width, wide, narrow) = (shape.widths.len(), shape.wide, shape.narrow);
        let mut table = Table {
            shape,
            tags: columns_of(&self.tags, (width, rows), cells, |[t]: [u8; 1]| t),
            wide: columns_of(&self.wide, (wide, rows), cells, u64::from_le_bytes),
            narrow: columns_of(&self.narrow, (narrow, rows), cells, u32::from_le_bytes),
            cap: rows,
            ids: self.ids.into_iter().map(Arc::from).collect(),
            meta,
            others: Others { values: self.others.into_owned(), free: self.others_free.into_owned() },
            ..Table::default()
        };
        check(&table, texts)?;
        let (ids, hasher) = (&table.ids, &table.hasher);
        table.index.reserve(rows, |&m| hasher.hash_one(&*ids[m as usize]));
        for (r, id) in ids.iter().enumerate() {
            table.index.insert_unique(hasher.hash_one(&**id), r as u32, |&m| hasher.hash_one(&*ids[m as usize]));
        }
        Ok(table)
    }
}

/// Whether every cell is of a known kind, and every one that names a text or a side
/// value names one that is there: a snapshot put together wrongly is refused whole rather
/// than read as empty values.
fn check(table: &Table, texts: &Texts) -> Result<(), String> {
    for slot in 0..table.width() {
        for row in 0..table.rows() as u32 {
            let (tag, payload) = table.cell(row, slot);
            if tag > OTHER {
                return Err(format!("a cell has the unknown tag {tag}"));
            }
            let there = match tag {
                OTHER => (payload as usize) < table.others.values.len(),
                super::cell::TEXT | super::cell::REF => {
                    texts.list.get(payload as u32 as usize).is_some_and(Option::is_some)
                }
                _ => true,
            };
            if !there {
                return Err(format!(
                    "the record `{}` names a value the snapshot does not have",
                    table.ids[row as usize]
                ));
            }
        }
    }
    Ok(())
}

impl<'a> TextsSnap<'a> {
    pub fn of(texts: &'a Texts) -> TextsSnap<'a> {
        TextsSnap {
            list: texts.list.iter().map(|t| t.as_deref()).collect(),
            counts: Cow::Borrowed(&texts.counts),
            free: Cow::Borrowed(&texts.free),
        }
    }

    pub fn into_texts(self) -> Result<Texts, String> {
        let n = self.list.len();
        if self.counts.len() != n || self.free.iter().any(|f| *f as usize >= n) {
            return Err("the texts' counts or free numbers do not fit their list".into());
        }
        let mut texts = Texts {
            list: self.list.into_iter().map(|t| t.map(Arc::from)).collect(),
            counts: self.counts.into_owned(),
            free: self.free.into_owned(),
            ..Texts::default()
        };
        let (list, hasher) = (&texts.list, &texts.hasher);
        let hash = |m: &u32| hasher.hash_one(list[*m as usize].as_deref().unwrap_or(""));
        texts.index.reserve(n - texts.free.len().min(n), hash);
        for (i, t) in list.iter().enumerate() {
            if let Some(t) = t {
                texts.index.insert_unique(hasher.hash_one(&**t), i as u32, hash);
            }
        }
        Ok(texts)
    }
}

#[cfg(test)]
impl TableSnap<'_> {
    /// The same table with its cells row after row, as format 2 wrote them: how the tests
    /// make a snapshot of the previous format.
    pub(crate) fn into_row_major(mut self) -> Self {
        let rows = self.ids.len();
        let width = self.widths.len();
        let wide = self.widths.iter().filter(|w| w.is_none()).count();
        let transpose = |bytes: &[u8], size: usize, columns: usize| {
            let mut out = Vec::with_capacity(bytes.len());
            for r in 0..rows {
                for c in 0..columns {
                    let at = (c * rows + r) * size;
                    out.extend_from_slice(&bytes[at..at + size]);
                }
            }
            out
        };
        self.tags = Cow::Owned(transpose(&self.tags, 1, width));
        self.wide = Cow::Owned(transpose(&self.wide, 8, wide));
        self.narrow = Cow::Owned(transpose(&self.narrow, 4, width - wide));
        self
    }
}
