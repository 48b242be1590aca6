//! Pictures of hostile text: whatever a condition or title holds, the DOT reads back, the
//! SVG is drawn with the text escaped, and Mermaid labels cannot be ended early.

use proptest::prelude::*;

use super::{to_svg, Graph, Kind};

fn graph_of(lines: &[&str]) -> Graph {
    let mut g = Graph { playbook: "p\"q\\".into(), nodes: Vec::new(), edges: Vec::new() };
    let a = g.add(Kind::Trigger, vec!["on created".into()]);
    let b = g.add(Kind::Step, lines.iter().map(|l| l.to_string()).collect());
    g.edge(a, b, lines.first().copied(), true);
    g
}

#[test]
fn quotes_backslashes_markup_and_control_characters_are_drawn_as_text() {
    let lines = ["say \"hi\" \\ to {a}", "<script>alert(1)</script> & ]] |x| #cs", "nul \0 tab \t newline \n end"];
    let g = graph_of(&lines);
    let svg = to_svg(&g).expect("drawn");
    assert!(svg.contains("&lt;script&gt;") && !svg.contains("<script>"), "{svg}");
    let mermaid = g.to_mermaid();
    assert!(!mermaid.contains("<script>") && mermaid.contains("#quot;hi#quot;"), "{mermaid}");
    // Each Mermaid label is one quoted string: no raw quote inside.
    for line in mermaid.lines().filter(|l| l.contains("n1[")) {
        assert_eq!(line.matches('"').count(), 2, "{line}");
    }
    let dot = g.to_dot();
    assert!(dot.contains("say \\\"hi\\\" \\\\ to {a}"), "{dot}");
    assert!(!dot.contains('\0') && !dot.contains('\t'), "control characters become spaces: {dot}");
}

#[test]
fn long_lines_are_cut() {
    let long = "x".repeat(10_000);
    let g = graph_of(&[&long]);
    assert_eq!(g.nodes[1].lines[0].chars().count(), super::LINE);
    assert!(g.nodes[1].lines[0].ends_with('…'));
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    #[test]
    fn any_text_is_drawn(lines in proptest::collection::vec(any::<String>(), 1..4)) {
        let refs: Vec<&str> = lines.iter().map(String::as_str).collect();
        let g = graph_of(&refs);
        prop_assert!(to_svg(&g).is_ok());
        let mermaid = g.to_mermaid();
        for line in mermaid.lines().filter(|l| l.contains("n1[")) {
            prop_assert_eq!(line.matches('"').count(), 2);
        }
    }
}
