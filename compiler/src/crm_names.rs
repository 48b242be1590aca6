//! Turning a CRM's names (`Custom_Field__c`, `hs_lead_status`, `Closed Won`) into Play
//! identifiers: `snake_case` fields, `PascalCase` records, enums and variants. Used by
//! `play schema import` and by the daemon's CRM pull, which must name fields the same way.

use std::collections::HashSet;

/// Words that can never be names in Play (docs/language.md, "Reserved words").
const RESERVED: &[&str] = &["and", "or", "not", "in", "true", "false"];

/// Suffixes Salesforce puts on custom names: fields, relationships, objects, metadata
/// types, events, external and big objects, knowledge articles. `__s` (a compound
/// field's component) is handled apart, because it keeps what comes before it.
const SALESFORCE_SUFFIXES: &[&str] = &["__c", "__r", "__pc", "__pr", "__mdt", "__e", "__x", "__b", "__kav"];

/// Whether `name` is a Play identifier that is not a reserved word.
pub fn is_identifier(name: &str) -> bool {
    let mut chars = name.chars();
    let starts_well = chars.next().is_some_and(|c| c.is_ascii_alphabetic() || c == '_');
    starts_well && chars.all(|c| c.is_ascii_alphanumeric() || c == '_') && !RESERVED.contains(&name)
}

/// A field name: `NumberOfEmployees` → `number_of_employees`, `SLA_Expiration__c` →
/// `sla_expiration`, `hs_lead_status` stays.
pub fn snake_case(name: &str) -> String {
    let joined = words(name).iter().map(|w| w.to_ascii_lowercase()).collect::<Vec<_>>().join("_");
    if joined.is_empty() {
        "field".to_string()
    } else if joined.starts_with(|c: char| c.is_ascii_digit()) {
        format!("_{joined}")
    } else if RESERVED.contains(&joined.as_str()) {
        format!("{joined}_")
    } else {
        joined
    }
}

/// A record, enum or variant name: `Closed Won` → `ClosedWon`, `COMPUTER_SOFTWARE` →
/// `ComputerSoftware`, `1-10` → `V1_10` (a name cannot start with a digit). Returns an
/// empty string when `name` has no letters or digits.
pub fn pascal_case(name: &str) -> String {
    let mut out = String::new();
    for word in words(name) {
        // Two numbers side by side (`1-10`) would run together without a separator.
        if out.ends_with(|c: char| c.is_ascii_digit()) && word.starts_with(|c: char| c.is_ascii_digit()) {
            out.push('_');
        }
        out.push_str(&capitalize(&word));
    }
    if out.starts_with(|c: char| c.is_ascii_digit()) {
        out.insert(0, 'V');
    }
    out
}

/// A Salesforce API name without its custom suffix and namespace: `acme__Tier__c` →
/// `Tier`, `Geo__Latitude__s` → `Geo_Latitude`, `Account` stays.
pub fn strip_salesforce(name: &str) -> String {
    if let Some(base) = name.strip_suffix("__s") {
        // `ns__Geo__Latitude__s`: a namespace, the compound field, the component.
        let parts: Vec<&str> = base.split("__").collect();
        let from = if parts.len() > 2 { parts.len() - 2 } else { 0 };
        return parts[from..].join("_");
    }
    match SALESFORCE_SUFFIXES.iter().find_map(|suffix| name.strip_suffix(suffix)) {
        // What precedes the last `__` is a managed package's namespace.
        Some(base) => base.rsplit("__").next().unwrap_or(base).to_string(),
        None => name.to_string(),
    }
}

/// Hands out names that are unique within one scope, adding `2`, `3`, … (or `_2`, … in
/// `snake_case`) to repeats.
#[derive(Default)]
pub struct Unique {
    taken: HashSet<String>,
}

impl Unique {
    pub fn new() -> Unique {
        Unique::default()
    }

    /// `name`, or the first free numbered form of it.
    pub fn claim(&mut self, name: String) -> String {
        let separator = if name.contains(|c: char| c.is_ascii_lowercase()) && !name.contains(char::is_uppercase) {
            "_"
        } else {
            ""
        };
        let mut candidate = name.clone();
        let mut n = 2;
        while self.taken.contains(&candidate) {
            candidate = format!("{name}{separator}{n}");
            n += 1;
        }
        self.taken.insert(candidate.clone());
        candidate
    }
}

