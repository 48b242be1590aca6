//! [`crate::Store`] on SQLite: one file, WAL, `synchronous=NORMAL` (a commit survives a
//! crash of the process; a power cut may lose the last commits, never corrupt the file).
//! All of this store's SQL is in this module and `query.rs`.

mod outbox;
mod query;
mod schema;

use std::path::{Path, PathBuf};

use rusqlite::{params, Connection, OptionalExtension, Transaction};

use crate::{
    ActionQuery, ActionRow, Batch, Command, Counters, HistoryQuery, HistoryRow, Page, Position, Result, RunRow, Store,
    StoreError,
};

pub struct SqliteStore {
    conn: Connection,
    place: PathBuf,
}

fn backend(e: rusqlite::Error) -> StoreError {
    StoreError::Backend(e.to_string())
}

impl SqliteStore {
    /// Opens (creating, and migrating to this version's schema) the database at `path`.
    pub fn open(path: &Path) -> Result<SqliteStore> {
        let open_error = |message: String| StoreError::Open { place: path.display().to_string(), message };
        if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
            std::fs::create_dir_all(parent).map_err(|e| open_error(e.to_string()))?;
        }
        let conn = Connection::open(path).map_err(|e| open_error(e.to_string()))?;
        let mut store = SqliteStore { conn, place: path.to_path_buf() };
        store.configure().map_err(|e| open_error(e.to_string()))?;
        store.migrate()?;
        Ok(store)
    }

    fn configure(&self) -> rusqlite::Result<()> {
        self.conn.busy_timeout(std::time::Duration::from_secs(10))?;
        self.conn.pragma_update(None, "journal_mode", "WAL")?;
        self.conn.pragma_update(None, "synchronous", "NORMAL")?;
        self.conn.pragma_update(None, "foreign_keys", "ON")?;
        Ok(())
    }

    fn migrate(&mut self) -> Result<()> {
        let known = schema::MIGRATIONS.len() as i64;
        let found = self.schema_version()?;
        if found > known {
            return Err(StoreError::TooNew { place: self.place.display().to_string(), found, known });
        }
        for (n, sql) in schema::MIGRATIONS.iter().enumerate().skip(found as usize) {
            let tx = self.conn.transaction().map_err(backend)?;
            tx.execute_batch(sql).map_err(backend)?;
            tx.pragma_update(None, "user_version", n as i64 + 1).map_err(backend)?;
            tx.commit().map_err(backend)?;
        }
        Ok(())
    }

    fn write(tx: &Transaction, batch: &Batch) -> rusqlite::Result<Position> {
        let mut last: i64 = tx.query_row("SELECT coalesce(max(position), 0) FROM journal", [], |r| r.get(0))?;
        {
            // A change line is kept as it came, not escaped into another JSON document.
            let mut append =
                tx.prepare_cached("INSERT INTO journal (position, kind, text, at) VALUES (?1, ?2, ?3, ?4)")?;
            for command in &batch.commands {
                last += 1;
                let (kind, text, at) = command.encode();
                append.execute(params![last, kind, text, at])?;
            }
        }
        {
            let mut ids = tx.prepare_cached("INSERT OR IGNORE INTO change_ids (id) VALUES (?1)")?;
            for id in &batch.change_ids {
                ids.execute([id])?;
            }
        }
        query::write_projections(tx, batch)?;
        Ok(last as Position)
    }
}

impl Store for SqliteStore {
    fn append(&mut self, batch: &Batch) -> Result<Position> {
        let tx = self.conn.transaction().map_err(backend)?;
        let position = Self::write(&tx, batch).map_err(backend)?;
        tx.commit().map_err(backend)?;
        Ok(position)
    }

    fn read_journal(&self, after: Position, limit: usize) -> Result<Vec<(Position, Command)>> {
        let mut stmt = self
            .conn
            .prepare_cached(
                "SELECT position, kind, text, at FROM journal WHERE position > ?1 ORDER BY position LIMIT ?2",
            )
            .map_err(backend)?;
        let rows = stmt
            .query_map(params![after as i64, limit as i64], |r| {
                Ok((r.get::<_, i64>(0)?, r.get::<_, String>(1)?, r.get::<_, Option<String>>(2)?, r.get(3)?))
            })
            .map_err(backend)?;
        let mut out = Vec::new();
        for row in rows {
            let (position, kind, text, at): (i64, String, Option<String>, Option<i64>) = row.map_err(backend)?;
            let Some(command) = Command::decode(&kind, text, at) else {
                return Err(StoreError::Corrupt(format!("journal entry {position} is not a command")));
            };
            out.push((position as Position, command));
        }
        Ok(out)
    }

