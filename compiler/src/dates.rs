//! The one reading of date and datetime text, shared by `.play` literals and change lines:
//! exactly `YYYY-MM-DD`, and `YYYY-MM-DDTHH:MM[:SS[.fraction]][Z|±HH:MM]` — no signs, no
//! short fields, no spaces, years 0001 to 9999, seconds 00 to 59 (no leap seconds).

use chrono::{NaiveDate, NaiveDateTime, NaiveTime};

/// A datetime as written: the local date and time, and the offset from UTC in seconds when
/// one was written (`Z` is 0). Without an offset it is read in the workspace's time zone.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct DateTimeText {
    pub local: NaiveDateTime,
    pub offset: Option<i32>,
}

impl DateTimeText {
    /// Seconds since 1970-01-01T00:00:00Z, when the text carries its offset.
    pub fn timestamp(&self) -> Option<i64> {
        self.offset.map(|o| self.local.and_utc().timestamp() - i64::from(o))
    }
}

/// Whether a fraction of a second may follow the seconds (change lines: yes; `.play`
/// literals: no, the grammar has no such form).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Fraction {
    Allowed,
    Refused,
}

/// Reads `YYYY-MM-DD` and nothing else: `2026-3-2`, `+2026-03-02`, `26-01-01`,
/// `0000-01-01`, ` 2026-03-02` and `2026-02-30` are `None`.
pub fn parse_date(text: &str) -> Option<NaiveDate> {
    let b = text.as_bytes();
    if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
        return None;
    }
    let year = digits(b, 0, 4)?;
    let month = digits(b, 5, 2)?;
    let day = digits(b, 8, 2)?;
    if year == 0 {
        return None;
    }
    NaiveDate::from_ymd_opt(year as i32, month, day)
}

/// Reads `YYYY-MM-DDTHH:MM`, with optional `:SS` (and, where `fraction` allows, `.` and up
/// to nine digits), and an optional `Z` or `±HH:MM` offset of less than 24 hours.
pub fn parse_datetime(text: &str, fraction: Fraction) -> Option<DateTimeText> {
    let b = text.as_bytes();
    if b.len() < 16 || b[10] != b'T' || b[13] != b':' {
        return None;
    }
    let date = parse_date(text.get(..10)?)?;
    let hour = digits(b, 11, 2)?;
    let minute = digits(b, 14, 2)?;
    let mut at = 16;
    let mut second = 0;
    let mut nanos = 0;
    if b.get(at) == Some(&b':') {
        second = digits(b, at + 1, 2)?;
        at += 3;
        if b.get(at) == Some(&b'.') && fraction == Fraction::Allowed {
            let n = b[at + 1..].iter().take_while(|c| c.is_ascii_digit()).count();
            if n == 0 || n > 9 {
                return None;
            }
            nanos = digits(b, at + 1, n)? * 10u32.pow(9 - n as u32);
            at += 1 + n;
        }
    }
    if hour > 23 || minute > 59 || second > 59 {
        return None;
    }
    let offset = match &b[at..] {
        [] => None,
        [b'Z'] => Some(0),
        [sign @ (b'+' | b'-'), _, _, b':', _, _] => {
            let (h, m) = (digits(b, at + 1, 2)?, digits(b, at + 4, 2)?);
            if h > 23 || m > 59 {
                return None;
            }
            let seconds = (h * 3600 + m * 60) as i32;
            Some(if *sign == b'-' { -seconds } else { seconds })
        }
        _ => return None,
    };
    let time = NaiveTime::from_hms_nano_opt(hour, minute, second, nanos)?;
    Some(DateTimeText { local: date.and_time(time), offset })
}

/// The number written by `len` ASCII digits at `at`, or `None` if any is not a digit.
fn digits(b: &[u8], at: usize, len: usize) -> Option<u32> {
    let field = b.get(at..at + len)?;
    field.iter().try_fold(0u32, |n, c| c.is_ascii_digit().then(|| n * 10 + u32::from(c - b'0')))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_documented_date_form_is_read() {
        assert_eq!(parse_date("2026-03-02"), NaiveDate::from_ymd_opt(2026, 3, 2));
        assert_eq!(parse_date("0001-01-01"), NaiveDate::from_ymd_opt(1, 1, 1));
        for bad in ["26-1-1", "2026-3-2", " 2026-03-02", "2026-03-02 ", "+2026-03-02", "0000-01-01", "2026-02-30"] {
            assert_eq!(parse_date(bad), None, "{bad}");
        }
        for bad in ["2026-13-01", "2026-00-10", "2026-01-00", "20260-01-01", "2026/01/01", "２０２６-01-01"] {
            assert_eq!(parse_date(bad), None, "{bad}");
        }
    }

    #[test]
    fn datetimes_read_with_or_without_seconds_and_offset() {
        let at = |s| parse_datetime(s, Fraction::Refused).and_then(|d| d.timestamp());
        assert_eq!(at("2026-01-01T00:00+01:00"), Some(1_767_222_000));
        assert_eq!(at("2026-03-02T09:00Z"), Some(1_772_442_000));
        assert_eq!(at("2026-03-02T09:00:00Z"), Some(1_772_442_000));
        assert_eq!(at("2026-03-02T09:00:00-01:30"), Some(1_772_442_000 + 5400));
        let local = parse_datetime("2026-03-02T09:00", Fraction::Refused).expect("local");
        assert_eq!((local.offset, local.local.to_string().as_str()), (None, "2026-03-02 09:00:00"));
    }

    #[test]
    fn lenient_datetimes_are_refused() {
        for bad in [
            "2026-03-02T09:00:60Z",
            "2026-03-02T23:59:60Z",
            "2026-03-02T24:00Z",
            "2026-03-02T09:60",
            "2026-03-02t09:00",
            "2026-03-02 09:00",
            "2026-03-02T9:00",
            "2026-03-02T09:00z",
            "2026-03-02T09:00+24:00",
            "2026-03-02T09:00+0100",
            "2026-03-02T09:00:00.5Z",
            " 2026-03-02T09:00",
            "0000-03-02T09:00",
        ] {
            assert_eq!(parse_datetime(bad, Fraction::Refused), None, "{bad}");
        }
        let f = parse_datetime("2026-03-02T09:00:00.25Z", Fraction::Allowed).expect("a fraction");
        assert_eq!(f.local.and_utc().timestamp_subsec_millis(), 250);
        assert_eq!(parse_datetime("2026-03-02T09:00:00.Z", Fraction::Allowed), None);
        assert_eq!(parse_datetime("2026-03-02T09:00.5Z", Fraction::Allowed), None);
    }
}