/// Splits a name into words at spaces, punctuation, `_`, and changes of case
/// (`SLAExpiration` → `SLA`, `Expiration`). Letters with accents lose them; other
/// characters that are not ASCII letters or digits separate words.
fn words(name: &str) -> Vec<String> {
    let chars: Vec<char> = name.chars().flat_map(fold).collect();
    let mut words = Vec::new();
    let mut word = String::new();
    for (i, &c) in chars.iter().enumerate() {
        if !c.is_ascii_alphanumeric() {
            if !word.is_empty() {
                words.push(std::mem::take(&mut word));
            }
            continue;
        }
        let prev = i.checked_sub(1).map(|p| chars[p]);
        let next = chars.get(i + 1).copied();
        let boundary = match prev {
            Some(p) if c.is_ascii_uppercase() => {
                // `fooBar` and the `E` of `SLAExpiration` start words.
                p.is_ascii_lowercase() || (p.is_ascii_uppercase() && next.is_some_and(|n| n.is_ascii_lowercase()))
            }
            _ => false,
        };
        if boundary && !word.is_empty() {
            words.push(std::mem::take(&mut word));
        }
        word.push(c);
    }
    if !word.is_empty() {
        words.push(word);
    }
    words
}

/// `sla` → `Sla`, `SLA` → `Sla`, `iPhone` → `IPhone`: the first letter upper case, and an
/// all-capitals word (an acronym or a shouted value) in lower case after it.
fn capitalize(word: &str) -> String {
    let rest_lower = !word.chars().any(|c| c.is_ascii_lowercase());
    let mut chars = word.chars();
    let first = chars.next().map(|c| c.to_ascii_uppercase()).into_iter();
    if rest_lower {
        first.chain(chars.map(|c| c.to_ascii_lowercase())).collect()
    } else {
        first.chain(chars).collect()
    }
}

/// The ASCII letters for a Latin letter with an accent (`é` → `e`, `ß` → `ss`); any other
/// character is returned as it is.
fn fold(c: char) -> Vec<char> {
    let plain = match c {
        'à' | 'á' | 'â' | 'ã' | 'ä' | 'å' => 'a',
        'À' | 'Á' | 'Â' | 'Ã' | 'Ä' | 'Å' => 'A',
        'ç' => 'c',
        'Ç' => 'C',
        'è' | 'é' | 'ê' | 'ë' => 'e',
        'È' | 'É' | 'Ê' | 'Ë' => 'E',
        'ì' | 'í' | 'î' | 'ï' => 'i',
        'Ì' | 'Í' | 'Î' | 'Ï' => 'I',
        'ñ' => 'n',
        'Ñ' => 'N',
        'ò' | 'ó' | 'ô' | 'õ' | 'ö' | 'ø' => 'o',
        'Ò' | 'Ó' | 'Ô' | 'Õ' | 'Ö' | 'Ø' => 'O',
        'ù' | 'ú' | 'û' | 'ü' => 'u',
        'Ù' | 'Ú' | 'Û' | 'Ü' => 'U',
        'ý' | 'ÿ' => 'y',
        'Ý' => 'Y',
        'ß' => return vec!['s', 's'],
        _ => c,
    };
    vec![plain]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn salesforce_field_names_become_snake_case() {
        assert_eq!(snake_case("NumberOfEmployees"), "number_of_employees");
        assert_eq!(snake_case(&strip_salesforce("Custom_Field__c")), "custom_field");
        assert_eq!(snake_case(&strip_salesforce("SLAExpirationDate__c")), "sla_expiration_date");
        assert_eq!(snake_case(&strip_salesforce("acme__Health_Score__c")), "health_score");
        assert_eq!(snake_case(&strip_salesforce("Geo__Latitude__s")), "geo_latitude");
        assert_eq!(snake_case(&strip_salesforce("acme__Geo__Latitude__s")), "geo_latitude");
        assert_eq!(snake_case("BillingAddress2"), "billing_address2");
        assert_eq!(snake_case("hs_lead_status"), "hs_lead_status");
    }

    #[test]
    fn field_names_that_cannot_be_identifiers_are_repaired() {
        assert_eq!(snake_case("In"), "in_");
        assert_eq!(snake_case("2FA_Enabled"), "_2fa_enabled");
        assert_eq!(snake_case("¿?"), "field");
        assert!(is_identifier(&snake_case("not")));
    }

    #[test]
    fn values_become_pascal_case_variants() {
        assert_eq!(pascal_case("Closed Won"), "ClosedWon");
        assert_eq!(pascal_case("Id. Decision Makers"), "IdDecisionMakers");
        assert_eq!(pascal_case("Proposal/Price Quote"), "ProposalPriceQuote");
        assert_eq!(pascal_case("COMPUTER_SOFTWARE"), "ComputerSoftware");
        assert_eq!(pascal_case("MidMarket"), "MidMarket");
        assert_eq!(pascal_case("1-10"), "V1_10");
        assert_eq!(pascal_case("Válido"), "Valido");
        assert_eq!(pascal_case("—"), "");
    }

    #[test]
    fn repeated_names_are_numbered() {
        let mut unique = Unique::new();
        assert_eq!(unique.claim("Yes".to_string()), "Yes");
        assert_eq!(unique.claim("Yes".to_string()), "Yes2");
        assert_eq!(unique.claim("type".to_string()), "type");
        assert_eq!(unique.claim("type".to_string()), "type_2");
    }
}
