//! Replays are deterministic: the same change stream gives byte-identical actions from a
//! fresh engine every time, through the libraries and through `play replay` alike.

use std::collections::HashSet;

use chrono::{DateTime, Duration, NaiveDate};
use proptest::prelude::*;

use crate::direct::{customer_success, replay};
use crate::support::{play, write};

const ACCOUNTS: usize = 4;
const CONTACTS: usize = 5;
const TIERS: [&str; 3] = ["Smb", "MidMarket", "Enterprise"];
const STAGES: [&str; 4] = ["Onboarding", "Adoption", "Renewal", "Churned"];
const ROLES: [&str; 3] = ["Champion", "DecisionMaker", "EconomicBuyer"];
const FEATURES: [&str; 3] = ["invite_users", "reports", "settings"];
const SEVERITIES: [&str; 4] = ["Low", "Medium", "High", "Critical"];

/// One step of a generated stream, before it is written out as a line.
#[derive(Clone, Debug)]
pub(crate) enum Op {
    /// An upsert of account `who`: every required field when it is new, else the fields
    /// `pick` selects.
    Account {
        who: usize,
        pick: u8,
        health: u8,
        half: bool,
        stage: usize,
        tier: usize,
        arr: u32,
        wau: u16,
        days: u16,
    },
    Contact {
        who: usize,
        account: usize,
        role: usize,
        opted_out: bool,
    },
    /// Point an account's champion at a contact.
    Champion {
        who: usize,
        contact: usize,
    },
    Event {
        kind: usize,
        who: usize,
        detail: usize,
        score: u8,
    },
    Delete {
        contact: bool,
        who: usize,
    },
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        5 => (0..ACCOUNTS, any::<u8>(), 0..=100u8, any::<bool>(), 0..STAGES.len(), 0..TIERS.len(), 1..60u32, (0..300u16, 0..400u16))
            .prop_map(|(who, pick, health, half, stage, tier, arr, (wau, days))| {
                Op::Account { who, pick, health, half, stage, tier, arr, wau, days }
            }),
        2 => (0..CONTACTS, 0..ACCOUNTS, 0..ROLES.len(), any::<bool>())
            .prop_map(|(who, account, role, opted_out)| Op::Contact { who, account, role, opted_out }),
        1 => (0..ACCOUNTS, 0..CONTACTS).prop_map(|(who, contact)| Op::Champion { who, contact }),
        3 => (0..6usize, 0..CONTACTS.max(ACCOUNTS), 0..4usize, 0..=10u8)
            .prop_map(|(kind, who, detail, score)| Op::Event { kind, who, detail, score }),
        1 => (any::<bool>(), 0..CONTACTS).prop_map(|(contact, who)| Op::Delete { contact, who }),
    ]
}

/// A stream: steps with the minutes between them (0 for changes at the same moment), and
/// how many days past the last change the clock runs.
pub(crate) fn stream() -> impl Strategy<Value = (Vec<(Op, u32)>, u16)> {
    (prop::collection::vec((op(), prop_oneof![1 => Just(0u32), 4 => 1..4_320u32]), 1..40), 0..45u16)
}

