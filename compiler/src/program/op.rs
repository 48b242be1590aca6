//! The instruction set: a stack machine over typed values, with fields read by resolved
//! slot and constants pooled in the program.

use serde::{Deserialize, Serialize};

/// One instruction. Each pops its operands from the value stack and pushes its result.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub enum Op {
    /// Push constant `index` of the program's pool.
    Const {
        index: u32,
    },
    /// Push the record the code is about (the playbook's, segment's or template's subject).
    Subject,
    /// Push the awaited event inside `wait for … where`.
    Awaited,
    /// Push the event that triggered the run.
    TriggerEvent,
    /// Push whether the last `wait for` timed out.
    TimedOut,
    /// Pop a record reference; push its field in `slot` (of record type `record`). An
    /// empty reference gives an empty value; a reference to a record that is not present
    /// is a run-time error.
    Field {
        record: u32,
        slot: u32,
    },
    /// Push the subject's field in `slot`: `Subject` then `Field`, fused.
    SubjectField {
        slot: u32,
    },
    /// Push whether the subject's field in `slot` compares by `cmp` with constant `index`:
    /// `SubjectField`, `Const` and a comparison fused, the commonest condition there is.
    FieldCompare {
        slot: u32,
        index: u32,
        cmp: Cmp,
    },
    /// Pop a reference to a teammate (or any record); push its id, which for a `User` is
    /// the email address, without needing the record.
    RecordId,
    /// Pop an event; push payload field `slot`.
    EventField {
        event: u32,
        slot: u32,
    },
    /// Pop an event; push its moment.
    EventAt,
    Not,
    Neg,
    Add,
    Sub,
    Mul,
    Div,
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
    /// `and`: when the top is false, jump to `to` keeping it; else pop it.
    JumpIfFalse {
        to: u32,
    },
    /// `or`: when the top is true, jump to `to` keeping it; else pop it.
    JumpIfTrue {
        to: u32,
    },
    /// `??`: when the top is present, jump to `to` keeping it; else pop it.
    Coalesce {
        to: u32,
    },
    /// `?? skip`: an empty top skips the action being built.
    SkipIfEmpty,
    /// Pop `count` items, then the value; push whether the value is among them.
    In {
        count: u32,
        negated: bool,
    },
    /// Pop `count` values; push them as a list.
    List {
        count: u32,
    },
    /// Pop `count` values; push them written out as one text.
    Concat {
        count: u32,
    },
    /// Pop a value; push whether it is present.
    Exists,
    /// Push the value of segment or signal `index` for the subject.
    Segment {
        index: u32,
    },
    /// Call a built-in function on `argc` popped arguments.
    Call {
        function: Builtin,
    },
    /// A history function over events of type `event` of the subject; pops the window
    /// when `within` is set, and before it the record that performed them when `by` is
    /// set (then its events, not the subject's, are looked at). `filter` is the index in
    /// the program's `filters` of the condition each event must pass.
    History {
        kind: History,
        event: u32,
        within: bool,
        #[serde(default, skip_serializing_if = "std::ops::Not::not")]
        by: bool,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        filter: Option<u32>,
    },
    /// Pops the window; pushes the relative change of the subject's field `slot` over it.
    Change {
        slot: u32,
    },
    /// Pushes the subject's field `slot` before the triggering change (empty when the
    /// record was just created).
    Old {
        slot: u32,
    },
}

/// A comparison, as a fused instruction carries it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Cmp {
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
}

impl Cmp {
    /// The comparison an instruction makes, if it is one.
    pub fn of(op: Op) -> Option<Cmp> {
        Some(match op {
            Op::Eq => Cmp::Eq,
            Op::Ne => Cmp::Ne,
            Op::Lt => Cmp::Lt,
            Op::Le => Cmp::Le,
            Op::Gt => Cmp::Gt,
            Op::Ge => Cmp::Ge,
            _ => return None,
        })
    }

    /// The instruction that makes this comparison alone.
    pub fn op(self) -> Op {
        match self {
            Cmp::Eq => Op::Eq,
            Cmp::Ne => Op::Ne,
            Cmp::Lt => Op::Lt,
            Cmp::Le => Op::Le,
            Cmp::Gt => Op::Gt,
            Cmp::Ge => Op::Ge,
        }
    }

    /// The operator as written.
    pub fn symbol(self) -> &'static str {
        match self {
            Cmp::Eq => "==",
            Cmp::Ne => "!=",
            Cmp::Lt => "<",
            Cmp::Le => "<=",
            Cmp::Gt => ">",
            Cmp::Ge => ">=",
        }
    }
}

/// The built-in functions that take values.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Builtin {
    Now,
    Today,
    Lower,
    Upper,
    Contains,
    StartsWith,
    EndsWith,
    Len,
    DaysUntil,
    DaysSince,
    ManagerOf,
}

impl Builtin {
    pub fn from_name(name: &str) -> Option<Builtin> {
        Some(match name {
            "now" => Builtin::Now,
            "today" => Builtin::Today,
            "lower" => Builtin::Lower,
            "upper" => Builtin::Upper,
            "contains" => Builtin::Contains,
            "starts_with" => Builtin::StartsWith,
            "ends_with" => Builtin::EndsWith,
            "len" => Builtin::Len,
            "days_until" => Builtin::DaysUntil,
            "days_since" => Builtin::DaysSince,
            "manager_of" => Builtin::ManagerOf,
            _ => return None,
        })
    }

    pub fn name(self) -> &'static str {
        match self {
            Builtin::Now => "now",
            Builtin::Today => "today",
            Builtin::Lower => "lower",
            Builtin::Upper => "upper",
            Builtin::Contains => "contains",
            Builtin::StartsWith => "starts_with",
            Builtin::EndsWith => "ends_with",
            Builtin::Len => "len",
            Builtin::DaysUntil => "days_until",
            Builtin::DaysSince => "days_since",
            Builtin::ManagerOf => "manager_of",
        }
    }

    /// How many arguments it pops.
    pub fn arity(self) -> usize {
        match self {
            Builtin::Now | Builtin::Today => 0,
            Builtin::Contains | Builtin::StartsWith | Builtin::EndsWith => 2,
            _ => 1,
        }
    }
}

/// `did`, `count` and `last`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum History {
    Did,
    Count,
    Last,
}
