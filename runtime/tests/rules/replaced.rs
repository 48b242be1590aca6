//! A project's own record, enum or event replaces the standard one everywhere: change
//! lines (replay, the daemon) read it exactly as `play test` does, and a program holds one
//! entry per name.

use std::collections::HashSet;

use play_compiler::program::{Program, TestStmtKind, Ty};
use play_runtime::change::{parse_change, ChangeKind};
use play_runtime::config::Workspace;
use proptest::prelude::*;
use serde_json::{json, Map, Value as Json};

use crate::harness::{build, World};

#[test]
fn a_projects_own_contact_and_feature_used_replace_the_standard_ones_in_change_lines() {
    let mut world = World::new(
        "record Contact { email: Email  name: Text }
         event FeatureUsed on Contact { feature: Text }
         playbook adoption {
           for contact: Contact
           on event FeatureUsed
           step thank { task \"Thank {contact.name} for {trigger.event.feature}\" }
         }",
    );
    world.upsert("Contact/c1", json!({"email": "vic@acme.example", "name": "Vic"}));
    world.event("FeatureUsed", "c1", json!({"feature": "reports"}));
    assert_eq!(world.actions(), ["task Thank Vic for reports (thank)"]);
}

#[test]
fn a_program_holds_one_entry_per_record_enum_and_event_name() {
    let program = build(
        "record Account { name: Text }
         enum Tier { Small, Large }
         event TicketOpened on Account { subject: Text }",
    );
    assert_unique(&program);
    let account = program.schema.record_named("Account").expect("the project's Account");
    assert_eq!(program.schema.records[account].fields.len(), 1);
    let tier = program.schema.enums.iter().position(|e| e.name == "Tier").expect("Tier");
    assert_eq!(program.schema.enums[tier].variants, ["Small", "Large"]);
    // The standard Contact's `account` is the project's Account.
    let contact = &program.schema.records[program.schema.record_named("Contact").expect("Contact")];
    let field = contact.fields.iter().find(|f| f.name == "account").expect("Contact.account");
    assert_eq!(field.ty, Ty::Record(account));
}

fn assert_unique(program: &Program) {
    let mut seen = HashSet::new();
    for name in program.schema.records.iter().map(|r| &r.name) {
        assert!(seen.insert(format!("record {name}")), "two records named {name}");
    }
    for name in program.schema.enums.iter().map(|e| &e.name) {
        assert!(seen.insert(format!("enum {name}")), "two enums named {name}");
    }
    for name in program.schema.events.iter().map(|e| &e.name) {
        assert!(seen.insert(format!("event {name}")), "two events named {name}");
    }
}

/// How a generated project treats a record name.
#[derive(Clone, Debug)]
enum Mode {
    /// Leaves the standard record as it is.
    Standard,
    /// Its own `record Name { … }`.
    Replace(Vec<FieldTy>),
    /// `extend record Name { … }`.
    Extend(Vec<FieldTy>),
}

/// The field types generated projects declare.
#[derive(Clone, Copy, Debug)]
enum FieldTy {
    Text,
    Number,
    Bool,
    Date,
    Email,
    Tier,
    TextList,
    OptionalText,
}

impl FieldTy {
    fn source(self) -> &'static str {
        match self {
            FieldTy::Text => "Text",
            FieldTy::Number => "Number",
            FieldTy::Bool => "Bool",
            FieldTy::Date => "Date",
            FieldTy::Email => "Email",
            FieldTy::Tier => "Tier",
            FieldTy::TextList => "List<Text>",
            FieldTy::OptionalText => "Text?",
        }
    }
}

fn field_ty() -> impl Strategy<Value = FieldTy> {
    prop_oneof![
        Just(FieldTy::Text),
        Just(FieldTy::Number),
        Just(FieldTy::Bool),
        Just(FieldTy::Date),
        Just(FieldTy::Email),
        Just(FieldTy::Tier),
        Just(FieldTy::TextList),
        Just(FieldTy::OptionalText),
    ]
}

fn mode() -> impl Strategy<Value = Mode> {
    let fields = || prop::collection::vec(field_ty(), 1..4);
    prop_oneof![Just(Mode::Standard), fields().prop_map(Mode::Replace), fields().prop_map(Mode::Extend)]
}

