//! The workspace settings file, `play.toml`: the time zone and business calendar of a
//! workspace, read from text the caller supplies (no IO here), with errors that name the
//! line and column of the problem.
//!
//! ```toml
//! [workspace]
//! time_zone = "America/New_York"         # IANA name; default "UTC"
//! [calendar]
//! weekend = ["saturday", "sunday"]       # the default; any set of day names, may be []
//! holidays = [2026-12-25, "2027-01-01"]  # TOML dates or "YYYY-MM-DD" text
//! ```
//!
//! Every key is optional. Unknown sections and keys are errors, so a misspelt setting is
//! never silently ignored.

use std::cell::RefCell;
use std::collections::BTreeSet;
use std::fmt;
use std::ops::Range;

use chrono::NaiveDate;
use chrono_tz::Tz;
use play_compiler::diagnostic::LineIndex;
use play_compiler::suggest;
use toml_edit::{Array, ImDocument, Item, TableLike, TomlError, Value};

use crate::calendar::Calendar;

mod pull;
mod sinks;
pub use pull::{PullConfig, DEFAULT_PULL_EVERY, HUBSPOT_OBJECTS};
pub use sinks::{
    BriefConfig, HubSpotConfig, SalesforceConfig, SinkProblem, Sinks, SlackConfig, SmtpConfig, WebhookConfig,
};

/// The settings of one workspace.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Workspace {
    /// The zone that dates, times of day, schedules and business days are read in.
    pub time_zone: Tz,
    pub calendar: Calendar,
    /// The workspace owner's address: who sees the actions of private playbooks that name
    /// no `owner` of their own.
    pub owner: Option<String>,
    /// Where delivery sends actions (`[sinks.*]`, `[crm.*]`).
    pub sinks: Sinks,
}

impl Default for Workspace {
    /// UTC, a Saturday and Sunday weekend, no holidays.
    fn default() -> Self {
        Workspace { time_zone: Tz::UTC, calendar: Calendar::default(), owner: None, sinks: Sinks::default() }
    }
}

/// A problem in `play.toml`, with where it is.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{problem} ({}){}", place(*.line, *.column), help_suffix(.problem))]
pub struct ConfigError {
    pub problem: ConfigProblem,
    /// 1-based.
    pub line: usize,
    /// 1-based, counting characters; `None` when only the line is known.
    pub column: Option<usize>,
    /// The bytes of the text the problem is about, when known.
    pub span: Option<Range<usize>>,
}

/// What is wrong, as facts; the wording is in the `Display` impl and [`ConfigProblem::help`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ConfigProblem {
    /// The text is not TOML; `message` is the TOML reader's.
    Syntax {
        message: String,
    },
    UnknownSection {
        name: String,
        suggestion: Option<&'static str>,
    },
    /// A section name used for something that is not a section (`workspace = 3`).
    NotASection {
        name: String,
        found: &'static str,
    },
    /// A key at the top of the file, outside any section; `section` is where it belongs
    /// when it is a known setting.
    OutsideSection {
        key: String,
        section: Option<&'static str>,
    },
    UnknownKey {
        section: &'static str,
        key: String,
        suggestion: Option<&'static str>,
    },
    /// A setting whose value has the wrong type.
    WrongType {
        key: &'static str,
        found: &'static str,
    },
    /// An entry of a list setting with the wrong type.
    WrongEntryType {
        key: &'static str,
        found: &'static str,
    },
    UnknownTimeZone {
        name: String,
        suggestion: Option<&'static str>,
    },
    UnknownDay {
        name: String,
        suggestion: Option<&'static str>,
    },
    /// A holiday not written as `YYYY-MM-DD`.
    NotADate {
        text: String,
    },
    /// A holiday in the right form naming no real day, like `2026-02-30`.
    NoSuchDate {
        text: String,
    },
    /// A holiday written as a date and time of day.
    DateWithTime {
        text: String,
    },
    /// A holiday written as a time of day alone.
    TimeNotDate {
        text: String,
    },
    /// The workspace `owner` is not an email address.
    NotAnAddress {
        text: String,
    },
    /// A problem in a sink's or a CRM's section.
    Sink(SinkProblem),
}

const SECTIONS: [&str; 4] = ["workspace", "calendar", "sinks", "crm"];
const WORKSPACE_KEYS: [&str; 2] = ["time_zone", "owner"];
const CALENDAR_KEYS: [&str; 2] = ["weekend", "holidays"];
/// In [`chrono::Weekday::num_days_from_monday`] order, as [`Calendar::weekend`] is.
const DAY_NAMES: [&str; 7] = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"];

