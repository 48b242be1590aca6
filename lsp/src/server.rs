//! The `LanguageServer` implementation: it keeps the workspace up to date from the
//! client's notifications and hands each request to its feature module. Every request is
//! answered: an unknown file gets an empty answer, and a panic in a feature becomes one.

use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use tower_lsp::jsonrpc::Result;
use tower_lsp::lsp_types::*;
use tower_lsp::{Client, LanguageServer};

use crate::convert::{path_of_url, LineMap};
use crate::host::{Config, Host};
use crate::{
    code_actions, completion, folding, formatting, guarded, hover, inlay_hints, navigation, semantic_tokens, symbols,
};

pub struct Server {
    host: Arc<Host>,
    /// Whether the client takes `$1` placeholders in completions.
    snippets: AtomicBool,
    /// Whether the client can be asked to watch `.play` files for us.
    watch: AtomicBool,
}

impl Server {
    pub fn new(client: Client, config: Config) -> Server {
        Server {
            host: Arc::new(Host::new(client, config)),
            snippets: AtomicBool::new(false),
            watch: AtomicBool::new(false),
        }
    }
}

/// The workspace folders the client names, newest protocol first.
fn roots(params: &InitializeParams) -> Vec<PathBuf> {
    if let Some(folders) = &params.workspace_folders {
        return folders.iter().filter_map(|f| path_of_url(&f.uri)).collect();
    }
    #[expect(deprecated, reason = "older clients name the workspace only by `rootUri` or `rootPath`")]
    let root = params.root_uri.as_ref().and_then(path_of_url).or_else(|| params.root_path.as_ref().map(PathBuf::from));
    root.into_iter().collect()
}

fn capabilities() -> ServerCapabilities {
    ServerCapabilities {
        text_document_sync: Some(TextDocumentSyncCapability::Options(TextDocumentSyncOptions {
            open_close: Some(true),
            change: Some(TextDocumentSyncKind::FULL),
            save: Some(TextDocumentSyncSaveOptions::SaveOptions(SaveOptions { include_text: Some(true) })),
            ..TextDocumentSyncOptions::default()
        })),
        completion_provider: Some(CompletionOptions {
            trigger_characters: Some(vec![".".to_string()]),
            ..CompletionOptions::default()
        }),
        hover_provider: Some(HoverProviderCapability::Simple(true)),
        definition_provider: Some(OneOf::Left(true)),
        references_provider: Some(OneOf::Left(true)),
        rename_provider: Some(OneOf::Right(RenameOptions {
            prepare_provider: Some(true),
            work_done_progress_options: WorkDoneProgressOptions::default(),
        })),
        document_formatting_provider: Some(OneOf::Left(true)),
        document_symbol_provider: Some(OneOf::Left(true)),
        workspace_symbol_provider: Some(OneOf::Left(true)),
        semantic_tokens_provider: Some(SemanticTokensServerCapabilities::SemanticTokensOptions(
            SemanticTokensOptions {
                legend: semantic_tokens::legend(),
                full: Some(SemanticTokensFullOptions::Bool(true)),
                range: None,
                work_done_progress_options: WorkDoneProgressOptions::default(),
            },
        )),
        folding_range_provider: Some(FoldingRangeProviderCapability::Simple(true)),
        code_action_provider: Some(CodeActionProviderCapability::Options(CodeActionOptions {
            code_action_kinds: Some(vec![CodeActionKind::QUICKFIX]),
            ..CodeActionOptions::default()
        })),
        inlay_hint_provider: Some(OneOf::Left(true)),
        workspace: Some(WorkspaceServerCapabilities {
            workspace_folders: Some(WorkspaceFoldersServerCapabilities {
                supported: Some(true),
                change_notifications: Some(OneOf::Left(true)),
            }),
            file_operations: None,
        }),
        ..ServerCapabilities::default()
    }
}

