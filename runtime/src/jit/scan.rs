//! The compiled scan: for each condition of a scheduled playbook, a second function (in
//! the same module as the one over a row) that walks many rows of one table, given by
//! number, straight over the table's columns, and writes one answer byte per row: 0
//! false, 1 true, 2 "test this row alone". It never calls the slow path: a row that would
//! need it, or the interpreter, is answered 2, and the caller tests it again alone
//! (`raw::Runner::call`), so the answers and faults are those of the function over one
//! row, by construction. Sixteen consecutive rows are tested at once first where the
//! condition allows (`lanes.rs`); the loop below tests the rest one row at a time.
//!
//! The columns a leaf reads (field `slot`'s tags at `tags + slot * stride`, its payloads at
//! `wide + place * stride * 8` or `narrow + place * stride * 4`, the stride given at the
//! call) are worked out once, before the loop; each row then costs the load of its number
//! and, per leaf, a load at `column + r` for its tag and one for its payload.
//!
//! When every leaf of the condition is one compiled code works out in place, each row is
//! first tested without branches: every leaf's cell loaded and compared, each giving
//! whether its cell is of a kind it answers for ("ok") and its answer, combined with
//! `and`/`or`/`not` as bit operations. When every leaf is ok the answer is exact whatever
//! the order of evaluation (no leaf can fault or hand over), so it is stored after a
//! single, well-predicted branch; otherwise the row takes the branching code, which
//! short-circuits as the interpreter does.

use cranelift_codegen::ir::condcodes::{FloatCC, IntCC};
use cranelift_codegen::ir::{types, AbiParam, Block, Function, InstBuilder, MemFlagsData, Signature};
use cranelift_codegen::isa::TargetFrontendConfig;
use cranelift_frontend::{FunctionBuilder, FunctionBuilderContext, Variable};
use cranelift_jit::JITModule;
use cranelift_module::Module;
use play_compiler::program::{Cmp, Const};

use super::emit::{flags, int_cc, Emit};
use super::leaf::{self, Constant, Leaf};
use super::raw::{Late, Scanning};
use crate::rows::{cell, layout, Width};
use crate::vm::Pred;

type Ir = cranelift_codegen::ir::Value;

/// How many leaves a condition may have for its rows to be tested without branches first
/// (each row then loads and compares every leaf's cell).
const FLAT_LEAVES: usize = 16;

/// The scan's signature: the table's tags, wide and narrow cells, the column stride, the
/// late constants' values, the `n` row numbers (or null: the rows `first` to
/// `first + n - 1`), `first`, `n`, where the `n` answer bytes go, and whether the row
/// numbers ascend (1) or not (0); it returns every answer or-ed together (bit 2 set when
/// some row is to be tested alone).
pub(super) fn signature(module: &JITModule) -> Signature {
    let ptr = module.target_config().pointer_type();
    let mut sig = module.make_signature();
    sig.params.extend([AbiParam::new(ptr); 3]);
    sig.params.push(AbiParam::new(types::I64));
    sig.params.extend([AbiParam::new(ptr); 2]);
    sig.params.extend([AbiParam::new(types::I64), AbiParam::new(types::I64), AbiParam::new(ptr)]);
    sig.params.push(AbiParam::new(types::I64));
    sig.returns.push(AbiParam::new(types::I8));
    sig
}

