//! The command line as data: clap's derive types for `play` and its subcommands.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

mod daemon;
pub use daemon::*;

#[derive(Debug, Parser)]
#[command(
    name = "play",
    version,
    about = "Playbooks as code for customer-success teams",
    long_about = "Playbooks as code for customer-success teams.\n\n\
A project is a folder of `.play` files (records, events, segments, signals, templates, \
playbooks and their tests) with an optional `play.toml`. `play check` type-checks it against \
the CRM schema, `play fmt` lays it out, `play build` compiles it to a bytecode program, \
`play test` runs its tests in simulated time, `play replay` and `play explain` show what it \
would have done on recorded CRM changes and why, `play diff` says before a deploy what \
changed and what becomes of the runs in flight, `play graph` draws playbooks, `play schema \
import` turns a CRM's field description into records, and `play lsp` serves editors. `play run` \
is the daemon that runs a project for real (HTTP ingest, the clock, the action queue, hot \
reload), `play token add` makes a teammate's API token for it, `play send` posts a change \
file to it, `play sync` asks it to pull changes from the CRM now, and `play migrate` copies \
its store from SQLite to PostgreSQL (or back).",
    after_help = "\
EXAMPLES:
  play check                    check every .play file under the current folder
  play check playbooks/ --format json
  play fmt                      format every .play file in place
  play fmt --check              list the files that are not formatted, change nothing
  play build -o program.playc   compile the project to a bytecode program
  play test                     run every test block in simulated time
  play replay --changes changes.jsonl > actions.jsonl
  play explain --changes changes.jsonl --record Account/acme --playbook renewal_risk
  play diff --against deployed.playc --changes changes.jsonl
  play graph --playbook renewal_risk > renewal_risk.svg
  play schema import salesforce account.json > account.play
  play lsp                      the language server, for editors (on stdin and stdout)
  play run                      the daemon: HTTP ingest and the action queue on 127.0.0.1:7878
  play token add jo@example.com an API token for a teammate
  play send changes.jsonl --token $PLAY_TOKEN
  play sync --token $PLAY_TOKEN  pull changes from the CRM now
  play migrate --from sqlite:.play/state.db --to postgres://play@db/play"
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    Check(CheckArgs),
    Fmt(FmtArgs),
    Build(BuildArgs),
    Test(TestArgs),
    Replay(ReplayArgs),
    Explain(ExplainArgs),
    Diff(DiffArgs),
    Graph(GraphArgs),
    Schema(SchemaArgs),
    Lsp(LspArgs),
    Run(RunArgs),
    Token(TokenArgs),
    Send(SendArgs),
    Sync(SyncArgs),
    Migrate(MigrateArgs),
}

/// Whether conditions run as native code: on unless `--no-jit` or `PLAY_NO_JIT=1`.
#[derive(Debug, Args)]
pub struct JitArgs {
    /// Run every condition through the predicates and the interpreter, without compiling
    /// them to native code (the same answers, more slowly; also `PLAY_NO_JIT=1`).
    #[arg(long)]
    pub no_jit: bool,
}

impl JitArgs {
    /// Whether the JIT is off, by the flag or by `PLAY_NO_JIT` set to anything but
    /// `0` or nothing.
    pub fn off(&self) -> bool {
        self.no_jit || std::env::var_os("PLAY_NO_JIT").is_some_and(|v| !v.is_empty() && v != "0")
    }
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

/// Compile a project to a bytecode program, or print its disassembly.
#[derive(Debug, Args)]
#[command(after_help = "\
EXAMPLES:
  play build -o program.playc        compile the project in the current folder
  play build examples/customer-success --dump   print the readable disassembly

The program carries a format version and a content hash, and runs without the source.
Exit status: 0 built, 1 the project has errors (reported as `play check` does),
2 the build could not run (a missing path, an unwritable output).")]
pub struct BuildArgs {
    #[command(flatten)]
    pub jit: JitArgs,