impl Workspace {
    /// Reads the text of `play.toml`. Keys left out keep their defaults, so empty text
    /// gives [`Workspace::default`]. Returns the first problem found, reading sections and
    /// keys in file order. Never panics, whatever the text.
    pub fn from_toml(text: &str) -> Result<Workspace, ConfigError> {
        let (workspace, mut problems) = Workspace::check_toml(text);
        if problems.is_empty() {
            Ok(workspace)
        } else {
            Err(problems.swap_remove(0))
        }
    }

    /// Reads the text of `play.toml` and reports every problem in it, in file order (a
    /// syntax error stops the reading, so it comes alone); the settings are what the
    /// valid parts say. Never panics, whatever the text.
    pub fn check_toml(text: &str) -> (Workspace, Vec<ConfigError>) {
        let reader = Reader { text, lines: LineIndex::new(text), problems: RefCell::new(Vec::new()) };
        let mut workspace = Workspace::default();
        let doc = match ImDocument::parse(text) {
            Ok(doc) => doc,
            Err(e) => return (workspace, vec![reader.syntax(&e)]),
        };
        let root = doc.as_table();
        for (name, item) in root.iter() {
            let key_span = root.key(name).and_then(|k| k.span());
            match name {
                "workspace" => {
                    if let Some(section) = reader.keep(reader.section(name, item, key_span)) {
                        reader.workspace_section(section, &mut workspace);
                    }
                }
                "calendar" => {
                    if let Some(section) = reader.keep(reader.section(name, item, key_span)) {
                        reader.calendar_section(section, &mut workspace.calendar);
                    }
                }
                "sinks" | "crm" => {
                    let group = if name == "sinks" { "sinks" } else { "crm" };
                    if let Some(section) = reader.keep(reader.section(name, item, key_span)) {
                        reader.sinks_group(group, section, &mut workspace.sinks);
                    }
                }
                _ => reader.report(reader.outside_sections(name, item, key_span)),
            }
        }
        let mut problems = reader.problems.into_inner();
        problems.sort_by_key(|p| p.span.as_ref().map_or(0, |s| s.start));
        (workspace, problems)
    }
}

/// The text being read, to turn byte spans into lines and columns, and the problems
/// found so far.
struct Reader<'a> {
    text: &'a str,
    lines: LineIndex,
    problems: RefCell<Vec<ConfigError>>,
}

