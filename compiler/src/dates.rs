//! The one reading of date, datetime and time-of-day text, shared by `.play` literals,
//! change lines and the command line: exactly `YYYY-MM-DD`, `HH:MM`, and
//! `YYYY-MM-DDTHH:MM[:SS[.fraction]][Z|±HH:MM]` — no signs, no short fields, no spaces,
//! years 0001 to 9999. Two forms of datetime differ in what they allow (`Form`).

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

/// Which datetimes are read.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Form {
    /// `.play` literals: seconds optional, no fraction, `T` and `Z` upper case, seconds to 59.
    Literal,
    /// RFC 3339, as change lines write moments: seconds required, a fraction of up to nine
    /// digits allowed, `t` and `z` in either case, and `:60`, a leap second, only in the
    /// last minute of a UTC day (taken as its 59th second).
    Rfc3339,
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

/// Reads `HH:MM` (hours 00 to 23), in minutes after midnight.
pub fn parse_time(text: &str) -> Option<u32> {
    let b = text.as_bytes();
    if b.len() != 5 || b[2] != b':' {
        return None;
    }
    let (hour, minute) = (digits(b, 0, 2)?, digits(b, 3, 2)?);
    (hour < 24 && minute < 60).then_some(hour * 60 + minute)
}

/// Reads a datetime of the given form: `YYYY-MM-DDTHH:MM`, then `:SS` (optional in a
/// literal), a fraction (RFC 3339 only), and an optional `Z` or `±HH:MM` offset of less than
/// 24 hours.
pub fn parse_datetime(text: &str, form: Form) -> Option<DateTimeText> {
    let rfc = form == Form::Rfc3339;
    let b = text.as_bytes();
    let t_ok = |c: u8| c == b'T' || (rfc && c == b't');
    if b.len() < 16 || !t_ok(b[10]) || b[13] != b':' {
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
        if b.get(at) == Some(&b'.') && rfc {
            let n = b[at + 1..].iter().take_while(|c| c.is_ascii_digit()).count();
            if n == 0 || n > 9 {
                return None;
            }
            nanos = digits(b, at + 1, n)? * 10u32.pow(9 - n as u32);
            at += 1 + n;
        }
    } else if rfc {
        return None;
    }
    let leap = rfc && second == 60;
    if hour > 23 || minute > 59 || (second > 59 && !leap) {
        return None;
    }
    let offset = match &b[at..] {
        [] => None,
        [b'Z'] => Some(0),
        [b'z'] if rfc => Some(0),
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
    let time = NaiveTime::from_hms_nano_opt(hour, minute, if leap { 59 } else { second }, nanos)?;
    let written = DateTimeText { local: date.and_time(time), offset };
    if leap {
        // Only the last minute of a UTC day has a 61st second.
        let utc = chrono::DateTime::from_timestamp(written.timestamp()?, 0)?;
        if (chrono::Timelike::hour(&utc), chrono::Timelike::minute(&utc)) != (23, 59) {
            return None;
        }
    }
    Some(written)
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
        let at = |s| parse_datetime(s, Form::Literal).and_then(|d| d.timestamp());
        assert_eq!(at("2026-01-01T00:00+01:00"), Some(1_767_222_000));
        assert_eq!(at("2026-03-02T09:00Z"), Some(1_772_442_000));
        assert_eq!(at("2026-03-02T09:00:00Z"), Some(1_772_442_000));
        assert_eq!(at("2026-03-02T09:00:00-01:30"), Some(1_772_442_000 + 5400));
        let local = parse_datetime("2026-03-02T09:00", Form::Literal).expect("local");
        assert_eq!((local.offset, local.local.to_string().as_str()), (None, "2026-03-02 09:00:00"));
    }

    #[test]
    fn a_leap_second_is_taken_only_at_the_end_of_a_utc_day() {
        let rfc = |s| parse_datetime(s, Form::Rfc3339);
        assert!(rfc("2016-12-31T23:59:60Z").is_some());
        assert!(rfc("2017-01-01T00:59:60+01:00").is_some());
        assert!(rfc("2026-03-02T09:00:60Z").is_none());
        assert!(rfc("2016-12-31T23:59:60").is_none());
        assert!(parse_datetime("2016-12-31T23:59:60Z", Form::Literal).is_none());
    }

    #[test]
    fn times_of_day_are_two_two_digits() {
        assert_eq!(parse_time("09:30"), Some(570));
        for bad in ["9:30", "24:00", "09:60", "09:30:00", " 09:30"] {
            assert_eq!(parse_time(bad), None, "{bad}");
        }
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
            assert_eq!(parse_datetime(bad, Form::Literal), None, "{bad}");
        }
        let f = parse_datetime("2026-03-02T09:00:00.25Z", Form::Rfc3339).expect("a fraction");
        assert_eq!(f.local.and_utc().timestamp_subsec_millis(), 250);
        assert_eq!(parse_datetime("2026-03-02T09:00:00.Z", Form::Rfc3339), None);
        assert_eq!(parse_datetime("2026-03-02T09:00.5Z", Form::Rfc3339), None);
        // RFC 3339 wants the seconds.
        assert_eq!(parse_datetime("2026-03-02T09:00Z", Form::Rfc3339), None);
        assert!(parse_datetime("2026-03-02t09:00:00z", Form::Rfc3339).is_some());
    }
}
