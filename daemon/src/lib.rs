//! `play run`: the durable daemon. One engine thread folds the journal and is the only
//! writer (`writer.rs`, with every engine call in `host.rs`); the HTTP API (`http/`) reads
//! the projections through the store; the clock (`clock.rs`) and hot reload (`reload.rs`)
//! are journaled commands like the changes. The command line hands in a compile function,
//! so this crate does not depend on it.

mod auth;
mod brief;
pub mod calls;
mod case;
mod clock;
pub mod deliver;
pub mod directory;
pub mod emails;
mod explain;
pub mod host;
pub mod http;
pub mod inbox;
pub mod lease;
mod metrics;
pub mod partitioned;
mod project;
pub mod pull;
mod reload;
pub mod status;
pub mod writer;

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use play_compiler::program::Program;
use play_store::{Fence, Place, PostgresStore, Store};

pub use auth::{signature, token_hash};

/// Compiles the project at a path: its program (which carries its `play.toml` settings),
/// or its diagnostics rendered as text.
pub type Compile = Arc<dyn Fn(&Path) -> Result<Program, String> + Send + Sync>;

/// How to run.
pub struct Config {
    /// The project folder (or a built `.playc`).
    pub project: PathBuf,
    /// Where state is kept: a SQLite file, or a PostgreSQL database shared by workers.
    pub store: Place,
    /// On PostgreSQL, how long a worker's lease on its partition lasts without renewal:
    /// a standby takes over within this time after the active worker dies.
    pub lease: std::time::Duration,
    /// `host:port`; port 0 picks a free one.
    pub listen: String,
    pub compile: Compile,
    /// The workspace owner: who sees private playbooks' actions.
    pub owner: Option<String>,
    /// The secret of signed ingest (`X-Play-Signature`).
    pub ingest_secret: Option<Vec<u8>>,
    /// Time moves only with the changes' `at` (backfills, tests), not the system clock.
    pub follow_changes: bool,
    /// How many journaled commands between two snapshots of the engine.
    pub snapshot_every: u64,
    /// Deploy edits of the project as they are saved.
    pub watch: bool,
    /// On PostgreSQL, how many partitions a new workspace has (`--partitions`); fixed once
    /// it is made. `None`: as the workspace has it (one for a new one).
    pub partitions: Option<i32>,
    /// On a partitioned workspace, where the other workers reach this one
    /// (`--advertise http://host:port`); `None`: where it listens.
    pub advertise: Option<String>,
    /// Told the address once the journal is recovered and the API listens.
    pub on_ready: Box<dyn FnOnce(SocketAddr) + Send>,
}

