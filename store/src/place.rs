//! Where a store is, as `--store` says it: `sqlite:PATH` (or a plain path) or
//! `postgres://…` (also `postgresql://…`), and opening it.

use std::path::{Path, PathBuf};

use crate::{PostgresStore, Result, SqliteStore, Store};

/// A store's place.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Place {
    Sqlite(PathBuf),
    /// A PostgreSQL URL, password and all (shown by [`Place::describe`] without it).
    Postgres(String),
}

impl Place {
    /// Reads a `--store` value: `sqlite:PATH`, `sqlite://PATH`, `postgres://…`,
    /// `postgresql://…`, or a plain path to a SQLite file.
    pub fn parse(url: &str) -> std::result::Result<Place, String> {
        if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            return match url.parse::<postgres::Config>() {
                Ok(_) => Ok(Place::Postgres(url.to_string())),
                Err(e) => Err(format!("`{}` is not a PostgreSQL URL: {e}", crate::postgres::redact(url))),
            };
        }
        let path = url.strip_prefix("sqlite://").or_else(|| url.strip_prefix("sqlite:")).unwrap_or(url);
        if path.is_empty() {
            return Err(format!("`{url}` names no file: write it as sqlite:PATH"));
        }
        Ok(Place::Sqlite(PathBuf::from(path)))
    }

    /// Opens a handle on the store (creating and migrating it if needed).
    pub fn open(&self) -> Result<Box<dyn Store>> {
        Ok(match self {
            Place::Sqlite(path) => Box::new(SqliteStore::open(path)?),
            Place::Postgres(url) => Box::new(PostgresStore::open(url)?),
        })
    }

    /// The place in words, without a password.
    pub fn describe(&self) -> String {
        match self {
            Place::Sqlite(path) => format!("sqlite:{}", path.display()),
            Place::Postgres(url) => crate::postgres::redact(url),
        }
    }

    /// The SQLite file, if that is what it is.
    pub fn sqlite_path(&self) -> Option<&Path> {
        match self {
            Place::Sqlite(path) => Some(path),
            Place::Postgres(_) => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn store_urls_read_as_places() {
        assert_eq!(Place::parse("sqlite:/var/play.db").unwrap(), Place::Sqlite("/var/play.db".into()));
        assert_eq!(Place::parse("sqlite:///var/play.db").unwrap(), Place::Sqlite("/var/play.db".into()));
        assert_eq!(Place::parse("state.db").unwrap(), Place::Sqlite("state.db".into()));
        let pg = Place::parse("postgres://play:secret@db:5432/play").unwrap();
        assert_eq!(pg, Place::Postgres("postgres://play:secret@db:5432/play".into()));
        assert_eq!(pg.describe(), "postgres://play:***@db:5432/play", "no password in words");
        assert!(Place::parse("postgresql://db/play").is_ok());
        assert!(Place::parse("sqlite:").is_err());
        assert!(Place::parse("postgres://db:notaport/play").unwrap_err().contains("not a PostgreSQL URL"));
    }
}
