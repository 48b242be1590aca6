//! The router: every request of the HTTP API, the clock, hot reload and the CRM pull goes
//! through it to the partitions. A change line is read (refused at once when it does not
//! read), routed by its root record ([`super::route`]), then sent to this worker's engine
//! thread for its partition when this worker holds it, or else appended to the routing
//! table in PostgreSQL, from which the partition's worker takes it. A request is answered
//! once every line of it is durable: in its partition's journal, or in the routing table.

use std::collections::{BTreeMap, HashMap};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc::Receiver;
use std::sync::{Arc, Mutex};

use play_runtime::change::Rejection;
use play_store::postgres::Merged;
use play_store::routing::Routing;
use serde_json::{Map, Value};
use tokio::sync::oneshot;

use super::route::{partition_of, target, Target, ROOT};
use super::Local;
use crate::host::Host;
use crate::writer::{Refused, Report, Request};

pub struct Router {
    count: i32,
    routing: Mutex<Routing>,
    merged: Mutex<Merged>,
    pub(super) local: Arc<Local>,
    peers: Arc<super::peers::Peers>,
    /// Reads lines against the running program (made again when another is deployed).
    reader: Mutex<Option<Host>>,
    /// Who this worker is, for the `change_id`s it gives routed lines that had none.
    name: String,
    given: AtomicU64,
}

/// A line read and routed.
struct Routed {
    number: usize,
    line: String,
    target: Target,
    /// The entry it makes in the address book, if any ([`super::posted::address_of`]).
    address: Option<(String, String, Option<String>)>,
}

impl Router {
    pub fn new(
        url: &str,
        count: i32,
        local: Arc<Local>,
        name: String,
        peers: Arc<super::peers::Peers>,
    ) -> Result<Router, String> {
        Ok(Router {
            count,
            routing: Mutex::new(Routing::open(url).map_err(|e| e.to_string())?),
            merged: Mutex::new(Merged::open(url, count).map_err(|e| e.to_string())?),
            local,
            peers,
            reader: Mutex::new(None),
            name,
            given: AtomicU64::new(0),
        })
    }

    /// Serves the requests until every sender is gone or `Shutdown` comes.
    pub fn serve(self: Arc<Router>, requests: Receiver<Request>) {
        while let Ok(request) = requests.recv() {
            match request {
                Request::Changes { lines, reply } => {
                    let router = self.clone();
                    std::thread::spawn(move || {
                        let _ = reply.send(router.changes(lines));
                    });
                }
                Request::Queue { change, reply } => {
                    let router = self.clone();
                    std::thread::spawn(move || router.queue(change, reply));
                }
                Request::Tick { wall } => self.local.each(|| Request::Tick { wall }),
                Request::Deploy { program, wall } => {
                    self.local.set_program(&program);
                    self.local.each(|| Request::Deploy { program: program.clone(), wall });
                }
                Request::Emails { emails, teammate, reply } => {
                    let router = self.clone();
                    std::thread::spawn(move || {
                        let _ = reply.send(router.emails(emails, teammate));
                    });
                }
                Request::Calls { calls, teammate, reply } => {
                    let router = self.clone();
                    std::thread::spawn(move || {
                        let _ = reply.send(router.calls(calls, teammate));
                    });
                }
                Request::Record { record, trend, here_only, reply } => {
                    let partition = self.record_partition(&record);
                    let request = Request::Record { record, trend, here_only, reply };
                    let Err(Request::Record { record, trend, here_only, reply }) = self.local.send(partition, request)
                    else {
                        continue;
                    };
                    if here_only {
                        let _ = reply.send(None);
                        continue;
                    }
                    // Held by another worker: asked of it.
                    let router = self.clone();
                    std::thread::spawn(move || {
                        let address = router.routing().holder_address(partition).ok().flatten();
                        let secret = &router.peers.secret;
                        let view = address.and_then(|a| super::peers::record_at(&a, secret, &record, trend.as_deref()));
                        let _ = reply.send(view);
                    });
                }
                Request::Shutdown => return,
            }
        }
    }

