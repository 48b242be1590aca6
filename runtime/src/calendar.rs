//! Time in the workspace: business days, local dates and times in the workspace time
//! zone, and the instants at which `every` schedules fire.
//!
//! Rules shared by everything here:
//! - Dates are local dates in the workspace time zone, never UTC dates.
//! - A local time that does not exist on a day (clocks jumped over it, as at a
//!   spring-forward) means the first instant after the jump; a local time that occurs
//!   twice (clocks went back) means the earlier of the two.
//! - Nothing panics: results beyond the range chrono can represent (around the year
//!   262,000) saturate at [`DateTime::<Utc>::MAX_UTC`] or [`DateTime::<Utc>::MIN_UTC`].

use std::collections::BTreeSet;

use chrono::{DateTime, Datelike, Days, LocalResult, NaiveDate, NaiveDateTime, NaiveTime, TimeDelta, TimeZone, Utc};
use chrono_tz::Tz;
use play_compiler::syntax::ast::Every;

use crate::config::Workspace;

/// Which days are business days.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Calendar {
    /// The days of the week that are not business days, indexed by
    /// [`chrono::Weekday::num_days_from_monday`]. If all seven are set the calendar is
    /// read as having no weekend at all, so that counting business days always ends.
    pub weekend: [bool; 7],
    /// Local dates that are not business days.
    pub holidays: BTreeSet<NaiveDate>,
}

impl Default for Calendar {
    /// Saturday and Sunday off, no holidays.
    fn default() -> Self {
        Calendar { weekend: [false, false, false, false, false, true, true], holidays: BTreeSet::new() }
    }
}

impl Calendar {
    /// Whether `d` is a business day: not a weekend day and not a holiday. A calendar
    /// whose weekend is all seven days is read as having no weekend (see [`Calendar::weekend`]).
    pub fn is_business_day(&self, d: NaiveDate) -> bool {
        !self.effective_weekend()[d.weekday().num_days_from_monday() as usize] && !self.holidays.contains(&d)
    }

    /// `n` business days after the moment `from`, counted in time zone `tz`, at the same
    /// local time of day.
    ///
    /// The rule, precisely:
    /// - `n = 0` returns `from` unchanged, whatever day it falls on.
    /// - Otherwise take `from`'s local date and local time. If that date is not a
    ///   business day, first move forward to the next business day (so a Saturday 10:00
    ///   start counts from Monday 10:00, and Saturday + 1 business day is Tuesday 10:00).
    ///   Then step forward over local calendar days, counting only business days, until
    ///   `n` have been counted (Friday + 1 business day is Monday).
    /// - The answer is the local time of `from` on that date, resolved as described in
    ///   the module notes (a skipped time gives the first instant after the jump, a
    ///   repeated time the earlier instant).
    pub fn add_business_days(&self, tz: Tz, from: DateTime<Utc>, n: u32) -> DateTime<Utc> {
        if n == 0 {
            return from;
        }
        let local = from.with_timezone(&tz);
        let mut date = local.date_naive();
        if !self.is_business_day(date) {
            match self.next_business_day(date) {
                Some(next) => date = next,
                None => return DateTime::<Utc>::MAX_UTC,
            }
        }
        match self.business_days_after(date, n) {
            Some(date) => resolve_local(tz, date.and_time(local.time())),
            None => DateTime::<Utc>::MAX_UTC,
        }
    }

    /// The weekend as counted: all seven days off is read as none off.
    fn effective_weekend(&self) -> [bool; 7] {
        if self.weekend.iter().all(|&off| off) {
            [false; 7]
        } else {
            self.weekend
        }
    }

    /// The first business day strictly after `d`, or `None` past the last representable
    /// date. Ends because at most six weekend days and the finite holidays can be skipped.
    fn next_business_day(&self, d: NaiveDate) -> Option<NaiveDate> {
        let mut d = d;
        loop {
            d = d.succ_opt()?;
            if self.is_business_day(d) {
                return Some(d);
            }
        }
    }