impl Reader<'_> {
    fn error(&self, problem: ConfigProblem, span: Option<Range<usize>>) -> ConfigError {
        match span {
            Some(span) => {
                let at = self.lines.line_col(self.text, span.start);
                ConfigError { problem, line: at.line, column: Some(at.column), span: Some(span) }
            }
            // Parsed keys and values always have spans; this is only a fallback.
            None => ConfigError { problem, line: 1, column: None, span: None },
        }
    }

    fn report(&self, error: ConfigError) {
        self.problems.borrow_mut().push(error);
    }

    /// The value, or `None` after reporting the problem.
    fn keep<T>(&self, result: Result<T, ConfigError>) -> Option<T> {
        result.map_err(|e| self.report(e)).ok()
    }

    fn syntax(&self, e: &TomlError) -> ConfigError {
        // The TOML reader's message can run over several lines; one line reads better here.
        let message = e.message().lines().map(str::trim).filter(|l| !l.is_empty()).collect::<Vec<_>>().join(", ");
        self.error(ConfigProblem::Syntax { message }, e.span())
    }

    /// The contents of a known section, which must be a table.
    fn section<'i>(
        &self,
        name: &str,
        item: &'i Item,
        key_span: Option<Range<usize>>,
    ) -> Result<&'i dyn TableLike, ConfigError> {
        item.as_table_like().ok_or_else(|| {
            self.error(ConfigProblem::NotASection { name: name.to_string(), found: kind(item) }, key_span)
        })
    }

    /// The error for anything at the top of the file other than the known sections.
    fn outside_sections(&self, name: &str, item: &Item, key_span: Option<Range<usize>>) -> ConfigError {
        let problem = if item.is_table_like() || item.is_array_of_tables() {
            ConfigProblem::UnknownSection { name: name.to_string(), suggestion: suggest::closest(name, SECTIONS) }
        } else {
            let section = if WORKSPACE_KEYS.contains(&name) {
                Some("workspace")
            } else if CALENDAR_KEYS.contains(&name) {
                Some("calendar")
            } else {
                None
            };
            ConfigProblem::OutsideSection { key: name.to_string(), section }
        };
        self.error(problem, key_span)
    }

    fn workspace_section(&self, section: &dyn TableLike, workspace: &mut Workspace) {
        for (key, item) in section.iter() {
            let key_span = section.key(key).and_then(|k| k.span());
            match key {
                "time_zone" => {
                    if let Some(tz) = self.keep(self.time_zone(item, key_span)) {
                        workspace.time_zone = tz;
                    }
                }
                "owner" => {
                    if let Some(owner) = self.keep(self.owner(item, key_span)) {
                        workspace.owner = Some(owner);
                    }
                }
                _ => self.report(self.unknown_key("workspace", key, &WORKSPACE_KEYS, key_span)),
            }
        }
    }

    fn calendar_section(&self, section: &dyn TableLike, calendar: &mut Calendar) {
        for (key, item) in section.iter() {
            let key_span = section.key(key).and_then(|k| k.span());
            match key {
                "weekend" => {
                    if let Some(weekend) = self.weekend(item, key_span) {
                        calendar.weekend = weekend;
                    }
                }
                "holidays" => {
                    if let Some(holidays) = self.holidays(item, key_span) {
                        calendar.holidays = holidays;
                    }
                }
                _ => self.report(self.unknown_key("calendar", key, &CALENDAR_KEYS, key_span)),
            }
        }
    }

    fn unknown_key(
        &self,
        section: &'static str,
        key: &str,
        known: &[&'static str],
        span: Option<Range<usize>>,
    ) -> ConfigError {
        let suggestion = suggest::closest(key, known.iter().copied());
        self.error(ConfigProblem::UnknownKey { section, key: key.to_string(), suggestion }, span)
    }

    fn owner(&self, item: &Item, key_span: Option<Range<usize>>) -> Result<String, ConfigError> {
        let span = item.span().or(key_span);
        let Some(text) = item.as_str() else {
            return Err(self.error(ConfigProblem::WrongType { key: "owner", found: kind(item) }, span));
        };
        if !play_compiler::email::is_email(text) {
            return Err(self.error(ConfigProblem::NotAnAddress { text: text.to_string() }, span));
        }
        Ok(text.to_string())
    }

    fn time_zone(&self, item: &Item, key_span: Option<Range<usize>>) -> Result<Tz, ConfigError> {
        let Some(name) = item.as_str() else {
            return Err(
                self.error(ConfigProblem::WrongType { key: "time_zone", found: kind(item) }, item.span().or(key_span))
            );
        };
        name.parse::<Tz>().map_err(|_| {
            let problem =
                ConfigProblem::UnknownTimeZone { name: name.to_string(), suggestion: closest_time_zone(name) };
            self.error(problem, item.span().or(key_span))
        })
    }

    /// The weekend, or `None` after reporting every problem in it.
    fn weekend(&self, item: &Item, key_span: Option<Range<usize>>) -> Option<[bool; 7]> {
        let list = self.keep(self.list("weekend", item, key_span))?;
        let mut weekend = [false; 7];
        let mut ok = true;
        for entry in list.iter() {
            let Some(name) = entry.as_str() else {
                let problem = ConfigProblem::WrongEntryType { key: "weekend", found: value_kind(entry) };
                self.report(self.error(problem, entry.span()));
                ok = false;
                continue;
            };
            match DAY_NAMES.iter().position(|d| *d == name) {
                Some(i) => weekend[i] = true,
                None => {
                    let problem = ConfigProblem::UnknownDay {
                        name: name.to_string(),
                        suggestion: suggest::closest(name, DAY_NAMES),
                    };
                    self.report(self.error(problem, entry.span()));
                    ok = false;
                }
            }
        }
        ok.then_some(weekend)
    }

    /// The holidays, or `None` after reporting every problem in them.
    fn holidays(&self, item: &Item, key_span: Option<Range<usize>>) -> Option<BTreeSet<NaiveDate>> {
        let list = self.keep(self.list("holidays", item, key_span))?;
        let mut holidays = BTreeSet::new();
        let mut ok = true;
        for entry in list.iter() {
            match self.holiday(entry) {
                Ok(date) => {
                    holidays.insert(date);
                }
                Err(e) => {
                    self.report(e);
                    ok = false;
                }
            }
        }
        ok.then_some(holidays)
    }

    /// The value of a setting that must be a list.
    fn list<'i>(
        &self,
        key: &'static str,
        item: &'i Item,
        key_span: Option<Range<usize>>,
    ) -> Result<&'i Array, ConfigError> {
        item.as_array()
            .ok_or_else(|| self.error(ConfigProblem::WrongType { key, found: kind(item) }, item.span().or(key_span)))
    }

    fn holiday(&self, entry: &Value) -> Result<NaiveDate, ConfigError> {
        let problem = match entry {
            Value::String(text) => match parse_date(text.value()) {
                Ok(date) => return Ok(date),
                Err(problem) => problem,
            },
            Value::Datetime(at) => {
                let at = at.value();
                let text = at.to_string();
                match (at.date, at.time) {
                    // Read as its text, so TOML dates obey the same rules (no year 0000).
                    (Some(_), None) => match parse_date(&text) {
                        Ok(date) => return Ok(date),
                        Err(problem) => problem,
                    },
                    (Some(_), Some(_)) => ConfigProblem::DateWithTime { text },
                    (None, _) => ConfigProblem::TimeNotDate { text },
                }
            }
            other => ConfigProblem::WrongEntryType { key: "holidays", found: value_kind(other) },
        };
        Err(self.error(problem, entry.span()))
    }
}

