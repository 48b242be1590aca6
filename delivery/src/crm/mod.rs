//! Writing back to the CRM: field updates and owner changes (`update`, `assign`), and
//! activities logged for completed work, through each CRM's documented REST API.

pub mod activity;
pub mod hubspot;
pub mod salesforce;
