//! Cranelift IR for predicates: each condition becomes one function over a record's row
//! (its cells, `rows::cell`, in the table's columns: a field's column at a constant
//! place times the column stride, which the function is given) that branches
//! through its `and`s, `or`s and `not`s to a "true", a "false" or an "ask the interpreter"
//! exit. The leaves it knows (a field against a number, an enum variant, a truth value or
//! a date, `==`/`!=` a text or a reference, against a clock term, `in` a list of enum
//! variants, and `exists`) are read from the cells in place, texts and clock terms
//! compared with the values the caller works out when it calls (`raw::Late`); the rest,
//! and any cell it does not expect, call the slow path (`raw::slow`).

use cranelift_codegen::ir::condcodes::{FloatCC, IntCC};
use cranelift_codegen::ir::{types, AbiParam, Block, InstBuilder, MemFlagsData, SigRef, Type};
use cranelift_codegen::settings::{self, Configurable};
use cranelift_frontend::{FunctionBuilder, FunctionBuilderContext};
use cranelift_jit::{JITBuilder, JITModule};
use cranelift_module::{default_libcall_names, FuncId, Module};
use play_compiler::program::{Cmp, Const};

use super::leaf::{self, Leaf};
use super::raw::{self, Code, Function, Late, Slow, LATE};
use crate::rows::{cell, layout, Width};
use crate::vm::Pred;

pub(super) type Ir = cranelift_codegen::ir::Value;

/// A condition to compile: its predicate, the widths of its subject's fields, the tag
/// each of them holds when it holds the number its type says (`rows::layout::number_tag`),
/// and whether it gets a scan over many rows too (`scan.rs`).
pub type Job<'a> = (&'a Pred, &'a [Width], &'a [u8], bool);

