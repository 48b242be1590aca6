//! Copying a whole store from one place to another (`play migrate`): SQLite to
//! PostgreSQL and back, delivery's state included (the outbox in the order its rows were
//! written: SQLite's `rowid` is PostgreSQL's `seq`). Table by table in the order of their
//! keys, in chunks, each chunk one transaction on the target; the target must be empty.
//! Leases are not copied (they belong to the workers of one database). Afterwards both
//! stores' counters must agree.

use postgres::types::ToSql;
use rusqlite::types::Value;

use crate::postgres::{backend, connect};
use crate::{Place, Result, StoreError};

#[derive(Clone, Copy, PartialEq)]
enum Ty {
    Int,
    /// A 32-bit integer in PostgreSQL.
    Int4,
    Real,
    Text,
    Blob,
    Bool,
}

use Ty::*;

/// Every table of the schema, its key first, with its columns' types.
const TABLES: &[(&str, &[(&str, Ty)])] = &[
    ("journal", &[("position", Int), ("kind", Text), ("text", Text), ("at", Int)]),
    ("snapshots", &[("position", Int), ("bytes", Blob)]),
    ("programs", &[("hash", Text), ("bytes", Blob)]),
    ("change_ids", &[("id", Text)]),
    (
        "actions",
        &[
            ("id", Text),
            ("at", Int),
            ("seq", Int),
            ("playbook", Text),
            ("step", Text),
            ("record", Text),
            ("kind", Text),
            ("category", Text),
            ("assignee", Text),
            ("priority", Real),
            ("state", Text),
            ("public", Bool),
            ("owner", Text),
            ("snoozed_until", Int),
            ("worked_by", Text),
            ("worked_at", Int),
            ("json", Text),
        ],
    ),
    (
        "outbox",
        &[
            // SQLite's `rowid`: the order rows were written in, which delivery keeps.
            ("seq", Int),
            ("action_id", Text),
            ("kind", Text),
            ("at", Int),
            ("json", Text),
            ("attempts", Int4),
            ("delivered_at", Int),
            ("state", Text),
            ("next_at", Int),
            ("since", Int),
            ("last_code", Text),
            ("last_message", Text),
            ("sink", Text),
        ],
    ),
    ("history", &[("n", Int), ("at", Int), ("playbook", Text), ("record", Text), ("run", Int), ("json", Text)]),
    (
        "runs",
        &[
            ("run", Int),
            ("playbook", Text),
            ("record", Text),
            ("started", Int),
            ("updated", Int),
            ("step", Text),
            ("state", Text),
        ],
    ),
    ("tokens", &[("sha256", Text), ("email", Text)]),
    (
        "attempts",
        &[
            ("n", Int),
            ("action_id", Text),
            ("at", Int),
            ("sink", Text),
            ("record", Text),
            ("teammate", Text),
            ("attempt", Int4),
            ("outcome", Text),
            ("code", Text),
            ("message", Text),
            ("next_at", Int),
        ],
    ),
    ("opt_outs", &[("who", Text), ("reason", Text), ("at", Int)]),
    ("marks", &[("name", Text), ("value", Int)]),
    ("sync_settings", &[("scope", Text), ("json", Text), ("at", Int)]),
    ("field_values", &[("n", Int), ("record", Text), ("field", Text), ("at", Int), ("value", Real)]),
];

const CHUNK: usize = 2_000;

/// One value of a row, whatever the database.
#[derive(Clone, Debug, PartialEq)]
enum Cell {
    Null,
    Int(i64),
    Real(f64),
    Text(String),
    Blob(Vec<u8>),
}

/// What was copied: (table, rows).
pub type Copied = Vec<(String, u64)>;

/// A store opened for copying.
enum Side {
    Sqlite(rusqlite::Connection),
    Postgres(postgres::Client),
}

fn sqlite_error(e: rusqlite::Error) -> StoreError {
    StoreError::Backend(e.to_string())
}

