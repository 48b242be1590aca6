//! A property test of the server as a whole: random edits (deletions, brackets, quotes,
//! keywords, non-ASCII text, truncation) arrive by `didChange`, and then completion, hover
//! and document symbols are asked at random positions. Every request must be answered,
//! without an error, well within a timeout: no sequence of edits crashes or wedges the
//! server.

use std::path::Path;
use std::time::Duration;

use futures::StreamExt;
use play_lsp::Config;
use proptest::prelude::*;
use serde_json::{json, Value};
use tower::{Service, ServiceExt};
use tower_lsp::jsonrpc::Request;
use tower_lsp::lsp_types::Url;

#[path = "../../compiler/tests/mutate/mod.rs"]
mod mutate;

use mutate::Mutation;

/// Generous, for a debug build on a busy machine; a wedged server never answers at all.
const PATIENCE: Duration = Duration::from_secs(30);

/// Real sources to break: one example project's files.
fn sources() -> Vec<String> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../examples/customer-success");
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .into_iter()
        .flatten()
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "play"))
        .collect();
    files.sort();
    files.iter().filter_map(|p| std::fs::read_to_string(p).ok()).collect()
}

const PAYLOADS: &[&str] = &[
    "{",
    "}",
    "(",
    ")",
    "[",
    "]",
    "\"",
    "\"\"\"",
    "/*",
    "*/",
    "//",
    "///",
    "playbook ",
    "step ",
    "stage ",
    "when ",
    "on ",
    "wait for ",
    "\n",
    "??",
    "{{",
    "\\",
    "é",
    "🎉",
    "\u{0}",
    "2026-02-30",
    "account.",
    "account.stage == ",
    " or ",
    "\nrecord ",
    "\nenum E {",
    ".",
    ":",
    ",",
    "= ",
    "\r\n",
    "\t",
    "%",
    "-",
    "test t {",
    "given Account a ",
];

fn edit() -> impl Strategy<Value = Mutation> {
    prop_oneof![mutate::delete(), mutate::insert_one_of(PAYLOADS), mutate::insert_any_text(), mutate::truncate()]
}

#[derive(Debug, Clone)]
enum Ask {
    Completion,
    Hover,
    Symbols,
}

fn ask() -> impl Strategy<Value = (Ask, u32, u32)> {
    let what = prop_oneof![Just(Ask::Completion), Just(Ask::Hover), Just(Ask::Symbols)];
    // Lines and columns past the end are part of the test.
    (what, 0..400u32, 0..140u32)
}

struct Session {
    service: tower_lsp::LspService<play_lsp::Server>,
    next_id: i64,
}

impl Session {
    async fn send(&mut self, request: Request) -> Option<tower_lsp::jsonrpc::Response> {
        let method = request.method().to_string();
        let call = async {
            let service = self.service.ready().await.unwrap_or_else(|_| panic!("the server has exited"));
            service.call(request).await.unwrap_or_else(|_| panic!("the server has exited"))
        };
        tokio::time::timeout(PATIENCE, call)
            .await
            .unwrap_or_else(|_| panic!("{method} got no answer: the server is wedged"))
    }

    async fn notify(&mut self, method: &'static str, params: Value) {
        self.send(Request::build(method).params(params).finish()).await;
    }

    /// Asks, and fails unless an answer without an error comes back.
    async fn ask(&mut self, method: &'static str, params: Value) {
        self.next_id += 1;
        let request = match params {
            Value::Null => Request::build(method).id(self.next_id).finish(),
            params => Request::build(method).id(self.next_id).params(params).finish(),
        };
        let Some(response) = self.send(request).await else { panic!("{method} got no answer") };
        if let (_, Err(error)) = response.into_parts() {
            panic!("{method} answered with an error: {error}");
        }
    }
}

async fn run(files: Vec<String>, target: usize, edits: Vec<Vec<Mutation>>, asks: Vec<(Ask, u32, u32)>) {
    let folder = tempfile::tempdir().unwrap_or_else(|e| panic!("no scratch folder: {e}"));
    for (i, text) in files.iter().enumerate() {
        std::fs::write(folder.path().join(format!("f{i}.play")), text).unwrap_or_else(|e| panic!("cannot write: {e}"));
    }
    // A pause short enough that analyses overlap the requests and each other.
    let (service, socket) = play_lsp::service(Config { debounce: Duration::from_millis(2) });
    tokio::spawn(socket.for_each(|_| async {}));
    let mut session = Session { service, next_id: 0 };
    let root = Url::from_directory_path(folder.path()).unwrap_or_else(|()| panic!("no URI for the folder"));
    session.ask("initialize", json!({ "processId": null, "rootUri": root, "capabilities": {} })).await;
    session.notify("initialized", json!({})).await;

    let target = target % files.len();
    let uri = Url::from_file_path(folder.path().join(format!("f{target}.play"))).unwrap_or_else(|()| panic!("no URI"));
    let mut text = files[target].clone();
    session
        .notify(
            "textDocument/didOpen",
            json!({ "textDocument": { "uri": uri, "languageId": "play", "version": 1, "text": text } }),
        )
        .await;
    let mut asks = asks.into_iter().cycle();
    for (version, batch) in edits.iter().enumerate() {
        for edit in batch {
            mutate::apply(&mut text, edit);
        }
        let version = version as i32 + 2;
        let change =
            json!({ "textDocument": { "uri": uri, "version": version }, "contentChanges": [{ "text": text }] });
        session.notify("textDocument/didChange", change).await;
        for _ in 0..3 {
            let Some((what, line, character)) = asks.next() else { break };
            let at = json!({ "textDocument": { "uri": uri }, "position": { "line": line, "character": character } });
            match what {
                Ask::Completion => session.ask("textDocument/completion", at).await,
                Ask::Hover => session.ask("textDocument/hover", at).await,
                Ask::Symbols => {
                    session.ask("textDocument/documentSymbol", json!({ "textDocument": { "uri": uri } })).await
                }
            }
        }
    }
    session.ask("shutdown", Value::Null).await;
}

/// Panics the server caught (it answers anyway, but each is a bug to report).
static PANICS: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);

fn count_panics() {
    static HOOK: std::sync::Once = std::sync::Once::new();
    HOOK.call_once(|| {
        let default = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            PANICS.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            default(info);
        }));
    });
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 96, ..ProptestConfig::default() })]

    #[test]
    fn every_request_is_answered_after_any_edits(
        target in 0..16usize,
        edits in prop::collection::vec(prop::collection::vec(edit(), 1..4), 1..8),
        asks in prop::collection::vec(ask(), 1..8),
    ) {
        count_panics();
        let before = PANICS.load(std::sync::atomic::Ordering::Relaxed);
        let files = sources();
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap_or_else(|e| panic!("no runtime: {e}"));
        runtime.block_on(run(files, target, edits, asks));
        prop_assert_eq!(PANICS.load(std::sync::atomic::Ordering::Relaxed), before, "the server caught a panic");
    }
}
