//! A client for tests: it starts the server in-process, writes a fixture's files into a
//! scratch workspace folder, opens one, sends requests as JSON-RPC through
//! `tower::Service`, and renders the answers for snapshots with the cursor and ranges
//! drawn under the source lines.
//!
//! A fixture is source text with a `$0` cursor marker; several files are separated by
//! `//- name.play` lines. The file with the cursor (or the first) is opened in the editor;
//! the others are only on disk.

use std::collections::BTreeMap;
use std::time::Duration;

use futures::StreamExt;
use play_lsp::convert::LineMap;
use play_lsp::Config;
use serde_json::{json, Value};
use tokio::sync::mpsc;
use tower::{Service, ServiceExt};
use tower_lsp::jsonrpc::Request;
use tower_lsp::lsp_types::{Diagnostic, Position, PublishDiagnosticsParams, Range, Url};
use tower_lsp::LspService;

/// How long any answer may take before the test fails as wedged.
const PATIENCE: Duration = Duration::from_secs(20);

pub struct Fixture {
    /// Each file's name and text, the cursor marker removed.
    pub files: Vec<(String, String)>,
    /// The file with the cursor (or the first) and the cursor's byte offset in it.
    pub cursor: Option<(usize, usize)>,
}

impl Fixture {
    pub fn parse(text: &str) -> Fixture {
        let mut files: Vec<(String, String)> = Vec::new();
        let text = text.strip_prefix('\n').unwrap_or(text);
        if !text.starts_with("//- ") {
            files.push(("main.play".to_string(), String::new()));
        }
        for line in text.split_inclusive('\n') {
            if let Some(name) = line.strip_prefix("//- ") {
                files.push((name.trim().to_string(), String::new()));
            } else if let Some((_, body)) = files.last_mut() {
                body.push_str(line);
            }
        }
        let mut cursor = None;
        for (i, (_, body)) in files.iter_mut().enumerate() {
            if let Some(at) = body.find("$0") {
                body.replace_range(at..at + 2, "");
                cursor = Some((i, at));
            }
        }
        Fixture { files, cursor }
    }
}

pub struct Client {
    service: LspService<play_lsp::Server>,
    from_server: mpsc::UnboundedReceiver<Request>,
    next_id: i64,
    pub folder: tempfile::TempDir,
    /// The texts the client holds, by file name.
    pub texts: BTreeMap<String, String>,
    versions: BTreeMap<String, i32>,
}

impl Client {
    /// A server whose workspace holds the fixture's files, with the cursor's file open.
    /// Returns the client and the cursor (file name and position).
    pub async fn with_fixture(fixture: &str) -> (Client, String, Position) {
        Client::with_fixture_config(fixture, Config::default()).await
    }

    pub async fn with_fixture_config(fixture: &str, config: Config) -> (Client, String, Position) {
        let fixture = Fixture::parse(fixture);
        let folder = tempfile::tempdir().unwrap_or_else(|e| panic!("no scratch folder: {e}"));
        for (name, text) in &fixture.files {
            let path = folder.path().join(name);
            if let Some(parent) = path.parent() {
                std::fs::create_dir_all(parent).unwrap_or_else(|e| panic!("cannot create {parent:?}: {e}"));
            }
            std::fs::write(&path, text).unwrap_or_else(|e| panic!("cannot write {path:?}: {e}"));
        }
        let mut client = Client::start_in(folder, config).await;
        let (file, offset) = fixture.cursor.unwrap_or((0, 0));
        let (name, text) = fixture.files[file].clone();
        for (n, t) in &fixture.files {
            client.texts.insert(n.clone(), t.clone());
        }
        client.open(&name, &text).await;
        let position = LineMap::new(&text).position(&text, offset);
        (client, name, position)
    }

