//! Event history in conditions: `did`, `count` and `last` over a record's events, each
//! event tested against the program's filter on the machine's own stack and budget.

use std::sync::Arc;

use play_compiler::program::{Code, History, SEGMENT_DEPTH};

use super::{fail, Ctx, Fault, Machine};
use crate::value::{Happening, Value};

impl<'a> Machine<'a, '_> {
    /// `did`, `count` or `last` over `all` (oldest first): the events up to now, since
    /// the window's start, performed by `only` when set, that pass the code's filter.
    #[allow(clippy::too_many_arguments)]
    pub(super) fn history(
        &mut self,
        code: &Code,
        pc: usize,
        kind: History,
        all: &'a [Arc<Happening>],
        since: Option<i64>,
        only: Option<&str>,
        filter: Option<u32>,
    ) -> Result<Value, Fault> {
        let now = self.ctx.now;
        let n = all.len();
        let mut count = 0i64;
        let mut found = None;
        // `last` looks from the end, `did` stops at the first: neither walks them all.
        for i in 0..n {
            let h = if kind == History::Last { &all[n - 1 - i] } else { &all[i] };
            if h.at > now || since.is_some_and(|s| h.at < s) || only.is_some_and(|id| &*h.subject != id) {
                continue;
            }
            if let Some(f) = filter {
                if !self.passes(code, pc, f, h)? {
                    continue;
                }
            }
            count += 1;
            found = Some(h);
            if kind != History::Count {
                break;
            }
        }
        Ok(match kind {
            History::Did => Value::Bool(found.is_some()),
            History::Count => Value::Int(count),
            History::Last => found.map_or(Value::Empty, |h| Value::Event(h.clone())),
        })
    }

    /// Whether the event `h` passes the program's filter `f`: its condition run with the
    /// event as `event`, on the same stack and budget.
    fn passes(&mut self, code: &Code, pc: usize, f: u32, h: &'a Arc<Happening>) -> Result<bool, Fault> {
        let Some(sub) = self.ctx.program.filters.get(f as usize) else {
            return Err(fail(code, pc - 1, "unknown filter".into()));
        };
        if self.depth >= SEGMENT_DEPTH {
            return Err(fail(code, pc - 1, "filters nest too deeply to work out".into()));
        }
        let inner = Ctx { awaited: Some(h), ..*self.ctx };
        let base = self.stack.len();
        let mut machine = Machine {
            ctx: &inner,
            stack: &mut *self.stack,
            budget: self.budget,
            today: self.today,
            depth: self.depth + 1,
            notes: self.notes.as_deref_mut(),
            // A filter gives a `Bool`, never delivered text.
            escape: None,
            text: self.text.as_deref_mut(),
        };
        let done = machine.run(sub);
        let pass = done.map(|()| machine.top_is_true());
        self.budget = machine.budget;
        self.stack.truncate(base);
        pass
    }
}
