//! Where delivery sends actions, in `play.toml`: `[sinks.smtp]`, `[sinks.slack]`,
//! `[sinks.webhook]`, `[crm.salesforce]` and `[crm.hubspot]`. A secret is never written in
//! the file: a setting ending in `_env` names the environment variable that holds it,
//! which the daemon reads when it starts.
//!
//! ```toml
//! [sinks.smtp]
//! host = "smtp.example.com"
//! port = 587                          # default: 587 for starttls, 465 for tls, 25 for none
//! security = "starttls"               # starttls (default) | tls | none
//! username = "play@example.com"
//! password_env = "PLAY_SMTP_PASSWORD"
//! from = "Customer Success <cs@example.com>"
//! unsubscribe = "https://example.com/unsubscribe"
//!
//! [sinks.slack]
//! webhook_env = "PLAY_SLACK_WEBHOOK"  # the incoming webhook's URL is itself the secret
//!
//! [sinks.brief]                       # optional: briefs summarised by an OpenAI-compatible API
//! url = "https://api.openai.com/v1"
//! model = "gpt-4o-mini"
//! api_key_env = "PLAY_BRIEF_API_KEY"
//!
//! [sinks.webhook]                     # also where `enroll` goes, to the sequencer
//! url = "https://hooks.example.com/play"
//! secret_env = "PLAY_WEBHOOK_SECRET"  # `whsec_…`, for the Standard Webhooks signature
//!
//! [crm.salesforce]
//! instance_url = "https://acme.my.salesforce.com"
//! api_version = "61.0"
//! token_env = "PLAY_SALESFORCE_TOKEN"
//! pull_every = "12h"                  # how often changes are pulled (the default)
//! objects = ["Account", "Contact"]    # what is pulled (the default: Account)
//! unsynced = ["Account.health_score"] # fields never written back
//! task_external_id = "Play_Action_Id__c" # activities upserted by this field ("" to POST)
//!
//! [crm.hubspot]
//! url = "https://api.hubapi.com"      # the default
//! token_env = "PLAY_HUBSPOT_TOKEN"
//! ```

use std::fmt;
use std::ops::Range;

use play_compiler::suggest;
use toml_edit::TableLike;

use super::pull::{list_of, seconds, PullConfig};
use super::{kind, ConfigProblem, Reader};

/// Every configured sink; none is configured by default.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Sinks {
    pub smtp: Option<SmtpConfig>,
    pub slack: Option<SlackConfig>,
    pub webhook: Option<WebhookConfig>,
    pub salesforce: Option<SalesforceConfig>,
    pub hubspot: Option<HubSpotConfig>,
    pub brief: Option<BriefConfig>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SmtpConfig {
    pub host: String,
    pub port: u16,
    /// `starttls`, `tls` or `none`.
    pub security: String,
    pub username: Option<String>,
    pub password_env: Option<String>,
    pub from: String,
    pub unsubscribe: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SlackConfig {
    pub webhook_env: String,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct WebhookConfig {
    pub url: String,
    pub secret_env: String,
}

/// An OpenAI-compatible chat-completions endpoint that summarises briefs.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BriefConfig {
    /// The API's root, `…/v1`: requests go to `{url}/chat/completions`.
    pub url: String,
    pub model: String,
    pub api_key_env: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SalesforceConfig {
    pub instance_url: String,
    pub api_version: String,
    pub token_env: String,
    pub pull: PullConfig,
    /// The `Task` external-id field that holds the action's id: an activity is written as
    /// an upsert by it (`PATCH sobjects/Task/{field}/{id}`); empty, a plain `POST`.
    pub task_external_id: String,
}

/// The default of `task_external_id`.
pub const TASK_EXTERNAL_ID: &str = "Play_Action_Id__c";

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HubSpotConfig {
    pub url: String,
    pub token_env: String,
    pub pull: PullConfig,
}

/// A problem in a sink's section.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SinkProblem {
    UnknownSink {
        group: &'static str,
        name: String,
        suggestion: Option<&'static str>,
    },
    UnknownKey {
        section: String,
        key: String,
        suggestion: Option<&'static str>,
    },
    Missing {
        section: String,
        key: &'static str,
    },
    /// A secret written into the file (`password = "…"`) instead of the name of the
    /// environment variable holding it.
    Secret {
        key: String,
        env_key: &'static str,
        suggested: String,
    },
    NotAVariableName {
        key: &'static str,
        text: String,
    },
    BadValue {
        key: &'static str,
        found: String,
        expected: &'static str,
    },
}

/// The sinks and CRMs this play knows, with their keys, the required ones first.
const SINKS: [&str; 4] = ["smtp", "slack", "webhook", "brief"];
const CRMS: [&str; 2] = ["salesforce", "hubspot"];

fn keys(name: &str) -> &'static [&'static str] {
    match name {
        "smtp" => &["host", "from", "port", "security", "username", "password_env", "unsubscribe"],
        "slack" => &["webhook_env"],
        "webhook" => &["url", "secret_env"],
        "brief" => &["url", "model", "api_key_env"],
        "salesforce" => {
            &["instance_url", "token_env", "api_version", "pull_every", "objects", "unsynced", "task_external_id"]
        }
        _ => &["token_env", "url", "pull_every", "objects", "unsynced"],
    }
}