    /// The `n`th business day strictly after `d`.
    fn business_days_after(&self, d: NaiveDate, n: u32) -> Option<NaiveDate> {
        let per_week = self.effective_weekend().iter().filter(|&&off| !off).count() as u32;
        let last_holiday = self.holidays.last().copied();
        let (mut d, mut left) = (d, n);
        while left > 0 {
            // Once no holiday lies ahead, every seven days hold exactly `per_week` business
            // days, so whole weeks are skipped at once rather than day by day (`n` can be
            // in the billions). At least one day is left to step, to land on a business day.
            if left > per_week && last_holiday.is_none_or(|h| h <= d) {
                let weeks = (left - 1) / per_week;
                d = d.checked_add_days(Days::new(u64::from(weeks) * 7))?;
                left -= weeks * per_week;
            }
            d = self.next_business_day(d)?;
            left -= 1;
        }
        Some(d)
    }
}

impl Workspace {
    /// Today's local date at `now`.
    pub fn today(&self, now: DateTime<Utc>) -> NaiveDate {
        now.with_timezone(&self.time_zone).date_naive()
    }

    /// The instant of local date `d` at local time `hour:minute`. A time the clocks skip
    /// gives the first instant after the jump (02:30 on a spring-forward night is 03:00);
    /// a time that occurs twice gives the earlier instant. Times past 23:59 (which the
    /// compiler rejects) roll over on the wall clock, so 24:00 is the next midnight.
    pub fn at_local(&self, d: NaiveDate, hour: u32, minute: u32) -> DateTime<Utc> {
        let minutes = i64::from(hour) * 60 + i64::from(minute);
        match d.and_time(NaiveTime::MIN).checked_add_signed(TimeDelta::minutes(minutes)) {
            Some(local) => resolve_local(self.time_zone, local),
            None => DateTime::<Utc>::MAX_UTC,
        }
    }

    /// The first instant strictly after `after` at which `every <day> at hour:minute`
    /// fires, so a schedule never fires twice at the same instant. The days are local
    /// calendar days: `Every::Day` is every day, `Every::Weekday` is Monday to Friday
    /// whatever the workspace's weekend and holidays (calendar weekdays, not business
    /// days), and a named day is that day of the week. The time of day is resolved as in
    /// [`Workspace::at_local`], so on a fall-back night a schedule fires once, at the
    /// earlier instant.
    pub fn next_schedule(&self, every: Every, hour: u32, minute: u32, after: DateTime<Utc>) -> DateTime<Utc> {
        let today = self.today(after);
        // Start with yesterday: a time the clocks skip late yesterday resolves to the end
        // of the jump, which can fall today.
        let mut day = today.pred_opt().unwrap_or(today);
        // Yesterday, today and eight more days hold every day of the week after today's.
        for _ in 0..10 {
            if fires_on(every, day) {
                let at = self.at_local(day, hour, minute);
                if at > after {
                    return at;
                }
            }
            match day.succ_opt() {
                Some(next) => day = next,
                None => break,
            }
        }
        DateTime::<Utc>::MAX_UTC
    }

    /// Whole local days from today (at `now`) to `d`: 0 today, 1 tomorrow, negative when
    /// `d` is past. This is what `days_until` returns.
    pub fn days_until(&self, now: DateTime<Utc>, d: NaiveDate) -> i64 {
        d.signed_duration_since(self.today(now)).num_days()
    }

    /// `days` local calendar days after `from` (before it when negative), at the same
    /// local time, resolved as in [`Workspace::at_local`]: across a change of clocks the
    /// interval is 23 or 25 hours. For date triggers; durations such as `3d` are plain
    /// 24-hour arithmetic in the engine instead. `days = 0` returns `from` unchanged.
    pub fn add_days_local(&self, from: DateTime<Utc>, days: i64) -> DateTime<Utc> {
        if days == 0 {
            return from;
        }
        let local = from.with_timezone(&self.time_zone);
        let date = if days > 0 {
            local.date_naive().checked_add_days(Days::new(days.unsigned_abs()))
        } else {
            local.date_naive().checked_sub_days(Days::new(days.unsigned_abs()))
        };
        match date {
            Some(date) => resolve_local(self.time_zone, date.and_time(local.time())),
            None if days > 0 => DateTime::<Utc>::MAX_UTC,
            None => DateTime::<Utc>::MIN_UTC,
        }
    }
}

