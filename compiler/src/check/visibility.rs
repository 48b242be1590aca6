//! Visibility is transitive: a public item (a playbook that says `visibility public`, or
//! a `public` segment, signal or template) may not reach a private one through any chain
//! of uses. The error names each private item, the chain that leads to it, and what to
//! publish first.

use std::collections::HashSet;

use super::model::{FileId, ItemKind};
use super::Checker;
use crate::diagnostic::{codes, Diagnostic};
use crate::syntax::ast::{ClauseKind, Playbook, Visibility};
use crate::syntax::Span;

/// A private item a public one reaches.
struct Reached {
    noun: &'static str,
    name: String,
    /// Where the public item's use that leads to it is.
    span: Span,
    /// The private items between the public one and this one, outermost first.
    through: Vec<String>,
}

impl<'a> Checker<'a> {
    /// A public playbook may use only public segments, signals and templates, directly
    /// or through the items it uses.
    pub(super) fn visibility(&mut self, file: FileId, pb: &Playbook) {
        let refs = std::mem::take(&mut self.refs);
        let public = pb.clauses.iter().any(|c| matches!(c.kind, ClauseKind::Visibility(Visibility::Public)));
        if public {
            self.report_private(file, "playbook", &pb.name.name, pb.name.span, &refs);
        }
    }

    /// Public segments, signals and templates may not reach private ones either.
    pub(super) fn check_visibility(&mut self) {
        let mut public: Vec<(FileId, &'static str, String, Span)> = Vec::new();
        for seg in &self.model.segments {
            if seg.public && !self.is_stdlib(seg.origin.file) {
                let noun = if seg.signal { "signal" } else { "segment" };
                public.push((seg.origin.file, noun, seg.item.name.name.clone(), seg.item.name.span));
            }
        }
        for t in &self.model.templates {
            if t.public && !self.is_stdlib(t.origin.file) {
                public.push((t.origin.file, "template", t.item.name.name.clone(), t.item.name.span));
            }
        }
        for (file, noun, name, span) in public {
            // Only the item the namespace kept: a clash is reported already.
            if self.kind_of(&name).is_none_or(|(_, _, origin_span)| origin_span.range() != span.range()) {
                continue;
            }
            let uses = self.uses.get(&name).cloned().unwrap_or_default();
            self.report_private(file, noun, &name, span, &uses);
        }
    }

    /// The noun, whether it is public, and where it is declared, of a segment, signal or
    /// template.
    fn kind_of(&self, name: &str) -> Option<(&'static str, bool, Span)> {
        match self.model.items.get(name)? {
            ItemKind::Segment(s) => {
                let seg = &self.model.segments[*s];
                Some((if seg.signal { "signal" } else { "segment" }, seg.public, seg.origin.span))
            }
            ItemKind::Template(t) => {
                let t = &self.model.templates[*t];
                Some(("template", t.public, t.origin.span))
            }
            _ => None,
        }
    }

    /// The private items reachable from `uses` through private items (a public item on
    /// the way is checked on its own).
    fn reached(&self, uses: &[(String, Span)]) -> Vec<Reached> {
        let mut out: Vec<Reached> = Vec::new();
        let mut seen: HashSet<String> = HashSet::new();
        // Depth first, so that a chain is found whole before the next use.
        let mut stack: Vec<(String, Span, Vec<String>)> =
            uses.iter().rev().map(|(n, s)| (n.clone(), *s, Vec::new())).collect();
        while let Some((name, span, through)) = stack.pop() {
            let Some((noun, public, _)) = self.kind_of(&name) else { continue };
            if public || !seen.insert(name.clone()) {
                continue;
            }
            let mut next = through.clone();
            next.push(name.clone());
            for (n, _) in self.uses.get(&name).into_iter().flatten().rev() {
                stack.push((n.clone(), span, next.clone()));
            }
            out.push(Reached { noun, name, span, through });
        }
        out
    }

    fn report_private(&mut self, file: FileId, noun: &str, name: &str, span: Span, uses: &[(String, Span)]) {
        let reached = self.reached(uses);
        if reached.is_empty() {
            return;
        }
        let list: Vec<String> = reached
            .iter()
            .map(|r| {
                let via = if r.through.is_empty() {
                    String::new()
                } else {
                    let chain: Vec<String> = r.through.iter().map(|n| format!("`{n}`")).collect();
                    format!(" (through {})", chain.join(" → "))
                };
                format!("{} `{}`{via}", r.noun, r.name)
            })
            .collect();
        // The innermost first: publishing an item that uses a private one would only
        // move the error to it.
        let mut order: Vec<&Reached> = reached.iter().collect();
        order.sort_by_key(|r| std::cmp::Reverse(r.through.len()));
        let publish: Vec<String> = order.iter().map(|r| format!("`{} {}`", r.noun, r.name)).collect();
        let mut d = Diagnostic::error(
            codes::VISIBILITY,
            format!("the public {noun} `{name}` uses private items: {}", list.join(", ")),
            span,
            "public",
        )
        .with_help(format!("publish them first: write `public` before {}", publish.join(", ")));
        for r in reached.iter().filter(|r| r.through.is_empty()) {
            d = d.with_secondary(r.span, format!("private {} `{}`", r.noun, r.name));
        }
        self.report(file, d);
    }
}
