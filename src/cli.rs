//! The command line as data: clap's derive types for `play` and its subcommands.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

#[derive(Debug, Parser)]
#[command(
    name = "play",
    version,
    about = "Playbooks as code for customer-success teams",
    long_about = "Playbooks as code for customer-success teams: check and format `.play` projects.",
    after_help = "\
EXAMPLES:
  play check                    check every .play file under the current folder
  play check playbooks/ --format json
  play fmt                      format every .play file in place
  play fmt --check              list the files that are not formatted, change nothing"
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    Check(CheckArgs),
    Fmt(FmtArgs),
}

/// Report every problem in a project's `.play` files.
#[derive(Debug, Args)]
#[command(after_help = "\
EXAMPLES:
  play check                          the project in the current folder
  play check playbooks/ renewal.play  a folder (searched recursively) and one file
  play check --format github          annotations for a GitHub Actions log
  play check --format sarif > play.sarif

Exit status: 0 no errors, 1 errors found (or warnings, with --deny-warnings),
2 the check could not run (a missing path, an unreadable file).")]
pub struct CheckArgs {
    /// Folders to search recursively for `.play` files, or single files.
    #[arg(value_name = "PATH", default_value = ".")]
    pub paths: Vec<PathBuf>,

    /// How to report diagnostics: `human` on stderr, the others as one document on stdout.
    #[arg(long, value_enum, default_value_t = Format::Human)]
    pub format: Format,

    /// Treat warnings as errors for the exit status.
    #[arg(long)]
    pub deny_warnings: bool,
}

/// Format `.play` files in place, the one canonical way.
#[derive(Debug, Args)]
#[command(after_help = "\
EXAMPLES:
  play fmt                    format every .play file under the current folder
  play fmt --check            list files that would change (exit 1 if any), change nothing
  play fmt - < renewal.play   format standard input to standard output, for editors

A file with syntax errors is left as it is; its errors are reported and the exit status is 1.")]
pub struct FmtArgs {
    /// Folders to search recursively for `.play` files, or single files; `-` reads stdin.
    #[arg(value_name = "PATH", default_value = ".")]
    pub paths: Vec<PathBuf>,

    /// Change nothing: list the files that would change and exit 1 if there are any.
    #[arg(long)]
    pub check: bool,

    /// Read source from stdin and write the formatted text to stdout (the same as `-`).
    #[arg(long, conflicts_with = "paths")]
    pub stdin: bool,
}

impl FmtArgs {
    /// Whether the source comes from stdin, by `--stdin` or a lone `-`.
    pub fn reads_stdin(&self) -> bool {
        self.stdin || self.paths.iter().any(|p| p.as_os_str() == "-")
    }
}

/// The forms `play check` reports in.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// Source excerpts with labels, for people.
    Human,
    /// One JSON document with every diagnostic and the counts.
    Json,
    /// SARIF 2.1.0, for code-scanning tools.
    Sarif,
    /// GitHub Actions workflow commands, one annotation per line.
    Github,
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn command_line_definition_is_consistent() {
        Cli::command().debug_assert();
    }
}