/// Whether an `every` schedule fires on local date `d`.
fn fires_on(every: Every, d: NaiveDate) -> bool {
    let day = d.weekday().num_days_from_monday();
    match every {
        Every::Day => true,
        Every::Weekday => day < 5,
        Every::Monday => day == 0,
        Every::Tuesday => day == 1,
        Every::Wednesday => day == 2,
        Every::Thursday => day == 3,
        Every::Friday => day == 4,
        Every::Saturday => day == 5,
        Every::Sunday => day == 6,
    }
}

/// The instant a local date and time names in `tz`: the earlier one when the time occurs
/// twice, the first instant after the jump when the clocks skip it.
fn resolve_local(tz: Tz, local: NaiveDateTime) -> DateTime<Utc> {
    match tz.from_local_datetime(&local) {
        LocalResult::Single(t) => t.with_timezone(&Utc),
        LocalResult::Ambiguous(a, b) => a.with_timezone(&Utc).min(b.with_timezone(&Utc)),
        LocalResult::None => end_of_gap(tz, local),
    }
}

/// The first instant whose local time in `tz` is at or after `local`, for a `local` the
/// clocks jumped over: the instant of the jump.
fn end_of_gap(tz: Tz, local: NaiveDateTime) -> DateTime<Utc> {
    // UTC offsets (historical ones included) stay well within 18 hours, so `local` read
    // as UTC, give or take 18 hours, brackets the jump: binary search over whole seconds
    // (jumps happen on whole seconds). The local time is before `local` at `low` and at
    // or after it at `high` throughout.
    const MARGIN: i64 = 18 * 3600;
    let at_or_after = |seconds: i64| match DateTime::from_timestamp(seconds, 0) {
        Some(t) => t.with_timezone(&tz).naive_local() >= local,
        None => seconds > 0,
    };
    let guess = local.and_utc().timestamp();
    let (mut low, mut high) = (guess - MARGIN, guess + MARGIN);
    while high - low > 1 {
        let middle = low + (high - low) / 2;
        if at_or_after(middle) {
            high = middle;
        } else {
            low = middle;
        }
    }
    DateTime::from_timestamp(high, 0).unwrap_or(DateTime::<Utc>::MAX_UTC)
}

#[cfg(test)]
mod tests {
    use chrono::Weekday;
    use chrono_tz::{America::New_York, Europe::Paris};
    use proptest::prelude::*;

    use super::*;

    fn date(text: &str) -> NaiveDate {
        NaiveDate::parse_from_str(text, "%Y-%m-%d").expect("test dates are valid")
    }

    /// An instant written in UTC, as `2026-03-06T14:00`.
    fn utc(text: &str) -> DateTime<Utc> {
        NaiveDateTime::parse_from_str(text, "%Y-%m-%dT%H:%M").expect("test instants are valid").and_utc()
    }

    /// An instant written as a local time in `tz`, which must exist and be unambiguous.
    fn local(tz: Tz, text: &str) -> DateTime<Utc> {
        let naive = NaiveDateTime::parse_from_str(text, "%Y-%m-%dT%H:%M").expect("test instants are valid");
        tz.from_local_datetime(&naive).single().expect("test local times are unambiguous").with_timezone(&Utc)
    }

    fn in_zone(tz: Tz) -> Workspace {
        Workspace { time_zone: tz, ..Workspace::default() }
    }

    fn with_holidays(holidays: &[&str]) -> Calendar {
        Calendar { holidays: holidays.iter().map(|d| date(d)).collect(), ..Calendar::default() }
    }

    // --- business days -------------------------------------------------------------

    #[test]
    fn saturday_and_sunday_are_the_default_weekend() {
        let cal = Calendar::default();
        // 2026-03-02 is a Monday.
        let week: Vec<bool> = (2..=8).map(|d| cal.is_business_day(date(&format!("2026-03-{d:02}")))).collect();
        assert_eq!(week, [true, true, true, true, true, false, false]);
    }