    async fn start_in(folder: tempfile::TempDir, config: Config) -> Client {
        let (service, socket) = play_lsp::service(config);
        let (tx, from_server) = mpsc::unbounded_channel();
        tokio::spawn(socket.for_each(move |request| {
            let _ = tx.send(request);
            async {}
        }));
        let mut client =
            Client { service, from_server, next_id: 0, folder, texts: BTreeMap::new(), versions: BTreeMap::new() };
        let root = client.folder_url();
        let capabilities =
            json!({ "textDocument": { "completion": { "completionItem": { "snippetSupport": true } } } });
        client
            .request_value("initialize", json!({ "processId": null, "rootUri": root, "capabilities": capabilities }))
            .await;
        client.notify("initialized", json!({})).await;
        client
    }

    pub fn folder_url(&self) -> Url {
        Url::from_directory_path(self.folder.path()).unwrap_or_else(|()| panic!("no URI for the scratch folder"))
    }

    pub fn url(&self, name: &str) -> Url {
        Url::from_file_path(self.folder.path().join(name)).unwrap_or_else(|()| panic!("no URI for {name}"))
    }

    /// The file name of a URI inside the folder, or the URI's last segments for one
    /// outside it (the standard library's copy).
    pub fn name_of(&self, url: &str) -> String {
        let folder = self.folder_url().to_string();
        match url.strip_prefix(&folder) {
            Some(name) => name.to_string(),
            None => url.rsplit('/').take(2).collect::<Vec<_>>().into_iter().rev().collect::<Vec<_>>().join("/"),
        }
    }

    /// The text of a file the answer points into: the client's, or the one on disk.
    pub fn text_of(&self, url: &str) -> String {
        let name = self.name_of(url);
        if let Some(text) = self.texts.get(&name) {
            return text.clone();
        }
        Url::parse(url)
            .ok()
            .and_then(|u| u.to_file_path().ok())
            .and_then(|p| std::fs::read_to_string(p).ok())
            .unwrap_or_default()
    }

    pub async fn open(&mut self, name: &str, text: &str) {
        self.texts.insert(name.to_string(), text.to_string());
        self.versions.insert(name.to_string(), 1);
        let uri = self.url(name);
        self.notify(
            "textDocument/didOpen",
            json!({ "textDocument": { "uri": uri, "languageId": "play", "version": 1, "text": text } }),
        )
        .await;
    }

    /// Replaces a buffer's whole text (full sync) and returns the new version.
    pub async fn change(&mut self, name: &str, text: &str) -> i32 {
        let version = self.versions.get(name).copied().unwrap_or(0) + 1;
        self.versions.insert(name.to_string(), version);
        self.texts.insert(name.to_string(), text.to_string());
        let uri = self.url(name);
        self.notify(
            "textDocument/didChange",
            json!({ "textDocument": { "uri": uri, "version": version }, "contentChanges": [{ "text": text }] }),
        )
        .await;
        version
    }

    pub async fn notify(&mut self, method: &'static str, params: Value) {
        let request = build(method, params).finish();
        self.send(request).await;
    }

    /// Sends a request and returns its result; an error answer fails the test.
    pub async fn request_value(&mut self, method: &'static str, params: Value) -> Value {
        match self.request(method, params).await {
            Ok(value) => value,
            Err(error) => panic!("{method} failed: {error}"),
        }
    }

    /// Sends a request and returns its result or its error's message.
    pub async fn request(&mut self, method: &'static str, params: Value) -> Result<Value, String> {
        self.next_id += 1;
        let request = build(method, params).id(self.next_id).finish();
        let Some(response) = self.send(request).await else { panic!("{method} got no answer") };
        let (_, result) = response.into_parts();
        result.map_err(|e| e.message.to_string())
    }

    async fn send(&mut self, request: Request) -> Option<tower_lsp::jsonrpc::Response> {
        let method = request.method().to_string();
        let call = async {
            let service = self.service.ready().await.unwrap_or_else(|_| panic!("the server has exited"));
            service.call(request).await.unwrap_or_else(|_| panic!("the server has exited"))
        };
        tokio::time::timeout(PATIENCE, call).await.unwrap_or_else(|_| panic!("{method} got no answer in {PATIENCE:?}"))
    }

