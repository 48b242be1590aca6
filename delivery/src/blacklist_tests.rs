//! The blacklists: what each kind of entry keeps out, the switches, and entries refused
//! with the field named.

use super::*;

fn list(domains: &[&str], addresses: &[&str], keywords: &[&str]) -> Blacklist {
    let v = |l: &[&str]| l.iter().map(|s| s.to_string()).collect();
    Blacklist { domains: v(domains), addresses: v(addresses), keywords: v(keywords) }.cleaned().unwrap()
}

fn email<'a>(from: &'a str, to: &'a [String], subject: &'a str, body: &'a str) -> EmailParts<'a> {
    EmailParts { from, to, cc: &[], subject, body }
}

#[test]
fn each_kind_of_entry_keeps_an_email_out_and_says_which() {
    let company = CompanySync {
        blacklist: list(&["Lawyers.example"], &[" Board@Acme.example "], &["Confidential"]),
        ..CompanySync::default()
    };
    let to = vec!["Vic <vic@acme.example>".to_string()];
    let pass = email("jo@play.example", &to, "Renewal", "See you Monday");
    assert_eq!(skip_reason(&company, None, Direction::Outbound, &pass), None);
    let cc = vec!["ann@eu.lawyers.example".to_string()];
    let by_domain = EmailParts { cc: &cc, ..pass.clone() };
    assert_eq!(
        skip_reason(&company, None, Direction::Outbound, &by_domain).as_deref(),
        Some("the company blacklist has the domain `lawyers.example` (`ann@eu.lawyers.example`)")
    );
    let board = vec!["BOARD@acme.example".to_string()];
    assert_eq!(
        skip_reason(&company, None, Direction::Outbound, &email("jo@play.example", &board, "Hi", "")).as_deref(),
        Some("the company blacklist has the address `board@acme.example`")
    );
    let secret = email("vic@acme.example", &to, "Re: renewal", "this is CONFIDENTIAL, please");
    assert_eq!(
        skip_reason(&company, None, Direction::Inbound, &secret).as_deref(),
        Some("the company blacklist has the keyword `confidential` (in the body)")
    );
    // A domain is not a suffix of another word: `notlawyers.example` is not blacklisted.
    let near = vec!["x@notlawyers.example".to_string()];
    assert_eq!(skip_reason(&company, None, Direction::Outbound, &email("jo@play.example", &near, "", "")), None);
}

#[test]
fn the_switches_and_the_teammates_own_list_apply_after_the_companys() {
    let to = vec!["vic@acme.example".to_string()];
    let mail = email("jo@play.example", &to, "Salary review", "");
    let off = CompanySync { enabled: false, ..CompanySync::default() };
    assert_eq!(
        skip_reason(&off, None, Direction::Outbound, &mail).as_deref(),
        Some("email sync is switched off for the company")
    );
    let company = CompanySync::default();
    let jo = TeammateSync { outbound: false, ..TeammateSync::default() };
    assert_eq!(
        skip_reason(&company, Some(("jo@play.example", &jo)), Direction::Outbound, &mail).as_deref(),
        Some("jo@play.example does not sync the emails they send")
    );
    assert_eq!(skip_reason(&company, Some(("jo@play.example", &jo)), Direction::Inbound, &mail), None);
    let jo = TeammateSync { blacklist: list(&[], &[], &["salary"]), ..TeammateSync::default() };
    assert_eq!(
        skip_reason(&company, Some(("jo@play.example", &jo)), Direction::Outbound, &mail).as_deref(),
        Some("jo@play.example's own blacklist has the keyword `salary` (in the subject)")
    );
    // Someone else's list does not apply to an email Play sent on its own.
    assert_eq!(skip_reason(&company, None, Direction::Outbound, &mail), None);
}

#[test]
fn an_entry_that_is_not_what_its_list_holds_is_refused_by_field() {
    let bad = |b: Blacklist| b.cleaned().unwrap_err();
    let e = bad(Blacklist { domains: vec!["acme.com".into(), "not a domain".into()], ..Blacklist::default() });
    assert_eq!(e.field, "blacklist.domains[1]");
    assert_eq!(e.message, "`blacklist.domains[1]` is a domain such as `acme.com`, not `not a domain`");
    let e = bad(Blacklist { addresses: vec!["acme.com".into()], ..Blacklist::default() });
    assert_eq!(e.field, "blacklist.addresses[0]");
    let e = bad(Blacklist { keywords: vec!["  ".into()], ..Blacklist::default() });
    assert_eq!(e.message, "`blacklist.keywords[0]` is a word or phrase, not ``");
    let kept = list(&["Acme.com", "acme.com"], &[], &[]);
    assert_eq!(kept.domains, ["acme.com"], "trimmed, lower case, each once");
}

#[test]
fn settings_read_with_defaults_and_refuse_unknown_fields() {
    let c: CompanySync = serde_json::from_str("{}").unwrap();
    assert_eq!(c, CompanySync::default());
    assert!(c.enabled && !c.attachments);
    let t: TeammateSync = serde_json::from_str(r#"{"inbound": false}"#).unwrap();
    assert!(!t.inbound && t.outbound);
    assert!(serde_json::from_str::<TeammateSync>(r#"{"attachments": true}"#).is_err(), "attachments: company only");
    assert_eq!(bare("Vic Z <Vic@Acme.example>"), "vic@acme.example");
}
