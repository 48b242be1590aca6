//! A table and the interned texts as a snapshot keeps them: the cells copied whole (tags,
//! then the wide and narrow cells as little-endian bytes), ids in row order, the side list
//! and the free numbers as they are. Restored, every record is at the same row and every
//! text at the same number, so a restored store is the one snapshotted, byte for byte, and
//! writing or reading a million rows is a few copies rather than a million values made.

use std::borrow::Cow;
use std::hash::BuildHasher;
use std::sync::Arc;

use serde::{Deserialize, Serialize};

use super::cell::{Others, OTHER};
use super::{Meta, Shape, Table, Texts, Width};
use crate::value::Value;

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

fn le_bytes<const N: usize, T: Copy>(cells: &[T], bytes: impl Fn(T) -> [u8; N]) -> Vec<u8> {
    let mut out = Vec::with_capacity(cells.len() * N);
    for c in cells {
        out.extend_from_slice(&bytes(*c));
    }
    out
}

impl<'a> TableSnap<'a> {
    pub fn of(table: &'a Table) -> TableSnap<'a> {
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
            tags: Cow::Borrowed(&table.tags),
            wide: Cow::Owned(le_bytes(&table.wide, u64::to_le_bytes)),
            narrow: Cow::Owned(le_bytes(&table.narrow, u32::to_le_bytes)),
            ids: table.ids.iter().map(|id| &**id).collect(),
            others: Cow::Borrowed(&table.others.values),
            others_free: Cow::Borrowed(&table.others.free),
        }
    }

    /// How many rows it has.
    pub fn rows(&self) -> usize {
        self.ids.len()
    }

    /// The table again, with `meta` for its rows (one each, in row order). Cells that do
    /// not add up to whole rows are an error, never a panic later.
    pub fn into_table(self, meta: Vec<Meta>, texts: &Texts) -> Result<Table, String> {
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
        self.check(&shape, texts)?;
        let mut table = Table {
            shape,
            tags: self.tags.into_owned(),
            wide: self.wide.chunks_exact(8).map(|c| u64::from_le_bytes(c.try_into().unwrap_or_default())).collect(),
            narrow: self.narrow.chunks_exact(4).map(|c| u32::from_le_bytes(c.try_into().unwrap_or_default())).collect(),
            ids: self.ids.into_iter().map(Arc::from).collect(),
            meta,
            others: Others { values: self.others.into_owned(), free: self.others_free.into_owned() },
            ..Table::default()
        };
        let (ids, hasher) = (&table.ids, &table.hasher);
        table.index.reserve(rows, |&m| hasher.hash_one(&*ids[m as usize]));
        for (r, id) in ids.iter().enumerate() {
            table.index.insert_unique(hasher.hash_one(&**id), r as u32, |&m| hasher.hash_one(&*ids[m as usize]));
        }
        Ok(table)
    }

    /// Whether every cell (of rows whose lengths were checked) that names a text or a side value names one that is there: a
    /// snapshot put together wrongly is refused whole rather than read as empty values.
    fn check(&self, shape: &Shape, texts: &Texts) -> Result<(), String> {
        let width = shape.widths.len();
        for (i, &tag) in self.tags.iter().enumerate() {
            if tag > OTHER {
                return Err(format!("a cell has the unknown tag {tag}"));
            }
            if !matches!(tag, super::cell::TEXT | super::cell::REF | OTHER) {
                continue;
            }
            let (row, slot) = (i / width.max(1), i % width.max(1));
            let place = shape.places[slot] as usize;
            let low = match shape.widths[slot] {
                Width::Wide => {
                    let at = (row * shape.wide + place) * 8;
                    u64::from_le_bytes(self.wide[at..at + 8].try_into().unwrap_or_default())
                }
                Width::Narrow { .. } => {
                    let at = (row * shape.narrow + place) * 4;
                    u64::from(u32::from_le_bytes(self.narrow[at..at + 4].try_into().unwrap_or_default()))
                }
            };
            let there = if tag == OTHER {
                (low as usize) < self.others.len()
            } else {
                texts.list.get(low as u32 as usize).is_some_and(Option::is_some)
            };
            if !there {
                return Err(format!("the record `{}` names a value the snapshot does not have", self.ids[row]));
            }
        }
        Ok(())
    }
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
