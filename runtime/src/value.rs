//! Run-time values: what record fields hold, what code computes, and how each is written
//! out in text and JSON.

use std::fmt::Write as _;
use std::sync::Arc;

use chrono::{DateTime, NaiveDate};
use play_compiler::program::{Const, Duration, Program};

/// One value. `Empty` is an optional value that is not there.
///
/// `repr(u8)` gives the enum a defined layout (a one-byte tag first, then each variant's
/// fields as a `repr(C)` struct), which the JIT's compiled conditions read (`jit/layout.rs`).
#[derive(Clone, Debug, Default, PartialEq, serde::Serialize, serde::Deserialize)]
#[repr(u8)]
pub enum Value {
    #[default]
    Empty,
    Bool(bool),
    Int(i64),
    Num(f64),
    Text(Arc<str>),
    Date(NaiveDate),
    /// A moment, in seconds since 1970 UTC.
    Moment(i64),
    Duration(Duration),
    /// Minutes after midnight.
    Time(u32),
    Enum {
        ty: u32,
        variant: u32,
    },
    /// A record, by type and id (a teammate's id is their email address).
    Ref {
        record: u32,
        id: Arc<str>,
    },
    List(Arc<[Value]>),
    Event(Arc<Happening>),
}

/// An event that happened: its type, moment, subject and payload by slot.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Happening {
    pub event: u32,
    pub at: i64,
    /// The id of the record it happened to.
    pub subject: Arc<str>,
    pub fields: Vec<Value>,
}

impl Value {
    pub fn text(s: &str) -> Value {
        Value::Text(Arc::from(s))
    }

    pub fn is_empty(&self) -> bool {
        matches!(self, Value::Empty)
    }

    /// The number, for any numeric value.
    pub fn number(&self) -> Option<f64> {
        match self {
            Value::Int(i) => Some(*i as f64),
            Value::Num(n) => Some(*n),
            _ => None,
        }
    }

    /// The id of a referenced record.
    pub fn id(&self) -> Option<&str> {
        match self {
            Value::Ref { id, .. } => Some(id),
            _ => None,
        }
    }

    /// The value of a pool constant; local datetimes need the workspace's time zone.
    pub fn from_const(c: &Const, local: impl Fn(chrono::NaiveDateTime) -> i64) -> Value {
        match c {
            Const::Bool(b) => Value::Bool(*b),
            Const::Int(i) => Value::Int(*i),
            Const::Number(n) => Value::Num(*n),
            Const::Text(t) => Value::text(t),
            Const::Date(d) => Value::Date(*d),
            Const::DateTime(s) => Value::Moment(*s),
            Const::LocalDateTime(t) => Value::Moment(local(*t)),
            Const::Duration(d) => Value::Duration(*d),
            Const::Time(m) => Value::Time(*m),
            Const::Enum { ty, variant } => Value::Enum { ty: *ty as u32, variant: *variant as u32 },
            Const::Ref { record, id } => Value::Ref { record: *record as u32, id: Arc::from(id.as_str()) },
        }
    }

    /// The value written out in text, as interpolation shows it.
    pub fn display(&self, program: &Program) -> String {
        match self {
            // `str::to_owned`, not `to_string`: that goes through `Display` for `Arc`.
            Value::Text(t) => (**t).to_owned(),
            Value::Ref { id, .. } => (**id).to_owned(),
            other => {
                let mut out = String::new();
                other.write_display(program, &mut out);
                out
            }
        }
    }

    /// The value written out in text, shared: a text's or reference's own, else
    /// [`Value::display`]'s in one allocation.
    pub fn shared_text(&self, program: &Program) -> Arc<str> {
        match self {
            Value::Text(t) => t.clone(),
            Value::Ref { id, .. } => id.clone(),
            other => Arc::from(other.display(program)),
        }
    }

