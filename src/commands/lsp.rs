//! `play lsp`: the language server on stdin and stdout, until the editor tells it to exit.

use crate::cli::LspArgs;
use crate::error::Error;
use crate::exit::Exit;

pub fn run(args: &LspArgs) -> Result<Exit, Error> {
    // Stdio is the only transport; `--stdio` is accepted because clients add it.
    let _ = args.stdio;
    let clean = play_lsp::run_stdio().map_err(Error::Lsp)?;
    // LSP: exit status 0 after `shutdown` then `exit`, 1 after `exit` (or a closed input)
    // without `shutdown`.
    Ok(Exit::problems_if(!clean))
}
