//! Publishing is permanent: what a new program would make private again of what the
//! running one has public.

use super::Program;

impl Program {
    /// The public playbooks, segments and signals of `self` that `next` keeps but makes
    /// private, each as `playbook renewal_risk`, `segment at_risk` or `signal health`, in
    /// the order `self` defines them. Removing an item is not unpublishing it.
    pub fn unpublished_by(&self, next: &Program) -> Vec<String> {
        let mut found = Vec::new();
        for p in self.playbooks.iter().filter(|p| p.public) {
            if next.playbooks.iter().any(|q| q.name == p.name && !q.public) {
                found.push(format!("playbook {}", p.name));
            }
        }
        for s in self.segments.iter().filter(|s| s.public) {
            if next.segments.iter().any(|t| t.name == s.name && t.signal == s.signal && !t.public) {
                found.push(format!("{} {}", if s.signal { "signal" } else { "segment" }, s.name));
            }
        }
        found
    }
}