    /// The project folder (every `.play` file under it, and its `play.toml`).
    #[arg(value_name = "PATH", default_value = ".")]
    pub path: PathBuf,

    /// Where to write the program.
    #[arg(short, long, value_name = "FILE", default_value = "program.playc")]
    pub output: PathBuf,

    /// Print the disassembly to stdout instead of writing the program.
    #[arg(long)]
    pub dump: bool,
}

/// Run every `test` block of a project in simulated time.
#[derive(Debug, Args)]
#[command(after_help = "\
EXAMPLES:
  play test                          the project in the current folder
  play test examples/customer-success --format junit > report.xml
  play test --filter renewal --history   what the failing renewal tests did, step by step

Exit status: 0 every test passed, 1 a test failed or the project has errors,
2 the tests could not run.")]
pub struct TestArgs {
    #[command(flatten)]
    pub jit: JitArgs,

    /// The project folder, or a program built by `play build` (`.playc`).
    #[arg(value_name = "PATH", default_value = ".")]
    pub path: PathBuf,

    /// `human` on stderr; `json` and `junit` as one document on stdout.
    #[arg(long, value_enum, default_value_t = TestFormat::Human)]
    pub format: TestFormat,

    /// Run only the tests whose name contains this text.
    #[arg(long, value_name = "TEXT")]
    pub filter: Option<String>,

    /// Under each failing test, print its run history: what enrolled, ran, waited,
    /// skipped and why (human format).
    #[arg(long)]
    pub history: bool,
}

/// The forms `play test` reports in.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum TestFormat {
    Human,
    Json,
    Junit,
}

/// Feed recorded changes through the engine in simulated time and print the actions it
/// would produce, acting on nothing.
#[derive(Debug, Args)]
#[command(after_help = "\
EXAMPLES:
  play replay --changes changes.jsonl
  play replay examples/customer-success --changes q1.jsonl --until 2026-06-30T00:00:00Z
  play replay program.playc --changes q1.jsonl   a program built by `play build`
  play replay v1.playc --changes q1.jsonl --deploy 2026-03-10T00:00:00Z=v2.playc
      run on v1, then deploy v2 on 10 March: runs in flight keep, migrate or cancel
      by each changed playbook's `inflight` setting

Actions are printed as JSON lines on stdout, in the order produced. A line that does not fit
the schema is reported on stderr with its line number and field, and the rest go on.
Exit status: 0 every line was taken, 1 a line was refused or the project has errors,
2 the replay could not run.")]
pub struct ReplayArgs {
    #[command(flatten)]
    pub jit: JitArgs,

    /// The project folder, or a program built by `play build` (`.playc`).
    #[arg(value_name = "PATH", default_value = ".")]
    pub path: PathBuf,

    /// The changes, one JSON object per line.
    #[arg(long, value_name = "FILE.jsonl")]
    pub changes: PathBuf,

    /// Run the clock to this moment after the last change (RFC 3339); waits falling due
    /// before it produce their actions. Default: the last change's time.
    #[arg(long, value_name = "TIME")]
    pub until: Option<String>,

    /// Print the run history (JSON lines on stderr) as well.
    #[arg(long)]
    pub history: bool,

    /// Deploy another program at a moment of the replay: `TIME=program.playc` (or a
    /// project folder). It takes over before the first change at or after `TIME`; runs in
    /// flight follow their playbook's `inflight` setting. Repeatable.
    #[arg(long, value_name = "TIME=PROGRAM")]
    pub deploy: Vec<String>,
}

/// Say why a playbook did or did not enrol a record, step by step.
#[derive(Debug, Args)]
#[command(after_help = "\
EXAMPLES:
  play explain --changes changes.jsonl --record Account/acme --playbook renewal_risk

Exit status: 0 explained, 1 a change was refused or the project has errors,
2 the explanation could not run (an unknown playbook or record type).")]
pub struct ExplainArgs {
    #[command(flatten)]
    pub jit: JitArgs,