    /// Waits for the diagnostics of a file, skipping other messages; with a version, for
    /// the diagnostics of that version.
    pub async fn diagnostics(&mut self, name: &str, version: Option<i32>) -> PublishDiagnosticsParams {
        let uri = self.url(name);
        let wait = async {
            loop {
                let Some(message) = self.from_server.recv().await else { panic!("the server has exited") };
                let (method, _, params) = message.into_parts();
                if method != "textDocument/publishDiagnostics" {
                    continue;
                }
                let Some(params) = params.and_then(|p| serde_json::from_value::<PublishDiagnosticsParams>(p).ok())
                else {
                    continue;
                };
                if params.uri == uri && (version.is_none() || params.version == version) {
                    return params;
                }
            }
        };
        tokio::time::timeout(PATIENCE, wait)
            .await
            .unwrap_or_else(|_| panic!("no diagnostics for {name} (version {version:?}) in {PATIENCE:?}"))
    }

    /// Every message the server has sent and the test has not read.
    pub fn drain(&mut self) -> Vec<Request> {
        let mut out = Vec::new();
        while let Ok(message) = self.from_server.try_recv() {
            out.push(message);
        }
        out
    }

    /// `{ textDocument, position }` for a request at a position.
    pub fn at(&self, name: &str, position: Position) -> Value {
        json!({ "textDocument": { "uri": self.url(name) }, "position": position })
    }

    /// The code actions offered at a position for the diagnostics the client holds.
    pub async fn code_actions(&mut self, name: &str, position: Position, diagnostics: &[Diagnostic]) -> Value {
        let params = json!({
            "textDocument": { "uri": self.url(name) },
            "range": { "start": position, "end": position },
            "context": { "diagnostics": diagnostics }
        });
        self.request_value("textDocument/codeAction", params).await
    }
}

/// A message with its parameters; `null` means none (as for `shutdown`).
fn build(method: &'static str, params: Value) -> tower_lsp::jsonrpc::RequestBuilder {
    match params {
        Value::Null => Request::build(method),
        params => Request::build(method).params(params),
    }
}

/// The source line of a position with a caret under it.
pub fn cursor(text: &str, position: Position) -> String {
    underline(text, Range { start: position, end: position })
}

/// The source lines of a range, each followed by a line of `^` under the range's part
/// of it (one `^` for an empty range).
pub fn underline(text: &str, range: Range) -> String {
    let mut out = String::new();
    let lines: Vec<&str> = text.split('\n').collect();
    for line in range.start.line..=range.end.line {
        let Some(source) = lines.get(line as usize) else { break };
        let chars = |units: u32| char_count(source, units);
        let from = if line == range.start.line { chars(range.start.character) } else { 0 };
        let to = if line == range.end.line { chars(range.end.character) } else { source.chars().count() };
        out.push_str(&format!("{:>3} | {source}\n", line + 1));
        out.push_str(&format!("    | {}{}\n", " ".repeat(from), "^".repeat(to.saturating_sub(from).max(1))));
    }
    out
}

/// How many characters of a line the first `units` UTF-16 units cover.
fn char_count(line: &str, units: u32) -> usize {
    let mut seen = 0;
    let mut count = 0;
    for c in line.chars() {
        if seen >= units as usize {
            break;
        }
        seen += c.len_utf16();
        count += 1;
    }
    count
}

/// A range read from JSON.
pub fn range(value: &Value) -> Range {
    serde_json::from_value(value.clone()).unwrap_or_else(|e| panic!("not a range: {value}: {e}"))
}

/// Applies LSP text edits (`[{ range, newText }]`) to a text.
pub fn apply(text: &str, edits: &Value) -> String {
    let mut edits: Vec<(Range, String)> = edits
        .as_array()
        .map(|a| a.iter().map(|e| (range(&e["range"]), e["newText"].as_str().unwrap_or("").to_string())).collect())
        .unwrap_or_default();
    edits.sort_by_key(|(r, _)| std::cmp::Reverse(r.start));
    let mut out = text.to_string();
    let lines = LineMap::new(text);
    for (r, new) in edits {
        let span = lines.span(text, r);
        out.replace_range(span.range(), &new);
    }
    out
}
