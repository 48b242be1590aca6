//! Any change line is either refused or taken, never a panic: arbitrary text, arbitrary
//! JSON, and objects shaped like changes with keys, values and types picked at random, read
//! with `parse_change` and fed to an engine running `examples/customer-success`.

use std::panic::{catch_unwind, AssertUnwindSafe};

use proptest::prelude::*;
use serde_json::{json, Map, Value as Json};

use play_runtime::change::parse_change;
use play_runtime::engine::Engine;
use play_runtime::store::MemoryStore;

use crate::direct::{customer_success, Project};
use crate::support::{play, write};

/// Scalars that find edges: extreme numbers, moments, dates, durations, ids and enum names.
const AWKWARD: &[&str] = &[
    "null",
    "true",
    "false",
    "0",
    "-0",
    "0.5",
    "-1",
    "1e308",
    "-1e308",
    "9223372036854775807",
    "-9223372036854775808",
    "18446744073709551615",
    "1e400",
    "\"\"",
    "\" \"",
    "\"2026-03-02T09:00:00Z\"",
    "\"2026-03-02T09:00:00\"",
    "\"2026-03-02 09:00\"",
    "\"0000-01-01T00:00:00Z\"",
    "\"9999-12-31T23:59:59Z\"",
    "\"9999-12-31T23:59:59-23:59\"",
    "\"2026-03-29T02:30:00\"",
    "\"2026-02-30\"",
    "\"2026-03-02\"",
    "\"9999-12-31\"",
    "\"+262143-12-31\"",
    "\"-262144-01-01\"",
    "\"0001-01-01\"",
    "\"3d\"",
    "\"2bd + 3h\"",
    "\"9223372036854775807s\"",
    "\"99999999999999w\"",
    "\"09:00\"",
    "\"24:00\"",
    "\"Enterprise\"",
    "\"Renewal\"",
    "\"Churned\"",
    "\"Champion\"",
    "\"acme\"",
    "\"c-17\"",
    "\"jo@example.com\"",
    "\"@\"",
    "\"https://example.com\"",
    "\"héllo 🎉\"",
    "[]",
    "[1,\"a\",null]",
    "[[]]",
    "{}",
    "{\"a\":{}}",
];

const KEYS: &[&str] = &["at", "change", "record", "id", "fields", "event", "subject", "source", "At", ""];
const KINDS: &[&str] = &["upsert", "event", "delete", "upsrt", "Upsert", ""];
const IDS: &[&str] = &["acme", "c-17", "globex", "jo", "\u{1F600}", " "];

/// Moments for `at`: mostly after the engine's clock, some before it. (Moments far in the
/// future are among the awkward values: the clock running to them is slow, not wrong.)
const MOMENTS: &[&str] = &[
    "2026-03-02T09:00:00Z",
    "2026-03-02T09:00:00.999Z",
    "2026-03-02T10:00:00+01:00",
    "2026-03-03T09:00:00",
    "2026-03-05 12:00",
    "2026-03-09T09:00:00Z",
    "2026-04-20T00:00:00Z",
    "2026-12-31T23:59:59Z",
    "2027-06-01T00:00:00Z",
    "2026-03-01T00:00:00Z",
    "1970-01-01T00:00:00Z",
    "0000-01-01T00:00:00Z",
];

