//! The subcommands, one module each, and the output plumbing they share.

pub mod build;
pub mod check;
pub mod diff;
pub mod explain;
pub mod fmt;
pub mod graph;
pub mod lsp;
pub mod migrate;
pub mod replay;
pub mod run;
pub mod schema;
pub mod send;
pub mod sync;
pub mod test;
pub mod token;

use std::io::{self, Write};

use crate::error::Error;

/// Runs `write` against a buffered stdout. A reader that went away (`play check --format
/// json | head`) is not an error: the exit status still tells the outcome.
pub fn to_stdout(write: impl FnOnce(&mut dyn Write) -> io::Result<()>) -> Result<(), Error> {
    let mut out = io::BufWriter::new(io::stdout().lock());
    match write(&mut out).and_then(|()| out.flush()) {
        Err(e) if e.kind() != io::ErrorKind::BrokenPipe => Err(Error::Output(e)),
        _ => Ok(()),
    }
}

/// Runs `write` against stderr. A failure there has nowhere to be reported, so it is
/// dropped rather than turned into a panic (as `eprintln!` would).
pub fn to_stderr(write: impl FnOnce(&mut dyn Write) -> io::Result<()>) {
    let mut err = io::BufWriter::new(io::stderr().lock());
    let _ = write(&mut err).and_then(|()| err.flush());
}