/// A date written exactly as `YYYY-MM-DD`, by the one reader of dates
/// (`play_compiler::dates`): years 0001 to 9999.
fn parse_date(text: &str) -> Result<NaiveDate, ConfigProblem> {
    if let Some(date) = play_compiler::dates::parse_date(text) {
        return Ok(date);
    }
    let bytes = text.as_bytes();
    let shaped = bytes.len() == 10
        && bytes.iter().enumerate().all(|(i, b)| if i == 4 || i == 7 { *b == b'-' } else { b.is_ascii_digit() });
    Err(if shaped {
        ConfigProblem::NoSuchDate { text: text.to_string() }
    } else {
        ConfigProblem::NotADate { text: text.to_string() }
    })
}

/// The closest IANA time zone name within three edits, ignoring case; failing that, a
/// zone whose city is the name given (`paris` finds `Europe/Paris`).
fn closest_time_zone(name: &str) -> Option<&'static str> {
    let lower = name.to_lowercase();
    // Short names would otherwise be "close" to every short zone (`XY` to `GB`).
    let limit = 3.min(lower.chars().count() / 2);
    let mut best: Option<((usize, usize), &'static str)> = None;
    for tz in chrono_tz::TZ_VARIANTS {
        let candidate = tz.name();
        let d = (suggest::distance(&lower, &candidate.to_lowercase()), suggest::distance(name, candidate));
        if d.0 <= limit && best.is_none_or(|(bd, _)| d < bd) {
            best = Some((d, candidate));
        }
    }
    if let Some((_, candidate)) = best {
        return Some(candidate);
    }
    let city = lower.replace(' ', "_");
    chrono_tz::TZ_VARIANTS
        .iter()
        .map(|tz| tz.name())
        .find(|candidate| candidate.rsplit('/').next().is_some_and(|last| last.to_lowercase() == city))
}

/// What kind of TOML value an item is, in words for the messages.
fn kind(item: &Item) -> &'static str {
    match item {
        Item::Value(value) => value_kind(value),
        Item::Table(_) => "a section",
        Item::ArrayOfTables(_) => "a list of sections",
        Item::None => "nothing",
    }
}

fn value_kind(value: &Value) -> &'static str {
    match value {
        Value::String(_) => "text",
        Value::Integer(_) => "a whole number",
        Value::Float(_) => "a decimal number",
        Value::Boolean(_) => "true or false",
        Value::Datetime(at) => match (at.value().date, at.value().time) {
            (Some(_), None) => "a single date",
            (None, _) => "a time of day",
            (Some(_), Some(_)) => "a date and time",
        },
        Value::Array(_) => "a list",
        Value::InlineTable(_) => "a table",
    }
}

/// `line 2, column 13`, or `line 2` when the column is not known.
fn place(line: usize, column: Option<usize>) -> String {
    match column {
        Some(column) => format!("line {line}, column {column}"),
        None => format!("line {line}"),
    }
}

fn help_suffix(problem: &ConfigProblem) -> String {
    problem.help().map(|help| format!(": {help}")).unwrap_or_default()
}

impl fmt::Display for ConfigProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ConfigProblem::Syntax { message } => write!(f, "this is not valid TOML: {message}"),
            ConfigProblem::UnknownSection { name, .. } => write!(f, "unknown section `[{name}]`"),
            ConfigProblem::NotASection { name, found } => {
                write!(f, "`{name}` must be a section written `[{name}]` on a line of its own, not {found}")
            }
            ConfigProblem::OutsideSection { key, section: Some(_) } => {
                write!(f, "the setting `{key}` is outside its section")
            }
            ConfigProblem::OutsideSection { key, section: None } => write!(f, "unknown setting `{key}`"),
            ConfigProblem::UnknownKey { section, key, .. } => write!(f, "unknown setting `{key}` in `[{section}]`"),
            ConfigProblem::WrongType { key: "time_zone", found } => {
                write!(f, "`time_zone` must be a time zone name in quotes, not {found}")
            }
            ConfigProblem::WrongType { key: "weekend", found } => {
                write!(f, "`weekend` must be a list of day names, not {found}")
            }
            ConfigProblem::WrongType { key: "owner", found } => {
                write!(f, "`owner` must be an email address in quotes, not {found}")
            }
            ConfigProblem::WrongType { key, found } => write!(f, "`{key}` must be a list of dates, not {found}"),
            ConfigProblem::WrongEntryType { key: "weekend", found } => {
                write!(f, "each day in `weekend` must be a day name in quotes, not {found}")
            }
            ConfigProblem::WrongEntryType { key, found } => {
                write!(f, "each entry in `{key}` must be a date, not {found}")
            }
            ConfigProblem::UnknownTimeZone { name, .. } => write!(f, "unknown time zone `{name}`"),
            ConfigProblem::UnknownDay { name, .. } => write!(f, "unknown day `{name}` in `weekend`"),
            ConfigProblem::NotADate { text } => write!(f, "holiday `{text}` is not a date written year-month-day"),
            ConfigProblem::NoSuchDate { text } => write!(f, "there is no date `{text}`"),
            ConfigProblem::DateWithTime { text } => write!(f, "holiday `{text}` has a time of day"),
            ConfigProblem::TimeNotDate { text } => write!(f, "holiday `{text}` is a time of day, not a date"),
            ConfigProblem::NotAnAddress { text } => write!(f, "the workspace owner `{text}` is not an email address"),
            ConfigProblem::Sink(p) => p.fmt(f),
        }
    }
}

