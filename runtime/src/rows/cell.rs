//! One field of a row: a tag byte and a payload of up to eight bytes. Truth values, whole numbers,
//! numbers (their bits, NaN included), dates (days), moments, times of day and enum
//! variants are the payload itself; texts and references name an interned text; the rare
//! rest (durations, lists, events) live in the table's side list of values.

use std::sync::Arc;

use chrono::{Datelike, NaiveDate};

use super::texts::Texts;
use crate::value::Value;

pub const EMPTY: u8 = 0;
pub const BOOL: u8 = 1;
pub const INT: u8 = 2;
pub const NUM: u8 = 3;
pub const TEXT: u8 = 4;
pub const DATE: u8 = 5;
pub const MOMENT: u8 = 6;
pub const TIME: u8 = 7;
pub const ENUM: u8 = 8;
pub const REF: u8 = 9;
/// The payload is the place of the value in the side list.
pub const OTHER: u8 = 10;

/// Values too wide for a payload, by place, with the free places.
#[derive(Default)]
pub struct Others {
    pub(crate) values: Vec<Value>,
    pub(crate) free: Vec<u32>,
}

impl Others {
    fn put(&mut self, value: Value) -> u64 {
        match self.free.pop() {
            Some(i) => {
                self.values[i as usize] = value;
                u64::from(i)
            }
            None => {
                self.values.push(value);
                (self.values.len() - 1) as u64
            }
        }
    }

    fn take(&mut self, i: u64) {
        if let Some(v) = self.values.get_mut(i as usize) {
            *v = Value::Empty;
            self.free.push(i as u32);
        }
    }
}

/// A value as a cell, its texts interned.
pub fn encode(value: Value, texts: &mut Texts, others: &mut Others) -> (u8, u64) {
    match value {
        Value::Empty => (EMPTY, 0),
        Value::Bool(b) => (BOOL, u64::from(b)),
        Value::Int(i) => (INT, i as u64),
        Value::Num(n) => (NUM, n.to_bits()),
        Value::Text(t) => (TEXT, u64::from(texts.intern(&t))),
        Value::Date(d) => (DATE, d.num_days_from_ce() as u32 as u64),
        Value::Moment(s) => (MOMENT, s as u64),
        Value::Time(m) => (TIME, u64::from(m)),
        Value::Enum { ty, variant } => (ENUM, (u64::from(ty) << 32) | u64::from(variant)),
        Value::Ref { record, id } => (REF, (u64::from(record) << 32) | u64::from(texts.intern(&id))),
        other @ (Value::Duration(_) | Value::List(_) | Value::Event(_)) => encode_aside(other, others),
    }
}

/// A value as a cell in the side list, whatever it is.
pub fn encode_aside(value: Value, others: &mut Others) -> (u8, u64) {
    (OTHER, others.put(value))
}

/// The value of a cell.
pub fn decode(tag: u8, payload: u64, texts: &Texts, others: &Others) -> Value {
    let high = (payload >> 32) as u32;
    let low = payload as u32;
    match tag {
        BOOL => Value::Bool(payload != 0),
        INT => Value::Int(payload as i64),
        NUM => Value::Num(f64::from_bits(payload)),
        TEXT => Value::Text(texts.get(low)),
        DATE => NaiveDate::from_num_days_from_ce_opt(low as i32).map_or(Value::Empty, Value::Date),
        MOMENT => Value::Moment(payload as i64),
        TIME => Value::Time(low),
        ENUM => Value::Enum { ty: high, variant: low },
        REF => Value::Ref { record: high, id: texts.get(low) },
        OTHER => others.values.get(payload as usize).cloned().unwrap_or_default(),
        _ => Value::Empty,
    }
}

/// Lets go of what a cell holds besides its payload (its text, its side value).
pub fn release(tag: u8, payload: u64, texts: &mut Texts, others: &mut Others) {
    match tag {
        TEXT | REF => texts.release(payload as u32),
        OTHER => others.take(payload),
        _ => {}
    }
}

/// Whether a cell holds `value`, without making the cell's value.
pub fn holds(tag: u8, payload: u64, value: &Value, texts: &Texts, others: &Others) -> bool {
    match (tag, value) {
        (EMPTY, Value::Empty) => true,
        (BOOL, Value::Bool(b)) => payload == u64::from(*b),
        (INT, Value::Int(i)) => payload == *i as u64,
        // As `Value`'s equality: NaN is not equal to itself, and 0.0 equals -0.0.
        (NUM, Value::Num(n)) => f64::from_bits(payload) == *n,
        (TEXT, Value::Text(t)) => texts_equal(texts, payload as u32, t),
        (REF, Value::Ref { record, id }) => (payload >> 32) as u32 == *record && texts_equal(texts, payload as u32, id),
        (OTHER, v) => others.values.get(payload as usize) == Some(v),
        (DATE | MOMENT | TIME | ENUM, _) => decode(tag, payload, texts, others) == *value,
        _ => false,
    }
}

fn texts_equal(texts: &Texts, n: u32, text: &Arc<str>) -> bool {
    texts.peek(n) == &**text
}