/// Settings that would hold a secret, and the setting that names its variable instead.
fn secret_key(name: &str, key: &str) -> Option<&'static str> {
    match (name, key) {
        ("smtp", "password") => Some("password_env"),
        ("slack", "webhook" | "webhook_url" | "url") => Some("webhook_env"),
        ("webhook", "secret") => Some("secret_env"),
        ("brief", "api_key" | "key" | "token") => Some("api_key_env"),
        ("salesforce" | "hubspot", "token" | "access_token") => Some("token_env"),
        _ => None,
    }
}

impl Reader<'_> {
    /// `[sinks.*]` or `[crm.*]`.
    pub(super) fn sinks_group(&self, group: &'static str, section: &dyn TableLike, sinks: &mut Sinks) {
        let known: &[&'static str] = if group == "sinks" { &SINKS } else { &CRMS };
        for (name, item) in section.iter() {
            let key_span = section.key(name).and_then(|k| k.span());
            let Some(table) = item.as_table_like().filter(|_| known.contains(&name)) else {
                let problem = match item.as_table_like() {
                    Some(_) => SinkProblem::UnknownSink {
                        group,
                        name: name.to_string(),
                        suggestion: suggest::closest(name, known.iter().copied()),
                    },
                    None => SinkProblem::BadValue {
                        key: "section",
                        found: kind(item).to_string(),
                        expected: "a section like `[sinks.smtp]`",
                    },
                };
                self.report(self.error(ConfigProblem::Sink(problem), key_span));
                continue;
            };
            let section_name = format!("{group}.{name}");
            let values = self.sink_values(name, &section_name, table, key_span);
            let Some(v) = values else { continue };
            match name {
                "smtp" => {
                    let security = v.text("security").unwrap_or_else(|| "starttls".into());
                    let port = v.port.unwrap_or(match security.as_str() {
                        "tls" => 465,
                        "none" => 25,
                        _ => 587,
                    });
                    sinks.smtp = Some(SmtpConfig {
                        host: v.text("host").unwrap_or_default(),
                        port,
                        security,
                        username: v.text("username"),
                        password_env: v.text("password_env"),
                        from: v.text("from").unwrap_or_default(),
                        unsubscribe: v.text("unsubscribe"),
                    })
                }
                "slack" => sinks.slack = Some(SlackConfig { webhook_env: v.text("webhook_env").unwrap_or_default() }),
                "webhook" => {
                    sinks.webhook = Some(WebhookConfig {
                        url: v.text("url").unwrap_or_default(),
                        secret_env: v.text("secret_env").unwrap_or_default(),
                    })
                }
                "brief" => {
                    sinks.brief = Some(BriefConfig {
                        url: v.text("url").unwrap_or_default().trim_end_matches('/').to_string(),
                        model: v.text("model").unwrap_or_default(),
                        api_key_env: v.text("api_key_env"),
                    })
                }
                "salesforce" => {
                    sinks.salesforce = Some(SalesforceConfig {
                        instance_url: v.text("instance_url").unwrap_or_default(),
                        api_version: v.text("api_version").unwrap_or_else(|| "61.0".into()),
                        token_env: v.text("token_env").unwrap_or_default(),
                        pull: v.pull("Account"),
                        task_external_id: v.text("task_external_id").unwrap_or_else(|| TASK_EXTERNAL_ID.into()),
                    })
                }
                _ => {
                    sinks.hubspot = Some(HubSpotConfig {
                        url: v.text("url").unwrap_or_else(|| "https://api.hubapi.com".into()),
                        token_env: v.text("token_env").unwrap_or_default(),
                        pull: v.pull("companies"),
                    })
                }
            }
        }
    }

    /// The values of one sink's section, checked; `None` when something required is
    /// missing or wrong (every problem reported).
    fn sink_values(
        &self,
        name: &str,
        section: &str,
        table: &dyn TableLike,
        header: Option<Range<usize>>,
    ) -> Option<Values> {
        let known = keys(name);
        let mut values = Values::default();
        let mut ok = true;
        for (key, item) in table.iter() {
            let span = table.key(key).and_then(|k| k.span());
            let value_span = item.span().or(span.clone());
            let whole = match (&span, &value_span) {
                (Some(k), Some(v)) => Some(k.start..v.end),
                _ => span.clone(),
            };
            let mut problem = |p: SinkProblem, at: Option<Range<usize>>| {
                self.report(self.error(ConfigProblem::Sink(p), at));
                ok = false;
            };
            if let Some(env_key) = secret_key(name, key) {
                let suggested =
                    format!("PLAY_{}_{}", name.to_uppercase(), env_key.trim_end_matches("_env").to_uppercase());
                problem(SinkProblem::Secret { key: key.to_string(), env_key, suggested }, whole);
                continue;
            }
            let Some(&key) = known.iter().find(|k| **k == key) else {
                let suggestion = suggest::closest(key, known.iter().copied());
                problem(
                    SinkProblem::UnknownKey { section: section.to_string(), key: key.to_string(), suggestion },
                    span,
                );
                continue;
            };
            if key == "port" {
                match item.as_integer().and_then(|n| u16::try_from(n).ok()).filter(|n| *n > 0) {
                    Some(port) => values.port = Some(port),
                    None => problem(
                        SinkProblem::BadValue {
                            key,
                            found: item.as_integer().map_or_else(|| kind(item).to_string(), |n| format!("`{n}`")),
                            expected: "a port number from 1 to 65535",
                        },
                        value_span,
                    ),
                }
                continue;
            }
            if key == "objects" || key == "unsynced" {
                match list_of(name, key, item) {
                    Ok(list) => values.lists.push((key, list)),
                    Err(p) => problem(p, value_span),
                }
                continue;
            }
            let Some(text) = item.as_str() else {
                problem(
                    SinkProblem::BadValue { key, found: kind(item).to_string(), expected: "text in quotes" },
                    value_span,
                );
                continue;
            };
            if let Some(p) = check_value(key, text) {
                problem(p, value_span);
                continue;
            }
            values.texts.push((key, text.to_string()));
        }
        for key in known.iter().take(required(name)) {
            if values.text(key).is_none() && !table.contains_key(key) {
                let p = SinkProblem::Missing { section: section.to_string(), key };
                self.report(self.error(ConfigProblem::Sink(p), header.clone()));
                ok = false;
            }
        }
        ok.then_some(values)
    }
}