impl ConfigProblem {
    /// What to do about it, when there is something useful to say.
    pub fn help(&self) -> Option<String> {
        match self {
            ConfigProblem::Syntax { .. } => None,
            ConfigProblem::Sink(p) => p.help(),
            ConfigProblem::UnknownSection { suggestion: Some(s), .. } => Some(format!("did you mean `[{s}]`?")),
            ConfigProblem::UnknownSection { suggestion: None, .. } => {
                Some("the sections are `[workspace]`, `[calendar]`, `[sinks.…]` and `[crm.…]`".to_string())
            }
            ConfigProblem::NotASection { .. } => None,
            ConfigProblem::OutsideSection { key, section: Some(section) } => {
                Some(format!("put `{key}` under a `[{section}]` line"))
            }
            ConfigProblem::OutsideSection { section: None, .. } => {
                Some("settings go under `[workspace]` or `[calendar]`".to_string())
            }
            ConfigProblem::UnknownKey { suggestion: Some(s), .. }
            | ConfigProblem::UnknownTimeZone { suggestion: Some(s), .. }
            | ConfigProblem::UnknownDay { suggestion: Some(s), .. } => Some(format!("did you mean `{s}`?")),
            ConfigProblem::UnknownKey { section, .. } => {
                let known = if *section == "workspace" { &WORKSPACE_KEYS[..] } else { &CALENDAR_KEYS[..] };
                Some(match known {
                    [only] => format!("the only setting in `[{section}]` is `{only}`"),
                    _ => format!("the settings in `[{section}]` are {}", in_words(known)),
                })
            }
            ConfigProblem::WrongType { key: "owner", .. } | ConfigProblem::NotAnAddress { .. } => Some(
                "for example `owner = \"jo@example.com\"`, the teammate who sees private playbooks' actions".into(),
            ),
            ConfigProblem::WrongType { key: "time_zone", .. } => {
                Some("for example `time_zone = \"Europe/Paris\"`".into())
            }
            ConfigProblem::WrongType { key: "weekend", .. } | ConfigProblem::WrongEntryType { key: "weekend", .. } => {
                Some("for example `weekend = [\"saturday\", \"sunday\"]`".into())
            }
            ConfigProblem::WrongType { .. } | ConfigProblem::WrongEntryType { .. } => {
                Some("for example `holidays = [2026-12-25, 2027-01-01]`".into())
            }
            ConfigProblem::UnknownTimeZone { suggestion: None, .. } => {
                Some("use a name from the IANA time zone list, like `America/New_York`, `Europe/Paris` or `UTC`".into())
            }
            ConfigProblem::UnknownDay { suggestion: None, .. } => {
                Some(format!("the days are {}, in lower case", in_words(&DAY_NAMES)))
            }
            ConfigProblem::NotADate { .. } => Some("write holidays like `2026-12-25`".into()),
            ConfigProblem::NoSuchDate { .. } => Some("check the month and the day".into()),
            ConfigProblem::DateWithTime { text } => {
                Some(format!("holidays are whole days, so write just the date, `{}`", text.get(..10).unwrap_or(text)))
            }
            ConfigProblem::TimeNotDate { .. } => Some("write holidays like `2026-12-25`".into()),
        }
    }
}