    /// The value written out in text, as [`Value::display`] shows it, appended to `out`
    /// rather than in a text of its own, so that interpolation and JSON writing build
    /// their texts without one allocation per value.
    pub fn write_display(&self, program: &Program, out: &mut impl std::fmt::Write) {
        // Writing to a `String` (or an escaping writer over one) cannot fail.
        let _ = match self {
            Value::Enum { ty, variant } => out.write_str(
                program
                    .schema
                    .enums
                    .get(*ty as usize)
                    .and_then(|e| e.variants.get(*variant as usize))
                    .map_or("", String::as_str),
            ),
            Value::List(items) => {
                for (i, v) in items.iter().enumerate() {
                    if i > 0 {
                        let _ = out.write_str(", ");
                    }
                    v.write_display(program, out);
                }
                Ok(())
            }
            Value::Event(h) => {
                out.write_str(program.schema.events.get(h.event as usize).map_or("", |e| e.name.as_str()))
            }
            other => {
                other.write_scalar(out);
                Ok(())
            }
        };
    }

    /// [`Value::write_display`] for the values whose text needs nothing of the program
    /// (all but enums, events and lists, which write nothing here).
    pub(crate) fn write_scalar(&self, out: &mut impl std::fmt::Write) {
        let _ = match self {
            Value::Empty | Value::Enum { .. } | Value::Event(_) | Value::List(_) => Ok(()),
            Value::Bool(b) => write!(out, "{b}"),
            Value::Int(i) => write!(out, "{i}"),
            Value::Num(n) => write_number(*n, out),
            Value::Text(t) => out.write_str(t),
            Value::Date(d) => write!(out, "{d}"),
            Value::Moment(s) => out.write_str(&moment_text(*s)),
            Value::Duration(d) => out.write_str(&play_compiler::program::duration_text(d)),
            Value::Time(m) => write!(out, "{:02}:{:02}", m / 60, m % 60),
            Value::Ref { id, .. } => out.write_str(id),
        };
    }

    /// The value as JSON, for actions out and run history.
    pub fn to_json(&self, program: &Program) -> serde_json::Value {
        use serde_json::Value as J;
        match self {
            Value::Empty => J::Null,
            Value::Bool(b) => J::Bool(*b),
            Value::Int(i) => J::from(*i),
            // A whole number is written without `.0`, as the CRM sent it.
            Value::Num(n) if n.fract() == 0.0 && n.abs() < 9.0e15 => J::from(*n as i64),
            Value::Num(n) => serde_json::Number::from_f64(*n).map_or(J::Null, J::Number),
            Value::List(items) => J::Array(items.iter().map(|v| v.to_json(program)).collect()),
            other => J::String(other.display(program)),
        }
    }
}

/// A number without a needless `.0`, and at most a few decimals.
pub fn number_text(n: f64) -> String {
    let mut out = String::new();
    let _ = write_number(n, &mut out);
    out
}

/// [`number_text`] appended to `out`: the four decimals are written to a buffer on the
/// stack and trimmed there, so that no text is allocated for them.
fn write_number(n: f64, out: &mut impl std::fmt::Write) -> std::fmt::Result {
    if n.fract() == 0.0 && n.abs() < 1e15 {
        return write!(out, "{}", n as i64);
    }
    let mut digits = Digits::default();
    let spilled;
    let text = if write!(digits, "{n:.4}").is_ok() {
        digits.as_str()
    } else {
        // Longer than the buffer, which the largest `f64` (309 digits) is not.
        spilled = format!("{n:.4}");
        spilled.as_str()
    };
    out.write_str(text.trim_end_matches('0').trim_end_matches('.'))
}

/// A few hundred bytes of text on the stack, for a number written before it is trimmed.
struct Digits {
    bytes: [u8; 400],
    len: usize,
}

impl Default for Digits {
    fn default() -> Self {
        Digits { bytes: [0; 400], len: 0 }
    }
}

impl Digits {
    fn as_str(&self) -> &str {
        // Only whole `str`s are written (`write_str`), so the bytes are UTF-8.
        std::str::from_utf8(&self.bytes[..self.len]).unwrap_or_default()
    }
}

impl std::fmt::Write for Digits {
    fn write_str(&mut self, s: &str) -> std::fmt::Result {
        let end = self.len + s.len();
        let room = self.bytes.get_mut(self.len..end).ok_or(std::fmt::Error)?;
        room.copy_from_slice(s.as_bytes());
        self.len = end;
        Ok(())
    }
}

/// A moment in RFC 3339, UTC, to the second.
pub fn moment_text(seconds: i64) -> String {
    DateTime::from_timestamp(seconds, 0)
        .map_or_else(|| seconds.to_string(), |t| t.format("%Y-%m-%dT%H:%M:%SZ").to_string())
}
