//! The analysed state of the workspace and when it is brought up to date: every change
//! bumps the workspace's revision; an analysis of a revision becomes a [`Snapshot`] that
//! requests read; edits are analysed after a pause (superseded ones never are), opens and
//! saves at once, and a request that needs the text as it is now analyses it first.

use std::collections::{HashMap, HashSet};
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::{Arc, Mutex, MutexGuard, OnceLock, PoisonError, RwLock};
use std::time::Duration;

use play_compiler::analysis::Analysis;
use play_compiler::syntax::Span;
use tower_lsp::lsp_types::{self as lsp, MessageType, Position, Range, Url};
use tower_lsp::Client;

use crate::convert::LineMap;
use crate::workspace::{ProjectInput, SourceFile, Workspace};

/// How the server behaves, for tests and benchmarks to adjust.
#[derive(Clone, Debug)]
pub struct Config {
    /// How long to wait after an edit before analysing, so that fast typing is analysed
    /// once at the end rather than at every keystroke.
    pub debounce: Duration,
}

impl Default for Config {
    fn default() -> Self {
        Config { debounce: Duration::from_millis(150) }
    }
}

/// One project analysed.
pub struct Project {
    pub analysis: Analysis,
    pub input: ProjectInput,
    /// Line maps of the analysed sources (the standard library's included), made when
    /// first needed.
    lines: HashMap<String, OnceLock<LineMap>>,
}

impl Project {
    fn new(input: ProjectInput) -> Project {
        let sources = input.files.iter().map(|f| (f.name.clone(), f.text.clone())).collect();
        let analysis = Analysis::new(sources);
        let lines = analysis.files().iter().map(|f| (f.name.clone(), OnceLock::new())).collect();
        Project { analysis, input, lines }
    }

    pub fn doc<'a>(&'a self, name: &'a str) -> Option<Doc<'a>> {
        let source = self.analysis.file(name)?.source.as_ref();
        let lines = self.lines.get(name)?.get_or_init(|| LineMap::new(source));
        Some(Doc { project: self, name, source, lines })
    }

    /// The URI of a file of the analysis: a project file, or the standard library's copy
    /// in the cache folder.
    pub fn url_of(&self, name: &str) -> Option<Url> {
        match self.input.files.iter().find(|f| f.name == name) {
            Some(file) => Some(file.url.clone()),
            None if self.analysis.file(name).is_some_and(|f| f.stdlib) => crate::stdlib::url_of(name),
            None => None,
        }
    }

    /// A span of a file of the analysis as an LSP location.
    pub fn location(&self, name: &str, span: Span) -> Option<lsp::Location> {
        let doc = self.doc(name)?;
        Some(lsp::Location { uri: self.url_of(name)?, range: doc.range(span) })
    }
}

/// A file of a snapshot, with what converting positions in it needs.
pub struct Doc<'a> {
    pub project: &'a Project,
    pub name: &'a str,
    pub source: &'a str,
    pub lines: &'a LineMap,
}

impl Doc<'_> {
    pub fn analysis(&self) -> &Analysis {
        &self.project.analysis
    }

    pub fn offset(&self, position: Position) -> usize {
        self.lines.offset(self.source, position)
    }

    pub fn range(&self, span: Span) -> Range {
        self.lines.range(self.source, span)
    }

    pub fn position(&self, offset: usize) -> Position {
        self.lines.position(self.source, offset)
    }
}

/// The workspace analysed at one revision.
pub struct Snapshot {
    pub revision: u64,
    /// Never empty: with no files at all there is one empty project, so that the
    /// standard library can still be browsed.
    pub projects: Vec<Arc<Project>>,
}

impl Snapshot {
    fn empty() -> Snapshot {
        Snapshot { revision: 0, projects: vec![Arc::new(Project::new(ProjectInput { files: Vec::new() }))] }
    }

    /// Analyses each project, reusing the previous snapshot's analysis of a project whose
    /// files have not changed. A project whose analysis panics keeps its previous analysis
    /// (or is left out), so one compiler bug does not take the server down.
    fn build(revision: u64, inputs: Vec<ProjectInput>, previous: &Snapshot) -> Snapshot {
        let mut projects: Vec<Arc<Project>> = Vec::new();
        for input in inputs {
            if let Some(same) = previous.projects.iter().find(|p| p.input == input) {
                projects.push(same.clone());
                continue;
            }
            let first = input.files.first().map(|f| f.url.clone());
            match catch_unwind(AssertUnwindSafe(|| Project::new(input))) {
                Ok(project) => projects.push(Arc::new(project)),
                Err(_) => projects.extend(
                    previous.projects.iter().find(|p| p.input.files.first().map(|f| &f.url) == first.as_ref()).cloned(),
                ),
            }
        }
        if projects.is_empty() {
            projects = Snapshot::empty().projects;
        }
        Snapshot { revision, projects }
    }

