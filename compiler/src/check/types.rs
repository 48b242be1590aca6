//! The types of Play values, and which of them fit together.

use std::fmt;

/// An index into the model's records.
pub type RecordId = usize;
/// An index into the model's enums.
pub type EnumId = usize;
/// An index into the model's events.
pub type EventId = usize;

#[derive(Clone, Debug, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub enum Ty {
    Text,
    Number,
    Int,
    Money,
    Bool,
    Date,
    DateTime,
    Duration,
    Time,
    Email,
    Url,
    List(Box<Ty>),
    Optional(Box<Ty>),
    Record(RecordId),
    Enum(EnumId),
    Event(EventId),
    /// The type of something already reported as wrong: fits everywhere, so that one
    /// mistake is reported once.
    Error,
}

impl Ty {
    pub fn optional(self) -> Ty {
        match self {
            Ty::Optional(_) | Ty::Error => self,
            t => Ty::Optional(Box::new(t)),
        }
    }

    pub fn is_optional(&self) -> bool {
        matches!(self, Ty::Optional(_))
    }

    /// The type without its `?`.
    pub fn required(&self) -> &Ty {
        match self {
            Ty::Optional(t) => t,
            t => t,
        }
    }

    pub fn is_error(&self) -> bool {
        matches!(self, Ty::Error)
    }

    pub fn is_numeric(&self) -> bool {
        matches!(self, Ty::Number | Ty::Int | Ty::Money | Ty::Error)
    }

    pub fn is_textual(&self) -> bool {
        matches!(self, Ty::Text | Ty::Email | Ty::Url | Ty::Error)
    }

    pub fn is_moment(&self) -> bool {
        matches!(self, Ty::Date | Ty::DateTime | Ty::Error)
    }

    /// Whether a value of type `self` may stand where `want` is expected: the same type,
    /// or within the same family (numbers; text, emails and addresses), or a required
    /// value where an optional one is allowed.
    pub fn fits(&self, want: &Ty) -> bool {
        if self.is_error() || want.is_error() {
            return true;
        }
        match (self, want) {
            (Ty::Optional(a), Ty::Optional(b)) => a.fits(b),
            (a, Ty::Optional(b)) => a.fits(b),
            (Ty::Optional(_), _) => false,
            (Ty::List(a), Ty::List(b)) => a.fits(b),
            (a, b) if a.is_numeric() && b.is_numeric() => *a == Ty::Int || *b != Ty::Int || a == b,
            (Ty::Text, Ty::Email | Ty::Url) => true,
            (Ty::Email | Ty::Url, Ty::Text) => true,
            (a, b) => a == b,
        }
    }

    /// Whether two values can be compared with `==`.
    pub fn comparable(&self, other: &Ty) -> bool {
        self.fits(other) || other.fits(self)
    }
}

/// Names for types in messages need the model (record and enum names).
pub struct Display<'a> {
    pub ty: &'a Ty,
    pub names: &'a dyn Fn(&Ty) -> String,
}

impl fmt::Display for Display<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&(self.names)(self.ty))
    }
}

/// The built-in type for a name, if it is one (`List` and `Map` take arguments and are
/// handled where type expressions are read).
pub fn builtin(name: &str) -> Option<Ty> {
    Some(match name {
        "Text" => Ty::Text,
        "Number" => Ty::Number,
        "Int" => Ty::Int,
        "Money" => Ty::Money,
        "Bool" => Ty::Bool,
        "Date" => Ty::Date,
        "DateTime" => Ty::DateTime,
        "Duration" => Ty::Duration,
        "Time" => Ty::Time,
        "Email" => Ty::Email,
        "Url" => Ty::Url,
        _ => return None,
    })
}

pub const BUILTIN_NAMES: &[&str] =
    &["Text", "Number", "Int", "Money", "Bool", "Date", "DateTime", "Duration", "Time", "Email", "Url", "List"];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_mix_but_int_stays_whole() {
        assert!(Ty::Int.fits(&Ty::Number));
        assert!(Ty::Number.fits(&Ty::Money));
        assert!(!Ty::Number.fits(&Ty::Int));
    }

    #[test]
    fn optional_values_do_not_fit_required_places() {
        assert!(Ty::Text.fits(&Ty::Text.optional()));
        assert!(!Ty::Text.optional().fits(&Ty::Text));
    }
}

/// Where a record's email address is: the rule that makes any record a recipient of
/// `email`, `email_task` and `enroll`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum AddressField {
    /// The field named `email` of type `Email` (or `Email?`), else the only such field.
    One(usize),
    /// The record has no `Email` field.
    None,
    /// Several `Email` fields and none named `email`: the field to use must be written.
    Several(Vec<usize>),
}

/// Finds a record's address field among its fields, `(name, type)` in slot order.
pub fn address_field<'f>(fields: impl IntoIterator<Item = (&'f str, &'f Ty)>) -> AddressField {
    let emails: Vec<(usize, &str)> = fields
        .into_iter()
        .enumerate()
        .filter(|(_, (_, ty))| ty.required() == &Ty::Email)
        .map(|(slot, (name, _))| (slot, name))
        .collect();
    if let Some((slot, _)) = emails.iter().find(|(_, name)| *name == "email") {
        return AddressField::One(*slot);
    }
    match emails.as_slice() {
        [] => AddressField::None,
        [(slot, _)] => AddressField::One(*slot),
        several => AddressField::Several(several.iter().map(|(slot, _)| *slot).collect()),
    }
}