/// Builds the scan of `pred` over rows of `widths` into `func` (whose signature is
/// [`signature`]'s), comparing with the late constants `lates` at their places (and any
/// more it needs after them): gives back the late constants in order, and how the scan
/// tests its rows.
pub(super) fn build(
    func: &mut Function,
    builder_ctx: &mut FunctionBuilderContext,
    (pred, widths, numbers): (&Pred, &[Width], &[u8]),
    consts: &[Const],
    lates: Vec<Late>,
    frontend: TargetFrontendConfig,
) -> (Vec<Late>, Scanning) {
    let ptr = frontend.pointer_type();
    let mut b = FunctionBuilder::new(func, builder_ctx);
    let start = b.create_block();
    b.append_block_params_for_function_params(start);
    b.switch_to_block(start);
    let p = b.block_params(start).to_vec();
    let (tags, wide, narrow, stride, late) = (p[0], p[1], p[2], p[3], p[4]);
    let (rows, first, n, out, ascending) = (p[5], p[6], p[7], p[8], p[9]);
    let [header, pick, by_count, by_list, body, done, exit] = [(); 7].map(|_| b.create_block());
    let zero = b.ins().iconst(types::I64, 0);
    let (places, _, _) = layout::places(widths);
    let [yes, no, redo] = [(); 3].map(|_| b.create_block());
    let mut emit = Emit {
        b,
        tags,
        wide,
        narrow,
        stride,
        columns: Vec::new(),
        row: None,
        late,
        env: zero,
        lates,
        unknown: redo,
        redo: Some(redo),
        slow_sig: None,
        widths,
        numbers,
        places,
        consts,
        ptr,
    };
    // The columns the leaves read, once, before the loop.
    emit.columns(pred);
    let counted = emit.b.ins().icmp_imm_s(IntCC::Equal, rows, 0);
    let none = emit.b.ins().iconst(types::I8, 0);
    // Sixteen consecutive rows are tested at once first when the condition has a form
    // over lanes (`lanes.rs`); the row-at-a-time loop below then tests the sixteen rows
    // the lanes could not answer (or that were not consecutive), and the last rows, up
    // to `limit`.
    let lanes = flat(pred, consts, widths.len()) && super::lanes::fits(pred, consts, widths, numbers);
    let limit = emit.b.declare_var(types::I64);
    emit.b.def_var(limit, n);
    let [lanes_head, after] = [(); 2].map(|_| emit.b.create_block());
    if lanes {
        emit.b.ins().jump(lanes_head, &[zero.into(), none.into()]);
    } else {
        emit.b.ins().jump(header, &[zero.into(), none.into()]);
    }

    // header(i, seen): the loop over i up to `limit`, `seen` the answers so far or-ed.
    emit.b.switch_to_block(header);
    let i = emit.b.append_block_param(header, types::I64);
    let seen = emit.b.append_block_param(header, types::I8);
    let up_to = emit.b.use_var(limit);
    let more = emit.b.ins().icmp(IntCC::UnsignedLessThan, i, up_to);
    emit.b.ins().brif(more, pick, &[], after, &[i.into(), seen.into()]);
    // Row r: `first + i` when the rows are consecutive (no row numbers given: the branch
    // goes the same way for every row), else `rows[i]`.
    emit.b.switch_to_block(pick);
    emit.b.ins().brif(counted, by_count, &[], by_list, &[]);
    emit.b.switch_to_block(by_count);
    let r = emit.b.ins().iadd(first, i);
    emit.b.ins().jump(body, &[r.into()]);
    emit.b.switch_to_block(by_list);
    let at = emit.b.ins().ishl_imm_s(i, 2);
    let at = emit.b.ins().iadd(rows, at);
    let r = emit.b.ins().uload32(flags(), at, 0);
    emit.b.ins().jump(body, &[r.into()]);
    // Its cells: at r in each column.
    emit.b.switch_to_block(body);
    let r = emit.b.append_block_param(body, types::I64);
    let r8 = emit.b.ins().ishl_imm_s(r, 3);
    let r4 = emit.b.ins().ishl_imm_s(r, 2);
    emit.row = Some((r, r8, r4));
    if flat(pred, consts, widths.len()) {
        let branching = emit.b.create_block();
        let (ok, holds) = emit.flat(pred);
        emit.b.ins().brif(ok, done, &[holds.into()], branching, &[]);
        emit.b.switch_to_block(branching);
    }
    emit.pred(pred, yes, no);
    for (block, answer) in [(yes, 1), (no, 0), (redo, 2)] {
        emit.b.switch_to_block(block);
        let v = emit.b.ins().iconst(types::I8, answer);
        emit.b.ins().jump(done, &[v.into()]);
    }

    // done(answer): stored at out[i], then the next row.
    emit.b.switch_to_block(done);
    let answer = emit.b.append_block_param(done, types::I8);
    let to = emit.b.ins().iadd(out, i);
    emit.b.ins().store(MemFlagsData::trusted(), answer, to, 0);
    let next = emit.b.ins().iadd_imm_s(i, 1);
    let seen = emit.b.ins().bor(seen, answer);
    emit.b.ins().jump(header, &[next.into(), seen.into()]);
    // after(i, seen): past `limit`; back to the lanes when rows are left.
    emit.b.switch_to_block(after);
    let i = emit.b.append_block_param(after, types::I64);
    let seen = emit.b.append_block_param(after, types::I8);
    if lanes {
        let left = emit.b.ins().icmp(IntCC::UnsignedLessThan, i, n);
        emit.b.ins().brif(left, lanes_head, &[i.into(), seen.into()], exit, &[seen.into()]);
        let rows_given = (rows, counted, ascending);
        emit.lanes_loop(lanes_head, header, rows_given, (first, n, out), limit, pred);
    } else {
        emit.b.ins().jump(exit, &[seen.into()]);
    }
    emit.b.switch_to_block(exit);
    let seen = emit.b.append_block_param(exit, types::I8);
    emit.b.ins().return_(&[seen]);
    emit.b.seal_all_blocks();
    emit.b.finalize(frontend);
    (emit.lates, if lanes { Scanning::SixteenAtOnce } else { Scanning::RowByRow })
}