    /// The project folder, or a program built by `play build` (`.playc`).
    #[arg(value_name = "PATH", default_value = ".")]
    pub path: PathBuf,

    /// The changes, one JSON object per line.
    #[arg(long, value_name = "FILE.jsonl")]
    pub changes: PathBuf,

    /// The record, as `Type/id`.
    #[arg(long, value_name = "Type/id")]
    pub record: String,

    /// The playbook, by name.
    #[arg(long, value_name = "NAME")]
    pub playbook: String,

    /// Run the clock to this moment after the last change (RFC 3339).
    #[arg(long, value_name = "TIME")]
    pub until: Option<String>,
}

/// Before deploying: what changed in each playbook since a built program, and what the
/// deploy would do to the runs in flight.
#[derive(Debug, Args)]
#[command(after_help = "\
EXAMPLES:
  play diff --against deployed.playc
      what changed in each playbook: triggers, conditions, exits, steps, settings
  play diff --against deployed.playc --changes journal.jsonl
      and, for each run in flight after those changes under the deployed program,
      whether the deploy keeps, migrates or cancels it (by the playbook's `inflight`)
  play diff v2/ --against v1.playc --format json

Steps, stages and waits are compared by what they do, not where they are written.
Exit status: 0 compared, 1 a project has errors or a change line was refused,
2 the comparison could not run (a missing program, a bad option).")]
pub struct DiffArgs {
    #[command(flatten)]
    pub jit: JitArgs,

    /// The project about to be deployed (a folder, or a built `.playc`).
    #[arg(value_name = "PATH", default_value = ".")]
    pub path: PathBuf,

    /// The program deployed now (a `.playc` built by `play build`, or a project folder).
    #[arg(long, value_name = "PROGRAM")]
    pub against: PathBuf,

    /// Changes replayed under the deployed program, for the runs in flight.
    #[arg(long, value_name = "FILE.jsonl")]
    pub changes: Option<PathBuf>,

    /// Run the clock to this moment after the last change (RFC 3339).
    #[arg(long, value_name = "TIME", requires = "changes")]
    pub until: Option<String>,

    /// `human`, or one JSON document.
    #[arg(long, value_enum, default_value_t = DiffFormat::Human)]
    pub format: DiffFormat,
}

/// The forms `play diff` reports in.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum DiffFormat {
    Human,
    Json,
}

/// Draw playbooks: triggers, conditions, steps with their filters and actions, waits
/// (a `wait for` with its timeout branch), stages with their activities, and exits.
#[derive(Debug, Args)]
#[command(after_help = "\
EXAMPLES:
  play graph --playbook renewal_risk > renewal_risk.svg   one playbook as an SVG picture
  play graph --format mermaid                             every playbook, for Markdown
  play graph examples/customer-success --output pictures/ one SVG file per playbook
  play graph program.playc --format dot | dot -Tpng > p.png

Exit status: 0 drawn, 1 the project has errors (reported as `play check` does),
2 the pictures could not be made (no such playbook, an unwritable folder).")]
pub struct GraphArgs {
    /// The project folder, or a program built by `play build` (`.playc`).
    #[arg(value_name = "PATH", default_value = ".")]
    pub path: PathBuf,

    /// Only this playbook.
    #[arg(long, value_name = "NAME")]
    pub playbook: Option<String>,

    /// `svg` (laid out here), `mermaid` (a flowchart for Markdown) or `dot` (Graphviz).
    #[arg(long, value_enum, default_value_t = GraphFormat::Svg)]
    pub format: GraphFormat,

    /// Write one file per playbook into this folder (`NAME.svg`, `.mmd` or `.dot`)
    /// instead of printing.
    #[arg(short, long, value_name = "FOLDER")]
    pub output: Option<PathBuf>,
}

/// The forms `play graph` draws in.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum GraphFormat {
    Svg,
    Mermaid,
    Dot,
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
