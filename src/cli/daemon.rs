//! The daemon's subcommands as data: `play run`, `play token add`, `play send`.

use std::path::PathBuf;

use clap::{Args, Subcommand};

/// The runtime daemon: ingest, the clock, the action queue, hot reload.
#[derive(Debug, Args)]
#[command(
    long_about = "The runtime daemon. It compiles the project, recovers its state from the journal \
in PATH/.play/state.db (SQLite) or the PostgreSQL database of `--store postgres://…`, and serves the HTTP API: change lines in, the action queue out. \
Every change, tick, deploy and queue operation is journaled before it is acknowledged, so a \
crash loses nothing acknowledged and produces no action twice. Edits of the project are \
deployed as they are saved when they check. SIGTERM or Ctrl-C drains and exits 0. \
On PostgreSQL several workers (on one machine or many) share the store: one holds the lease \
and works, the others stand by and take over within `--lease-ms` when it dies; a worker whose \
lease was taken over writes nothing more, says so in its log and exits 2. \
A workspace made with `--partitions N` (N above 1) is split by account into N partitions: \
every worker accepts every request and routes each change to its partition, and the workers \
share the partitions out between them, taking over a dead worker's within the lease time.",
    after_help = "\
EXAMPLES:
  play run                               the project here, on 127.0.0.1:7878
  play run examples/customer-success --listen 0.0.0.0:8080
  play run --owner lead@example.com      who sees private playbooks' actions
  PLAY_INGEST_SECRET=… play run          also accept signed POST /v1/changes
  play run --clock changes               time moves only with the changes (backfills)
  play run --store postgres://play@db.internal/play --listen 0.0.0.0:7878
                                         a worker on PostgreSQL; start more for standbys
  play run --store postgres://play@db/play --lease-ms 5000
                                         standbys take over within 5 s of a death
  play run --store postgres://play@db/play --partitions 16
                                         a new workspace of 16 partitions: start
                                         more workers to share them out
  play run --store postgres://play@db/play --listen 0.0.0.0:7878 \
           --advertise http://worker-2.internal:7878
                                         a worker the others reach by that name

Exit status: 0 stopped by SIGTERM or Ctrl-C, 1 the project has errors,
2 the daemon could not start (a store that cannot be opened, an address in use)
or, on PostgreSQL, stopped because it lost its lease."
)]
pub struct RunArgs {
    /// The project folder, or a program built by `play build`.
    #[arg(value_name = "PATH", default_value = ".")]
    pub path: PathBuf,

    /// Where state is kept: `sqlite:FILE` (default: PATH/.play/state.db) or
    /// `postgres://USER@HOST:PORT/DATABASE`, shared by several workers.
    #[arg(long, value_name = "URL")]
    pub store: Option<String>,

    /// On PostgreSQL: how long a worker's lease lasts unrenewed (it renews every third of
    /// it). A standby takes over within this time after the active worker dies.
    #[arg(long, value_name = "MS", default_value_t = 10_000, value_parser = clap::value_parser!(u64).range(100..))]
    pub lease_ms: u64,

    /// On PostgreSQL, when the workspace is made: how many partitions it has (fixed from
    /// then on; leave it out afterwards). Each account with its contacts, opportunities
    /// and cases is one partition's; workers share the partitions out.
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(i32).range(1..=1024))]
    pub partitions: Option<i32>,

    /// On a partitioned workspace: the URL the other workers reach this one at (to ask it
    /// for a record its partitions hold). Default: where it listens, with the machine's
    /// name for 0.0.0.0.
    #[arg(long, value_name = "URL")]
    pub advertise: Option<String>,

    /// The address to listen on; port 0 picks a free port (the address is printed).
    #[arg(long, value_name = "ADDR", default_value = "127.0.0.1:7878")]
    pub listen: String,

    /// The workspace owner: who sees the actions of private playbooks.
    #[arg(long, value_name = "EMAIL")]
    pub owner: Option<String>,

    /// `system`: the engine's clock follows the system clock through journaled ticks;
    /// `changes`: it moves only with the changes' `at`.
    #[arg(long, value_name = "CLOCK", default_value = "system", value_parser = ["system", "changes"])]
    pub clock: String,

    /// Do not deploy edits of the project as they are saved.
    #[arg(long)]
    pub no_watch: bool,

    /// Snapshot the engine after at least N journaled commands (and no more often than
    /// keeps snapshots to a fifth of the engine's time; at once when idle): a restart
    /// reads the latest snapshot and only the journal after it. A clean stop leaves one.
    #[arg(long, value_name = "N", default_value_t = 10_000)]
    pub snapshot_every: u64,
}

