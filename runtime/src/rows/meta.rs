//! What each row has beside its fields: whether the record is there and when it was made,
//! its field history, events, write times, enrolments and runs in flight.

use std::sync::Arc;

use thin_vec::ThinVec;

use crate::value::{Happening, Value};

/// What a record has beside its fields: three lists of a pointer each, which take no more
/// room until they hold something.
#[derive(Default, Clone)]
pub struct Extra {
    /// (slot, moment, value), in time order: only of the fields the program reads back.
    pub history: ThinVec<(u32, i64, Value)>,
    /// The events that concern it, of the types the program reads: one list, by event
    /// type and then in time order, so that each type's are one slice of it.
    pub events: ThinVec<Arc<Happening>>,
    /// When each field written since the record was made was last written, for late
    /// changes (a moment per field changed, not per field).
    pub written: ThinVec<(u32, i64)>,
}

/// A record's enrolments in one playbook (by the store's number for the playbook).
#[derive(Clone, Copy, Debug, Default)]
pub struct Enrolment {
    pub playbook: u32,
    /// What `started` and `ended` say: 0 nothing yet, 1 the start, 2 both.
    last: u8,
    started: i64,
    ended: i64,
    /// How many times the playbook has enrolled the record.
    pub count: u64,
}

impl Enrolment {
    pub fn new(playbook: u32, last: Option<(i64, Option<i64>)>, count: u64) -> Enrolment {
        let mut e = Enrolment { playbook, count, ..Enrolment::default() };
        if let Some((started, ended)) = last {
            e.set_last(started, ended);
        }
        e
    }

    /// When the last enrolment started, and when its run ended (if it has).
    pub fn last(&self) -> Option<(i64, Option<i64>)> {
        match self.last {
            0 => None,
            1 => Some((self.started, None)),
            _ => Some((self.started, Some(self.ended))),
        }
    }

    pub fn set_last(&mut self, started: i64, ended: Option<i64>) {
        (self.last, self.started, self.ended) = match ended {
            None => (1, started, 0),
            Some(ended) => (2, started, ended),
        };
    }
}

/// A row's bookkeeping.
#[derive(Default)]
pub struct Meta {
    /// Whether the record is there: a deleted record keeps its row (and its history).
    pub present: bool,
    /// When the record was made.
    pub created: i64,
    pub extra: Extra,
    /// By playbook: a few per record, so a list rather than a map.
    pub enrolled: ThinVec<Enrolment>,
    /// The record's runs still going, in the order they started.
    pub active: ThinVec<u64>,
}

impl Extra {
    /// Where the events of type `event` are in `events`.
    pub fn events_range(&self, event: u32) -> std::ops::Range<usize> {
        let from = self.events.partition_point(|h| h.event < event);
        from..from + self.events[from..].partition_point(|h| h.event == event)
    }

    /// The events of type `event`, in time order.
    pub fn events_of(&self, event: u32) -> &[Arc<Happening>] {
        &self.events[self.events_range(event)]
    }
}

impl Meta {
    pub fn extra_mut(&mut self) -> &mut Extra {
        &mut self.extra
    }
}
