//! The Play compiler: `.play` source to syntax tree (with diagnostics), and the canonical
//! formatter, and lowering to a bytecode [`program::Program`]. It does no IO: callers hand
//! it source text and get data back.

pub mod analysis;
pub mod check;
pub mod crm_names;
pub mod dates;
pub mod diagnostic;
pub mod email;
pub mod format;
pub mod graph;
pub mod lower;
pub mod program;
pub mod stdlib;
pub mod suggest;
pub mod syntax;

pub use diagnostic::{Diagnostic, Severity};
pub use syntax::{parse, Parse};