    #[test]
    fn holidays_are_not_business_days() {
        let cal = with_holidays(&["2026-12-25"]);
        assert!(!cal.is_business_day(date("2026-12-25")));
        assert!(cal.is_business_day(date("2026-12-24")));
    }

    #[test]
    fn friday_plus_one_business_day_is_monday_at_the_same_time() {
        let cal = Calendar::default();
        let friday = utc("2026-03-06T14:30");
        assert_eq!(cal.add_business_days(Tz::UTC, friday, 1), utc("2026-03-09T14:30"));
    }

    #[test]
    fn business_days_skip_weekends_within_a_count() {
        let cal = Calendar::default();
        // Wednesday + 5 business days is the next Wednesday.
        assert_eq!(cal.add_business_days(Tz::UTC, utc("2026-03-04T09:00"), 5), utc("2026-03-11T09:00"));
        assert_eq!(cal.add_business_days(Tz::UTC, utc("2026-03-04T09:00"), 3), utc("2026-03-09T09:00"));
    }

    #[test]
    fn business_days_skip_holidays() {
        let cal = with_holidays(&["2026-12-25"]);
        // Wednesday 23rd, Thursday 24th, (Christmas Friday, weekend), Monday 28th.
        assert_eq!(cal.add_business_days(Tz::UTC, utc("2026-12-23T10:00"), 2), utc("2026-12-28T10:00"));
    }

    #[test]
    fn starting_on_a_saturday_counts_from_monday() {
        let cal = Calendar::default();
        let saturday = utc("2026-03-07T10:00");
        assert_eq!(cal.add_business_days(Tz::UTC, saturday, 1), utc("2026-03-10T10:00"));
        let sunday = utc("2026-03-08T10:00");
        assert_eq!(cal.add_business_days(Tz::UTC, sunday, 2), utc("2026-03-11T10:00"));
    }

    #[test]
    fn starting_on_a_holiday_counts_from_the_next_business_day() {
        let cal = with_holidays(&["2026-12-25"]);
        // Christmas Friday rolls to Monday the 28th, and one more is Tuesday.
        assert_eq!(cal.add_business_days(Tz::UTC, utc("2026-12-25T10:00"), 1), utc("2026-12-29T10:00"));
    }

    #[test]
    fn zero_business_days_returns_the_same_instant_even_on_a_weekend() {
        let cal = Calendar::default();
        let saturday = utc("2026-03-07T10:17");
        assert_eq!(cal.add_business_days(Tz::UTC, saturday, 0), saturday);
    }

    #[test]
    fn business_days_count_local_dates_not_utc_dates() {
        let cal = Calendar::default();
        // Friday 22:00 in New York is already Saturday in UTC; it is still a Friday start.
        let friday_night = local(New_York, "2026-02-06T22:00");
        assert_eq!(cal.add_business_days(New_York, friday_night, 1), local(New_York, "2026-02-09T22:00"));
        // Sunday 20:00 in New York is Monday in UTC; it is a Sunday start, so it rolls.
        let sunday_evening = local(New_York, "2026-02-08T20:00");
        assert_eq!(cal.add_business_days(New_York, sunday_evening, 1), local(New_York, "2026-02-10T20:00"));
    }

    #[test]
    fn business_days_keep_local_time_across_spring_forward() {
        let cal = Calendar::default();
        // Clocks go forward in New York on Sunday 2026-03-08: Friday 09:00 EST is 14:00
        // UTC, Monday 09:00 EDT is 13:00 UTC.
        let friday = local(New_York, "2026-03-06T09:00");
        assert_eq!(cal.add_business_days(New_York, friday, 1), utc("2026-03-09T13:00"));
    }

    #[test]
    fn business_day_landing_in_a_skipped_hour_takes_the_end_of_the_jump() {
        // With no weekend, Saturday 02:30 + 1 is Sunday 2026-03-08 02:30, which New York
        // skips: the answer is 03:00 EDT.
        let cal = Calendar { weekend: [false; 7], holidays: BTreeSet::new() };
        let saturday = local(New_York, "2026-03-07T02:30");
        assert_eq!(cal.add_business_days(New_York, saturday, 1), utc("2026-03-08T07:00"));
    }