/// Why the daemon could not run.
#[derive(Debug, thiserror::Error)]
pub enum DaemonError {
    /// The project does not check: its diagnostics.
    #[error("{0}")]
    Project(String),
    #[error(transparent)]
    Store(#[from] play_store::StoreError),
    #[error("cannot listen on `{address}`: {message}")]
    Listen { address: String, message: String },
    #[error("{0}")]
    Other(String),
}

/// Where the store of `--store` is: a SQLite file (`sqlite:PATH`, or a plain path), by
/// default `PROJECT/.play/state.db`, or a PostgreSQL database (`postgres://…`).
pub fn store_place(project: &Path, url: Option<&str>) -> Result<Place, String> {
    let folder = if project.is_file() { project.parent().unwrap_or(Path::new(".")) } else { project };
    match url {
        None => Ok(Place::Sqlite(folder.join(".play").join("state.db"))),
        Some(u) => Place::parse(u),
    }
}

/// The SQLite file of `--store` (by default `PROJECT/.play/state.db`); an error for a
/// PostgreSQL URL.
pub fn store_path(project: &Path, url: Option<&str>) -> Result<PathBuf, String> {
    match store_place(project, url)? {
        Place::Sqlite(path) => Ok(path),
        Place::Postgres(_) => Err("this needs a SQLite store (sqlite:PATH), not PostgreSQL".into()),
    }
}

/// The writer's store, the readers' opener, and on PostgreSQL the lease kept while running.
type Opened = (Box<dyn Store>, http::Opener, Option<lease::Keeper>);

fn open_store(config: &Config) -> Result<Opened, DaemonError> {
    match &config.store {
        Place::Sqlite(_) => {
            let place = config.store.clone();
            let open: http::Opener = Arc::new(move || place.open());
            Ok((open()?, open, None))
        }
        Place::Postgres(url) => {
            let lease = lease::acquire(url, &lease::worker_name(), config.lease)?;
            let fence = Fence { partition: lease.partition, token: lease.token };
            let writer = PostgresStore::open(url)?.fenced(fence);
            let keeper = lease::Keeper::start(url, lease, config.lease)?;
            // Readers, delivery and the endpoints that retry or unsubscribe write under the
            // same lease as the engine: once it is taken over, they write nothing.
            let url = url.clone();
            let open: http::Opener = Arc::new(move || Ok(Box::new(PostgresStore::open(&url)?.fenced(fence))));
            Ok((Box::new(writer), open, Some(keeper)))
        }
    }
}

/// Runs the daemon until SIGTERM or Ctrl-C, then drains and returns.
pub fn run(mut config: Config) -> Result<(), DaemonError> {
    let program = (config.compile)(&config.project).map_err(DaemonError::Project)?;
    if let Place::Postgres(url) = config.store.clone() {
        let count = play_store::routing::Routing::open(&url)?.partitions(config.partitions)?;
        if count > 1 {
            return partitioned::run(config, program, url, count);
        }
    }
    let (store, open, keeper) = open_store(&config)?;
    let status = Arc::new(Mutex::new(status::Status::default()));
    let mut writer = writer::Writer::new(host::Host::new(program.clone()), store, status.clone(), config.owner.clone());
    writer.follow_changes = config.follow_changes;
    writer.snapshot_every = config.snapshot_every.max(1);
    let folded = writer.recover().map_err(DaemonError::Other)?;
    tracing::info!(commands = folded, "the journal is folded");
    writer.deploy_if_new(program, clock::wall()).map_err(DaemonError::Other)?;
    let (requests, inbox) = std::sync::mpsc::channel();
    let engine_thread = std::thread::Builder::new()
        .name("engine".into())
        .stack_size(8 << 20)
        .spawn(move || writer.serve(inbox))
        .map_err(|e| DaemonError::Other(format!("the engine thread could not start: {e}")))?;
    let delivery = deliver::start(&config.project, open.clone(), config.owner.clone()).map_err(DaemonError::Other)?;
    let served = serve(&mut config, requests.clone(), open, status, Arc::new(|| true), None);
    // The HTTP side is drained: every answered request is durable. Now the engine thread.
    let _ = requests.send(writer::Request::Shutdown);
    drop(requests);
    let _ = engine_thread.join();
    drop(delivery);
    if let Some(keeper) = keeper {
        keeper.release();
    }
    tracing::info!("stopped");
    served
}

/// Whether this worker runs the scheduled CRM pulls now.
pub(crate) type PullsHere = Arc<dyn Fn() -> bool + Send + Sync>;

/// Serves the HTTP API (and the clock, hot reload and the CRM pull, which send their
/// requests as it does) until SIGTERM or Ctrl-C; every answered request is durable.
pub(crate) fn serve(
    config: &mut Config,
    requests: std::sync::mpsc::Sender<writer::Request>,
    open: http::Opener,
    status: Arc<Mutex<status::Status>>,
    pulls_here: PullsHere,
    peers: Option<Arc<partitioned::peers::Peers>>,
) -> Result<(), DaemonError> {
    let settings = deliver::settings_of(&config.project).map_err(DaemonError::Other)?;
    let env = |name: &str| std::env::var(name).ok();
    let program_of = pull::deployed(status.clone(), open.clone(), config.compile.clone());
    let puller =
        pull::Puller::new(&config.project, &settings, &env, program_of, requests.clone(), open.clone()).map(Arc::new);
    if let Some(puller) = &puller {
        pull::start(puller.clone(), pulls_here).map_err(DaemonError::Other)?;
    }
    let app = http::App::new(requests.clone(), open, status.clone(), config.ingest_secret.clone()).with_pull(puller);
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(|e| DaemonError::Other(format!("the async runtime could not start: {e}")))?;
    let on_ready = std::mem::replace(&mut config.on_ready, Box::new(|_| {}));
    let served = runtime.block_on(async {
        let listener = tokio::net::TcpListener::bind(&config.listen)
            .await
            .map_err(|e| DaemonError::Listen { address: config.listen.clone(), message: e.to_string() })?;
        let address = listener
            .local_addr()
            .map_err(|e| DaemonError::Listen { address: config.listen.clone(), message: e.to_string() })?;
        if !config.follow_changes {
            tokio::spawn(clock::ticker(requests.clone()));
        }
        if config.watch {
            reload::watch(config.project.clone(), config.compile.clone(), requests.clone(), status.clone());
        }
        tracing::info!(%address, "listening");
        if let Some(peers) = &peers {
            peers.set_address(config.advertise.as_deref(), address);
        }
        on_ready(address);
        // Publishing from the inbox writes the source, so it needs the folder hot reload watches.
        let project =
            (config.watch && config.project.is_dir()).then(|| inbox::Project { root: config.project.clone() });
        let mut routes = http::router(app.clone()).merge(inbox::with_project(app.clone(), project));
        if let Some(peers) = peers {
            routes = routes.merge(partitioned::peers::routes(app, peers));
        }
        axum::serve(listener, routes)
            .with_graceful_shutdown(stop_signal())
            .await
            .map_err(|e| DaemonError::Other(e.to_string()))
    });
    runtime.shutdown_background();
    served
}

/// SIGTERM or Ctrl-C.
async fn stop_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = term => {},
    }
    tracing::info!("stopping: finishing the requests in flight");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_store_is_in_the_project_unless_a_sqlite_url_says_otherwise() {
        let project = Path::new("/p");
        assert_eq!(store_path(project, None).unwrap(), Path::new("/p/.play/state.db"));
        assert_eq!(store_path(project, Some("sqlite:/var/play.db")).unwrap(), Path::new("/var/play.db"));
        assert_eq!(store_path(project, Some("sqlite:///var/play.db")).unwrap(), Path::new("/var/play.db"));
        assert_eq!(store_path(project, Some("state.db")).unwrap(), Path::new("state.db"));
        assert!(store_path(project, Some("postgres://db/play")).unwrap_err().contains("SQLite"));
        assert_eq!(
            store_place(project, Some("postgres://db/play")).unwrap(),
            Place::Postgres("postgres://db/play".into())
        );
        assert!(store_path(project, Some("sqlite:")).is_err());
    }
}
