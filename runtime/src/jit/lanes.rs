//! The scan's lanes: sixteen consecutive rows tested at once with vector instructions,
//! when every leaf of the condition has a form over lanes ([`fits`]). A leaf loads the
//! sixteen rows' tags as one vector and their payloads two (wide cells) or four (narrow
//! cells) to a vector, compares them all, and gives one bit a row; `and`, `or` and `not`
//! combine the bits, which become the sixteen answer bytes.
//!
//! Beside its bits, each leaf says whether every row's cell is of a kind its bits are
//! exact for (the field's number kind, not NaN in an ordering; an enum, a date in the
//! calendar, a text or a reference; an empty cell where `==` or `!=` answers for it; the
//! late constant of the kind the field holds). When one row of the sixteen is not, the
//! sixteen take the scan's row-at-a-time code instead, so every answer is the one that
//! code gives, faults and hand-overs included, by construction.

use cranelift_codegen::ir::condcodes::{FloatCC, IntCC};
use cranelift_codegen::ir::{types, ConstantData, Endianness, InstBuilder, MemFlagsData, Type};
use play_compiler::program::{Cmp, Const};

use super::emit::{float_cc, int_cc, Emit, Ir};
use super::leaf::{self, Constant, Leaf};
use super::raw::Late;
use crate::rows::{cell, Width};
use crate::vm::Pred;

/// Rows tested at once.
pub(super) const LANES: i64 = 16;

/// What a leaf compares over lanes.
#[derive(Clone, Debug, PartialEq)]
enum Lane {
    /// `exists`: the tag alone.
    Exists,
    /// A number field's `NUM` cells (wide) against a number.
    Float { cmp: Cmp, k: f64 },
    /// The payloads of cells of kind `tag` against `k`, by `cc`: a whole number field's
    /// (wide), an enum variant of the field's type, a truth value (narrow).
    Int { tag: u8, cc: IntCC, k: i64 },
    /// A narrow date against a date (days).
    Date { cc: IntCC, k: i64 },
    /// `==` or `!=` an enum of another type than the field's: the same for every enum.
    Unequal,
    /// `in` (or `not in`) variants of the field's enum type.
    InEnums { variants: Vec<i64>, negated: bool },
    /// `==` or `!=` a text (late constant `index`).
    Text { index: u32 },
    /// Against a clock term (a late constant): a narrow date field's days, a wide moment
    /// field's seconds.
    Clock { term: *const crate::vm::Term },
}

/// The lane form of `known`, a leaf over a field of width `width` whose number kind is
/// `number` (`rows::layout::number_tag`); `None` when it has none.
fn lane(known: &Leaf, width: Width, number: u8) -> Option<Lane> {
    let narrow = matches!(width, Width::Narrow { .. });
    Some(match *known {
        Leaf::Exists { .. } => Lane::Exists,
        Leaf::Compare { cmp, constant, .. } => match constant {
            Constant::Int(k) if number == cell::NUM => Lane::Float { cmp, k: k as f64 },
            Constant::Number(k) if number == cell::NUM => Lane::Float { cmp, k },
            Constant::Int(k) if number == cell::INT && !narrow => {
                Lane::Int { tag: cell::INT, cc: int_cc(cmp, true), k }
            }
            Constant::Enum { ty, variant } => match width {
                Width::Narrow { high } if high == ty => {
                    Lane::Int { tag: cell::ENUM, cc: int_cc(cmp, false), k: i64::from(variant) }
                }
                Width::Narrow { .. } if matches!(cmp, Cmp::Eq | Cmp::Ne) => Lane::Unequal,
                _ => return None,
            },
            Constant::Bool(k) if narrow => Lane::Int { tag: cell::BOOL, cc: int_cc(cmp, false), k: i64::from(k) },
            Constant::Date(k) if narrow && i32::try_from(k).is_ok() => Lane::Date { cc: int_cc(cmp, true), k },
            _ => return None,
        },
        Leaf::InEnums { ref variants, negated, .. } => {
            let Width::Narrow { high } = width else { return None };
            let variants = variants.iter().filter(|(t, _)| *t == high).map(|(_, v)| i64::from(*v)).collect();
            Lane::InEnums { variants, negated }
        }
        Leaf::Text { .. } if !narrow => return None,
        Leaf::Text { index, .. } => Lane::Text { index },
        Leaf::Clock { term, .. } => Lane::Clock { term },
    })
}

