//! Checker fixtures: every checker diagnostic kind renders as its snapshot says, each
//! fixture's inline annotations are exactly what the checker reports, a project of
//! several files reports each error once in its own file, the examples check clean, and
//! no mutation of a real source makes the checker panic or point outside its file.
//!
//! An annotation is a comment line under the line it is about, with carets under the
//! primary span and then the code:
//!
//! ```play
//! when account.helth < 50
//! //           ^^^^^ E0302
//! ```
//!
//! The carets count columns in characters of the annotated line (the nearest line above
//! that is not itself an annotation). A span that starts in the first two columns, where
//! the `//` sits, is written with its start column after an `@`: `// ^^^^^ E0410 @0`.
//! An annotation must be a comment to the parser, so a diagnostic inside a `"""…"""`
//! text can be annotated only on the text's last line.
//!
//! `PLAY_UPDATE_ANNOTATIONS=1 cargo test -p play-compiler --test check` rewrites the
//! annotations of every fixture (except the known bugs below) to what the checker
//! reports; review the change as you would an accepted snapshot.

use std::collections::BTreeSet;
use std::fmt;
use std::fs;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::{Path, PathBuf};

use play_compiler::check::check_sources;
use play_compiler::diagnostic::codes;
use play_compiler::diagnostic::render::{render, Style};
use play_compiler::Diagnostic;
use proptest::prelude::*;

mod mutate;

use mutate::Mutation;

/// Fixtures that show a checker bug: the annotations say what the checker should
/// report (and its fixes should do what they say), and today it does something else.
/// Each entry is the fixture's file stem and the bug in a few words. The annotation
/// test expects these to fail, and fails itself once one passes, so that the entry is
/// removed when the bug is fixed. Their snapshots are not taken until then.
const KNOWN_CHECKER_BUGS: &[(&str, &str)] = &[];

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/check")
}

/// The `.play` files directly in a folder, sorted.
fn play_files(dir: &Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.is_file() && p.extension().is_some_and(|x| x == "play"))
        .collect();
    files.sort();
    files
}

/// The one-file fixtures, named `<CODE>_<what>.play`.
fn fixtures() -> Vec<PathBuf> {
    play_files(&root())
}

fn stem(path: &Path) -> String {
    path.file_stem().map(|s| s.to_string_lossy().to_string()).unwrap_or_default()
}

fn file_name(path: &Path) -> String {
    path.file_name().map(|s| s.to_string_lossy().to_string()).unwrap_or_default()
}

fn read(path: &Path) -> String {
    fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn known_bug(stem: &str) -> Option<&'static str> {
    KNOWN_CHECKER_BUGS.iter().find(|(s, _)| *s == stem).map(|(_, why)| *why)
}

// ---------------------------------------------------------------------------------------
// Expectations: where a diagnostic is, in lines and columns.

/// A diagnostic's primary span as lines and columns (1-based lines, 0-based columns
/// counted in characters), and its short code (`E0302`).
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
struct Expected {
    line: usize,
    start: usize,
    end_line: usize,
    end: usize,
    code: String,
}

impl fmt::Display for Expected {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "line {}, columns {}..{}", self.line, self.start + 1, self.end + 1)?;
        if self.end_line != self.line {
            write!(f, " of line {}", self.end_line)?;
        }
        write!(f, ": {}", self.code)
    }
}

/// The line (1-based) and character column (0-based) of a byte offset.
fn line_col(source: &str, offset: usize) -> (usize, usize) {
    let offset = offset.min(source.len());
    let before = source.get(..offset).unwrap_or(source);
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    (line, before[line_start..].chars().count())
}

fn short(code: &str) -> String {
    code.trim_start_matches("play::").to_string()
}

fn located(source: &str, d: &Diagnostic) -> Expected {
    let (line, start) = line_col(source, d.primary.span.start);
    let (end_line, end) = line_col(source, d.primary.span.end);
    Expected { line, start, end_line, end, code: short(d.code) }
}

