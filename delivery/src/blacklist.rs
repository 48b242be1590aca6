//! Email sync and its blacklists: which emails (sent by Play, or posted from teammates'
//! mailboxes) are logged to the CRM. The company's settings switch email sync on or off,
//! say whether attachments are logged, and hold the company blacklist; each teammate has
//! inbound and outbound switches and a blacklist of their own. A blacklist holds domains
//! (an address at the domain or one of its subdomains), addresses, and keywords (found in
//! the subject or the body, whatever the case). [`skip_reason`] says why an email is not
//! logged, in words for the operator, or `None` when it is.

use serde::{Deserialize, Serialize};

/// Domains, addresses and keywords, kept trimmed and in lower case.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Blacklist {
    #[serde(default)]
    pub domains: Vec<String>,
    #[serde(default)]
    pub addresses: Vec<String>,
    #[serde(default)]
    pub keywords: Vec<String>,
}

/// The company's email-sync settings (`GET/PUT /v1/blacklists/company`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CompanySync {
    /// Email sync on or off for everyone.
    #[serde(default = "yes")]
    pub enabled: bool,
    /// Whether attachments are logged with the email (a company-wide setting only).
    #[serde(default)]
    pub attachments: bool,
    #[serde(default)]
    pub blacklist: Blacklist,
}

/// A teammate's own settings (`GET/PUT /v1/blacklists/me`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TeammateSync {
    /// Whether emails they receive are logged.
    #[serde(default = "yes")]
    pub inbound: bool,
    /// Whether emails they send are logged.
    #[serde(default = "yes")]
    pub outbound: bool,
    #[serde(default)]
    pub blacklist: Blacklist,
}

fn yes() -> bool {
    true
}

impl Default for CompanySync {
    fn default() -> Self {
        CompanySync { enabled: true, attachments: false, blacklist: Blacklist::default() }
    }
}

impl Default for TeammateSync {
    fn default() -> Self {
        TeammateSync { inbound: true, outbound: true, blacklist: Blacklist::default() }
    }
}

/// Which way an email went, seen from the teammate.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Direction {
    Inbound,
    Outbound,
}

/// The parts of an email the blacklists look at.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct EmailParts<'a> {
    pub from: &'a str,
    pub to: &'a [String],
    pub cc: &'a [String],
    pub subject: &'a str,
    pub body: &'a str,
}

/// A blacklist entry that is not what its list holds: the field (`blacklist.domains[1]`)
/// and what is wrong, in words.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BadEntry {
    pub field: String,
    pub message: String,
}

impl Blacklist {
    /// The list trimmed, in lower case, without repeats; or the first entry that is not a
    /// domain, an address or a keyword.
    pub fn cleaned(&self) -> Result<Blacklist, BadEntry> {
        let clean = |list: &[String], name: &str, check: fn(&str) -> Option<&'static str>| {
            let mut out: Vec<String> = Vec::new();
            for (i, entry) in list.iter().enumerate() {
                let entry = entry.trim().to_lowercase();
                if let Some(why) = check(&entry) {
                    let field = format!("blacklist.{name}[{i}]");
                    return Err(BadEntry { message: format!("`{field}` {why}, not `{entry}`"), field });
                }
                if !out.contains(&entry) {
                    out.push(entry);
                }
            }
            Ok(out)
        };
        Ok(Blacklist {
            domains: clean(&self.domains, "domains", bad_domain)?,
            addresses: clean(&self.addresses, "addresses", bad_address)?,
            keywords: clean(&self.keywords, "keywords", |k| k.is_empty().then_some("is a word or phrase"))?,
        })
    }

    /// Why this list keeps the email out, if it does.
    fn hit(&self, email: &EmailParts) -> Option<String> {
        let parties = std::iter::once(email.from).chain(email.to.iter().chain(email.cc).map(String::as_str));
        for party in parties {
            let address = bare(party);
            if self.addresses.contains(&address) {
                return Some(format!("the address `{address}`"));
            }
            let domain = address.rsplit_once('@').map_or("", |(_, d)| d);
            if let Some(d) = self.domains.iter().find(|d| domain == d.as_str() || domain.ends_with(&format!(".{d}"))) {
                return Some(format!("the domain `{d}` (`{address}`)"));
            }
        }
        let (subject, body) = (email.subject.to_lowercase(), email.body.to_lowercase());
        for k in &self.keywords {
            if subject.contains(k.as_str()) {
                return Some(format!("the keyword `{k}` (in the subject)"));
            }
            if body.contains(k.as_str()) {
                return Some(format!("the keyword `{k}` (in the body)"));
            }
        }
        None
    }
}

/// The address of `Name <a@b.example>` or `a@b.example`, in lower case.
pub fn bare(party: &str) -> String {
    let party = party.trim();
    let inner = match (party.rfind('<'), party.rfind('>')) {
        (Some(open), Some(close)) if open < close => &party[open + 1..close],
        _ => party,
    };
    inner.trim().to_lowercase()
}

fn bad_domain(d: &str) -> Option<&'static str> {
    let ok = d.contains('.')
        && !d.starts_with('.')
        && !d.ends_with('.')
        && d.chars().all(|c| c.is_alphanumeric() || c == '-' || c == '.');
    (!ok).then_some("is a domain such as `acme.com`")
}

fn bad_address(a: &str) -> Option<&'static str> {
    match a.split_once('@') {
        Some((local, domain)) if !local.is_empty() && !local.contains(char::is_whitespace) => {
            bad_domain(domain).map(|_| "is an address such as `vic@acme.com`")
        }
        _ => Some("is an address such as `vic@acme.com`"),
    }
}

/// Why an email is not logged to the CRM, or `None` when it is. `teammate` is the
/// teammate whose mailbox it is in (`None` for an email Play sent on its own).
pub fn skip_reason(
    company: &CompanySync,
    teammate: Option<(&str, &TeammateSync)>,
    direction: Direction,
    email: &EmailParts,
) -> Option<String> {
    if !company.enabled {
        return Some("email sync is switched off for the company".into());
    }
    if let Some(hit) = company.blacklist.hit(email) {
        return Some(format!("the company blacklist has {hit}"));
    }
    let (who, own) = teammate?;
    match direction {
        Direction::Inbound if !own.inbound => return Some(format!("{who} does not sync the emails they receive")),
        Direction::Outbound if !own.outbound => return Some(format!("{who} does not sync the emails they send")),
        _ => {}
    }
    own.blacklist.hit(email).map(|hit| format!("{who}'s own blacklist has {hit}"))
}

#[cfg(test)]
#[path = "blacklist_tests.rs"]
mod tests;
