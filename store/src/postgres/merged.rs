//! A workspace of several partitions read as one store: the queue, history, runs,
//! deliveries and the sync log of every partition merged in their orders, an action or a
//! delivery found in whichever partition has it. What the API and the inbox read on a
//! partitioned workspace. Sequence numbers are per partition, so a merged row's `seq` is
//! `seq × P + partition`: one order across partitions, and a page's cursor says where to
//! go on in each. The journal, snapshots and programs are each partition's own: those go
//! to the partition's store ([`PostgresStore::open_partition`]), not through here.
//!
//! Writes the API makes (retry a delivery, adopt an orphan) go to the partition that holds
//! the row; opt-outs and email-sync settings go to every partition (each partition's
//! delivery reads its own); tokens and watermarks are the workspace's, in partition 0.

use crate::{
    ActionQuery, ActionRow, Attempt, Batch, Command, Counters, Cursor, Delivery, DeliveryQuery, HistoryQuery,
    HistoryRow, LogQuery, Outbox, OutboxRow, Page, Position, PostgresStore, Result, RunRow, Store, StoreError, Then,
};

/// Every partition of a workspace, by number.
pub struct Merged {
    parts: Vec<PostgresStore>,
}

impl Merged {
    /// Opens the `count` partitions of the workspace at `url`.
    pub fn open(url: &str, count: i32) -> Result<Merged> {
        let parts = (0..count.max(1)).map(|k| PostgresStore::open_partition(url, k)).collect::<Result<_>>()?;
        Ok(Merged { parts })
    }

    fn count(&self) -> u64 {
        self.parts.len() as u64
    }

    /// The partition an action is in, if one has it.
    pub fn partition_of_action(&self, id: &str) -> Result<Option<i32>> {
        for (k, part) in self.parts.iter().enumerate() {
            if part.action(id)?.is_some() {
                return Ok(Some(k as i32));
            }
        }
        Ok(None)
    }

    /// A partition's `seq` as the merged order numbers it.
    fn merged_seq(&self, seq: u64, partition: usize) -> u64 {
        seq * self.count() + partition as u64
    }

    fn first<T>(&self, read: impl Fn(&PostgresStore) -> Result<Option<T>>) -> Result<Option<T>> {
        for part in &self.parts {
            if let Some(found) = read(part)? {
                return Ok(Some(found));
            }
        }
        Ok(None)
    }

    /// Every partition's rows, each marked with its partition.
    fn each<T>(&self, read: impl Fn(usize, &PostgresStore) -> Result<Vec<T>>) -> Result<Vec<T>> {
        let mut all = Vec::new();
        for (k, part) in self.parts.iter().enumerate() {
            all.extend(read(k, part)?);
        }
        Ok(all)
    }

    fn not_merged(what: &str) -> StoreError {
        StoreError::Backend(format!("{what} is a partition's own: open the partition, not the merged workspace"))
    }
}

/// The cursor a partition goes on from, for a merged cursor: in the order `priority DESC,
/// at, merged seq`, the partition's rows after it. `None`: the cursor is past none of them.
fn partition_cursor(cursor: &Cursor, partition: u64, count: u64) -> Cursor {
    match cursor.seq.checked_sub(partition) {
        // Rows of this partition with `seq × P + k > c` on a tie: `seq > (c - k) / P`.
        Some(t) => Cursor { seq: t / count, ..cursor.clone() },
        // Every row of this partition on the tie is after it: go on from the moment before.
        None => Cursor { priority: cursor.priority, at: cursor.at - 1, seq: i64::MAX as u64 },
    }
}

/// The queue's order: priority first (highest), then age, then the merged sequence.
fn rank(a: &ActionRow, b: &ActionRow) -> std::cmp::Ordering {
    b.priority.total_cmp(&a.priority).then(a.at.cmp(&b.at)).then(a.seq.cmp(&b.seq))
}

impl Store for Merged {
    fn append(&mut self, _batch: &Batch) -> Result<Position> {
        Err(Merged::not_merged("appending to the journal"))
    }

    fn read_journal(&self, _after: Position, _limit: usize) -> Result<Vec<(Position, Command)>> {
        Err(Merged::not_merged("the journal"))
    }

    /// Every partition's commands, counted together.
    fn journal_position(&self) -> Result<Position> {
        self.parts.iter().map(|p| p.journal_position()).sum()
    }

    fn put_snapshot(&mut self, _at: Position, _bytes: &[u8]) -> Result<()> {
        Err(Merged::not_merged("a snapshot"))
    }

