//! The sinks an outbox row can go to, built from `play.toml`'s `[sinks.*]` and `[crm.*]`
//! with their secrets read from the environment, and how an action's JSON becomes one
//! call of [`play_delivery`] (a `log_activity` row: completed work logged to the CRM
//! record). A sink whose secret is missing exists but answers `Paused`, so its
//! deliveries wait (and the log says why) instead of failing.

use std::collections::BTreeMap;
use std::sync::Arc;

use play_delivery::brief::{self, Summariser};
use play_delivery::crm::activity::{self, Activity, Done};
use play_delivery::crm::hubspot::HubSpot;
use play_delivery::crm::salesforce::Salesforce;
use play_delivery::smtp::{Email, Security, SmtpSettings, SmtpSink};
use play_delivery::Outcome;
use play_runtime::config::Sinks;
use serde_json::{Map, Value};

/// One delivery, as a sink sees it.
pub struct Job<'a> {
    /// The action's id: the idempotency key.
    pub id: &'a str,
    pub kind: &'a str,
    pub action: &'a Value,
    /// The original action line, sent as it is by webhooks.
    pub line: &'a str,
    /// Now (seconds since 1970 UTC), for signatures.
    pub now: i64,
}

impl Job<'_> {
    fn text(&self, key: &str) -> Option<String> {
        self.action.get(key).and_then(Value::as_str).map(String::from)
    }
}

/// A place actions go. Implementations make one attempt and say what became of it.
pub trait Sink: Send + Sync {
    fn send(&self, job: &Job) -> Outcome;
}

/// The configured sinks by name (`smtp`, `slack`, `webhook`, `crm`).
#[derive(Clone, Default)]
pub struct SinkSet {
    pub by_name: BTreeMap<&'static str, Arc<dyn Sink>>,
    /// The SMTP sink's settings, to tell the workspace owner about dead deliveries.
    pub smtp: Option<Arc<SmtpSink>>,
    /// `Record.field`s never written back to the CRM (`unsynced` of `[crm.…]`).
    pub unsynced: Vec<String>,
}

/// The fields of an `update` or `assign` action that may be written back: without the
/// unsynced ones (`unsynced` names them `Record.field`).
pub fn synced_fields(action: &Value, unsynced: &[String]) -> Map<String, Value> {
    let record = action.get("record").and_then(Value::as_str).unwrap_or_default();
    let kind = record.split_once('/').map_or(record, |(k, _)| k);
    let mut fields: Map<String, Value> = action.get("fields").and_then(Value::as_object).cloned().unwrap_or_default();
    fields.retain(|name, _| !unsynced.iter().any(|u| u.split_once('.') == Some((kind, name.as_str()))));
    fields
}

/// How briefs are written: summarised by `[sinks.brief]` when it is configured (or why it
/// cannot be, its secret missing), else the data as it is.
#[derive(Clone, Default)]
pub struct Briefs(Option<Result<Arc<Summariser>, String>>);

impl Briefs {
    /// A brief action's subject and text, or the outcome that stops it for now.
    fn write(&self, job: &Job) -> Result<(String, String), Outcome> {
        match &self.0 {
            None => brief::write(job.action, None),
            Some(Ok(s)) => brief::write(job.action, Some(s)),
            Some(Err(reason)) => Err(Outcome::Paused { code: "settings".into(), message: reason.clone() }),
        }
    }
}

/// Which sink an action goes to, chosen when it is projected into the outbox (the row's
/// `sink`): `none` for kinds delivery never sends. A brief goes to Slack when its `to` is a
/// channel (`#cs`), else by email.
pub fn sink_of(kind: &str, action: &Value) -> &'static str {
    match kind {
        "email" | "notify_email" => "smtp",
        "notify_slack" => "slack",
        "webhook" | "enroll" => "webhook",
        "assign" | "update" | "log_activity" | "log_email" => "crm",
        "brief" if action["to"].as_str().is_some_and(|to| to.starts_with('#')) => "slack",
        "brief" => "smtp",
        _ => "none",
    }
}

/// The variable's value, or why there is none.
fn secret(name: &str, env: &dyn Fn(&str) -> Option<String>) -> Result<String, String> {
    env(name).filter(|v| !v.is_empty()).ok_or_else(|| format!("the environment variable `{name}` is not set"))
}

/// A sink that cannot work until its settings are fixed: every attempt pauses it.
struct Unavailable(String);

impl Sink for Unavailable {
    fn send(&self, _: &Job) -> Outcome {
        Outcome::Paused { code: "settings".into(), message: self.0.clone() }
    }
}

