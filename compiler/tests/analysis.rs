//! The analysis API that editors use, driven by sources with a `$0` cursor marker.

use play_compiler::analysis::{Analysis, CompletionKind};

/// The source without its `$0` marker, and the marker's offset.
fn cursor(marked: &str) -> (String, usize) {
    let at = marked.find("$0").expect("a $0 marker");
    (marked.replacen("$0", "", 1), at)
}

fn analysis(files: &[(&str, &str)]) -> Analysis {
    Analysis::new(files.iter().map(|(n, s)| (n.to_string(), s.to_string())).collect())
}

const PROJECT: &str = r#"segment enterprise for account: Account = account.tier == Enterprise

playbook renewal_risk "Renewal at risk" {
  for account: Account
  on account.health falls
  when account.stage == Renewal and enterprise
  step review {
    task "Review {account.name}" to account.owner due 2d
  }
}
"#;

#[test]
fn hover_on_a_field_shows_its_type_and_doc() {
    let src = PROJECT.replace("account.health falls", "account.hea$0lth falls");
    let (src, at) = cursor(&src);
    let a = analysis(&[("p.play", &src)]);
    let hover = a.hover("p.play", at).expect("a hover");
    assert!(hover.markdown.contains("Account.health: Number"), "{}", hover.markdown);
    assert_eq!(&src[hover.span.range()], "health");
}

#[test]
fn definition_of_a_standard_field_is_in_the_standard_library() {
    let (src, at) = cursor(&PROJECT.replace("account.owner due", "account.ow$0ner due"));
    let a = analysis(&[("p.play", &src)]);
    let def = a.definition("p.play", at).expect("a definition");
    assert_eq!(def.file, "stdlib/account.play");
    let std = a.file(&def.file).expect("the stdlib file");
    assert_eq!(&std.source[def.span.range()], "owner");
}

#[test]
fn references_and_rename_reach_every_file() {
    let other =
        "playbook other \"Other\" {\n  for account: Account\n  on enters enterprise\n  step s { task \"x\" }\n}\n";
    let (src, at) = cursor(&PROJECT.replace("segment enterprise", "segment enter$0prise"));
    let a = analysis(&[("p.play", &src), ("q.play", other)]);
    let refs = a.references("p.play", at, true);
    let files: Vec<&str> = refs.iter().map(|l| l.file.as_str()).collect();
    assert_eq!(files, ["p.play", "p.play", "q.play"], "{refs:?}");
    let edits = a.rename("p.play", at, "big_accounts").expect("a rename");
    assert_eq!(edits.len(), 3);
    assert!(a.rename("p.play", at, "not a name").is_err());
}

#[test]
fn fields_complete_after_a_dot_even_when_the_line_does_not_parse() {
    let src = PROJECT.replace("  step review {", "  when account.$0\n  step review {");
    let (src, at) = cursor(&src);
    let a = analysis(&[("p.play", PROJECT)]);
    let items = a.completions("p.play", at, &src);
    let labels: Vec<&str> = items.iter().map(|c| c.label.as_str()).collect();
    assert!(labels.contains(&"renewal_date") && labels.contains(&"owner"), "{labels:?}");
    assert!(items.iter().all(|c| c.kind == CompletionKind::Field));
}

#[test]
fn fields_complete_through_references() {
    let (src, at) = cursor(&PROJECT.replace("  step review {", "  when account.owner.$0\n  step review {"));
    let a = analysis(&[("p.play", PROJECT)]);
    let labels: Vec<String> = a.completions("p.play", at, &src).into_iter().map(|c| c.label).collect();
    assert!(labels.contains(&"email".to_string()), "{labels:?}");
}

#[test]
fn variants_complete_after_a_comparison() {
    let (src, at) = cursor(&PROJECT.replace("account.stage == Renewal", "account.stage == $0"));
    let a = analysis(&[("p.play", PROJECT)]);
    let labels: Vec<String> = a.completions("p.play", at, &src).into_iter().map(|c| c.label).collect();
    assert!(labels.contains(&"Renewal".to_string()) && labels.contains(&"Churned".to_string()), "{labels:?}");
}