/// Compiles `preds` (each owned by a `Box` that outlives the code, since the code points
/// at their parts) with the program's constants `consts`. `None` when this host does not
/// allow it: every condition then runs as a predicate.
pub fn compile(preds: &[Job], consts: &[Const]) -> Option<(Code, Vec<Function>)> {
    let mut flags = settings::builder();
    // Conditions are short chains of loads and branches: optimising them gains little and
    // costs most of the compile time.
    flags.set("opt_level", "none").ok()?;
    // The IR verifier is most of a condition's compile time; debug builds (and so the
    // tests) keep it.
    flags.set("enable_verifier", if cfg!(debug_assertions) { "true" } else { "false" }).ok()?;
    flags.set("is_pic", "false").ok()?;
    let isa = cranelift_native::builder().ok()?.finish(settings::Flags::new(flags)).ok()?;
    let mut module = JITModule::new(JITBuilder::with_isa(isa, default_libcall_names()));
    let frontend = module.target_config();
    let ptr = frontend.pointer_type();
    let mut entry = module.make_signature();
    entry.params.extend([AbiParam::new(ptr); 3]);
    entry.params.push(AbiParam::new(types::I64));
    entry.params.extend([AbiParam::new(ptr); 2]);
    entry.returns.push(AbiParam::new(types::I8));
    let mut slow = module.make_signature();
    slow.params.extend([AbiParam::new(ptr), AbiParam::new(ptr)]);
    slow.returns.push(AbiParam::new(types::I8));

    let scan_sig = super::scan::signature(&module);

    let mut ctx = module.make_context();
    let mut builder_ctx = FunctionBuilderContext::new();
    let mut ids: Vec<(FuncId, Option<(FuncId, super::raw::Scanning)>, Vec<Late>)> = Vec::with_capacity(preds.len());
    for &(pred, widths, numbers, scans) in preds {
        ctx.func.signature = entry.clone();
        let lates;
        {
            let mut b = FunctionBuilder::new(&mut ctx.func, &mut builder_ctx);
            let start = b.create_block();
            b.append_block_params_for_function_params(start);
            b.switch_to_block(start);
            let params = b.block_params(start).to_vec();
            let slow_sig = Some(b.import_signature(slow.clone()));
            let [yes, no, unknown] = [b.create_block(), b.create_block(), b.create_block()];
            let (places, _, _) = layout::places(widths);
            let mut emit = Emit {
                b,
                tags: params[0],
                wide: params[1],
                narrow: params[2],
                stride: params[3],
                columns: Vec::new(),
                row: None,
                late: params[4],
                env: params[5],
                lates: Vec::new(),
                unknown,
                redo: None,
                slow_sig,
                widths,
                numbers: &[],
                places,
                consts,
                ptr,
            };
            emit.columns(pred);
            emit.pred(pred, yes, no);
            for (block, answer) in [(yes, 1), (no, 0), (unknown, 2)] {
                emit.b.switch_to_block(block);
                let v = emit.b.ins().iconst(types::I8, answer);
                emit.b.ins().return_(&[v]);
            }
            emit.b.seal_all_blocks();
            emit.b.finalize(frontend);
            lates = emit.lates;
        }
        let id = module.declare_anonymous_function(&ctx.func.signature).ok()?;
        module.define_function(id, &mut ctx).ok()?;
        module.clear_context(&mut ctx);
        // The scan over many rows of a table, in the same module; it compares with the
        // same late constants at the same places.
        let (scan, lates) = if scans {
            ctx.func.signature = scan_sig.clone();
            let (lates, scanning) =
                super::scan::build(&mut ctx.func, &mut builder_ctx, (pred, widths, numbers), consts, lates, frontend);
            let scan = module.declare_anonymous_function(&ctx.func.signature).ok()?;
            module.define_function(scan, &mut ctx).ok()?;
            module.clear_context(&mut ctx);
            (Some((scan, scanning)), lates)
        } else {
            (None, lates)
        };
        ids.push((id, scan, lates));
    }
    module.finalize_definitions().ok()?;
    let functions = ids
        .into_iter()
        .zip(preds)
        // SAFETY: each id is a function just compiled with the `entry` signature, and each
        // scan one with `scan::signature`, both for the widths given with its predicate,
        // and the functions are handed out beside the `Code` that owns them (see
        // `vm::Tier`).
        .map(|((id, scan, lates), (_, widths, _, _))| unsafe {
            let at = module.get_finalized_function(id);
            let scan = scan.map(|(s, scanning)| (module.get_finalized_function(s), scanning));
            Function::at(at, scan, widths, lates)
        })
        .collect();
    Some((Code::new(module), functions))
}

/// The function being built.
pub(super) struct Emit<'f, 'c> {
    pub(super) b: FunctionBuilder<'f>,
    /// Where the tags, wide and narrow cells start (of the row, in the function over one
    /// row; of the table, in a scan), and the column stride, in cells.
    pub(super) tags: Ir,
    pub(super) wide: Ir,
    pub(super) narrow: Ir,
    pub(super) stride: Ir,
    /// By slot, the addresses of the field's tag column and payload column, worked out
    /// once where they dominate every use ([`Emit::columns`]).
    pub(super) columns: Vec<Option<(Ir, Ir)>>,
    /// In a scan: the row number, as an offset in bytes into a tag, a wide and a narrow
    /// column (`r`, `8r`, `4r`).
    pub(super) row: Option<(Ir, Ir, Ir)>,
    /// The values of the late constants, a tag and a payload each.
    pub(super) late: Ir,
    /// The `Env` the slow path is called with (none in a scan, see `redo`).
    pub(super) env: Ir,
    /// The late constants of the function, in the order of their values.
    pub(super) lates: Vec<Late>,
    pub(super) unknown: Block,
    /// In a scan: where a leaf the slow path would test goes instead (the row is tested
    /// again alone, where the slow path is called).
    pub(super) redo: Option<Block>,
    pub(super) slow_sig: Option<SigRef>,
    /// The subject's row layout.
    pub(super) widths: &'c [Width],
    /// In a scan: the tag each field holds when it holds the number its type says.
    pub(super) numbers: &'c [u8],
    pub(super) places: Vec<u32>,
    pub(super) consts: &'c [Const],
    pub(super) ptr: Type,
}

