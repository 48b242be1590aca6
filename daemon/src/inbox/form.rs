//! A posted form (`application/x-www-form-urlencoded`): its fields, repeated ones kept
//! (bulk picks), and the checks every text a teammate types passes.

/// The longest text a form field may carry (a note, a reason, an email body).
pub const MAX_TEXT: usize = 20_000;

pub struct Fields(Vec<(String, String)>);

impl Fields {
    pub fn parse(body: &[u8]) -> Fields {
        Fields(form_urlencoded::parse(body).into_owned().collect())
    }

    /// The first value of a field, trimmed; none when absent.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.0.iter().find(|(k, _)| k == name).map(|(_, v)| v.trim())
    }

    /// Every value of a repeated field.
    pub fn all(&self, name: &str) -> Vec<String> {
        self.0.iter().filter(|(k, _)| k == name).map(|(_, v)| v.clone()).collect()
    }

    /// A field's text, empty when absent, refused past [`MAX_TEXT`].
    pub fn text(&self, name: &str, label: &str) -> Result<String, String> {
        let text = self.get(name).unwrap_or_default();
        if text.chars().count() > MAX_TEXT {
            return Err(format!(
                "The {label} is too long ({} characters): keep it under {MAX_TEXT}.",
                text.chars().count()
            ));
        }
        Ok(text.to_string())
    }

    /// A text that must not be empty.
    pub fn required(&self, name: &str, label: &str) -> Result<String, String> {
        let text = self.text(name, label)?;
        if text.is_empty() {
            return Err(format!("Write a {label}: it cannot be empty."));
        }
        Ok(text)
    }
}

/// The moment a snooze ends: the morning (09:00 UTC) of a date written `YYYY-MM-DD`, which
/// must be after `now` (the daemon's clock).
pub fn snooze_until(date: &str, now: Option<i64>) -> Result<i64, String> {
    if date.is_empty() {
        return Err("Pick a date to snooze until.".into());
    }
    let day = chrono::NaiveDate::parse_from_str(date, "%Y-%m-%d")
        .map_err(|_| format!("`{}` is not a date: pick one like 2026-03-20.", play_runtime::change::clip(date)))?;
    let at = day.and_hms_opt(9, 0, 0).map(|t| t.and_utc().timestamp()).ok_or("That date cannot be used.")?;
    if now.is_some_and(|now| at <= now) {
        return Err(format!("{date} is not in the future: pick a later date to snooze until."));
    }
    Ok(at)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn repeated_fields_are_all_kept() {
        let f = Fields::parse(b"id=a&id=b&reason=+late+&csrf=x");
        assert_eq!(f.all("id"), ["a", "b"]);
        assert_eq!(f.get("reason"), Some("late"));
        assert_eq!(f.get("none"), None);
    }

    #[test]
    fn empty_and_huge_texts_are_refused_with_words() {
        let f = Fields::parse(b"reason=&note=ok");
        assert!(f.required("reason", "reason").unwrap_err().contains("cannot be empty"));
        let huge = format!("note={}", "x".repeat(MAX_TEXT + 1));
        assert!(Fields::parse(huge.as_bytes()).text("note", "note").unwrap_err().contains("too long"));
    }

    #[test]
    fn a_snooze_ends_on_a_later_morning() {
        let now = chrono::DateTime::parse_from_rfc3339("2026-03-10T12:00:00Z").unwrap().timestamp();
        assert!(snooze_until("2026-03-10", Some(now)).unwrap_err().contains("not in the future"));
        let at = snooze_until("2026-03-11", Some(now)).unwrap();
        assert_eq!(play_runtime::value::moment_text(at), "2026-03-11T09:00:00Z");
        assert!(snooze_until("next week", Some(now)).unwrap_err().contains("not a date"));
        assert!(snooze_until("", Some(now)).is_err());
    }
}
