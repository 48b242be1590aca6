//! The language server driven in-process as an editor would drive it: fixtures with a
//! `$0` cursor go in, and the answers come out rendered under the source for snapshots.

mod harness;

mod code_actions;
mod completion;
mod diagnostics;
mod formatting;
mod hover;
mod navigation;
mod robustness;
mod symbols;
mod test_blocks;