/// Loads of a row: the row is read-only and aligned while compiled code runs.
pub(super) fn flags() -> MemFlagsData {
    MemFlagsData::trusted().with_readonly()
}

impl Emit<'_, '_> {
    /// Branches to `yes` when `pred` holds, to `no` when it does not, and to the
    /// function's "ask the interpreter" exit otherwise.
    pub(super) fn pred(&mut self, pred: &Pred, yes: Block, no: Block) {
        match pred {
            Pred::And(l, r) => {
                let mid = self.b.create_block();
                self.pred(l, mid, no);
                self.b.switch_to_block(mid);
                self.pred(r, yes, no);
            }
            Pred::Or(l, r) => {
                let mid = self.b.create_block();
                self.pred(l, yes, mid);
                self.b.switch_to_block(mid);
                self.pred(r, yes, no);
            }
            Pred::Not(p) => self.pred(p, no, yes),
            _ => match leaf::of(pred, self.consts, self.widths.len()) {
                Some(known) => self.leaf(pred, known, yes, no),
                None => self.slow(pred, yes, no),
            },
        }
    }

    /// The slot's enum type when its cell is an enum: the field's own for a narrow cell,
    /// the payload's high half for a wide one.
    pub(super) fn enum_type(&mut self, slot: u32, payload: Ir) -> Result<u32, Ir> {
        match self.widths[slot as usize] {
            Width::Narrow { high } => Ok(high),
            Width::Wide => Err(self.b.ins().ushr_imm_s(payload, 32)),
        }
    }

    /// A leaf worked out from the cells.
    fn leaf(&mut self, pred: &Pred, known: Leaf, yes: Block, no: Block) {
        let slow = self.b.create_block();
        match known {
            Leaf::Exists { slot } => {
                let (tag, _) = self.cell(slot);
                self.on_tag(tag, cell::EMPTY, no);
                // A value in the side list is never empty, but it is not read here.
                self.on_tag(tag, cell::OTHER, slow);
                self.b.ins().jump(yes, &[]);
            }
            Leaf::Compare { slot, cmp, constant } => {
                let (tag, payload) = self.cell(slot);
                // An empty field equals nothing but empty, and has no order.
                self.on_tag(tag, cell::EMPTY, unequal(cmp, yes, no, slow));
                self.compare(slot, tag, payload, cmp, constant, yes, no, slow);
            }
            Leaf::Text { slot, cmp, index } => self.text(slot, cmp, index, yes, no, slow),
            Leaf::Clock { slot, cmp, term } => self.clock(slot, cmp, term, yes, no, slow),
            Leaf::InEnums { slot, variants, negated } => {
                let (tag, payload) = self.cell(slot);
                let (found, missing) = if negated { (no, yes) } else { (yes, no) };
                let is_enum = self.b.create_block();
                self.on_tag(tag, cell::EMPTY, missing);
                self.branch_tag(tag, cell::ENUM, is_enum, slow);
                let variant = self.b.ins().band_imm_s(payload, 0xFFFF_FFFF);
                let ty = self.enum_type(slot, payload);
                for (t, v) in variants {
                    let next = self.b.create_block();
                    let same_variant = self.b.ins().icmp_imm_s(IntCC::Equal, variant, i64::from(v));
                    let hit = match ty {
                        Ok(field_ty) if field_ty == t => same_variant,
                        Ok(_) => self.b.ins().iconst(types::I8, 0),
                        Err(ty) => {
                            let same_type = self.b.ins().icmp_imm_s(IntCC::Equal, ty, i64::from(t));
                            self.b.ins().band(same_type, same_variant)
                        }
                    };
                    self.b.ins().brif(hit, found, &[], next, &[]);
                    self.b.switch_to_block(next);
                }
                self.b.ins().jump(missing, &[]);
            }
        }
        self.b.switch_to_block(slow);
        self.slow(pred, yes, no);
    }