    /// A file by URI: a project file, or a standard-library file in the cache folder.
    pub fn doc(&self, url: &Url) -> Option<Doc<'_>> {
        if let Some(name) = crate::stdlib::name_of(url) {
            let project = self.projects.first()?;
            let name = project.analysis.file(&name)?.name.as_str();
            return project.doc(name);
        }
        self.projects.iter().find_map(|p| {
            let file = p.input.files.iter().find(|f| &f.url == url)?;
            p.doc(&file.name)
        })
    }

    /// Every project file, with the project it belongs to.
    pub fn files(&self) -> impl Iterator<Item = (&Project, &SourceFile)> {
        self.projects.iter().flat_map(|p| p.input.files.iter().map(move |f| (&**p, f)))
    }
}

/// What was last published for a file, so that unchanged diagnostics are not sent again.
#[derive(PartialEq)]
struct Published {
    version: Option<i32>,
    diagnostics: Vec<lsp::Diagnostic>,
}

pub struct Host {
    pub client: Client,
    pub config: Config,
    workspace: Mutex<Workspace>,
    current: RwLock<Arc<Snapshot>>,
    /// Held while analysing and publishing, so analyses run one at a time and in order.
    analysing: tokio::sync::Mutex<()>,
    published: Mutex<HashMap<Url, Published>>,
}

impl Host {
    pub fn new(client: Client, config: Config) -> Host {
        Host {
            client,
            config,
            workspace: Mutex::new(Workspace::default()),
            current: RwLock::new(Arc::new(Snapshot::empty())),
            analysing: tokio::sync::Mutex::new(()),
            published: Mutex::new(HashMap::new()),
        }
    }

    pub fn workspace(&self) -> MutexGuard<'_, Workspace> {
        self.workspace.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// The latest snapshot, which may be older than the buffers (completion reads the
    /// buffer itself).
    pub fn current(&self) -> Arc<Snapshot> {
        self.current.read().unwrap_or_else(PoisonError::into_inner).clone()
    }

    /// A snapshot of the workspace as it is now, analysing it first if it changed.
    pub async fn fresh(self: &Arc<Self>) -> Arc<Snapshot> {
        // The analysis runs as a task of its own, so that a request cancelled while it
        // waits cannot cut an analysis or its publishing short.
        let host = self.clone();
        tokio::spawn(async move { host.refresh().await }).await.unwrap_or_else(|_| self.current())
    }

    async fn refresh(&self) -> Arc<Snapshot> {
        let _turn = self.analysing.lock().await;
        let current = self.current();
        let revision = self.workspace().revision();
        if current.revision == revision {
            return current;
        }
        let inputs = self.workspace().projects();
        let previous = current.clone();
        let built = tokio::task::spawn_blocking(move || Snapshot::build(revision, inputs, &previous)).await;
        let snapshot = match built {
            Ok(snapshot) => Arc::new(snapshot),
            Err(error) => {
                let message = format!("the analysis failed: {error}; this is a bug in play");
                self.client.log_message(MessageType::ERROR, message).await;
                Arc::new(Snapshot { revision, projects: current.projects.clone() })
            }
        };
        *self.current.write().unwrap_or_else(PoisonError::into_inner) = snapshot.clone();
        self.publish(&snapshot).await;
        snapshot
    }

    /// Analyses after the pause, unless another change comes first (its own pause then
    /// takes over).
    pub fn schedule(self: &Arc<Self>) {
        let revision = self.workspace().revision();
        let host = self.clone();
        tokio::spawn(async move {
            tokio::time::sleep(host.config.debounce).await;
            if host.workspace().revision() == revision {
                host.fresh().await;
            }
        });
    }

    /// Publishes the diagnostics of every project file whose diagnostics (or version)
    /// changed, and clears them for files that left the project.
    async fn publish(&self, snapshot: &Snapshot) {
        let mut outgoing: Vec<(Url, Published)> = Vec::new();
        {
            let mut published = self.published.lock().unwrap_or_else(PoisonError::into_inner);
            let mut seen: HashSet<&Url> = HashSet::new();
            for (project, file) in snapshot.files() {
                seen.insert(&file.url);
                let diagnostics = crate::diagnostics::of_file(project, &file.name);
                let now = Published { version: file.version, diagnostics };
                if published.get(&file.url) != Some(&now) {
                    outgoing.push((
                        file.url.clone(),
                        Published { version: now.version, diagnostics: now.diagnostics.clone() },
                    ));
                    published.insert(file.url.clone(), now);
                }
            }
            let gone: Vec<Url> = published.keys().filter(|u| !seen.contains(u)).cloned().collect();
            for url in gone {
                published.remove(&url);
                outgoing.push((url, Published { version: None, diagnostics: Vec::new() }));
            }
        }
        for (url, p) in outgoing {
            self.client.publish_diagnostics(url, p.diagnostics, p.version).await;
        }
    }
}
