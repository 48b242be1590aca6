//! Running the built `play` binary against fixture folders and scratch copies of them.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

/// What one run of `play` did.
pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

/// The folder of a fixture project under `tests/fixtures/`.
pub fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures").join(name)
}

/// Runs `play args…` in `dir`, without colour.
pub fn play(dir: &Path, args: &[&str]) -> Run {
    play_with_stdin(dir, args, "")
}

pub fn play_with_stdin(dir: &Path, args: &[&str], stdin: &str) -> Run {
    let mut child = Command::new(env!("CARGO_BIN_EXE_play"))
        .args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the play binary starts");
    let mut input = child.stdin.take().expect("stdin is piped");
    input.write_all(stdin.as_bytes()).expect("stdin takes the input");
    drop(input);
    let output = child.wait_with_output().expect("the play binary finishes");
    Run {
        code: output.status.code().expect("play exits rather than being killed"),
        stdout: String::from_utf8(output.stdout).expect("stdout is UTF-8"),
        stderr: String::from_utf8(output.stderr).expect("stderr is UTF-8"),
    }
}

/// A scratch folder holding a copy of a fixture project, removed when dropped.
pub fn scratch_copy(name: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("a scratch folder");
    copy_tree(&fixture(name), dir.path());
    dir
}

fn copy_tree(from: &Path, to: &Path) {
    for entry in std::fs::read_dir(from).expect("fixture folder is readable") {
        let entry = entry.expect("fixture entry is readable");
        let target = to.join(entry.file_name());
        if entry.file_type().expect("fixture entry has a type").is_dir() {
            std::fs::create_dir_all(&target).expect("scratch folder is writable");
            copy_tree(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), &target).expect("scratch folder is writable");
        }
    }
}

/// Writes `contents` to `dir/relative`, creating folders on the way.
pub fn write(dir: &Path, relative: &str, contents: impl AsRef<[u8]>) {
    let path = dir.join(relative);
    std::fs::create_dir_all(path.parent().expect("a file has a folder")).expect("scratch folder is writable");
    std::fs::write(path, contents).expect("scratch file is writable");
}

/// The version in the output of tools that report it, so that snapshots outlive releases.
pub fn without_version(text: &str) -> String {
    text.replace(env!("CARGO_PKG_VERSION"), "[version]")
}
