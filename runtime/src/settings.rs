//! The workspace settings between their three forms: `play.toml` problems as diagnostics
//! with stable codes (for `play check`), and [`Workspace`] to and from the settings a
//! built program carries ([`Settings`]).

use chrono_tz::Tz;
use play_compiler::diagnostic::codes;
use play_compiler::program::Settings;
use play_compiler::syntax::Span;
use play_compiler::Diagnostic;

use crate::calendar::Calendar;
use crate::config::{ConfigError, ConfigProblem, SinkProblem, Workspace};

impl ConfigError {
    /// The problem as a diagnostic on the text of `play.toml`: a code, a label, the help
    /// and, where a close name was found, the fix.
    pub fn to_diagnostic(&self) -> Diagnostic {
        let span = self.span.clone().map_or(Span::new(0, 0), |s| Span::new(s.start, s.end));
        let p = &self.problem;
        let mut d = Diagnostic::error(p.code(), p.to_string(), span, p.label());
        if let Some(help) = p.help() {
            d = d.with_help(help);
        }
        match p {
            ConfigProblem::UnknownSection { suggestion: Some(s), .. }
            | ConfigProblem::UnknownKey { suggestion: Some(s), .. } => d.with_fix(span, *s),
            ConfigProblem::UnknownTimeZone { suggestion: Some(s), .. }
            | ConfigProblem::UnknownDay { suggestion: Some(s), .. } => d.with_fix(span, format!("\"{s}\"")),
            ConfigProblem::Sink(sink) => match sink.fix() {
                Some(fix) => d.with_fix(span, fix),
                None => d,
            },
            _ => d,
        }
    }
}

impl ConfigProblem {
    /// The stable code of this kind of problem.
    pub fn code(&self) -> &'static str {
        match self {
            ConfigProblem::Syntax { .. } => codes::SETTINGS_SYNTAX,
            ConfigProblem::UnknownSection { .. }
            | ConfigProblem::OutsideSection { .. }
            | ConfigProblem::UnknownKey { .. } => codes::UNKNOWN_SETTING_NAME,
            ConfigProblem::NotASection { .. }
            | ConfigProblem::WrongType { .. }
            | ConfigProblem::WrongEntryType { .. } => codes::SETTING_TYPE,
            ConfigProblem::UnknownTimeZone { .. } => codes::UNKNOWN_TIME_ZONE,
            ConfigProblem::UnknownDay { .. } => codes::UNKNOWN_DAY,
            ConfigProblem::NotADate { .. }
            | ConfigProblem::NoSuchDate { .. }
            | ConfigProblem::DateWithTime { .. }
            | ConfigProblem::TimeNotDate { .. } => codes::BAD_HOLIDAY,
            ConfigProblem::NotAnAddress { .. } => codes::BAD_WORKSPACE_OWNER,
            ConfigProblem::Sink(p) => match p {
                SinkProblem::UnknownSink { .. } | SinkProblem::UnknownKey { .. } => codes::UNKNOWN_SETTING_NAME,
                SinkProblem::Missing { .. } => codes::MISSING_SETTING,
                SinkProblem::Secret { .. } => codes::SECRET_IN_SETTINGS,
                SinkProblem::NotAVariableName { .. } => codes::NOT_A_VARIABLE_NAME,
                SinkProblem::BadValue { .. } => codes::BAD_SINK_SETTING,
            },
        }
    }

    /// The short text beside the place.
    fn label(&self) -> &'static str {
        match self {
            ConfigProblem::Syntax { .. } => "here",
            ConfigProblem::UnknownSection { .. } => "not a section of `play.toml`",
            ConfigProblem::NotASection { .. } => "not a section",
            ConfigProblem::OutsideSection { section: Some(_), .. } => "outside its section",
            ConfigProblem::OutsideSection { section: None, .. } | ConfigProblem::UnknownKey { .. } => "not a setting",
            ConfigProblem::WrongType { .. } | ConfigProblem::WrongEntryType { .. } => "wrong type",
            ConfigProblem::UnknownTimeZone { .. } => "not an IANA time zone",
            ConfigProblem::UnknownDay { .. } => "not a day",
            ConfigProblem::NotADate { .. }
            | ConfigProblem::NoSuchDate { .. }
            | ConfigProblem::DateWithTime { .. }
            | ConfigProblem::TimeNotDate { .. } => "not a date",
            ConfigProblem::NotAnAddress { .. } => "not an email address",
            ConfigProblem::Sink(p) => p.label(),
        }
    }
}

impl Workspace {
    /// The settings as a built program carries them.
    pub fn to_settings(&self) -> Settings {
        Settings {
            time_zone: self.time_zone.name().to_string(),
            weekend: self.calendar.weekend,
            holidays: self.calendar.holidays.iter().copied().collect(),
            owner: self.owner.clone(),
        }
    }

    /// The settings a built program carries; `Err` names a time zone this play does not
    /// know (a program built by a play with a newer zone list).
    pub fn from_settings(settings: &Settings) -> Result<Workspace, String> {
        let time_zone = settings
            .time_zone
            .parse::<Tz>()
            .map_err(|_| format!("the program's time zone `{}` is not one this play knows", settings.time_zone))?;
        let calendar = Calendar { weekend: settings.weekend, holidays: settings.holidays.iter().copied().collect() };
        // Sinks are read by the daemon from `play.toml` itself; a program does not carry them.
        Ok(Workspace { time_zone, calendar, owner: settings.owner.clone(), sinks: Default::default() })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_problem_of_a_file_is_reported_with_its_place_and_code() {
        let text = "[workspace]\ntime_zone = \"Europe/Pariss\"\ncolour = 1\n[calendar]\nweekend = [\"sundy\", 3]\nholidays = [\"2026-02-30\"]\n";
        let (_, problems) = Workspace::check_toml(text);
        let found: Vec<_> = problems.iter().map(|p| (p.problem.code(), p.line, p.column)).collect();
        assert_eq!(
            found,
            [
                (codes::UNKNOWN_TIME_ZONE, 2, Some(13)),
                (codes::UNKNOWN_SETTING_NAME, 3, Some(1)),
                (codes::UNKNOWN_DAY, 5, Some(12)),
                (codes::SETTING_TYPE, 5, Some(21)),
                (codes::BAD_HOLIDAY, 6, Some(13)),
            ]
        );
    }

    #[test]
    fn a_close_time_zone_is_offered_as_a_fix_in_quotes() {
        let text = "[workspace]\ntime_zone = \"Europe/Pariss\"\n";
        let (_, problems) = Workspace::check_toml(text);
        let d = problems[0].to_diagnostic();
        let fix = d.fix.expect("a fix");
        assert_eq!(&text[fix.span.range()], "\"Europe/Pariss\"");
        assert_eq!(fix.replacement, "\"Europe/Paris\"");
    }

    #[test]
    fn settings_round_trip_through_a_program() {
        let text = "[workspace]\ntime_zone = \"America/New_York\"\n[calendar]\nweekend = [\"friday\"]\nholidays = [2026-12-25]\n";
        let workspace = Workspace::from_toml(text).expect("valid settings");
        assert_eq!(Workspace::from_settings(&workspace.to_settings()), Ok(workspace));
        assert_eq!(Workspace::from_settings(&Settings::default()), Ok(Workspace::default()));
    }
}
