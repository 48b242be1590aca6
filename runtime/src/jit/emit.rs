//! Cranelift IR for predicates: each condition becomes one function that branches through
//! its `and`s, `or`s and `not`s to a "true", a "false" or an "ask the interpreter" exit.
//! The leaves it knows (a field against a number, an enum variant or a truth value, and
//! `exists`) are read from the row in place; the rest call the slow path (`raw::slow`).

use cranelift_codegen::ir::condcodes::{FloatCC, IntCC};
use cranelift_codegen::ir::{types, AbiParam, Block, InstBuilder, MemFlagsData, SigRef, Type};
use cranelift_codegen::settings::{self, Configurable};
use cranelift_frontend::{FunctionBuilder, FunctionBuilderContext};
use cranelift_jit::{JITBuilder, JITModule};
use cranelift_module::{default_libcall_names, FuncId, Module};
use play_compiler::program::{Cmp, Const};

use super::layout::Layout;
use super::raw::{self, Code, Function, Slow};
use crate::vm::Pred;

type Ir = cranelift_codegen::ir::Value;

/// Compiles `preds` (each owned by a `Box` that outlives the code, since the code points
/// at their parts) with the program's constants `consts`. `None` when this host or the
/// layout of values does not allow it: every condition then runs as a predicate.
pub fn compile(preds: &[&Pred], consts: &[Const]) -> Option<(Code, Vec<Function>)> {
    let layout = Layout::measure();
    if !layout.usable() {
        return None;
    }
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
    entry.params.extend([AbiParam::new(ptr), AbiParam::new(ptr), AbiParam::new(ptr)]);
    entry.returns.push(AbiParam::new(types::I8));
    let mut slow = module.make_signature();
    slow.params.extend([AbiParam::new(ptr), AbiParam::new(ptr)]);
    slow.returns.push(AbiParam::new(types::I8));

    let mut ctx = module.make_context();
    let mut builder_ctx = FunctionBuilderContext::new();
    let mut ids: Vec<FuncId> = Vec::with_capacity(preds.len());
    for pred in preds {
        ctx.func.signature = entry.clone();
        {
            let mut b = FunctionBuilder::new(&mut ctx.func, &mut builder_ctx);
            let start = b.create_block();
            b.append_block_params_for_function_params(start);
            b.switch_to_block(start);
            let params = b.block_params(start).to_vec();
            let slow_sig = b.import_signature(slow.clone());
            let [yes, no, unknown] = [b.create_block(), b.create_block(), b.create_block()];
            let mut emit =
                Emit { b, row: params[0], len: params[1], env: params[2], unknown, slow_sig, layout, consts, ptr };
            emit.pred(pred, yes, no);
            for (block, answer) in [(yes, 1), (no, 0), (unknown, 2)] {
                emit.b.switch_to_block(block);
                let v = emit.b.ins().iconst(types::I8, answer);
                emit.b.ins().return_(&[v]);
            }
            emit.b.seal_all_blocks();
            emit.b.finalize(frontend);
        }
        let id = module.declare_anonymous_function(&ctx.func.signature).ok()?;
        module.define_function(id, &mut ctx).ok()?;
        module.clear_context(&mut ctx);
        ids.push(id);
    }
    module.finalize_definitions().ok()?;
    let functions = ids
        .iter()
        // SAFETY: each id is a function just compiled with the `entry` signature, and the
        // functions are handed out beside the `Code` that owns them (see `vm::Tier`).
        .map(|id| unsafe { Function::at(module.get_finalized_function(*id)) })
        .collect();
    Some((Code::new(module), functions))
}

/// The function being built.
struct Emit<'f, 'c> {
    b: FunctionBuilder<'f>,
    row: Ir,
    len: Ir,
    env: Ir,
    unknown: Block,
    slow_sig: SigRef,
    layout: Layout,
    consts: &'c [Const],
    ptr: Type,
}

/// Loads of a row: the row is read-only and aligned while compiled code runs.
fn flags() -> MemFlagsData {
    MemFlagsData::trusted().with_readonly()
}

