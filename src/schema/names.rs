//! Turning a CRM's names into Play identifiers: shared with the CRM pull, so it lives in
//! the compiler ([`play_compiler::crm_names`]).

pub use play_compiler::crm_names::*;
