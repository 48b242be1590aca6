//! All the JIT's unsafe code: calling compiled code over a row's cells, the slow path
//! compiled code calls back into, and keeping the code's memory alive as long as the tier
//! that hands its functions out.

use std::cell::{Cell, RefCell};
use std::ffi::c_void;
use std::panic::{catch_unwind, AssertUnwindSafe};

use cranelift_jit::JITModule;

use crate::rows::Row;
use crate::value::Value;
use crate::vm::{Ctx, Memo, Pred};

/// What compiled code is called with besides the row's cells: what the slow path needs,
/// the row itself among it, decoded the first time the slow path needs its values.
struct Env<'a, 'c> {
    ctx: &'a Ctx<'c>,
    memo: &'a Memo,
    row: Row<'a>,
    fields: RefCell<&'a mut Vec<Value>>,
    decoded: Cell<bool>,
}

/// The answer compiled code gives: 0 false, 1 true, 2 "ask the interpreter".
fn answer(b: Option<bool>) -> u8 {
    match b {
        Some(false) => 0,
        Some(true) => 1,
        None => 2,
    }
}

/// The slow path: a part of a condition the compiled code does not work out itself,
/// tested as the predicate tier tests it, over the row's values (decoded once per call of
/// the compiled code, however many parts need them).
pub(super) extern "C" fn slow(env: *const c_void, pred: *const Pred) -> u8 {
    // SAFETY: compiled code passes on the `env` it was called with by `Function::call`,
    // an `Env` alive for the whole call, and a `pred` that points into a `Box<Pred>` owned
    // by the tier that owns the code, so alive and unmoved while the code runs.
    let (env, pred) = unsafe { (&*(env as *const Env), &*pred) };
    // A panic must not unwind through compiled code: it becomes "ask the interpreter".
    catch_unwind(AssertUnwindSafe(|| {
        let mut fields = env.fields.borrow_mut();
        if !env.decoded.get() {
            env.row.decode_into(&mut fields);
            env.decoded.set(true);
        }
        let ctx = Ctx { subject: &fields[..], ..*env.ctx };
        answer(pred.test(&ctx, env.memo))
    }))
    .unwrap_or(2)
}

/// The type of [`slow`], as compiled code calls it.
pub(super) type Slow = extern "C" fn(*const c_void, *const Pred) -> u8;

/// The type of a compiled condition: the row's tags, wide and narrow cells, the `Env`.
type Entry = unsafe extern "C" fn(*const u8, *const u64, *const u32, *const c_void) -> u8;

/// What compiled code said of a row.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Answer {
    /// The condition holds, or does not.
    Is(bool),
    /// Only the interpreter can tell (an empty value or NaN in an ordering, an arithmetic
    /// error): it gives the value or the fault with its place.
    Interpret,
    /// The row is not laid out as the code was compiled for (a table not reshaped to the
    /// program's schema yet): the predicate tier, over the row's values, answers.
    OtherLayout,
}

/// A compiled condition, for rows of one layout. Only a [`crate::vm::Tier`] holds one,
/// beside the [`Code`] it points into.
#[derive(Clone, Copy)]
pub struct Function {
    entry: Entry,
    /// The layout number ([`crate::rows::layout::layout_id`]) of the rows it reads.
    layout: u32,
}

impl Function {
    /// The function at `address`, finalised by `module`, for rows of layout `layout`.
    ///
    /// # Safety
    /// `address` must be a function compiled by `emit.rs` (with its signature) for the
    /// widths whose layout number is `layout`, and the `Function` must not be called
    /// after the module's [`Code`] is dropped.
    pub(super) unsafe fn at(address: *const u8, layout: u32) -> Function {
        // SAFETY: the caller promises `address` is code with the `Entry` signature (the
        // host's C calling convention, as `emit.rs` declares it).
        Function { entry: unsafe { std::mem::transmute::<*const u8, Entry>(address) }, layout }
    }

    /// Whether the condition holds over `row` (`ctx`'s subject, whose `subject` values are
    /// not read). When the slow path needed the row's values, they are left in `fields`
    /// and the second part of the answer is true.
    #[inline(always)]
    pub fn call(self, row: Row, ctx: &Ctx, memo: &Memo, fields: &mut Vec<Value>) -> (Answer, bool) {
        if row.layout() != self.layout {
            return (Answer::OtherLayout, false);
        }
        let (tags, wide, narrow) = row.cells();
        let env = Env { ctx, memo, row, fields: RefCell::new(fields), decoded: Cell::new(false) };
        // SAFETY: the row has the layout the code was compiled for (checked above: equal
        // layout numbers are equal widths), so every tag and cell the code reads (at the
        // places `rows::layout::places` gives for those widths) is inside `tags`, `wide`
        // and `narrow`; it passes `env` to `slow` only; the tier that lent out this
        // `Function` owns the code and outlives this call.
        let got =
            unsafe { (self.entry)(tags.as_ptr(), wide.as_ptr(), narrow.as_ptr(), &env as *const Env as *const c_void) };
        let answer = match got {
            0 => Answer::Is(false),
            1 => Answer::Is(true),
            _ => Answer::Interpret,
        };
        (answer, env.decoded.get())
    }
}

/// The executable memory of a tier's compiled conditions, freed when the tier is dropped.
pub struct Code(Option<JITModule>);

impl Code {
    pub(super) fn new(module: JITModule) -> Code {
        Code(Some(module))
    }
}

// SAFETY: once finalised the module is never changed again; it is kept only to free its
// memory on drop. The code in it reads its arguments only, so calling it from several
// threads at once is as safe as calling a Rust function that takes shared references.
unsafe impl Send for Code {}
// SAFETY: as for `Send`: no method of `Code` touches the module through `&self`.
unsafe impl Sync for Code {}

impl Drop for Code {
    fn drop(&mut self) {
        if let Some(module) = self.0.take() {
            // SAFETY: the functions of this module are held only by the tier being dropped
            // (beside this `Code`), so nothing can call them any more.
            unsafe { module.free_memory() };
        }
    }
}
