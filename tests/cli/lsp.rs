//! `play lsp` as an editor runs it: a real process on stdin and stdout. A message it
//! cannot decode is answered with a JSON-RPC error and the server goes on reading.

use std::io::{BufRead, BufReader, Write};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

use serde_json::{json, Value};

/// Generous, for a debug build on a busy machine.
const PATIENCE: Duration = Duration::from_secs(30);

struct Server {
    child: Child,
    input: ChildStdin,
    output: mpsc::Receiver<Value>,
    /// What was sent, for messages when the server does not answer.
    sent: Vec<Vec<u8>>,
}

impl Server {
    fn start() -> Server {
        let mut child = Command::new(env!("CARGO_BIN_EXE_play"))
            .arg("lsp")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("play lsp starts");
        let input = child.stdin.take().expect("stdin is piped");
        let stdout = child.stdout.take().expect("stdout is piped");
        let (tx, output) = mpsc::channel();
        std::thread::spawn(move || {
            let mut reader = BufReader::new(stdout);
            while let Some(message) = read_frame(&mut reader) {
                if tx.send(message).is_err() {
                    return;
                }
            }
        });
        Server { child, input, output, sent: Vec::new() }
    }

    fn send_raw(&mut self, bytes: &[u8]) {
        self.sent.push(bytes.to_vec());
        self.input.write_all(bytes).expect("play lsp reads its input");
        self.input.flush().expect("play lsp reads its input");
    }

    fn send(&mut self, message: Value) {
        self.send_raw(&frame(&message.to_string()));
    }

    /// The next message the server writes that is not a notification.
    fn answer(&mut self) -> Value {
        loop {
            let message = match self.output.recv_timeout(PATIENCE) {
                Ok(message) => message,
                Err(e) => panic!(
                    "play lsp does not answer ({e}) after {:?}",
                    self.sent.last().map(|s| String::from_utf8_lossy(s).into_owned())
                ),
            };
            if message.get("method").is_none() {
                return message;
            }
        }
    }

    fn initialize(&mut self, id: i64) -> Value {
        self.send(json!({ "jsonrpc": "2.0", "id": id, "method": "initialize", "params": { "capabilities": {} } }));
        self.answer()
    }

    /// `shutdown` then `exit`: the exit status says whether that was clean.
    fn finish(mut self) -> i32 {
        self.send(json!({ "jsonrpc": "2.0", "id": 99, "method": "shutdown" }));
        assert_eq!(self.answer()["id"], 99);
        self.send(json!({ "jsonrpc": "2.0", "method": "exit" }));
        let status = self.child.wait().expect("play lsp ends");
        status.code().expect("play lsp exits rather than being killed")
    }
}

fn frame(body: &str) -> Vec<u8> {
    format!("Content-Length: {}\r\n\r\n{body}", body.len()).into_bytes()
}

fn read_frame(reader: &mut impl BufRead) -> Option<Value> {
    let mut length = None;
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line).ok()? == 0 {
            return None;
        }
        let line = line.trim_end();
        if line.is_empty() {
            break;
        }
        if let Some(value) = line.strip_prefix("Content-Length:") {
            length = value.trim().parse::<usize>().ok();
        }
    }
    let mut body = vec![0; length?];
    reader.read_exact(&mut body).ok()?;
    serde_json::from_slice(&body).ok()
}