    fn latest_snapshot(&self) -> Result<Option<(Position, Vec<u8>)>> {
        Err(Merged::not_merged("a snapshot"))
    }

    fn put_program(&mut self, _hash: &str, _bytes: &[u8]) -> Result<()> {
        Err(Merged::not_merged("deploying a program"))
    }

    fn program(&self, hash: &str) -> Result<Option<Vec<u8>>> {
        self.first(|p| p.program(hash))
    }

    fn actions(&self, query: &ActionQuery) -> Result<Page> {
        let count = self.count();
        let limit = query.limit.max(1);
        let mut items = self.each(|k, part| {
            let mut q = query.clone();
            q.cursor = query.cursor.as_ref().map(|c| partition_cursor(c, k as u64, count));
            let page = part.actions(&q)?;
            Ok(page.items.into_iter().map(|a| ActionRow { seq: self.merged_seq(a.seq, k), ..a }).collect())
        })?;
        items.sort_by(rank);
        let more = items.len() > limit;
        items.truncate(limit);
        let next = if more { items.last().map(Cursor::of) } else { None };
        Ok(Page { items, next })
    }

    fn action(&self, id: &str) -> Result<Option<ActionRow>> {
        for (k, part) in self.parts.iter().enumerate() {
            if let Some(a) = part.action(id)? {
                return Ok(Some(ActionRow { seq: self.merged_seq(a.seq, k), ..a }));
            }
        }
        Ok(None)
    }

    fn open_action(&self, playbook: &str, name: &str, record: &str) -> Result<Option<ActionRow>> {
        self.first(|p| p.open_action(playbook, name, record))
    }

    /// Oldest first, as each partition gives them.
    fn history(&self, query: &HistoryQuery) -> Result<Vec<HistoryRow>> {
        let mut all = self.each(|_, p| p.history(query))?;
        all.sort_by_key(|h| h.at);
        all.truncate(query.limit.max(1));
        Ok(all)
    }

    fn field_values(&self, record: &str, field: &str, limit: usize) -> Result<Vec<(i64, f64)>> {
        self.first(|p| Ok(Some(p.field_values(record, field, limit)?).filter(|v| !v.is_empty())))
            .map(Option::unwrap_or_default)
    }

    fn runs(&self, record: Option<&str>, limit: usize) -> Result<Vec<RunRow>> {
        let mut all = self.each(|_, p| p.runs(record, limit))?;
        all.sort_by(|a, b| (a.state != "active").cmp(&(b.state != "active")).then(a.started.cmp(&b.started)));
        all.truncate(limit);
        Ok(all)
    }

    fn add_token(&mut self, email: &str, token_sha256: &str) -> Result<()> {
        self.parts[0].add_token(email, token_sha256)
    }

    fn token_owner(&self, token_sha256: &str) -> Result<Option<String>> {
        self.parts[0].token_owner(token_sha256)
    }

    fn change_id_taken(&self, change_id: &str) -> Result<bool> {
        Ok(self.first(|p| Ok(p.change_id_taken(change_id)?.then_some(())))?.is_some())
    }

    fn counters(&self) -> Result<Counters> {
        let mut sum = Counters::default();
        for part in &self.parts {
            let c = part.counters()?;
            sum.journal_position += c.journal_position;
            sum.actions += c.actions;
            sum.actions_open += c.actions_open;
            sum.outbox_backlog += c.outbox_backlog;
            sum.history_entries += c.history_entries;
            sum.runs_active += c.runs_active;
            sum.snapshot_position = match (sum.snapshot_position, c.snapshot_position) {
                (Some(a), Some(b)) => Some(a + b),
                (a, b) => a.or(b),
            };
        }
        Ok(sum)
    }

    fn schema_version(&self) -> Result<i64> {
        self.parts[0].schema_version()
    }

    fn as_outbox(&self) -> Option<&dyn Outbox> {
        Some(self)
    }

    fn as_outbox_mut(&mut self) -> Option<&mut dyn Outbox> {
        Some(self)
    }
}

impl Merged {
    /// The partition holding a delivery, and the store to write it in.
    fn holding(&mut self, action_id: &str) -> Result<Option<&mut PostgresStore>> {
        for part in self.parts.iter_mut() {
            if part.delivery(action_id)?.is_some() {
                return Ok(Some(part));
            }
        }
        Ok(None)
    }

    fn merged_delivery(&self, d: Delivery, partition: usize) -> Delivery {
        Delivery { seq: self.merged_seq(d.seq, partition), ..d }
    }
}