    #[test]
    fn custom_weekend_of_friday_and_saturday() {
        let mut weekend = [false; 7];
        weekend[Weekday::Fri.num_days_from_monday() as usize] = true;
        weekend[Weekday::Sat.num_days_from_monday() as usize] = true;
        let cal = Calendar { weekend, holidays: BTreeSet::new() };
        // Thursday + 1 is Sunday.
        assert_eq!(cal.add_business_days(Tz::UTC, utc("2026-03-05T09:00"), 1), utc("2026-03-08T09:00"));
    }

    #[test]
    fn all_seven_weekend_days_count_as_no_weekend() {
        let cal = Calendar { weekend: [true; 7], holidays: BTreeSet::new() };
        assert!(cal.is_business_day(date("2026-03-07")));
        assert_eq!(cal.add_business_days(Tz::UTC, utc("2026-03-07T09:00"), 1), utc("2026-03-08T09:00"));
    }

    #[test]
    fn all_seven_weekend_days_with_holidays_still_end() {
        let cal = Calendar { weekend: [true; 7], holidays: [date("2026-03-08"), date("2026-03-09")].into() };
        assert_eq!(cal.add_business_days(Tz::UTC, utc("2026-03-07T09:00"), 1), utc("2026-03-10T09:00"));
    }

    #[test]
    fn huge_business_day_counts_saturate_instead_of_panicking() {
        let cal = with_holidays(&["2026-12-25"]);
        assert_eq!(cal.add_business_days(Tz::UTC, utc("2026-03-06T09:00"), u32::MAX), DateTime::<Utc>::MAX_UTC);
    }

    #[test]
    fn a_year_of_business_days_matches_counting_day_by_day() {
        let cal = with_holidays(&["2026-05-25", "2026-07-03", "2026-12-25"]);
        // 2026 has 261 weekdays; three holidays fall on weekdays; so 258 business days
        // after 2025-12-31 is the last business day of 2026, Thursday the 31st.
        assert_eq!(cal.add_business_days(Tz::UTC, utc("2025-12-31T12:00"), 258), utc("2026-12-31T12:00"));
    }

    // --- local dates and times -----------------------------------------------------

    #[test]
    fn today_is_the_local_date() {
        let ws = in_zone(New_York);
        assert_eq!(ws.today(utc("2026-01-01T03:00")), date("2025-12-31"));
        assert_eq!(ws.today(utc("2026-01-01T05:00")), date("2026-01-01"));
    }

    #[test]
    fn days_until_counts_local_days_and_is_negative_in_the_past() {
        let ws = in_zone(New_York);
        let now = utc("2026-01-01T03:00"); // still 2025-12-31 in New York
        assert_eq!(ws.days_until(now, date("2025-12-31")), 0);
        assert_eq!(ws.days_until(now, date("2026-01-01")), 1);
        assert_eq!(ws.days_until(now, date("2025-12-01")), -30);
    }

    #[test]
    fn at_local_uses_winter_and_summer_offsets() {
        let ws = in_zone(New_York);
        assert_eq!(ws.at_local(date("2026-01-15"), 9, 0), utc("2026-01-15T14:00"));
        assert_eq!(ws.at_local(date("2026-07-15"), 9, 0), utc("2026-07-15T13:00"));
    }

    #[test]
    fn at_local_in_new_york_spring_forward_gap_is_the_end_of_the_jump() {
        // 02:00–03:00 does not exist on 2026-03-08; 03:00 EDT is 07:00 UTC.
        let ws = in_zone(New_York);
        assert_eq!(ws.at_local(date("2026-03-08"), 2, 30), utc("2026-03-08T07:00"));
        assert_eq!(ws.at_local(date("2026-03-08"), 2, 0), utc("2026-03-08T07:00"));
        assert_eq!(ws.at_local(date("2026-03-08"), 3, 0), utc("2026-03-08T07:00"));
        assert_eq!(ws.at_local(date("2026-03-08"), 1, 59), utc("2026-03-08T06:59"));
    }

    #[test]
    fn at_local_in_new_york_fall_back_is_the_earlier_instant() {
        // 01:30 happens twice on 2026-11-01: at 05:30 UTC (EDT) and at 06:30 UTC (EST).
        let ws = in_zone(New_York);
        assert_eq!(ws.at_local(date("2026-11-01"), 1, 30), utc("2026-11-01T05:30"));
    }

