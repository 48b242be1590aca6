//! A workspace of several partitions on PostgreSQL (`play run --partitions N`): every
//! worker listens and accepts every request; the router ([`router`]) sends each change to
//! its partition's engine thread when this worker holds the partition, or durably to the
//! routing table for the worker that does ([`drain`] takes them from there). The holder
//! ([`holder`]) keeps this worker's fair share of the partitions' leases, starting an engine
//! thread (and a delivery worker) for each partition it takes and stopping it for each it
//! gives up. Readers see every partition merged ([`play_store::postgres::Merged`]).

mod drain;
mod holder;
pub mod peers;
mod posted;
pub mod route;
mod router;

use std::collections::HashMap;
use std::sync::mpsc::Sender;
use std::sync::{Arc, Mutex, RwLock};

use play_compiler::program::Program;
use play_store::postgres::Merged;

use crate::writer::Request;
use crate::{Config, DaemonError};

/// The partitions this worker holds now, each with its engine thread's requests, and the
/// program they run (for partitions taken later, and for reading lines).
pub struct Local {
    writers: RwLock<HashMap<i32, Sender<Request>>>,
    program: RwLock<Arc<Program>>,
}

impl Local {
    fn new(program: Program) -> Local {
        Local { writers: RwLock::default(), program: RwLock::new(Arc::new(program)) }
    }

    pub fn holds(&self, partition: i32) -> bool {
        self.writers.read().unwrap_or_else(|e| e.into_inner()).contains_key(&partition)
    }

    /// The partitions held, sorted.
    pub fn held(&self) -> Vec<i32> {
        let mut held: Vec<i32> = self.writers.read().unwrap_or_else(|e| e.into_inner()).keys().copied().collect();
        held.sort_unstable();
        held
    }

    /// Sends to a partition's engine thread; the request back when this worker does not
    /// hold it (any more).
    pub fn send(&self, partition: i32, request: Request) -> Result<(), Request> {
        let sender = self.writers.read().unwrap_or_else(|e| e.into_inner()).get(&partition).cloned();
        match sender {
            Some(s) => s.send(request).map_err(|e| e.0),
            None => Err(request),
        }
    }

    /// Sends to the first partition held.
    pub fn send_first(&self, request: Request) -> Result<(), Request> {
        match self.held().first() {
            Some(&p) => self.send(p, request),
            None => Err(request),
        }
    }

    /// Sends a request made for each partition held.
    pub fn each(&self, make: impl Fn() -> Request) {
        for p in self.held() {
            let _ = self.send(p, make());
        }
    }

    pub fn program(&self) -> Arc<Program> {
        self.program.read().unwrap_or_else(|e| e.into_inner()).clone()
    }

    fn set_program(&self, program: &Program) {
        *self.program.write().unwrap_or_else(|e| e.into_inner()) = Arc::new(program.clone());
    }

    fn add(&self, partition: i32, sender: Sender<Request>) {
        self.writers.write().unwrap_or_else(|e| e.into_inner()).insert(partition, sender);
    }

    fn remove(&self, partition: i32) -> Option<Sender<Request>> {
        self.writers.write().unwrap_or_else(|e| e.into_inner()).remove(&partition)
    }
}

/// Runs this worker of a partitioned workspace until SIGTERM.
pub(crate) fn run(mut config: Config, program: Program, url: String, count: i32) -> Result<(), DaemonError> {
    let name = crate::lease::worker_name();
    let status = Arc::new(Mutex::new(crate::status::Status::default()));
    let local = Arc::new(Local::new(program.clone()));
    let other = |e: String| DaemonError::Other(e);
    let made = crate::inbox::session::random_token();
    let secret = play_store::routing::Routing::open(&url).and_then(|mut r| r.worker_secret(&made));
    let peers =
        Arc::new(peers::Peers { secret: secret.map_err(|e| other(e.to_string()))?, address: Default::default() });
    let router = Arc::new(router::Router::new(&url, count, local.clone(), name.clone(), peers.clone()).map_err(other)?);
    let (requests, inbox) = std::sync::mpsc::channel();
    let routing = std::thread::Builder::new()
        .name("router".into())
        .spawn(move || router.serve(inbox))
        .map_err(|e| other(format!("the router could not start: {e}")))?;
    let setup = holder::Setup {
        url: url.clone(),
        name: name.clone(),
        count,
        ttl: config.lease,
        project: config.project.clone(),
        owner: config.owner.clone(),
        follow_changes: config.follow_changes,
        snapshot_every: config.snapshot_every.max(1),
        status: status.clone(),
        peers: peers.clone(),
    };
    let holder = holder::Holder::start(setup, local.clone()).map_err(other)?;
    let drain = drain::Drain::start(&url, local.clone()).map_err(other)?;
    let open: crate::http::Opener = {
        let url = url.clone();
        Arc::new(move || Ok(Box::new(Merged::open(&url, count)?)))
    };
    let pulls_here: crate::PullsHere = {
        let local = local.clone();
        Arc::new(move || local.holds(0))
    };
    let served = crate::serve(&mut config, requests.clone(), open, status, pulls_here, Some(peers));
    // Nothing more comes in: what waits in the routing table for partitions held here is
    // taken, then each partition is stopped (with a snapshot) and its lease given up.
    drain.stop();
    let _ = requests.send(Request::Shutdown);
    let _ = routing.join();
    holder.stop();
    tracing::info!("stopped");
    served
}
