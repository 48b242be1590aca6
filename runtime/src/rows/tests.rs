//! Rows give back exactly the values written into them, for every kind of value, and let
//! go of the texts no field holds any more.

use std::sync::Arc;

use chrono::NaiveDate;
use play_compiler::program::Duration;
use proptest::prelude::*;

use super::{CellOrder, Meta, Table, TableSnap, Texts, TextsSnap, Width};
use crate::value::{Happening, Value};

/// The same value, NaN included (whose bits are kept as written).
fn same(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Num(x), Value::Num(y)) => x.to_bits() == y.to_bits(),
        (Value::List(x), Value::List(y)) => x.len() == y.len() && x.iter().zip(y.iter()).all(|(a, b)| same(a, b)),
        (Value::Event(x), Value::Event(y)) => {
            (x.event, x.at, &x.subject) == (y.event, y.at, &y.subject)
                && x.fields.len() == y.fields.len()
                && x.fields.iter().zip(&y.fields).all(|(a, b)| same(a, b))
        }
        _ => a == b,
    }
}

fn text() -> impl Strategy<Value = Arc<str>> {
    prop_oneof![
        // Shared texts: a few, held by many fields.
        prop::sample::select(vec!["", "Enterprise", "csm1@example.com", "é 🚀"]).prop_map(Arc::from),
        "[a-z]{0,12}".prop_map(|s| Arc::from(s.as_str())),
        // Long texts.
        (0usize..3).prop_map(|n| Arc::from("x".repeat(1000 + n * 4096).as_str())),
    ]
}

fn date() -> impl Strategy<Value = NaiveDate> {
    prop_oneof![
        Just(NaiveDate::MIN),
        Just(NaiveDate::MAX),
        Just(NaiveDate::from_ymd_opt(1970, 1, 1).expect("a date")),
        (-200_000i32..3_000_000).prop_filter_map("a date", NaiveDate::from_num_days_from_ce_opt),
    ]
}

fn value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Empty),
        any::<bool>().prop_map(Value::Bool),
        prop_oneof![Just(i64::MIN), Just(i64::MAX), Just(0), any::<i64>()].prop_map(Value::Int),
        prop_oneof![
            Just(f64::NAN),
            Just(-f64::NAN),
            Just(f64::INFINITY),
            Just(f64::NEG_INFINITY),
            Just(-0.0),
            Just(f64::MIN_POSITIVE),
            any::<f64>()
        ]
        .prop_map(Value::Num),
        text().prop_map(Value::Text),
        date().prop_map(Value::Date),
        prop_oneof![Just(i64::MIN), Just(i64::MAX), any::<i64>()].prop_map(Value::Moment),
        (any::<i64>(), any::<i64>()).prop_map(|(s, b)| Value::Duration(Duration { seconds: s, business_days: b })),
        (0u32..1440).prop_map(Value::Time),
        (any::<u32>(), any::<u32>()).prop_map(|(ty, variant)| Value::Enum { ty, variant }),
        (any::<u32>(), text()).prop_map(|(record, id)| Value::Ref { record, id }),
    ];
    leaf.prop_recursive(2, 8, 4, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(|v| Value::List(Arc::from(v))),
            (any::<i64>(), text(), prop::collection::vec(inner, 0..3)).prop_map(|(at, subject, fields)| {
                Value::Event(Arc::new(Happening { event: 1, at, subject, fields }))
            }),
        ]
    })
}