/// An annotation line, `//   ^^^^ E0302` (or `… E0302 @0`), as its columns and code.
fn annotation(line: &str) -> Option<(usize, usize, String)> {
    let trimmed = line.trim_start();
    let rest = trimmed.strip_prefix("//")?;
    let body = rest.trim_start();
    if !body.starts_with('^') {
        return None;
    }
    let indent = line.chars().count() - trimmed.chars().count() + 2 + (rest.len() - body.len());
    let carets = body.chars().take_while(|c| *c == '^').count();
    let mut words = body[carets..].split_whitespace();
    let code = words.next()?;
    let looks_like_code = code.len() == 5
        && (code.starts_with('E') || code.starts_with('W'))
        && code[1..].chars().all(|c| c.is_ascii_digit());
    if !looks_like_code {
        return None;
    }
    let start = match words.next() {
        None => indent,
        Some(at) => at.strip_prefix('@').and_then(|n| n.parse().ok())?,
    };
    if words.next().is_some() {
        return None;
    }
    Some((start, start + carets, code.to_string()))
}

/// Every annotation of a source, each about the nearest line above it that is not an
/// annotation.
fn annotations(source: &str) -> Vec<Expected> {
    let mut out = Vec::new();
    let mut target = 0;
    for (i, line) in source.lines().enumerate() {
        match annotation(line) {
            Some((start, end, code)) if target > 0 => {
                out.push(Expected { line: target, start, end_line: target, end, code });
            }
            Some(_) => panic!("line {}: an annotation needs a line above it", i + 1),
            None => target = i + 1,
        }
    }
    out.sort();
    out
}

/// How a file's annotations and its diagnostics differ, in words; `None` when they agree.
fn compare(name: &str, source: &str, diagnostics: &[Diagnostic]) -> Option<String> {
    let expected: BTreeSet<Expected> = annotations(source).into_iter().collect();
    let actual: BTreeSet<Expected> = diagnostics.iter().map(|d| located(source, d)).collect();
    if expected == actual {
        return None;
    }
    let mut out = format!("{name}: the annotations and the checker disagree\n");
    for e in expected.difference(&actual) {
        out.push_str(&format!("  expected but not reported: {e}\n"));
    }
    for d in diagnostics {
        let a = located(source, d);
        if !expected.contains(&a) {
            out.push_str(&format!("  reported but not expected: {a} — {}\n", d.message));
            out.push_str(&format!("    annotate it with:  {}\n", suggested_annotation(&a)));
        }
    }
    Some(out)
}

/// The annotation line that would expect this diagnostic.
fn suggested_annotation(e: &Expected) -> String {
    let width = if e.end_line == e.line { (e.end - e.start).max(1) } else { 1 };
    if e.start >= 2 {
        format!("//{}{} {}", " ".repeat(e.start - 2), "^".repeat(width), e.code)
    } else {
        format!("// {} {} @{}", "^".repeat(width), e.code, e.start)
    }
}

/// The source with its annotations replaced by the diagnostics it has: what
/// `PLAY_UPDATE_ANNOTATIONS=1` writes, to be reviewed like an accepted snapshot.
fn annotated(source: &str, diagnostics: &[Diagnostic]) -> String {
    let mut found: Vec<Expected> = diagnostics.iter().map(|d| located(source, d)).collect();
    found.sort_by_key(|e| (e.line, e.start, e.end, e.code.clone()));
    found.dedup();
    let mut out = String::new();
    for (i, line) in source.lines().enumerate() {
        if annotation(line).is_some() {
            continue;
        }
        out.push_str(line);
        out.push('\n');
        for e in found.iter().filter(|e| e.line == i + 1) {
            out.push_str(&suggested_annotation(e));
            out.push('\n');
        }
    }
    out
}

fn rendered(name: &str, source: &str, diagnostics: &[Diagnostic]) -> String {
    diagnostics.iter().map(|d| render(d, name, source, Style::Plain)).collect()
}

/// Runs `f` for each item, collecting every failure rather than stopping at the first.
fn each<T>(items: impl IntoIterator<Item = T>, mut f: impl FnMut(T) -> Result<(), String>) {
    let mut failures = Vec::new();
    for item in items {
        match catch_unwind(AssertUnwindSafe(|| f(item))) {
            Ok(Ok(())) => {}
            Ok(Err(message)) => failures.push(message),
            Err(panic) => failures.push(
                panic
                    .downcast_ref::<String>()
                    .cloned()
                    .or_else(|| panic.downcast_ref::<&str>().map(|s| s.to_string()))
                    .unwrap_or_else(|| "panicked".into()),
            ),
        }
    }
    assert!(failures.is_empty(), "{} failure(s):\n\n{}", failures.len(), failures.join("\n"));
}

// ---------------------------------------------------------------------------------------
// One fixture per diagnostic kind.

