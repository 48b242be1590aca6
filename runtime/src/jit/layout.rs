//! Where compiled code finds things in a [`Value`]: its size, the tag of each variant the
//! JIT reads, and the offsets of their payloads. `Value` is `repr(u8)`, so its tag is the
//! first byte; the tags and offsets are measured here from real values (the offsets by
//! the addresses of their fields, in safe code), not written down, and tested.

use crate::value::Value;

/// What compiled code needs to know of `Value`'s layout.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Layout {
    /// `size_of::<Value>()`: the distance between two fields of a record.
    pub size: u32,
    pub empty: u8,
    pub bool_tag: u8,
    pub int_tag: u8,
    pub num_tag: u8,
    pub enum_tag: u8,
    /// Where a `Bool`'s byte is.
    pub bool_at: u32,
    /// Where an `Int`'s `i64` is.
    pub int_at: u32,
    /// Where a `Num`'s `f64` is.
    pub num_at: u32,
    /// Where an `Enum`'s type (`u32`) is.
    pub enum_ty_at: u32,
    /// Where an `Enum`'s variant (`u32`) is.
    pub enum_variant_at: u32,
}

/// How far `field` lies from the start of `value` (both addresses of the same value).
fn offset<T>(value: &Value, field: &T) -> u32 {
    let distance = (field as *const T as usize) - (value as *const Value as usize);
    distance as u32
}

impl Layout {
    /// The layout, measured from sample values.
    pub fn measure() -> Layout {
        let int = Value::Int(0);
        let num = Value::Num(0.0);
        let boolean = Value::Bool(false);
        let enumeration = Value::Enum { ty: 0, variant: 0 };
        Layout {
            size: std::mem::size_of::<Value>() as u32,
            empty: super::raw::tag(&Value::Empty),
            bool_tag: super::raw::tag(&boolean),
            int_tag: super::raw::tag(&int),
            num_tag: super::raw::tag(&num),
            enum_tag: super::raw::tag(&enumeration),
            bool_at: match &boolean {
                Value::Bool(b) => offset(&boolean, b),
                _ => unreachable!("a Bool"),
            },
            int_at: match &int {
                Value::Int(i) => offset(&int, i),
                _ => unreachable!("an Int"),
            },
            num_at: match &num {
                Value::Num(n) => offset(&num, n),
                _ => unreachable!("a Num"),
            },
            enum_ty_at: match &enumeration {
                Value::Enum { ty, .. } => offset(&enumeration, ty),
                _ => unreachable!("an Enum"),
            },
            enum_variant_at: match &enumeration {
                Value::Enum { variant, .. } => offset(&enumeration, variant),
                _ => unreachable!("an Enum"),
            },
        }
    }

    /// Whether the measured layout is one compiled code can use: distinct tags, and
    /// payloads inside the value, past the tag, and aligned.
    pub fn usable(&self) -> bool {
        let tags = [self.empty, self.bool_tag, self.int_tag, self.num_tag, self.enum_tag];
        let distinct = tags.iter().enumerate().all(|(i, t)| !tags[..i].contains(t));
        let fits = |at: u32, width: u32| at >= 1 && at % width == 0 && at + width <= self.size;
        distinct
            && fits(self.bool_at, 1)
            && fits(self.int_at, 8)
            && fits(self.num_at, 8)
            && fits(self.enum_ty_at, 4)
            && fits(self.enum_variant_at, 4)
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use chrono::NaiveDate;
    use play_compiler::program::Duration;

    use super::super::raw::{read, tag};
    use super::*;

    #[test]
    fn the_layout_is_usable_and_every_variant_has_its_own_tag() {
        let layout = Layout::measure();
        assert!(layout.usable(), "{layout:?}");
        let samples = [
            Value::Empty,
            Value::Bool(true),
            Value::Int(-1),
            Value::Num(f64::NAN),
            Value::text("x"),
            Value::Date(NaiveDate::from_ymd_opt(2026, 3, 2).expect("a date")),
            Value::Moment(-1),
            Value::Duration(Duration { seconds: -1, business_days: -1 }),
            Value::Time(1439),
            Value::Enum { ty: u32::MAX, variant: u32::MAX },
            Value::Ref { record: u32::MAX, id: Arc::from("a") },
            Value::List(Arc::from(vec![Value::Int(1)])),
        ];
        let tags: Vec<u8> = samples.iter().map(tag).collect();
        for (i, t) in tags.iter().enumerate() {
            assert!(!tags[..i].contains(t), "{:?} shares its tag {t}", samples[i]);
        }
        let [empty, boolean, int, num, .., enumeration, _, _] = &tags[..] else { panic!("twelve tags") };
        assert_eq!(
            [*empty, *boolean, *int, *num, *enumeration],
            [layout.empty, layout.bool_tag, layout.int_tag, layout.num_tag, layout.enum_tag]
        );
    }

    #[test]
    fn payloads_are_read_where_the_layout_says() {
        let layout = Layout::measure();
        for i in [0, 1, -1, i64::MIN, i64::MAX, 200_000] {
            assert_eq!(read::<i64>(&Value::Int(i), layout.int_at), i);
        }
        for n in [0.0, -0.0, 59.5, f64::INFINITY, f64::MIN_POSITIVE] {
            assert_eq!(read::<f64>(&Value::Num(n), layout.num_at).to_bits(), n.to_bits());
        }
        for b in [false, true] {
            assert_eq!(read::<u8>(&Value::Bool(b), layout.bool_at), u8::from(b));
        }
        for (ty, variant) in [(0, 0), (3, 7), (u32::MAX, 1), (1, u32::MAX)] {
            let v = Value::Enum { ty, variant };
            assert_eq!(read::<u32>(&v, layout.enum_ty_at), ty);
            assert_eq!(read::<u32>(&v, layout.enum_variant_at), variant);
        }
    }
}