/// `` `a` ``, `` `a` and `b` `` or `` `a`, `b` and `c` ``.
fn in_words(words: &[&str]) -> String {
    let quoted: Vec<String> = words.iter().map(|w| format!("`{w}`")).collect();
    match quoted.split_last() {
        None => String::new(),
        Some((last, [])) => last.clone(),
        Some((last, rest)) => format!("{} and {last}", rest.join(", ")),
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    fn date(text: &str) -> NaiveDate {
        NaiveDate::parse_from_str(text, "%Y-%m-%d").expect("test dates are valid")
    }

    /// The rendered error for `text`, which must fail.
    fn error(text: &str) -> String {
        match Workspace::from_toml(text) {
            Ok(workspace) => panic!("expected an error, got {workspace:?}"),
            Err(e) => e.to_string(),
        }
    }

    #[test]
    fn empty_text_gives_the_default_workspace() {
        let workspace = Workspace::from_toml("").expect("empty text is valid");
        assert_eq!(workspace, Workspace::default());
        assert_eq!(workspace.time_zone, Tz::UTC);
        assert_eq!(workspace.calendar.weekend, [false, false, false, false, false, true, true]);
        assert!(workspace.calendar.holidays.is_empty());
    }

    #[test]
    fn comments_and_empty_sections_give_the_default_workspace() {
        let text = "# settings\n[workspace]\n\n[calendar] # none yet\n";
        assert_eq!(Workspace::from_toml(text), Ok(Workspace::default()));
    }

    #[test]
    fn a_full_file_is_read() {
        let text = r#"
[workspace]
time_zone = "America/New_York"

[calendar]
weekend = ["friday", "saturday"]
holidays = [2026-12-25, "2027-01-01"]
"#;
        let workspace = Workspace::from_toml(text).expect("valid settings");
        assert_eq!(workspace.time_zone, chrono_tz::America::New_York);
        assert_eq!(workspace.calendar.weekend, [false, false, false, false, true, true, false]);
        assert_eq!(workspace.calendar.holidays, BTreeSet::from([date("2026-12-25"), date("2027-01-01")]));
    }

    #[test]
    fn the_workspace_owner_is_an_address() {
        let w = Workspace::from_toml("[workspace]\nowner = \"jo@example.com\"\n").unwrap();
        assert_eq!(w.owner.as_deref(), Some("jo@example.com"));
        assert_eq!(
            error("[workspace]\nowner = \"jo\"\n"),
            "the workspace owner `jo` is not an email address (line 2, column 9): for example `owner = \"jo@example.com\"`, the teammate who sees private playbooks' actions"
        );
        assert_eq!(
            error("[workspace]\nowner = 3\n"),
            "`owner` must be an email address in quotes, not a whole number (line 2, column 9): for example `owner = \"jo@example.com\"`, the teammate who sees private playbooks' actions"
        );
    }

    #[test]
    fn an_empty_weekend_makes_every_day_a_business_day() {
        let workspace = Workspace::from_toml("[calendar]\nweekend = []").expect("valid settings");
        assert_eq!(workspace.calendar.weekend, [false; 7]);
    }

    #[test]
    fn repeated_days_and_holidays_are_harmless() {
        let text = "[calendar]\nweekend = [\"sunday\", \"sunday\"]\nholidays = [2026-12-25, \"2026-12-25\"]";
        let workspace = Workspace::from_toml(text).expect("valid settings");
        assert_eq!(workspace.calendar.weekend, [false, false, false, false, false, false, true]);
        assert_eq!(workspace.calendar.holidays.len(), 1);
    }

    #[test]
    fn inline_tables_and_dotted_keys_are_read_like_sections() {
        let text = "workspace = { time_zone = \"Europe/Paris\" }\ncalendar.weekend = [\"sunday\"]";
        let workspace = Workspace::from_toml(text).expect("valid settings");
        assert_eq!(workspace.time_zone, chrono_tz::Europe::Paris);
        assert_eq!(workspace.calendar.weekend, [false, false, false, false, false, false, true]);
    }

    #[test]
    fn errors_carry_the_line_and_column_as_data() {
        let e = Workspace::from_toml("[workspace]\ntime_zone = \"Mars/Olympus\"").expect_err("unknown zone");
        assert_eq!((e.line, e.column), (2, Some(13)));
        assert_eq!(e.problem, ConfigProblem::UnknownTimeZone { name: "Mars/Olympus".into(), suggestion: None });
    }

    #[test]
    fn unknown_time_zone_suggests_the_closest_name() {
        insta::assert_snapshot!(error("[workspace]\ntime_zone = \"America/NewYork\""), @"unknown time zone `America/NewYork` (line 2, column 13): did you mean `America/New_York`?");
    }

    #[test]
    fn time_zone_in_the_wrong_case_suggests_the_right_case() {
        insta::assert_snapshot!(error("[workspace]\ntime_zone = \"america/new_york\""), @"unknown time zone `america/new_york` (line 2, column 13): did you mean `America/New_York`?");
    }

    #[test]
    fn time_zone_given_as_a_city_suggests_the_full_name() {
        insta::assert_snapshot!(error("[workspace]\ntime_zone = \"Paris\""), @"unknown time zone `Paris` (line 2, column 13): did you mean `Europe/Paris`?");
    }

    #[test]
    fn far_off_time_zone_lists_examples() {
        insta::assert_snapshot!(error("[workspace]\ntime_zone = \"Mars/Olympus\""), @"unknown time zone `Mars/Olympus` (line 2, column 13): use a name from the IANA time zone list, like `America/New_York`, `Europe/Paris` or `UTC`");
    }

    #[test]
    fn time_zone_of_the_wrong_type() {
        insta::assert_snapshot!(error("[workspace]\ntime_zone = 5"), @r#"`time_zone` must be a time zone name in quotes, not a whole number (line 2, column 13): for example `time_zone = "Europe/Paris"`"#);
    }

    #[test]
    fn unquoted_time_zone_is_a_syntax_error_with_line_and_column() {
        insta::assert_snapshot!(error("[workspace]\ntime_zone = America/New_York"), @r#"this is not valid TOML: invalid string, expected `"`, `'` (line 2, column 13)"#);
    }

    #[test]
    fn repeated_key_is_a_syntax_error() {
        insta::assert_snapshot!(error("[workspace]\ntime_zone = \"UTC\"\ntime_zone = \"UTC\""), @"this is not valid TOML: duplicate key `time_zone` in table `workspace` (line 3, column 1)");
    }

    #[test]
    fn unknown_key_names_its_line_and_suggests() {
        insta::assert_snapshot!(error("[workspace]\n\ntimezone = \"UTC\""), @"unknown setting `timezone` in `[workspace]` (line 3, column 1): did you mean `time_zone`?");
    }

    #[test]
    fn unknown_key_with_nothing_close_lists_the_keys() {
        insta::assert_snapshot!(error("[calendar]\nweekend = []\ncolour = \"blue\""), @"unknown setting `colour` in `[calendar]` (line 3, column 1): the settings in `[calendar]` are `weekend` and `holidays`");
    }

    #[test]
    fn unknown_section_suggests_the_closest() {
        insta::assert_snapshot!(error("[workspace]\ntime_zone = \"UTC\"\n\n[calender]\nweekend = []"), @"unknown section `[calender]` (line 4, column 2): did you mean `[calendar]`?");
    }

    #[test]
    fn unknown_section_with_nothing_close_lists_the_sections() {
        insta::assert_snapshot!(error("[engine]\nthreads = 2"), @"unknown section `[engine]` (line 1, column 2): the sections are `[workspace]`, `[calendar]`, `[sinks.…]` and `[crm.…]`");
    }

    #[test]
    fn subsection_is_an_unknown_key() {
        insta::assert_snapshot!(error("[workspace.extra]\nx = 1"), @"unknown setting `extra` in `[workspace]` (line 1, column 12): the settings in `[workspace]` are `time_zone` and `owner`");
    }

    #[test]
    fn setting_outside_its_section_says_where_it_belongs() {
        insta::assert_snapshot!(error("time_zone = \"UTC\""), @"the setting `time_zone` is outside its section (line 1, column 1): put `time_zone` under a `[workspace]` line");
    }

    #[test]
    fn unknown_setting_outside_any_section() {
        insta::assert_snapshot!(error("name = \"Acme\""), @"unknown setting `name` (line 1, column 1): settings go under `[workspace]` or `[calendar]`");
    }

    #[test]
    fn section_name_used_as_a_value() {
        insta::assert_snapshot!(error("workspace = \"UTC\""), @"`workspace` must be a section written `[workspace]` on a line of its own, not text (line 1, column 1)");
    }

    #[test]
    fn section_written_as_a_list_of_sections() {
        insta::assert_snapshot!(error("[[calendar]]\nweekend = []"), @"`calendar` must be a section written `[calendar]` on a line of its own, not a list of sections (line 1, column 3)");
    }

    #[test]
    fn weekend_of_the_wrong_type() {
        insta::assert_snapshot!(error("[calendar]\nweekend = \"saturday\""), @r#"`weekend` must be a list of day names, not text (line 2, column 11): for example `weekend = ["saturday", "sunday"]`"#);
    }

    #[test]
    fn misspelt_day_suggests_the_closest() {
        insta::assert_snapshot!(error("[calendar]\nweekend = [\"saturday\", \"sundy\"]"), @"unknown day `sundy` in `weekend` (line 2, column 24): did you mean `sunday`?");
    }

    #[test]
    fn capitalised_day_suggests_lower_case() {
        insta::assert_snapshot!(error("[calendar]\nweekend = [\"Saturday\"]"), @"unknown day `Saturday` in `weekend` (line 2, column 12): did you mean `saturday`?");
    }

    #[test]
    fn unknown_day_with_nothing_close_lists_the_days() {
        insta::assert_snapshot!(error("[calendar]\nweekend = [\"weekend\"]"), @"unknown day `weekend` in `weekend` (line 2, column 12): the days are `monday`, `tuesday`, `wednesday`, `thursday`, `friday`, `saturday` and `sunday`, in lower case");
    }

    #[test]
    fn day_of_the_wrong_type() {
        insta::assert_snapshot!(error("[calendar]\nweekend = [6]"), @r#"each day in `weekend` must be a day name in quotes, not a whole number (line 2, column 12): for example `weekend = ["saturday", "sunday"]`"#);
    }

    #[test]
    fn holiday_entry_on_its_own_line_is_located_there() {
        let text = "[calendar]\nholidays = [\n  2026-12-25,\n  \"25/12/2026\",\n]";
        insta::assert_snapshot!(error(text), @"holiday `25/12/2026` is not a date written year-month-day (line 4, column 3): write holidays like `2026-12-25`");
    }

    #[test]
    fn holiday_text_naming_no_real_day() {
        insta::assert_snapshot!(error("[calendar]\nholidays = [\"2026-02-30\"]"), @"there is no date `2026-02-30` (line 2, column 13): check the month and the day");
    }

    #[test]
    fn holidays_in_year_zero_are_refused_written_either_way() {
        insta::assert_snapshot!(error("[calendar]\nholidays = [\"0000-01-01\"]"), @"there is no date `0000-01-01` (line 2, column 13): check the month and the day");
        insta::assert_snapshot!(error("[calendar]\nholidays = [0000-01-01]"), @"there is no date `0000-01-01` (line 2, column 13): check the month and the day");
    }

    #[test]
    fn toml_date_naming_no_real_day_is_a_syntax_error() {
        insta::assert_snapshot!(error("[calendar]\nholidays = [2026-02-30]"), @"this is not valid TOML: invalid date-time, value is out of range (line 2, column 21)");
    }

    #[test]
    fn holiday_with_a_time_of_day() {
        insta::assert_snapshot!(error("[calendar]\nholidays = [2026-12-25T09:00:00]"), @"holiday `2026-12-25T09:00:00` has a time of day (line 2, column 13): holidays are whole days, so write just the date, `2026-12-25`");
    }

    #[test]
    fn holiday_that_is_only_a_time() {
        insta::assert_snapshot!(error("[calendar]\nholidays = [09:00:00]"), @"holiday `09:00:00` is a time of day, not a date (line 2, column 13): write holidays like `2026-12-25`");
    }

    #[test]
    fn holiday_of_the_wrong_type() {
        insta::assert_snapshot!(error("[calendar]\nholidays = [20261225]"), @"each entry in `holidays` must be a date, not a whole number (line 2, column 13): for example `holidays = [2026-12-25, 2027-01-01]`");
    }

    #[test]
    fn holidays_of_the_wrong_type() {
        insta::assert_snapshot!(error("[calendar]\nholidays = 2026-12-25"), @"`holidays` must be a list of dates, not a single date (line 2, column 12): for example `holidays = [2026-12-25, 2027-01-01]`");
    }

    #[test]
    fn columns_count_characters_not_bytes() {
        let e = Workspace::from_toml("[calendar] # é\nweekend = [\"lundi\"] # “\n").expect_err("unknown day");
        assert_eq!((e.line, e.column), (2, Some(12)));
    }

    /// Lines that are, or are close to, real settings, to reach past the TOML reader.
    fn settings_line() -> impl Strategy<Value = String> {
        prop::sample::select(vec![
            "[workspace]",
            "[calendar]",
            "[[calendar]]",
            "[workspace.x]",
            "time_zone = \"America/New_York\"",
            "time_zone = \"\"",
            "time_zone = 3",
            "weekend = [\"saturday\", \"sunday\"]",
            "weekend = [\"\", 1, []]",
            "holidays = [2026-12-25, \"2027-01-01\", 1979-05-27T07:32:00Z, 07:32:00]",
            "holidays = [\"\", \"9999-99-99\", \"0000-01-01\", \"+202-01-01\"]",
            "calendar = {}",
            "workspace = []",
            "x.y.z = 1",
            "",
            "= \"",
        ])
        .prop_map(str::to_string)
    }

    proptest! {
        #[test]
        fn from_toml_never_panics_on_any_text(text in "\\PC*") {
            let _ = Workspace::from_toml(&text);
        }

        #[test]
        fn from_toml_never_panics_on_settings_like_text(lines in prop::collection::vec(settings_line(), 0..8)) {
            let _ = Workspace::from_toml(&lines.join("\n"));
        }
    }
}
