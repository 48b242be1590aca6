//! Pulling changes from the CRM: for each configured connector and object, the records
//! modified since its watermark, each an `upsert` change line taken through the engine
//! thread like any change (the same validation; a `change_id` of the record's id and
//! modification time, so a record pulled twice is taken once). A watermark (in the
//! store, one per connector and object) moves on only after the page it covers is
//! acknowledged, so a crash in between pulls that page again, as duplicates. A refused
//! record, or a CRM error, is a line in the sync log and stops nothing else. Records
//! deleted in the CRM (Salesforce `queryAll` with `IsDeleted`, HubSpot `archived=true`)
//! are `delete` changes, with a watermark of their own; HubSpot owner ids are read as the
//! owners' addresses. Pulls run
//! every `pull_every` (12 hours by default) and on `POST /v1/sync`, mapping fields through
//! the records of the program deployed (see [`deployed`]), not the project's files as they
//! are being edited.

use std::path::{Path, PathBuf};
use std::sync::mpsc::Sender;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use play_compiler::program::Schema;
use play_delivery::crm::hubspot::HubSpot;
use play_delivery::crm::mapping::{change_line, FieldMap};
use play_delivery::crm::pull::{PullError, Pulled, Which};
use play_delivery::crm::removed::{delete_line, Owners};
use play_delivery::crm::salesforce::Salesforce;
use play_runtime::config::{PullConfig, Sinks, HUBSPOT_OBJECTS};
use play_store::{Attempt, Outbox, Then};
use serde::Serialize;
use tokio::sync::oneshot;

use crate::http::Opener;
use crate::writer::{Report, Request};
use crate::Compile;

/// A CRM to pull from.
enum Crm {
    Salesforce(Salesforce),
    HubSpot(HubSpot),
}

struct Connector {
    name: &'static str,
    /// The connection, or why there is none (a secret not set).
    crm: Result<Crm, String>,
    settings: PullConfig,
}