impl Outbox for Merged {
    fn due_deliveries(&self, now: i64, after: u64, limit: usize) -> Result<Vec<Delivery>> {
        let count = self.count();
        let mut all = self.each(|k, p| {
            // Merged `seq × P + k > after`: the partition's `seq > (after - k) / P` (an
            // outbox's `seq` starts at 1).
            let after = after.checked_sub(k as u64).map_or(0, |t| t / count);
            let rows = p.due_deliveries(now, after, limit)?;
            Ok(rows.into_iter().map(|d| self.merged_delivery(d, k)).collect())
        })?;
        all.sort_by_key(|d| d.seq);
        all.truncate(limit);
        Ok(all)
    }

    fn seen(&mut self, action_ids: &[&str], now: i64) -> Result<()> {
        self.parts.iter_mut().try_for_each(|p| p.seen(action_ids, now))
    }

    fn next_due(&self) -> Result<Option<i64>> {
        Ok(self.parts.iter().map(|p| p.next_due()).collect::<Result<Vec<_>>>()?.into_iter().flatten().min())
    }

    fn record_attempt(&mut self, attempt: &Attempt, then: Then) -> Result<()> {
        match self.holding(&attempt.action_id)? {
            Some(part) => part.record_attempt(attempt, then),
            None => self.parts[0].record_attempt(attempt, then),
        }
    }

    fn delivery(&self, action_id: &str) -> Result<Option<Delivery>> {
        for (k, part) in self.parts.iter().enumerate() {
            if let Some(d) = part.delivery(action_id)? {
                return Ok(Some(self.merged_delivery(d, k)));
            }
        }
        Ok(None)
    }

    /// Newest first.
    fn deliveries(&self, query: &DeliveryQuery) -> Result<Vec<Delivery>> {
        let count = self.count();
        let mut all = self.each(|k, p| {
            // Merged `seq × P + k < before`: the partition's `seq < ceil((before - k) / P)`.
            let before = match query.before {
                Some(b) if b <= k as u64 => return Ok(Vec::new()),
                Some(b) => Some((b - k as u64).div_ceil(count)),
                None => None,
            };
            let rows = p.deliveries(&DeliveryQuery { before, ..query.clone() })?;
            Ok(rows.into_iter().map(|d| self.merged_delivery(d, k)).collect())
        })?;
        all.sort_by(|a, b| b.seq.cmp(&a.seq));
        all.truncate(query.limit.max(1));
        Ok(all)
    }

    fn retry_delivery(&mut self, action_id: &str, now: i64) -> Result<bool> {
        match self.holding(action_id)? {
            Some(part) => part.retry_delivery(action_id, now),
            None => Ok(false),
        }
    }

    fn adopt_delivery(&mut self, action_id: &str, json: &str, now: i64) -> Result<bool> {
        match self.holding(action_id)? {
            Some(part) => part.adopt_delivery(action_id, json, now),
            None => Ok(false),
        }
    }

    /// Oldest first.
    fn sync_log_where(&self, query: &LogQuery) -> Result<Vec<Attempt>> {
        let mut all = self.each(|_, p| p.sync_log_where(query))?;
        all.sort_by_key(|a| a.at);
        all.truncate(query.limit.max(1));
        Ok(all)
    }

    /// In every partition: each partition's delivery reads its own.
    fn set_opt_out(&mut self, who: &str, reason: Option<&str>, at: i64) -> Result<()> {
        self.parts.iter_mut().try_for_each(|p| p.set_opt_out(who, reason, at))
    }

    fn opted_out(&self, who: &[&str]) -> Result<Option<String>> {
        self.parts[0].opted_out(who)
    }

    fn mark(&self, name: &str) -> Result<u64> {
        self.parts[0].mark(name)
    }

    fn set_mark(&mut self, name: &str, value: u64) -> Result<()> {
        self.parts[0].set_mark(name, value)
    }

    fn sync_setting(&self, scope: &str) -> Result<Option<String>> {
        self.parts[0].sync_setting(scope)
    }

    /// In every partition, as opt-outs: each partition's delivery reads its own.
    fn set_sync_setting(&mut self, scope: &str, json: &str, at: i64) -> Result<()> {
        self.parts.iter_mut().try_for_each(|p| p.set_sync_setting(scope, json, at))
    }

    fn enqueue(&mut self, row: &OutboxRow) -> Result<bool> {
        self.parts[0].enqueue(row)
    }
}
