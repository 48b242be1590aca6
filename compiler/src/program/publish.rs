//! Publishing is permanent: what a new program would make private again of what has been
//! published, by the running program or by any program deployed before it.

use std::collections::BTreeSet;

use super::Program;

impl Program {
    /// The public playbooks, segments and signals, each as `playbook renewal_risk`,
    /// `segment at_risk` or `signal health`, in the order the program defines them.
    pub fn published_items(&self) -> Vec<String> {
        let playbooks = self.playbooks.iter().filter(|p| p.public).map(|p| format!("playbook {}", p.name));
        playbooks.chain(self.segments.iter().filter(|s| s.public).map(|s| item_of_segment(s.signal, &s.name))).collect()
    }

    /// The private playbooks, segments and signals of `self` that `published` names
    /// (as [`Program::published_items`] does), in the order `self` defines them. An item
    /// published once stays published, even across versions that removed it.
    pub fn made_private(&self, published: &BTreeSet<String>) -> Vec<String> {
        let playbooks = self.playbooks.iter().filter(|p| !p.public).map(|p| format!("playbook {}", p.name));
        let segments = self.segments.iter().filter(|s| !s.public).map(|s| item_of_segment(s.signal, &s.name));
        playbooks.chain(segments).filter(|item| published.contains(item)).collect()
    }
}

fn item_of_segment(signal: bool, name: &str) -> String {
    format!("{} {name}", if signal { "signal" } else { "segment" })
}
