//! All the JIT's unsafe code: calling compiled code over a row's cells and scans over a
//! table's rows, the slow path
//! compiled code calls back into, the values compiled code compares with that are known
//! only when it is called ([`Late`]), and keeping the code's memory alive as long as the
//! tier that hands its functions out.

use std::cell::{Cell, RefCell};
use std::ffi::c_void;
use std::panic::{catch_unwind, AssertUnwindSafe};

use cranelift_jit::JITModule;

use chrono::Datelike;

use crate::rows::{cell, layout, Row, Table, Texts, Width};
use crate::value::Value;
use crate::vm::{Ctx, Memo, Pred, Term};

/// What compiled code is called with besides the row's cells: what the slow path needs,
/// the row itself among it, its values decoded (only the fields the condition reads) the
/// first time the slow path needs them. Made once for many rows ([`Runner`]).
struct Env<'a, 'c> {
    ctx: &'a Ctx<'c>,
    memo: &'a Memo,
    row: Cell<Option<Row<'a>>>,
    /// The fields the condition reads: only those are decoded.
    slots: &'a [u32],
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
            let Some(row) = env.row.get() else { return 2 };
            row.decode_slots_into(env.slots, &mut fields);
            env.decoded.set(true);
        }
        let ctx = Ctx { subject: &fields[..], ..*env.ctx };
        answer(pred.test(&ctx, env.memo))
    }))
    .unwrap_or(2)
}

/// The type of [`slow`], as compiled code calls it.
pub(super) type Slow = extern "C" fn(*const c_void, *const Pred) -> u8;

/// The type of a compiled condition: the table's tags, wide and narrow cells from the
/// row's on, the column stride ([`Row::cells`]), the values of its [`Late`] constants (a
/// tag and a payload each), the `Env`.
type Entry = unsafe extern "C" fn(*const u8, *const u64, *const u32, u64, *const u64, *const c_void) -> u8;

/// The type of a compiled scan (`scan.rs`): a table's tags, wide and narrow cells, the
/// column stride ([`Table::cells`]), the values of the [`Late`] constants, the row
/// numbers (null for consecutive rows), the first row (when null), how many, where the
/// answers go; it returns the answers or-ed together.
type Scan =
    unsafe extern "C" fn(*const u8, *const u64, *const u32, u64, *const u64, *const u32, u64, u64, *mut u8, u64) -> u8;

/// How many [`Late`] constants one compiled condition compares with in place (the others
/// are the slow path's).
pub const LATE: usize = 8;

/// A value compiled code compares a field with that is known only when the code is
/// called: worked out once for a call over many rows (again when the rows' interned texts
/// are others), and handed to the code as a cell's tag and payload.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Late {
    /// Constant `index`, a text: its number among the interned texts of the rows (tag
    /// `TEXT`), or tag `EMPTY` when no field holds it.
    Text(u32),
    /// A term that reads only the clock (`today()`, `now()`, `today() + 90d`): a date
    /// (tag `DATE`, days from the common era) or a moment (tag `MOMENT`).
    Clock(*const Term),
}

// SAFETY: a `Late::Clock` points into a `Box<Pred>` owned by the tier that owns the
// compiled code; it is only read, while that tier is alive (as `slow`'s `pred` is).
unsafe impl Send for Late {}
// SAFETY: as for `Send`: the term is never written through the pointer.
unsafe impl Sync for Late {}

/// The (tag, payload) of a late constant; tag `OTHER` sends the comparison to the slow
/// path (a clock term with no value, or one that is not a date or a moment).
fn resolve(late: Late, ctx: &Ctx, memo: &Memo, texts: &Texts) -> [u64; 2] {
    let (tag, payload) = match late {
        Late::Text(index) => match ctx.consts.get(index as usize) {
            Some(Value::Text(t)) => match texts.find(t) {
                Some(n) => (cell::TEXT, u64::from(n)),
                None => (cell::EMPTY, 0),
            },
            _ => (cell::OTHER, 0),
        },
        Late::Clock(term) => {
            // SAFETY: see `Late`: the term is alive and unmoved while its code runs.
            let term = unsafe { &*term };
            match term.value(ctx, memo).as_deref() {
                Some(Value::Date(d)) => (cell::DATE, i64::from(d.num_days_from_ce()) as u64),
                Some(Value::Moment(m)) => (cell::MOMENT, *m as u64),
                _ => (cell::OTHER, 0),
            }
        }
    };
    [u64::from(tag), payload]
}

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

/// How a compiled scan tests its rows.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Scanning {
    /// One row at a time (some part of the condition has no form over lanes).
    RowByRow,
    /// Sixteen consecutive rows at once where it can (`lanes.rs`), else one at a time.
    SixteenAtOnce,
}

