//! `play graph`: pictures of every example playbook as Mermaid and DOT (snapshots), SVG
//! laid out from the DOT, one file per playbook, and the errors for a missing playbook or
//! several playbooks in one SVG.

use std::path::Path;

use crate::support::play;

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

#[test]
fn every_example_playbook_as_mermaid_and_dot() {
    for example in ["customer-success", "case-management", "sales-automation", "signals"] {
        let path = format!("examples/{example}");
        for format in ["mermaid", "dot"] {
            let run = play(root(), &["graph", &path, "--format", format]);
            assert_eq!((run.code, run.stderr.as_str()), (0, ""), "{example} as {format}");
            insta::assert_snapshot!(format!("{example}_{format}"), run.stdout);
        }
    }
}

#[test]
fn one_playbook_as_svg_with_every_box_and_the_timeout_branch() {
    let run = play(root(), &["graph", "examples/customer-success", "--playbook", "nps_detractor"]);
    assert_eq!((run.code, run.stderr.as_str()), (0, ""));
    let svg = run.stdout;
    assert!(svg.starts_with("<?xml") && svg.trim_end().ends_with("</svg>"), "{svg}");
    let dot = play(root(), &["graph", "examples/customer-success", "--playbook", "nps_detractor", "--format", "dot"]);
    // Every box of the DOT is a rectangle of the SVG, its first line among the texts.
    let boxes = dot.stdout.lines().filter(|l| l.contains("[label=") && !l.contains("->")).count();
    assert_eq!(svg.matches("<rect ").count(), boxes);
    assert!(svg.contains("timeout"), "the timeout branch is labelled: {svg}");
}

#[test]
fn an_output_folder_gets_one_file_per_playbook() {
    let dir = tempfile::tempdir().expect("a scratch folder");
    let out = dir.path().join("pictures");
    let run = play(root(), &["graph", "examples/case-management", "--output", out.to_str().expect("UTF-8")]);
    assert_eq!((run.code, run.stderr.as_str(), run.stdout.as_str()), (0, "", ""));
    let mut names: Vec<String> = std::fs::read_dir(&out)
        .expect("the folder was made")
        .map(|e| e.expect("an entry").file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert_eq!(
        names,
        [
            "access_request.svg",
            "bug_report.svg",
            "critical_case_watch.svg",
            "implementation_case.svg",
            "outage_response.svg"
        ]
    );
}

#[test]
fn a_missing_playbook_and_several_in_one_svg_are_refused() {
    let run = play(root(), &["graph", "examples/customer-success", "--playbook", "renewal_rsk"]);
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("there is no playbook `renewal_rsk`: did you mean `renewal_risk`?"), "{}", run.stderr);
    let run = play(root(), &["graph", "examples/customer-success"]);
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("name one with `--playbook`"), "{}", run.stderr);
    assert_eq!(run.stdout, "");
}
