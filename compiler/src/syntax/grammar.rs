//! The pest parser generated from `grammar/play.pest`, the one grammar of the language.

#[derive(pest_derive::Parser)]
#[grammar = "../grammar/play.pest"]
pub struct PlayParser;

/// Makes the grammar a tracked input of this crate, so that editing it rebuilds the parser.
const _GRAMMAR: &str = include_str!("../../../grammar/play.pest");
