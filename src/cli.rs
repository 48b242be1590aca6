//! The command line as data: clap's derive types for `play` and its subcommands.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

#[derive(Debug, Parser)]
#[command(
    name = "play",
    version,
    about = "Playbooks as code for customer-success teams",
    long_about = "Playbooks as code for customer-success teams: check and format `.play` projects, import CRM schemas.",
    after_help = "\
EXAMPLES:
  play check                    check every .play file under the current folder
  play check playbooks/ --format json
  play fmt                      format every .play file in place
  play fmt --check              list the files that are not formatted, change nothing
  play schema import salesforce account.json > account.play
  play lsp                      the language server, for editors (on stdin and stdout)"
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    Check(CheckArgs),
    Fmt(FmtArgs),
    Schema(SchemaArgs),
    Lsp(LspArgs),
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

/// Run the language server: errors as you type, completion, hover, navigation, rename,
/// formatting and quick fixes in editors.
#[derive(Debug, Args)]
#[command(after_help = "\
EXAMPLES:
  play lsp                    serve LSP on stdin and stdout; editors start it this way
  play lsp --stdio            the same (the flag VS Code's client adds)

The project is every .play file under the editor's workspace folder, with unsaved
buffers laid over the files on disk. See docs/editors.md for VS Code, Neovim and Helix.

Exit status: 0 after the editor asks the server to shut down and then to exit,
1 when it exits without shutting down first (or closes the server's input),
2 the server could not start.")]
pub struct LspArgs {
    /// Speak LSP on stdin and stdout (the default and only transport).
    #[arg(long)]
    pub stdio: bool,
}

/// Work with a CRM's schema.
#[derive(Debug, Args)]
#[command(after_help = "\
EXAMPLES:
  play schema import salesforce account_describe.json > records/account.play
  play schema import hubspot contacts_properties.json")]
pub struct SchemaArgs {
    #[command(subcommand)]
    pub command: SchemaCommand,
}

#[derive(Debug, Subcommand)]
pub enum SchemaCommand {
    Import(ImportArgs),
}

/// Print the `record` and `enum` items for a CRM's description of one object.
#[derive(Debug, Args)]
#[command(after_help = "\
EXAMPLES:
  # Salesforce: save the describe result of an object, then import it.
  curl -H \"Authorization: Bearer $TOKEN\" \\
    https://acme.my.salesforce.com/services/data/v60.0/sobjects/Account/describe > account.json
  play schema import salesforce account.json > records/account.play

  # HubSpot: save GET /crm/v3/properties/contacts, then import it. The object type comes
  # from --object, or else from the file name (contacts_properties.json -> contacts).
  play schema import hubspot contacts_properties.json
  play schema import hubspot props.json --object deals --name Deal

Picklists and enumerations become enums, lookups become fields of the record they refer to
(a HubSpot owner is a User), Salesforce fields that are nillable and every HubSpot property
become optional, and labels and help texts become doc comments. HubSpot's standard objects
become Play's standard records: contacts Contact, companies Account, deals Opportunity,
tickets Case, tasks Task, leads Lead.

Exit status: 0 printed, 1 the file is not a description of that kind (each problem is
named), 2 the import could not run (a missing file, a bad option).")]
pub struct ImportArgs {
    /// The CRM the file comes from.
    #[arg(value_enum)]
    pub crm: Crm,

    /// A Salesforce describe result, or a HubSpot properties listing, as JSON.
    #[arg(value_name = "FILE.json")]
    pub file: PathBuf,

    /// The record's name, instead of the one derived from the object's.
    #[arg(long, value_name = "RecordName", value_parser = record_name)]
    pub name: Option<String>,

    /// The HubSpot object type the file lists (`contacts`, `companies`, `deals`, …).
    #[arg(long, value_name = "NAME")]
    pub object: Option<String>,
}

/// The CRMs `play schema import` reads.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum Crm {
    /// A Salesforce sObject describe result.
    Salesforce,
    /// A HubSpot CRM properties listing (v3).
    Hubspot,
}

/// `--name` must be a name Play accepts for a record.
fn record_name(name: &str) -> Result<String, String> {
    if crate::schema::names::is_identifier(name) {
        Ok(name.to_string())
    } else {
        Err("expected a record name: a letter or `_`, then letters, digits and `_`".to_string())
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
