//! The sinks an outbox row can go to, built from `play.toml`'s `[sinks.*]` and `[crm.*]`
//! with their secrets read from the environment, and how an action's JSON becomes one
//! call of [`play_delivery`] (a `log_activity` row: completed work logged to the CRM
//! record). A sink whose secret is missing exists but answers `Paused`, so its
//! deliveries wait (and the log says why) instead of failing.

use std::collections::BTreeMap;
use std::sync::Arc;

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
}

/// Which sink an action kind goes to; `None` for kinds delivery never sends.
pub fn sink_of(kind: &str) -> Option<&'static str> {
    match kind {
        "email" | "notify_email" => Some("smtp"),
        "notify_slack" => Some("slack"),
        "webhook" | "enroll" => Some("webhook"),
        "assign" | "update" | "log_activity" => Some("crm"),
        _ => None,
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
                    put("smtp", Ok(Arc::new(SmtpJobs(sink.clone()))));
                    set.smtp = Some(sink);
                }
                Err(e) => put("smtp", Err(e)),
            }
        }
        if let Some(s) = &sinks.slack {
            put("slack", secret(&s.webhook_env, env).map(|hook| Arc::new(Slack(hook)) as Arc<dyn Sink>));
        }
        if let Some(s) = &sinks.webhook {
            let url = s.url.clone();
            put("webhook", secret(&s.secret_env, env).map(|key| Arc::new(Webhook { url, key }) as Arc<dyn Sink>));
        }
        if let Some(s) = &sinks.salesforce {
            let sf = secret(&s.token_env, env).map(|token| {
                Arc::new(Crm::Salesforce(Salesforce {
                    instance: s.instance_url.clone(),
                    version: s.api_version.clone(),
                    token,
                })) as Arc<dyn Sink>
            });
            put("crm", sf);
        } else if let Some(s) = &sinks.hubspot {
            let hs = secret(&s.token_env, env)
                .map(|token| Arc::new(Crm::HubSpot(HubSpot { root: s.url.clone(), token })) as Arc<dyn Sink>);
            put("crm", hs);
        }
        set
    }

    pub fn is_empty(&self) -> bool {
        self.by_name.is_empty()
    }
}

/// Email actions through the SMTP sink.
pub struct SmtpJobs(pub Arc<SmtpSink>);

impl Sink for SmtpJobs {
    fn send(&self, job: &Job) -> Outcome {
        let Some(to) = job.text("to") else {
            return Outcome::Failed { code: "address".into(), message: "the action has no recipient".into() };
        };
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
            automatic: job.kind == "email",
        };
        self.0.send(&email)
    }
}

struct Slack(String);

impl Sink for Slack {
    fn send(&self, job: &Job) -> Outcome {
        let text = job.text("message").or_else(|| job.text("title")).unwrap_or_default();
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

impl Sink for Crm {
    fn send(&self, job: &Job) -> Outcome {
        let record = job.text("record").unwrap_or_default();
        let Some((kind, id)) = record.split_once('/') else {
            return Outcome::Failed { code: "record".into(), message: format!("`{record}` names no CRM record") };
        };
        if job.kind == "log_activity" {
            return self.log_activity(job, kind, id);
        }
        let mut fields: Map<String, Value> =
            job.action.get("fields").and_then(Value::as_object).cloned().unwrap_or_default();
        match self {
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
    fn log_activity(&self, job: &Job, record_type: &str, record_id: &str) -> Outcome {
        let blank = |s: Option<String>| s.filter(|s| !s.is_empty());
        let activity = Activity {
            done: if job.text("done").as_deref() == Some("email") { Done::Email } else { Done::Task },
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
        match self {
            Crm::Salesforce(sf) => activity::to_salesforce(sf, &activity, None, job.id),
            Crm::HubSpot(hs) => activity::to_hubspot(hs, &activity, job.id),
        }
    }
}