/// Whether every leaf of `pred` is worked out in place, and there are few enough of them,
/// for its rows to be tested without branches first.
fn flat(pred: &Pred, consts: &[Const], width: usize) -> bool {
    fn leaves(pred: &Pred, consts: &[Const], width: usize, count: &mut usize) -> bool {
        match pred {
            Pred::And(l, r) | Pred::Or(l, r) => leaves(l, consts, width, count) && leaves(r, consts, width, count),
            Pred::Not(p) => leaves(p, consts, width, count),
            _ => {
                *count += 1;
                leaf::of(pred, consts, width).is_some()
            }
        }
    }
    let mut count = 0;
    leaves(pred, consts, width, &mut count) && count <= FLAT_LEAVES
}

impl Emit<'_, '_> {
    /// The loop over sixteen consecutive rows at a time, from block `head` (the rows from
    /// `first`, `n` of them, when `counted`, else the `n` at `rows`, taken sixteen at a
    /// time when they `ascend` by one; their answers to `out`): sixteen rows that are not
    /// consecutive, or whose cells the lanes do not answer for, and the last rows, go to
    /// the row-at-a-time loop at `one_by_one` with `limit` set to where it stops.
    fn lanes_loop(
        &mut self,
        head: Block,
        one_by_one: Block,
        (rows, counted, ascending): (Ir, Ir, Ir),
        (first, n, out): (Ir, Ir, Ir),
        limit: Variable,
        pred: &Pred,
    ) {
        let [pick, by_count, by_list, body, store] = [(); 5].map(|_| self.b.create_block());
        // head(i, seen): sixteen rows left from i?
        self.b.switch_to_block(head);
        let i = self.b.append_block_param(head, types::I64);
        let seen = self.b.append_block_param(head, types::I8);
        self.b.def_var(limit, n);
        let end = self.b.ins().iadd_imm_s(i, super::lanes::LANES);
        let whole = self.b.ins().icmp(IntCC::UnsignedLessThanOrEqual, end, n);
        self.b.ins().brif(whole, pick, &[], one_by_one, &[i.into(), seen.into()]);
        self.b.switch_to_block(pick);
        self.b.ins().brif(counted, by_count, &[], by_list, &[]);
        self.b.switch_to_block(by_count);
        let r = self.b.ins().iadd(first, i);
        self.b.ins().jump(body, &[r.into()]);
        // Given row numbers: sixteen that ascend and are fifteen apart are consecutive.
        self.b.switch_to_block(by_list);
        let at = self.b.ins().ishl_imm_s(i, 2);
        let at = self.b.ins().iadd(rows, at);
        let r = self.b.ins().uload32(flags(), at, 0);
        let last = self.b.ins().uload32(flags(), at, 4 * (super::lanes::LANES as i32 - 1));
        let apart = self.b.ins().isub(last, r);
        let run = self.b.ins().icmp_imm_s(IntCC::Equal, apart, super::lanes::LANES - 1);
        let up = self.b.ins().icmp_imm_s(IntCC::NotEqual, ascending, 0);
        let run = self.b.ins().band(run, up);
        self.b.def_var(limit, end);
        self.b.ins().brif(run, body, &[r.into()], one_by_one, &[i.into(), seen.into()]);
        // body(r): the sixteen rows from r.
        self.b.switch_to_block(body);
        let r = self.b.append_block_param(body, types::I64);
        let r8 = self.b.ins().ishl_imm_s(r, 3);
        let r4 = self.b.ins().ishl_imm_s(r, 2);
        self.row = Some((r, r8, r4));
        let (bad, bits) = self.lanes(pred);
        self.b.def_var(limit, end);
        self.b.ins().brif(bad, one_by_one, &[i.into(), seen.into()], store, &[]);
        self.b.switch_to_block(store);
        let bytes = self.lane_bytes(bits);
        let to = self.b.ins().iadd(out, i);
        self.b.ins().store(MemFlagsData::new().with_notrap(), bytes, to, 0);
        let some = self.b.ins().icmp_imm_s(IntCC::NotEqual, bits, 0);
        let seen = self.b.ins().bor(seen, some);
        self.b.ins().jump(head, &[end.into(), seen.into()]);
    }

