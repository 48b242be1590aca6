//! Dates, times and moments as change lines write them, read strictly: exactly the forms
//! the documentation gives, digit by digit, so that `"26-1-1"` (year 26), `"2026-3-2"`,
//! `" 2026-03-02"`, `"+2026-03-02"` or year `0000` are refused rather than taken as some
//! other day.
//!
//! - a date is `YYYY-MM-DD`: a four-digit year from 0001, a two-digit month and day;
//! - a moment is RFC 3339: `YYYY-MM-DDTHH:MM:SS`, an optional fraction of a second
//!   (`.5`, up to nine digits), and an offset (`Z` or `±HH:MM`); without an offset it is
//!   a local time in the workspace's time zone. `T` and `Z` may be lower case, as RFC 3339
//!   allows. Seconds run to 59; `:60` is a leap second, which exists only at 23:59 UTC
//!   and is taken as 23:59:59;
//! - a time of day is `HH:MM`.

use chrono::{NaiveDate, NaiveDateTime, NaiveTime, TimeZone};

use crate::config::Workspace;

/// A date written `YYYY-MM-DD`.
pub fn strict_date(s: &str) -> Option<NaiveDate> {
    let b = s.as_bytes();
    if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
        return None;
    }
    let year = digits(b, 0, 4)?;
    if year == 0 {
        return None;
    }
    NaiveDate::from_ymd_opt(year as i32, digits(b, 5, 2)?, digits(b, 8, 2)?)
}

/// A time of day written `HH:MM`, in minutes after midnight.
pub fn strict_time(s: &str) -> Option<u32> {
    let b = s.as_bytes();
    if b.len() != 5 || b[2] != b':' {
        return None;
    }
    let (hour, minute) = (digits(b, 0, 2)?, digits(b, 3, 2)?);
    (hour < 24 && minute < 60).then_some(hour * 60 + minute)
}

/// A moment as written: the local date and time, and the offset from UTC in seconds when
/// one is given.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Written {
    pub local: NaiveDateTime,
    pub offset: Option<i32>,
}

/// An RFC 3339 date and time, the offset optional.
pub fn strict_moment(s: &str) -> Option<Written> {
    let b = s.as_bytes();
    if b.len() < 19 || !matches!(b[10], b'T' | b't') || b[13] != b':' || b[16] != b':' {
        return None;
    }
    let date = strict_date(s.get(..10)?)?;
    let (hour, minute, second) = (digits(b, 11, 2)?, digits(b, 14, 2)?, digits(b, 17, 2)?);
    let mut rest = &b[19..];
    let mut nanos = 0;
    if let Some((b'.', fraction)) = rest.split_first() {
        let n = fraction.iter().take_while(|c| c.is_ascii_digit()).count();
        if n == 0 || n > 9 {
            return None;
        }
        nanos = digits(fraction, 0, n)? * 10u32.pow(9 - n as u32);
        rest = &fraction[n..];
    }
    let offset = match rest {
        [] => None,
        [b'Z' | b'z'] => Some(0),
        [sign @ (b'+' | b'-'), h1, h2, b':', m1, m2] => {
            let (h, m) = (digits(&[*h1, *h2], 0, 2)?, digits(&[*m1, *m2], 0, 2)?);
            if h > 23 || m > 59 {
                return None;
            }
            let seconds = (h * 3600 + m * 60) as i32;
            Some(if *sign == b'-' { -seconds } else { seconds })
        }
        _ => return None,
    };
    if hour > 23 || minute > 59 || second > 60 {
        return None;
    }
    let leap = second == 60;
    let time = NaiveTime::from_hms_nano_opt(hour, minute, if leap { 59 } else { second }, nanos)?;
    let local = NaiveDateTime::new(date, time);
    if leap {
        // Only the last minute of a UTC day has a 61st second.
        let utc = local - chrono::Duration::seconds(i64::from(offset?));
        if (chrono::Timelike::hour(&utc), chrono::Timelike::minute(&utc)) != (23, 59) {
            return None;
        }
    }
    Some(Written { local, offset })
}

/// A moment in seconds since 1970 UTC: RFC 3339, or without an offset in the workspace's
/// time zone. The message says what is wrong, for `at` and `DateTime` fields.
pub fn read_moment(s: &str, workspace: &Workspace) -> Result<i64, String> {
    let Some(written) = strict_moment(s) else {
        return Err(format!(
            "`{}` is not a date and time: expected one like `{}`",
            super::clip(s),
            super::EXAMPLE_MOMENT
        ));
    };
    match written.offset {
        Some(offset) => Ok(written.local.and_utc().timestamp() - i64::from(offset)),
        None => {
            let zone = workspace.time_zone;
            zone.from_local_datetime(&written.local)
                .earliest()
                .map(|t| t.timestamp())
                .ok_or_else(|| format!("`{}` does not exist in {zone}: the clocks go forward over it", super::clip(s)))
        }
    }
}

/// The number written by `len` ASCII digits from `at`; none if any is not a digit.
fn digits(b: &[u8], at: usize, len: usize) -> Option<u32> {
    let part = b.get(at..at + len)?;
    part.iter().try_fold(0u32, |n, c| c.is_ascii_digit().then(|| n * 10 + u32::from(c - b'0')))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_four_two_two_digit_dates_are_taken() {
        assert_eq!(strict_date("2026-03-02"), NaiveDate::from_ymd_opt(2026, 3, 2));
        for bad in ["26-1-1", "2026-3-2", " 2026-03-02", "+2026-03-02", "0000-01-01", "2026-02-30", "2026-03-02 "] {
            assert_eq!(strict_date(bad), None, "{bad}");
        }
    }

    #[test]
    fn a_leap_second_is_taken_only_at_the_end_of_a_utc_day() {
        assert!(strict_moment("2016-12-31T23:59:60Z").is_some());
        assert!(strict_moment("2017-01-01T00:59:60+01:00").is_some());
        assert!(strict_moment("2026-03-02T09:00:60Z").is_none());
        assert!(strict_moment("2016-12-31T23:59:60").is_none());
    }
}
