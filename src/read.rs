//! Reading the files the command line is given, within bounds: only regular files (not
//! `/dev/zero`, a pipe or a folder), and no more than a cap for each kind, so no input can
//! make `play` read without limit.

use std::fs::File;
use std::io::Read;
use std::path::Path;

use crate::error::Error;

/// What is read, and the most bytes it may have.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// A `.play` source file, or source on standard input: 8 MiB.
    Source,
    /// `play.toml`: 1 MiB.
    Config,
    /// A built program: 256 MiB.
    Program,
    /// A document `play schema import` reads: 64 MiB.
    Schema,
}

impl Kind {
    pub fn limit(self) -> u64 {
        const MIB: u64 = 1024 * 1024;
        match self {
            Kind::Source => 8 * MIB,
            Kind::Config => MIB,
            Kind::Program => 256 * MIB,
            Kind::Schema => 64 * MIB,
        }
    }

    fn noun(self) -> &'static str {
        match self {
            Kind::Source => "a source file",
            Kind::Config => "`play.toml`",
            Kind::Program => "a program file",
            Kind::Schema => "a schema document",
        }
    }

    /// The error for input over the limit.
    pub fn too_large(self, path: &Path) -> Error {
        let limit = format!("{} MiB", self.limit() / (1024 * 1024));
        Error::TooLarge { path: path.to_path_buf(), limit, what: self.noun() }
    }
}

/// The bytes of a regular file of at most `kind`'s limit.
pub fn read(path: &Path, kind: Kind) -> Result<Vec<u8>, Error> {
    let failed = |source| Error::Read { path: path.to_path_buf(), source };
    let file = File::open(path).map_err(failed)?;
    let metadata = file.metadata().map_err(failed)?;
    if !metadata.is_file() {
        return Err(Error::NotAFile { path: path.to_path_buf() });
    }
    if metadata.len() > kind.limit() {
        return Err(kind.too_large(path));
    }
    read_capped(file, kind).map_err(failed)?.ok_or_else(|| kind.too_large(path))
}

/// At most `kind`'s limit of bytes from `input`, or `None` when there are more (a file
/// can grow while it is read; standard input has no length to look at first).
pub fn read_capped(input: impl Read, kind: Kind) -> std::io::Result<Option<Vec<u8>>> {
    let mut bytes = Vec::new();
    input.take(kind.limit() + 1).read_to_end(&mut bytes)?;
    Ok((bytes.len() as u64 <= kind.limit()).then_some(bytes))
}
