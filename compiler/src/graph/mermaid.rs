//! A playbook's picture as a Mermaid flowchart, for Markdown that renders it (GitHub,
//! GitLab, many wikis).

use super::{Graph, Kind};

pub(super) fn write(g: &Graph) -> String {
    let mut out = format!("flowchart TD\n  %% playbook {}\n", g.playbook);
    for (i, n) in g.nodes.iter().enumerate() {
        let label = n.lines.iter().map(|l| text(l)).collect::<Vec<_>>().join("<br/>");
        let (open, close) = match n.kind {
            Kind::Trigger => ("([", "])"),
            Kind::Conditions => ("{{", "}}"),
            Kind::Step | Kind::Stage => ("[", "]"),
            Kind::Wait => ("[/", "/]"),
            Kind::Exit => ("[[", "]]"),
            Kind::End => ("((", "))"),
        };
        out.push_str(&format!("  n{i}{open}\"{label}\"{close}\n"));
    }
    for e in &g.edges {
        let arrow = if e.dashed { "-.->" } else { "-->" };
        match &e.label {
            Some(l) => out.push_str(&format!("  n{} {arrow}|\"{}\"| n{}\n", e.from, text(l), e.to)),
            None => out.push_str(&format!("  n{} {arrow} n{}\n", e.from, e.to)),
        }
    }
    out
}

/// Text inside a Mermaid label: quotes and angle brackets as entity codes, so that source
/// text (`a < b`, `"#cs"`) cannot end the label or open markup.
fn text(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '"' => out.push_str("#quot;"),
            '<' => out.push_str("#lt;"),
            '>' => out.push_str("#gt;"),
            '#' => out.push_str("#35;"),
            '|' => out.push_str("#124;"),
            _ => out.push(c),
        }
    }
    out
}
