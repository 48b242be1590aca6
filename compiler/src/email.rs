//! The one rule for what reads as an email address, in `.play` sources and in change lines:
//! one `@`, with text on either side and no white space anywhere. It is deliberately loose
//! (a CRM's addresses are its own business), but it tells an address from an id (`jo`).

/// Whether `s` reads as an email address.
pub fn is_email(s: &str) -> bool {
    let mut parts = s.split('@');
    matches!((parts.next(), parts.next(), parts.next()),
        (Some(user), Some(domain), None) if !user.is_empty() && !domain.is_empty())
        && !s.contains(char::is_whitespace)
}

#[cfg(test)]
mod tests {
    use super::is_email;

    #[test]
    fn an_address_has_one_at_with_text_on_either_side_and_no_spaces() {
        for good in ["jo@example.com", "jo@localhost", "a.b+c@d.example"] {
            assert!(is_email(good), "{good}");
        }
        for bad in ["jo", "", "@example.com", "jo@", "jo@@example.com", "jo@a@b", "jo @example.com", " jo@example.com"]
        {
            assert!(!is_email(bad), "{bad}");
        }
    }
}
