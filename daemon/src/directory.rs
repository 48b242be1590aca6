//! Who an address belongs to: contacts and leads by their `email`, accounts by their
//! `domain`, kept on the engine thread beside the engine (which does no IO and keeps no
//! such index). It is built from the engine's records on first use, then each accepted
//! upsert or delete of a `Contact`, `Lead` or `Account` refreshes that one record's
//! entries, so matching an email or a call reads a map, never every record. A deploy or a
//! recovery drops it, to be built again from the records as the new program reads them.
//! On a partitioned workspace the same matching runs over the workspace's address book
//! (`play_addresses`, [`Directory::of_entries`]) to find the partition an email goes to.

use std::collections::{BTreeSet, HashMap};

use play_runtime::engine::Engine;
use play_runtime::store::{MemoryStore, Store as _};
use play_runtime::vm::Data;
use serde_json::Value;

/// One kind of record by one of its text fields (lower-cased): the ids holding each value,
/// and the value each id holds.
#[derive(Default)]
struct Index {
    ids: HashMap<String, BTreeSet<String>>,
    value_of: HashMap<String, String>,
}

impl Index {
    fn put(&mut self, id: &str, value: Option<String>) {
        if let Some(old) = self.value_of.remove(id) {
            if let Some(ids) = self.ids.get_mut(&old) {
                ids.remove(id);
                if ids.is_empty() {
                    self.ids.remove(&old);
                }
            }
        }
        if let Some(value) = value.filter(|v| !v.is_empty()) {
            self.ids.entry(value.clone()).or_default().insert(id.to_string());
            self.value_of.insert(id.to_string(), value);
        }
    }

    /// The first id (in id order) holding `value`.
    fn get(&self, value: &str) -> Option<&String> {
        self.ids.get(value).and_then(|ids| ids.iter().next())
    }
}

/// Contacts and leads by address, accounts by domain.
#[derive(Default)]
pub struct Directory {
    contacts: Index,
    leads: Index,
    accounts: Index,
}

/// The record type and field each index reads, and how a value is kept.
const CONTACT: (&str, &str) = ("Contact", "email");
const LEAD: (&str, &str) = ("Lead", "email");
const ACCOUNT: (&str, &str) = ("Account", "domain");

/// The record types indexed, each with the field it is found by.
pub const INDEXED: [(&str, &str); 3] = [CONTACT, LEAD, ACCOUNT];

/// A record's text field, as kept: trimmed, lower case (a domain without `www.`).
pub fn kept(record: &str, value: &Value) -> Option<String> {
    let Value::String(v) = value else { return None };
    let v = v.trim().to_lowercase();
    Some(if record == ACCOUNT.0 { v.trim_start_matches("www.").to_string() } else { v }).filter(|v| !v.is_empty())
}

/// The indexed field of record `id` of type `record`, as the engine now holds it.
fn read(engine: &Engine<MemoryStore>, (record, field): (&str, &str), id: &str) -> Option<Option<String>> {
    let program = engine.program();
    let rt = program.schema.records.iter().position(|r| r.name == record)?;
    let slot = program.schema.records[rt].fields.iter().position(|f| f.name == field)?;
    Some(engine.store.record(rt as u32, id).and_then(|row| kept(record, &row.value(slot).to_json(program))))
}

impl Directory {
    /// Every contact and account of the engine.
    pub fn of(engine: Option<&Engine<MemoryStore>>) -> Directory {
        let mut d = Directory::default();
        let Some(engine) = engine else { return d };
        let program = engine.program();
        for (kind, index) in [(CONTACT, &mut d.contacts), (LEAD, &mut d.leads), (ACCOUNT, &mut d.accounts)] {
            let Some(rt) = program.schema.records.iter().position(|r| r.name == kind.0) else { continue };
            for id in engine.store.record_ids(rt as u32) {
                if let Some(value) = read(engine, kind, &id) {
                    index.put(&id, value);
                }
            }
        }
        d
    }

    /// The record `id` of type number `record` as the engine now holds it (gone, after a
    /// delete).
    pub fn refresh(&mut self, engine: Option<&Engine<MemoryStore>>, record: u32, id: &str) {
        let Some(engine) = engine else { return };
        let name = engine.program().schema.records.get(record as usize).map(|r| r.name.as_str());
        let (kind, index) = match name {
            Some(n) if n == CONTACT.0 => (CONTACT, &mut self.contacts),
            Some(n) if n == LEAD.0 => (LEAD, &mut self.leads),
            Some(n) if n == ACCOUNT.0 => (ACCOUNT, &mut self.accounts),
            _ => return,
        };
        if let Some(value) = read(engine, kind, id) {
            index.put(id, value);
        }
    }

    /// A directory of the entries given: `(record type, id, value as kept)`.
    pub fn of_entries<'a>(entries: impl IntoIterator<Item = (&'a str, &'a str, &'a str)>) -> Directory {
        let mut d = Directory::default();
        for (kind, id, value) in entries {
            let index = match kind {
                k if k == CONTACT.0 => &mut d.contacts,
                k if k == LEAD.0 => &mut d.leads,
                k if k == ACCOUNT.0 => &mut d.accounts,
                _ => continue,
            };
            index.put(id, Some(value.to_string()));
        }
        d
    }

    /// Every value [`Directory::record_for`] may look up for `parties`: the addresses, their
    /// domains and the parent domains.
    pub fn lookups(parties: &[String]) -> Vec<String> {
        let mut values: Vec<String> = parties.to_vec();
        for p in parties {
            let Some((_, mut domain)) = p.rsplit_once('@') else { continue };
            loop {
                values.push(domain.to_string());
                let Some((_, parent)) = domain.split_once('.') else { break };
                domain = parent;
            }
        }
        values.sort();
        values.dedup();
        values
    }

    /// The record an email or a call goes to: a contact by address, else a lead by address,
    /// else an account by the domain of an address or one of its parent domains
    /// (`sales.acme.com`, `acme.com`).
    pub fn record_for(&self, parties: &[String]) -> Option<String> {
        for (index, kind) in [(&self.contacts, CONTACT.0), (&self.leads, LEAD.0)] {
            if let Some(id) = parties.iter().find_map(|p| index.get(p)) {
                return Some(format!("{kind}/{id}"));
            }
        }
        parties.iter().find_map(|p| {
            let mut domain = p.rsplit_once('@')?.1;
            loop {
                if let Some(id) = self.accounts.get(domain) {
                    return Some(format!("Account/{id}"));
                }
                domain = domain.split_once('.')?.1;
            }
        })
    }
}