    pub(super) fn routing(&self) -> std::sync::MutexGuard<'_, Routing> {
        self.routing.lock().unwrap_or_else(|e| e.into_inner())
    }

    pub(super) fn merged(&self) -> std::sync::MutexGuard<'_, Merged> {
        self.merged.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// A record's partition as routed so far (for reading it).
    pub(super) fn record_partition(&self, record: &str) -> i32 {
        if record.starts_with(&format!("{ROOT}/")) {
            return partition_of(record, self.count);
        }
        let routes = self.routing().routes(&[record.to_string()]);
        routes.ok().and_then(|r| r.get(record).copied()).unwrap_or_else(|| partition_of(record, self.count))
    }

    /// Reads each line against the running program and routes it: the refused lines, and
    /// the others with where they go.
    fn read(&self, lines: Vec<(usize, String)>) -> (Vec<Routed>, Vec<Refused>) {
        let program = self.local.program();
        let mut reader = self.reader.lock().unwrap_or_else(|e| e.into_inner());
        if reader.as_ref().is_none_or(|h| h.program().hash != program.hash) {
            *reader = Some(Host::new((*program).clone()));
        }
        let Some(host) = reader.as_ref() else { return (Vec::new(), Vec::new()) };
        let mut routed = Vec::new();
        let mut refused = Vec::new();
        for (number, line) in lines {
            match host.read(&line) {
                Ok(read) => routed.push(Routed {
                    number,
                    target: target(&read.line.change, host.program()),
                    address: super::posted::address_of(&read.line.change, host.program()),
                    line,
                }),
                Err(r) => refused.push(Refused { line: number, field: r.field, message: r.message }),
            }
        }
        (routed, refused)
    }

    /// The partitions each routed line goes to.
    fn resolve(&self, lines: &[Routed]) -> Result<Vec<Vec<i32>>, String> {
        let records: Vec<String> = lines
            .iter()
            .filter_map(|l| match &l.target {
                Target::Record { record, .. } => Some(record.clone()),
                _ => None,
            })
            .collect();
        let mut routing = self.routing();
        let mut routes = routing.routes(&records).map_err(|e| e.to_string())?;
        let claims: Vec<(String, i32)> = lines
            .iter()
            .filter_map(|l| match &l.target {
                Target::Record { record, root } if !routes.contains_key(record) => {
                    Some((record.clone(), partition_of(root.as_deref().unwrap_or(record), self.count)))
                }
                _ => None,
            })
            .collect();
        routes.extend(routing.claim(&claims).map_err(|e| e.to_string())?);
        drop(routing);
        let merged = self.merged();
        lines
            .iter()
            .map(|l| {
                Ok(match &l.target {
                    Target::Root(key) => vec![partition_of(key, self.count)],
                    Target::Record { record, .. } => vec![routes.get(record).copied().unwrap_or(0)],
                    Target::Everywhere => (0..self.count).collect(),
                    // An action no partition has is refused by partition 0's engine.
                    Target::Action(id) => vec![merged.partition_of_action(id).map_err(|e| e.to_string())?.unwrap_or(0)],
                })
            })
            .collect()
    }

    /// The address book's entries of routed lines, each with its (first) partition.
    fn index(&self, lines: &[Routed], partitions: &[Vec<i32>]) -> Result<(), String> {
        let entries: Vec<_> =
            lines.iter().zip(partitions).filter_map(|(l, p)| Some((l.address.clone()?, *p.first()?))).collect();
        self.index_addresses(entries)
    }

    /// A line for the routing table: with a `change_id` (one made here if it had none), so
    /// that a partition's worker that takes it twice (it stopped between its journal's
    /// commit and forgetting the routed row) takes it once.
    fn with_change_id(&self, line: &str) -> String {
        let Ok(Value::Object(mut object)) = serde_json::from_str::<Value>(line) else { return line.to_string() };
        if object.contains_key("change_id") {
            return line.to_string();
        }
        let n = self.given.fetch_add(1, Ordering::Relaxed);
        let nanos = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_nanos());
        object.insert("change_id".into(), format!("routed:{}:{nanos:x}:{n}", self.name).into());
        Value::Object(object).to_string()
    }

    /// `POST /v1/changes`: each line to its partition; answered once all are durable.
    fn changes(&self, lines: Vec<(usize, String)>) -> Result<Report, String> {
        let (routed, refused) = self.read(lines);
        let partitions = self.resolve(&routed)?;
        // The address book first, so that every acknowledged line has its entry (a line
        // refused by its partition keeps one too: the partition's engine thread matches
        // against its own records all the same).
        self.index(&routed, &partitions)?;
        // A partition held here with lines still waiting in the table (routed before it was
        // taken here) gets these after them, through the table: a partition takes lines in
        // the order they were acknowledged.
        let backlogged = self.routing().backlogged(self.count);
        let backlogged = backlogged.map_err(|e| e.to_string())?;
        let mut here: BTreeMap<i32, Vec<(usize, String)>> = BTreeMap::new();
        let mut away = Vec::new();
        for (line, parts) in routed.iter().zip(&partitions) {
            for &p in parts {
                if self.local.holds(p) && !backlogged.contains(&p) {
                    here.entry(p).or_default().push((line.number, line.line.clone()));
                } else {
                    away.push((p, self.with_change_id(&line.line)));
                }
            }
        }
        let mut report = Report { refused, ..Report::default() };
        // What goes to the routing table is durable first; then the partitions held here.
        let mut answers = Vec::new();
        for (partition, lines) in here {
            let (reply, answer) = oneshot::channel();
            match self.local.send(partition, Request::Changes { lines: lines.clone(), reply }) {
                Ok(()) => answers.push(answer),
                // Given up meanwhile: its new worker takes it from the routing table.
                Err(_) => away.extend(lines.into_iter().map(|(_, l)| (partition, self.with_change_id(&l)))),
            }
        }
        self.routing().route(&away).map_err(|e| e.to_string())?;
        // A line sent to several partitions (a teammate) is counted once, by its number.
        let mut refusals: HashMap<usize, Refused> = HashMap::new();
        let mut duplicates = 0;
        for answer in answers {
            let taken = answer.blocking_recv().map_err(|_| "the daemon is stopping".to_string())??;
            duplicates += taken.duplicates;
            refusals.extend(taken.refused.into_iter().map(|r| (r.line, r)));
        }
        let taken = routed.len() - refusals.len();
        report.duplicates = duplicates.min(taken);
        report.accepted = taken - report.duplicates;
        report.refused.extend(refusals.into_values());
        report.refused.sort_by_key(|r| r.line);
        Ok(report)
    }

    /// A teammate's work on the queue (or an activity, a record edit, a task): to the
    /// partition of its action or record.
    fn queue(&self, change: Map<String, Value>, reply: oneshot::Sender<Result<Result<(), Rejection>, String>>) {
        let wall = crate::clock::wall();
        let mut stamped = change.clone();
        stamped.insert("at".into(), play_runtime::value::moment_text(wall).into());
        let line = Value::Object(stamped).to_string();
        let (routed, refused) = self.read(vec![(1, line)]);
        if let Some(r) = refused.into_iter().next() {
            let _ = reply.send(Ok(Err(Rejection { field: r.field, message: r.message })));
            return;
        }
        let partition = match self.resolve(&routed).and_then(|parts| self.index(&routed, &parts).map(|()| parts)) {
            Ok(parts) => parts.first().and_then(|p| p.first().copied()).unwrap_or(0),
            Err(e) => {
                let _ = reply.send(Err(e));
                return;
            }
        };
        let unstamped = change.clone();
        let Err(Request::Queue { reply, .. }) = self.local.send(partition, Request::Queue { change, reply }) else {
            return;
        };
        // Without its `at`: the partition's engine thread stamps it with its own clock.
        let away = vec![(partition, self.with_change_id(&Value::Object(unstamped).to_string()))];
        let result = self.routing().route(&away).map_err(|e| e.to_string());
        let _ = reply.send(result.map(Ok));
    }
}