    fn journal_position(&self) -> Result<Position> {
        let p: i64 =
            self.conn.query_row("SELECT coalesce(max(position), 0) FROM journal", [], |r| r.get(0)).map_err(backend)?;
        Ok(p as Position)
    }

    fn put_snapshot(&mut self, at: Position, bytes: &[u8]) -> Result<()> {
        let tx = self.conn.transaction().map_err(backend)?;
        tx.execute("INSERT OR REPLACE INTO snapshots (position, bytes) VALUES (?1, ?2)", params![at as i64, bytes])
            .map_err(backend)?;
        // Only the latest is ever read.
        tx.execute("DELETE FROM snapshots WHERE position < ?1", [at as i64]).map_err(backend)?;
        tx.commit().map_err(backend)
    }

    fn latest_snapshot(&self) -> Result<Option<(Position, Vec<u8>)>> {
        self.conn
            .query_row("SELECT position, bytes FROM snapshots ORDER BY position DESC LIMIT 1", [], |r| {
                Ok((r.get::<_, i64>(0)? as Position, r.get(1)?))
            })
            .optional()
            .map_err(backend)
    }

    fn put_program(&mut self, hash: &str, bytes: &[u8]) -> Result<()> {
        self.conn
            .execute("INSERT OR IGNORE INTO programs (hash, bytes) VALUES (?1, ?2)", params![hash, bytes])
            .map(drop)
            .map_err(backend)
    }

    fn program(&self, hash: &str) -> Result<Option<Vec<u8>>> {
        self.conn
            .query_row("SELECT bytes FROM programs WHERE hash = ?1", [hash], |r| r.get(0))
            .optional()
            .map_err(backend)
    }

    fn actions(&self, query: &ActionQuery) -> Result<Page> {
        query::actions(&self.conn, query).map_err(backend)
    }

    fn action(&self, id: &str) -> Result<Option<ActionRow>> {
        query::action(&self.conn, id).map_err(backend)
    }

    fn open_action(&self, playbook: &str, name: &str, record: &str) -> Result<Option<ActionRow>> {
        query::open_action(&self.conn, playbook, name, record).map_err(backend)
    }

    fn history(&self, query: &HistoryQuery) -> Result<Vec<HistoryRow>> {
        query::history(&self.conn, query).map_err(backend)
    }

    fn runs(&self, record: Option<&str>, limit: usize) -> Result<Vec<RunRow>> {
        query::runs(&self.conn, record, limit).map_err(backend)
    }

    fn field_values(&self, record: &str, field: &str, limit: usize) -> Result<Vec<(i64, f64)>> {
        query::field_values(&self.conn, record, field, limit).map_err(backend)
    }

    fn add_token(&mut self, email: &str, token_sha256: &str) -> Result<()> {
        self.conn
            .execute("INSERT OR REPLACE INTO tokens (sha256, email) VALUES (?1, ?2)", params![token_sha256, email])
            .map(drop)
            .map_err(backend)
    }

    fn token_owner(&self, token_sha256: &str) -> Result<Option<String>> {
        self.conn
            .query_row("SELECT email FROM tokens WHERE sha256 = ?1", [token_sha256], |r| r.get(0))
            .optional()
            .map_err(backend)
    }

    fn change_id_taken(&self, change_id: &str) -> Result<bool> {
        self.conn
            .query_row("SELECT 1 FROM change_ids WHERE id = ?1", [change_id], |_| Ok(()))
            .optional()
            .map(|o| o.is_some())
            .map_err(backend)
    }

    fn counters(&self) -> Result<Counters> {
        query::counters(&self.conn).map_err(backend)
    }

    fn schema_version(&self) -> Result<i64> {
        self.conn.query_row("PRAGMA user_version", [], |r| r.get(0)).map_err(backend)
    }

    fn as_outbox(&self) -> Option<&dyn crate::Outbox> {
        Some(self)
    }

    fn as_outbox_mut(&mut self) -> Option<&mut dyn crate::Outbox> {
        Some(self)
    }
}