#[test]
fn clause_keywords_complete_in_a_playbook_and_actions_in_a_step() {
    let a = analysis(&[("p.play", PROJECT)]);
    let (src, at) = cursor(&PROJECT.replace("  step review {", "  $0\n  step review {"));
    let labels: Vec<String> = a.completions("p.play", at, &src).into_iter().map(|c| c.label).collect();
    assert!(labels.contains(&"when".to_string()) && labels.contains(&"wait for".to_string()), "{labels:?}");
    let (src, at) = cursor(&PROJECT.replace("    task \"Review", "    $0\n    task \"Review"));
    let labels: Vec<String> = a.completions("p.play", at, &src).into_iter().map(|c| c.label).collect();
    assert!(labels.contains(&"email_task".to_string()) && !labels.contains(&"when".to_string()), "{labels:?}");
}

#[test]
fn the_outline_nests_steps_in_playbooks() {
    let a = analysis(&[("p.play", PROJECT)]);
    let symbols = a.document_symbols("p.play");
    let names: Vec<&str> = symbols.iter().map(|s| s.name.as_str()).collect();
    assert_eq!(names, ["enterprise", "renewal_risk"]);
    assert_eq!(symbols[1].children.iter().map(|c| c.name.as_str()).collect::<Vec<_>>(), ["review"]);
}

#[test]
fn semantic_tokens_are_sorted_and_never_overlap() {
    let a = analysis(&[("p.play", PROJECT)]);
    let tokens = a.semantic_tokens("p.play");
    assert!(!tokens.is_empty());
    assert!(tokens.windows(2).all(|w| w[0].span.end <= w[1].span.start));
}

#[test]
fn signals_get_their_type_as_an_inlay_hint() {
    let src = "signal drop for account: Account = change(account.weekly_active_users, over: 14d)\n";
    let a = analysis(&[("s.play", src)]);
    let hints = a.inlay_hints("s.play");
    assert_eq!(hints.len(), 1);
    assert_eq!(hints[0].label, ": Number");
}

#[test]
fn hover_on_a_variant_shows_the_variant_doc() {
    let (src, at) = cursor(&PROJECT.replace("== Renewal", "== Rene$0wal"));
    let a = analysis(&[("p.play", &src)]);
    let hover = a.hover("p.play", at).expect("a hover");
    assert!(
        hover.markdown.contains("Stage.Renewal") && hover.markdown.contains("renewal is being negotiated"),
        "{}",
        hover.markdown
    );
}

#[test]
fn fields_complete_in_a_value_list_opened_on_the_same_line() {
    let test = "test \"t\" {\n  given Account acme { name: \"Acme\", $0 }\n}\n";
    let (src, at) = cursor(test);
    let a = analysis(&[("t.play", &src)]);
    let labels: Vec<String> = a.completions("t.play", at, &src).into_iter().map(|c| c.label).collect();
    assert!(labels.contains(&"tier".to_string()) && !labels.contains(&"now".to_string()), "{labels:?}");
}

#[test]
fn a_playbook_with_a_subject_is_not_offered_another() {
    let a = analysis(&[("p.play", PROJECT)]);
    let (src, at) = cursor(&PROJECT.replace("  step review {", "  $0\n  step review {"));
    let labels: Vec<String> = a.completions("p.play", at, &src).into_iter().map(|c| c.label).collect();
    assert!(!labels.contains(&"for".to_string()), "{labels:?}");
}

#[test]
fn no_type_errors_on_a_line_with_a_syntax_error() {
    let src = PROJECT.replace("account.stage == Renewal and enterprise", "account.health < (40");
    let a = analysis(&[("p.play", &src)]);
    let errors: Vec<_> = a.diagnostics("p.play").iter().filter(|d| d.is_error()).collect();
    assert_eq!(errors.iter().map(|d| d.code).collect::<Vec<_>>(), ["play::E0102"], "{errors:?}");
    let d = errors[0];
    assert_eq!(&src[d.span().range()], "(");
}