/// A compiled condition, for rows of one layout. Only a [`crate::vm::Tier`] holds one,
/// beside the [`Code`] it points into.
pub struct Function {
    entry: Entry,
    /// The same condition over many rows of a table, if it is tested so, and how that
    /// scan tests its rows.
    scan: Option<(Scan, Scanning)>,
    /// The layout number ([`crate::rows::layout::layout_id`]) of the rows it reads.
    layout: u32,
    /// How many fields, wide fields and narrow fields a row of that layout has: how many
    /// columns of tags, wide and narrow cells its table has.
    columns: (usize, usize, usize),
    /// The values it compares with that are worked out when it is called, in order.
    late: Box<[Late]>,
}

impl Function {
    /// The function at `address` and its scan at `scan_at` (if it has one, with how it
    /// tests its rows), finalised by `module`, for rows of `widths`.
    ///
    /// # Safety
    /// `address` must be a function compiled by `emit.rs` (with its signature) and `scan_at`
    /// one compiled by `scan.rs` (with its signature), both for `widths`, comparing with
    /// the constants `late` at their places, and the `Function` must not be called after
    /// the module's [`Code`] is dropped.
    pub(super) unsafe fn at(
        address: *const u8,
        scan_at: Option<(*const u8, Scanning)>,
        widths: &[Width],
        late: Vec<Late>,
    ) -> Function {
        // SAFETY: the caller promises `address` is code with the `Entry` signature and
        // `scan` with the `Scan` one (the host's C calling convention, as `emit.rs` and
        // `scan.rs` declare them).
        let (entry, scan) = unsafe {
            let scan = scan_at.map(|(s, how)| (std::mem::transmute::<*const u8, Scan>(s), how));
            (std::mem::transmute::<*const u8, Entry>(address), scan)
        };
        let (_, wide, narrow) = layout::places(widths);
        let columns = (widths.len(), wide, narrow);
        Function { entry, scan, layout: layout::layout_id(widths), columns, late: late.into() }
    }

    /// How its scan tests rows, if it has one.
    pub fn scanning(&self) -> Option<Scanning> {
        self.scan.map(|(_, how)| how)
    }

    /// Whether the condition has a scan that can read `table`'s rows: they are laid out as
    /// it was compiled for (the column stride is the table's, given at each call).
    pub fn scans(&self, table: &Table) -> bool {
        self.scan.is_some() && table.layout() == self.layout
    }

    /// Compiled code ready to be called over many rows with one context: `ctx` (whose
    /// `subject` values are not read), the clock memo prepared for it, and `fields`, where
    /// the slow path decodes a row's values (only `slots`, the fields the condition reads).
    pub fn runner<'a, 'c>(
        &'a self,
        ctx: &'a Ctx<'c>,
        memo: &'a Memo,
        slots: &'a [u32],
        fields: &'a mut Vec<Value>,
    ) -> Runner<'a, 'c> {
        let env =
            Env { ctx, memo, row: Cell::new(None), slots, fields: RefCell::new(fields), decoded: Cell::new(false) };
        Runner { f: self, env, texts: Cell::new(std::ptr::null()), late: Cell::new([0; 2 * LATE]) }
    }
}

/// A compiled condition with its context made once ([`Function::runner`]): each row costs
/// a layout check and a direct call.
pub struct Runner<'a, 'c> {
    f: &'a Function,
    env: Env<'a, 'c>,
    /// The interned texts the late constants were worked out for (none yet: null).
    texts: Cell<*const Texts>,
    late: Cell<[u64; 2 * LATE]>,
}

