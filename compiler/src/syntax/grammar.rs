//! The pest parser generated from `grammar/play.pest`, the one grammar of the language.

#[derive(pest_derive::Parser)]
#[grammar = "../grammar/play.pest"]
pub struct PlayParser;
