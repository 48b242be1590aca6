//! Emails and calls posted to a partitioned workspace (`POST /v1/emails`, `/v1/calls`):
//! each is matched over the workspace's address book (`play_addresses`, kept as changes are
//! routed: contacts and leads by address, accounts by domain, with their partition) and
//! goes to the partition of the record it concerns (an orphan to partition 0). A partition
//! held here takes it on its engine thread, which matches it again against its own records
//! and answers once its row is durable; for one held elsewhere it waits in the routing
//! table (durable before the answer) and its worker takes it the same way, the answer
//! worked out here from the address book, as that worker will.

use std::collections::{BTreeMap, HashMap};

use play_compiler::program::Program;
use play_runtime::change::{Change, ChangeKind};
use play_store::routing::Address;
use play_store::Batch;
use serde_json::{json, Value};
use tokio::sync::oneshot;

use super::router::Router;
use crate::calls::PostedCall;
use crate::directory::{kept, Directory, INDEXED};
use crate::emails::{Matched, Posted};
use crate::writer::Request;

/// The address book's entry a change makes, if it sets or removes the field a contact, a
/// lead or an account is found by: `(type, id, value)`, no value to remove it.
pub fn address_of(change: &Change, program: &Program) -> Option<(String, String, Option<String>)> {
    let (record, id, value) = match &change.kind {
        ChangeKind::Upsert { record, id, fields } => {
            let schema = program.schema.records.get(*record as usize)?;
            let (_, field) = INDEXED.iter().find(|(kind, _)| *kind == schema.name)?;
            let slot = schema.fields.iter().position(|f| f.name == *field)? as u32;
            let (_, v) = fields.iter().find(|(s, _)| *s == slot)?;
            (*record, id, kept(&schema.name, &v.to_json(program)))
        }
        ChangeKind::Delete { record, id } => (*record, id, None),
        _ => return None,
    };
    let name = &program.schema.records.get(record as usize)?.name;
    INDEXED.iter().any(|(kind, _)| kind == name).then(|| (name.clone(), id.to_string(), value))
}

/// A routed line carrying posted emails or calls (told from a change by its `posted`).
pub fn line(kind: &str, teammate: &str, items: Vec<Value>) -> String {
    json!({ "posted": kind, "teammate": teammate, "items": items }).to_string()
}

/// The answer a routed `posted` line's request gets (its sender was answered when the line
/// was routed: only whether it was taken matters).
pub enum Answer {
    Emails(oneshot::Receiver<Result<Vec<Matched>, String>>),
    Calls(oneshot::Receiver<Result<Vec<Value>, String>>),
}

impl Answer {
    /// Waits for it: taken, or why not.
    pub fn wait(self) -> Result<(), String> {
        let stopping = |_| "the daemon is stopping".to_string();
        match self {
            Answer::Emails(a) => a.blocking_recv().map_err(stopping)?.map(drop),
            Answer::Calls(a) => a.blocking_recv().map_err(stopping)?.map(drop),
        }
    }
}

/// The request a routed `posted` line makes of its partition's engine thread, with the
/// receiver of its answer; `None` for a line that is not one (a change).
pub fn request(text: &str) -> Option<Result<(Request, Answer), String>> {
    let value: Value = serde_json::from_str(text).ok()?;
    let kind = value.get("posted")?.as_str()?.to_string();
    let teammate = value["teammate"].as_str().unwrap_or_default().to_string();
    let body = json!({ kind.as_str(): value["items"] }).to_string();
    Some(match kind.as_str() {
        "emails" => crate::emails::read_body(body.as_bytes(), &teammate).map_err(|b| b.message).map(|emails| {
            let (reply, answer) = oneshot::channel();
            (Request::Emails { emails, teammate, reply }, Answer::Emails(answer))
        }),
        "calls" => crate::calls::read_body(body.as_bytes()).map_err(|b| b.message).map(|calls| {
            let (reply, answer) = oneshot::channel();
            (Request::Calls { calls, teammate, reply }, Answer::Calls(answer))
        }),
        other => Err(format!("a routed line of unknown kind `{other}`")),
    })
}