/// How many of [`keys`] are required.
fn required(name: &str) -> usize {
    match name {
        "smtp" | "webhook" | "salesforce" | "brief" => 2,
        _ => 1,
    }
}

/// What is wrong with a text setting's value, if anything.
fn check_value(key: &'static str, text: &str) -> Option<SinkProblem> {
    let bad = |expected| Some(SinkProblem::BadValue { key, found: format!("`{text}`"), expected });
    if key.ends_with("_env") {
        let valid = text.chars().next().is_some_and(|c| c.is_ascii_uppercase() || c == '_')
            && text.chars().all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_');
        return (!valid).then(|| SinkProblem::NotAVariableName { key, text: text.to_string() });
    }
    match key {
        "url" | "instance_url" | "unsubscribe"
            if !(text.starts_with("https://") || text.starts_with("http://")) || text.len() < 10 =>
        {
            bad("an `https://` address")
        }
        "security" if !["starttls", "tls", "none"].contains(&text) => bad("`starttls`, `tls` or `none`"),
        "from" if !play_compiler::email::is_email(address_of(text)) => {
            bad("an email address, like `Customer Success <cs@example.com>`")
        }
        "pull_every" if seconds(text).is_none() => bad("a time of a minute or more, like `12h`, `30m` or `1d`"),
        "host" if text.is_empty() || text.contains(['/', ' ', ':']) => bad("a host name, like `smtp.example.com`"),
        // A Salesforce field's API name (letters, digits, `_`, starting with a letter), or
        // empty for a plain `POST`.
        "task_external_id"
            if !text.is_empty()
                && !(text.starts_with(|c: char| c.is_ascii_alphabetic())
                    && text.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')) =>
        {
            bad("a Task field's API name, like `Play_Action_Id__c`, or \"\"")
        }
        _ => None,
    }
}

/// `cs@example.com` out of `Customer Success <cs@example.com>`.
fn address_of(text: &str) -> &str {
    match (text.rfind('<'), text.rfind('>')) {
        (Some(a), Some(b)) if a < b => &text[a + 1..b],
        _ => text.trim(),
    }
}

#[derive(Default)]
struct Values {
    texts: Vec<(&'static str, String)>,
    lists: Vec<(&'static str, Vec<String>)>,
    port: Option<u16>,
}

impl Values {
    fn text(&self, key: &str) -> Option<String> {
        self.texts.iter().find(|(k, _)| *k == key).map(|(_, v)| v.clone())
    }

    fn pull(&self, default_object: &str) -> PullConfig {
        let list = |key: &str| self.lists.iter().find(|(k, _)| *k == key).map(|(_, v)| v.clone());
        PullConfig::new(self.text("pull_every").as_deref(), list("objects"), list("unsynced"), default_object)
    }
}

impl SinkProblem {
    pub fn label(&self) -> &'static str {
        match self {
            SinkProblem::UnknownSink { .. } => "not a sink this play knows",
            SinkProblem::UnknownKey { .. } => "not a setting",
            SinkProblem::Missing { .. } => "in this section",
            SinkProblem::Secret { .. } => "a secret in the file",
            SinkProblem::NotAVariableName { .. } => "not an environment variable name",
            SinkProblem::BadValue { .. } => "wrong value",
        }
    }

    pub fn help(&self) -> Option<String> {
        match self {
            SinkProblem::UnknownSink { suggestion: Some(s), group, .. } => Some(format!("did you mean `[{group}.{s}]`?")),
            SinkProblem::UnknownSink { group, .. } => {
                let known: &[&str] = if *group == "sinks" { &SINKS } else { &CRMS };
                Some(format!("the {group} are {}", known.iter().map(|k| format!("`[{group}.{k}]`")).collect::<Vec<_>>().join(", ")))
            }
            SinkProblem::UnknownKey { suggestion: Some(s), .. } => Some(format!("did you mean `{s}`?")),
            SinkProblem::UnknownKey { section, .. } => {
                let name = section.rsplit('.').next().unwrap_or_default();
                Some(format!("the settings in `[{section}]` are {}", keys(name).iter().map(|k| format!("`{k}`")).collect::<Vec<_>>().join(", ")))
            }
            SinkProblem::Missing { key, .. } => Some(format!("add `{key} = …` to the section")),
            SinkProblem::Secret { env_key, suggested, .. } => Some(format!(
                "keep secrets out of `play.toml`: write `{env_key} = \"{suggested}\"` and set that environment variable where the daemon runs"
            )),
            SinkProblem::NotAVariableName { .. } => {
                Some("environment variable names are capital letters, digits and `_`, like `PLAY_SMTP_PASSWORD`".into())
            }
            SinkProblem::BadValue { expected, .. } => Some(format!("write {expected}")),
        }
    }

    /// The replacement text a fix puts in place of the problem's span.
    pub fn fix(&self) -> Option<String> {
        match self {
            SinkProblem::UnknownSink { suggestion: Some(s), .. }
            | SinkProblem::UnknownKey { suggestion: Some(s), .. } => Some((*s).to_string()),
            SinkProblem::Secret { env_key, suggested, .. } => Some(format!("{env_key} = \"{suggested}\"")),
            SinkProblem::NotAVariableName { text, .. } => {
                let upper: String = text
                    .chars()
                    .map(|c| if c.is_ascii_alphanumeric() { c.to_ascii_uppercase() } else { '_' })
                    .collect();
                let upper = if upper.starts_with(|c: char| c.is_ascii_digit()) { format!("_{upper}") } else { upper };
                (!upper.is_empty()).then(|| format!("\"{upper}\""))
            }
            _ => None,
        }
    }
}

impl fmt::Display for SinkProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SinkProblem::UnknownSink { group, name, .. } => write!(f, "unknown section `[{group}.{name}]`"),
            SinkProblem::UnknownKey { section, key, .. } => write!(f, "unknown setting `{key}` in `[{section}]`"),
            SinkProblem::Missing { section, key } => write!(f, "`[{section}]` needs `{key}`"),
            SinkProblem::Secret { key, .. } => write!(f, "`{key}` would put a secret in `play.toml`"),
            SinkProblem::NotAVariableName { key, text } => {
                write!(f, "`{key}` names the environment variable holding a secret, and `{text}` is not one")
            }
            SinkProblem::BadValue { key, found, .. } => write!(f, "`{key}` cannot be {found}"),
        }
    }
}

#[cfg(test)]
#[path = "sinks_tests.rs"]
mod tests;