/// The slot and comparison of a leaf (`==` for those without one).
fn parts(known: &Leaf) -> (u32, Cmp) {
    match *known {
        Leaf::Exists { slot } | Leaf::InEnums { slot, .. } => (slot, Cmp::Eq),
        Leaf::Compare { slot, cmp, .. } | Leaf::Text { slot, cmp, .. } | Leaf::Clock { slot, cmp, .. } => (slot, cmp),
    }
}

/// Whether every leaf of `pred` (a condition over rows of `widths`, whose number kinds
/// are `numbers`) has a lane form.
pub(super) fn fits(pred: &Pred, consts: &[Const], widths: &[Width], numbers: &[u8]) -> bool {
    match pred {
        Pred::And(l, r) | Pred::Or(l, r) => fits(l, consts, widths, numbers) && fits(r, consts, widths, numbers),
        Pred::Not(p) => fits(p, consts, widths, numbers),
        _ => leaf::of(pred, consts, widths.len()).is_some_and(|known| {
            let slot = parts(&known).0 as usize;
            lane(&known, widths[slot], numbers.get(slot).copied().unwrap_or(cell::EMPTY)).is_some()
        }),
    }
}

/// What the sixteen rows' leaves have said so far about their cells.
struct Kinds {
    /// A lane mask (`I8X16`): the rows whose every cell so far is of a kind its leaf is
    /// exact for.
    ok: Option<Ir>,
    /// A truth value (`I8`): some cell so far is not (found other than by its tag).
    bad: Option<Ir>,
}

/// Loads of the sixteen rows' cells: read-only, and not aligned to a vector.
fn vflags() -> MemFlagsData {
    MemFlagsData::new().with_notrap().with_readonly()
}

/// A bitcast between vector types of different lanes.
fn little() -> MemFlagsData {
    MemFlagsData::new().with_endianness(Endianness::Little)
}

impl Emit<'_, '_> {
    /// `pred` over the sixteen rows from `r`, the row set in `Emit::row`: whether some row
    /// must take the row-at-a-time code (`I8`, 0 or 1), and one bit a row (`I32`, row
    /// `r + i` at bit `i`), exact when the first is 0.
    pub(super) fn lanes(&mut self, pred: &Pred) -> (Ir, Ir) {
        let mut kinds = Kinds { ok: None, bad: None };
        let bits = self.lane_pred(pred, &mut kinds);
        let mut bad = kinds.bad.unwrap_or_else(|| self.b.ins().iconst(types::I8, 0));
        if let Some(ok) = kinds.ok {
            let all = self.b.ins().vall_true(ok);
            let not_all = self.b.ins().bxor_imm_s(all, 1);
            bad = self.b.ins().bor(bad, not_all);
        }
        (bad, bits)
    }

    /// Sixteen answer bits (`I32`) as sixteen answer bytes (0 or 1, `I8X16`).
    pub(super) fn lane_bytes(&mut self, bits: Ir) -> Ir {
        let v = self.b.ins().scalar_to_vector(types::I32X4, bits);
        let v = self.b.ins().bitcast(types::I8X16, little(), v);
        // Bytes 0-7 take the bits' low byte, 8-15 the next; each then keeps its own bit.
        let spread: [u8; 16] = std::array::from_fn(|i| (i / 8) as u8);
        let spread = self.b.func.dfg.immediates.push(ConstantData::from(&spread[..]));
        let v = self.b.ins().shuffle(v, v, spread);
        let each: [u8; 16] = std::array::from_fn(|i| 1 << (i % 8));
        let each = self.vconst(types::I8X16, &each);
        let v = self.b.ins().band(v, each);
        let one = self.vconst(types::I8X16, &[1; 16]);
        self.b.ins().umin(v, one)
    }

    fn lane_pred(&mut self, pred: &Pred, kinds: &mut Kinds) -> Ir {
        match pred {
            Pred::And(l, r) | Pred::Or(l, r) => {
                let l = self.lane_pred(l, kinds);
                let r = self.lane_pred(r, kinds);
                if matches!(pred, Pred::And(..)) {
                    self.b.ins().band(l, r)
                } else {
                    self.b.ins().bor(l, r)
                }
            }
            Pred::Not(p) => {
                let v = self.lane_pred(p, kinds);
                self.b.ins().bxor_imm_s(v, 0xFFFF)
            }
            _ => {
                let known = leaf::of(pred, self.consts, self.widths.len());
                let lane = known.as_ref().and_then(|known| {
                    let slot = parts(known).0 as usize;
                    let number = self.numbers.get(slot).copied().unwrap_or(cell::EMPTY);
                    Some((parts(known), lane(known, self.widths[slot], number)?))
                });
                match lane {
                    Some(((slot, cmp), lane)) => self.lane_leaf(slot, cmp, lane, kinds),
                    // `fits` checked there is none: never taken.
                    None => {
                        let always = self.b.ins().iconst(types::I8, 1);
                        kinds.bad = Some(always);
                        self.b.ins().iconst(types::I32, 0)
                    }
                }
            }
        }
    }