    /// `pred` over the row without branches: whether every leaf's cell is of a kind it
    /// answers for (so the condition's value is exact), and that value, as 0 or 1 each.
    fn flat(&mut self, pred: &Pred) -> (Ir, Ir) {
        match pred {
            Pred::And(l, r) | Pred::Or(l, r) => {
                let (lok, lv) = self.flat(l);
                let (rok, rv) = self.flat(r);
                let ok = self.b.ins().band(lok, rok);
                let v =
                    if matches!(pred, Pred::And(..)) { self.b.ins().band(lv, rv) } else { self.b.ins().bor(lv, rv) };
                (ok, v)
            }
            Pred::Not(p) => {
                let (ok, v) = self.flat(p);
                (ok, self.b.ins().bxor_imm_s(v, 1))
            }
            _ => match leaf::of(pred, self.consts, self.widths.len()) {
                Some(known) => self.flat_leaf(known),
                None => {
                    // `flat` checked there is none: the row takes the branching code.
                    let no = self.b.ins().iconst(types::I8, 0);
                    (no, no)
                }
            },
        }
    }

    /// A leaf without branches, as `Emit::leaf` works it out when its cell is ok.
    fn flat_leaf(&mut self, known: Leaf) -> (Ir, Ir) {
        let is = |e: &mut Self, tag: Ir, want: u8| e.b.ins().icmp_imm_s(IntCC::Equal, tag, i64::from(want));
        match known {
            Leaf::Exists { slot } => {
                let (tag, _) = self.cell(slot);
                let ok = self.b.ins().icmp_imm_s(IntCC::NotEqual, tag, i64::from(cell::OTHER));
                let v = self.b.ins().icmp_imm_s(IntCC::NotEqual, tag, i64::from(cell::EMPTY));
                (ok, v)
            }
            Leaf::Compare { slot, cmp, constant } => {
                let (tag, payload) = self.cell(slot);
                let (ok, v) = self.flat_compare(slot, tag, payload, cmp, constant);
                self.or_empty(tag, cmp, ok, v)
            }
            Leaf::Text { slot, cmp, index } => {
                let Some((ltag, number)) = self.late(Late::Text(index)) else { return self.never() };
                let (tag, payload) = self.cell(slot);
                let [empty, text, reference] = [cell::EMPTY, cell::TEXT, cell::REF].map(|t| is(self, tag, t));
                let [lempty, ltext] = [cell::EMPTY, cell::TEXT].map(|t| is(self, ltag, t));
                let named = self.b.ins().bor(text, reference);
                let known = self.b.ins().bor(lempty, ltext);
                let named = self.b.ins().band(named, known);
                let ok = self.b.ins().bor(empty, named);
                let n = self.b.ins().band_imm_s(payload, 0xFFFF_FFFF);
                let same = self.b.ins().icmp(IntCC::Equal, n, number);
                let same = self.b.ins().band(same, ltext);
                let not_empty = self.b.ins().bxor_imm_s(empty, 1);
                let same = self.b.ins().band(same, not_empty);
                let v = if cmp == Cmp::Eq { same } else { self.b.ins().bxor_imm_s(same, 1) };
                (ok, v)
            }
            Leaf::Clock { slot, cmp, term } => {
                let Some((ltag, value)) = self.late(Late::Clock(term)) else { return self.never() };
                let (tag, payload) = self.cell(slot);
                let [date, moment] = [cell::DATE, cell::MOMENT].map(|t| is(self, tag, t));
                let [ldate, lmoment] = [cell::DATE, cell::MOMENT].map(|t| is(self, ltag, t));
                let (day, in_range) = self.flat_day(payload);
                let dates = self.b.ins().band(date, ldate);
                let dates = self.b.ins().band(dates, in_range);
                let moments = self.b.ins().band(moment, lmoment);
                let ok = self.b.ins().bor(dates, moments);
                let by_day = self.b.ins().icmp(int_cc(cmp, true), day, value);
                let by_moment = self.b.ins().icmp(int_cc(cmp, true), payload, value);
                let v = self.b.ins().select(date, by_day, by_moment);
                self.or_empty(tag, cmp, ok, v)
            }
            Leaf::InEnums { slot, variants, negated } => {
                let (tag, payload) = self.cell(slot);
                let [empty, is_enum] = [cell::EMPTY, cell::ENUM].map(|t| is(self, tag, t));
                let ok = self.b.ins().bor(empty, is_enum);
                let variant = self.b.ins().band_imm_s(payload, 0xFFFF_FFFF);
                let ty = self.enum_type(slot, payload);
                let mut hit = self.b.ins().iconst(types::I8, 0);
                for (t, v) in variants {
                    let same_variant = self.b.ins().icmp_imm_s(IntCC::Equal, variant, i64::from(v));
                    let this = match ty {
                        Ok(field_ty) if field_ty == t => same_variant,
                        Ok(_) => continue,
                        Err(ty) => {
                            let same_type = self.b.ins().icmp_imm_s(IntCC::Equal, ty, i64::from(t));
                            self.b.ins().band(same_type, same_variant)
                        }
                    };
                    hit = self.b.ins().bor(hit, this);
                }
                let hit = self.b.ins().band(hit, is_enum);
                let v = if negated { self.b.ins().bxor_imm_s(hit, 1) } else { hit };
                (ok, v)
            }
        }
    }