    /// A field's (not empty) cell compared with a constant, as `vm::compare_quick` does;
    /// any cell of a kind the constant is not compared with in place goes to `slow`.
    #[allow(clippy::too_many_arguments)]
    fn compare(
        &mut self,
        slot: u32,
        tag: Ir,
        payload: Ir,
        cmp: Cmp,
        k: leaf::Constant,
        yes: Block,
        no: Block,
        slow: Block,
    ) {
        match k {
            leaf::Constant::Int(k) => {
                let [int, not_int, num] = [self.b.create_block(), self.b.create_block(), self.b.create_block()];
                self.branch_tag(tag, cell::INT, int, not_int);
                let holds = self.b.ins().icmp_imm_s(int_cc(cmp, true), payload, k);
                self.b.ins().brif(holds, yes, &[], no, &[]);
                self.b.switch_to_block(not_int);
                self.branch_tag(tag, cell::NUM, num, slow);
                let f = self.b.ins().bitcast(types::F64, MemFlagsData::new(), payload);
                let k = self.b.ins().f64const(k as f64);
                self.float(cmp, f, k, yes, no, slow);
            }
            leaf::Constant::Number(k) => {
                let [num, not_num, int] = [self.b.create_block(), self.b.create_block(), self.b.create_block()];
                self.branch_tag(tag, cell::NUM, num, not_num);
                let f = self.b.ins().bitcast(types::F64, MemFlagsData::new(), payload);
                let kf = self.b.ins().f64const(k);
                self.float(cmp, f, kf, yes, no, slow);
                self.b.switch_to_block(not_num);
                self.branch_tag(tag, cell::INT, int, slow);
                let f = self.b.ins().fcvt_from_sint(types::F64, payload);
                let kf = self.b.ins().f64const(k);
                self.float(cmp, f, kf, yes, no, slow);
            }
            leaf::Constant::Enum { ty, variant } => {
                let is_enum = self.b.create_block();
                self.branch_tag(tag, cell::ENUM, is_enum, slow);
                // Variants of two enum types are unequal and have no order.
                let other_type = unequal(cmp, yes, no, slow);
                match self.enum_type(slot, payload) {
                    Ok(field_ty) if field_ty == ty => {}
                    Ok(_) => {
                        self.b.ins().jump(other_type, &[]);
                        return;
                    }
                    Err(field_ty) => {
                        let same = self.b.create_block();
                        let same_type = self.b.ins().icmp_imm_s(IntCC::Equal, field_ty, i64::from(ty));
                        self.b.ins().brif(same_type, same, &[], other_type, &[]);
                        self.b.switch_to_block(same);
                    }
                }
                let v = self.b.ins().band_imm_s(payload, 0xFFFF_FFFF);
                let holds = self.b.ins().icmp_imm_s(int_cc(cmp, false), v, i64::from(variant));
                self.b.ins().brif(holds, yes, &[], no, &[]);
            }
            leaf::Constant::Bool(k) => {
                let is_bool = self.b.create_block();
                self.branch_tag(tag, cell::BOOL, is_bool, slow);
                let holds = self.b.ins().icmp_imm_s(int_cc(cmp, false), payload, i64::from(k));
                self.b.ins().brif(holds, yes, &[], no, &[]);
            }
            leaf::Constant::Date(days) => {
                let is_date = self.b.create_block();
                self.branch_tag(tag, cell::DATE, is_date, slow);
                let day = self.day(payload, slow);
                let holds = self.b.ins().icmp_imm_s(int_cc(cmp, true), day, days);
                self.b.ins().brif(holds, yes, &[], no, &[]);
            }
        }
    }

    /// The day number of a date cell's payload: its low half, signed. One outside the
    /// calendar would read as empty, so goes to `slow`; the code continues with a valid one.
    pub(super) fn day(&mut self, payload: Ir, slow: Block) -> Ir {
        let valid = self.b.create_block();
        let low = self.b.ins().ireduce(types::I32, payload);
        let day = self.b.ins().sextend(types::I64, low);
        let (first, last) = leaf::days();
        let below = self.b.ins().icmp_imm_s(IntCC::SignedLessThan, day, first);
        let above = self.b.ins().icmp_imm_s(IntCC::SignedGreaterThan, day, last);
        let outside = self.b.ins().bor(below, above);
        self.b.ins().brif(outside, slow, &[], valid, &[]);
        self.b.switch_to_block(valid);
        day
    }