    #[test]
    fn at_local_in_paris_spring_forward_gap_is_the_end_of_the_jump() {
        // 02:00–03:00 does not exist on 2026-03-29; 03:00 CEST is 01:00 UTC.
        let ws = in_zone(Paris);
        assert_eq!(ws.at_local(date("2026-03-29"), 2, 30), utc("2026-03-29T01:00"));
    }

    #[test]
    fn at_local_in_paris_fall_back_is_the_earlier_instant() {
        // 02:30 happens twice on 2026-10-25: at 00:30 UTC (CEST) and at 01:30 UTC (CET).
        let ws = in_zone(Paris);
        assert_eq!(ws.at_local(date("2026-10-25"), 2, 30), utc("2026-10-25T00:30"));
    }

    #[test]
    fn at_local_rolls_times_past_midnight_over_to_the_next_day() {
        let ws = Workspace::default();
        assert_eq!(ws.at_local(date("2026-03-06"), 24, 0), utc("2026-03-07T00:00"));
        assert_eq!(ws.at_local(date("2026-03-06"), 9, 90), utc("2026-03-06T10:30"));
        assert_eq!(ws.at_local(NaiveDate::MAX, u32::MAX, u32::MAX), DateTime::<Utc>::MAX_UTC);
    }

    #[test]
    fn add_days_local_keeps_the_local_time_across_a_change_of_clocks() {
        let ws = in_zone(New_York);
        // Saturday 09:00 EST + 1 day is Sunday 09:00 EDT: 23 hours later.
        assert_eq!(ws.add_days_local(utc("2026-03-07T14:00"), 1), utc("2026-03-08T13:00"));
        assert_eq!(ws.add_days_local(utc("2026-03-08T13:00"), -1), utc("2026-03-07T14:00"));
    }

    #[test]
    fn add_days_local_of_zero_is_unchanged_even_in_a_repeated_hour() {
        // The later 01:30 of the fall-back night would otherwise resolve to the earlier.
        let ws = in_zone(New_York);
        let later = utc("2026-11-01T06:30");
        assert_eq!(ws.add_days_local(later, 0), later);
    }

    #[test]
    fn add_days_local_saturates_at_the_ends_of_time() {
        let ws = Workspace::default();
        assert_eq!(ws.add_days_local(utc("2026-03-06T09:00"), i64::MAX), DateTime::<Utc>::MAX_UTC);
        assert_eq!(ws.add_days_local(utc("2026-03-06T09:00"), i64::MIN), DateTime::<Utc>::MIN_UTC);
    }

    // --- schedules ------------------------------------------------------------------

    #[test]
    fn schedule_at_exactly_its_time_fires_next_time_not_now() {
        let ws = Workspace::default();
        let monday_nine = utc("2026-03-09T09:00");
        assert_eq!(ws.next_schedule(Every::Monday, 9, 0, monday_nine), utc("2026-03-16T09:00"));
        assert_eq!(ws.next_schedule(Every::Day, 9, 0, monday_nine), utc("2026-03-10T09:00"));
    }

    #[test]
    fn schedule_fires_later_the_same_day() {
        let ws = Workspace::default();
        assert_eq!(ws.next_schedule(Every::Monday, 9, 0, utc("2026-03-09T08:59")), utc("2026-03-09T09:00"));
    }

    #[test]
    fn named_day_schedules_fire_on_that_day() {
        let ws = Workspace::default();
        let monday = utc("2026-03-09T12:00");
        assert_eq!(ws.next_schedule(Every::Tuesday, 9, 0, monday), utc("2026-03-10T09:00"));
        assert_eq!(ws.next_schedule(Every::Saturday, 9, 0, monday), utc("2026-03-14T09:00"));
        assert_eq!(ws.next_schedule(Every::Sunday, 9, 0, monday), utc("2026-03-15T09:00"));
    }

