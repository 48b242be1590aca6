//! The system allocator, counting allocations (and reallocations), as the global allocator
//! of the binary that includes this file (the allocations test, the engine benchmark).
//! While [`sites`] runs a closure, each allocation's call stack is also captured, so that
//! a test can say where its allocations come from.

#![allow(dead_code)]

use std::alloc::{GlobalAlloc, Layout, System};
use std::backtrace::Backtrace;
use std::cell::Cell;
use std::collections::BTreeMap;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Mutex;

struct Counting;

static ALLOCS: AtomicUsize = AtomicUsize::new(0);
/// Whether allocations' call stacks are being captured ([`sites`]).
static TRACING: AtomicBool = AtomicBool::new(false);
static STACKS: Mutex<Vec<Backtrace>> = Mutex::new(Vec::new());

thread_local! {
    /// Set while this thread captures a stack, whose own allocations are not captured.
    static CAPTURING: Cell<bool> = const { Cell::new(false) };
}

fn capture() {
    if !TRACING.load(Ordering::Relaxed) || CAPTURING.with(|c| c.replace(true)) {
        return;
    }
    let stack = Backtrace::force_capture();
    if let Ok(mut stacks) = STACKS.lock() {
        stacks.push(stack);
    }
    CAPTURING.with(|c| c.set(false));
}

// SAFETY: every call is passed to the system allocator unchanged; only a counter (and,
// while tracing, a captured stack) is added.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        ALLOCS.fetch_add(1, Ordering::Relaxed);
        capture();
        System.alloc(layout)
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        System.dealloc(ptr, layout)
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        ALLOCS.fetch_add(1, Ordering::Relaxed);
        capture();
        System.realloc(ptr, layout, new_size)
    }
}

#[global_allocator]
static ALLOCATOR: Counting = Counting;

/// How many allocations the process has made so far.
pub fn allocations() -> usize {
    ALLOCS.load(Ordering::Relaxed)
}

/// Runs `f`, and counts its allocations by site: the innermost `depth` frames of the
/// workspace's own code (`play_…`) on each one's stack, most frequent first.
pub fn sites(depth: usize, f: impl FnOnce()) -> Vec<(usize, String)> {
    STACKS.lock().map(|mut s| s.clear()).unwrap_or_default();
    TRACING.store(true, Ordering::SeqCst);
    f();
    TRACING.store(false, Ordering::SeqCst);
    let stacks = std::mem::take(&mut *STACKS.lock().unwrap_or_else(|e| e.into_inner()));
    let mut by_site: BTreeMap<String, usize> = BTreeMap::new();
    for stack in stacks {
        *by_site.entry(site(&stack.to_string(), depth)).or_default() += 1;
    }
    let mut sorted: Vec<(usize, String)> = by_site.into_iter().map(|(s, n)| (n, s)).collect();
    sorted.sort_by(|a, b| b.0.cmp(&a.0).then_with(|| a.1.cmp(&b.1)));
    sorted
}

/// The innermost `depth` frames of the workspace's code in a rendered backtrace, as
/// `function (file:line)` joined by ` < `.
fn site(rendered: &str, depth: usize) -> String {
    let lines: Vec<&str> = rendered.lines().map(str::trim).collect();
    let mut frames = Vec::new();
    for (i, line) in lines.iter().enumerate() {
        let Some((_, name)) = line.split_once(": ") else { continue };
        if !line.split(':').next().is_some_and(|n| n.chars().all(|c| c.is_ascii_digit())) {
            continue;
        }
        if !name.starts_with("play_") || name.contains("counting::") {
            continue;
        }
        let place = lines.get(i + 1).and_then(|l| l.strip_prefix("at ")).unwrap_or("?");
        let place = place.rsplit_once("/src/").map_or(place, |(_, p)| p);
        // A legacy-mangled name ends in its hash (`::h0123…`), which says nothing here.
        let name = match name.rsplit_once("::h") {
            Some((n, hash)) if hash.len() == 16 && hash.chars().all(|c| c.is_ascii_hexdigit()) => n,
            _ => name,
        };
        frames.push(format!("{name} ({place})"));
        if frames.len() == depth {
            break;
        }
    }
    if frames.is_empty() {
        "(outside the workspace's code)".into()
    } else {
        frames.join(" < ")
    }
}
