//! `play lsp`: the language server. It speaks LSP through tower-lsp and answers from the
//! compiler's analysis API (`play_compiler::analysis`); it has no parser or checker of its
//! own. Only this crate knows LSP types: [`convert`] turns byte offsets into LSP positions
//! and back, and each feature module turns the analysis's answers into LSP's.
//!
//! [`workspace`] holds the project (files on disk with open buffers over them), [`host`]
//! analyses it and publishes diagnostics, [`server`] routes the protocol's messages.

pub mod code_actions;
pub mod completion;
pub mod convert;
pub mod diagnostics;
mod exit;
pub mod folding;
pub mod formatting;
pub mod framing;
pub mod host;
pub mod hover;
pub mod inlay_hints;
pub mod navigation;
pub mod semantic_tokens;
pub mod server;
pub mod stdlib;
pub mod symbols;
pub mod workspace;

use std::panic::{catch_unwind, AssertUnwindSafe};

pub use host::Config;
pub use server::Server;
use tokio::io::{AsyncRead, AsyncWrite};
use tower_lsp::{ClientSocket, LspService};

/// The server as a service, for a transport or for tests that act as the client: requests
/// go in through `tower::Service`, and the socket yields what the server sends the client.
pub fn service(config: Config) -> (LspService<Server>, ClientSocket) {
    LspService::new(move |client| Server::new(client, config))
}

/// Serves LSP on stdin and stdout until the client says `exit` (or closes stdin). Returns
/// whether the client asked for `shutdown` first, as LSP wants the exit status to say.
pub async fn serve_stdio() -> bool {
    serve(tokio::io::stdin(), tokio::io::stdout()).await
}

/// Serves LSP on any byte streams: [`framing`] reads `input` (surviving messages it cannot
/// decode) and hands tower-lsp only well-formed ones through an in-memory pipe.
pub async fn serve(input: impl AsyncRead + Unpin, output: impl AsyncWrite + Unpin) -> bool {
    let (service, socket) = service(Config::default());
    let watch = exit::Watch::new(service);
    let (exited, clean) = (watch.exited(), watch.clean());
    let (to_server, server_input) = tokio::io::duplex(PIPE);
    let (server_output, from_server) = tokio::io::duplex(PIPE);
    let (frames, to_write) = tokio::sync::mpsc::channel(64);
    let serving = async {
        tokio::join!(
            tower_lsp::Server::new(server_input, server_output, socket).serve(watch),
            framing::read_input(input, to_server, frames.clone()),
            framing::relay_output(from_server, frames),
            framing::write_output(to_write, output),
        );
    };
    // tower-lsp notices `exit` only when the next message arrives, which it never does:
    // stop serving as soon as `exit` has been handled.
    tokio::select! {
        () = serving => {}
        () = exited.notified() => {}
    }
    clean.load(std::sync::atomic::Ordering::Relaxed)
}

/// The stack of the threads analyses run on, in bytes: that of a process's main thread.
const ANALYSIS_STACK: usize = 8 * 1024 * 1024;

/// The in-memory pipes' buffer, in bytes.
const PIPE: usize = 64 * 1024;

/// [`serve_stdio`] on a runtime of its own, for a caller that has none (`play lsp`).
pub fn run_stdio() -> std::io::Result<bool> {
    // Analyses run on tokio's blocking threads; give them the stack `play check` has on
    // its main thread, so that the editor copes with whatever the command line does.
    let runtime =
        tokio::runtime::Builder::new_current_thread().enable_all().thread_stack_size(ANALYSIS_STACK).build()?;
    let clean = runtime.block_on(serve_stdio());
    // Tokio reads stdin on a blocking thread that stays in its read until the client
    // closes the pipe; after `exit`, do not wait for it (nor for an analysis in flight).
    runtime.shutdown_background();
    Ok(clean)
}

/// Runs a feature, turning a panic into no answer: a bug in one request must not take
/// down the server (the panic hook has already reported it on stderr).
pub(crate) fn guarded<T>(f: impl FnOnce() -> T) -> Option<T> {
    catch_unwind(AssertUnwindSafe(f)).ok()
}