/// What a sync did.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct SyncReport {
    /// Records the CRMs gave.
    pub pulled: usize,
    pub accepted: usize,
    /// Records taken before (pulled again).
    pub duplicates: usize,
    /// Records deleted in the CRM, taken as `delete` changes.
    pub deleted: usize,
    pub refused: Vec<RefusedRecord>,
    /// Connectors or objects that could not be pulled: the CRM's answer, verbatim.
    pub errors: Vec<PullFailure>,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct RefusedRecord {
    /// `Account/001…`.
    pub record: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
    pub message: String,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct PullFailure {
    pub crm: String,
    pub object: String,
    pub code: String,
    pub message: String,
}

/// The program a pull maps fields through: the one the engine runs (its hash in the
/// status, its bytes in the store), else, before any deploy, `compile` of the project.
pub fn deployed(status: Arc<Mutex<crate::status::Status>>, open: Opener, compile: crate::Compile) -> crate::Compile {
    Arc::new(move |project: &Path| {
        let hash = status.lock().unwrap_or_else(|e| e.into_inner()).program_hash.clone();
        let stored = (!hash.is_empty())
            .then(|| open().ok()?.program(&hash).ok().flatten())
            .flatten()
            .and_then(|bytes| play_compiler::program::Program::from_bytes(&bytes).ok());
        match stored {
            Some(program) => Ok(program),
            None => compile(project),
        }
    })
}

/// The pulls of one daemon: one at a time.
pub struct Puller {
    project: PathBuf,
    compile: Compile,
    requests: Mutex<Sender<Request>>,
    open: Opener,
    connectors: Vec<Connector>,
    running: Mutex<()>,
}

/// The watermark of a connector's object: milliseconds of the last modification taken.
fn mark_name(crm: &str, object: &str) -> String {
    format!("pull:{crm}:{object}")
}

/// When a connector last pulled on its schedule (seconds).
fn last_pull_name(crm: &str) -> String {
    format!("pull-at:{crm}")
}

impl Puller {
    /// The connectors of `[crm.…]`, their secrets read with `env`; `None` when there is none.
    pub fn new(
        project: &Path,
        sinks: &Sinks,
        env: &dyn Fn(&str) -> Option<String>,
        compile: Compile,
        requests: Sender<Request>,
        open: Opener,
    ) -> Option<Puller> {
        let secret = |name: &str| {
            env(name).filter(|v| !v.is_empty()).ok_or_else(|| format!("the environment variable `{name}` is not set"))
        };
        let mut connectors = Vec::new();
        if let Some(s) = &sinks.salesforce {
            let crm = secret(&s.token_env).map(|token| {
                Crm::Salesforce(Salesforce { instance: s.instance_url.clone(), version: s.api_version.clone(), token })
            });
            connectors.push(Connector { name: "salesforce", crm, settings: s.pull.clone() });
        }
        if let Some(s) = &sinks.hubspot {
            let crm = secret(&s.token_env).map(|token| Crm::HubSpot(HubSpot { root: s.url.clone(), token }));
            connectors.push(Connector { name: "hubspot", crm, settings: s.pull.clone() });
        }
        (!connectors.is_empty()).then(|| Puller {
            project: project.to_path_buf(),
            compile,
            requests: Mutex::new(requests),
            open,
            connectors,
            running: Mutex::new(()),
        })
    }

    /// Pulls every object of every connector now (or only the one record), at `now`.
    pub fn sync(&self, record: Option<(&str, &str)>, now: i64) -> Result<SyncReport, String> {
        let _one_at_a_time = self.running.lock().unwrap_or_else(|e| e.into_inner());
        let program = (self.compile)(&self.project)?;
        let mut opened = (self.open)().map_err(|e| e.to_string())?;
        let store = opened.as_outbox_mut().ok_or("this store keeps no watermarks")?;
        let mut report = SyncReport::default();
        for connector in &self.connectors {
            for object in &connector.settings.objects {
                let Some(record_type) = record_of(connector.name, object) else { continue };
                if record.is_some_and(|(t, _)| t != record_type) {
                    continue;
                }
                let failure = |code: String, message: String| PullFailure {
                    crm: connector.name.into(),
                    object: object.clone(),
                    code,
                    message,
                };
                let pulled = match &connector.crm {
                    Err(why) => Err(failure("settings".into(), why.clone())),
                    Ok(crm) => self
                        .pull_object(
                            crm,
                            connector.name,
                            object,
                            &record_type,
                            &program.schema,
                            record.map(|r| r.1),
                            &mut *store,
                            now,
                            &mut report,
                        )
                        .map_err(|e| failure(e.code, e.message)),
                };
                if let Err(f) = pulled {
                    tracing::warn!(crm = %f.crm, object = %f.object, "the pull failed: {} {}", f.code, f.message);
                    log(
                        &mut *store,
                        &f.crm,
                        &format!("pull:{}:{}", f.crm, f.object),
                        &record_type,
                        "failed",
                        &f.code,
                        &f.message,
                        now,
                    );
                    report.errors.push(f);
                }
            }
            if record.is_none() {
                store.set_mark(&last_pull_name(connector.name), now.max(0) as u64).map_err(|e| e.to_string())?;
            }
        }
        Ok(report)
    }

    #[allow(clippy::too_many_arguments)]
    fn pull_object(
        &self,
        crm: &Crm,
        name: &str,
        object: &str,
        record_type: &str,
        schema: &Schema,
        only: Option<&str>,
        store: &mut dyn Outbox,
        now: i64,
        report: &mut SyncReport,
    ) -> Result<(), PullError> {
        let Some(record) = schema.records.iter().find(|r| r.name == record_type) else {
            return Err(PullError {
                code: "schema".into(),
                message: format!("the project has no record `{record_type}` for the {name} object `{object}`: import it with `play schema import {name}`"),
                after: None,
            });
        };
        let names: Vec<String> = match crm {
            Crm::Salesforce(sf) => sf.field_names(object)?,
            Crm::HubSpot(_) => {
                let mut names: Vec<String> = record.fields.iter().map(|f| f.name.clone()).collect();
                names.push("hubspot_owner_id".into());
                names
            }
        };
        let mut owners = Owners::default();
        let map = FieldMap::new(schema, record, &names);
        let mark = mark_name(name, object);
        let since = store.mark(&mark).map_err(store_error)? as i64;
        let which = only.map_or(Which::Since(since), Which::Record);
        let mut on_page = |mut page: Vec<Pulled>| -> Result<(), String> {
            if page.is_empty() {
                return Ok(());
            }
            if let Crm::HubSpot(hs) = crm {
                owners.resolve(hs, &mut page).map_err(|e| format!("reading the owners: {e}"))?;
            }
            let lines: Vec<(usize, String)> = page
                .iter()
                .enumerate()
                .map(|(n, p)| (n + 1, change_line(schema, record, &map, name, object, p)))
                .collect();
            let taken = self.ingest(lines)?;
            report.pulled += page.len();
            report.accepted += taken.accepted;
            report.duplicates += taken.duplicates;
            for r in taken.refused {
                let Some(p) = page.get(r.line.wrapping_sub(1)) else { continue };
                let id = format!("{record_type}/{}", p.id);
                let field = r.field.as_deref().map(|f| format!(" (field `{f}`)")).unwrap_or_default();
                log(
                    store,
                    name,
                    &play_delivery::crm::mapping::change_id(name, object, p),
                    &id,
                    "refused",
                    "refused",
                    &format!("refused{field}: {}", r.message),
                    now,
                );
                report.refused.push(RefusedRecord { record: id, field: r.field, message: r.message });
            }
            // The page is acknowledged: the watermark moves to its last record.
            let last = page.iter().map(|p| p.millis).max().unwrap_or(since);
            if only.is_none() && last > store.mark(&mark).map_err(|e| e.to_string())? as i64 {
                store.set_mark(&mark, last as u64).map_err(|e| e.to_string())?;
            }
            Ok(())
        };
        match crm {
            Crm::Salesforce(sf) => sf.pull(object, &map.crm_names(), which, &mut on_page),
            Crm::HubSpot(hs) => hs.pull(object, &map.crm_names(), which, &mut on_page),
        }?;
        if only.is_none() {
            self.pull_deleted(crm, name, object, record_type, store, now, report)?;
        }
        Ok(())
    }

    /// Records deleted in the CRM since the object's deletion watermark, each a `delete`
    /// change (a record Play does not have is deleted as a no-op).
    #[allow(clippy::too_many_arguments)]
    fn pull_deleted(
        &self,
        crm: &Crm,
        name: &str,
        object: &str,
        record_type: &str,
        store: &mut dyn Outbox,
        now: i64,
        report: &mut SyncReport,
    ) -> Result<(), PullError> {
        let mark = format!("{}:deleted", mark_name(name, object));
        let since = store.mark(&mark).map_err(store_error)? as i64;
        let mut on_page = |page: Vec<Pulled>| -> Result<(), String> {
            if page.is_empty() {
                return Ok(());
            }
            let lines: Vec<(usize, String)> =
                page.iter().enumerate().map(|(n, p)| (n + 1, delete_line(record_type, name, object, p))).collect();
            let taken = self.ingest(lines)?;
            report.pulled += page.len();
            report.deleted += taken.accepted;
            report.duplicates += taken.duplicates;
            for r in taken.refused {
                let Some(p) = page.get(r.line.wrapping_sub(1)) else { continue };
                let id = format!("{record_type}/{}", p.id);
                log(
                    store,
                    name,
                    &format!("{name}:{object}:{}:deleted", p.id),
                    &id,
                    "refused",
                    "refused",
                    &r.message,
                    now,
                );
                report.refused.push(RefusedRecord { record: id, field: r.field, message: r.message });
            }
            let last = page.iter().map(|p| p.millis).max().unwrap_or(since);
            if last > store.mark(&mark).map_err(|e| e.to_string())? as i64 {
                store.set_mark(&mark, last as u64).map_err(|e| e.to_string())?;
            }
            Ok(())
        };
        match crm {
            Crm::Salesforce(sf) => sf.pull_deleted(object, since, &mut on_page),
            Crm::HubSpot(hs) => hs.pull_archived(object, since, &mut on_page),
        }
    }

    /// The lines through the engine thread, once they are durable.
    fn ingest(&self, lines: Vec<(usize, String)>) -> Result<Report, String> {
        let (reply, answer) = oneshot::channel();
        let requests = self.requests.lock().unwrap_or_else(|e| e.into_inner()).clone();
        requests.send(Request::Changes { lines, reply }).map_err(|_| "the daemon is stopping".to_string())?;
        answer.blocking_recv().map_err(|_| "the daemon is stopping".to_string())?
    }

    /// Whether a connector is due for its scheduled pull at `now`.
    fn due(&self, now: i64) -> bool {
        let Ok(store) = (self.open)() else { return false };
        self.connectors.iter().any(|c| {
            let last = store.as_outbox().and_then(|o| o.mark(&last_pull_name(c.name)).ok()).unwrap_or(0) as i64;
            now >= last + c.settings.every as i64
        })
    }
}

fn store_error(e: play_store::StoreError) -> PullError {
    PullError { code: "store".into(), message: e.to_string(), after: None }
}

/// The Play record a CRM object is pulled into: Salesforce's object by the importer's
/// naming (`Account`, `Health_Check__c` → `HealthCheck`), HubSpot's standard objects.
fn record_of(crm: &str, object: &str) -> Option<String> {
    if crm == "hubspot" {
        return HUBSPOT_OBJECTS.iter().find(|(o, _)| *o == object).map(|(_, r)| r.to_string());
    }
    let name = play_compiler::crm_names::pascal_case(&play_compiler::crm_names::strip_salesforce(object));
    (!name.is_empty()).then_some(name)
}

/// A line in the sync log for a pull.
#[allow(clippy::too_many_arguments)]
fn log(store: &mut dyn Outbox, crm: &str, id: &str, record: &str, outcome: &str, code: &str, message: &str, now: i64) {
    let attempt = Attempt {
        action_id: id.to_string(),
        at: now,
        sink: crm.to_string(),
        record: record.to_string(),
        teammate: None,
        attempt: 1,
        outcome: outcome.to_string(),
        code: code.to_string(),
        message: message.to_string(),
        next_at: None,
    };
    if let Err(e) = store.record_attempt(&attempt, Then::Skipped) {
        tracing::error!("the sync log could not record a pull: {e}");
    }
}

/// Runs the scheduled pulls on their own thread: each connector when `pull_every` has
/// passed since its last pull (kept in the store, so a restart does not pull again).
/// `here` says whether this worker pulls now (on a partitioned workspace, the worker that
/// holds partition 0 does; the watermarks are kept there).
pub fn start(puller: Arc<Puller>, here: crate::PullsHere) -> Result<(), String> {
    std::thread::Builder::new()
        .name("pull".into())
        .spawn(move || loop {
            let now = crate::clock::wall();
            if here() && puller.due(now) {
                match puller.sync(None, now) {
                    Ok(r) => {
                        tracing::info!(pulled = r.pulled, accepted = r.accepted, refused = r.refused.len(), "CRM pull")
                    }
                    Err(e) => tracing::error!("CRM pull: {e}"),
                }
            }
            std::thread::sleep(Duration::from_secs(60));
        })
        .map(|_| ())
        .map_err(|e| format!("the pull thread could not start: {e}"))
}