    /// A leaf's bits over field `slot`'s cells, noting in `kinds` which cells they are
    /// exact for.
    fn lane_leaf(&mut self, slot: u32, cmp: Cmp, lane: Lane, kinds: &mut Kinds) -> Ir {
        let tags = self.lane_tags(slot);
        let wide = self.wide(slot);
        let equality = matches!(cmp, Cmp::Eq | Cmp::Ne);
        let (kind, bits) = match lane {
            Lane::Exists => {
                let other = self.tag_is(tags, cell::OTHER);
                let fine = self.b.ins().bnot(other);
                self.note(kinds, fine);
                let empty = self.tag_is(tags, cell::EMPTY);
                let bits = self.b.ins().vhigh_bits(types::I32, empty);
                return self.b.ins().bxor_imm_s(bits, 0xFFFF);
            }
            Lane::Float { cmp, k } => {
                let xs = self.lane_payloads(slot, types::F64X2);
                let k = self.vconst(types::F64X2, &repeat(&k.to_le_bytes()));
                let cc = float_cc(cmp);
                if !equality {
                    // NaN has no order: the row-at-a-time code hands it over.
                    let nan = self.lane_any(&xs, |e, x, y| e.b.ins().fcmp(FloatCC::Unordered, x, y));
                    self.note_bad(kinds, nan);
                }
                (cell::NUM, self.lane_bits(&xs, |e, x| e.b.ins().fcmp(cc, x, k)))
            }
            Lane::Int { tag, cc, k } => {
                let ty = if wide { types::I64X2 } else { types::I32X4 };
                let xs = self.lane_payloads(slot, ty);
                let k = self.lane_const(ty, k);
                (tag, self.lane_bits(&xs, |e, x| e.b.ins().icmp(cc, x, k)))
            }
            Lane::Date { cc, k } => {
                let xs = self.lane_payloads(slot, types::I32X4);
                self.lane_days(&xs, kinds);
                let k = self.lane_const(types::I32X4, k);
                (cell::DATE, self.lane_bits(&xs, |e, x| e.b.ins().icmp(cc, x, k)))
            }
            Lane::Unequal => (cell::ENUM, self.b.ins().iconst(types::I32, if cmp == Cmp::Ne { 0xFFFF } else { 0 })),
            Lane::InEnums { variants, negated } => {
                let xs = self.lane_payloads(slot, types::I32X4);
                let ks: Vec<Ir> = variants.iter().map(|&v| self.lane_const(types::I32X4, v)).collect();
                let hit = self.lane_bits(&xs, |e, x| {
                    let none = e.vconst(types::I32X4, &[0; 16]);
                    ks.iter().fold(none, |hit, &k| {
                        let same = e.b.ins().icmp(IntCC::Equal, x, k);
                        e.b.ins().bor(hit, same)
                    })
                });
                let is_enum = self.tag_is(tags, cell::ENUM);
                let empty = self.tag_is(tags, cell::EMPTY);
                let fine = self.b.ins().bor(is_enum, empty);
                self.note(kinds, fine);
                let enums = self.b.ins().vhigh_bits(types::I32, is_enum);
                let hit = self.b.ins().band(hit, enums);
                return if negated { self.b.ins().bxor_imm_s(hit, 0xFFFF) } else { hit };
            }
            Lane::Text { index } => return self.lane_text(slot, cmp, index, tags, kinds),
            Lane::Clock { term } => {
                let (want, ty) = if wide { (cell::MOMENT, types::I64X2) } else { (cell::DATE, types::I32X4) };
                let Some((ltag, value)) = self.late(Late::Clock(term)) else {
                    let always = self.b.ins().iconst(types::I8, 1);
                    self.note_bad(kinds, always);
                    return self.b.ins().iconst(types::I32, 0);
                };
                let other = self.b.ins().icmp_imm_s(IntCC::NotEqual, ltag, i64::from(want));
                self.note_bad(kinds, other);
                let xs = self.lane_payloads(slot, ty);
                let k = if wide {
                    self.b.ins().splat(ty, value)
                } else {
                    // A day too far for a date's cell is the row-at-a-time code's.
                    let low = self.b.ins().ireduce(types::I32, value);
                    let back = self.b.ins().sextend(types::I64, low);
                    let far = self.b.ins().icmp(IntCC::NotEqual, back, value);
                    self.note_bad(kinds, far);
                    self.lane_days(&xs, kinds);
                    self.b.ins().splat(ty, low)
                };
                let cc = int_cc(cmp, true);
                (want, self.lane_bits(&xs, |e, x| e.b.ins().icmp(cc, x, k)))
            }
        };
        // Cells of the kind compared; with `==` and `!=`, empty cells too, unequal to
        // everything.
        let of_kind = self.tag_is(tags, kind);
        if !equality {
            self.note(kinds, of_kind);
            return bits;
        }
        let empty = self.tag_is(tags, cell::EMPTY);
        let fine = self.b.ins().bor(of_kind, empty);
        self.note(kinds, fine);
        let empties = self.b.ins().vhigh_bits(types::I32, empty);
        let filled = self.b.ins().bxor_imm_s(empties, 0xFFFF);
        let bits = self.b.ins().band(bits, filled);
        if cmp == Cmp::Ne {
            self.b.ins().bor(bits, empties)
        } else {
            bits
        }
    }

