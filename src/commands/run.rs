//! `play run`: the daemon, given the project's compile function, its store and its address.

use std::io::Write;
use std::sync::{Arc, Mutex};

use play_compiler::diagnostic::render::Style;
use play_daemon::{Compile, Config, DaemonError};

use super::to_stderr;
use crate::cli::RunArgs;
use crate::compile::compile_reporting;
use crate::error::Error;
use crate::exit::Exit;

pub fn run(args: &RunArgs) -> Result<Exit, Error> {
    logs();
    let store = play_daemon::store_place(&args.path, args.store.as_deref()).map_err(Error::Usage)?;
    let config = Config {
        project: args.path.clone(),
        store,
        lease: std::time::Duration::from_millis(args.lease_ms),
        listen: args.listen.clone(),
        compile: compile_fn(),
        owner: args.owner.clone(),
        ingest_secret: std::env::var("PLAY_INGEST_SECRET").ok().filter(|s| !s.is_empty()).map(String::into_bytes),
        follow_changes: args.clock == "changes",
        snapshot_every: args.snapshot_every,
        watch: !args.no_watch,
        partitions: args.partitions,
        advertise: args.advertise.clone(),
        on_ready: Box::new(|address| {
            // Tests and scripts read this line to learn the port.
            let mut out = std::io::stdout().lock();
            let _ = writeln!(out, "listening on http://{address}");
            let _ = out.flush();
        }),
    };
    match play_daemon::run(config) {
        Ok(()) => Ok(Exit::Success),
        Err(DaemonError::Project(diagnostics)) => {
            to_stderr(|out| out.write_all(diagnostics.as_bytes()));
            Ok(Exit::Problems)
        }
        Err(e) => {
            to_stderr(|out| writeln!(out, "error: {e}"));
            Ok(Exit::CouldNotRun)
        }
    }
}

/// The project compiled as `play check` would, its problems kept as text for the daemon's
/// status and log.
fn compile_fn() -> Compile {
    Arc::new(|path| {
        let text = Mutex::new(Vec::new());
        let mut sink = |report: crate::compile::Report| {
            let mut buffer = text.lock().unwrap_or_else(|e| e.into_inner());
            let _ = report(&mut *buffer);
        };
        let compiled = compile_reporting(path, &mut sink, Style::Plain);
        let text = String::from_utf8_lossy(&text.lock().unwrap_or_else(|e| e.into_inner())).into_owned();
        match compiled {
            Ok(Ok(c)) => Ok(c.program),
            Ok(Err(_)) => Err(text),
            Err(e) => Err(format!("error: {e}")),
        }
    })
}

/// Logs on stderr; `PLAY_LOG` (as `RUST_LOG`) picks what, `info` by default.
fn logs() {
    let filter = tracing_subscriber::EnvFilter::try_from_env("PLAY_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .try_init();
}