impl Side {
    /// The columns' names on this side: the outbox's `seq` is SQLite's `rowid`.
    fn names(&self, table: &str, columns: &[(&'static str, Ty)]) -> Vec<&'static str> {
        let sqlite = matches!(self, Side::Sqlite(_));
        columns
            .iter()
            .map(|&(name, _)| if sqlite && table == "outbox" && name == "seq" { "rowid" } else { name })
            .collect()
    }

    fn open(place: &Place) -> Result<Side> {
        // Opening through the store creates and migrates the schema.
        Ok(match place {
            Place::Sqlite(path) => {
                drop(crate::SqliteStore::open(path)?);
                Side::Sqlite(rusqlite::Connection::open(path).map_err(sqlite_error)?)
            }
            Place::Postgres(url) => Side::Postgres(connect(url, None)?),
        })
    }

    fn count(&mut self, table: &str) -> Result<u64> {
        let sql = format!("SELECT count(*) FROM {table}");
        Ok(match self {
            Side::Sqlite(c) => c.query_row(&sql, [], |r| r.get::<_, i64>(0)).map_err(sqlite_error)? as u64,
            Side::Postgres(c) => c.query_one(&sql, &[]).map_err(backend)?.get::<_, i64>(0) as u64,
        })
    }

    /// Rows `offset..offset + CHUNK` in key order.
    fn read(&mut self, table: &str, columns: &[(&'static str, Ty)], offset: usize) -> Result<Vec<Vec<Cell>>> {
        let names = self.names(table, columns);
        let sql =
            format!("SELECT {} FROM {table} ORDER BY {} LIMIT {CHUNK} OFFSET {offset}", names.join(", "), names[0]);
        match self {
            Side::Sqlite(c) => {
                let mut stmt = c.prepare(&sql).map_err(sqlite_error)?;
                let rows = stmt
                    .query_map([], |r| {
                        (0..columns.len())
                            .map(|i| {
                                Ok(match r.get::<_, Value>(i)? {
                                    Value::Null => Cell::Null,
                                    Value::Integer(n) => Cell::Int(n),
                                    Value::Real(x) => Cell::Real(x),
                                    Value::Text(t) => Cell::Text(t),
                                    Value::Blob(b) => Cell::Blob(b),
                                })
                            })
                            .collect::<rusqlite::Result<Vec<Cell>>>()
                    })
                    .map_err(sqlite_error)?;
                rows.collect::<rusqlite::Result<Vec<_>>>().map_err(sqlite_error)
            }
            Side::Postgres(c) => {
                let rows = c.query(&sql, &[]).map_err(backend)?;
                Ok(rows
                    .iter()
                    .map(|r| {
                        columns
                            .iter()
                            .enumerate()
                            .map(|(i, (_, ty))| {
                                let cell = match ty {
                                    Int => r.get::<_, Option<i64>>(i).map(Cell::Int),
                                    Int4 => r.get::<_, Option<i32>>(i).map(|n| Cell::Int(n.into())),
                                    Real => r.get::<_, Option<f64>>(i).map(Cell::Real),
                                    Text => r.get::<_, Option<String>>(i).map(Cell::Text),
                                    Blob => r.get::<_, Option<Vec<u8>>>(i).map(Cell::Blob),
                                    Bool => r.get::<_, Option<bool>>(i).map(|b| Cell::Int(b.into())),
                                };
                                cell.unwrap_or(Cell::Null)
                            })
                            .collect()
                    })
                    .collect())
            }
        }
    }

    fn write(&mut self, table: &str, columns: &[(&'static str, Ty)], rows: &[Vec<Cell>]) -> Result<()> {
        let names = self.names(table, columns);
        match self {
            Side::Sqlite(c) => {
                let marks: Vec<String> = (1..=columns.len()).map(|i| format!("?{i}")).collect();
                let sql = format!("INSERT INTO {table} ({}) VALUES ({})", names.join(", "), marks.join(", "));
                let tx = c.transaction().map_err(sqlite_error)?;
                {
                    let mut stmt = tx.prepare(&sql).map_err(sqlite_error)?;
                    for row in rows {
                        let values = row.iter().map(|cell| match cell {
                            Cell::Null => Value::Null,
                            Cell::Int(n) => Value::Integer(*n),
                            Cell::Real(x) => Value::Real(*x),
                            Cell::Text(t) => Value::Text(t.clone()),
                            Cell::Blob(b) => Value::Blob(b.clone()),
                        });
                        stmt.execute(rusqlite::params_from_iter(values)).map_err(sqlite_error)?;
                    }
                }
                tx.commit().map_err(sqlite_error)
            }
            Side::Postgres(c) => {
                let marks: Vec<String> = (1..=columns.len()).map(|i| format!("${i}")).collect();
                let sql = format!("INSERT INTO {table} ({}) VALUES ({})", names.join(", "), marks.join(", "));
                let mut tx = c.transaction().map_err(backend)?;
                let stmt = tx.prepare(&sql).map_err(backend)?;
                for row in rows {
                    let values: Vec<Box<dyn ToSql + Sync>> = row
                        .iter()
                        .zip(columns)
                        .map(|(cell, (name, ty))| pg_value(table, name, *ty, cell))
                        .collect::<Result<_>>()?;
                    let refs: Vec<&(dyn ToSql + Sync)> = values.iter().map(|v| v.as_ref()).collect();
                    tx.execute(&stmt, &refs).map_err(backend)?;
                }
                tx.commit().map_err(backend)
            }
        }
    }

    /// After explicit keys were written, PostgreSQL's sequence must start past them.
    fn finish(&mut self) -> Result<()> {
        if let Side::Postgres(c) = self {
            c.batch_execute(
                "SELECT setval(pg_get_serial_sequence('history', 'n'), coalesce(max(n), 0) + 1, false) FROM history;
                 SELECT setval(pg_get_serial_sequence('outbox', 'seq'), coalesce(max(seq), 0) + 1, false) FROM outbox;
                 SELECT setval(pg_get_serial_sequence('attempts', 'n'), coalesce(max(n), 0) + 1, false) FROM attempts;
                 SELECT setval(pg_get_serial_sequence('field_values', 'n'), coalesce(max(n), 0) + 1, false) FROM field_values;",
            )
            .map_err(backend)?;
        }
        Ok(())
    }
}

fn pg_value(table: &str, column: &str, ty: Ty, cell: &Cell) -> Result<Box<dyn ToSql + Sync>> {
    let wrong = || StoreError::Corrupt(format!("{table}.{column} holds {cell:?}, not a {}", name(ty)));
    Ok(match (ty, cell) {
        (Int, Cell::Null) => Box::new(None::<i64>),
        (Int4, Cell::Null) => Box::new(None::<i32>),
        (Real, Cell::Null) => Box::new(None::<f64>),
        (Text, Cell::Null) => Box::new(None::<String>),
        (Blob, Cell::Null) => Box::new(None::<Vec<u8>>),
        (Bool, Cell::Null) => Box::new(None::<bool>),
        (Int, Cell::Int(n)) => Box::new(*n),
        (Int4, Cell::Int(n)) => Box::new(i32::try_from(*n).map_err(|_| wrong())?),
        (Real, Cell::Real(x)) => Box::new(*x),
        (Real, Cell::Int(n)) => Box::new(*n as f64),
        (Text, Cell::Text(t)) => Box::new(t.clone()),
        (Blob, Cell::Blob(b)) => Box::new(b.clone()),
        (Bool, Cell::Int(n)) => Box::new(*n != 0),
        _ => return Err(wrong()),
    })
}

fn name(ty: Ty) -> &'static str {
    match ty {
        Int | Int4 => "number",
        Real => "real number",
        Text => "text",
        Blob => "blob",
        Bool => "boolean",
    }
}

/// Copies the whole store at `from` into the empty store at `to`, telling `progress`
/// (table, rows copied so far, rows in the table) as it goes. Fails, copying nothing, when
/// the target already holds a journal, actions or tokens.
pub fn copy(from: &Place, to: &Place, mut progress: impl FnMut(&str, u64, u64)) -> Result<Copied> {
    if from == to {
        return Err(StoreError::Backend("the source and the target are the same store".into()));
    }
    // A workspace of several partitions keeps partitions 1… in schemas of their own, which
    // this copy does not read: refused rather than copied in part.
    if let Place::Postgres(url) = from {
        let mut client = connect(url, None)?;
        let count: i32 = match client.query_opt("SELECT count FROM play_partitions", &[]) {
            Ok(row) => row.map_or(1, |r| r.get(0)),
            // Made before partitions (or never run): one.
            Err(_) => 1,
        };
        if count > 1 {
            return Err(StoreError::Backend(format!(
                "the source {} is a workspace of {count} partitions: `play migrate` copies a workspace of one",
                from.describe()
            )));
        }
    }
    let mut source = Side::open(from)?;
    let mut target = Side::open(to)?;
    for (table, _) in TABLES {
        let n = target.count(table)?;
        if n > 0 {
            return Err(StoreError::Backend(format!(
                "the target {} is not empty ({n} rows in `{table}`): migrate into a new database",
                to.describe()
            )));
        }
    }
    let mut copied = Vec::new();
    for (table, columns) in TABLES {
        let total = source.count(table)?;
        let mut done = 0u64;
        progress(table, 0, total);
        loop {
            let rows = source.read(table, columns, done as usize)?;
            if rows.is_empty() {
                break;
            }
            target.write(table, columns, &rows)?;
            done += rows.len() as u64;
            progress(table, done, total);
        }
        copied.push((table.to_string(), done));
    }
    target.finish()?;
    Ok(copied)
}