/// Each fixture is named for a code it must produce (`E0302_…`); its rendered
/// diagnostics are snapshotted.
#[test]
fn every_checker_diagnostic_kind_renders_as_snapshotted() {
    let files = fixtures();
    assert!(files.len() >= codes::CHECK.len(), "expected at least a fixture per checker code");
    each(files, |path| {
        let stem = stem(&path);
        if known_bug(&stem).is_some() {
            return Ok(());
        }
        let name = file_name(&path);
        let source = read(&path);
        let diagnostics = check_sources(&[(name.as_str(), source.as_str())]).remove(0);
        let code = format!("play::{}", &stem[..5]);
        if !diagnostics.iter().any(|d| d.code == code) {
            let codes: Vec<&str> = diagnostics.iter().map(|d| d.code).collect();
            return Err(format!("{stem}: expected {code}, got {codes:?}"));
        }
        let text = rendered(&name, &source, &diagnostics);
        insta::with_settings!({ snapshot_suffix => stem.clone(), prepend_module_to_snapshot => false }, {
            insta::assert_snapshot!("check", text);
        });
        Ok(())
    });
}

/// Each fixture reports exactly its annotations (every diagnostic, at its place, and
/// nothing else), and each fix it offers removes the error it is for. A fixture in
/// [`KNOWN_CHECKER_BUGS`] must fail one of these, until its bug is fixed.
#[test]
fn every_fixture_reports_exactly_its_annotations() {
    each(fixtures(), |path| {
        let stem = stem(&path);
        let name = file_name(&path);
        let source = read(&path);
        let diagnostics = check_sources(&[(name.as_str(), source.as_str())]).remove(0);
        if std::env::var_os("PLAY_UPDATE_ANNOTATIONS").is_some() && known_bug(&stem).is_none() {
            fs::write(&path, annotated(&source, &diagnostics)).map_err(|e| format!("{name}: {e}"))?;
            return Ok(());
        }
        assert!(!annotations(&source).is_empty(), "{name} has no annotations");
        let mut problems: Vec<String> = compare(&name, &source, &diagnostics).into_iter().collect();
        problems.extend(bad_fixes(&name, &source, &diagnostics));
        match (problems.is_empty(), known_bug(&stem)) {
            (true, None) | (false, Some(_)) => Ok(()),
            (false, None) => Err(problems.join("\n")),
            (true, Some(why)) => Err(format!("{name} now passes: remove it from KNOWN_CHECKER_BUGS ({why})")),
        }
    });
}

/// The fixes that do not do what they promise: a "did you mean" without a fix, or a fix
/// that, applied, leaves an error where it was applied or no fewer errors in the file.
fn bad_fixes(name: &str, source: &str, diagnostics: &[Diagnostic]) -> Vec<String> {
    let errors = diagnostics.iter().filter(|d| d.is_error()).count();
    let mut out = Vec::new();
    for d in diagnostics {
        let Some(fix) = &d.fix else {
            if d.help.as_deref().is_some_and(|h| h.contains("did you mean")) {
                out.push(format!("{name}: \"{}\" suggests a name but carries no fix", d.message));
            }
            continue;
        };
        let mut fixed = source.to_string();
        fixed.replace_range(fix.span.range(), &fix.replacement);
        let after = check_sources(&[(name, fixed.as_str())]).remove(0);
        let left: Vec<&str> = after
            .iter()
            .filter(|a| a.is_error() && a.primary.span.start == fix.span.start)
            .map(|a| a.message.as_str())
            .collect();
        let fewer = after.iter().filter(|a| a.is_error()).count() < errors;
        if !left.is_empty() || !fewer {
            out.push(format!(
                "{name}: the fix for \"{}\" (`{}` to `{}`) leaves {left:?}",
                d.message,
                &source[fix.span.range()],
                fix.replacement
            ));
        }
    }
    out
}

#[test]
fn every_checker_code_has_a_fixture() {
    let names: Vec<String> = fixtures().iter().map(|p| file_name(p)).collect();
    for (code, summary) in codes::CHECK {
        let short = short(code);
        assert!(names.iter().any(|n| n.starts_with(&format!("{short}_"))), "no fixture for {code} ({summary})");
    }
    for name in &names {
        let known = codes::CHECK.iter().any(|(code, _)| name.starts_with(&format!("{}_", short(code))));
        assert!(known, "{name} is not named for a checker code");
    }
}

/// The fixtures are about the checker: none of them has a syntax error.
#[test]
fn fixtures_parse_without_syntax_errors() {
    each(fixtures(), |path| {
        let parse = play_compiler::parse(&read(&path));
        match parse.diagnostics.first() {
            None => Ok(()),
            Some(d) => Err(format!("{}: {} [{}]", path.display(), d.message, d.code)),
        }
    });
}