impl Router {
    /// The address book's entries for `parties`, as a directory, and each record's
    /// partition.
    fn address_book<'a>(
        &self,
        parties: impl Iterator<Item = &'a String>,
    ) -> Result<(Directory, HashMap<String, i32>), String> {
        let parties: Vec<String> = parties.cloned().collect();
        let entries = self.routing().addresses(&Directory::lookups(&parties)).map_err(|e| e.to_string())?;
        let directory = Directory::of_entries(
            entries.iter().map(|a| (a.kind.as_str(), a.id.as_str(), a.value.as_deref().unwrap_or_default())),
        );
        let partitions = entries.iter().map(|a| (format!("{}/{}", a.kind, a.id), a.partition)).collect();
        Ok((directory, partitions))
    }

    /// Keeps the address book up to date with the entries of lines routed to `partitions`.
    pub(super) fn index_addresses(&self, entries: Vec<((String, String, Option<String>), i32)>) -> Result<(), String> {
        let entries: Vec<Address> =
            entries.into_iter().map(|((kind, id, value), partition)| Address { kind, id, value, partition }).collect();
        self.routing().index_addresses(&entries).map_err(|e| e.to_string())
    }

    /// `POST /v1/emails` (after the blacklists): each email to its record's partition.
    pub(super) fn emails(&self, emails: Vec<Posted>, teammate: String) -> Result<Vec<Matched>, String> {
        let parties: Vec<Vec<String>> = emails.iter().map(|e| crate::emails::others(e, &teammate)).collect();
        let (directory, partitions) = self.address_book(parties.iter().flatten())?;
        let goes = parties.iter().map(|p| directory.record_for(p).and_then(|r| partitions.get(&r).copied()));
        let goes: Vec<i32> = goes.map(|p| p.unwrap_or(0)).collect();
        self.spread(
            goes,
            emails,
            |emails, reply| Request::Emails { emails, teammate: teammate.clone(), reply },
            |emails, batch| crate::emails::take(&directory, &*self.merged(), batch, emails, &teammate),
            |emails| line("emails", &teammate, emails.iter().map(Posted::to_json).collect()),
        )
    }

    /// `POST /v1/calls`: each call to the partition of the record it names, or else of the
    /// record its `with` address matches.
    pub(super) fn calls(&self, calls: Vec<PostedCall>, teammate: String) -> Result<Vec<Value>, String> {
        let (directory, partitions) = self.address_book(calls.iter().map(|c| &c.with))?;
        let goes: Vec<i32> = calls
            .iter()
            .map(|c| match c.record.is_empty() {
                false => self.record_partition(&c.record),
                true => directory
                    .record_for(std::slice::from_ref(&c.with))
                    .and_then(|r| partitions.get(&r).copied())
                    .unwrap_or(0),
            })
            .collect();
        self.spread(
            goes,
            calls,
            |calls, reply| Request::Calls { calls, teammate: teammate.clone(), reply },
            |calls, batch| crate::calls::take(&directory, &*self.merged(), batch, calls, &teammate),
            |calls| line("calls", &teammate, calls.iter().map(PostedCall::to_json).collect()),
        )
    }

    /// Sends each item to the partition `goes` gives it — to the engine thread of one held
    /// here (`ask`), else through the routing table (`routed`), answered by `answer` — and
    /// gives the answers back in the items' order.
    fn spread<T: Clone, A>(
        &self,
        goes: Vec<i32>,
        items: Vec<T>,
        ask: impl Fn(Vec<T>, oneshot::Sender<Result<Vec<A>, String>>) -> Request,
        answer: impl Fn(&[T], &mut Batch) -> Vec<A>,
        routed: impl Fn(&[T]) -> String,
    ) -> Result<Vec<A>, String> {
        let mut groups: BTreeMap<i32, Vec<(usize, T)>> = BTreeMap::new();
        for (n, (item, p)) in items.into_iter().zip(goes).enumerate() {
            groups.entry(p).or_default().push((n, item));
        }
        let mut asked = Vec::new();
        let mut answers: Vec<(usize, A)> = Vec::new();
        for (partition, group) in groups {
            let (places, items): (Vec<usize>, Vec<T>) = group.into_iter().unzip();
            let (reply, got) = oneshot::channel();
            if self.local.send(partition, ask(items.clone(), reply)).is_ok() {
                asked.push((places, got));
                continue;
            }
            self.routing().route(&[(partition, routed(&items))]).map_err(|e| e.to_string())?;
            answers.extend(places.into_iter().zip(answer(&items, &mut Batch::default())));
        }
        for (places, got) in asked {
            let got = got.blocking_recv().map_err(|_| "the daemon is stopping".to_string())??;
            answers.extend(places.into_iter().zip(got));
        }
        answers.sort_by_key(|(n, _)| *n);
        Ok(answers.into_iter().map(|(_, a)| a).collect())
    }
}
