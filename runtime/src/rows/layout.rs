//! Each field's cell width, fixed by its type in the schema: numbers, whole numbers, money
//! and moments take eight bytes; truth values, texts, dates, times, enum variants,
//! references (and the side-list place of lists and durations) four. A row is then fixed
//! width, each field at a constant place among its table's wide or narrow cells.

use play_compiler::check::types::Ty;
use play_compiler::program::RecordDef;

use super::cell::{ENUM, REF};

/// How a field's payload is kept.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Width {
    /// Eight bytes: any payload.
    Wide,
    /// Four bytes: the payload's low half. An enum variant's or a reference's high half
    /// (its enum or record type) is the field's `high`; any other payload's is zero. A
    /// value whose payload does not fit goes to the table's side list.
    Narrow { high: u32 },
}

/// The width a field of type `ty` is kept in.
pub fn of_type(ty: &Ty) -> Width {
    match ty {
        Ty::Optional(t) => of_type(t),
        Ty::Number | Ty::Int | Ty::Money | Ty::DateTime => Width::Wide,
        Ty::Enum(e) => Width::Narrow { high: u32::try_from(*e).unwrap_or(u32::MAX) },
        Ty::Record(r) => Width::Narrow { high: u32::try_from(*r).unwrap_or(u32::MAX) },
        Ty::Text
        | Ty::Email
        | Ty::Url
        | Ty::Bool
        | Ty::Date
        | Ty::Time
        | Ty::Duration
        | Ty::List(_)
        | Ty::Event(_)
        | Ty::Error => Width::Narrow { high: 0 },
    }
}

/// The widths of a record type's fields, in slot order.
pub fn of_record(def: &RecordDef) -> Vec<Width> {
    def.fields.iter().map(|f| of_type(&f.ty)).collect()
}

/// The tag a number field of type `ty` holds when it holds what its type says (`NUM` for
/// a number or money, as change lines give them, `INT` for a whole number), `EMPTY` for
/// any other type: compiled scans test that kind alone first.
pub fn number_tag(ty: &Ty) -> u8 {
    match ty {
        Ty::Optional(t) => number_tag(t),
        Ty::Number | Ty::Money => super::cell::NUM,
        Ty::Int => super::cell::INT,
        _ => super::cell::EMPTY,
    }
}

/// [`number_tag`] of each field of a record type, in slot order.
pub fn number_tags(def: &RecordDef) -> Vec<u8> {
    def.fields.iter().map(|f| number_tag(&f.ty)).collect()
}

/// Where each field is among a row's cells: its place among the wide or among the narrow
/// ones, and how many wide and narrow cells a row has.
pub fn places(widths: &[Width]) -> (Vec<u32>, usize, usize) {
    let (mut wide, mut narrow) = (0, 0);
    let places = widths
        .iter()
        .map(|w| {
            let n = if *w == Width::Wide { &mut wide } else { &mut narrow };
            *n += 1;
            (*n - 1) as u32
        })
        .collect();
    (places, wide, narrow)
}

/// Every row layout (list of widths) seen in this process, numbered: two tables, or a
/// table and compiled code, agree on where each field is exactly when their numbers are
/// equal. Number 0 is the layout with no fields.
static LAYOUTS: std::sync::Mutex<Vec<Vec<Width>>> = std::sync::Mutex::new(Vec::new());

/// The number of the layout `widths` (the same for the same widths, all through the
/// process). Called when a table is reshaped and when code is compiled, never per row.
pub fn layout_id(widths: &[Width]) -> u32 {
    if widths.is_empty() {
        return 0;
    }
    let mut all = LAYOUTS.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
    match all.iter().position(|w| w == widths) {
        Some(i) => i as u32 + 1,
        None => {
            all.push(widths.to_vec());
            all.len() as u32
        }
    }
}

/// The low half a narrow cell of `high` keeps of a payload, if the payload fits it.
pub fn narrow(tag: u8, payload: u64, high: u32) -> Option<u32> {
    let expected = if matches!(tag, ENUM | REF) { high } else { 0 };
    ((payload >> 32) as u32 == expected).then_some(payload as u32)
}

/// A narrow cell's payload whole again.
pub fn whole(tag: u8, low: u32, high: u32) -> u64 {
    let high = if matches!(tag, ENUM | REF) { high } else { 0 };
    (u64::from(high) << 32) | u64::from(low)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_and_moments_take_eight_bytes_the_rest_four() {
        assert_eq!(of_type(&Ty::Money), Width::Wide);
        assert_eq!(of_type(&Ty::Optional(Box::new(Ty::DateTime))), Width::Wide);
        assert_eq!(of_type(&Ty::Optional(Box::new(Ty::Enum(3)))), Width::Narrow { high: 3 });
        assert_eq!(of_type(&Ty::Record(2)), Width::Narrow { high: 2 });
        assert_eq!(of_type(&Ty::Date), Width::Narrow { high: 0 });
        // An enum variant of the field's own enum fits; one of another enum does not.
        let variant = (3u64 << 32) | 5;
        assert_eq!(narrow(ENUM, variant, 3), Some(5));
        assert_eq!(narrow(ENUM, variant, 4), None);
        assert_eq!(whole(ENUM, 5, 3), variant);
        // A whole number fits only when it needs no more than the low half.
        assert_eq!(narrow(super::super::cell::INT, 7, 3), Some(7));
        assert_eq!(narrow(super::super::cell::INT, -1i64 as u64, 0), None);
    }

    #[test]
    fn numbers_and_money_are_expected_as_numbers_whole_numbers_as_whole_numbers() {
        use super::super::cell::{EMPTY, INT, NUM};
        assert_eq!(number_tag(&Ty::Optional(Box::new(Ty::Money))), NUM);
        assert_eq!(number_tag(&Ty::Number), NUM);
        assert_eq!(number_tag(&Ty::Int), INT);
        assert_eq!(number_tag(&Ty::Date), EMPTY);
    }

    #[test]
    fn the_same_widths_get_the_same_layout_number_and_other_widths_another() {
        let a = [Width::Wide, Width::Narrow { high: 3 }, Width::Narrow { high: 0 }];
        let b = [Width::Wide, Width::Narrow { high: 4 }, Width::Narrow { high: 0 }];
        let same = [Width::Wide, Width::Narrow { high: 3 }, Width::Narrow { high: 0 }];
        assert_eq!(layout_id(&a), layout_id(&same));
        assert_ne!(layout_id(&a), layout_id(&b));
        assert_ne!(layout_id(&a[..2]), layout_id(&a));
        assert_eq!(layout_id(&[]), 0);
        assert_eq!(places(&a), (vec![0, 0, 1], 1, 2));
    }
}
