//! The exit statuses of INTERFACES.md, in one place.

use std::process::ExitCode;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Exit {
    /// Nothing to report.
    Success = 0,
    /// The input has errors: diagnostics, `fmt --check` differences.
    Problems = 1,
    /// The command could not run: bad arguments, a missing path, an unreadable file.
    CouldNotRun = 2,
    /// A bug in `play`, reported as such.
    Internal = 3,
}

impl Exit {
    /// `Problems` if `failed`, else `Success`.
    pub fn problems_if(failed: bool) -> Exit {
        if failed {
            Exit::Problems
        } else {
            Exit::Success
        }
    }
}

impl From<Exit> for ExitCode {
    fn from(exit: Exit) -> ExitCode {
        ExitCode::from(exit as u8)
    }
}