impl Emit<'_, '_> {
    /// Branches to `yes` when `pred` holds, to `no` when it does not, and to the
    /// function's "ask the interpreter" exit otherwise.
    fn pred(&mut self, pred: &Pred, yes: Block, no: Block) {
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
            Pred::Compare { slot, index, cmp } => self.compare(pred, *slot, *index, *cmp, yes, no),
            Pred::Exists { slot } => {
                let present = self.b.create_block();
                let field = self.field(*slot, present, no);
                let tag = self.b.ins().uload8(types::I64, flags(), field, 0);
                let empty = self.b.ins().icmp_imm_u(IntCC::Equal, tag, i64::from(self.layout.empty));
                self.b.ins().brif(empty, no, &[], yes, &[]);
            }
            Pred::CompareTerms { .. } | Pred::In { .. } | Pred::Contains { .. } => self.slow(pred, yes, no),
        }
    }

    /// The address of the field `slot`, in a new block `then` entered when the row has
    /// the slot; `absent` is entered otherwise.
    fn field(&mut self, slot: u32, then: Block, absent: Block) -> Ir {
        let has = self.b.ins().icmp_imm_u(IntCC::UnsignedGreaterThan, self.len, i64::from(slot));
        self.b.ins().brif(has, then, &[], absent, &[]);
        self.b.switch_to_block(then);
        self.b.ins().iadd_imm_s(self.row, i64::from(slot) * i64::from(self.layout.size))
    }

    /// The leaf tested by the predicate tier, through a call.
    fn slow(&mut self, pred: &Pred, yes: Block, no: Block) {
        let at = self.b.ins().iconst(self.ptr, pred as *const Pred as i64);
        let callee = self.b.ins().iconst(self.ptr, raw::slow as Slow as usize as i64);
        let call = self.b.ins().call_indirect(self.slow_sig, callee, &[self.env, at]);
        let got = self.b.inst_results(call)[0];
        let not_true = self.b.create_block();
        let is_true = self.b.ins().icmp_imm_u(IntCC::Equal, got, 1);
        self.b.ins().brif(is_true, yes, &[], not_true, &[]);
        self.b.switch_to_block(not_true);
        let is_false = self.b.ins().icmp_imm_u(IntCC::Equal, got, 0);
        self.b.ins().brif(is_false, no, &[], self.unknown, &[]);
    }

    /// A field compared with a constant: numbers, enum variants and truth values in
    /// place, anything else (and any surprise in the row) through the slow path.
    fn compare(&mut self, pred: &Pred, slot: u32, index: u32, cmp: Cmp, yes: Block, no: Block) {
        let constant = self.consts.get(index as usize);
        let known = match constant {
            Some(Const::Int(_) | Const::Bool(_)) => true,
            Some(Const::Number(n)) => !n.is_nan(),
            Some(Const::Enum { ty, variant }) => u32::try_from(*ty).is_ok() && u32::try_from(*variant).is_ok(),
            _ => false,
        };
        let Some(constant) = constant.filter(|_| known) else {
            return self.slow(pred, yes, no);
        };
        let l = self.layout;
        let slow = self.b.create_block();
        let present = self.b.create_block();
        let field = self.field(slot, present, slow);
        let tag = self.b.ins().uload8(types::I64, flags(), field, 0);
        match *constant {
            Const::Int(k) => {
                let (int, not_int, num) = (self.b.create_block(), self.b.create_block(), self.b.create_block());
                self.branch_tag(tag, l.int_tag, int, not_int);
                let v = self.b.ins().load(types::I64, flags(), field, l.int_at as i32);
                let holds = self.b.ins().icmp_imm_s(int_cc(cmp, true), v, k);
                self.b.ins().brif(holds, yes, &[], no, &[]);
                self.b.switch_to_block(not_int);
                self.branch_tag(tag, l.num_tag, num, slow);
                let f = self.b.ins().load(types::F64, flags(), field, l.num_at as i32);
                let k = self.b.ins().f64const(k as f64);
                self.float(cmp, f, k, yes, no, slow);
            }
            Const::Number(k) => {
                let (num, not_num, int) = (self.b.create_block(), self.b.create_block(), self.b.create_block());
                self.branch_tag(tag, l.num_tag, num, not_num);
                let f = self.b.ins().load(types::F64, flags(), field, l.num_at as i32);
                let kf = self.b.ins().f64const(k);
                self.float(cmp, f, kf, yes, no, slow);
                self.b.switch_to_block(not_num);
                self.branch_tag(tag, l.int_tag, int, slow);
                let v = self.b.ins().load(types::I64, flags(), field, l.int_at as i32);
                let f = self.b.ins().fcvt_from_sint(types::F64, v);
                let kf = self.b.ins().f64const(k);
                self.float(cmp, f, kf, yes, no, slow);
            }
            Const::Enum { ty, variant } => {
                let (is_enum, same) = (self.b.create_block(), self.b.create_block());
                self.branch_tag(tag, l.enum_tag, is_enum, slow);
                let t = self.b.ins().uload32(flags(), field, l.enum_ty_at as i32);
                let same_type = self.b.ins().icmp_imm_u(IntCC::Equal, t, ty as i64);
                self.b.ins().brif(same_type, same, &[], slow, &[]);
                self.b.switch_to_block(same);
                let v = self.b.ins().uload32(flags(), field, l.enum_variant_at as i32);
                let holds = self.b.ins().icmp_imm_u(int_cc(cmp, false), v, variant as i64);
                self.b.ins().brif(holds, yes, &[], no, &[]);
            }
            Const::Bool(k) => {
                let is_bool = self.b.create_block();
                self.branch_tag(tag, l.bool_tag, is_bool, slow);
                let v = self.b.ins().uload8(types::I64, flags(), field, l.bool_at as i32);
                let holds = self.b.ins().icmp_imm_u(int_cc(cmp, false), v, i64::from(k));
                self.b.ins().brif(holds, yes, &[], no, &[]);
            }
            // Not reached (`known` above): the slow path is right for anything.
            _ => {
                self.b.ins().jump(slow, &[]);
            }
        }
        self.b.switch_to_block(slow);
        self.slow(pred, yes, no);
    }

    /// To `then` when the tag is `want`, else to `other`; continues in `then`.
    fn branch_tag(&mut self, tag: Ir, want: u8, then: Block, other: Block) {
        let is = self.b.ins().icmp_imm_u(IntCC::Equal, tag, i64::from(want));
        self.b.ins().brif(is, then, &[], other, &[]);
        self.b.switch_to_block(then);
    }

    /// Two numbers compared as the interpreter does: NaN is unequal to everything, and has
    /// no order (the interpreter faults, so `unordered` is entered).
    fn float(&mut self, cmp: Cmp, l: Ir, r: Ir, yes: Block, no: Block, unordered: Block) {
        let cc = match cmp {
            Cmp::Eq => FloatCC::Equal,
            Cmp::Ne => FloatCC::NotEqual,
            Cmp::Lt => FloatCC::LessThan,
            Cmp::Le => FloatCC::LessThanOrEqual,
            Cmp::Gt => FloatCC::GreaterThan,
            Cmp::Ge => FloatCC::GreaterThanOrEqual,
        };
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

/// The integer condition of a comparison, signed or not.
fn int_cc(cmp: Cmp, signed: bool) -> IntCC {
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
