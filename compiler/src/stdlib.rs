//! The standard library: the CRM records, enums and events every project can use,
//! shipped inside the compiler from `stdlib/*.play`. A project's own item of the same
//! name takes the place of the standard one.

use std::sync::OnceLock;

use crate::syntax::{parse, Parse};

/// Each file of the standard library: its name and source.
pub const FILES: &[(&str, &str)] = &[
    ("stdlib/account.play", include_str!("../../stdlib/account.play")),
    ("stdlib/contact.play", include_str!("../../stdlib/contact.play")),
    ("stdlib/lead.play", include_str!("../../stdlib/lead.play")),
    ("stdlib/opportunity.play", include_str!("../../stdlib/opportunity.play")),
    ("stdlib/case.play", include_str!("../../stdlib/case.play")),
    ("stdlib/task.play", include_str!("../../stdlib/task.play")),
    ("stdlib/user.play", include_str!("../../stdlib/user.play")),
    ("stdlib/events.play", include_str!("../../stdlib/events.play")),
];

/// The standard library, parsed once.
pub fn parsed() -> &'static [(&'static str, &'static str, Parse)] {
    static PARSED: OnceLock<Vec<(&'static str, &'static str, Parse)>> = OnceLock::new();
    PARSED.get_or_init(|| FILES.iter().map(|(name, source)| (*name, *source, parse(source))).collect())
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_standard_library_parses_clean() {
        for (name, _, parse) in super::parsed() {
            assert!(parse.diagnostics.is_empty(), "{name}: {:#?}", parse.diagnostics);
        }
    }
}
