//! Which leaves of a condition compiled code works out from the row's cells itself: a
//! field of the subject (inside its row) against a number, an enum variant, a truth value
//! or a date; a field equal (or not) to a text; a field against a clock
//! term (`today()`, `now()`, `today() + 90d`); a field `in` a list of enum variants;
//! `exists`. Every other leaf goes to the slow path.

use chrono::{Datelike, NaiveDate};
use play_compiler::program::{Cmp, Const};

use crate::vm::{Pred, Term};

/// A constant compared in place.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Constant {
    Int(i64),
    Number(f64),
    Bool(bool),
    Enum {
        ty: u32,
        variant: u32,
    },
    /// Days from the common era, as a date cell keeps them.
    Date(i64),
}

/// A leaf compiled code works out.
#[derive(Clone, Debug, PartialEq)]
pub enum Leaf {
    Exists {
        slot: u32,
    },
    Compare {
        slot: u32,
        cmp: Cmp,
        constant: Constant,
    },
    /// `==` or `!=` a text constant (`index`), compared by its number among the interned
    /// texts (`super::raw::Late::Text`).
    Text {
        slot: u32,
        cmp: Cmp,
        index: u32,
    },
    /// Compared with a term that reads only the clock (`super::raw::Late::Clock`), the
    /// field on the left.
    Clock {
        slot: u32,
        cmp: Cmp,
        term: *const Term,
    },
    /// (enum type, variant) of each constant.
    InEnums {
        slot: u32,
        variants: Vec<(u32, u32)>,
        negated: bool,
    },
}

/// The day numbers a date cell can hold (outside them it decodes as empty).
pub fn days() -> (i64, i64) {
    (i64::from(NaiveDate::MIN.num_days_from_ce()), i64::from(NaiveDate::MAX.num_days_from_ce()))
}

/// The constant `index`, if compiled code compares with it in place.
fn constant(consts: &[Const], index: u32) -> Option<Constant> {
    Some(match consts.get(index as usize)? {
        Const::Int(i) => Constant::Int(*i),
        Const::Number(n) => Constant::Number(*n),
        Const::Bool(b) => Constant::Bool(*b),
        Const::Enum { ty, variant } => {
            Constant::Enum { ty: u32::try_from(*ty).ok()?, variant: u32::try_from(*variant).ok()? }
        }
        Const::Date(d) => Constant::Date(i64::from(d.num_days_from_ce())),
        _ => return None,
    })
}

/// The leaf `pred` is, for a subject whose rows have `width` fields; `None` for the slow
/// path (a field past the row's end included: rare, and empty).
pub fn of(pred: &Pred, consts: &[Const], width: usize) -> Option<Leaf> {
    let inside = |slot: u32| (slot as usize) < width;
    match pred {
        Pred::Exists { slot } if inside(*slot) => Some(Leaf::Exists { slot: *slot }),
        Pred::Compare { slot, index, cmp } if inside(*slot) => match consts.get(*index as usize)? {
            Const::Text(_) if matches!(cmp, Cmp::Eq | Cmp::Ne) => {
                Some(Leaf::Text { slot: *slot, cmp: *cmp, index: *index })
            }
            _ => Some(Leaf::Compare { slot: *slot, cmp: *cmp, constant: constant(consts, *index)? }),
        },
        Pred::CompareTerms { left, right, cmp } => match (&**left, &**right) {
            (Term::Field(slot), clock) if inside(*slot) && is_clock(clock) => {
                Some(Leaf::Clock { slot: *slot, cmp: *cmp, term: clock })
            }
            (clock, Term::Field(slot)) if inside(*slot) && is_clock(clock) => {
                Some(Leaf::Clock { slot: *slot, cmp: flip(*cmp), term: clock })
            }
            _ => None,
        },
        Pred::In { slot, consts: items, negated } if inside(*slot) => {
            let variants = items
                .iter()
                .map(|i| match constant(consts, *i)? {
                    Constant::Enum { ty, variant } => Some((ty, variant)),
                    _ => None,
                })
                .collect::<Option<Vec<_>>>()?;
            Some(Leaf::InEnums { slot: *slot, variants, negated: *negated })
        }
        _ => None,
    }
}

/// Whether a term reads only the clock (and constants), so has one value a moment.
fn is_clock(term: &Term) -> bool {
    matches!(term, Term::Today | Term::Now | Term::Clock { .. })
}

/// The comparison with its sides swapped (`a < b` is `b > a`).
fn flip(cmp: Cmp) -> Cmp {
    match cmp {
        Cmp::Lt => Cmp::Gt,
        Cmp::Le => Cmp::Ge,
        Cmp::Gt => Cmp::Lt,
        Cmp::Ge => Cmp::Le,
        same => same,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields_against_numbers_enums_truth_values_and_dates_are_leaves_the_rest_are_not() {
        let date = NaiveDate::from_ymd_opt(2026, 3, 2).expect("a date");
        let consts = [Const::Int(7), Const::Enum { ty: 2, variant: 1 }, Const::Date(date), Const::Text("x".into())];
        let compare = |index| Pred::Compare { slot: 1, index, cmp: Cmp::Lt };
        assert_eq!(
            of(&compare(0), &consts, 4),
            Some(Leaf::Compare { slot: 1, cmp: Cmp::Lt, constant: Constant::Int(7) })
        );
        assert_eq!(
            of(&compare(2), &consts, 4),
            Some(Leaf::Compare { slot: 1, cmp: Cmp::Lt, constant: Constant::Date(i64::from(date.num_days_from_ce())) })
        );
        assert_eq!(of(&compare(3), &consts, 4), None, "a text in an ordering (equality is a `Text` leaf)");
        let equal = Pred::Compare { slot: 1, index: 3, cmp: Cmp::Eq };
        assert_eq!(of(&equal, &consts, 4), Some(Leaf::Text { slot: 1, cmp: Cmp::Eq, index: 3 }));
        assert_eq!(of(&compare(0), &consts, 1), None, "past the row");
        let within = |items: Vec<u32>| Pred::In { slot: 0, consts: items.into(), negated: true };
        assert_eq!(
            of(&within(vec![1]), &consts, 4),
            Some(Leaf::InEnums { slot: 0, variants: vec![(2, 1)], negated: true })
        );
        assert_eq!(of(&within(vec![1, 0]), &consts, 4), None, "not all enum variants");
        assert_eq!(of(&Pred::Exists { slot: 3 }, &consts, 4), Some(Leaf::Exists { slot: 3 }));
    }
}
