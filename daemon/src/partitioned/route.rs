//! Where a change goes in a workspace of several partitions: by its root record. An
//! account and what hangs from it (its contacts, opportunities, cases and their events)
//! are one partition's, so conditions that read `contact.account.…` find both. Teammates
//! (`User` records: the directory `manager_of` reads) go to every partition. Any other
//! record is its own root. Pure: the routes kept in PostgreSQL are looked up by the caller.

use play_compiler::program::{Program, Ty};
use play_runtime::change::{ActionRef, Change, ChangeKind};
use play_runtime::value::Value;

/// The record type that roots a family of records.
pub const ROOT: &str = "Account";
/// The record type every partition has all of: the directory of teammates.
pub const EVERYWHERE: &str = "User";

/// Where one change goes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Target {
    /// A root record's partition: the hash of its `Account/id`.
    Root(String),
    /// A record that hangs from a root, or is its own (`Type/id`): the partition it was
    /// routed to at its first sight, else its root's (`root`, when the change names its
    /// account), else its own hash.
    Record { record: String, root: Option<String> },
    /// Every partition.
    Everywhere,
    /// The partition that holds the action (a queue operation by action id).
    Action(String),
}

/// The partition of a root key (`Account/acme`): a hash that every worker and every version
/// computes alike (FNV-1a, 64 bits), modulo the count.
pub fn partition_of(key: &str, count: i32) -> i32 {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for byte in key.bytes() {
        hash ^= u64::from(byte);
        hash = hash.wrapping_mul(0x0000_0100_0000_01b3);
    }
    (hash % count.max(1) as u64) as i32
}

/// Where `change` goes.
pub fn target(change: &Change, program: &Program) -> Target {
    let records = &program.schema.records;
    let name = |r: u32| records.get(r as usize).map_or("?", |d| d.name.as_str());
    match &change.kind {
        ChangeKind::Upsert { record, id, fields } => {
            let root = fields.iter().find_map(|(slot, value)| {
                let def = records.get(*record as usize)?.fields.get(*slot as usize)?;
                let r = referenced(&def.ty)?;
                match value {
                    Value::Ref { id, .. } if records.get(r).is_some_and(|d| d.name == ROOT) => {
                        Some(format!("{ROOT}/{id}"))
                    }
                    _ => None,
                }
            });
            of_record(name(*record), id, root)
        }
        ChangeKind::Delete { record, id } | ChangeKind::Activity { record, id, .. } => {
            of_record(name(*record), id, None)
        }
        ChangeKind::Event { event, subject, .. } => {
            let on = program.schema.events.get(*event as usize).map_or("?", |e| name(e.subject as u32));
            of_record(on, subject, None)
        }
        ChangeKind::Task(task) => match task.record.split_once('/') {
            Some((ty, id)) => of_record(ty, id, None),
            None => Target::Record { record: task.record.clone(), root: None },
        },
        ChangeKind::Action { action: ActionRef::Id(id), .. } => Target::Action(id.clone()),
        ChangeKind::Action { action: ActionRef::Open { record, id, .. }, .. } => of_record(name(*record), id, None),
    }
}

/// The record type a field refers to (`Account`, `Account?`).
fn referenced(ty: &Ty) -> Option<usize> {
    match ty {
        Ty::Record(r) => Some(*r),
        Ty::Optional(inner) => referenced(inner),
        _ => None,
    }
}

fn of_record(ty: &str, id: &str, root: Option<String>) -> Target {
    match ty {
        ROOT => Target::Root(format!("{ROOT}/{id}")),
        EVERYWHERE => Target::Everywhere,
        _ => Target::Record { record: format!("{ty}/{id}"), root },
    }
}