    /// The value of late constant `late`: its tag and payload, both as 64-bit integers;
    /// `None` past the `LATE` the caller works out.
    pub(super) fn late(&mut self, late: Late) -> Option<(Ir, Ir)> {
        let i = match self.lates.iter().position(|l| *l == late) {
            Some(i) => i,
            None if self.lates.len() < LATE => {
                self.lates.push(late);
                self.lates.len() - 1
            }
            None => return None,
        };
        let at = (i * 16) as i32;
        let tag = self.b.ins().load(types::I64, flags(), self.late, at);
        let payload = self.b.ins().load(types::I64, flags(), self.late, at + 8);
        Some((tag, payload))
    }

    /// A field `==` or `!=` a text: a text cell (or a reference's, whose id a text is
    /// compared with) names an interned text, equal to the constant's when their numbers
    /// are. An empty field, and a constant no field holds, are unequal.
    fn text(&mut self, slot: u32, cmp: Cmp, index: u32, yes: Block, no: Block, slow: Block) {
        let Some((ltag, number)) = self.late(Late::Text(index)) else {
            self.b.ins().jump(slow, &[]);
            return;
        };
        let (same, other) = if cmp == Cmp::Eq { (yes, no) } else { (no, yes) };
        let (tag, payload) = self.cell(slot);
        let [text, reference] = [self.b.create_block(), self.b.create_block()];
        self.on_tag(tag, cell::EMPTY, other);
        self.on_tag(tag, cell::TEXT, text);
        self.branch_tag(tag, cell::REF, reference, slow);
        self.b.ins().jump(text, &[]);
        self.b.switch_to_block(text);
        let known = self.b.create_block();
        self.on_tag(ltag, cell::EMPTY, other);
        self.branch_tag(ltag, cell::TEXT, known, slow);
        let n = self.b.ins().band_imm_s(payload, 0xFFFF_FFFF);
        let equal = self.b.ins().icmp(IntCC::Equal, n, number);
        self.b.ins().brif(equal, same, &[], other, &[]);
    }

    /// A field against a clock term: a date with a date, a moment with a moment; an empty
    /// field as with any constant; the rest (a date with a moment, a term with no value)
    /// is the slow path's.
    fn clock(&mut self, slot: u32, cmp: Cmp, term: *const crate::vm::Term, yes: Block, no: Block, slow: Block) {
        let Some((ltag, value)) = self.late(Late::Clock(term)) else {
            self.b.ins().jump(slow, &[]);
            return;
        };
        let (tag, payload) = self.cell(slot);
        self.on_tag(tag, cell::EMPTY, unequal(cmp, yes, no, slow));
        let [date, both, not_date, moment, moments] = [
            self.b.create_block(),
            self.b.create_block(),
            self.b.create_block(),
            self.b.create_block(),
            self.b.create_block(),
        ];
        self.branch_tag(tag, cell::DATE, date, not_date);
        self.branch_tag(ltag, cell::DATE, both, slow);
        let day = self.day(payload, slow);
        let holds = self.b.ins().icmp(int_cc(cmp, true), day, value);
        self.b.ins().brif(holds, yes, &[], no, &[]);
        self.b.switch_to_block(not_date);
        self.branch_tag(tag, cell::MOMENT, moment, slow);
        self.branch_tag(ltag, cell::MOMENT, moments, slow);
        let holds = self.b.ins().icmp(int_cc(cmp, true), payload, value);
        self.b.ins().brif(holds, yes, &[], no, &[]);
    }