    /// A (not empty) cell against a constant: ok when the cell is of the constant's kind
    /// (a number with no NaN in an ordering, an enum of the constant's type where that
    /// matters, a date in the calendar).
    fn flat_compare(&mut self, slot: u32, tag: Ir, payload: Ir, cmp: Cmp, k: Constant) -> (Ir, Ir) {
        let is = |e: &mut Self, want: u8| e.b.ins().icmp_imm_s(IntCC::Equal, tag, i64::from(want));
        // A field of type number, or whole number, is tested as that kind alone (any other
        // cell takes the branching code): half the work of testing both.
        let number = self.numbers.get(slot as usize).copied().unwrap_or(cell::EMPTY);
        let float = match k {
            Constant::Int(k) => Some(k as f64),
            Constant::Number(k) => Some(k),
            _ => None,
        };
        if let (cell::NUM, Some(k)) = (number, float) {
            let num = is(self, cell::NUM);
            let f = self.b.ins().bitcast(types::F64, MemFlagsData::new(), payload);
            let kf = self.b.ins().f64const(k);
            let (ordered, by_num) = self.flat_float(cmp, f, kf);
            return (self.b.ins().band(num, ordered), by_num);
        }
        match k {
            Constant::Int(k) if number == cell::INT => {
                let int = is(self, cell::INT);
                (int, self.b.ins().icmp_imm_s(int_cc(cmp, true), payload, k))
            }
            Constant::Int(k) => {
                let [int, num] = [cell::INT, cell::NUM].map(|t| is(self, t));
                let by_int = self.b.ins().icmp_imm_s(int_cc(cmp, true), payload, k);
                let f = self.b.ins().bitcast(types::F64, MemFlagsData::new(), payload);
                let kf = self.b.ins().f64const(k as f64);
                let (ordered, by_num) = self.flat_float(cmp, f, kf);
                let num = self.b.ins().band(num, ordered);
                let ok = self.b.ins().bor(int, num);
                (ok, self.b.ins().select(int, by_int, by_num))
            }
            Constant::Number(k) => {
                let [int, num] = [cell::INT, cell::NUM].map(|t| is(self, t));
                let kf = self.b.ins().f64const(k);
                let f = self.b.ins().bitcast(types::F64, MemFlagsData::new(), payload);
                let (ordered, by_num) = self.flat_float(cmp, f, kf);
                let fi = self.b.ins().fcvt_from_sint(types::F64, payload);
                let (_, by_int) = self.flat_float(cmp, fi, kf);
                let num = self.b.ins().band(num, ordered);
                let ok = self.b.ins().bor(int, num);
                (ok, self.b.ins().select(num, by_num, by_int))
            }
            Constant::Enum { ty, variant } => {
                let is_enum = is(self, cell::ENUM);
                let v = self.b.ins().band_imm_s(payload, 0xFFFF_FFFF);
                let by_variant = self.b.ins().icmp_imm_s(int_cc(cmp, false), v, i64::from(variant));
                // Variants of two enum types are unequal and have no order.
                let other = self.b.ins().iconst(types::I8, i64::from(cmp == Cmp::Ne));
                let ordering = !matches!(cmp, Cmp::Eq | Cmp::Ne);
                match self.enum_type(slot, payload) {
                    Ok(field_ty) if field_ty == ty => (is_enum, by_variant),
                    Ok(_) if ordering => self.never(),
                    Ok(_) => (is_enum, other),
                    Err(field_ty) => {
                        let same = self.b.ins().icmp_imm_s(IntCC::Equal, field_ty, i64::from(ty));
                        let ok = if ordering { self.b.ins().band(is_enum, same) } else { is_enum };
                        (ok, self.b.ins().select(same, by_variant, other))
                    }
                }
            }
            Constant::Bool(k) => {
                let ok = is(self, cell::BOOL);
                (ok, self.b.ins().icmp_imm_s(int_cc(cmp, false), payload, i64::from(k)))
            }
            Constant::Date(days) => {
                let is_date = is(self, cell::DATE);
                let (day, in_range) = self.flat_day(payload);
                let ok = self.b.ins().band(is_date, in_range);
                (ok, self.b.ins().icmp_imm_s(int_cc(cmp, true), day, days))
            }
        }
    }