/// Annotations are comments to the parser, not text inside a `"""…"""`: they must not
/// change the program they describe.
#[test]
fn annotations_are_comments() {
    let mut files = fixtures();
    files.extend(play_files(&root().join("project")));
    each(files, |path| match annotations_outside_comments(&read(&path)).first() {
        None => Ok(()),
        Some(line) => Err(format!("{}:{line}: this annotation is not a comment", path.display())),
    });
    let inside_text =
        "template t for c: Contact {\n  body \"\"\"\n    Hi {c.first_name}\n//     ^^^^^ E0304\n    \"\"\"\n}\n";
    assert_eq!(annotations_outside_comments(inside_text), vec![4]);
}

/// The lines (1-based) that read as annotations but are not comments.
fn annotations_outside_comments(source: &str) -> Vec<usize> {
    let comments = play_compiler::parse(source).file.comments;
    let mut offset = 0;
    let mut out = Vec::new();
    for (i, line) in source.split_inclusive('\n').enumerate() {
        if annotation(line).is_some() {
            let at = offset + line.find("//").unwrap_or(0);
            if !comments.iter().any(|c| c.span.start <= at && at < c.span.end) {
                out.push(i + 1);
            }
        }
        offset += line.len();
    }
    out
}

#[test]
fn annotations_read_columns_codes_and_explicit_starts() {
    let source = "when account.helth < 50\n//           ^^^^^ E0302\n// ^^^^ W0503 @0\nnext\n";
    let got = annotations(source);
    assert_eq!(
        got,
        vec![
            Expected { line: 1, start: 0, end_line: 1, end: 4, code: "W0503".into() },
            Expected { line: 1, start: 13, end_line: 1, end: 18, code: "E0302".into() },
        ]
    );
    assert_eq!(annotation("// an ordinary comment"), None);
    assert_eq!(annotation("// ^^^ not a code"), None);
}

// ---------------------------------------------------------------------------------------
// A project of several files.

/// The files of `fixtures/check/project/`, in the order the project is given them.
const PROJECT: &[&str] = &["schema.play", "playbooks.play", "tests.play"];

/// Several errors in each of three files, some about items of another file (a segment
/// defined in two files, a test name used in two): each is reported once, in the file
/// it is in, at its annotation, and each file's list is in source order.
#[test]
fn a_project_of_three_files_reports_each_error_once_in_its_own_file_in_source_order() {
    let dir = root().join("project");
    let files: Vec<(String, String)> = PROJECT.iter().map(|n| (n.to_string(), read(&dir.join(n)))).collect();
    let sources: Vec<(&str, &str)> = files.iter().map(|(n, s)| (n.as_str(), s.as_str())).collect();
    let reported = check_sources(&sources);
    assert_eq!(reported.len(), sources.len(), "one list of diagnostics per file");
    let mut text = String::new();
    for ((name, source), diagnostics) in sources.iter().zip(&reported) {
        if std::env::var_os("PLAY_UPDATE_ANNOTATIONS").is_some() {
            fs::write(dir.join(name), annotated(source, diagnostics)).unwrap_or_else(|e| panic!("{name}: {e}"));
            continue;
        }
        if let Some(mismatch) = compare(name, source, diagnostics) {
            panic!("{mismatch}");
        }
        let expected = annotations(source);
        let errors = expected.iter().filter(|e| e.code.starts_with('E')).count();
        assert!(errors >= 3, "{name} should have several errors, has {errors}");
        let mut found: Vec<Expected> = diagnostics.iter().map(|d| located(source, d)).collect();
        found.sort();
        assert_eq!(found, expected, "{name}: each diagnostic once");
        let places: Vec<(usize, usize)> =
            diagnostics.iter().map(|d| (d.primary.span.start, d.primary.span.end)).collect();
        let mut sorted = places.clone();
        sorted.sort();
        assert_eq!(places, sorted, "{name}: diagnostics in source order");
        text.push_str(&rendered(name, source, diagnostics));
    }
    insta::with_settings!({ prepend_module_to_snapshot => false }, {
        insta::assert_snapshot!("check_project_of_three_files", text);
    });
}