    /// The leaf tested by the predicate tier, through a call.
    fn slow(&mut self, pred: &Pred, yes: Block, no: Block) {
        let (Some(slow_sig), None) = (self.slow_sig, self.redo) else {
            let redo = self.redo.unwrap_or(self.unknown);
            self.b.ins().jump(redo, &[]);
            return;
        };
        let at = self.b.ins().iconst(self.ptr, pred as *const Pred as i64);
        let callee = self.b.ins().iconst(self.ptr, raw::slow as Slow as usize as i64);
        let call = self.b.ins().call_indirect(slow_sig, callee, &[self.env, at]);
        let got = self.b.inst_results(call)[0];
        let not_true = self.b.create_block();
        let is_true = self.b.ins().icmp_imm_s(IntCC::Equal, got, 1);
        self.b.ins().brif(is_true, yes, &[], not_true, &[]);
        self.b.switch_to_block(not_true);
        let is_false = self.b.ins().icmp_imm_s(IntCC::Equal, got, 0);
        self.b.ins().brif(is_false, no, &[], self.unknown, &[]);
    }

    /// To `target` when the tag is `want`; continues in a new block otherwise.
    fn on_tag(&mut self, tag: Ir, want: u8, target: Block) {
        let next = self.b.create_block();
        let is = self.b.ins().icmp_imm_s(IntCC::Equal, tag, i64::from(want));
        self.b.ins().brif(is, target, &[], next, &[]);
        self.b.switch_to_block(next);
    }

    /// To `then` when the tag is `want`, else to `other`; continues in `then`.
    fn branch_tag(&mut self, tag: Ir, want: u8, then: Block, other: Block) {
        let is = self.b.ins().icmp_imm_s(IntCC::Equal, tag, i64::from(want));
        self.b.ins().brif(is, then, &[], other, &[]);
        self.b.switch_to_block(then);
    }

    /// Two numbers compared as the interpreter does: NaN is unequal to everything, and has
    /// no order (the interpreter faults, so `unordered` is entered).
    fn float(&mut self, cmp: Cmp, l: Ir, r: Ir, yes: Block, no: Block, unordered: Block) {
        let cc = float_cc(cmp);
        if !matches!(cmp, Cmp::Eq | Cmp::Ne) {
            let ordered = self.b.create_block();
            let nan = self.b.ins().fcmp(FloatCC::Unordered, l, r);
            self.b.ins().brif(nan, unordered, &[], ordered, &[]);
            self.b.switch_to_block(ordered);
        }
        let holds = self.b.ins().fcmp(cc, l, r);
        self.b.ins().brif(holds, yes, &[], no, &[]);
    }
}

/// Where a comparison of two values that are not equal and have no order goes (an empty
/// value with anything else, enum variants of two types): `==` is false, `!=` true, and
/// an ordering is the interpreter's fault, so the slow path.
pub(super) fn unequal(cmp: Cmp, yes: Block, no: Block, slow: Block) -> Block {
    match cmp {
        Cmp::Eq => no,
        Cmp::Ne => yes,
        _ => slow,
    }
}

/// The integer condition of a comparison, signed or not.
pub(super) fn int_cc(cmp: Cmp, signed: bool) -> IntCC {
    match (cmp, signed) {
        (Cmp::Eq, _) => IntCC::Equal,
        (Cmp::Ne, _) => IntCC::NotEqual,
        (Cmp::Lt, true) => IntCC::SignedLessThan,
        (Cmp::Le, true) => IntCC::SignedLessThanOrEqual,
        (Cmp::Gt, true) => IntCC::SignedGreaterThan,
        (Cmp::Ge, true) => IntCC::SignedGreaterThanOrEqual,
        (Cmp::Lt, false) => IntCC::UnsignedLessThan,
        (Cmp::Le, false) => IntCC::UnsignedLessThanOrEqual,
        (Cmp::Gt, false) => IntCC::UnsignedGreaterThan,
        (Cmp::Ge, false) => IntCC::UnsignedGreaterThanOrEqual,
    }
}

/// The float comparison of `cmp`.
pub(super) fn float_cc(cmp: Cmp) -> FloatCC {
    match cmp {
        Cmp::Eq => FloatCC::Equal,
        Cmp::Ne => FloatCC::NotEqual,
        Cmp::Lt => FloatCC::LessThan,
        Cmp::Le => FloatCC::LessThanOrEqual,
        Cmp::Gt => FloatCC::GreaterThan,
        Cmp::Ge => FloatCC::GreaterThanOrEqual,
    }
}
