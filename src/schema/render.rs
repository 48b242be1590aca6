//! Writing a [`Schema`] as Play source. The text is valid but not laid out with care: the
//! command runs it through the formatter.

use std::fmt::Write;

use super::Schema;

impl Schema {
    /// The record, then its enums; `header` lines go first, as `//` comments.
    pub fn to_source(&self, header: &[String]) -> String {
        let mut out = String::new();
        for line in header {
            let _ = writeln!(out, "// {}", clean(line));
        }
        out.push('\n');
        docs(&mut out, "", &self.record.docs);
        let _ = writeln!(out, "record {} {{", self.record.name);
        for field in &self.record.fields {
            docs(&mut out, "  ", &field.docs);
            let mark = if field.optional { "?" } else { "" };
            let _ = write!(out, "  {}: {}{mark}", field.name, field.ty);
            if let Some(note) = &field.note {
                let _ = write!(out, "  // {}", clean(note));
            }
            out.push('\n');
        }
        out.push_str("}\n");
        for e in &self.enums {
            out.push('\n');
            docs(&mut out, "", &e.docs);
            let _ = writeln!(out, "enum {} {{", e.name);
            for variant in &e.variants {
                docs(&mut out, "  ", &variant.docs);
                match &variant.value {
                    Some(value) => {
                        let _ = writeln!(out, "  {} = \"{}\"", variant.name, escape(value));
                    }
                    None => {
                        let _ = writeln!(out, "  {}", variant.name);
                    }
                }
            }
            out.push_str("}\n");
        }
        out
    }
}

/// Doc comment lines: each line of each text, trimmed, without empty ones.
fn docs(out: &mut String, indent: &str, texts: &[String]) {
    for line in texts.iter().flat_map(|text| text.lines()) {
        let line = clean(line);
        if !line.is_empty() {
            let _ = writeln!(out, "{indent}/// {line}");
        }
    }
}

/// One line of comment text: control characters (which could end the line or confuse a
/// terminal) become spaces, and runs of spaces one.
fn clean(text: &str) -> String {
    let spaced: String = text.chars().map(|c| if c.is_control() { ' ' } else { c }).collect();
    spaced.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// A value as the inside of Play text: quotes, backslashes, braces and control
/// characters escaped, so it reads back as written.
fn escape(value: &str) -> String {
    let mut out = String::new();
    for c in value.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '{' => out.push_str("\\{"),
            '}' => out.push_str("\\}"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            c if c.is_control() => out.push_str(&format!("\\u{{{:x}}}", u32::from(c))),
            c => out.push(c),
        }
    }
    out
}