/// Which file reports a clash depends on the order the files come in, but never whether
/// it is reported: the same project in the opposite order has as many diagnostics.
#[test]
fn the_order_of_a_projects_files_changes_where_a_clash_is_reported_not_how_many() {
    let dir = root().join("project");
    let files: Vec<(String, String)> = PROJECT.iter().map(|n| (n.to_string(), read(&dir.join(n)))).collect();
    let forward: Vec<(&str, &str)> = files.iter().map(|(n, s)| (n.as_str(), s.as_str())).collect();
    let backward: Vec<(&str, &str)> = forward.iter().rev().copied().collect();
    let count = |sources: &[(&str, &str)]| check_sources(sources).iter().map(Vec::len).sum::<usize>();
    assert_eq!(count(&forward), count(&backward));
}

// ---------------------------------------------------------------------------------------
// Clean inputs.

/// Every `.play` file under a folder, recursively, sorted.
fn play_files_under(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        let Ok(entries) = fs::read_dir(&d) else { continue };
        for e in entries.flatten() {
            let p = e.path();
            if p.is_dir() {
                stack.push(p);
            } else if p.extension().is_some_and(|x| x == "play") {
                out.push(p);
            }
        }
    }
    out.sort();
    out
}

/// Each folder of `examples/` is one project, and checks without a diagnostic.
#[test]
fn every_example_project_checks_clean() {
    let examples = Path::new(env!("CARGO_MANIFEST_DIR")).join("../examples");
    let mut projects: Vec<PathBuf> = fs::read_dir(&examples)
        .unwrap_or_else(|e| panic!("{}: {e}", examples.display()))
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.is_dir() && !play_files_under(p).is_empty())
        .collect();
    projects.sort();
    assert!(!projects.is_empty(), "no example projects in {}", examples.display());
    each(projects, |project| {
        let files: Vec<(String, String)> = play_files_under(&project)
            .iter()
            .map(|p| {
                let name = p.strip_prefix(&examples).unwrap_or(p).to_string_lossy().replace('\\', "/");
                (name, read(p))
            })
            .collect();
        let sources: Vec<(&str, &str)> = files.iter().map(|(n, s)| (n.as_str(), s.as_str())).collect();
        let reported = check_sources(&sources);
        let text: String =
            sources.iter().zip(&reported).map(|((name, source), ds)| rendered(name, source, ds)).collect();
        if text.is_empty() {
            Ok(())
        } else {
            Err(format!("{} does not check clean:\n{text}", project.display()))
        }
    });
}

/// The standard library on its own is a project that checks clean.
#[test]
fn an_empty_project_checks_clean_against_the_standard_library() {
    assert_eq!(check_sources(&[("empty.play", "")]), vec![Vec::new()]);
    assert_eq!(check_sources(&[]), Vec::<Vec<Diagnostic>>::new());
}

// ---------------------------------------------------------------------------------------
// Mutations of real sources.

/// Every `.play` file of the checker fixtures, the examples and the standard library.
fn corpus() -> &'static [(String, String)] {
    static CORPUS: std::sync::OnceLock<Vec<(String, String)>> = std::sync::OnceLock::new();
    CORPUS.get_or_init(|| {
        let manifest = Path::new(env!("CARGO_MANIFEST_DIR"));
        let mut files = play_files_under(&root());
        files.extend(play_files_under(&manifest.join("../examples")));
        files.extend(play_files_under(&manifest.join("../stdlib")));
        let sources: Vec<(String, String)> =
            files.iter().filter_map(|p| Some((file_name(p), fs::read_to_string(p).ok()?))).collect();
        assert!(sources.len() > 10, "the corpus is too small");
        sources
    })
}

/// Text worth inserting: brackets and quotes that break the syntax, and words and
/// phrases that change what names and types mean.
const PAYLOADS: &[&str] = &[
    "{",
    "}",
    "(",
    ")",
    "[",
    "]",
    "\"",
    "\"\"\"",
    "/*",
    "//",
    "\n",
    " ?? skip",
    " ?? ",
    "skip",
    "timed_out",
    "trigger.event.",
    "trigger.",
    "old(",
    "exists(",
    "last(Login).",
    "did(Login, within: 3d)",
    "change(",
    "account.",
    "contact.",
    ".owner",
    ".champion",
    ".renewal_date",
    "Account",
    "Contact",
    "Enterprise",
    "High",
    "Renewal",
    "Stage.",
    " and ",
    " or not ",
    " == ",
    " < ",
    " + 3d",
    " * ",
    "-",
    "%",
    "0",
    "99999999999999999999",
    "é",
    "🎉",
    "\nwait for Login timeout 5d\n",
    "\nvisibility public\n",
    "\nfor account: Account\n",
    "\nfor lead: Lead\n",
    "\non event TicketOpened\n",
    "\non enters enterprise\n",
    "\nstep s when timed_out { task \"x\" }\n",
    "\nsegment enterprise for account: Account = true\n",
    "\nsignal loop for account: Account = loop\n",
    "\nrecord Account { name: Text }\n",
    "\nextend record Account { health: Text }\n",
    "\nevent Login on Lead\n",
    "\ntemplate t for lead: Lead { body \"{lead}\" }\n",
    "\nlimit l: 0 email per team per 1d\n",
    "\ntest \"t\" { given Account a { } event Login on a }\n",
    "public ",
    "optional ",
    "creates Task { } ",
    "List<",
    "?",
];