    /// An empty cell compared with `==` or `!=` is answered too (unequal to everything);
    /// in an ordering it is the interpreter's, so not ok.
    fn or_empty(&mut self, tag: Ir, cmp: Cmp, ok: Ir, v: Ir) -> (Ir, Ir) {
        if !matches!(cmp, Cmp::Eq | Cmp::Ne) {
            return (ok, v);
        }
        let empty = self.b.ins().icmp_imm_s(IntCC::Equal, tag, i64::from(cell::EMPTY));
        let unequal = self.b.ins().iconst(types::I8, i64::from(cmp == Cmp::Ne));
        let ok = self.b.ins().bor(ok, empty);
        (ok, self.b.ins().select(empty, unequal, v))
    }

    /// Two numbers compared as `Emit::float` does: whether they are ordered (always, for
    /// `==` and `!=`), and the comparison.
    fn flat_float(&mut self, cmp: Cmp, l: Ir, r: Ir) -> (Ir, Ir) {
        let cc = super::emit::float_cc(cmp);
        let ordered = match cmp {
            Cmp::Eq | Cmp::Ne => self.b.ins().iconst(types::I8, 1),
            _ => self.b.ins().fcmp(FloatCC::Ordered, l, r),
        };
        (ordered, self.b.ins().fcmp(cc, l, r))
    }

    /// A date cell's day (its low half, signed) and whether it is in the calendar, as
    /// `Emit::day` reads it.
    fn flat_day(&mut self, payload: Ir) -> (Ir, Ir) {
        let low = self.b.ins().ireduce(types::I32, payload);
        let day = self.b.ins().sextend(types::I64, low);
        let (first, last) = leaf::days();
        let from = self.b.ins().icmp_imm_s(IntCC::SignedGreaterThanOrEqual, day, first);
        let to = self.b.ins().icmp_imm_s(IntCC::SignedLessThanOrEqual, day, last);
        (day, self.b.ins().band(from, to))
    }

    /// A leaf that is never answered without branches.
    fn never(&mut self) -> (Ir, Ir) {
        let no = self.b.ins().iconst(types::I8, 0);
        (no, no)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_conditions_of_few_compiled_leaves_are_tested_without_branches() {
        let consts = [Const::Int(7), Const::Text("x".into())];
        let compare = |slot| Box::new(Pred::Compare { slot, index: 0, cmp: Cmp::Lt });
        let and = Pred::And(compare(0), Box::new(Pred::Not(compare(1))));
        assert!(flat(&and, &consts, 2));
        assert!(!flat(&and, &consts, 1), "a field past the row is the slow path's");
        let text_order = Pred::Compare { slot: 0, index: 1, cmp: Cmp::Lt };
        assert!(!flat(&Pred::Or(compare(0), Box::new(text_order)), &consts, 2));
        let mut many = Pred::Exists { slot: 0 };
        for _ in 0..FLAT_LEAVES {
            many = Pred::And(Box::new(many), Box::new(Pred::Exists { slot: 1 }));
        }
        assert!(!flat(&many, &consts, 2));
    }
}
