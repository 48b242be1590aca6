//! The blacklists applied to emails Play logs to the CRM: before a `log_activity` row of
//! an email (an approved email task) is sent, the company's settings and those of the
//! teammate who sent it are read from the store, and an email they keep out is skipped,
//! the reason in the sync log.

use play_delivery::blacklist::{skip_reason, CompanySync, Direction, EmailParts, TeammateSync};
use play_store::Outbox;
use serde::de::DeserializeOwned;
use serde_json::Value;

/// Settings saved under `scope`, or their defaults.
fn settings<T: DeserializeOwned + Default>(outbox: &dyn Outbox, scope: &str) -> Result<T, String> {
    match outbox.sync_setting(scope).map_err(|e| e.to_string())? {
        Some(text) => serde_json::from_str(&text).map_err(|e| format!("the email-sync settings `{scope}`: {e}")),
        None => Ok(T::default()),
    }
}

/// Why the email of a `log_activity` row is not logged, if a switch or a blacklist says so.
pub fn blacklisted(outbox: &dyn Outbox, action: &Value) -> Result<Option<String>, String> {
    let text = |key: &str| action[key].as_str().unwrap_or_default();
    let company: CompanySync = settings(outbox, "company")?;
    let by = action["by"].as_str();
    let own: Option<TeammateSync> = by.map(|who| settings(outbox, &format!("user:{who}"))).transpose()?;
    let to: Vec<String> = action["to"].as_str().map(String::from).into_iter().collect();
    let email =
        EmailParts { from: by.unwrap_or_default(), to: &to, cc: &[], subject: text("subject"), body: text("body") };
    let teammate = by.zip(own.as_ref());
    Ok(skip_reason(&company, teammate, Direction::Outbound, &email))
}