mod properties {
    use super::*;
    use proptest::prelude::*;

    fn sources() -> Vec<String> {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../examples");
        let mut out = Vec::new();
        for dir in std::fs::read_dir(root).into_iter().flatten().flatten() {
            for f in std::fs::read_dir(dir.path()).into_iter().flatten().flatten() {
                if f.path().extension().is_some_and(|x| x == "play") {
                    out.extend(std::fs::read_to_string(f.path()).ok());
                }
            }
        }
        out.sort();
        out
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

        /// Whatever the position (even inside a character) and however the buffer was
        /// cut, every question gets an answer and nothing panics.
        #[test]
        fn every_query_answers_anywhere(pick in any::<prop::sample::Index>(), at in any::<prop::sample::Index>(), cut in any::<prop::sample::Index>()) {
            let all = sources();
            let src = &all[pick.index(all.len())];
            let a = analysis(&[("x.play", src)]);
            let offset = at.index(src.len() + 1);
            let mut now = src.clone();
            let mut c = cut.index(src.len() + 1);
            while !now.is_char_boundary(c) { c -= 1; }
            now.truncate(c);
            let _ = a.hover("x.play", offset);
            let _ = a.definition("x.play", offset);
            let _ = a.references("x.play", offset, true);
            let _ = a.rename("x.play", offset, "renamed");
            let _ = a.completions("x.play", offset, &now);
            let _ = a.completions("x.play", offset, src);
        }
    }
}

#[test]
fn hover_on_an_action_keyword_explains_the_action_but_a_field_of_that_name_is_a_field() {
    let src =
        PROJECT.replace("    task \"Review", "    email to account.champion ?? skip template t\n    $0task \"Review");
    let (src, at) = cursor(&src);
    let a = analysis(&[("p.play", &src)]);
    let hover = a.hover("p.play", at).expect("a hover on `task`");
    assert!(hover.markdown.starts_with("```play\ntask \"Title\""), "{}", hover.markdown);
    assert_eq!(&src[hover.span.range()], "task");
    let field = src.find("champion").expect("a field") + 2;
    let hover = a.hover("p.play", field).expect("a hover on the field");
    assert!(hover.markdown.contains("Account.champion"), "{}", hover.markdown);
    let email = src.find("email to").expect("the email action");
    let hover = a.hover("p.play", email + 1).expect("a hover on `email`");
    assert!(hover.markdown.contains("An automatic email"), "{}", hover.markdown);
}

#[test]
fn function_hover_shows_parameters_and_types() {
    let (src, at) = cursor("signal quiet for account: Account = days_s$0ince(account.renewal_date)\n");
    let a = analysis(&[("p.play", &src)]);
    let hover = a.hover("p.play", at).expect("a hover");
    assert!(hover.markdown.contains("fn days_since(date: Date | DateTime) -> Int"), "{}", hover.markdown);
}

#[test]
fn every_built_in_function_has_a_signature() {
    for f in play_compiler::check::functions::FUNCTIONS {
        let signature = play_compiler::analysis::words::signature(f.name);
        assert!(signature.is_some_and(|s| s.starts_with(&format!("{}(", f.name))), "{} has no signature", f.name);
    }
}

#[test]
fn hover_in_an_expectation_covers_the_kind_but_not_no() {
    let src = "test \"t\" {\n  at 2026-03-02T09:00:00Z\n  expect no notify slack\n}\n";
    let a = analysis(&[("p.play", src)]);
    let at = |word: &str| src.find(word).expect("the word") + 1;
    assert!(a.hover("p.play", at("no ")).is_none());
    let notify = a.hover("p.play", at("notify")).expect("a hover on `notify`");
    assert!(notify.markdown.contains("notify slack"), "{}", notify.markdown);
    let slack = a.hover("p.play", at("slack")).expect("a hover on `slack`");
    assert_eq!(slack.markdown, notify.markdown);
    let expect = a.hover("p.play", at("expect")).expect("a hover on `expect`");
    assert!(expect.markdown.contains("expect [no] kind"), "{}", expect.markdown);
}
