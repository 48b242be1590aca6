//! All the JIT's unsafe code: reading a value's tag, calling compiled code, the slow path
//! compiled code calls back into, and keeping the code's memory alive as long as the tier
//! that hands its functions out.

use std::ffi::c_void;
use std::panic::{catch_unwind, AssertUnwindSafe};

use cranelift_jit::JITModule;

use crate::value::Value;
use crate::vm::{Ctx, Memo, Pred};

/// A value's tag: the first byte.
pub(super) fn tag(v: &Value) -> u8 {
    // SAFETY: `Value` is `repr(u8)`, so its first byte is the tag, a `u8` that is always
    // initialised; `v` is a live reference, so the byte is readable.
    unsafe { *(v as *const Value as *const u8) }
}

/// What compiled code is called with besides the row: what the slow path needs.
struct Env<'a, 'c> {
    ctx: &'a Ctx<'c>,
    memo: &'a Memo,
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
/// tested as the predicate tier tests it.
pub(super) extern "C" fn slow(env: *const c_void, pred: *const Pred) -> u8 {
    // SAFETY: compiled code passes on the `env` it was called with by `Function::call`,
    // an `Env` alive for the whole call, and a `pred` that points into a `Box<Pred>` owned
    // by the tier that owns the code, so alive and unmoved while the code runs.
    let (env, pred) = unsafe { (&*(env as *const Env), &*pred) };
    // A panic must not unwind through compiled code: it becomes "ask the interpreter".
    catch_unwind(AssertUnwindSafe(|| answer(pred.test(env.ctx, env.memo)))).unwrap_or(2)
}

/// The type of [`slow`], as compiled code calls it.
pub(super) type Slow = extern "C" fn(*const c_void, *const Pred) -> u8;

/// The type of a compiled condition: the row's first field, the row's length, the `Env`.
type Entry = unsafe extern "C" fn(*const Value, usize, *const c_void) -> u8;

/// A compiled condition. Only a [`crate::vm::Tier`] holds one, beside the [`Code`] it
/// points into.
#[derive(Clone, Copy)]
pub struct Function(Entry);

impl Function {
    /// The function at `address`, finalised by `module`.
    ///
    /// # Safety
    /// `address` must be a function compiled by `emit.rs` (with its signature), and the
    /// `Function` must not be called after the module's [`Code`] is dropped.
    pub(super) unsafe fn at(address: *const u8) -> Function {
        // SAFETY: the caller promises `address` is code with the `Entry` signature (the
        // host's C calling convention, as `emit.rs` declares it).
        Function(unsafe { std::mem::transmute::<*const u8, Entry>(address) })
    }

    /// Whether the condition holds over `ctx`'s subject, or `None` to ask the interpreter.
    #[inline(always)]
    pub fn call(self, ctx: &Ctx, memo: &Memo) -> Option<bool> {
        let env = Env { ctx, memo };
        let row = ctx.subject;
        // SAFETY: the code reads `row.len()` values from `row.as_ptr()` at most (it checks
        // every slot against the length), through offsets measured by `layout.rs`, and
        // passes `env` to `slow` only; the tier that lent out this `Function` owns the
        // code and outlives this call.
        let got = unsafe { (self.0)(row.as_ptr(), row.len(), &env as *const Env as *const c_void) };
        match got {
            0 => Some(false),
            1 => Some(true),
            _ => None,
        }
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

/// Reads a `T` at `at` bytes into `v`, as compiled code does (for the layout's tests).
#[cfg(test)]
pub(super) fn read<T: Copy>(v: &Value, at: u32) -> T {
    assert!(at as usize + std::mem::size_of::<T>() <= std::mem::size_of::<Value>());
    // SAFETY: in bounds (checked above); the tests read only where `Layout` says the
    // variant of `v` keeps a `T`, which is then initialised and aligned.
    unsafe { std::ptr::read((v as *const Value as *const u8).add(at as usize) as *const T) }
}
