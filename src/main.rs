//! `play`: the command-line tool. It parses arguments, runs one command, and turns the
//! outcome into an exit status; a panic becomes an "internal error" report and status 3.

mod analysis;
mod cli;
mod commands;
mod compile;
mod diff;
mod error;
mod exit;
mod project;
mod read;
mod report;
mod schema;

use std::any::Any;
use std::panic::{self, UnwindSafe};
use std::process::ExitCode;

use clap::Parser;

use cli::{Cli, Command};
use exit::Exit;

/// The product runs on mimalloc: the engine's many small, short-lived allocations per
/// change (runs, names, actions) cost less there than in glibc's malloc, which also stops
/// to tidy its free lists as the engine's maps grow. The engine's benchmarks use it too.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    install_panic_hook();
    guarded(run).into()
}

fn run() -> Exit {
    // Bad arguments print clap's usage and exit with 2; `--help` and `--version` with 0.
    let cli = Cli::try_parse().unwrap_or_else(|e| e.exit());
    let jit = match &cli.command {
        Command::Build(args) => Some(&args.jit),
        Command::Test(args) => Some(&args.jit),
        Command::Replay(args) => Some(&args.jit),
        Command::Explain(args) => Some(&args.jit),
        Command::Diff(args) => Some(&args.jit),
        _ => None,
    };
    if jit.is_some_and(cli::JitArgs::off) {
        play_runtime::jit::set_enabled(false);
    }
    let result = match &cli.command {
        Command::Check(args) => commands::check::run(args),
        Command::Fmt(args) => commands::fmt::run(args),
        Command::Build(args) => commands::build::run(args),
        Command::Test(args) => commands::test::run(args),
        Command::Replay(args) => commands::replay::run(args),
        Command::Explain(args) => commands::explain::run(args),
        Command::Graph(args) => commands::graph::run(args),
        Command::Diff(args) => commands::diff::run(args),
        Command::Schema(args) => commands::schema::run(args),
        Command::Lsp(args) => commands::lsp::run(args),
        Command::Run(args) => commands::run::run(args),
        Command::Token(args) => commands::token::run(args),
        Command::Send(args) => commands::send::run(args),
        Command::Sync(args) => commands::sync::run(args),
        Command::Migrate(args) => commands::migrate::run(args),
    };
    result.unwrap_or_else(|error| {
        commands::to_stderr(|out| writeln!(out, "error: {error}"));
        Exit::CouldNotRun
    })
}

/// Runs `f`, turning a panic into [`Exit::Internal`]; the panic hook has already said what
/// happened.
fn guarded(f: impl FnOnce() -> Exit + UnwindSafe) -> Exit {
    panic::catch_unwind(f).unwrap_or(Exit::Internal)
}

/// Replaces Rust's panic message, meant for Rust programmers, with one for people who
/// use `play`.
fn install_panic_hook() {
    panic::set_hook(Box::new(|info| {
        let at = info.location().map(|l| format!(" (at {}:{})", l.file(), l.line())).unwrap_or_default();
        let message = panic_message(info.payload());
        commands::to_stderr(|out| {
            writeln!(out, "internal error: {message}{at}")?;
            writeln!(out, "this is a bug in play; please report it with the input that caused it")
        });
    }));
}

fn panic_message(payload: &(dyn Any + Send)) -> &str {
    if let Some(text) = payload.downcast_ref::<&str>() {
        text
    } else if let Some(text) = payload.downcast_ref::<String>() {
        text
    } else {
        "unknown panic"
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_panic_becomes_an_internal_error_exit() {
        assert_eq!(guarded(|| panic!("boom")), Exit::Internal);
        assert_eq!(guarded(|| Exit::Problems), Exit::Problems);
    }

    #[test]
    fn panic_messages_are_read_from_either_payload() {
        assert_eq!(panic_message(&"static"), "static");
        assert_eq!(panic_message(&String::from("formatted")), "formatted");
        assert_eq!(panic_message(&42), "unknown panic");
    }
}
