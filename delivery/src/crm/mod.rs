//! Writing back to the CRM: field updates and owner changes (`update`, `assign`), and
//! activities logged for completed work, and emails logged to their record with their
//! attachments (`email_log.rs`), through each CRM's documented REST API.
//! Pulling goes the other way: records changed in the CRM, read page by page (`pull.rs`)
//! and turned into change lines (`mapping.rs`); deletions and HubSpot owners (`removed.rs`).

pub mod activity;
pub mod email_log;
pub mod hubspot;
pub mod mapping;
pub mod pull;
pub mod removed;
pub mod salesforce;
