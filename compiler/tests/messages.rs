//! Clear words for hostile or unusual input (hostile-input finding 11.15): each message
//! says what is wrong in the user's terms, once, without a cascade.

use play_compiler::check::check_sources;
use play_compiler::diagnostic::render::{render, Style};

/// Every diagnostic of one file, rendered as a person sees them.
fn rendered(source: &str) -> String {
    let diagnostics = check_sources(&[("messages.play", source)]);
    diagnostics
        .iter()
        .flatten()
        .map(|d| render(d, "messages.play", source, Style::Plain))
        .collect::<Vec<_>>()
        .join("\n")
}

fn codes(source: &str) -> Vec<&'static str> {
    check_sources(&[("messages.play", source)]).into_iter().flatten().map(|d| d.code).collect()
}

#[test]
fn a_subject_named_like_a_trigger_keyword_can_be_used() {
    for word in ["updated", "created", "deleted", "date", "every", "event", "enters", "leaves"] {
        let source = format!(
            "playbook p {{\n  for {word}: Account\n  on {word}.health falls\n  when {word}.health < 50\n  step s {{\n    notify slack \"#cs\" \"x\"\n  }}\n}}\n"
        );
        assert_eq!(codes(&source), Vec::<&str>::new(), "{word}");
    }
}

#[test]
fn a_unicode_escape_with_too_many_digits_says_so() {
    let source = "segment s for account: Account = account.name == \"\\u{0000000000000000000041}\"\n";
    insta::assert_snapshot!(rendered(source));
}

#[test]
fn a_unicode_escape_without_braces_says_so() {
    let source = "segment s for account: Account = account.name == \"\\u41\"\n";
    insta::assert_snapshot!(rendered(source));
}

#[test]
fn an_expression_nested_too_deeply_is_one_error_not_a_cascade() {
    let source = format!(
        "playbook p {{\n  for account: Account\n  on date today(){}\n  step s {{\n    notify slack \"#cs\" \"x\"\n  }}\n}}\n",
        " + 1d".repeat(300)
    );
    assert_eq!(codes(&source), ["play::E0109"]);
    let in_a_step = format!(
        "playbook p {{\n  for account: Account\n  on account.health falls\n  step s when {} {{\n    notify slack \"#cs\" \"x\"\n  }}\n}}\n",
        vec!["true"; 300].join(" and ")
    );
    assert_eq!(codes(&in_a_step), ["play::E0109"]);
}

#[test]
fn a_limit_over_no_time_is_refused() {
    insta::assert_snapshot!(rendered("limit l: 2 email per contact per 0m\n"));
}
