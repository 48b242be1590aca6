//! Warnings about the project as a whole: segments, signals and templates nothing uses.

use super::model::ItemKind;
use super::Checker;
use crate::diagnostic::{codes, Diagnostic};

impl<'a> Checker<'a> {
    pub(super) fn warn_unused(&mut self) {
        let mut unused: Vec<(String, &'static str, super::model::Origin)> = Vec::new();
        for (name, kind) in &self.model.items {
            let (noun, public, origin) = match *kind {
                ItemKind::Segment(s) => {
                    let seg = &self.model.segments[s];
                    (if seg.signal { "signal" } else { "segment" }, seg.public, seg.origin)
                }
                ItemKind::Template(t) => ("template", self.model.templates[t].public, self.model.templates[t].origin),
                _ => continue,
            };
            // Public items are published for others to use; standard ones are not ours.
            if public || self.is_stdlib(origin.file) || self.used.contains(name) {
                continue;
            }
            unused.push((name.clone(), noun, origin));
        }
        unused.sort_by_key(|(_, _, o)| (o.file, o.span.start));
        for (name, noun, origin) in unused {
            let d =
                Diagnostic::warning(codes::UNUSED, format!("the {noun} `{name}` is never used"), origin.span, "unused")
                    .with_help("use it in a playbook, remove it, or make it `public` to share it".to_string());
            self.report(origin.file, d);
        }
    }
}
