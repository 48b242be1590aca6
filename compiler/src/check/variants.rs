//! Variant values (`CustomerDirect = "Customer - Direct"`): plain text, not empty, and
//! naming one variant only, so that a change line's value picks exactly one.

use super::{Checker, FileId};
use crate::diagnostic::{codes, Diagnostic};
use crate::syntax::ast::{EnumItem, TextPart, Variant};

impl Checker<'_> {
    /// The value of a variant, or `None` (reported when it is not plain text).
    pub(super) fn variant_value(&mut self, file: FileId, owner: &str, v: &Variant) -> Option<String> {
        let text = v.value.as_ref()?;
        let mut value = String::new();
        for part in &text.parts {
            match part {
                TextPart::Lit(l) => value.push_str(l),
                TextPart::Interp(_) => {
                    let d = Diagnostic::error(
                        codes::INVALID_LITERAL,
                        format!("the value of `{owner}.{}` cannot hold `{{…}}`", v.name.name),
                        text.span,
                        "not plain text",
                    )
                    .with_help("a variant's value is the text another system uses for it, written as it is");
                    self.report(file, d);
                    return None;
                }
            }
        }
        if value.trim().is_empty() {
            let d = Diagnostic::error(
                codes::INVALID_LITERAL,
                format!("the value of `{owner}.{}` is empty", v.name.name),
                text.span,
                "empty",
            )
            .with_help(format!(
                "write the value another system uses for it, or leave out `= \"\"` after `{}`",
                v.name.name
            ));
            self.report(file, d);
            return None;
        }
        Some(value)
    }

    /// A value that is another variant's name or value would make a change line ambiguous.
    pub(super) fn variant_values_unique(
        &mut self,
        file: FileId,
        e: &EnumItem,
        variants: &[String],
        values: &[Option<String>],
    ) {
        for (i, value) in values.iter().enumerate() {
            let Some(value) = value else { continue };
            let clash = variants
                .iter()
                .enumerate()
                .find(|(j, name)| *j != i && *name == value)
                .or_else(|| variants.iter().enumerate().take(i).find(|(j, _)| values[*j].as_ref() == Some(value)))
                .map(|(_, name)| name);
            let Some(other) = clash else { continue };
            let span = e
                .variants
                .iter()
                .find(|v| v.name.name == variants[i])
                .and_then(|v| v.value.as_ref().map(|t| t.span))
                .unwrap_or(e.name.span);
            let d = Diagnostic::error(
                codes::DUPLICATE_FIELD,
                format!(
                    "`{}.{}` has the value `{value}`, which already names `{}.{other}`",
                    e.name.name, variants[i], e.name.name
                ),
                span,
                "names two variants",
            )
            .with_help("give each variant a value of its own");
            self.report(file, d);
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::check::check_sources;
    use crate::diagnostic::codes;

    fn codes_of(source: &str) -> Vec<&'static str> {
        check_sources(&[("a.play", source)]).into_iter().flatten().map(|d| d.code).collect()
    }

    #[test]
    fn variants_with_values_check_and_lower_with_their_values() {
        let source =
            "enum Kind { Prospect, CustomerDirect = \"Customer - Direct\", Odd = \"a \\\"quoted\\\" \\{value\\}\" }\n";
        assert_eq!(codes_of(source), Vec::<&str>::new());
        let program = crate::lower::build(&[("a.play", source)]).expect("builds");
        let kind = program.schema.enums.iter().find(|e| e.name == "Kind").expect("the enum");
        assert_eq!(
            kind.values,
            [None, Some("Customer - Direct".to_string()), Some("a \"quoted\" {value}".to_string())]
        );
        assert_eq!(kind.variant_for("Customer - Direct"), Some(1));
        assert_eq!(kind.variant_for("CustomerDirect"), Some(1));
        assert_eq!(kind.variant_for("customer - direct"), None);
    }

    #[test]
    fn a_value_naming_another_variant_is_an_error() {
        assert_eq!(codes_of("enum K { A, B = \"A\" }\n"), [codes::DUPLICATE_FIELD]);
        assert_eq!(codes_of("enum K { A = \"x\", B = \"x\" }\n"), [codes::DUPLICATE_FIELD]);
    }

    #[test]
    fn a_value_must_be_plain_text_and_not_empty() {
        assert_eq!(codes_of("enum K { A = \"{1}\" }\n"), [codes::INVALID_LITERAL]);
        assert_eq!(codes_of("enum K { A = \" \" }\n"), [codes::INVALID_LITERAL]);
    }

    #[test]
    fn variant_values_are_kept_by_the_formatter() {
        let source = "enum K {\n  /// doc\n  A = \"Customer - Direct\",\n  B,\n}\n";
        assert_eq!(crate::format::format_source(source).expect("formats"), source);
        let short = "enum K {A=\"x\" , B}\n";
        assert_eq!(crate::format::format_source(short).expect("formats"), "enum K { A = \"x\", B }\n");
    }
}