/// Mostly insertions (they exercise names and types), some deletions, a few cuts.
fn mutation() -> impl Strategy<Value = Mutation> {
    prop_oneof![3 => mutate::delete(), 6 => mutate::insert_one_of(PAYLOADS), 1 => mutate::truncate()]
}

/// What must hold for any project: no panic (in checking or rendering), one list per
/// file, every span inside its file and on character boundaries, only known codes, and
/// the same answer every time.
fn check_invariants(sources: &[(&str, &str)]) {
    let reported = check_sources(sources);
    assert_eq!(reported.len(), sources.len());
    let known: Vec<&str> = codes::CHECK.iter().chain(codes::SYNTAX).map(|(c, _)| *c).collect();
    for ((name, source), diagnostics) in sources.iter().zip(&reported) {
        for d in diagnostics {
            let spans = std::iter::once(d.primary.span)
                .chain(d.secondary.iter().map(|l| l.span))
                .chain(d.fix.iter().map(|f| f.span));
            for span in spans {
                assert!(span.start <= span.end && span.end <= source.len(), "{name}: {span:?} out of the file: {d:?}");
                assert!(
                    source.is_char_boundary(span.start) && source.is_char_boundary(span.end),
                    "{name}: {span:?} not on character boundaries: {d:?}"
                );
            }
            assert!(known.contains(&d.code), "{name}: unknown code {}", d.code);
            render(d, name, source, Style::Plain);
        }
    }
    let again = check_sources(sources);
    let places = |all: &[Vec<Diagnostic>]| -> Vec<Vec<(usize, usize, String)>> {
        all.iter()
            .map(|ds| ds.iter().map(|d| (d.primary.span.start, d.primary.span.end, d.message.clone())).collect())
            .collect()
    };
    assert_eq!(places(&reported), places(&again), "checking twice gave different answers");
}

proptest! {
    // 256 cases unless `PROPTEST_CASES` says otherwise.
    #![proptest_config(ProptestConfig::default())]

    #[test]
    fn mutated_sources_never_break_the_checker(
        pick in any::<prop::sample::Index>(),
        mutations in prop::collection::vec(mutation(), 1..6),
    ) {
        let corpus = corpus();
        let (name, source) = &corpus[pick.index(corpus.len())];
        let mut source = source.clone();
        for m in &mutations {
            mutate::apply(&mut source, m);
        }
        check_invariants(&[(name.as_str(), source.as_str())]);
    }

    /// Several real files as one project, one of them mutated: items clash and refer to
    /// each other across files.
    #[test]
    fn mutated_projects_never_break_the_checker(
        picks in prop::collection::vec(any::<prop::sample::Index>(), 2..4),
        target in any::<prop::sample::Index>(),
        mutations in prop::collection::vec(mutation(), 1..6),
    ) {
        let corpus = corpus();
        let mut files: Vec<(String, String)> = picks
            .iter()
            .enumerate()
            .map(|(i, p)| (format!("{i}_{}", corpus[p.index(corpus.len())].0), corpus[p.index(corpus.len())].1.clone()))
            .collect();
        let t = target.index(files.len());
        for m in &mutations {
            mutate::apply(&mut files[t].1, m);
        }
        let sources: Vec<(&str, &str)> = files.iter().map(|(n, s)| (n.as_str(), s.as_str())).collect();
        check_invariants(&sources);
    }
}

/// Every real source, unmutated, and the whole corpus as one project.
#[test]
fn every_real_source_keeps_the_invariants() {
    let corpus = corpus();
    for (name, source) in corpus {
        check_invariants(&[(name.as_str(), source.as_str())]);
    }
    let all: Vec<(&str, &str)> = corpus.iter().map(|(n, s)| (n.as_str(), s.as_str())).collect();
    check_invariants(&all);
}
