//! A database of its own for a test or benchmark run, dropped at the end: on the server
//! `PLAY_TEST_POSTGRES` names (`postgres://postgres@127.0.0.1:5432/postgres` by default).

use postgres::{Client, NoTls};

use super::{backend, describe};
use crate::{Result, StoreError};

/// The server tests use unless `PLAY_TEST_POSTGRES` says another.
pub const DEFAULT_TEST_SERVER: &str = "postgres://postgres@127.0.0.1:5432/postgres";

/// A scratch database, dropped (with whatever is connected to it) when this is dropped.
pub struct ScratchDatabase {
    admin: String,
    name: String,
    url: String,
}

impl ScratchDatabase {
    /// Creates `play_<label>_<pid>_<n>` on the test server.
    pub fn create(label: &str) -> Result<ScratchDatabase> {
        let admin = std::env::var("PLAY_TEST_POSTGRES").unwrap_or_else(|_| DEFAULT_TEST_SERVER.to_string());
        let nanos = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.subsec_nanos());
        let name = format!("play_{label}_{}_{nanos}", std::process::id());
        let mut client = admin_client(&admin)?;
        client.batch_execute(&format!("CREATE DATABASE {name}")).map_err(backend)?;
        let config: postgres::Config = admin.parse().map_err(|e: postgres::Error| StoreError::Backend(describe(&e)))?;
        let url = url_of(&config, &name);
        Ok(ScratchDatabase { admin, name, url })
    }

    /// The URL of the scratch database.
    pub fn url(&self) -> &str {
        &self.url
    }
}

fn admin_client(admin: &str) -> Result<Client> {
    postgres::Client::connect(admin, NoTls).map_err(|e| StoreError::Open {
        place: super::redact(admin),
        message: format!("{} (is PostgreSQL running? PLAY_TEST_POSTGRES names the server)", describe(&e)),
    })
}

/// The admin URL with another database.
fn url_of(config: &postgres::Config, database: &str) -> String {
    let host = config
        .get_hosts()
        .first()
        .map(|h| match h {
            postgres::config::Host::Tcp(name) => name.clone(),
            #[cfg(unix)]
            postgres::config::Host::Unix(path) => path.display().to_string().replace('/', "%2F"),
        })
        .unwrap_or_else(|| "127.0.0.1".into());
    let port = config.get_ports().first().copied().unwrap_or(5432);
    let user = config.get_user().unwrap_or("postgres");
    let password = config.get_password().map(|p| format!(":{}", String::from_utf8_lossy(p))).unwrap_or_default();
    format!("postgres://{user}{password}@{host}:{port}/{database}")
}

impl Drop for ScratchDatabase {
    fn drop(&mut self) {
        if let Ok(mut client) = admin_client(&self.admin) {
            let _ = client.batch_execute(&format!("DROP DATABASE IF EXISTS {} WITH (FORCE)", self.name));
        }
    }
}