/// API tokens for teammates.
#[derive(Debug, Args)]
#[command(after_help = "\
EXAMPLES:
  play token add jo@example.com       a token for jo, printed once")]
pub struct TokenArgs {
    #[command(subcommand)]
    pub command: TokenCommand,
}

#[derive(Debug, Subcommand)]
pub enum TokenCommand {
    Add(TokenAddArgs),
}

/// Make an API token for a teammate: printed once, kept only as its SHA-256.
#[derive(Debug, Args)]
#[command(after_help = "\
EXAMPLES:
  play token add jo@example.com                 a token for the project here
  play token add jo@example.com --path examples/customer-success

The teammate sends it as `Authorization: Bearer <token>`. A new token for the
same address does not revoke the old one.")]
pub struct TokenAddArgs {
    /// The teammate's address.
    pub email: String,

    /// The project folder whose daemon the token is for.
    #[arg(long, value_name = "PATH", default_value = ".")]
    pub path: PathBuf,

    /// Where state is kept: `sqlite:FILE` (default: PATH/.play/state.db) or `postgres://…`.
    #[arg(long, value_name = "URL")]
    pub store: Option<String>,
}

/// Post a change file to a running daemon, in batches of 1,000 lines.
#[derive(Debug, Args)]
#[command(after_help = "\
EXAMPLES:
  play send changes.jsonl --token $PLAY_TOKEN
  play send changes.jsonl --to http://play.internal:7878 --token $PLAY_TOKEN

Refused lines are printed with their line number in the file.
Exit status: 0 every line taken, 1 some lines refused, 2 the daemon could not be reached.")]
pub struct SendArgs {
    /// A change file: one JSON object per line.
    pub file: PathBuf,

    /// The daemon's address.
    #[arg(long, value_name = "URL", default_value = "http://127.0.0.1:7878")]
    pub to: String,

    /// A teammate's token (or set PLAY_TOKEN).
    #[arg(long, value_name = "TOKEN")]
    pub token: Option<String>,
}

/// Pull changes from the CRM now, through the running daemon.
#[derive(Debug, Args)]
#[command(after_help = "\
EXAMPLES:
  play sync --token $PLAY_TOKEN                          every object play.toml pulls
  play sync --record Account/0015g00000AbCdE --token $PLAY_TOKEN
  play sync --to http://play.internal:7878 --token $PLAY_TOKEN

The daemon pulls from each CRM configured in play.toml ([crm.salesforce] or
[crm.hubspot]) the records changed since the last pull, as it does every
`pull_every` (12 hours by default). A record pulled again is taken once.
Records the project refuses, and errors from the CRM, are printed.
Exit status: 0 all taken, 1 some records refused or a CRM answered with an error,
2 the daemon could not be reached or has no CRM configured.")]
pub struct SyncArgs {
    /// Only this record, written `Type/id` (the CRM's id).
    #[arg(long, value_name = "TYPE/ID")]
    pub record: Option<String>,

    /// The daemon's address.
    #[arg(long, value_name = "URL", default_value = "http://127.0.0.1:7878")]
    pub to: String,

    /// A teammate's token (or set PLAY_TOKEN).
    #[arg(long, value_name = "TOKEN")]
    pub token: Option<String>,
}

/// Copy a whole store to another place: SQLite to PostgreSQL (to scale out) or back.
#[derive(Debug, Args)]
#[command(
    long_about = "Copy a whole store — the journal, snapshots, programs, the action queue, the outbox, \
run history, runs, change ids and API tokens — into an empty store elsewhere, then check that both \
count the same. Stop `play run` first: a store being written while it is copied is copied as it was \
at each table's turn.",
    after_help = "\
EXAMPLES:
  play migrate --from sqlite:.play/state.db --to postgres://play@db.internal/play
  play migrate --from .play/state.db --to postgresql://play:secret@10.0.0.5:5432/play
  play migrate --from postgres://play@db/play --to sqlite:backup.db   and back

Progress is shown on a terminal. The target must be empty (a new database).
Exit status: 0 copied and checked, 2 the copy could not be made (nothing is
half-copied into a store that was not empty; an interrupted copy leaves a target
to drop and copy into again)."
)]
pub struct MigrateArgs {
    /// The store to copy: `sqlite:FILE`, a path, or `postgres://…`.
    #[arg(long, value_name = "URL")]
    pub from: String,

    /// The empty store to copy into: `postgres://…`, `sqlite:FILE` or a path.
    #[arg(long, value_name = "URL")]
    pub to: String,
}
