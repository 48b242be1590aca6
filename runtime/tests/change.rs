//! Reading changes in: one test per rule of the format, a snapshot of the messages for bad
//! lines, and properties (reading never panics; written changes read back the same).
//!
//! Everything sits in `mod change` so that `cargo test -p play-runtime change` runs it all.

mod change {
    use std::sync::{Arc, OnceLock};

    use play_compiler::program::{Duration, Program, Ty};
    use play_runtime::change::{
        missing_required, parse_change, to_json_line, value_from_json, Change, ChangeKind, Rejection,
    };
    use play_runtime::config::Workspace;
    use play_runtime::value::Value;
    use proptest::prelude::*;
    use serde_json::{json, Value as Json};

    /// The standard library alone: Account, Contact, User, … and their events.
    fn program() -> &'static Program {
        static PROGRAM: OnceLock<Program> = OnceLock::new();
        PROGRAM.get_or_init(|| match play_compiler::lower::build(&[("schema.play", "")]) {
            Ok(program) => program,
            Err(diagnostics) => panic!("the standard library does not build: {diagnostics:?}"),
        })
    }

    fn parse(line: &str) -> Result<Change, Rejection> {
        parse_change(line, program(), &Workspace::default())
    }

    fn reject(line: &str) -> Rejection {
        match parse(line) {
            Ok(change) => panic!("{line} was accepted as {change:?}"),
            Err(rejection) => rejection,
        }
    }

    fn record(name: &str) -> u32 {
        program().schema.record_named(name).expect("a standard record") as u32
    }

    fn event(name: &str) -> u32 {
        program().schema.event_named(name).expect("a standard event") as u32
    }

    fn slot(record_name: &str, field: &str) -> u32 {
        program().schema.records[record(record_name) as usize].slot(field).expect("a standard field") as u32
    }

    fn variant(enum_name: &str, name: &str) -> Value {
        let enums = &program().schema.enums;
        let ty = enums.iter().position(|e| e.name == enum_name).expect("a standard enum");
        let variant = enums[ty].variants.iter().position(|v| v == name).expect("a variant");
        Value::Enum { ty: ty as u32, variant: variant as u32 }
    }

    /// Reads one field of an Account upsert.
    fn account_field(field: &str, value: Json) -> Result<Value, Rejection> {
        let line = json!({"at": "2026-03-02T09:00:00Z", "change": "upsert", "record": "Account", "id": "acme",
        "fields": {field: value}})
        .to_string();
        match parse(&line)?.kind {
            ChangeKind::Upsert { mut fields, .. } if fields.len() == 1 => Ok(fields.remove(0).1),
            other => panic!("unexpected {other:?}"),
        }
    }

    fn account_message(field: &str, value: Json) -> String {
        match account_field(field, value) {
            Ok(v) => panic!("`{field}` accepted {v:?}"),
            Err(rejection) => {
                assert_eq!(rejection.field.as_deref(), Some(field));
                rejection.message
            }
        }
    }

    const AT: i64 = 1_772_442_000; // 2026-03-02T09:00:00Z

    #[test]
    fn upsert_reads_record_id_and_fields_by_slot_in_slot_order() {
        let change = parse(r#"{"at":"2026-03-02T09:00:00Z","change":"upsert","record":"Account","id":"acme","fields":{"name":"Acme","health":72}}"#).unwrap();
        let mut expected =
            vec![(slot("Account", "name"), Value::text("Acme")), (slot("Account", "health"), Value::Num(72.0))];
        expected.sort_by_key(|(s, _)| *s);
        assert_eq!(
            change,
            Change {
                at: AT,
                kind: ChangeKind::Upsert { record: record("Account"), id: Arc::from("acme"), fields: expected }
            }
        );
    }

    #[test]
    fn event_reads_subject_and_payload() {
        let change = parse(r#"{"at":"2026-03-02T09:00:00Z","change":"event","event":"Login","subject":"c-17","fields":{"feature":"reports"}}"#).unwrap();
        let kind = ChangeKind::Event {
            event: event("Login"),
            subject: Arc::from("c-17"),
            fields: vec![(0, Value::text("reports"))],
        };
        assert_eq!(change, Change { at: AT, kind });
    }

    #[test]
    fn event_fields_are_optional() {
        let change =
            parse(r#"{"at":"2026-03-02T09:00:00Z","change":"event","event":"Login","subject":"c-17"}"#).unwrap();
        assert_eq!(
            change.kind,
            ChangeKind::Event { event: event("Login"), subject: Arc::from("c-17"), fields: vec![] }
        );
    }

    #[test]
    fn event_missing_a_required_payload_field_is_refused() {
        let r = reject(r#"{"at":"2026-03-02T09:00:00Z","change":"event","event":"EmailClicked","subject":"c-17"}"#);
        assert_eq!(r.field.as_deref(), Some("subject"));
        assert_eq!(r.message, "missing required fields `subject` and `url` on EmailClicked");
    }

    #[test]
    fn delete_reads_record_and_id() {
        let change =
            parse(r#"{"at":"2026-03-02T09:00:00Z","change":"delete","record":"Contact","id":"c-17"}"#).unwrap();
        assert_eq!(
            change,
            Change { at: AT, kind: ChangeKind::Delete { record: record("Contact"), id: Arc::from("c-17") } }
        );
    }

    #[test]
    fn examples_of_the_interface_document_are_read() {
        let lines = [
            r#"{"at":"2026-03-02T09:00:00Z","change":"upsert","record":"Account","id":"acme","fields":{"name":"Acme","tier":"Enterprise","arr":250000,"stage":"Renewal","health":72,"owner":"jo@example.com","weekly_active_users":40,"tags":[]}}"#,
            r#"{"at":"2026-03-02T10:00:00Z","change":"upsert","record":"Account","id":"acme","fields":{"health":41}}"#,
            r#"{"at":"2026-03-02T11:00:00Z","change":"event","event":"Login","subject":"c-17","fields":{"feature":"reports"}}"#,
            r#"{"at":"2026-03-02T12:00:00Z","change":"delete","record":"Contact","id":"c-17"}"#,
        ];
        for line in lines {
            assert!(parse(line).is_ok(), "{line}: {:?}", parse(line));
        }
        let Ok(Change { kind: ChangeKind::Upsert { fields, .. }, .. }) = parse(lines[0]) else { unreachable!() };
        let present: Vec<u32> = fields.iter().map(|(s, _)| *s).collect();
        assert_eq!(missing_required(program(), record("Account"), &present), Vec::<String>::new());
    }

    #[test]
    fn at_with_an_offset_is_converted_to_utc() {
        let change =
            parse(r#"{"at":"2026-03-02T10:00:00+01:00","change":"delete","record":"Contact","id":"c"}"#).unwrap();
        assert_eq!(change.at, AT);
    }

    #[test]
    fn at_without_an_offset_is_read_in_the_workspace_time_zone() {
        let line = r#"{"at":"2026-03-02T10:00:00","change":"delete","record":"Contact","id":"c"}"#;
        let paris = Workspace { time_zone: chrono_tz::Europe::Paris, ..Workspace::default() };
        assert_eq!(parse_change(line, program(), &paris).unwrap().at, AT);
        assert_eq!(parse(line).unwrap().at, AT + 3600);
    }

    #[test]
    fn local_time_skipped_by_the_clocks_is_refused() {
        let line = r#"{"at":"2026-03-29T02:30:00","change":"delete","record":"Contact","id":"c"}"#;
        let paris = Workspace { time_zone: chrono_tz::Europe::Paris, ..Workspace::default() };
        let r = parse_change(line, program(), &paris).unwrap_err();
        assert_eq!(
            r.message,
            "`at`: `2026-03-29T02:30:00` does not exist in Europe/Paris: the clocks go forward over it"
        );
    }

    #[test]
    fn at_that_is_not_a_date_and_time_is_refused() {
        let r = reject(r#"{"at":"yesterday","change":"delete","record":"Contact","id":"c"}"#);
        assert_eq!(r.message, "`at`: `yesterday` is not a date and time: expected one like `2026-03-02T09:00:00Z`");
        let r = reject(r#"{"at":1772442000,"change":"delete","record":"Contact","id":"c"}"#);
        assert_eq!(r.message, "`at` must be a date and time like `2026-03-02T09:00:00Z`, found `1772442000`");
    }

    #[test]
    fn text_is_read_from_a_json_string() {
        assert_eq!(account_field("name", json!("Acme")).unwrap(), Value::text("Acme"));
        assert_eq!(account_message("name", json!(3)), "`name`: expected text, found `3`");
    }

    #[test]
    fn email_needs_exactly_one_at_with_text_either_side() {
        let ok = value_from_json(&json!("jo@example.com"), &Ty::Email, program(), &Workspace::default());
        assert_eq!(ok, Ok(Value::text("jo@example.com")));
        for bad in ["jo", "@example.com", "jo@", "jo@a@b"] {
            let err = value_from_json(&json!(bad), &Ty::Email, program(), &Workspace::default()).unwrap_err();
            assert_eq!(err, format!("`{bad}` is not an email address: it needs one `@` with text on either side"));
        }
    }

    #[test]
    fn url_must_start_with_http_or_https() {
        assert_eq!(account_field("website", json!("https://acme.com")).unwrap(), Value::text("https://acme.com"));
        assert_eq!(account_field("website", json!("http://acme.com")).unwrap(), Value::text("http://acme.com"));
        assert_eq!(
            account_message("website", json!("acme.com")),
            "`website`: `acme.com` is not a web address: it must start with `http://` or `https://`"
        );
    }

    #[test]
    fn number_and_money_are_read_from_json_numbers() {
        assert_eq!(account_field("health", json!(72)).unwrap(), Value::Num(72.0));
        assert_eq!(account_field("arr", json!(250000.5)).unwrap(), Value::Num(250000.5));
        assert_eq!(account_message("arr", json!("250000")), "`arr`: expected a number, found `\"250000\"`");
    }

    #[test]
    fn int_is_read_from_a_json_integer() {
        assert_eq!(account_field("licensed_seats", json!(40)).unwrap(), Value::Int(40));
        assert_eq!(account_field("licensed_seats", json!(40.0)).unwrap(), Value::Int(40));
    }

    #[test]
    fn int_with_a_fraction_is_refused() {
        assert_eq!(
            account_message("licensed_seats", json!(40.5)),
            "`licensed_seats`: expected a whole number, found `40.5`"
        );
    }

    #[test]
    fn int_outside_64_bits_is_refused() {
        assert_eq!(
            account_message("licensed_seats", json!(u64::MAX)),
            "`licensed_seats`: `18446744073709551615` is outside the range of whole numbers"
        );
        assert_eq!(
            account_message("licensed_seats", json!(-1e30)),
            "`licensed_seats`: `-1e+30` is outside the range of whole numbers"
        );
        assert_eq!(account_field("licensed_seats", json!(i64::MIN)).unwrap(), Value::Int(i64::MIN));
    }

    #[test]
    fn bool_is_read_from_true_or_false() {
        let bool = |j: Json| value_from_json(&j, &Ty::Bool, program(), &Workspace::default());
        assert_eq!(bool(json!(true)), Ok(Value::Bool(true)));
        assert_eq!(bool(json!(false)), Ok(Value::Bool(false)));
        assert_eq!(bool(json!("yes")), Err("expected `true` or `false`, found `\"yes\"`".to_string()));
    }

    #[test]
    fn date_is_read_from_year_month_day() {
        let date = chrono::NaiveDate::from_ymd_opt(2026, 6, 30).unwrap();
        assert_eq!(account_field("renewal_date", json!("2026-06-30")).unwrap(), Value::Date(date));
        assert_eq!(
            account_message("renewal_date", json!("30/06/2026")),
            "`renewal_date`: `30/06/2026` is not a date: expected one like `2026-03-02` (year, month, day)"
        );
    }

    #[test]
    fn datetime_is_read_from_rfc3339_or_in_the_workspace_zone() {
        assert_eq!(account_field("created_at", json!("2026-03-02T09:00:00Z")).unwrap(), Value::Moment(AT));
        assert_eq!(account_field("created_at", json!("2026-03-02T09:00:00")).unwrap(), Value::Moment(AT));
        assert_eq!(account_field("created_at", json!("2026-03-02T04:00:00-05:00")).unwrap(), Value::Moment(AT));
    }

    #[test]
    fn duration_is_read_from_an_amount_and_a_unit() {
        let duration = |s: &str| value_from_json(&json!(s), &Ty::Duration, program(), &Workspace::default());
        let d = |seconds, business_days| Ok(Value::Duration(Duration { seconds, business_days }));
        assert_eq!(duration("3d"), d(3 * 86_400, 0));
        assert_eq!(duration("12h"), d(12 * 3600, 0));
        assert_eq!(duration("30m"), d(1800, 0));
        assert_eq!(duration("2w"), d(2 * 604_800, 0));
        assert_eq!(duration("3bd"), d(0, 3));
        assert_eq!(duration("2bd + 3h"), d(3 * 3600, 2));
        assert_eq!(
            duration("soon"),
            Err("`soon` is not a duration: expected one like `3d`, `12h`, `30m`, `2w` or `3bd`".into())
        );
        assert!(duration("99999999999999999999w").is_err());
    }

    #[test]
    fn time_is_read_from_hours_and_minutes() {
        let time = |s: &str| value_from_json(&json!(s), &Ty::Time, program(), &Workspace::default());
        assert_eq!(time("09:00"), Ok(Value::Time(540)));
        assert_eq!(time("17:45"), Ok(Value::Time(17 * 60 + 45)));
        assert_eq!(time("25:00"), Err("`25:00` is not a time of day: expected one like `09:00`".into()));
    }

    #[test]
    fn enum_is_read_from_the_variant_name() {
        assert_eq!(account_field("tier", json!("Enterprise")).unwrap(), variant("Tier", "Enterprise"));
    }

    #[test]
    fn unknown_enum_variant_lists_the_variants_and_suggests_the_closest() {
        assert_eq!(
            account_message("tier", json!("Enterprse")),
            "`tier`: expected `Smb`, `MidMarket` or `Enterprise`, found `\"Enterprse\"`: did you mean `Enterprise`?"
        );
        assert_eq!(
            account_message("tier", json!("Gold")),
            "`tier`: expected `Smb`, `MidMarket` or `Enterprise`, found `\"Gold\"`"
        );
    }

    #[test]
    fn record_reference_is_read_from_an_id() {
        assert_eq!(
            account_field("owner", json!("jo@example.com")).unwrap(),
            Value::Ref { record: record("User"), id: Arc::from("jo@example.com") }
        );
        assert_eq!(account_message("parent", json!(17)), "`parent`: expected the id of an Account, found `17`");
    }

    #[test]
    fn list_is_read_from_an_array_of_items() {
        let tags = account_field("tags", json!(["beta", "at-risk"])).unwrap();
        assert_eq!(tags, Value::List(Arc::from(vec![Value::text("beta"), Value::text("at-risk")])));
        assert_eq!(account_message("tags", json!("beta")), "`tags`: expected a list (List<Text>), found `\"beta\"`");
        assert_eq!(account_message("tags", json!(["beta", 3])), "item 2 of `tags`: expected text, found `3`");
        assert_eq!(account_message("tags", json!(["beta", null])), "item 2 of `tags` cannot be empty");
    }

    #[test]
    fn optional_field_given_null_is_empty() {
        assert_eq!(account_field("csm", Json::Null).unwrap(), Value::Empty);
    }

    #[test]
    fn required_field_given_null_is_refused() {
        assert_eq!(account_message("health", Json::Null), "`health` cannot be empty");
    }

    #[test]
    fn unknown_record_type_suggests_the_closest_name() {
        let r = reject(r#"{"at":"2026-03-02T09:00:00Z","change":"upsert","record":"Acount","id":"acme","fields":{}}"#);
        assert_eq!(
            r,
            Rejection {
                field: Some("record".into()),
                message: "unknown record type `Acount`: did you mean `Account`?".into()
            }
        );
    }

    #[test]
    fn unknown_event_type_suggests_the_closest_name() {
        let r = reject(r#"{"at":"2026-03-02T09:00:00Z","change":"event","event":"Logn","subject":"c-17"}"#);
        assert_eq!(r.message, "unknown event type `Logn`: did you mean `Login`?");
    }

    #[test]
    fn unknown_field_names_the_field_and_suggests_the_closest() {
        let r = reject(
            r#"{"at":"2026-03-02T09:00:00Z","change":"upsert","record":"Account","id":"acme","fields":{"helth":41}}"#,
        );
        assert_eq!(
            r,
            Rejection {
                field: Some("helth".into()),
                message: "unknown field `helth` on Account: did you mean `health`?".into()
            }
        );
        let r = reject(
            r#"{"at":"2026-03-02T09:00:00Z","change":"event","event":"Login","subject":"c","fields":{"page":"x"}}"#,
        );
        assert_eq!(
            r,
            Rejection {
                field: Some("page".into()),
                message: "unknown field `page` on Login: expected `feature`".into()
            }
        );
    }

    #[test]
    fn unknown_top_level_key_is_refused() {
        let r = reject(r#"{"at":"2026-03-02T09:00:00Z","change":"upsert","record":"Account","id":"acme","feilds":{}}"#);
        assert_eq!(r.message, "unknown key `feilds`: did you mean `fields`?");
        let r = reject(r#"{"at":"2026-03-02T09:00:00Z","change":"delete","record":"Contact","id":"c","fields":{}}"#);
        assert_eq!(
            r.message,
            "unknown key `fields` on a `delete` change: expected `at`, `change`, `change_id`, `record` or `id`"
        );
    }

    #[test]
    fn missing_keys_are_refused() {
        let cases = [
            (
                r#"{"change":"delete","record":"Contact","id":"c"}"#,
                "missing `at`: when the change happened, like `2026-03-02T09:00:00Z`",
            ),
            (
                r#"{"at":"2026-03-02T09:00:00Z","record":"Contact","id":"c"}"#,
                "missing `change`: the kind of change, `upsert`, `event`, `delete`, `action`, `activity` or `task`",
            ),
            (
                r#"{"at":"2026-03-02T09:00:00Z","change":"delete","id":"c"}"#,
                "missing `record`: the record type, like `Account`",
            ),
            (r#"{"at":"2026-03-02T09:00:00Z","change":"delete","record":"Contact"}"#, "missing `id`: the Contact's id"),
            (
                r#"{"at":"2026-03-02T09:00:00Z","change":"upsert","record":"Account","id":"a"}"#,
                "missing `fields`: the Account's fields to set",
            ),
            (
                r#"{"at":"2026-03-02T09:00:00Z","change":"event","event":"Login"}"#,
                "missing `subject`: the id of the Contact it happened to",
            ),
        ];
        for (line, message) in cases {
            assert_eq!(reject(line).message, message, "{line}");
        }
    }

    #[test]
    fn unknown_change_kind_is_refused() {
        let r = reject(r#"{"at":"2026-03-02T09:00:00Z","change":"upsrt","record":"Account","id":"a","fields":{}}"#);
        assert_eq!(r.message, "unknown change `upsrt`: did you mean `upsert`?");
        let r = reject(r#"{"at":"2026-03-02T09:00:00Z","change":"merge","record":"Account","id":"a","fields":{}}"#);
        assert_eq!(
            r.message,
            "unknown change `merge`: expected `upsert`, `event`, `delete`, `action`, `activity` or `task`"
        );
    }

    #[test]
    fn malformed_json_is_refused() {
        assert_eq!(
            reject(r#"{"at":"2026-03-02T09:00:00Z","#).message,
            "this line is not valid JSON: it ends too early"
        );
        assert_eq!(reject(r#"{"at":,}"#).message, "this line is not valid JSON: expected value at column 7");
    }

    #[test]
    fn a_line_that_is_not_an_object_is_refused() {
        assert_eq!(reject("[1,2]").message, "expected a change as a JSON object `{…}`, found a list");
        assert_eq!(reject("  ").message, "the line is empty: expected one change as a JSON object");
    }

    #[test]
    fn missing_required_lists_required_fields_not_given() {
        let account = record("Account");
        let present = [slot("Account", "name"), slot("Account", "health")];
        // Optional fields and lists (`tags`) are never required.
        assert_eq!(
            missing_required(program(), account, &present),
            ["tier", "arr", "stage", "owner", "weekly_active_users"]
        );
        assert!(missing_required(program(), 9999, &[]).is_empty());
    }

    #[test]
    fn written_lines_follow_the_documented_format() {
        let change = Change {
            at: AT,
            kind: ChangeKind::Event {
                event: event("Login"),
                subject: Arc::from("c-17"),
                fields: vec![(0, Value::text("reports"))],
            },
        };
        assert_eq!(
            to_json_line(&change, program()),
            r#"{"at":"2026-03-02T09:00:00Z","change":"event","event":"Login","subject":"c-17","fields":{"feature":"reports"}}"#
        );
        let change = Change { at: AT, kind: ChangeKind::Delete { record: record("Contact"), id: Arc::from("c-17") } };
        assert_eq!(
            to_json_line(&change, program()),
            r#"{"at":"2026-03-02T09:00:00Z","change":"delete","record":"Contact","id":"c-17"}"#
        );
    }

    #[test]
    fn rejection_messages() {
        let bad = [
            "",
            "not json",
            "42",
            r#""upsert""#,
            r#"{"change":"upsert"}"#,
            r#"{"at":"2026-03-02","change":"delete","record":"Contact","id":"c"}"#,
            r#"{"at":"2026-03-02T09:00:00Z","change":true,"record":"Contact","id":"c"}"#,
            r#"{"at":"2026-03-02T09:00:00Z","change":"delete","record":"Contct","id":"c"}"#,
            r#"{"at":"2026-03-02T09:00:00Z","change":"delete","record":"Planet","id":"c"}"#,
            r#"{"at":"2026-03-02T09:00:00Z","change":"delete","record":["Contact"],"id":"c"}"#,
            r#"{"at":"2026-03-02T09:00:00Z","change":"delete","record":"Contact","id":17}"#,
            r#"{"at":"2026-03-02T09:00:00Z","change":"delete","record":"Contact","id":" "}"#,
            r#"{"at":"2026-03-02T09:00:00Z","change":"upsert","record":"Account","id":"a","fields":[]}"#,
            r#"{"at":"2026-03-02T09:00:00Z","change":"upsert","record":"Account","id":"a","fields":{"helth":41}}"#,
            r#"{"at":"2026-03-02T09:00:00Z","change":"upsert","record":"Account","id":"a","fields":{"colour":"red"}}"#,
            r#"{"at":"2026-03-02T09:00:00Z","change":"upsert","record":"Account","id":"a","fields":{"health":null}}"#,
            r#"{"at":"2026-03-02T09:00:00Z","change":"upsert","record":"Account","id":"a","fields":{"health":"high"}}"#,
            r#"{"at":"2026-03-02T09:00:00Z","change":"upsert","record":"Account","id":"a","fields":{"stage":"renewal"}}"#,
            r#"{"at":"2026-03-02T09:00:00Z","change":"upsert","record":"Account","id":"a","fields":{"owner":""}}"#,
            r#"{"at":"2026-03-02T09:00:00Z","change":"upsert","record":"Account","id":"a","fields":{"employees":1.5}}"#,
            r#"{"at":"2026-03-02T09:00:00Z","change":"upsert","record":"Account","id":"a","fields":{"employees":1e300}}"#,
            r#"{"at":"2026-03-02T09:00:00Z","change":"upsert","record":"Account","id":"a","fields":{"tags":{"a":1}}}"#,
            r#"{"at":"2026-03-02T09:00:00Z","change":"upsert","record":"Contact","id":"c","fields":{"email":"jo.example.com"}}"#,
            r#"{"at":"2026-03-02T09:00:00Z","change":"upsert","record":"Contact","id":"c","fields":{"last_seen_at":"tomorrow"}}"#,
            r#"{"at":"2026-03-02T09:00:00Z","change":"event","event":"Logn","subject":"c"}"#,
            r#"{"at":"2026-03-02T09:00:00Z","change":"event","event":"Login","subject":"c","fields":null}"#,
            r#"{"at":"2026-03-02T09:00:00Z","change":"event","event":"NpsSubmitted","subject":"c","fields":{"score":"9"}}"#,
            r#"{"at":"2026-03-02T09:00:00Z","change":"event","event":"TicketOpened","subject":"acme","fields":{"subject":"Down","severity":"Urgent"}}"#,
            r#"{"at":"2026-03-02T09:00:00Z","change":"event","event":"CallRecorded","subject":"o","fields":{"title":"Call","length":"an hour"}}"#,
            r#"{"at":"2026-03-02T09:00:00Z","change":"event","event":"FeatureUsed","subject":"c"}"#,
            r#"{"at":"2026-03-02T09:00:00Z","change":"upsert","record":"Account","id":"a","fields":{"name":"Acme"},"extra":1}"#,
            r#"{"at":"2026-03-02T09:00:00Z","change":"upsert","record":"Contact","id":"c","fields":{"email":"a very long address indeed, longer than any message should carry"}}"#,
            r#"{"at":"2026-03-02T09:00:00Z","change":"upsert","record":"Account","id":"a","fields":{"name":1e999}}"#,
        ];
        let listing: Vec<String> = bad
            .iter()
            .map(|line| {
                let r = reject(line);
                match r.field {
                    Some(field) => format!("{line}\n  → [{field}] {}", r.message),
                    None => format!("{line}\n  → {}", r.message),
                }
            })
            .collect();
        insta::assert_snapshot!(listing.join("\n\n"));
    }

    // Properties.

    /// Any JSON value, a few levels deep.
    fn any_json() -> impl Strategy<Value = Json> {
        let leaf = prop_oneof![
            Just(Json::Null),
            any::<bool>().prop_map(Json::Bool),
            any::<i64>().prop_map(Json::from),
            any::<u64>().prop_map(Json::from),
            any::<f64>().prop_map(Json::from),
            any::<String>().prop_map(Json::String),
            prop::sample::select(vec![
                "upsert",
                "event",
                "delete",
                "Account",
                "Login",
                "2026-03-02T09:00:00Z",
                "Enterprise",
                "3bd",
                "09:00",
                "jo@example.com"
            ])
            .prop_map(Json::from),
        ];
        leaf.prop_recursive(5, 48, 6, |inner| {
            prop_oneof![
                prop::collection::vec(inner.clone(), 0..6).prop_map(Json::Array),
                prop::collection::btree_map(key(), inner, 0..6).prop_map(|m| Json::Object(m.into_iter().collect())),
            ]
        })
    }

    /// Keys a change or its fields may have, and some they may not.
    fn key() -> impl Strategy<Value = String> {
        let known = [
            "at",
            "change",
            "record",
            "id",
            "event",
            "subject",
            "fields",
            "name",
            "health",
            "tags",
            "tier",
            "owner",
            "feature",
            "score",
            "email",
            "length",
            "licensed_seats",
            "renewal_date",
            "created_at",
            "parent",
        ];
        prop_oneof![prop::sample::select(known.to_vec()).prop_map(String::from), "[a-z_]{0,8}"]
    }

    /// A queue-change-shaped object: the keys of `action` and `activity` changes with
    /// plausible or arbitrary values.
    fn queue_like() -> impl Strategy<Value = Json> {
        let kind = prop::sample::select(vec!["action", "activity"]);
        let op = prop::sample::select(vec!["complete", "dismiss", "snooze", "approve", "nope"]);
        let keys = prop::sample::subsequence(
            vec![
                "action", "playbook", "step", "activity", "record", "by", "until", "reason", "subject", "body", "note",
            ],
            0..=11,
        );
        (kind, op, keys, prop::collection::vec(any_json(), 11)).prop_map(|(kind, op, keys, values)| {
            let mut object = json!({"at": "2026-03-02T09:00:00Z", "change": kind, "op": op});
            for (key, value) in keys.into_iter().zip(values) {
                let value = match key {
                    "record" => json!("Case/c1"),
                    "until" => json!("2026-03-03T09:00:00Z"),
                    "by" => json!("jo@example.com"),
                    _ => value,
                };
                object[key] = value;
            }
            object
        })
    }

    /// A change-shaped object: the right keys with plausible or arbitrary values.
    fn change_like() -> impl Strategy<Value = Json> {
        let kind = prop::sample::select(vec!["upsert", "event", "delete"]);
        let name = prop::sample::select(vec![
            "Account",
            "Contact",
            "User",
            "Login",
            "NpsSubmitted",
            "CallRecorded",
            "TicketOpened",
            "Nope",
        ]);
        let fields =
            prop::collection::btree_map(key(), any_json(), 0..6).prop_map(|m| Json::Object(m.into_iter().collect()));
        (kind, name, fields, any::<bool>()).prop_map(|(kind, name, fields, local)| {
        let at = if local { "2026-03-02T09:00:00" } else { "2026-03-02T09:00:00Z" };
        json!({"at": at, "change": kind, "record": name, "event": name, "id": "x", "subject": "x", "fields": fields})
    })
    }

    /// A value that a field of type `ty` can hold and that can be written out.
    fn value_of(ty: &Ty) -> BoxedStrategy<Value> {
        let schema = &program().schema;
        match ty {
            Ty::Optional(inner) => prop_oneof![Just(Value::Empty), value_of(inner)].boxed(),
            Ty::List(inner) => prop::collection::vec(value_of(inner), 0..4).prop_map(|v| Value::List(v.into())).boxed(),
            Ty::Text => any::<String>().prop_map(|s| Value::text(&s)).boxed(),
            Ty::Email => "[a-z.]{1,8}@[a-z]{1,8}\\.com".prop_map(|s| Value::text(&s)).boxed(),
            Ty::Url => "https?://[a-z]{1,8}\\.com/[a-z]{0,6}".prop_map(|s| Value::text(&s)).boxed(),
            // Amounts to the cent, and whole numbers up to 2^53 (written without a fraction).
            // Not any f64: serde_json, without its `float_roundtrip` feature, may read a number
            // of 16 or more significant digits back one unit in the last place off
            // (`1.366519355927508e152` came back as 1.3665193559275081e152).
            Ty::Number | Ty::Money => prop_oneof![
                (-100_000_000_000i64..100_000_000_000).prop_map(|c| Value::Num(c as f64 / 100.0)),
                (-(1i64 << 53)..(1i64 << 53)).prop_map(|n| Value::Num(n as f64)),
            ]
            .boxed(),
            Ty::Int => any::<i64>().prop_map(Value::Int).boxed(),
            Ty::Bool => any::<bool>().prop_map(Value::Bool).boxed(),
            Ty::Date => (1900i32..2200, 1u32..366)
                .prop_map(|(y, d)| Value::Date(chrono::NaiveDate::from_yo_opt(y, d).unwrap_or_default()))
                .boxed(),
            Ty::DateTime => (0i64..4_102_444_800).prop_map(Value::Moment).boxed(),
            Ty::Time => (0u32..1440).prop_map(Value::Time).boxed(),
            Ty::Duration => (0i64..10_000_000, 0i64..100)
                .prop_map(|(seconds, business_days)| Value::Duration(Duration { seconds, business_days }))
                .boxed(),
            Ty::Enum(e) => {
                let (ty, count) = (*e as u32, schema.enums[*e].variants.len() as u32);
                (0..count).prop_map(move |variant| Value::Enum { ty, variant }).boxed()
            }
            // A teammate is written as their address.
            Ty::Record(r) if schema.records[*r].name == "User" => {
                let record = *r as u32;
                "[a-z.]{1,8}@[a-z]{1,8}\\.com"
                    .prop_map(move |id| Value::Ref { record, id: Arc::from(id.as_str()) })
                    .boxed()
            }
            Ty::Record(r) => {
                let record = *r as u32;
                "[a-z0-9@.-]{1,12}".prop_map(move |id| Value::Ref { record, id: Arc::from(id.as_str()) }).boxed()
            }
            Ty::Event(_) | Ty::Error => unreachable!("no standard field has this type"),
        }
    }

    /// Upserts of the standard Account record with any subset of its fields.
    fn account_upsert() -> impl Strategy<Value = Change> {
        let account = record("Account");
        let fields: Vec<BoxedStrategy<Option<(u32, Value)>>> = program().schema.records[account as usize]
            .fields
            .iter()
            .enumerate()
            .map(|(slot, f)| prop::option::of(value_of(&f.ty).prop_map(move |v| (slot as u32, v))).boxed())
            .collect();
        (0i64..4_102_444_800, "[a-zA-Z0-9_-]{1,16}", fields).prop_map(move |(at, id, fields)| Change {
            at,
            kind: ChangeKind::Upsert {
                record: account,
                id: Arc::from(id.as_str()),
                fields: fields.into_iter().flatten().collect(),
            },
        })
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

        #[test]
        fn reading_never_panics_on_any_text(line in any::<String>()) {
            let _ = parse(&line);
        }

        #[test]
        fn reading_never_panics_on_any_json(json in any_json()) {
            let _ = parse(&json.to_string());
        }

        #[test]
        fn reading_never_panics_on_change_shaped_json(json in change_like()) {
            let _ = parse(&json.to_string());
        }

        #[test]
        fn reading_never_panics_on_queue_shaped_json(json in queue_like()) {
            let _ = parse(&json.to_string());
        }

        #[test]
        fn reading_never_panics_on_a_cut_line(cut in 0usize..200, len in 0usize..20) {
            let line = r#"{"at":"2026-03-02T09:00:00Z","change":"upsert","record":"Account","id":"acme","fields":{"name":"Acme","tier":"Enterprise","tags":["a"],"renewal_date":"2026-06-30"}}"#;
            let start = cut.min(line.len());
            let end = (start + len).min(line.len());
            let _ = parse(&format!("{}{}", &line[..start], &line[end..]));
        }

        #[test]
        fn written_account_upserts_read_back_the_same(change in account_upsert()) {
            let line = to_json_line(&change, program());
            prop_assert_eq!(parse(&line), Ok(change), "{}", line);
        }
    }

    #[test]
    fn deeply_nested_json_is_refused_without_overflowing() {
        let deep = format!("{}{}", "[".repeat(100_000), "]".repeat(100_000));
        assert!(parse(&deep).is_err());
        let fields = format!(
            r#"{{"at":"2026-03-02T09:00:00Z","change":"upsert","record":"Account","id":"a","fields":{{"tags":{}{}}}}}"#,
            "[".repeat(120),
            "]".repeat(120)
        );
        assert!(parse(&fields).is_err());
    }

    #[test]
    fn a_key_given_twice_is_refused_naming_it() {
        let r = reject(
            r#"{"at":"2026-03-02T09:00:00Z","change":"upsert","record":"Account","id":"a","fields":{"name":"A"},"change":"delete"}"#,
        );
        assert_eq!(
            (r.field.as_deref(), r.message.as_str()),
            (Some("change"), "duplicate key `change`: a key may be given once")
        );
        let r = reject(
            r#"{"at":"2026-03-02T09:00:00Z","change":"upsert","record":"Account","id":"a","fields":{"health":1,"health":2}}"#,
        );
        assert_eq!(r.message, "duplicate key `health` in `fields`: a key may be given once");
    }

    #[test]
    fn dates_are_read_only_as_year_month_day_in_full() {
        for bad in ["26-1-1", "2026-3-2", " 2026-03-02", "+2026-03-02", "0000-01-01", "2026-03-02T00:00:00Z"] {
            let message = account_message("renewal_date", json!(bad));
            assert!(message.contains("is not a date"), "{bad}: {message}");
        }
    }

    #[test]
    fn moments_are_read_only_as_rfc3339_with_seconds() {
        let at = |text: &str| parse(&format!(r#"{{"at":"{text}","change":"delete","record":"Contact","id":"c"}}"#));
        for bad in [
            "2026-03-02T09:00:60Z",
            "2026-03-02T09:00Z",
            " 2026-03-02T09:00:00Z",
            "+2026-03-02T09:00:00Z",
            "26-3-2T09:00:00Z",
            "2026-03-02 09:00:00",
            "0000-01-01T00:00:00Z",
            "2026-03-02T09:00:00+1:00",
        ] {
            assert!(at(bad).is_err(), "{bad} was accepted");
        }
        assert_eq!(at("2026-03-02t09:00:00.250z").map(|c| c.at), Ok(AT));
        // A leap second is at the end of a UTC day, and is taken as its last second.
        assert_eq!(at("2026-06-30T23:59:60Z").map(|c| c.at), at("2026-06-30T23:59:59Z").map(|c| c.at));
    }

    #[test]
    fn times_of_day_are_read_only_as_two_digit_hours_and_minutes() {
        let time = |s: &str| value_from_json(&json!(s), &Ty::Time, program(), &Workspace::default());
        assert_eq!(time("09:05"), Ok(Value::Time(545)));
        for bad in ["9:05", "09:5", "24:00", " 09:05", "09:05:00"] {
            assert!(time(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn a_byte_order_mark_inside_a_file_is_refused_with_a_clear_message() {
        let r = reject(
            "\u{feff}{\"at\":\"2026-03-02T09:00:00Z\",\"change\":\"delete\",\"record\":\"Contact\",\"id\":\"c\"}",
        );
        assert!(r.message.starts_with("the line starts with a byte-order mark (U+FEFF)"), "{}", r.message);
        let r = reject("{\"at\":\"2026-03-02T09:00:00Z\",\u{feff}\"change\":\"delete\"}");
        assert!(r.message.starts_with("a byte-order mark (U+FEFF) at column 30 is not JSON"), "{}", r.message);
    }

    #[test]
    fn an_upsert_names_the_teammate_who_made_it_as_an_email_address() {
        let line = r#"{"at":"2026-03-02T09:00:00Z","change":"upsert","record":"Account","id":"a","fields":{"name":"A"},"by":"jo@example.com"}"#;
        let read = play_runtime::change::parse_line(line, program(), &Workspace::default()).unwrap();
        assert_eq!(read.by.as_deref(), Some("jo@example.com"));
        let plain =
            r#"{"at":"2026-03-02T09:00:00Z","change":"upsert","record":"Account","id":"a","fields":{"name":"A"}}"#;
        let old = play_runtime::change::parse_line(plain, program(), &Workspace::default()).unwrap();
        assert_eq!(old.by, None, "a line without `by` reads as before");
        assert_eq!(old.change, read.change, "the engine takes the same change");
        let r = reject(&line.replace("jo@example.com", "jo"));
        assert_eq!(r.field.as_deref(), Some("by"));
        assert!(r.message.contains("`jo` is not a teammate's email address"), "{}", r.message);
        let r = reject(&line.replace("\"jo@example.com\"", "7"));
        assert_eq!(r.message, "`by` must be the teammate who did it as text, found `7`");
        let r = reject(&line.replace("\"upsert\"", "\"delete\"").replace(r#","fields":{"name":"A"}"#, ""));
        assert!(
            r.message.starts_with("unknown key `by`"),
            "only an upsert (or queue work) names a teammate: {}",
            r.message
        );
    }

    #[test]
    fn a_teammate_is_written_as_an_email_address() {
        assert_eq!(
            account_message("owner", json!("jo")),
            "`owner`: `jo` is not a teammate's email address: a User is written as one, like `jo@example.com`"
        );
        assert!(account_field("owner", json!("jo@example.com")).is_ok());
    }

    #[test]
    fn queue_changes_are_read_and_written_back_the_same() {
        let cs = play_compiler::lower::build(&[(
            "cs.play",
            r#"playbook access_case {
  for case: Case
  on created
  stage triage {
    activity verify "Verify" to case.assigned_to
    optional activity visit "Visit"
  }
}
"#,
        )])
        .expect("builds");
        let lines = [
            r#"{"at":"2026-03-02T09:00:00Z","change":"action","op":"complete","action":"7b1538d6c22c0f08","by":"jo@example.com"}"#,
            r#"{"at":"2026-03-02T09:00:00Z","change":"action","op":"dismiss","playbook":"access_case","activity":"verify","record":"Case/c1","reason":"done already"}"#,
            r#"{"at":"2026-03-02T09:00:00Z","change":"action","op":"snooze","playbook":"access_case","step":"triage","record":"Case/c1","until":"2026-03-03T09:00:00Z"}"#,
            r#"{"at":"2026-03-02T09:00:00Z","change":"action","op":"approve","action":"x","subject":"Hi","body":"Text"}"#,
            r#"{"at":"2026-03-02T09:00:00Z","change":"activity","record":"Case/c1","playbook":"access_case","activity":"visit"}"#,
        ];
        for line in lines {
            let change = parse_change(line, &cs, &Workspace::default()).unwrap_or_else(|r| panic!("{line}: {r:?}"));
            assert_eq!(to_json_line(&change, &cs), line);
        }
        let refused = |line: &str| parse_change(line, &cs, &Workspace::default()).expect_err(line);
        let messages = [
            (
                r#"{"at":"2026-03-02T09:00:00Z","change":"action","op":"finish","action":"x"}"#,
                "unknown op `finish`: expected `complete`, `dismiss`, `snooze` or `approve`",
            ),
            (
                r#"{"at":"2026-03-02T09:00:00Z","change":"action","op":"snooze","action":"x"}"#,
                "missing `until`: when the snoozed action comes back",
            ),
            (
                r#"{"at":"2026-03-02T09:00:00Z","change":"action","op":"snooze","action":"x","until":"2026-03-01T09:00:00Z"}"#,
                "`until` must be after `at`",
            ),
            (
                r#"{"at":"2026-03-02T09:00:00Z","change":"action","op":"complete","action":"x","until":"2026-03-03T09:00:00Z"}"#,
                "`until` goes with `\"op\":\"snooze\"`, not `complete`",
            ),
            (
                r#"{"at":"2026-03-02T09:00:00Z","change":"action","op":"complete","playbook":"access_cse","step":"triage","record":"Case/c1"}"#,
                "unknown playbook `access_cse`: did you mean `access_case`?",
            ),
            (
                r#"{"at":"2026-03-02T09:00:00Z","change":"action","op":"complete","playbook":"access_case","step":"triage","record":"Account/c1"}"#,
                "the playbook is about Case records, so `record` must be `Case/…`, not `Account/c1`",
            ),
            (
                r#"{"at":"2026-03-02T09:00:00Z","change":"action","op":"complete","action":"x","by":"jo"}"#,
                "`jo` is not a teammate's email address: write who did it like `jo@example.com`",
            ),
            (
                r#"{"at":"2026-03-02T09:00:00Z","change":"activity","record":"Case/c1","playbook":"access_case","activity":"verify"}"#,
                "`verify` is not optional: it is added with its stage (in `access_case`)",
            ),
        ];
        for (line, message) in messages {
            assert_eq!(refused(line).message, message, "{line}");
        }
    }

    #[test]
    fn a_change_id_is_read_beside_the_change() {
        let line =
            r#"{"at":"2026-03-02T09:00:00Z","change":"delete","change_id":"crm-42","record":"Contact","id":"c"}"#;
        let read = play_runtime::change::parse_line(line, program(), &Workspace::default()).expect("reads");
        assert_eq!(read.change_id.as_deref(), Some("crm-42"));
    }
}