    /// `==` or `!=` a text over lanes, as `Emit::text` works it out: a text or a
    /// reference cell names an interned text, equal when its number is the constant's
    /// (when the constant is one: a late constant of kind text; empty, it is no field's);
    /// an empty cell is unequal.
    fn lane_text(&mut self, slot: u32, cmp: Cmp, index: u32, tags: Ir, kinds: &mut Kinds) -> Ir {
        let Some((ltag, number)) = self.late(Late::Text(index)) else {
            let always = self.b.ins().iconst(types::I8, 1);
            self.note_bad(kinds, always);
            return self.b.ins().iconst(types::I32, 0);
        };
        let lempty = self.b.ins().icmp_imm_s(IntCC::Equal, ltag, i64::from(cell::EMPTY));
        let ltext = self.b.ins().icmp_imm_s(IntCC::Equal, ltag, i64::from(cell::TEXT));
        let known = self.b.ins().bor(lempty, ltext);
        let unknown = self.b.ins().bxor_imm_s(known, 1);
        self.note_bad(kinds, unknown);
        // A number past a narrow cell's is no cell's (the constant's number is a text's).
        let far = self.b.ins().icmp_imm_s(IntCC::UnsignedGreaterThan, number, i64::from(u32::MAX));
        self.note_bad(kinds, far);
        let [text, reference, empty] = [cell::TEXT, cell::REF, cell::EMPTY].map(|t| self.tag_is(tags, t));
        let named = self.b.ins().bor(text, reference);
        let fine = self.b.ins().bor(named, empty);
        self.note(kinds, fine);
        let xs = self.lane_payloads(slot, types::I32X4);
        let low = self.b.ins().ireduce(types::I32, number);
        let k = self.b.ins().splat(types::I32X4, low);
        let same = self.lane_bits(&xs, |e, x| e.b.ins().icmp(IntCC::Equal, x, k));
        let names = self.b.ins().vhigh_bits(types::I32, named);
        let same = self.b.ins().band(same, names);
        let none = self.b.ins().iconst(types::I32, 0);
        let same = self.b.ins().select(ltext, same, none);
        if cmp == Cmp::Eq {
            same
        } else {
            self.b.ins().bxor_imm_s(same, 0xFFFF)
        }
    }

    /// Whether field `slot` is kept in wide cells.
    fn wide(&self, slot: u32) -> bool {
        self.widths[slot as usize] == Width::Wide
    }

    /// The row's (`Emit::row`) column addresses of field `slot`'s tags and payloads.
    fn lane_at(&mut self, slot: u32) -> (Ir, Ir) {
        let (tag_at, payload_at) = match self.columns.get(slot as usize).copied().flatten() {
            Some(at) => at,
            None => self.column(slot),
        };
        let (r, r8, r4) = self.row.expect("the lanes' first row is set");
        let offset = if self.wide(slot) { r8 } else { r4 };
        (self.b.ins().iadd(tag_at, r), self.b.ins().iadd(payload_at, offset))
    }

    /// The sixteen rows' tags of field `slot`.
    fn lane_tags(&mut self, slot: u32) -> Ir {
        let (at, _) = self.lane_at(slot);
        self.b.ins().load(types::I8X16, vflags(), at, 0)
    }

