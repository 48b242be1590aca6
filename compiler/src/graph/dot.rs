//! A playbook's picture as Graphviz DOT: what `play graph --format dot` prints and what the
//! SVG is laid out from.

use super::{Graph, Kind};

pub(super) fn write(g: &Graph) -> String {
    let mut out = format!("digraph \"{}\" {{\n", quote(&g.playbook));
    out.push_str("  node [shape=box, fontsize=12];\n");
    out.push_str("  edge [fontsize=11];\n");
    for (i, n) in g.nodes.iter().enumerate() {
        let (shape, fill) = look(n.kind);
        let label = n.lines.iter().map(|l| quote(l)).collect::<Vec<_>>().join("\\n");
        out.push_str(&format!("  n{i} [label=\"{label}\", shape={shape}, fillcolor=\"{fill}\"];\n"));
    }
    for e in &g.edges {
        let mut attrs = Vec::new();
        if let Some(l) = &e.label {
            attrs.push(format!("label=\"{}\"", quote(l)));
        }
        if e.dashed {
            attrs.push("style=dashed".to_string());
        }
        let attrs = if attrs.is_empty() { String::new() } else { format!(" [{}]", attrs.join(", ")) };
        out.push_str(&format!("  n{} -> n{}{attrs};\n", e.from, e.to));
    }
    out.push_str("}\n");
    out
}

/// Each kind's shape and fill colour.
fn look(kind: Kind) -> (&'static str, &'static str) {
    match kind {
        Kind::Trigger => ("box", "#dbeafe"),
        Kind::Conditions => ("box", "#fef3c7"),
        Kind::Step => ("box", "#ffffff"),
        Kind::Wait => ("box", "#ede9fe"),
        Kind::Stage => ("box", "#dcfce7"),
        Kind::Exit => ("box", "#fee2e2"),
        Kind::End => ("box", "#f3f4f6"),
    }
}

/// Text inside DOT's double quotes.
fn quote(text: &str) -> String {
    text.replace('\\', "\\\\").replace('"', "\\\"")
}