#[tower_lsp::async_trait]
impl LanguageServer for Server {
    async fn initialize(&self, params: InitializeParams) -> Result<InitializeResult> {
        let text = params.capabilities.text_document.as_ref();
        let snippets =
            text.and_then(|t| t.completion.as_ref()?.completion_item.as_ref()?.snippet_support).unwrap_or(false);
        self.snippets.store(snippets, Ordering::Relaxed);
        let watch = params
            .capabilities
            .workspace
            .as_ref()
            .and_then(|w| w.did_change_watched_files?.dynamic_registration)
            .unwrap_or(false);
        self.watch.store(watch, Ordering::Relaxed);
        let roots = roots(&params);
        let host = self.host.clone();
        // Reading the folders can take a while; it happens off the async threads.
        let _ = tokio::task::spawn_blocking(move || host.workspace().set_roots(roots)).await;
        Ok(InitializeResult {
            capabilities: capabilities(),
            server_info: Some(ServerInfo {
                name: "play lsp".to_string(),
                version: Some(env!("CARGO_PKG_VERSION").to_string()),
            }),
        })
    }

    async fn initialized(&self, _: InitializedParams) {
        if self.watch.load(Ordering::Relaxed) {
            let options = DidChangeWatchedFilesRegistrationOptions {
                watchers: vec![FileSystemWatcher {
                    glob_pattern: GlobPattern::String("**/*.play".to_string()),
                    kind: None,
                }],
            };
            let registration = Registration {
                id: "play-files".to_string(),
                method: "workspace/didChangeWatchedFiles".to_string(),
                register_options: serde_json::to_value(options).ok(),
            };
            let host = self.host.clone();
            // The client answers after this notification is handled, so do not wait here.
            tokio::spawn(async move {
                let _ = host.client.register_capability(vec![registration]).await;
            });
        }
        self.host.fresh().await;
    }

    async fn shutdown(&self) -> Result<()> {
        Ok(())
    }

    async fn did_open(&self, params: DidOpenTextDocumentParams) {
        let doc = params.text_document;
        self.host.workspace().open(doc.uri, doc.version, doc.text);
        self.host.fresh().await;
    }

    async fn did_change(&self, params: DidChangeTextDocumentParams) {
        let url = params.text_document.uri;
        let mut text = self.host.workspace().buffer(&url).map(|b| b.text.clone()).unwrap_or_default();
        for change in params.content_changes {
            match change.range {
                // Sync is full, but a client that sends ranges anyway is followed.
                Some(range) => {
                    let span = LineMap::new(&text).span(&text, range);
                    text.replace_range(span.range(), &change.text);
                }
                None => text = change.text,
            }
        }
        if self.host.workspace().change(&url, params.text_document.version, text) {
            self.host.schedule();
        }
    }

    async fn did_save(&self, params: DidSaveTextDocumentParams) {
        let url = params.text_document.uri;
        {
            let mut workspace = self.host.workspace();
            match params.text {
                Some(text) => {
                    let version = workspace.buffer(&url).map_or(0, |b| b.version);
                    workspace.change(&url, version, text);
                }
                None => {
                    if let Some(path) = path_of_url(&url) {
                        workspace.reload_path(&path);
                    }
                }
            }
            if let Some(path) = path_of_url(&url) {
                workspace.reload_path(&path);
            }
        }
        self.host.fresh().await;
    }

    async fn did_close(&self, params: DidCloseTextDocumentParams) {
        let url = params.text_document.uri;
        {
            let mut workspace = self.host.workspace();
            workspace.close(&url);
            // The disk's text takes over: read it, in case the buffer was never saved.
            if let Some(path) = path_of_url(&url) {
                workspace.reload_path(&path);
            }
        }
        self.host.schedule();
    }

    async fn did_change_watched_files(&self, params: DidChangeWatchedFilesParams) {
        {
            let mut workspace = self.host.workspace();
            for change in params.changes {
                if let Some(path) = path_of_url(&change.uri) {
                    workspace.reload_path(&path);
                }
            }
        }
        self.host.fresh().await;
    }