/// A field and values that fit it (edges included), as JSON text.
type Field = (&'static str, &'static [&'static str]);

const ACCOUNT: &[Field] = &[
    ("name", &["\"Acme\"", "\"\"", "\"héllo 🎉\""]),
    ("tier", &["\"Enterprise\"", "\"Smb\""]),
    ("arr", &["0", "250000", "-1", "1e308", "5e-324"]),
    ("stage", &["\"Renewal\"", "\"Onboarding\"", "\"Churned\"", "\"Adoption\""]),
    ("health", &["0", "41", "100", "-1e308", "1e308", "0.1"]),
    ("owner", &["\"jo@example.com\"", "\"jo\""]),
    ("csm", &["\"ana@example.com\"", "null"]),
    ("champion", &["\"c-17\"", "\"ghost\"", "null"]),
    ("executive_sponsor", &["\"c-17\"", "null"]),
    ("renewal_date", &["\"2026-04-15\"", "\"9999-12-31\"", "\"0001-01-01\"", "\"+262143-12-31\"", "null"]),
    ("contract_start_date", &["\"2026-03-02\"", "\"-262144-01-01\"", "\"9999-12-31\""]),
    ("weekly_active_users", &["0", "4", "40", "1e308"]),
    ("tags", &["[]", "[\"at-risk\"]"]),
    ("licensed_seats", &["10", "9223372036854775807", "-9223372036854775808", "0"]),
    ("used_seats", &["9", "9223372036854775807", "0"]),
    ("onboarding_complete", &["true", "false", "null"]),
    ("last_activity_at", &["\"2026-03-01T09:00:00Z\"", "\"0000-01-01T00:00:00Z\"", "\"9999-12-31T23:59:59Z\""]),
    ("created_at", &["\"2026-03-01T09:00:00Z\""]),
    ("parent", &["\"acme\"", "\"globex\""]),
    ("nps", &["0", "10", "null"]),
];
const CONTACT: &[Field] = &[
    ("email", &["\"dana@acme.example\"", "\"a@b\""]),
    ("first_name", &["\"Dana\"", "null"]),
    ("account", &["\"acme\"", "\"globex\""]),
    ("opted_out", &["false", "true"]),
    ("role", &["\"Champion\"", "null"]),
    ("nps", &["3", "null"]),
    ("last_seen_at", &["\"2026-03-01T09:00:00Z\""]),
];
const USER: &[Field] =
    &[("email", &["\"jo@example.com\""]), ("name", &["\"Jo\""]), ("manager", &["\"lee\"", "\"jo\"", "null"])];
const LOGIN: &[Field] = &[("feature", &["\"reports\"", "null"])];
const FEATURE_USED: &[Field] = &[("feature", &["\"invite_users\"", "\"reports\""])];
const NPS: &[Field] =
    &[("score", &["0", "10", "-9223372036854775808", "9223372036854775807"]), ("comment", &["\"meh\"", "null"])];
const MEETING: &[Field] = &[
    ("title", &["\"Check-in\""]),
    ("starts_at", &["\"2026-03-04T15:00:00Z\"", "\"9999-12-31T23:59:59Z\""]),
    ("host", &["\"jo\"", "null"]),
];
const TICKET: &[Field] = &[("severity", &["\"Critical\"", "\"Low\""]), ("subject", &["\"Exports fail\""])];
const CALL: &[Field] = &[
    ("title", &["\"Call\""]),
    ("length", &["\"45m\"", "\"9223372036854775807s\"", "\"99999999999999w\"", "\"2bd + 3h\""]),
];
const STRAY: &[Field] = &[("helth", &["41"]), ("", &["1"]), ("score", &["1"]), ("email", &["\"x@y\""])];

/// What a line is about: its kind, its record or event type, and the fields that type has.
const TARGETS: &[(&str, &str, &[Field])] = &[
    ("upsert", "Account", ACCOUNT),
    ("upsert", "Contact", CONTACT),
    ("upsert", "User", USER),
    ("upsert", "Acount", ACCOUNT),
    ("event", "Login", LOGIN),
    ("event", "FeatureUsed", FEATURE_USED),
    ("event", "NpsSubmitted", NPS),
    ("event", "MeetingBooked", MEETING),
    ("event", "TicketOpened", TICKET),
    ("event", "CallRecorded", CALL),
    ("event", "Account", LOGIN),
    ("delete", "Account", &[]),
    ("delete", "Contact", &[]),
    ("delete", "Case", &[]),
];

fn awkward() -> impl Strategy<Value = Json> {
    prop::sample::select(AWKWARD).prop_map(|text| serde_json::from_str(text).unwrap_or(Json::Null))
}

/// Any JSON value, a few levels deep.
fn any_json() -> impl Strategy<Value = Json> {
    let leaf = prop_oneof![
        Just(Json::Null),
        any::<bool>().prop_map(Json::Bool),
        any::<i64>().prop_map(Json::from),
        any::<f64>().prop_map(Json::from),
        ".{0,12}".prop_map(Json::String),
        awkward(),
    ];
    leaf.prop_recursive(3, 24, 4, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(Json::Array),
            prop::collection::vec((".{0,8}", inner), 0..4).prop_map(|kv| Json::Object(kv.into_iter().collect())),
        ]
    })
}

