//! How compiled code finds a row's cells in its table's columns: field `slot`'s tag
//! column at `tags + slot * stride`, its payload column at `wide + place * stride * 8` or
//! `narrow + place * stride * 4` (`place` its place among the wide or the narrow fields,
//! `stride` the table's column stride, given at each call). The columns are worked out
//! once in the entry block; a cell is then one load at `column + row` for its tag and one
//! for its payload.

use cranelift_codegen::ir::{types, InstBuilder};

use super::emit::{flags, Emit, Ir};
use super::leaf::{self, Leaf};
use crate::rows::Width;
use crate::vm::Pred;

impl Emit<'_, '_> {
    /// Works out, where the builder is, the column addresses of every field a leaf of
    /// `pred` reads in place: called in the entry block, they dominate the whole function
    /// (a scan's loop among it), so each cell read after is one load at `column + row`.
    pub(super) fn columns(&mut self, pred: &Pred) {
        match pred {
            Pred::And(l, r) | Pred::Or(l, r) => {
                self.columns(l);
                self.columns(r);
            }
            Pred::Not(p) => self.columns(p),
            _ => {
                let slot = match leaf::of(pred, self.consts, self.widths.len()) {
                    Some(
                        Leaf::Exists { slot }
                        | Leaf::Compare { slot, .. }
                        | Leaf::Text { slot, .. }
                        | Leaf::Clock { slot, .. }
                        | Leaf::InEnums { slot, .. },
                    ) => slot as usize,
                    None => return,
                };
                if self.columns.len() <= slot {
                    self.columns.resize(slot + 1, None);
                }
                if self.columns[slot].is_none() {
                    self.columns[slot] = Some(self.column(slot as u32));
                }
            }
        }
    }

    /// The addresses of field `slot`'s tag column (`tags + slot * stride`) and payload
    /// column (`wide + place * stride * 8` or `narrow + place * stride * 4`).
    pub(super) fn column(&mut self, slot: u32) -> (Ir, Ir) {
        let offset = self.b.ins().imul_imm_s(self.stride, i64::from(slot));
        let tag = self.b.ins().iadd(self.tags, offset);
        let place = i64::from(self.places[slot as usize]);
        let (array, size) = match self.widths[slot as usize] {
            Width::Wide => (self.wide, 8),
            Width::Narrow { .. } => (self.narrow, 4),
        };
        let offset = self.b.ins().imul_imm_s(self.stride, place * size);
        (tag, self.b.ins().iadd(array, offset))
    }

    /// The cell of field `slot`: its tag and its whole payload (as `rows::layout::whole`
    /// gives it back, but for the high half of a narrow enum or reference, which is the
    /// field's type), both as 64-bit integers.
    pub(super) fn cell(&mut self, slot: u32) -> (Ir, Ir) {
        // Every leaf's columns are worked out first ([`Emit::columns`]); worked out here,
        // in the block being built, they would still be right, only slower.
        let (tag_at, payload_at) = match self.columns.get(slot as usize).copied().flatten() {
            Some(at) => at,
            None => self.column(slot),
        };
        let wide = self.widths[slot as usize] == Width::Wide;
        let (tag_at, payload_at) = match self.row {
            Some((r, r8, r4)) => {
                (self.b.ins().iadd(tag_at, r), self.b.ins().iadd(payload_at, if wide { r8 } else { r4 }))
            }
            None => (tag_at, payload_at),
        };
        let tag = self.b.ins().uload8(types::I64, flags(), tag_at, 0);
        let payload = if wide {
            self.b.ins().load(types::I64, flags(), payload_at, 0)
        } else {
            self.b.ins().uload32(flags(), payload_at, 0)
        };
        (tag, payload)
    }
}