    /// The sixteen rows' payloads of field `slot`, as vectors of `ty` (two wide or four
    /// narrow payloads each), in row order.
    fn lane_payloads(&mut self, slot: u32, ty: Type) -> Vec<Ir> {
        let (_, at) = self.lane_at(slot);
        (0..LANES / i64::from(ty.lane_count())).map(|j| self.b.ins().load(ty, vflags(), at, (j * 16) as i32)).collect()
    }

    /// One bit a row from a lane mask of each vector of `xs` (`compare`'s).
    fn lane_bits(&mut self, xs: &[Ir], mut compare: impl FnMut(&mut Self, Ir) -> Ir) -> Ir {
        let per = LANES / xs.len() as i64;
        let mut bits = None;
        for (j, &x) in xs.iter().enumerate() {
            let mask = compare(self, x);
            let got = self.b.ins().vhigh_bits(types::I32, mask);
            let got = if j == 0 { got } else { self.b.ins().ishl_imm_s(got, j as i64 * per) };
            bits = Some(match bits {
                Some(b) => self.b.ins().bor(b, got),
                None => got,
            });
        }
        bits.expect("sixteen rows in some vectors")
    }

    /// Whether `pair` holds in some lane of some pair of vectors of `xs`.
    fn lane_any(&mut self, xs: &[Ir], mut pair: impl FnMut(&mut Self, Ir, Ir) -> Ir) -> Ir {
        let masks: Vec<Ir> = xs.chunks(2).map(|p| pair(self, p[0], p[p.len() - 1])).collect();
        let any = masks.into_iter().reduce(|a, m| self.b.ins().bor(a, m)).expect("some vectors");
        self.b.ins().vany_true(any)
    }

    /// Notes the rows whose narrow date payloads `xs` are outside the calendar (they
    /// read as empty) as the row-at-a-time code's.
    fn lane_days(&mut self, xs: &[Ir], kinds: &mut Kinds) {
        let (first, last) = leaf::days();
        let (first, last) = (self.lane_const(types::I32X4, first), self.lane_const(types::I32X4, last));
        let outside = self.lane_any(xs, |e, x, y| {
            let mut out = None;
            for v in [x, y] {
                let below = e.b.ins().icmp(IntCC::SignedLessThan, v, first);
                let above = e.b.ins().icmp(IntCC::SignedGreaterThan, v, last);
                let o = e.b.ins().bor(below, above);
                out = Some(match out {
                    Some(p) => e.b.ins().bor(p, o),
                    None => o,
                });
            }
            out.expect("two vectors")
        });
        self.note_bad(kinds, outside);
    }

    /// The lane mask of the tags `tags` equal to `want`.
    fn tag_is(&mut self, tags: Ir, want: u8) -> Ir {
        let k = self.vconst(types::I8X16, &[want; 16]);
        self.b.ins().icmp(IntCC::Equal, tags, k)
    }

    /// Notes that only the rows of lane mask `fine` have cells the bits are exact for.
    fn note(&mut self, kinds: &mut Kinds, fine: Ir) {
        kinds.ok = Some(match kinds.ok {
            Some(ok) => self.b.ins().band(ok, fine),
            None => fine,
        });
    }

    /// Notes that the rows must take the row-at-a-time code when `bad` (`I8`) is 1.
    fn note_bad(&mut self, kinds: &mut Kinds, bad: Ir) {
        kinds.bad = Some(match kinds.bad {
            Some(b) => self.b.ins().bor(b, bad),
            None => bad,
        });
    }

    /// `k` in every lane of a vector of `ty` (whose lanes are 32 or 64 bits).
    fn lane_const(&mut self, ty: Type, k: i64) -> Ir {
        let bytes = if ty.lane_bits() == 32 { repeat(&(k as i32).to_le_bytes()) } else { repeat(&k.to_le_bytes()) };
        self.vconst(ty, &bytes)
    }

    /// A vector constant of `ty` with bytes `bytes`.
    fn vconst(&mut self, ty: Type, bytes: &[u8; 16]) -> Ir {
        let c = self.b.func.dfg.constants.insert(ConstantData::from(&bytes[..]));
        self.b.ins().vconst(ty, c)
    }
}

/// `v` repeated to sixteen bytes.
fn repeat(v: &[u8]) -> [u8; 16] {
    std::array::from_fn(|i| v[i % v.len()])
}
