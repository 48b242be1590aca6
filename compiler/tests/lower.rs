//! Lowering: the disassembly of small programs (snapshots), the serialized form's round
//! trip, its version and hash checks, and that the same sources give the same program.

use play_compiler::lower::build;
use play_compiler::program::{LoadError, Program, FORMAT_VERSION};

const RENEWALS: &str = r#"
segment enterprise for account: Account = account.tier == Enterprise and account.arr >= 100_000

template followup for contact: Contact {
  subject "Your renewal with {contact.account.name}"
  body "Hi {contact.first_name ?? "there"}"
}

limit tasks_per_csm: 15 task per user per 1d

playbook renewal_risk "Renewal at risk" {
  for account: Account
  category risk
  priority account.arr / 10_000
  reentry after 30d
  on account.health falls or enters enterprise
  when account.stage == Renewal and (old(account.health) ?? 0) >= 50
  exit when account.stage == Churned
  step review "Review the account" {
    task "Review renewal risk for {account.name}" to account.owner due 2bd
  }
  wait for Login where (event.feature ?? "") == "reports" timeout 5d
  step follow_up when timed_out and not did(Login, within: 3d) {
    email_task to account.champion ?? skip template followup
    update account { tags: account.tags + ["at-risk"] }
  }
}
"#;

fn program(source: &str) -> Program {
    match build(&[("renewals.play", source)]) {
        Ok(p) => p,
        Err(diagnostics) => panic!("the source does not check: {diagnostics:#?}"),
    }
}

#[test]
fn disassembly_names_fields_variants_and_items() {
    let p = program(RENEWALS);
    let dump = p.disassemble();
    // The hash changes with the standard library; the rest is the contract.
    let body = dump.split_once('\n').map_or("", |(_, rest)| rest);
    insta::assert_snapshot!(body);
}

#[test]
fn a_program_loads_back_from_its_bytes() {
    let p = program(RENEWALS);
    let back = Program::from_bytes(&p.to_bytes()).expect("loads");
    assert_eq!(back, p);
}

#[test]
fn a_program_of_another_format_version_is_refused() {
    let p = program(RENEWALS);
    let text = String::from_utf8(p.to_bytes()).unwrap();
    let other = text.replacen(&format!("\"format\":{FORMAT_VERSION}"), "\"format\":999", 1);
    assert_eq!(Program::from_bytes(other.as_bytes()), Err(LoadError::Version { found: 999, want: FORMAT_VERSION }));
}

#[test]
fn a_damaged_program_is_refused() {
    let p = program(RENEWALS);
    let text = String::from_utf8(p.to_bytes()).unwrap();
    let tampered = text.replacen("Review renewal risk for ", "Review nothing for ", 1);
    assert!(matches!(Program::from_bytes(tampered.as_bytes()), Err(LoadError::Damaged(_))));
    assert!(matches!(Program::from_bytes(b"not a program"), Err(LoadError::Damaged(_))));
}

#[test]
fn the_same_sources_give_the_same_program_and_hash() {
    let a = program(RENEWALS);
    let b = program(RENEWALS);
    assert_eq!(a.hash, b.hash);
    assert_eq!(a.to_bytes(), b.to_bytes());
    let c = program(&RENEWALS.replace("due 2bd", "due 3bd"));
    assert_ne!(a.hash, c.hash);
}

#[test]
fn a_playbook_version_changes_only_with_its_own_text() {
    let a = program(RENEWALS);
    let b = program(&RENEWALS.replace("15 task per user", "10 task per user"));
    assert_eq!(a.playbooks[0].version, b.playbooks[0].version);
    let c = program(&RENEWALS.replace("due 2bd", "due 3bd"));
    assert_ne!(a.playbooks[0].version, c.playbooks[0].version);
}

#[test]
fn the_trigger_index_lists_only_the_playbooks_that_can_fire() {
    let p = program(RENEWALS);
    let account = p.schema.record_named("Account").unwrap();
    let health = p.schema.records[account].slot("health").unwrap();
    let name = p.schema.records[account].slot("name").unwrap();
    assert_eq!(p.triggers.field[account][health], vec![0]);
    assert!(p.triggers.field[account][name].is_empty());
    assert!(p.triggers.created[account].is_empty());
    let enterprise = p.segments.iter().position(|s| s.name == "enterprise").unwrap();
    assert_eq!(p.triggers.membership[enterprise], vec![0]);
    assert_eq!(p.triggers.segments[account], vec![enterprise]);
}

#[test]
fn a_project_with_errors_gives_diagnostics_not_a_program() {
    let broken = RENEWALS.replace("account.health falls", "account.helth falls");
    let Err(diagnostics) = build(&[("renewals.play", &broken)]) else { panic!("built a broken project") };
    assert!(diagnostics[0].iter().any(|d| d.code == "play::E0301"), "{diagnostics:#?}");
}

#[test]
fn a_projects_own_record_enum_and_event_replace_the_standard_ones_in_the_program() {
    let p = program(
        "record Contact { email: Email  name: Text }
         enum Tier { Small, Large }
         event FeatureUsed on Contact { feature: Text }",
    );
    assert_eq!(p.schema.one_of_each(), Ok(()));
    let contact = p.schema.record_named("Contact").expect("Contact");
    let fields: Vec<&str> = p.schema.records[contact].fields.iter().map(|f| f.name.as_str()).collect();
    assert_eq!(fields, ["email", "name"]);
    let used = p.schema.event_named("FeatureUsed").expect("FeatureUsed");
    assert_eq!(p.schema.events[used].subject, contact);
    assert_eq!(p.schema.events[used].fields.len(), 1);
}

#[test]
fn a_program_with_two_records_of_one_name_is_refused_as_damaged() {
    let mut p = program("");
    let contact = p.schema.record_named("Contact").expect("Contact");
    p.schema.records.push(p.schema.records[contact].clone());
    p.hash = p.content_hash();
    assert_eq!(Program::from_bytes(&p.to_bytes()), Err(LoadError::Damaged("two records are named `Contact`".into())));
}

#[test]
fn a_playbook_owner_is_carried_by_the_program() {
    let p = program(
        r#"playbook owned {
  for account: Account
  owner "jo@example.com"
  on account.health falls
  step review {
    task "Review {account.name}" to account.owner
  }
}

playbook unowned {
  for account: Account
  on account.health falls
  step review {
    task "Review {account.name}" to account.owner
  }
}
"#,
    );
    let owners: Vec<Option<&str>> = p.playbooks.iter().map(|pb| pb.owner.as_deref()).collect();
    assert_eq!(owners, [Some("jo@example.com"), None]);
    let back = Program::from_bytes(&p.to_bytes()).expect("loads");
    assert_eq!(back.playbooks[0].owner.as_deref(), Some("jo@example.com"));
}
