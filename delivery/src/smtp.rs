//! Email by SMTP (lettre): automatic emails, approved email tasks and email notifications.
//! The action's id is the message's `Message-ID`, so a receiving system can tell a
//! repeated attempt; automatic emails carry `List-Unsubscribe` (one-click) and
//! `Auto-Submitted`. Plain text always, an HTML part when the action has one.

use std::time::Duration;

use lettre::message::header::{ContentType, HeaderName, HeaderValue};
use lettre::message::{Mailbox, MultiPart, SinglePart};
use lettre::transport::smtp::authentication::Credentials;
use lettre::transport::smtp::client::{Tls, TlsParameters};
use lettre::{Message, SmtpTransport, Transport};
use play_compiler::program::ActionKind;
use play_runtime::engine::Action;

use crate::Outcome;

/// How the connection is secured.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Security {
    /// Plain text (a local relay, tests).
    None,
    /// `STARTTLS` after connecting (port 587).
    StartTls,
    /// TLS from the start (port 465).
    Tls,
}

/// `[sinks.smtp]` in `play.toml`, the password read from the environment variable it
/// names.
#[derive(Clone, Debug)]
pub struct SmtpSettings {
    pub host: String,
    pub port: u16,
    pub security: Security,
    pub username: Option<String>,
    pub password: Option<String>,
    /// The sender: `Play <cs@example.com>`.
    pub from: String,
    /// Where unsubscribing starts: a URL (`https://…/unsubscribe`) the recipient's address
    /// and the action's id are added to, for automatic emails.
    pub unsubscribe: Option<String>,
}

/// One email to send.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Email {
    /// The action's id: the `Message-ID`'s local part.
    pub id: String,
    pub to: String,
    pub subject: String,
    pub text: String,
    pub html: Option<String>,
    /// Sent by a playbook without a person approving it (`email`, not an email task).
    pub automatic: bool,
    /// The teammate who approved it (an email task): the message is from them when their
    /// address is in the sender's domain, else from the sender with `Reply-To` them.
    pub approved_by: Option<String>,
}

impl Email {
    /// The email an action sends, or why it has none.
    pub fn from_action(a: &Action) -> Result<Email, String> {
        let automatic = match a.action {
            ActionKind::Email => true,
            ActionKind::EmailTask | ActionKind::NotifyEmail => false,
            other => return Err(format!("a {} action sends no email", other.name())),
        };
        let to = a.to.as_deref().ok_or("the action has no recipient")?.to_string();
        let subject = a.subject.as_deref().or(a.title.as_deref()).unwrap_or(&a.playbook).to_string();
        let text = a.body.as_deref().or(a.message.as_deref()).unwrap_or_default().to_string();
        let html = a.html.as_deref().map(String::from);
        Ok(Email { id: a.id.clone(), to, subject, text, html, automatic, approved_by: None })
    }
}

/// The SMTP sink: one connection setting, reused for each message.
pub struct SmtpSink {
    transport: SmtpTransport,
    from: Mailbox,
    unsubscribe: Option<String>,
}

impl SmtpSink {
    pub fn new(s: &SmtpSettings) -> Result<SmtpSink, String> {
        let from: Mailbox = s.from.parse().map_err(|e| format!("the sender `{}` is not an address: {e}", s.from))?;
        let tls = || TlsParameters::new(s.host.clone()).map_err(|e| format!("TLS for `{}`: {e}", s.host));
        let tls = match s.security {
            Security::None => Tls::None,
            Security::StartTls => Tls::Required(tls()?),
            Security::Tls => Tls::Wrapper(tls()?),
        };
        let mut builder =
            SmtpTransport::builder_dangerous(&s.host).port(s.port).tls(tls).timeout(Some(Duration::from_secs(30)));
        if let (Some(user), Some(password)) = (&s.username, &s.password) {
            builder = builder.credentials(Credentials::new(user.clone(), password.clone()));
        }
        Ok(SmtpSink { transport: builder.build(), from, unsubscribe: s.unsubscribe.clone() })
    }

    /// The sender (`Customer Success <cs@example.com>`), as an email logged to the CRM
    /// names it.
    pub fn sender(&self) -> String {
        self.from.to_string()
    }

    /// The `Message-ID` an email with this action id is sent with.
    pub fn message_id(&self, id: &str) -> String {
        format!("<{id}@{}>", self.from.email.domain())
    }

    /// The message as it is sent.
    pub fn message(&self, email: &Email) -> Result<Message, String> {
        let to: Mailbox = email.to.parse().map_err(|e| format!("`{}` is not an address: {e}", email.to))?;
        let domain = self.from.email.domain().to_string();
        let mut b = Message::builder().from(self.from.clone());
        if let Some(by) = &email.approved_by {
            let teammate: Mailbox = by.parse().map_err(|e| format!("the approver `{by}` is not an address: {e}"))?;
            // The relay sends for the sender's domain only: a teammate of another domain
            // is answered (`Reply-To`) rather than impersonated.
            b = if teammate.email.domain().eq_ignore_ascii_case(&domain) {
                Message::builder().from(teammate)
            } else {
                b.reply_to(teammate)
            };
        }
        let mut b = b.to(to).subject(email.subject.clone()).message_id(Some(format!("<{}@{domain}>", email.id)));
        if email.automatic {
            b = b.raw_header(header("Auto-Submitted", "auto-generated".into()));
            if let Some(base) = &self.unsubscribe {
                let sep = if base.contains('?') { '&' } else { '?' };
                let url = format!("{base}{sep}email={}&action={}", encode(&email.to), encode(&email.id));
                b = b.raw_header(header("List-Unsubscribe", format!("<{url}>")));
                b = b.raw_header(header("List-Unsubscribe-Post", "List-Unsubscribe=One-Click".into()));
            }
        }
        let text = SinglePart::builder().header(ContentType::TEXT_PLAIN).body(email.text.clone());
        let built = match &email.html {
            Some(html) => b.multipart(
                MultiPart::alternative()
                    .singlepart(text)
                    .singlepart(SinglePart::builder().header(ContentType::TEXT_HTML).body(html.clone())),
            ),
            None => b.singlepart(text),
        };
        built.map_err(|e| format!("the email cannot be built: {e}"))
    }

    /// One attempt.
    pub fn send(&self, email: &Email) -> Outcome {
        let message = match self.message(email) {
            Ok(m) => m,
            Err(message) => return Outcome::Failed { code: "address".into(), message },
        };
        match self.transport.send(&message) {
            Ok(r) => Outcome::Delivered { code: r.code().to_string() },
            Err(e) => classify(&e),
        }
    }
}

fn header(name: &'static str, value: String) -> HeaderValue {
    HeaderValue::new(HeaderName::new_from_ascii_str(name), value)
}

/// An SMTP failure read as an outcome: a refused login pauses the sink, a refused
/// address fails the delivery, and a busy server or a network error is tried again.
fn classify(e: &lettre::transport::smtp::Error) -> Outcome {
    let code = e.status().map_or_else(|| "network".to_string(), |c| c.to_string());
    let message = crate::http::clip(&e.to_string());
    if e.is_permanent() {
        if code == "530" || code == "535" || code == "534" {
            return Outcome::Paused { code, message };
        }
        return Outcome::Failed { code, message };
    }
    if e.is_client() {
        return Outcome::Failed { code: "client".into(), message };
    }
    Outcome::Retry { code, message, after: None }
}

/// Percent-encoding for a URL's query value.
fn encode(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for b in value.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => out.push(b as char),
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}