/// Each bad message, and the error code it is answered with.
fn bad_messages() -> Vec<(&'static str, Vec<u8>, i64)> {
    let init = r#"{"jsonrpc":"2.0","id":7,"method":"initialize","params":{"capabilities":{}}}"#;
    vec![
        ("no frame at all", b"hello world".to_vec(), -32700),
        ("a body that is not JSON", frame("hello world"), -32700),
        ("truncated JSON", frame(&init[..30]), -32700),
        ("a batch", frame("[]"), -32600),
        ("a number", frame("42"), -32600),
        ("an object that is no message", frame(r#"{"jsonrpc":"2.0"}"#), -32600),
        ("a wrong version", frame(r#"{"jsonrpc":"1.0","id":1,"method":"initialize"}"#), -32600),
        ("a length too short", format!("Content-Length: 20\r\n\r\n{init}").into_bytes(), -32700),
        ("a length too long", format!("Content-Length: {}\r\n\r\n{init}", init.len() + 40).into_bytes(), -32700),
        (
            "no length",
            format!("Content-Type: application/vscode-jsonrpc; charset=utf-8\r\n\r\n{init}").into_bytes(),
            -32700,
        ),
        ("a length that is no number", format!("Content-Length: lots\r\n\r\n{init}").into_bytes(), -32700),
        ("a message too large", b"Content-Length: 99999999999\r\n\r\n".to_vec(), -32700),
    ]
}

#[test]
fn the_language_server_answers_a_bad_message_and_goes_on() {
    for (what, bytes, code) in bad_messages() {
        let mut server = Server::start();
        server.send_raw(&bytes);
        // A length too long is found out only when the next message arrives.
        let answer = server.initialize(1);
        let (error, answer) = (answer, server.answer());
        assert_eq!(error["error"]["code"], code, "{what}: {error}");
        assert_eq!(error["id"], Value::Null, "{what}: {error}");
        assert_eq!(answer["id"], 1, "{what}: {answer}");
        assert!(answer["result"]["capabilities"].is_object(), "{what}: {answer}");
        assert_eq!(server.finish(), 0, "{what}");
    }
}

#[test]
fn the_language_server_answers_hover_after_bad_messages_mid_session() {
    let source = "segment at_risk for account: Account =\n  account.health < 40\n";
    let (mut server, uri, _dir) = opened(source);
    for (what, bytes, code) in bad_messages() {
        server.send_raw(&bytes);
        server.send(json!({ "jsonrpc": "2.0", "id": 2, "method": "textDocument/hover",
            "params": { "textDocument": { "uri": uri }, "position": { "line": 1, "character": 12 } } }));
        let error = server.answer();
        assert_eq!(error["error"]["code"], code, "{what}: {error}");
        let hover = server.answer();
        assert_eq!(hover["id"], 2, "{what}: {hover}");
        let text = hover["result"]["contents"]["value"].as_str().unwrap_or_default().to_string();
        assert!(text.contains("health"), "after {what}: {hover}");
    }
    assert_eq!(server.finish(), 0);
}

#[test]
fn unframed_garbage_between_messages_is_answered_once() {
    let mut server = Server::start();
    server.send_raw(b"this is not LSP\r\n\r\nneither is this\r\n");
    assert_eq!(server.answer()["error"]["code"], -32700);
    let answer = server.initialize(3);
    assert_eq!(answer["id"], 3, "one answer for one stretch of garbage: {answer}");
    assert_eq!(server.finish(), 0);
}

/// A server started in a scratch workspace holding `source` as `main.play`, initialised,
/// with the file open; its URI, and the folder (kept alive as long as the server needs it).
fn opened(source: &str) -> (Server, String, tempfile::TempDir) {
    let dir = tempfile::tempdir().expect("a scratch folder");
    std::fs::write(dir.path().join("main.play"), source).expect("scratch folder is writable");
    let uri = format!("file://{}/main.play", dir.path().display());
    let folder = format!("file://{}", dir.path().display());
    let mut server = Server::start();
    server.send(json!({ "jsonrpc": "2.0", "id": 1, "method": "initialize",
        "params": { "capabilities": {}, "rootUri": folder, "workspaceFolders": [{ "uri": folder, "name": "p" }] } }));
    assert_eq!(server.answer()["id"], 1);
    server.send(json!({ "jsonrpc": "2.0", "method": "initialized", "params": {} }));
    server.send(json!({ "jsonrpc": "2.0", "method": "textDocument/didOpen",
        "params": { "textDocument": { "uri": uri, "languageId": "play", "version": 1, "text": source } } }));
    (server, uri, dir)
}

/// `signal s0 … = s1 + 1`, …, each signal defined by the next, `n` of them.
fn signal_chain(n: usize) -> String {
    let mut source = String::new();
    for i in 0..n {
        let value = if i + 1 == n { "1".to_string() } else { format!("s{} + 1", i + 1) };
        source.push_str(&format!("signal s{i} for account: Account = {value}\n"));
    }
    source
}

/// Opens `source` as `main.play` in a workspace and hovers over its first line's name.
fn hover_over_first_signal(source: &str) -> Value {
    let (mut server, uri, _dir) = opened(source);
    server.send(json!({ "jsonrpc": "2.0", "id": 2, "method": "textDocument/hover",
        "params": { "textDocument": { "uri": uri }, "position": { "line": 0, "character": 8 } } }));
    let hover = server.answer();
    for (id, method) in
        [(3, "textDocument/semanticTokens/full"), (4, "textDocument/documentSymbol"), (5, "textDocument/inlayHint")]
    {
        let mut params = json!({ "textDocument": { "uri": uri } });
        if method == "textDocument/inlayHint" {
            params["range"] =
                json!({ "start": { "line": 0, "character": 0 }, "end": { "line": 5000, "character": 0 } });
        }
        server.send(json!({ "jsonrpc": "2.0", "id": id, "method": method, "params": params }));
        assert_eq!(server.answer()["id"], id, "{method}");
    }
    assert_eq!(server.finish(), 0);
    hover
}

/// The editor copes with what `play check` copes with: its analyses run on threads with
/// the main thread's stack (they had a quarter of it, and a chain a quarter as long
/// aborted the server).
#[test]
fn the_language_server_analyses_signal_chains_as_deep_as_play_check_does() {
    let hover = hover_over_first_signal(&signal_chain(500));
    assert!(hover["result"]["contents"]["value"].as_str().is_some_and(|h| h.contains("signal s0")), "{hover}");
}

/// Expected to pass once the checker resolves signal chains without recursion (a separate
/// change to `play-compiler`): until then this overflows the checker's stack, in
/// `play check` too. The language server's own code (index, outline, semantic tokens,
/// hover) walks such a file without recursion.
#[test]
fn three_thousand_signals_each_defined_by_the_next_are_analysed() {
    let hover = hover_over_first_signal(&signal_chain(3_000));
    assert!(hover["result"]["contents"]["value"].as_str().is_some_and(|h| h.contains("signal s0")), "{hover}");
}
