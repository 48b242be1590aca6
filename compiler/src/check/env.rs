//! What names mean where an expression is checked: the subject, the triggering event,
//! whether `timed_out` and history functions may be used, and which optional paths are
//! known to be present.

use super::types::{EventId, RecordId, Ty};

/// The event `trigger.event` is, given a playbook's triggers.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum TriggerEvent {
    /// No trigger is an event.
    None,
    One(EventId),
    /// Some triggers are events of different types, or not events at all.
    Mixed,
}

#[derive(Clone, Debug)]
pub struct Env {
    /// Names bound to values: the subject (`account`), a template's binding, the awaited
    /// `event` in `wait for … where`.
    pub bindings: Vec<(String, Ty)>,
    /// The record the expression is about, for history functions and segment names.
    pub subject: Option<RecordId>,
    pub trigger: TriggerEvent,
    /// After a `wait for … timeout`, steps may test `timed_out`.
    pub timed_out: bool,
    /// In a playbook's conditions, `old(field)` is the value before the change.
    pub old: bool,
    /// Paths (`account.champion`) tested with `exists(…)` in an enclosing `and`.
    pub present: Vec<String>,
}

impl Env {
    pub fn new(subject: Option<RecordId>, binding: Option<(&str, Ty)>) -> Self {
        Env {
            bindings: binding.map(|(n, t)| vec![(n.to_string(), t)]).unwrap_or_default(),
            subject,
            trigger: TriggerEvent::None,
            timed_out: false,
            old: false,
            present: Vec::new(),
        }
    }

    pub fn binding(&self, name: &str) -> Option<&Ty> {
        self.bindings.iter().rev().find(|(n, _)| n == name).map(|(_, t)| t)
    }
}