/// Writes a stream as JSONL text; also gives the moment to run the clock to, and the lines
/// the engine may refuse: an incomplete create (an account or contact first seen through a
/// partial upsert), an event about a record not there, a delete of one not there.
pub(crate) fn render(ops: &[(Op, u32)], extra_days: u16) -> (String, String, HashSet<usize>) {
    let start = DateTime::parse_from_rfc3339("2026-03-02T08:00:00Z").expect("a moment").to_utc();
    let day0 = NaiveDate::from_ymd_opt(2026, 3, 2).expect("a date");
    let mut at = start;
    let mut accounts = HashSet::new();
    let mut contacts = HashSet::new();
    let mut text = String::new();
    let mut refusable = HashSet::new();
    for (n, (op, gap)) in ops.iter().enumerate() {
        at += Duration::minutes(i64::from(*gap));
        let when = at.format("%Y-%m-%dT%H:%M:%SZ").to_string();
        let line = match op {
            Op::Account { who, pick, health, half, stage, tier, arr, wau, days } => {
                let health =
                    if *half { serde_json::json!(f64::from(*health) + 0.5) } else { serde_json::json!(health) };
                let mut fields = serde_json::Map::new();
                let mut put = |bit: u8, key: &str, value: serde_json::Value| {
                    if pick & (1 << bit) != 0 || !accounts.contains(who) {
                        fields.insert(key.into(), value);
                    }
                };
                put(0, "health", health);
                put(1, "stage", STAGES[*stage].into());
                put(2, "tier", TIERS[*tier].into());
                put(3, "arr", (u64::from(*arr) * 5_000).into());
                put(4, "weekly_active_users", (*wau).into());
                put(5, "renewal_date", (day0 + Duration::days(i64::from(*days))).to_string().into());
                put(6, "name", format!("Account {who}").into());
                put(7, "owner", "jo@example.com".into());
                put(7, "tags", serde_json::json!([]));
                if fields.is_empty() {
                    fields.insert("health".into(), serde_json::json!(50));
                }
                accounts.insert(*who);
                upsert(&when, "Account", &format!("a{who}"), fields.into())
            }
            Op::Contact { who, account, role, opted_out } => {
                let mut fields = serde_json::json!({"role": ROLES[*role], "opted_out": opted_out});
                if contacts.insert(*who) {
                    fields["email"] = format!("c{who}@example.com").into();
                    fields["first_name"] = format!("C{who}").into();
                    fields["account"] = format!("a{account}").into();
                }
                upsert(&when, "Contact", &format!("c{who}"), fields)
            }
            Op::Champion { who, contact } => {
                if !accounts.contains(who) {
                    refusable.insert(n + 1);
                }
                upsert(&when, "Account", &format!("a{who}"), serde_json::json!({"champion": format!("c{contact}")}))
            }
            Op::Event { kind, who, detail, score } => {
                let contact = format!("c{}", who % CONTACTS);
                let (event, subject, fields) = match kind {
                    0 => ("Login", contact, serde_json::json!({"feature": FEATURES[detail % FEATURES.len()]})),
                    1 => ("FeatureUsed", contact, serde_json::json!({"feature": FEATURES[detail % FEATURES.len()]})),
                    2 => ("NpsSubmitted", contact, serde_json::json!({"score": score, "comment": "generated"})),
                    3 => ("MeetingBooked", contact, serde_json::json!({"title": "Check-in", "starts_at": when})),
                    4 => ("EmailReplied", contact, serde_json::json!({"subject": "Re: renewal"})),
                    _ => (
                        "TicketOpened",
                        format!("a{}", who % ACCOUNTS),
                        serde_json::json!({"severity": SEVERITIES[*detail], "subject": "Exports fail"}),
                    ),
                };
                let there =
                    if *kind < 5 { contacts.contains(&(who % CONTACTS)) } else { accounts.contains(&(who % ACCOUNTS)) };
                if !there {
                    refusable.insert(n + 1);
                }
                serde_json::json!({"at": when, "change": "event", "event": event, "subject": subject, "fields": fields})
            }
            Op::Delete { contact: true, who } => {
                if !contacts.remove(who) {
                    refusable.insert(n + 1);
                }
                delete(&when, "Contact", &format!("c{who}"))
            }
            Op::Delete { contact: false, who } => {
                let who = who % ACCOUNTS;
                if !accounts.remove(&who) {
                    refusable.insert(n + 1);
                }
                delete(&when, "Account", &format!("a{who}"))
            }
        };
        text.push_str(&line.to_string());
        text.push('\n');
    }
    let until = (at + Duration::days(i64::from(extra_days))).format("%Y-%m-%dT%H:%M:%SZ").to_string();
    (text, until, refusable)
}

fn upsert(at: &str, record: &str, id: &str, fields: serde_json::Value) -> serde_json::Value {
    serde_json::json!({"at": at, "change": "upsert", "record": record, "id": id, "fields": fields})
}

fn delete(at: &str, record: &str, id: &str) -> serde_json::Value {
    serde_json::json!({"at": at, "change": "delete", "record": record, "id": id})
}

fn moment(text: &str) -> i64 {
    DateTime::parse_from_rfc3339(text).expect("a moment").timestamp()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 32, ..ProptestConfig::default() })]

    #[test]
    fn the_same_changes_give_the_same_actions_from_a_fresh_engine((ops, extra) in stream()) {
        let (text, until, refusable) = render(&ops, extra);
        let project = customer_success();
        let first = replay(project, &text, Some(moment(&until)));
        let second = replay(project, &text, Some(moment(&until)));
        prop_assert_eq!(&first, &second, "changes:\n{}", text);
        // Every generated line fits the schema and the records there, except those
        // `render` knows may not.
        for line in &first.refused {
            let refused = text.lines().nth(line - 1).unwrap_or_default();
            prop_assert!(refusable.contains(line), "line {} refused: {}", line, refused);
        }
    }
}

proptest! {
    // Each case starts the binary twice: a few are enough to catch output that depends
    // on the process (hash seeds, addresses, the wall clock).
    #![proptest_config(ProptestConfig { cases: 4, ..ProptestConfig::default() })]

    #[test]
    fn play_replay_prints_the_same_bytes_every_run_and_the_same_as_the_libraries((ops, extra) in stream()) {
        let (text, until, _) = render(&ops, extra);
        let dir = tempfile::tempdir().expect("a scratch folder");
        write(dir.path(), "changes.jsonl", &text);
        let changes = dir.path().join("changes.jsonl");
        let changes = changes.to_str().expect("a UTF-8 path");
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        let args = ["replay", "examples/customer-success", "--changes", changes, "--until", &until];
        let first = play(root, &args);
        let second = play(root, &args);
        prop_assert!(first.code == 0 || first.code == 1, "exit {}: {}", first.code, first.stderr);
        prop_assert_eq!(&first.stdout, &second.stdout);
        prop_assert_eq!(&first.stderr, &second.stderr);
        prop_assert_eq!(first.code, second.code);
        let direct = replay(customer_success(), &text, Some(moment(&until)));
        prop_assert_eq!(&first.stdout, &direct.stdout, "changes:\n{}", text);
    }
}
