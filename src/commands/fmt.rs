//! `play fmt`: rewrite files in the canonical format, list the ones that would change
//! (`--check`), or format stdin to stdout for editors.

use std::fs;
use std::path::PathBuf;

use play_compiler::Diagnostic;

use super::{to_stderr, to_stdout};
use crate::cli::FmtArgs;
use crate::error::Error;
use crate::exit::Exit;
use crate::project::{self, SourceFile};
use crate::read::Kind;
use crate::report::human;

/// What became of one file.
enum Outcome {
    Unchanged,
    Formatted(String),
    /// Not formatted, because of these errors.
    Broken(Vec<Diagnostic>),
}

pub fn run(args: &FmtArgs) -> Result<Exit, Error> {
    if args.reads_stdin() {
        if args.paths.len() > 1 {
            return Err(Error::StdinWithPaths);
        }
        return run_stdin(args.check);
    }
    let files = project::load(&args.paths)?;
    let mut changed = Vec::new();
    let mut broken = 0;
    for file in &files {
        match format(file) {
            Outcome::Unchanged => {}
            Outcome::Formatted(_) if args.check => changed.push(file.name.as_str()),
            Outcome::Formatted(text) => {
                fs::write(&file.path, text).map_err(|source| Error::Write { path: file.path.clone(), source })?;
            }
            Outcome::Broken(diagnostics) => {
                broken += 1;
                report(file, &diagnostics);
            }
        }
    }
    if !changed.is_empty() {
        to_stdout(|out| changed.iter().try_for_each(|name| writeln!(out, "{name}")))?;
    }
    if broken > 0 {
        let files = human::plural(broken, "file", "files");
        to_stderr(|out| writeln!(out, "left {files} unformatted because of errors"));
    }
    Ok(Exit::problems_if(broken > 0 || !changed.is_empty()))
}

/// Formats stdin to stdout; with `check`, writes nothing but the name `<stdin>` if the text
/// would change.
fn run_stdin(check: bool) -> Result<Exit, Error> {
    let Some(bytes) = crate::read::read_capped(std::io::stdin(), Kind::Source).map_err(Error::Stdin)? else {
        return Err(Kind::Source.too_large(std::path::Path::new("-")));
    };
    let file = SourceFile::from_bytes(PathBuf::from("-"), "<stdin>".to_string(), bytes);
    match format(&file) {
        Outcome::Unchanged if check => Ok(Exit::Success),
        Outcome::Unchanged => {
            to_stdout(|out| out.write_all(file.text.as_bytes()))?;
            Ok(Exit::Success)
        }
        Outcome::Formatted(_) if check => {
            to_stdout(|out| writeln!(out, "{}", file.name))?;
            Ok(Exit::Problems)
        }
        Outcome::Formatted(text) => {
            to_stdout(|out| out.write_all(text.as_bytes()))?;
            Ok(Exit::Success)
        }
        Outcome::Broken(diagnostics) => {
            report(&file, &diagnostics);
            Ok(Exit::Problems)
        }
    }
}

fn format(file: &SourceFile) -> Outcome {
    if let Some(encoding) = file.encoding_diagnostic() {
        return Outcome::Broken(vec![encoding]);
    }
    match play_compiler::format::format_source(&file.text) {
        Ok(text) if text == file.text => Outcome::Unchanged,
        Ok(text) => Outcome::Formatted(text),
        Err(diagnostics) => Outcome::Broken(diagnostics),
    }
}

fn report(file: &SourceFile, diagnostics: &[Diagnostic]) {
    let style = human::stderr_style();
    to_stderr(|out| human::write_file(out, file, diagnostics, style));
}
