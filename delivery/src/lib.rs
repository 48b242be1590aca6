//! Delivery: how actions leave Play. Each sink (SMTP email, Slack incoming webhooks,
//! signed generic webhooks, Salesforce and HubSpot write-back and activity sync) makes
//! one attempt and says what became of it as an [`Outcome`]; [`retry`] decides when the
//! next attempt is due, for up to 30 days. The outbox worker (reading the daemon's outbox
//! rows, never the engine) drives them. [`blacklist`] decides which emails are logged to
//! the CRM.

pub mod blacklist;
pub mod brief;
pub mod crm;
pub mod http;
pub mod outcome;
pub mod retry;
pub mod slack;
pub mod smtp;
pub mod webhook;

pub use outcome::Outcome;
