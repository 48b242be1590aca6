//! Completion on a test's `expect`, `complete` and `dismiss` lines: the kinds of action,
//! then the options that narrow the match, then templates, playbooks and steps by name.

use super::{Completion, CompletionKind, Context};
use crate::analysis::words::{self, ActionWord};

impl Context<'_> {
    /// What may follow the words `prev` on a test's line; `None` when the line is not an
    /// expectation, or an expression comes next (after `to` and `titled`).
    pub(super) fn after_test_word(&self, prev: &[&str]) -> Option<Vec<Completion>> {
        let (&verb, mut rest) = prev.split_first()?;
        if !matches!(verb, "expect" | "complete" | "dismiss") {
            return None;
        }
        // Nothing to offer inside a text being typed.
        if self.line.matches('"').count() % 2 == 1 {
            return Some(Vec::new());
        }
        let mut negated = false;
        if verb == "expect" {
            if rest.first() == Some(&"no") {
                rest = &rest[1..];
                negated = true;
            }
            if rest.first().is_some_and(|w| w.chars().all(|c| c.is_ascii_digit())) {
                rest = &rest[1..];
            }
        }
        let Some((&kind, after)) = rest.split_first() else {
            let actionable = |a: &&ActionWord| verb == "expect" || words::ACTIONABLE.contains(&a.word);
            let mut out: Vec<Completion> = words::ACTIONS.iter().filter(actionable).map(kind_completion).collect();
            if verb == "expect" && !negated && prev.len() == 1 {
                out.insert(
                    0,
                    Completion::new("no", CompletionKind::Keyword).detail("expect that no such action was produced"),
                );
            }
            return Some(out);
        };
        let mut out = Vec::new();
        if kind == "notify" && after.is_empty() {
            out.push(Completion::new("email", CompletionKind::Keyword).detail("a notification by email"));
            out.push(Completion::new("slack", CompletionKind::Keyword).detail("a Slack message"));
        }
        match after.last().copied() {
            Some("template") => return Some(self.items_of_kind(&["template"])),
            Some("playbook") => return Some(self.items_of_kind(&["playbook"])),
            Some("step") => {
                let named = after.windows(2).find(|w| w[0] == "playbook").map(|w| w[1]);
                return Some(self.steps(named));
            }
            Some("to" | "titled") => return None,
            _ => {}
        }
        let used = |key: &str| after.contains(&key);
        out.extend(
            words::EXPECT_OPTIONS
                .iter()
                .filter(|(key, _)| !used(key))
                .map(|(key, what)| Completion::new(*key, CompletionKind::Keyword).detail(*what)),
        );
        Some(out)
    }

    /// The steps, stages and activities of the playbook named so (of every playbook if
    /// none is).
    fn steps(&self, playbook: Option<&str>) -> Vec<Completion> {
        let mut out: Vec<Completion> = Vec::new();
        for item in self.view.items.iter().filter(|i| i.kind == "playbook") {
            if playbook.is_some_and(|p| p != item.name) {
                continue;
            }
            for step in &item.steps {
                if !out.iter().any(|c| &c.label == step) {
                    out.push(
                        Completion::new(step.clone(), CompletionKind::Item)
                            .detail(format!("in playbook {}", item.name)),
                    );
                }
            }
        }
        out
    }
}

fn kind_completion(action: &ActionWord) -> Completion {
    let syntax = action.syntax.lines().next().unwrap_or(action.syntax);
    Completion::new(action.word, CompletionKind::Keyword).detail(syntax).doc(Some(action.doc.to_string()))
}