impl SinkSet {
    /// The sinks `play.toml` configures; `env` reads an environment variable.
    pub fn from_settings(sinks: &Sinks, env: &dyn Fn(&str) -> Option<String>) -> SinkSet {
        let mut set = SinkSet::default();
        let briefs = Briefs(sinks.brief.as_ref().map(|b| {
            let key = b.api_key_env.as_deref().map(|v| secret(v, env)).transpose()?;
            Ok(Arc::new(Summariser { url: b.url.clone(), model: b.model.clone(), api_key: key }))
        }));
        let mut put = |name: &'static str, sink: Result<Arc<dyn Sink>, String>| {
            let sink = sink.unwrap_or_else(|reason| Arc::new(Unavailable(reason)));
            set.by_name.insert(name, sink);
        };
        if let Some(s) = &sinks.smtp {
            let password = s.password_env.as_deref().map(|v| secret(v, env)).transpose();
            let built = password.and_then(|password| {
                let security = match s.security.as_str() {
                    "none" => Security::None,
                    "tls" => Security::Tls,
                    _ => Security::StartTls,
                };
                SmtpSink::new(&SmtpSettings {
                    host: s.host.clone(),
                    port: s.port,
                    security,
                    username: s.username.clone(),
                    password,
                    from: s.from.clone(),
                    unsubscribe: s.unsubscribe.clone(),
                })
            });
            match built {
                Ok(sink) => {
                    let sink = Arc::new(sink);
                    put("smtp", Ok(Arc::new(SmtpJobs(sink.clone(), briefs.clone()))));
                    set.smtp = Some(sink);
                }
                Err(e) => put("smtp", Err(e)),
            }
        }
        if let Some(s) = &sinks.slack {
            let slack = secret(&s.webhook_env, env).map(|hook| Arc::new(Slack(hook, briefs.clone())) as Arc<dyn Sink>);
            put("slack", slack);
        }
        if let Some(s) = &sinks.webhook {
            let url = s.url.clone();
            put("webhook", secret(&s.secret_env, env).map(|key| Arc::new(Webhook { url, key }) as Arc<dyn Sink>));
        }
        let mut unsynced = Vec::new();
        if let Some(s) = &sinks.salesforce {
            unsynced = s.pull.unsynced.clone();
            let sf = secret(&s.token_env, env).map(|token| {
                let crm = Crm::Salesforce(Salesforce {
                    instance: s.instance_url.clone(),
                    version: s.api_version.clone(),
                    token,
                });
                let external = Some(s.task_external_id.clone()).filter(|f| !f.is_empty());
                Arc::new(CrmSink { crm, unsynced: unsynced.clone(), external }) as Arc<dyn Sink>
            });
            put("crm", sf);
        } else if let Some(s) = &sinks.hubspot {
            unsynced = s.pull.unsynced.clone();
            let hs = secret(&s.token_env, env).map(|token| {
                let crm = Crm::HubSpot(HubSpot { root: s.url.clone(), token });
                Arc::new(CrmSink { crm, unsynced: unsynced.clone(), external: None }) as Arc<dyn Sink>
            });
            put("crm", hs);
        }
        set.unsynced = unsynced;
        set
    }

    pub fn is_empty(&self) -> bool {
        self.by_name.is_empty()
    }
}

/// Email actions (and briefs to a teammate) through the SMTP sink.
pub struct SmtpJobs(pub Arc<SmtpSink>, pub Briefs);

impl Sink for SmtpJobs {
    fn send(&self, job: &Job) -> Outcome {
        let Some(to) = job.text("to") else {
            return Outcome::Failed { code: "address".into(), message: "the action has no recipient".into() };
        };
        if job.kind == "brief" {
            let (subject, text) = match self.1.write(job) {
                Ok(written) => written,
                Err(outcome) => return outcome,
            };
            let email =
                Email { id: job.id.to_string(), to, subject, text, html: None, automatic: false, approved_by: None };
            return self.0.send(&email);
        }
        let approved_by = job.text("approved_by");
        let email = Email {
            id: job.id.to_string(),
            to,
            subject: job
                .text("subject")
                .or_else(|| job.text("title"))
                .or_else(|| job.text("playbook"))
                .unwrap_or_default(),
            text: job.text("body").or_else(|| job.text("message")).unwrap_or_default(),
            html: job.text("html"),
            // An approved email task is a person's email: no `List-Unsubscribe`.
            automatic: job.kind == "email" && approved_by.is_none(),
            approved_by,
        };
        self.0.send(&email)
    }
}

struct Slack(String, Briefs);

impl Sink for Slack {
    fn send(&self, job: &Job) -> Outcome {
        let text = if job.kind == "brief" {
            match self.1.write(job) {
                Ok((subject, text)) => format!("*{subject}*\n{text}"),
                Err(outcome) => return outcome,
            }
        } else {
            job.text("message").or_else(|| job.text("title")).unwrap_or_default()
        };
        play_delivery::slack::send(&self.0, job.id, &text)
    }
}

