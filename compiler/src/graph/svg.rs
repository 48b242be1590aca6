//! A playbook's picture as SVG, laid out by the `layout` crate from the same DOT text
//! `play graph --format dot` prints (its Sugiyama-style layering, not hand-placed
//! coordinates). The inbox shows the same picture.

use layout::backends::svg::SVGWriter;
use layout::gv::{DotParser, GraphBuilder};

use super::Graph;

/// The SVG document, or why it could not be drawn.
pub fn to_svg(g: &Graph) -> Result<String, String> {
    let dot = g.to_dot();
    let mut parser = DotParser::new(&dot);
    let tree = parser.process().map_err(|e| format!("the picture of `{}` could not be read back: {e}", g.playbook))?;
    let mut builder = GraphBuilder::new();
    builder.visit_graph(&tree);
    let mut visual = builder.get();
    let mut svg = SVGWriter::new();
    visual.do_it(false, false, false, &mut svg);
    Ok(tighten(&svg.finalize()))
}

/// The canvas cut to what is drawn: the layout grows it for each text by the text's
/// length, downwards as well, which leaves a tall empty margin under long labels.
fn tighten(svg: &str) -> String {
    let (mut right, mut bottom) = (0.0f64, 0.0f64);
    for rect in svg.split("<rect ").skip(1) {
        let (x, y, w, h) = (attr(rect, "x"), attr(rect, "y"), attr(rect, "width"), attr(rect, "height"));
        if let (Some(x), Some(y), Some(w), Some(h)) = (x, y, w, h) {
            right = right.max(x + w);
            bottom = bottom.max(y + h);
        }
    }
    let Some(start) = svg.find("<svg ") else { return svg.to_string() };
    let Some(head_end) = svg[start..].find('>').map(|e| start + e) else { return svg.to_string() };
    let head = &svg[start..head_end];
    let (Some(w), Some(h)) = (attr(head, "width"), attr(head, "height")) else { return svg.to_string() };
    if right <= 0.0 || bottom <= 0.0 {
        return svg.to_string();
    }
    let (new_w, new_h) = ((right + 30.0).min(w).ceil(), (bottom + 30.0).min(h).ceil());
    let new_head = head
        .replacen(&format!("width=\"{w}\""), &format!("width=\"{new_w}\""), 1)
        .replacen(&format!("height=\"{h}\""), &format!("height=\"{new_h}\""), 1)
        .replacen(&format!("viewBox=\"0 0 {w} {h}\""), &format!("viewBox=\"0 0 {new_w} {new_h}\""), 1);
    format!("{}{new_head}{}", &svg[..start], &svg[head_end..])
}

/// A number attribute of an element's text (`x="12"`), read up to the element's end.
fn attr(element: &str, name: &str) -> Option<f64> {
    let element = &element[..element.find('>').unwrap_or(element.len())];
    let at =
        element.find(&format!(" {name}=\"")).or_else(|| element.starts_with(&format!("{name}=\"")).then_some(0))?;
    let rest = &element[at..];
    let start = rest.find('"')? + 1;
    let len = rest[start..].find('"')?;
    rest[start..start + len].trim().parse().ok()
}