/// One entry of `fields`: usually a field of the type with a value that fits it, sometimes
/// another field or a value of any type.
fn field(of: &'static [Field]) -> impl Strategy<Value = (String, Json)> {
    let fields = if of.is_empty() { STRAY } else { of };
    let named = prop_oneof![16 => prop::sample::select(fields), 1 => prop::sample::select(STRAY)];
    let other = prop_oneof![12 => Just(None), 1 => awkward().prop_map(Some), 1 => any_json().prop_map(Some)];
    (named, any::<prop::sample::Index>(), other).prop_map(|((name, good), pick, other)| {
        let value = other.unwrap_or_else(|| serde_json::from_str(good[pick.index(good.len())]).unwrap_or(Json::Null));
        (name.to_string(), value)
    })
}

/// An object shaped like a change: the keys of its kind with values that usually fit, any
/// of which may be missing or of the wrong type, now and then with a stray key.
fn change_like() -> impl Strategy<Value = Json> {
    prop::sample::select(TARGETS).prop_flat_map(|(kind, name, of)| {
        // Either some fields, or every field of the type (enough to create a record) with
        // some changed.
        let object = (any::<bool>(), prop::collection::vec(field(of), 0..4)).prop_map(move |(every, some)| {
            let mut fields: Map<String, Json> = Map::new();
            if every {
                for (name, good) in of {
                    fields.insert(name.to_string(), serde_json::from_str(good[0]).unwrap_or(Json::Null));
                }
            }
            fields.extend(some);
            Json::Object(fields)
        });
        let fields = prop_oneof![12 => object, 1 => any_json()];
        (
            prop_oneof![16 => prop::sample::select(MOMENTS).prop_map(Json::from), 1 => awkward(), 1 => any_json()],
            prop_oneof![24 => Just(Json::from(kind)), 1 => prop::sample::select(KINDS).prop_map(Json::from), 1 => any_json()],
            prop_oneof![24 => Just(Json::from(name)), 1 => awkward(), 1 => any_json()],
            prop_oneof![16 => prop::sample::select(IDS).prop_map(Json::from), 1 => any_json()],
            fields,
            prop_oneof![16 => Just(0u8), 1 => any::<u8>()],
            prop::option::weighted(0.05, (prop::sample::select(KEYS), any_json())),
        )
            .prop_map(move |(at, change, name, id, fields, drop, stray)| {
                let keyed: Vec<(&str, Json)> = match kind {
                    "event" => vec![("event", name), ("subject", id), ("fields", fields)],
                    "delete" => vec![("record", name), ("id", id)],
                    _ => vec![("record", name), ("id", id), ("fields", fields)],
                };
                let mut object = Map::new();
                let all = [("at", at), ("change", change)].into_iter().chain(keyed);
                for (bit, (key, value)) in all.enumerate() {
                    if drop & (1 << bit) == 0 {
                        object.insert(key.to_string(), value);
                    }
                }
                if let Some((key, value)) = stray {
                    object.insert(key.to_string(), value);
                }
                Json::Object(object)
            })
    })
}

/// A line of any of the three kinds.
fn line() -> impl Strategy<Value = String> {
    prop_oneof![
        1 => ".{0,80}",
        1 => any_json().prop_map(|j| j.to_string()),
        4 => change_like().prop_map(|j| j.to_string()),
    ]
}

