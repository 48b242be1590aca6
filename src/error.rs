//! Why a command could not run (exit status 2), as opposed to finding problems in the
//! input (exit status 1).

use std::io;
use std::path::PathBuf;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("cannot read `{}`: {}", path.display(), describe(source))]
    Read { path: PathBuf, source: io::Error },
    #[error("cannot read `{}`: it is not a regular file", path.display())]
    NotAFile { path: PathBuf },
    #[error("cannot read `{}`: it is larger than {limit}, the most {what} may be", path.display())]
    TooLarge { path: PathBuf, limit: String, what: &'static str },
    #[error("cannot write `{}`: {}", path.display(), describe(source))]
    Write { path: PathBuf, source: io::Error },
    #[error("cannot read standard input: {}", describe(.0))]
    Stdin(io::Error),
    #[error("cannot write the output: {}", describe(.0))]
    Output(io::Error),
    #[error("`-` (standard input) cannot be combined with other paths")]
    StdinWithPaths,
    #[error("{0}")]
    Usage(String),
    #[error("cannot start the language server: {}", describe(.0))]
    Lsp(io::Error),
    #[error("cannot load `{}`: {source}", path.display())]
    Program { path: PathBuf, source: play_compiler::program::LoadError },
}

/// An IO error in the house style: lowercase, without the OS error number.
pub fn describe(error: &io::Error) -> String {
    match error.kind() {
        io::ErrorKind::NotFound => "no such file or folder".to_string(),
        io::ErrorKind::PermissionDenied => "permission denied".to_string(),
        _ => {
            let text = error.to_string();
            // `Display` for OS errors appends " (os error N)"; people do not need it.
            let text = text.split(" (os error").next().unwrap_or(&text).to_string();
            let mut chars = text.chars();
            match chars.next() {
                Some(first) => first.to_lowercase().chain(chars).collect(),
                None => text,
            }
        }
    }
}