/// The records generated projects may replace or extend, references before the records
/// that hold them (a standard `Contact` needs an `Account`).
const RECORDS: [&str; 5] = ["Account", "Task", "Lead", "Opportunity", "Contact"];

/// Standard events a project may replace, beside one of its own.
const EVENTS: [&str; 4] = ["Login", "FeatureUsed", "TicketOpened", "Signup"];

/// The given fields as a test writes them (`name: value`) and as a change line's JSON.
fn values_of<'f>(
    program: &Program,
    fields: impl Iterator<Item = &'f play_compiler::program::FieldDef>,
    names: &[(usize, String)],
) -> Option<(Vec<String>, Map<String, Json>)> {
    let mut source = Vec::new();
    let mut json = Map::new();
    for f in fields {
        let ty = match &f.ty {
            Ty::Optional(t) => t.as_ref(),
            t => t,
        };
        let (text, value) = value(program, ty, names)?;
        source.push(format!("{}: {text}", f.name));
        json.insert(f.name.clone(), value);
    }
    Some((source, json))
}

/// A value of a field in test source and as JSON, for a record of the test named `names`.
fn value(program: &Program, ty: &Ty, names: &[(usize, String)]) -> Option<(String, Json)> {
    Some(match ty {
        Ty::Text => ("\"x\"".into(), json!("x")),
        Ty::Number | Ty::Money | Ty::Int => ("3".into(), json!(3)),
        Ty::Bool => ("true".into(), json!(true)),
        Ty::Date => ("2026-03-02".into(), json!("2026-03-02")),
        Ty::DateTime => ("2026-03-02T09:00:00Z".into(), json!("2026-03-02T09:00:00Z")),
        Ty::Email => ("\"a@b.example\"".into(), json!("a@b.example")),
        Ty::Url => ("\"https://b.example\"".into(), json!("https://b.example")),
        Ty::List(_) => ("[]".into(), json!([])),
        Ty::Enum(e) => {
            let v = program.schema.enums.get(*e)?.variants.first()?.clone();
            (v.clone(), json!(v))
        }
        Ty::Record(r) if program.schema.records.get(*r).is_some_and(|d| d.name == "User") => {
            ("\"jo@example.com\"".into(), json!("jo@example.com"))
        }
        Ty::Record(r) => {
            let name = &names.iter().find(|(ty, _)| ty == r)?.1;
            (name.clone(), json!(name))
        }
        _ => return None,
    })
}

/// A generated project, its test block written from the first build's schema: one
/// `given` per record name the project replaces or extends (every required field set,
/// and the project's own optional ones), then each of its events on a record of the test.
fn project(modes: &[Mode], events: &[(bool, usize, Vec<FieldTy>)]) -> String {
    let mut src = String::new();
    for (name, mode) in RECORDS.iter().zip(modes) {
        let (head, fields) = match mode {
            Mode::Standard => continue,
            Mode::Replace(f) => (format!("record {name}"), f),
            Mode::Extend(f) => (format!("extend record {name}"), f),
        };
        let fields: Vec<String> = fields.iter().enumerate().map(|(i, t)| format!("own_{i}: {}", t.source())).collect();
        src.push_str(&format!("{head} {{ {} }}\n", fields.join(", ")));
    }
    for (name, (declared, subject, fields)) in EVENTS.iter().zip(events) {
        if *declared {
            let fields: Vec<String> =
                fields.iter().enumerate().map(|(i, t)| format!("own_{i}: {}", t.source())).collect();
            src.push_str(&format!("event {name} on {} {{ {} }}\n", RECORDS[*subject], fields.join(", ")));
        }
    }
    src
}