/// An engine on `examples/customer-success` with a renewal account, a contact and a run
/// waiting, so that lines that are taken have something to act on.
fn engine(project: &Project) -> Engine<MemoryStore> {
    let store = MemoryStore::new(project.program.schema.records.len());
    let start = chrono::DateTime::parse_from_rfc3339("2026-03-02T09:00:00Z").expect("a moment").timestamp();
    let mut engine = Engine::new(project.program.clone(), project.workspace.clone(), store, start);
    let setup = [
        json!({"at":"2026-03-02T09:00:00Z","change":"upsert","record":"Account","id":"acme","fields":{"name":"Acme","tier":"Enterprise","arr":250000,"stage":"Renewal","health":72,"owner":"jo@example.com","weekly_active_users":40,"tags":[],"renewal_date":"2026-04-15"}}),
        json!({"at":"2026-03-02T09:00:00Z","change":"upsert","record":"Contact","id":"c-17","fields":{"email":"dana@acme.example","account":"acme","opted_out":false,"role":"Champion"}}),
        json!({"at":"2026-03-02T09:00:00Z","change":"upsert","record":"Account","id":"acme","fields":{"champion":"c-17","health":41}}),
    ];
    for line in setup {
        let change = parse_change(&line.to_string(), engine.program(), &engine.workspace).expect("setup lines read");
        engine.ingest(change).expect("setup lines are taken");
    }
    engine.take_actions();
    engine
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    #[test]
    fn every_change_line_is_refused_or_taken_without_a_panic(lines in prop::collection::vec(line(), 1..6)) {
        let project = customer_success();
        let mut engine = engine(project);
        for line in &lines {
            let outcome = catch_unwind(AssertUnwindSafe(|| {
                let change = parse_change(line, engine.program(), &engine.workspace)?;
                engine.ingest(change)?;
                engine.take_actions();
                Ok::<(), play_runtime::change::Rejection>(())
            }));
            prop_assert!(outcome.is_ok(), "panicked on line: {}", line);
        }
    }
}

#[test]
fn a_file_of_garbage_lines_is_refused_line_by_line_with_exit_1() {
    let dir = tempfile::tempdir().expect("a scratch folder");
    let garbage = [
        "hello",
        "{",
        "}{",
        "null",
        "42",
        "\"upsert\"",
        "[{\"at\":\"2026-03-02T09:00:00Z\"}]",
        "{\"at\":\"2026-03-02T09:00:00Z\"}",
        "{\"at\":[],\"change\":{},\"record\":7,\"id\":null,\"fields\":\"health\"}",
        "{\"at\":\"9999-12-31T23:59:59Z\",\"change\":\"delete\",\"record\":\"Nope\",\"id\":\"x\"}",
        "\u{feff}{\"at\":\"2026-03-02T09:00:00Z\",\"change\":\"delete\",\"record\":\"Account\",\"id\":\"acme\"}",
        "{\"at\":\"2026-03-02T09:00:00Z\",\"change\":\"event\",\"event\":\"Login\",\"subject\":\"\"}",
        "\u{0}\u{1}\u{7f}",
    ];
    let mut text = garbage.join("\n");
    text.push_str("\n\u{fffd}\u{fffd}\n");
    write(dir.path(), "garbage.jsonl", text.as_bytes());
    write(dir.path(), "latin1.jsonl", b"{\"at\":\"2026-03-02T09:00:00Z\",\"change\":\"upsert\",\"record\":\"Account\",\"id\":\"caf\xe9\",\"fields\":{}}\n\xff\xfe\n");
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    for file in ["garbage.jsonl", "latin1.jsonl"] {
        let path = dir.path().join(file);
        let run =
            play(root, &["replay", "examples/customer-success", "--changes", path.to_str().expect("a UTF-8 path")]);
        assert_eq!(run.code, 1, "{file}: {}", run.stderr);
        assert_eq!(run.stdout, "", "{file}");
        assert!(!run.stderr.contains("internal error"), "{}", run.stderr);
        let refused = run.stderr.lines().filter(|l| l.contains(": refused")).count();
        let lines = std::fs::read(&path).expect("written").split(|b| *b == b'\n').filter(|l| !l.is_empty()).count();
        assert_eq!(refused, lines, "{file}: every line is refused, one report each:\n{}", run.stderr);
    }
}
