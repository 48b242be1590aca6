//! How deep segments and signals use each other, worked out without recursion before any
//! is checked. The run time follows at most [`SEGMENT_DEPTH`] of them inside one another,
//! so a longer chain is refused here (`E0310`) rather than never firing; and since the
//! checker then skips such segments, working out types never recurses deeper than that,
//! however long a chain the source has.

use super::types::Ty;
use super::Checker;
use crate::diagnostic::{codes, Diagnostic};
use crate::program::SEGMENT_DEPTH;
use crate::syntax::ast::{Expr, ExprKind, TextPart};
use crate::syntax::Span;

impl Checker<'_> {
    /// Refuses segments and signals that use others more than [`SEGMENT_DEPTH`] deep, and
    /// marks every such one as checked (with the error type), so no cascade follows.
    pub(super) fn segment_depths(&mut self) {
        let n = self.model.segments.len();
        let refs: Vec<Vec<(usize, Span)>> = (0..n).map(|s| self.segment_refs(s)).collect();
        let depth = depths(&refs);
        for s in 0..n {
            if depth[s] <= SEGMENT_DEPTH {
                continue;
            }
            // Every name it uses counts as used: it is not checked further.
            for (t, _) in &refs[s] {
                self.used.insert(self.model.segments[*t].item.name.name.clone());
            }
            self.model.segments[s].ty = Some(Ty::Error);
            // One report per chain: where it first goes one deeper than allowed.
            if depth[s] != SEGMENT_DEPTH + 1 {
                continue;
            }
            let seg = self.model.segments[s].item;
            let file = self.model.segments[s].origin.file;
            let next = refs[s].iter().find(|(t, _)| depth[*t] == SEGMENT_DEPTH);
            let mut d = Diagnostic::error(
                codes::NESTED_TOO_DEEP,
                format!(
                    "`{}` uses segments and signals {} deep, more than the {SEGMENT_DEPTH} the engine follows",
                    crate::diagnostic::clip(&seg.name.name),
                    SEGMENT_DEPTH + 1
                ),
                seg.name.span,
                format!("{} deep", SEGMENT_DEPTH + 1),
            )
            .with_help(format!(
                "a segment or signal may use others at most {SEGMENT_DEPTH} deep; define some of them from fields directly"
            ));
            if let Some((t, span)) = next {
                let name = crate::diagnostic::clip(&self.model.segments[*t].item.name.name).into_owned();
                d = d.with_secondary(*span, format!("`{name}` is {SEGMENT_DEPTH} deep"));
            }
            self.report(file, d);
        }
    }

    /// The segments and signals a segment's value names (not its own binding), with where.
    fn segment_refs(&self, s: usize) -> Vec<(usize, Span)> {
        let seg = self.model.segments[s].item;
        let binding = &seg.binding.name.name;
        let mut found = Vec::new();
        let mut todo: Vec<&Expr> = vec![&seg.value];
        while let Some(e) = todo.pop() {
            match &e.kind {
                ExprKind::Name(n) if &n.name != binding => {
                    if let Some(&super::model::ItemKind::Segment(t)) = self.model.items.get(&n.name) {
                        found.push((t, n.span));
                    }
                }
                ExprKind::Text(t) => todo.extend(t.parts.iter().filter_map(|p| match p {
                    TextPart::Interp(e) => Some(e),
                    TextPart::Lit(_) => None,
                })),
                ExprKind::Field(base, _) => todo.push(base),
                ExprKind::Call(_, args) => todo.extend(args.iter().map(|a| &a.value)),
                ExprKind::List(items) => todo.extend(items),
                ExprKind::Paren(inner) | ExprKind::Unary(_, inner) => todo.push(inner),
                ExprKind::Binary(_, l, r) => todo.extend([&**l, &**r]),
                ExprKind::In { value, list, .. } => {
                    todo.push(value);
                    todo.extend(list);
                }
                _ => {}
            }
        }
        found
    }
}

/// Each segment's depth: 1 for one that uses no other, else one more than the deepest it
/// uses. Worked out with an explicit stack; a use that closes a circle is left out (the
/// checker reports circles).
fn depths(refs: &[Vec<(usize, Span)>]) -> Vec<u32> {
    const NEW: u8 = 0;
    const OPEN: u8 = 1;
    const DONE: u8 = 2;
    let mut state = vec![NEW; refs.len()];
    let mut depth = vec![0u32; refs.len()];
    for root in 0..refs.len() {
        if state[root] != NEW {
            continue;
        }
        state[root] = OPEN;
        let mut stack = vec![(root, 0usize)];
        while let Some(top) = stack.len().checked_sub(1) {
            let (s, next) = stack[top];
            if let Some(&(t, _)) = refs[s].get(next) {
                stack[top].1 += 1;
                if state[t] == NEW {
                    state[t] = OPEN;
                    stack.push((t, 0));
                }
                continue;
            }
            let deepest = refs[s].iter().filter(|(t, _)| state[*t] == DONE).map(|(t, _)| depth[*t]).max();
            depth[s] = deepest.unwrap_or(0).saturating_add(1);
            state[s] = DONE;
            stack.pop();
        }
    }
    depth
}
