//! Literals: every documented form lowers to its value, and any other is a diagnostic —
//! never a default value (hostile-input findings 11.1, 11.2, 11.3).

use play_compiler::lower::build;
use play_compiler::program::{Const, Program, TestStmtKind};

fn program(source: &str) -> Program {
    match build(&[("literals.play", source)]) {
        Ok(p) => p,
        Err(diagnostics) => panic!("the source does not build: {diagnostics:#?}"),
    }
}

/// The codes of the errors a source gives, or none when it builds.
fn error_codes(source: &str) -> Vec<&'static str> {
    match build(&[("literals.play", source)]) {
        Ok(_) => Vec::new(),
        Err(d) => d.iter().flatten().filter(|d| d.is_error()).map(|d| d.code).collect(),
    }
}

fn segment_on(literal: &str) -> String {
    format!("segment recent for account: Account = (account.created_at ?? {literal}) >= {literal}\n")
}

#[test]
fn datetimes_without_seconds_lower_to_their_moment_not_1970() {
    for (literal, expected) in [
        ("2026-01-01T00:00+01:00", 1_767_222_000),
        ("2026-03-02T09:00Z", 1_772_442_000),
        ("2026-03-02T09:00:00Z", 1_772_442_000),
        ("2026-03-02T09:00-01:30", 1_772_447_400),
    ] {
        let p = program(&segment_on(literal));
        assert!(p.consts.contains(&Const::DateTime(expected)), "{literal}: {:?}", p.consts);
        assert!(!p.consts.contains(&Const::DateTime(0)), "{literal}: {:?}", p.consts);
    }
    let local = program(&segment_on("2026-03-02T09:00"));
    let expected = chrono::NaiveDate::from_ymd_opt(2026, 3, 2).and_then(|d| d.and_hms_opt(9, 0, 0)).unwrap();
    assert!(local.consts.contains(&Const::LocalDateTime(expected)), "{:?}", local.consts);
}

#[test]
fn a_test_at_a_datetime_without_seconds_sets_that_moment() {
    let p = program("test \"t\" {\n  at 2026-03-02T09:00Z\n}\n");
    let at: Vec<_> = p.tests[0].stmts.iter().map(|s| &s.kind).collect();
    assert!(matches!(at[..], [TestStmtKind::At(Const::DateTime(1_772_442_000))]), "{at:?}");
}

#[test]
fn datetimes_that_do_not_exist_are_refused() {
    for literal in ["2026-03-02T09:00:60Z", "2026-03-02T24:00Z", "2026-02-30T09:00", "0000-01-01T00:00Z"] {
        assert_eq!(error_codes(&segment_on(literal)), ["play::E0106"; 2], "{literal}");
    }
}

#[test]
fn dates_that_do_not_exist_are_refused() {
    for literal in ["0000-01-01", "2026-02-30", "2026-13-01"] {
        let source = format!("segment due for account: Account = (account.renewal_date ?? {literal}) > today()\n");
        assert_eq!(error_codes(&source), ["play::E0106"], "{literal}");
    }
}

#[test]
fn a_number_too_large_for_its_type_is_refused_not_infinite() {
    let huge = "9".repeat(400);
    for literal in [huge.clone(), format!("{huge}.5"), format!("{huge}%"), "9_223_372_036_854_775_808".to_string()] {
        let source = format!("segment big for account: Account = (account.arr ?? 0) > {literal}\n");
        assert_eq!(error_codes(&source), ["play::E0106"], "{literal}");
    }
    let largest = "segment big for account: Account = (account.employees ?? 0) > 9_223_372_036_854_775_807\n";
    assert!(program(largest).consts.contains(&Const::Int(i64::MAX)));
}

#[test]
fn a_calculation_on_constants_that_overflows_is_refused_at_compile_time() {
    for when in [
        "today() + 52560000m * 100000 > today()",
        "today() + 100000 * 52560000m > today()",
        "today() + (36500d + 36500d) * 60 > today()",
        "(account.employees ?? 0) > 9_223_372_036_854_775_807 + 1",
        "(account.employees ?? 0) > -(-9_223_372_036_854_775_807 - 1)",
    ] {
        let source = format!("segment s for account: Account = {when}\n");
        assert_eq!(error_codes(&source), ["play::E0106"], "{when}");
    }
    // In range, or not constant: built, and checked at run time.
    for when in [
        "today() + 52560000m * 2 > today()",
        "today() + 2 * 36500d > today()",
        "(account.employees ?? 0) * 9_223_372_036_854_775_807 > 0",
        "account.arr / 0 > 1",
    ] {
        let source = format!("segment s for account: Account = {when}\n");
        assert_eq!(error_codes(&source), Vec::<&str>::new(), "{when}");
    }
}