/// A field's width, narrow ones of the types values are generated with and others.
fn width() -> impl Strategy<Value = Width> {
    prop_oneof![
        Just(Width::Wide),
        prop_oneof![Just(0u32), Just(1), Just(u32::MAX), any::<u32>()].prop_map(|high| Width::Narrow { high })
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    /// Records written field by field, overwritten, widened and cleared: each row reads
    /// back what was last written, `holds` agrees with equality, and once every row is
    /// cleared no text is held.
    #[test]
    fn rows_read_back_what_was_written(
        records in prop::collection::vec(prop::collection::vec(value(), 1..6), 1..6),
        overwrites in prop::collection::vec((0usize..6, 0usize..6, value()), 0..12),
        wider in 0usize..3,
        widths in prop::collection::vec(width(), 0..9),
        reshaped in 0usize..12,
    ) {
        let mut texts = Texts::default();
        let mut table = Table::default();
        let mut expected: Vec<Vec<Value>> = Vec::new();
        for (i, fields) in records.iter().enumerate() {
            table.widen(fields.len(), &mut texts);
            let row = table.row_of(&Arc::from(format!("r{i}").as_str()));
            table.meta[row as usize].present = true;
            for (slot, v) in fields.iter().enumerate() {
                table.set(row, slot, v.clone(), &mut texts);
            }
            expected.push(fields.clone());
        }
        let width = table.width() + wider;
        table.widen(width, &mut texts);
        for e in &mut expected {
            e.resize(width, Value::Empty);
        }
        // Fields kept narrow or wide as a schema may say, before some of the overwrites.
        let widths = widths[..widths.len().min(width)].to_vec();
        let reshaped = reshaped.min(overwrites.len());
        for (i, (r, slot, v)) in overwrites.into_iter().enumerate() {
            if i == reshaped {
                table.reshape(widths.clone(), &mut texts);
            }
            let (r, slot) = (r % expected.len(), slot % width);
            let before = table.set(r as u32, slot, v.clone(), &mut texts);
            prop_assert!(same(&before, &expected[r][slot]), "{before:?} was not {:?}", expected[r][slot]);
            expected[r][slot] = v;
        }
        table.reshape(widths, &mut texts);
        for (r, want) in expected.iter().enumerate() {
            let id = format!("r{r}");
            let row = table.record(&id, &texts).expect("the record is there");
            prop_assert_eq!(row.len(), width);
            for (slot, v) in want.iter().enumerate() {
                let got = row.value(slot);
                prop_assert!(same(&got, v), "{got:?} read back for {v:?}");
                prop_assert_eq!(row.has(slot), !v.is_empty());
                prop_assert_eq!(table.holds(r as u32, slot, v, &texts), got == *v);
            }
            prop_assert_eq!(row.get(width), None);
        }
        // Through a snapshot and back: the same rows at the same numbers, the same texts;
        // and through one of the previous format (the cells row after row).
        let bytes = postcard::to_stdvec(&(TableSnap::of(&table), TextsSnap::of(&texts))).expect("writes");
        for order in [CellOrder::Columns, CellOrder::Rows] {
            let (snap, texts_snap): (TableSnap, TextsSnap) = postcard::from_bytes(&bytes).expect("reads");
            let snap = if order == CellOrder::Rows { snap.into_row_major() } else { snap };
            let back_texts = texts_snap.into_texts().expect("the texts fit");
            let meta = table.meta.iter().map(|m| Meta { present: m.present, ..Meta::default() }).collect();
            let back = snap.into_table(meta, &back_texts, order).expect("the table fits");
            prop_assert_eq!(back_texts.len(), texts.len());
            prop_assert_eq!(back.stride(), back.rows());
            for (r, want) in expected.iter().enumerate() {
                prop_assert_eq!(back.find(&format!("r{r}")), Some(r as u32));
                for (slot, v) in want.iter().enumerate() {
                    prop_assert!(same(&back.row(r as u32, &back_texts).value(slot), v));
                    prop_assert_eq!(back.cell(r as u32, slot), table.cell(r as u32, slot));
                }
            }
            // Written again, it gives the same bytes as the table it came from.
            let again = postcard::to_stdvec(&(TableSnap::of(&back), TextsSnap::of(&back_texts))).expect("writes");
            prop_assert_eq!(&again, &bytes);
        }
        for r in 0..expected.len() {
            table.clear(r as u32, &mut texts);
        }
        prop_assert_eq!(texts.len(), 0);
    }
}

#[test]
fn cells_are_column_after_column_and_stay_put_as_the_table_grows() {
    let mut texts = Texts::default();
    let mut table = Table::default();
    table.reshape(vec![Width::Wide, Width::Narrow { high: 0 }, Width::Wide], &mut texts);
    // 16 rows, then room grown by 16, then by an eighth, and so on: every row written
    // before reads back after each move, and the columns are `stride` apart.
    for i in 0..200u32 {
        let row = table.row_of(&Arc::from(format!("a{i}").as_str()));
        table.set(row, 0, Value::Int(i64::from(i)), &mut texts);
        table.set(row, 1, Value::Bool(i % 2 == 0), &mut texts);
        table.set(row, 2, Value::Num(f64::from(i) / 2.0), &mut texts);
        assert!(table.stride() >= table.rows());
    }
    // 16 more at a time up to 144 rows, then an eighth more: 162, 182, 204.
    assert_eq!(table.stride(), 204);
    let (tags, wide, narrow) = table.cells();
    let stride = table.stride();
    assert_eq!((tags.len(), wide.len(), narrow.len()), (3 * stride, 2 * stride, stride));
    for r in 0..200usize {
        assert_eq!(table.row(r as u32, &texts).value(0), Value::Int(r as i64));
        assert_eq!(
            (tags[r], tags[stride + r], tags[2 * stride + r]),
            (super::cell::INT, super::cell::BOOL, super::cell::NUM)
        );
        assert_eq!(wide[r], r as u64);
        assert_eq!(f64::from_bits(wide[stride + r]), r as f64 / 2.0);
        assert_eq!(narrow[r], u32::from(r % 2 == 0));
    }
    // The room past the rows is empty.
    assert!(tags[200..stride].iter().all(|t| *t == super::cell::EMPTY));
    // Compiled code reads a row from its cells on, a column `stride` apart.
    let (tags, wide, _, at) = table.row(7, &texts).cells();
    assert_eq!((tags[0], tags[2 * at], wide[0], at), (super::cell::INT, super::cell::NUM, 7, stride));
}

#[test]
fn a_text_held_by_many_records_is_kept_once() {
    let mut texts = Texts::default();
    let mut table = Table::default();
    table.widen(2, &mut texts);
    for i in 0..1000 {
        let row = table.row_of(&Arc::from(format!("a{i}").as_str()));
        table.set(row, 0, Value::text("Enterprise"), &mut texts);
        table.set(row, 1, Value::Ref { record: 0, id: Arc::from("csm1@example.com") }, &mut texts);
    }
    assert_eq!(texts.len(), 2);
    assert_eq!(table.rows(), 1000);
    assert_eq!(table.find("a999"), Some(999));
    assert_eq!(table.find("a1000"), None);
}

#[test]
fn a_snapshot_of_a_table_that_does_not_add_up_is_refused() {
    let mut texts = Texts::default();
    let mut table = Table::default();
    table.widen(2, &mut texts);
    let row = table.row_of(&Arc::from("a1"));
    table.set(row, 0, Value::text("Enterprise"), &mut texts);
    let bytes = postcard::to_stdvec(&TableSnap::of(&table)).expect("writes");
    let read = || postcard::from_bytes::<TableSnap>(&bytes).expect("reads");
    // Without the text its cell names.
    let error = read().into_table(vec![Meta::default()], &Texts::default(), CellOrder::Columns).err().expect("refused");
    assert!(error.contains("`a1`"), "{error}");
    // With bookkeeping for another number of rows.
    assert!(read().into_table(Vec::new(), &texts, CellOrder::Columns).is_err());
    assert!(read().into_table(vec![Meta::default()], &texts, CellOrder::Columns).is_ok());
}