    #[test]
    fn weekday_schedule_skips_the_weekend() {
        let ws = Workspace::default();
        let friday_after = utc("2026-03-06T10:00");
        assert_eq!(ws.next_schedule(Every::Weekday, 9, 0, friday_after), utc("2026-03-09T09:00"));
        let saturday = utc("2026-03-07T08:00");
        assert_eq!(ws.next_schedule(Every::Weekday, 9, 0, saturday), utc("2026-03-09T09:00"));
    }

    #[test]
    fn weekday_schedule_ignores_the_workspace_weekend_and_holidays() {
        // A Friday–Saturday weekend and a holiday on Monday do not change `weekday`.
        let mut ws = Workspace::default();
        ws.calendar.weekend = [false, false, false, false, true, true, false];
        ws.calendar.holidays.insert(date("2026-03-09"));
        assert_eq!(ws.next_schedule(Every::Weekday, 9, 0, utc("2026-03-05T10:00")), utc("2026-03-06T09:00"));
        assert_eq!(ws.next_schedule(Every::Weekday, 9, 0, utc("2026-03-06T10:00")), utc("2026-03-09T09:00"));
    }

    #[test]
    fn schedule_days_are_local_days() {
        // Sunday 23:00 in New York is Monday 04:00 UTC: Monday 09:00 New York is still ahead.
        let ws = in_zone(New_York);
        let sunday_night = local(New_York, "2026-02-08T23:00");
        assert_eq!(ws.next_schedule(Every::Monday, 9, 0, sunday_night), local(New_York, "2026-02-09T09:00"));
    }

    #[test]
    fn schedule_in_new_york_spring_forward_gap_fires_at_the_end_of_the_jump() {
        let ws = in_zone(New_York);
        let saturday = utc("2026-03-07T12:00");
        let sunday = ws.next_schedule(Every::Day, 2, 30, saturday);
        assert_eq!(sunday, utc("2026-03-08T07:00")); // 03:00 EDT
        assert_eq!(ws.next_schedule(Every::Day, 2, 30, sunday), utc("2026-03-09T06:30"));
        // 02:30 EDT
    }

    #[test]
    fn schedule_keeps_local_time_across_new_york_spring_forward() {
        let ws = in_zone(New_York);
        let saturday_nine = utc("2026-03-07T14:00"); // 09:00 EST
        assert_eq!(ws.next_schedule(Every::Day, 9, 0, saturday_nine), utc("2026-03-08T13:00"));
        // 09:00 EDT
    }

    #[test]
    fn schedule_in_new_york_fall_back_fires_once() {
        let ws = in_zone(New_York);
        let first = ws.next_schedule(Every::Day, 1, 30, utc("2026-10-31T12:00"));
        assert_eq!(first, utc("2026-11-01T05:30")); // 01:30 EDT
                                                    // The second 01:30 (EST, 06:30 UTC) does not fire again.
        assert_eq!(ws.next_schedule(Every::Day, 1, 30, first), utc("2026-11-02T06:30"));
    }

    #[test]
    fn schedule_keeps_local_time_across_paris_spring_forward() {
        let ws = in_zone(Paris);
        let saturday_nine = utc("2026-03-28T08:00"); // 09:00 CET
        assert_eq!(ws.next_schedule(Every::Day, 9, 0, saturday_nine), utc("2026-03-29T07:00")); // 09:00 CEST
        assert_eq!(ws.next_schedule(Every::Sunday, 2, 30, saturday_nine), utc("2026-03-29T01:00"));
        // 03:00 CEST
    }

    #[test]
    fn schedule_in_paris_fall_back_fires_once() {
        let ws = in_zone(Paris);
        let first = ws.next_schedule(Every::Sunday, 2, 30, utc("2026-10-24T12:00"));
        assert_eq!(first, utc("2026-10-25T00:30")); // 02:30 CEST
        assert_eq!(ws.next_schedule(Every::Sunday, 2, 30, first), utc("2026-11-01T01:30"));
        // 02:30 CET
    }

    #[test]
    fn schedule_at_the_end_of_time_saturates() {
        let ws = Workspace::default();
        assert_eq!(ws.next_schedule(Every::Day, 9, 0, DateTime::<Utc>::MAX_UTC), DateTime::<Utc>::MAX_UTC);
    }