    async fn did_change_workspace_folders(&self, params: DidChangeWorkspaceFoldersParams) {
        {
            let mut workspace = self.host.workspace();
            for removed in params.event.removed.iter().filter_map(|f| path_of_url(&f.uri)) {
                workspace.remove_root(&removed);
            }
            for added in params.event.added.iter().filter_map(|f| path_of_url(&f.uri)) {
                workspace.add_root(added);
            }
        }
        self.host.fresh().await;
    }

    async fn completion(&self, params: CompletionParams) -> Result<Option<CompletionResponse>> {
        // The last analysis and the buffer as it is: completion does not wait for the
        // edit just typed to be analysed.
        let snapshot = self.host.current();
        let snippets = self.snippets.load(Ordering::Relaxed);
        Ok(guarded(|| completion::completion(&self.host, &snapshot, &params, snippets)).flatten())
    }

    async fn hover(&self, params: HoverParams) -> Result<Option<Hover>> {
        let snapshot = self.host.fresh().await;
        Ok(guarded(|| hover::hover(&snapshot, &params)).flatten())
    }

    async fn goto_definition(&self, params: GotoDefinitionParams) -> Result<Option<GotoDefinitionResponse>> {
        let snapshot = self.host.fresh().await;
        Ok(guarded(|| navigation::definition(&snapshot, &params)).flatten())
    }

    async fn references(&self, params: ReferenceParams) -> Result<Option<Vec<Location>>> {
        let snapshot = self.host.fresh().await;
        Ok(guarded(|| navigation::references(&snapshot, &params)).flatten())
    }

    async fn prepare_rename(&self, params: TextDocumentPositionParams) -> Result<Option<PrepareRenameResponse>> {
        let snapshot = self.host.fresh().await;
        guarded(|| navigation::prepare_rename(&snapshot, &params)).unwrap_or(Ok(None))
    }

    async fn rename(&self, params: RenameParams) -> Result<Option<WorkspaceEdit>> {
        let snapshot = self.host.fresh().await;
        guarded(|| navigation::rename(&snapshot, &params)).unwrap_or(Ok(None))
    }

    async fn formatting(&self, params: DocumentFormattingParams) -> Result<Option<Vec<TextEdit>>> {
        let snapshot = self.host.fresh().await;
        Ok(guarded(|| formatting::formatting(&snapshot, &params)).flatten())
    }

    async fn document_symbol(&self, params: DocumentSymbolParams) -> Result<Option<DocumentSymbolResponse>> {
        let snapshot = self.host.fresh().await;
        Ok(guarded(|| symbols::document_symbols(&snapshot, &params)).flatten())
    }

    async fn symbol(&self, params: WorkspaceSymbolParams) -> Result<Option<Vec<SymbolInformation>>> {
        let snapshot = self.host.fresh().await;
        Ok(guarded(|| symbols::workspace_symbols(&snapshot, &params)))
    }

    async fn semantic_tokens_full(&self, params: SemanticTokensParams) -> Result<Option<SemanticTokensResult>> {
        let snapshot = self.host.fresh().await;
        Ok(guarded(|| semantic_tokens::semantic_tokens(&snapshot, &params)).flatten())
    }

    async fn folding_range(&self, params: FoldingRangeParams) -> Result<Option<Vec<FoldingRange>>> {
        let snapshot = self.host.fresh().await;
        Ok(guarded(|| folding::folding_ranges(&snapshot, &params)).flatten())
    }

    async fn code_action(&self, params: CodeActionParams) -> Result<Option<CodeActionResponse>> {
        Ok(guarded(|| code_actions::code_actions(&self.host, &params)))
    }

    async fn inlay_hint(&self, params: InlayHintParams) -> Result<Option<Vec<InlayHint>>> {
        let snapshot = self.host.fresh().await;
        Ok(guarded(|| inlay_hints::inlay_hints(&snapshot, &params)).flatten())
    }
}
