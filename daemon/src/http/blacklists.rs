//! Email-sync settings in the API: `GET/PUT /v1/blacklists/company` (the company's switch,
//! the attachments setting and blacklist; only the workspace owner may change them) and
//! `GET/PUT /v1/blacklists/me` (the asking teammate's inbound and outbound switches and
//! blacklist). Kept in the store as JSON by scope; a PUT replaces the whole settings, its
//! entries trimmed and in lower case, and refuses an entry that is not what its list holds,
//! naming the field.

use axum::body::Bytes;
use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use play_delivery::blacklist::{BadEntry, Blacklist, CompanySync, TeammateSync};
use serde::de::DeserializeOwned;
use serde::Serialize;
use serde_json::Value;

use super::deliveries::{outbox, write};
use super::{ApiError, App, Teammate};

pub(crate) const COMPANY: &str = "company";

/// The store's scope of a teammate's own settings.
pub(crate) fn scope_of(who: &str) -> String {
    format!("user:{who}")
}

/// The saved settings of a scope, or the defaults.
pub(crate) async fn saved<T: DeserializeOwned + Default + Send + 'static>(
    app: &App,
    scope: String,
) -> Result<T, ApiError> {
    let text = app.read(move |s| outbox(s)?.sync_setting(&scope)).await?;
    match text {
        None => Ok(T::default()),
        Some(text) => serde_json::from_str(&text).map_err(|e| {
            ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, format!("the saved email-sync settings do not read: {e}"))
        }),
    }
}

/// The body as settings, its blacklist cleaned; a refusal names what is wrong.
fn read_body<T: DeserializeOwned>(
    body: &[u8],
    blacklist: impl FnOnce(&mut T) -> &mut Blacklist,
) -> Result<T, ApiError> {
    let refused =
        |why: String| ApiError::new(StatusCode::BAD_REQUEST, format!("the body is not email-sync settings: {why}"));
    let object = match serde_json::from_slice::<Value>(body) {
        Ok(v @ Value::Object(_)) => v,
        Ok(_) => return Err(refused("it is not a JSON object".into())),
        Err(e) => return Err(refused(e.to_string())),
    };
    let mut settings: T = serde_json::from_value(object).map_err(|e| refused(e.to_string()))?;
    let list = blacklist(&mut settings);
    *list = list.cleaned().map_err(|BadEntry { field, message }| {
        let mut e = ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, message);
        e.field = Some(field);
        e
    })?;
    Ok(settings)
}

pub(crate) async fn save<T: Serialize>(app: &App, scope: String, settings: &T) -> Result<(), ApiError> {
    let json = serde_json::to_string(settings).unwrap_or_default();
    let now = crate::clock::wall();
    write(app, "saving the email-sync settings", move |o| o.set_sync_setting(&scope, &json, now)).await
}

/// Why `who` may not change the company's settings (only the workspace owner may), or none.
pub(crate) fn not_owner(app: &App, who: &str) -> Option<String> {
    let owner = app.status().workspace_owner;
    if owner.as_deref() == Some(who) {
        return None;
    }
    Some(match owner {
        Some(owner) => format!("only the workspace owner ({owner}) may change the company's email sync and blacklist"),
        None => "only the workspace owner may change the company's email sync and blacklist, and none is set: \
                 set `owner` in play.toml or start `play run --owner`"
            .to_string(),
    })
}

pub async fn company(State(app): State<App>, Teammate(_who): Teammate) -> Result<Json<Value>, ApiError> {
    let settings: CompanySync = saved(&app, COMPANY.into()).await?;
    Ok(Json(serde_json::to_value(settings).unwrap_or_default()))
}

pub async fn put_company(
    State(app): State<App>,
    Teammate(who): Teammate,
    body: Bytes,
) -> Result<Json<Value>, ApiError> {
    if let Some(message) = not_owner(&app, &who) {
        return Err(ApiError::new(StatusCode::FORBIDDEN, message));
    }
    let settings: CompanySync = read_body(&body, |s: &mut CompanySync| &mut s.blacklist)?;
    save(&app, COMPANY.into(), &settings).await?;
    Ok(Json(serde_json::to_value(settings).unwrap_or_default()))
}

pub async fn mine(State(app): State<App>, Teammate(who): Teammate) -> Result<Json<Value>, ApiError> {
    let settings: TeammateSync = saved(&app, scope_of(&who)).await?;
    Ok(Json(serde_json::to_value(settings).unwrap_or_default()))
}

pub async fn put_mine(State(app): State<App>, Teammate(who): Teammate, body: Bytes) -> Result<Json<Value>, ApiError> {
    let settings: TeammateSync = read_body(&body, |s: &mut TeammateSync| &mut s.blacklist)?;
    save(&app, scope_of(&who), &settings).await?;
    Ok(Json(serde_json::to_value(settings).unwrap_or_default()))
}

#[cfg(test)]
#[path = "blacklists_tests.rs"]
mod tests;