struct Webhook {
    url: String,
    key: String,
}

impl Sink for Webhook {
    fn send(&self, job: &Job) -> Outcome {
        // A `webhook` action may name its own address; `enroll` goes to the configured one.
        let url =
            if job.kind == "webhook" { job.text("url").unwrap_or_else(|| self.url.clone()) } else { self.url.clone() };
        play_delivery::webhook::send(&url, &self.key, job.id, job.now, job.line)
    }
}

enum Crm {
    Salesforce(Salesforce),
    HubSpot(HubSpot),
}

/// The CRM sink: never writes back a field marked unsynced.
struct CrmSink {
    crm: Crm,
    unsynced: Vec<String>,
    /// Salesforce's `task_external_id`: activities are upserted by it.
    external: Option<String>,
}

impl Sink for CrmSink {
    fn send(&self, job: &Job) -> Outcome {
        let record = job.text("record").unwrap_or_default();
        if job.kind == "log_activity" {
            // An activity whose record names no CRM record is an orphan, to be adopted.
            let (kind, id) = record.split_once('/').unwrap_or((record.as_str(), ""));
            return self.crm.log_activity(job, kind, id, self.external.as_deref());
        }
        let Some((kind, id)) = record.split_once('/') else {
            if job.kind == "log_email" {
                // An email no record matched: kept until a teammate adopts it.
                let message =
                    "no contact or account matched the email's addresses; adopt it with POST /v1/tasks/{id}/adopt";
                return Outcome::Orphan { code: "no record".into(), message: message.into() };
            }
            return Outcome::Failed { code: "record".into(), message: format!("`{record}` names no CRM record") };
        };
        if job.kind == "log_email" {
            return super::email_sync::log_email(job, |email, key| match &self.crm {
                Crm::Salesforce(sf) => {
                    play_delivery::crm::email_log::to_salesforce(sf, email, self.external.as_deref(), key)
                }
                Crm::HubSpot(hs) => play_delivery::crm::email_log::to_hubspot(hs, email, key),
            });
        }
        let mut fields = synced_fields(job.action, &self.unsynced);
        match &self.crm {
            Crm::Salesforce(sf) => {
                if job.kind == "assign" {
                    fields.insert("OwnerId".into(), job.text("to").unwrap_or_default().into());
                }
                sf.update(kind, id, &fields, job.id)
            }
            Crm::HubSpot(hs) => {
                if job.kind == "assign" {
                    fields.insert("hubspot_owner_id".into(), job.text("to").unwrap_or_default().into());
                }
                let object = match kind {
                    "Account" => "companies",
                    "Opportunity" => "deals",
                    "Case" => "tickets",
                    _ => "contacts",
                };
                hs.update(object, id, &fields, job.id)
            }
        }
    }
}

impl Crm {
    /// Completed work logged to the record (a `log_activity` row, made when a teammate
    /// completes a task or approves an email task).
    fn log_activity(&self, job: &Job, record_type: &str, record_id: &str, external: Option<&str>) -> Outcome {
        let blank = |s: Option<String>| s.filter(|s| !s.is_empty());
        let activity = Activity {
            done: match job.text("done").as_deref() {
                Some("email") => Done::Email,
                Some("call") => Done::Call,
                _ => Done::Task,
            },
            record_type: record_type.to_string(),
            record_id: record_id.to_string(),
            playbook: blank(job.text("playbook")),
            step: blank(job.text("step")),
            subject: job.text("subject").unwrap_or_default(),
            body: job.text("body").unwrap_or_default(),
            at: job.action["at"]
                .as_str()
                .and_then(|t| chrono::DateTime::parse_from_rfc3339(t).ok())
                .map_or(job.now, |t| t.timestamp()),
            teammate: job.text("by"),
        };
        // A logged call (`POST /v1/calls`) carries its particulars.
        let call = (activity.done == Done::Call).then(|| activity::Call {
            duration_seconds: job.action["duration_seconds"].as_u64(),
            inbound: job.text("direction").as_deref() == Some("inbound"),
            outcome: job.text("outcome").filter(|o| !o.is_empty()),
        });
        match self {
            Crm::Salesforce(sf) => {
                let extra = call.map(|c| c.salesforce_fields()).unwrap_or_default();
                activity::to_salesforce_with(sf, &activity, &extra, external, job.id)
            }
            Crm::HubSpot(hs) => {
                let extra = call.map(|c| c.hubspot_properties()).unwrap_or_default();
                activity::to_hubspot_with(hs, &activity, &extra, job.id)
            }
        }
    }
}