    // --- properties -----------------------------------------------------------------

    /// The reference model: step one day at a time, no shortcuts.
    fn business_days_by_stepping(cal: &Calendar, start: NaiveDate, n: u32) -> NaiveDate {
        let mut d = start;
        while !cal.is_business_day(d) {
            d = d.succ_opt().expect("test dates are far from the end of time");
        }
        let mut left = n;
        while left > 0 {
            d = d.succ_opt().expect("test dates are far from the end of time");
            if cal.is_business_day(d) {
                left -= 1;
            }
        }
        d
    }

    fn any_instant() -> impl Strategy<Value = DateTime<Utc>> {
        (DateTime::<Utc>::MIN_UTC.timestamp()..=DateTime::<Utc>::MAX_UTC.timestamp())
            .prop_map(|s| DateTime::from_timestamp(s, 0).expect("within chrono's range"))
    }

    fn any_zone() -> impl Strategy<Value = Tz> {
        (0..chrono_tz::TZ_VARIANTS.len()).prop_map(|i| chrono_tz::TZ_VARIANTS[i])
    }

    fn any_every() -> impl Strategy<Value = Every> {
        prop::sample::select(vec![
            Every::Day,
            Every::Weekday,
            Every::Monday,
            Every::Tuesday,
            Every::Wednesday,
            Every::Thursday,
            Every::Friday,
            Every::Saturday,
            Every::Sunday,
        ])
    }

    proptest! {
        #[test]
        fn business_days_match_counting_day_by_day(
            weekend in prop::array::uniform7(any::<bool>()),
            holiday_offsets in prop::collection::btree_set(0u64..120, 0..20),
            start_offset in 0u64..60,
            n in 0u32..200,
        ) {
            let base = date("2026-01-01");
            let holidays = holiday_offsets.iter().map(|&o| base + Days::new(o)).collect();
            let cal = Calendar { weekend, holidays };
            let start = base + Days::new(start_offset);
            let from = start.and_hms_opt(10, 0, 0).expect("valid time").and_utc();
            let expected = if n == 0 { from } else { business_days_by_stepping(&cal, start, n).and_hms_opt(10, 0, 0).expect("valid time").and_utc() };
            prop_assert_eq!(cal.add_business_days(Tz::UTC, from, n), expected);
        }

        #[test]
        fn time_functions_never_panic(
            tz in any_zone(),
            at in any_instant(),
            every in any_every(),
            hour in 0u32..30,
            minute in 0u32..70,
            n in any::<u32>(),
            days in any::<i64>(),
        ) {
            let ws = Workspace { time_zone: tz, ..Workspace::default() };
            let _ = ws.calendar.add_business_days(tz, at, n % 1000);
            let _ = ws.next_schedule(every, hour, minute, at);
            let _ = ws.at_local(ws.today(at), hour, minute);
            let _ = ws.add_days_local(at, days);
            let _ = ws.days_until(at, NaiveDate::MIN);
        }

        #[test]
        fn schedules_fire_at_the_first_firing_strictly_after(
            tz in prop::sample::select(vec![New_York, Paris, Tz::UTC, chrono_tz::Australia::Lord_Howe]),
            seconds in 1_700_000_000i64..1_900_000_000,
            every in any_every(),
            hour in 0u32..24,
            minute in 0u32..60,
        ) {
            let ws = Workspace { time_zone: tz, ..Workspace::default() };
            let after = DateTime::from_timestamp(seconds, 0).expect("within chrono's range");
            let next = ws.next_schedule(every, hour, minute, after);
            prop_assert!(next > after);
            prop_assert!(next - after <= TimeDelta::days(8));
            // It is a firing, and no firing lies strictly between `after` and it.
            let days: Vec<NaiveDate> = (-2i64..=9).map(|k| ws.today(after) + TimeDelta::days(k)).collect();
            let firings: Vec<DateTime<Utc>> =
                days.iter().filter(|d| fires_on(every, **d)).map(|d| ws.at_local(*d, hour, minute)).collect();
            prop_assert!(firings.contains(&next));
            prop_assert!(firings.iter().all(|&f| f <= after || f >= next));
        }
    }
}