/// The test block and the matching change lines for a built project.
fn test_and_lines(
    program: &Program,
    modes: &[Mode],
    events: &[(bool, usize, Vec<FieldTy>)],
) -> Option<(String, Vec<Json>)> {
    let mut stmts = vec!["at 2026-03-02T09:00:00Z".to_string()];
    let mut lines = Vec::new();
    let mut names: Vec<(usize, String)> = Vec::new();
    // Every record the test needs: the ones the project touches and what they refer to.
    for name in RECORDS {
        let r = program.schema.record_named(name)?;
        let def = &program.schema.records[r];
        let touched = !matches!(modes[RECORDS.iter().position(|n| *n == name)?], Mode::Standard);
        let given =
            def.fields.iter().filter(|f| !matches!(f.ty, Ty::Optional(_)) || (touched && f.name.starts_with("own_")));
        let (fields, json) = values_of(program, given, &names)?;
        let id = format!("{}1", name.to_lowercase());
        stmts.push(format!("given {name} {id} {{ {} }}", fields.join(", ")));
        lines.push(json!({"at": "2026-03-02T09:00:00Z", "change": "upsert", "record": name, "id": id,
            "fields": json}));
        names.push((r, id));
    }
    for (name, (declared, _, _)) in EVENTS.iter().zip(events) {
        if !declared {
            continue;
        }
        let e = program.schema.event_named(name)?;
        let def = &program.schema.events[e];
        let subject = &names.iter().find(|(r, _)| *r == def.subject)?.1;
        let (fields, json) = values_of(program, def.fields.iter(), &names)?;
        stmts.push(format!("event {name} on {subject} {{ {} }}", fields.join(", ")));
        lines.push(json!({"at": "2026-03-02T09:00:00Z", "change": "event", "event": name, "subject": subject,
            "fields": json}));
    }
    Some((format!("test \"generated\" {{\n  {}\n}}\n", stmts.join("\n  ")), lines))
}

fn events() -> impl Strategy<Value = Vec<(bool, usize, Vec<FieldTy>)>> {
    let event = (any::<bool>(), 0..RECORDS.len(), prop::collection::vec(field_ty(), 0..3));
    prop::collection::vec(event, EVENTS.len())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

    /// For generated projects that replace or extend standard records and replace standard
    /// events (or declare their own), every record and event type they declare reads a
    /// change line exactly as `play test` reads the same record or event: the same type,
    /// the same fields, accepted by the engine.
    #[test]
    fn change_lines_read_replaced_and_extended_items_exactly_as_tests_do(
        modes in prop::collection::vec(mode(), RECORDS.len()),
        events in events(),
    ) {
        let src = project(&modes, &events);
        let first = build(&src);
        assert_unique(&first);
        let Some((test, lines)) = test_and_lines(&first, &modes, &events) else {
            // A reference the test cannot make (a replaced Account that refers to nothing
            // is fine; a record type it cannot fill is skipped).
            return Ok(());
        };
        let program = build(&format!("{src}{test}"));
        assert_unique(&program);
        let stmts: Vec<&TestStmtKind> =
            program.tests[0].stmts.iter().map(|s| &s.kind).filter(|k| !matches!(k, TestStmtKind::At(_))).collect();
        prop_assert_eq!(stmts.len(), lines.len());
        let mut world = World::new(&format!("{src}{test}"));
        for (stmt, line) in stmts.iter().zip(&lines) {
            let change = parse_change(&line.to_string(), &program, &Workspace::default())
                .unwrap_or_else(|r| panic!("{line} was refused: {}\n{src}", r.message));
            match (stmt, &change.kind) {
                (TestStmtKind::Put { record, fields, .. }, ChangeKind::Upsert { record: read, fields: slots, .. }) => {
                    prop_assert_eq!(*record as u32, *read);
                    let mut want: Vec<u32> = fields.iter().map(|(s, _)| *s as u32).collect();
                    want.sort_unstable();
                    prop_assert_eq!(want, slots.iter().map(|(s, _)| *s).collect::<Vec<_>>());
                }
                (TestStmtKind::Event { event, fields, .. }, ChangeKind::Event { event: read, fields: slots, .. }) => {
                    prop_assert_eq!(*event as u32, *read);
                    let mut want: Vec<u32> = fields.iter().map(|(s, _)| *s as u32).collect();
                    want.sort_unstable();
                    prop_assert_eq!(want, slots.iter().map(|(s, _)| *s).collect::<Vec<_>>());
                }
                other => panic!("a test statement and a change line of different kinds: {other:?}"),
            }
            if let Err(r) = world.engine.ingest(change) {
                panic!("{line} was refused by the engine: {}\n{src}", r.message);
            }
        }
    }
}
