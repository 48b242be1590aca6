//! Mutated real sources through the whole command: `play check` and `play fmt --check`
//! end with 0 or 1 (never a crash, never exit 3) whatever the file holds, invalid UTF-8
//! included.

use std::path::Path;

use proptest::prelude::*;

use crate::support::play;

fn sources() -> Vec<Vec<u8>> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut out = Vec::new();
    for dir in ["examples/customer-success", "compiler/tests/fixtures/syntax/valid", "tests/fixtures/broken"] {
        let Ok(entries) = std::fs::read_dir(root.join(dir)) else { continue };
        let mut paths: Vec<_> = entries.flatten().map(|e| e.path()).collect();
        paths.sort();
        out.extend(
            paths.iter().filter(|p| p.extension().is_some_and(|x| x == "play")).filter_map(|p| std::fs::read(p).ok()),
        );
    }
    assert!(!out.is_empty());
    out
}

const INSERTS: &[&[u8]] =
    &[b"{", b"}", b"(", b"\"", b"\"\"\"", b"/*", b"playbook ", b"when ", b"\n", b"\xff", b"\xc3", b"\xe2\x82"];

#[derive(Debug, Clone)]
enum Edit {
    Delete(usize, usize),
    Insert(usize, usize),
    Truncate(usize),
}

fn edit() -> impl Strategy<Value = Edit> {
    prop_oneof![
        (any::<usize>(), 1..30usize).prop_map(|(at, n)| Edit::Delete(at, n)),
        (any::<usize>(), 0..INSERTS.len()).prop_map(|(at, i)| Edit::Insert(at, i)),
        any::<usize>().prop_map(Edit::Truncate),
    ]
}

/// Edits bytes, not characters, so UTF-8 sequences get cut too.
fn apply(mut bytes: Vec<u8>, e: &Edit) -> Vec<u8> {
    let len = bytes.len().max(1);
    match *e {
        Edit::Delete(at, n) => {
            let start = at % len;
            let end = (start + n).min(bytes.len());
            if start < end {
                bytes.drain(start..end);
            }
        }
        Edit::Insert(at, i) => {
            let at = (at % len).min(bytes.len());
            bytes.splice(at..at, INSERTS[i].iter().copied());
        }
        Edit::Truncate(at) => bytes.truncate(at % len),
    }
    bytes
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, ..ProptestConfig::default() })]

    #[test]
    fn mutated_files_end_in_a_clean_exit(pick in any::<prop::sample::Index>(), edits in prop::collection::vec(edit(), 1..5)) {
        let all = sources();
        let mut bytes = all[pick.index(all.len())].clone();
        for e in &edits {
            bytes = apply(bytes, e);
        }
        let dir = tempfile::tempdir().expect("a scratch folder");
        std::fs::write(dir.path().join("mutated.play"), &bytes).expect("scratch file");
        for args in [&["check", "."][..], &["check", "--format", "json", "."], &["fmt", "--check", "."]] {
            let run = play(dir.path(), args);
            prop_assert!(run.code == 0 || run.code == 1, "{args:?} exited {}: {}", run.code, run.stderr);
            prop_assert!(!run.stderr.contains("internal error"), "{}", run.stderr);
        }
    }
}