impl<'a> Runner<'a, '_> {
    /// Whether the condition holds over `row`. When the slow path needed the row's values
    /// they are in [`Runner::fields`] and [`Runner::decoded`] is true until the next call.
    #[inline(always)]
    pub fn call(&self, row: Row<'a>) -> Answer {
        self.env.decoded.set(false);
        if row.layout() != self.f.layout {
            return Answer::OtherLayout;
        }
        let (tags, wide, narrow, stride) = row.cells();
        self.resolve_late(row.texts());
        self.env.row.set(Some(row));
        let env = &self.env as *const Env as *const c_void;
        // SAFETY: the row has the layout the code was compiled for (checked above: equal
        // layout numbers are equal widths), so the code reads field `slot`'s tag at
        // `slot * stride` in `tags` for a slot below the row's width, and its payload at
        // `place * stride` in `wide` or `narrow` for a place below the number of wide or
        // narrow fields (`rows::layout::places` for those widths): inside the slices, as
        // `Row::cells` promises; the code reads two values per late constant, fewer than
        // `LATE` (`emit.rs` sends the others to the slow path); it passes `env` (alive for
        // the call, its row set to `row`) to `slow` only; the tier that lent out this
        // `Function` owns the code and outlives this call.
        let late = self.late.as_ptr() as *const u64;
        let got = unsafe { (self.f.entry)(tags.as_ptr(), wide.as_ptr(), narrow.as_ptr(), stride as u64, late, env) };
        match got {
            0 => Answer::Is(false),
            1 => Answer::Is(true),
            _ => Answer::Interpret,
        }
    }

    /// Works out the late constants' values for rows naming `texts`, unless they are
    /// worked out for those already.
    fn resolve_late(&self, texts: &Texts) {
        let at: *const Texts = texts;
        if at != self.texts.get() && !self.f.late.is_empty() {
            let mut values = [0; 2 * LATE];
            for (i, late) in self.f.late.iter().enumerate() {
                values[2 * i..2 * i + 2].copy_from_slice(&resolve(*late, self.env.ctx, self.env.memo, texts));
            }
            self.late.set(values);
            self.texts.set(at);
        }
    }

    /// Tests the condition over rows `rows` of `table` (whose texts are `texts`) with the
    /// compiled scan, writing one answer per row to `out`: 0 false, 1 true, 2 "call
    /// [`Runner::call`] over this row" (compiled code cannot answer alone: the slow path,
    /// the interpreter). Gives whether every answer is 0 or 1; `None`, and nothing
    /// written, when the scan cannot read the table ([`Function::scans`]), a row number is
    /// past its end, or `out` is not one byte a row. Consecutive row numbers are not read
    /// by the scan: it counts them itself.
    pub fn scan(&self, table: &Table, texts: &Texts, rows: &[u32], out: &mut [u8]) -> Option<bool> {
        let (tags, wide, narrow) = table.cells();
        let stride = table.stride();
        let (fields, wides, narrows) = self.f.columns;
        // Every column the code may read is whole in the arrays, and every row is inside
        // a column.
        let whole = tags.len() >= fields * stride && wide.len() >= wides * stride && narrow.len() >= narrows * stride;
        let first = rows.first().copied().unwrap_or(0);
        // Consecutive when no row differs from `first` plus its place (the differences
        // or-ed together: a loop without branches, which the compiler vectorises), and
        // the last is then `first` plus the count less one.
        let fits = first as usize + rows.len() <= u32::MAX as usize;
        let apart = rows.iter().enumerate().fold(0, |d, (i, &r)| d | (r ^ first.wrapping_add(i as u32)));
        let consecutive = fits && apart == 0;
        let last = if consecutive {
            (first as usize + rows.len()).saturating_sub(1)
        } else {
            rows.iter().copied().max().unwrap_or(0) as usize
        };
        let inside = rows.is_empty() || (last < table.rows() && last < stride);
        let (scan, how) = self.f.scan.filter(|_| self.f.scans(table) && whole && inside && out.len() == rows.len())?;
        // Whether each row number is above the one before (a scan with lanes then tests
        // sixteen that are fifteen apart at once; one without never asks).
        let ascending =
            consecutive || (how == Scanning::SixteenAtOnce && rows.windows(2).fold(true, |up, w| up & (w[0] < w[1])));
        self.resolve_late(texts);
        let late = self.late.as_ptr() as *const u64;
        let numbers = if consecutive { std::ptr::null() } else { rows.as_ptr() };
        // SAFETY: the table's rows are laid out as the scan was compiled for (the same
        // layout number, checked above: the same widths), so the scan reads field
        // `slot`'s tag of row `r` at `slot * stride + r` in `tags`, for a slot below
        // `fields`, and its payload at `place * stride + r` in `wide` or `narrow`, for a
        // place below `wides` or `narrows`: inside the arrays, which hold that many whole
        // columns of `stride` cells (checked above), since every `r` is below `stride`
        // (checked above for every row number; with `numbers` null the scan's rows are
        // `first` to `first + rows.len() - 1`, which are `rows`; sixteen rows tested at
        // once are `r` to `r + 15` for a row `r` whose row fifteen places on is `r + 15`,
        // both rows given or counted, so every row between is below `stride` too,
        // whatever `ascending` says); it reads `rows.len()`
        // row numbers when `numbers` is not null and writes as many bytes to `out` (equal
        // lengths, checked above); it reads two values per late constant, fewer than
        // `LATE`; it calls nothing; the tier that lent out this `Function` owns the code
        // and outlives this call.
        let seen = unsafe {
            scan(
                tags.as_ptr(),
                wide.as_ptr(),
                narrow.as_ptr(),
                stride as u64,
                late,
                numbers,
                u64::from(first),
                rows.len() as u64,
                out.as_mut_ptr(),
                u64::from(ascending),
            )
        };
        Some(seen < 2)
    }

    /// Whether the last call decoded its row's values (the fields the condition reads).
    pub fn decoded(&self) -> bool {
        self.env.decoded.get()
    }

    /// Where the slow path decodes a row's values; the fields the condition does not read
    /// are not the row's (see [`Row::decode_slots_into`]).
    pub fn fields(&self) -> std::cell::RefMut<'_, &'a mut Vec<Value>> {
        self.env.fields.borrow_mut()
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
