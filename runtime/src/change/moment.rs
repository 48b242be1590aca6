//! Dates, times and moments as change lines write them, read strictly by the compiler's one
//! reader (`play_compiler::dates`): exactly the forms the documentation gives, digit by digit, so that `"26-1-1"` (year 26), `"2026-3-2"`,
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

use chrono::TimeZone;
pub use play_compiler::dates::{parse_date as strict_date, parse_time as strict_time};
use play_compiler::dates::{parse_datetime, DateTimeText, Form};

use crate::config::Workspace;

/// An RFC 3339 date and time, the offset optional (the shared reader's RFC 3339 form).
pub fn strict_moment(s: &str) -> Option<DateTimeText> {
    parse_datetime(s, Form::Rfc3339)
}

/// A moment in seconds since 1970 UTC: RFC 3339, or without an offset in the workspace's
/// time zone. The message says what is wrong, for `at` and `DateTime` fields.
pub fn read_moment(s: &str, workspace: &Workspace) -> Result<i64, String> {
    read_moment_as(s, workspace, Form::Rfc3339)
}

/// A moment written in the given form: with its offset, or in the workspace's time zone.
pub fn read_moment_as(s: &str, workspace: &Workspace, form: Form) -> Result<i64, String> {
    let Some(written) = parse_datetime(s, form) else {
        return Err(format!(
            "`{}` is not a date and time: expected one like `{}`",
            super::clip(s),
            super::EXAMPLE_MOMENT
        ));
    };
    match written.offset {
        Some(_) => Ok(written.timestamp().unwrap_or_default()),
        None => {
            let zone = workspace.time_zone;
            zone.from_local_datetime(&written.local)
                .earliest()
                .map(|t| t.timestamp())
                .ok_or_else(|| format!("`{}` does not exist in {zone}: the clocks go forward over it", super::clip(s)))
        }
    }
}
