//! Finding a project's `.play` files and reading them into memory, named the way reports
//! show them.

use std::fs;
use std::path::{Component, Path, PathBuf};

use play_compiler::syntax::Span;
use play_compiler::Diagnostic;
use walkdir::WalkDir;

use crate::error::Error;

pub use play_compiler::diagnostic::codes::NOT_UTF8;

/// One source file, read.
#[derive(Clone, Debug)]
pub struct SourceFile {
    /// Where the file is on disk.
    pub path: PathBuf,
    /// The name reports show: relative to the current folder when the file is inside it,
    /// with `/` separators.
    pub name: String,
    /// The file's text. Bytes that are not valid UTF-8 are each replaced by `?`, so that
    /// byte offsets still match the file.
    pub text: String,
    /// The first run of bytes that are not valid UTF-8, if there is one.
    pub invalid_utf8: Option<Span>,
    /// Which project the file belongs to: each folder named on the command line is a
    /// project of its own, and the files named one by one form one more.
    pub project: usize,
}

impl SourceFile {
    pub fn from_bytes(path: PathBuf, name: String, bytes: Vec<u8>) -> SourceFile {
        let (text, invalid_utf8) = decode(bytes);
        SourceFile { path, name, text, invalid_utf8, project: 0 }
    }

    /// The error for a file that is not valid UTF-8; such a file is not analysed further.
    pub fn encoding_diagnostic(&self) -> Option<Diagnostic> {
        let span = self.invalid_utf8?;
        let message = format!("file is not valid UTF-8 at byte {}", span.start);
        Some(Diagnostic::error(NOT_UTF8, message, span, "not UTF-8").with_help("save the file with UTF-8 encoding"))
    }
}

/// Reads every `.play` file under `paths` (folders, searched recursively, or single
/// files), sorted by name. A missing path or an unreadable file stops the load.
pub fn load(paths: &[PathBuf]) -> Result<Vec<SourceFile>, Error> {
    let cwd = std::env::current_dir().ok();
    let mut found = Vec::new();
    // Project 0 holds the files named one by one; each folder is a project of its own.
    for (i, root) in paths.iter().enumerate() {
        let project = if root.is_dir() { i + 1 } else { 0 };
        for path in find(root)? {
            found.push((display_name(&path, cwd.as_deref()), path, project));
        }
    }
    // The same file named twice (`play check . renewal.play`) is read once, as part of
    // the folder's project rather than alone.
    found.sort_by(|a, b| a.0.cmp(&b.0).then(b.2.cmp(&a.2)));
    found.dedup_by(|a, b| a.0 == b.0);
    found
        .into_iter()
        .map(|(name, path, project)| {
            let bytes = crate::read::read(&path, crate::read::Kind::Source)?;
            Ok(SourceFile { project, ..SourceFile::from_bytes(path, name, bytes) })
        })
        .collect()
}

/// The name of a project's settings file, at the top of its folder.
pub const SETTINGS_FILE: &str = "play.toml";

/// Reads the `play.toml` of each folder in `paths` that has one: the workspace settings of
/// the projects [`load`] finds there (with the same project numbers).
pub fn load_settings(paths: &[PathBuf]) -> Result<Vec<SourceFile>, Error> {
    let cwd = std::env::current_dir().ok();
    let mut found = Vec::new();
    for (i, root) in paths.iter().enumerate() {
        let path = root.join(SETTINGS_FILE);
        if !root.is_dir() || !path.is_file() {
            continue;
        }
        let bytes = crate::read::read(&path, crate::read::Kind::Config)?;
        let name = display_name(&path, cwd.as_deref());
        found.push(SourceFile { project: i + 1, ..SourceFile::from_bytes(path, name, bytes) });
    }
    Ok(found)
}

/// The `.play` files under one path: the path itself when it is a file (whatever its
/// extension, since it was asked for), else the folder's files, skipping hidden entries
/// and `target/` folders.
fn find(root: &Path) -> Result<Vec<PathBuf>, Error> {
    let metadata = fs::metadata(root).map_err(|source| Error::Read { path: root.to_path_buf(), source })?;
    if !metadata.is_dir() {
        return Ok(vec![root.to_path_buf()]);
    }
    let walk = WalkDir::new(root).into_iter().filter_entry(|entry| entry.depth() == 0 || !skipped(entry));
    let mut files = Vec::new();
    for entry in walk {
        let entry = entry.map_err(|e| {
            let path = e.path().unwrap_or(root).to_path_buf();
            Error::Read { path, source: e.into() }
        })?;
        // `is_file` follows symbolic links, so a link to a `.play` file counts and a
        // dangling one is passed over.
        if entry.path().extension().is_some_and(|ext| ext == "play") && entry.path().is_file() {
            files.push(entry.into_path());
        }
    }
    Ok(files)
}

fn skipped(entry: &walkdir::DirEntry) -> bool {
    let name = entry.file_name().to_string_lossy();
    // Hidden entries include editor lock files (`.#renewal.play`), which are often
    // dangling links.
    name.starts_with('.') || (entry.file_type().is_dir() && name == "target")
}

/// Text for bytes that may not be UTF-8: each byte of an invalid sequence becomes `?`,
/// keeping every offset, and the first invalid run is returned beside it.
fn decode(bytes: Vec<u8>) -> (String, Option<Span>) {
    let error = match String::from_utf8(bytes) {
        Ok(text) => return (text, None),
        Err(error) => error,
    };
    let start = error.utf8_error().valid_up_to();
    let len = error.utf8_error().error_len().unwrap_or(error.as_bytes().len() - start);
    let mut text = String::with_capacity(error.as_bytes().len());
    for chunk in error.as_bytes().utf8_chunks() {
        text.push_str(chunk.valid());
        text.push_str(&"?".repeat(chunk.invalid().len()));
    }
    (text, Some(Span::new(start, start + len)))
}

/// How a path is shown: relative to `cwd` when it is inside it, else as given; `/`
/// separators either way.
pub fn display_name(path: &Path, cwd: Option<&Path>) -> String {
    if let Some(cwd) = cwd {
        let absolute = normalize(&cwd.join(path));
        if let Ok(relative) = absolute.strip_prefix(normalize(cwd)) {
            if !relative.as_os_str().is_empty() {
                return slashed(relative);
            }
        }
    }
    slashed(&normalize(path))
}

/// Removes `.` and resolves `..` by the text alone. Symbolic links can make this differ
/// from the file system's view, which is acceptable for a name shown to people.
fn normalize(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for component in path.components() {
        match component {
            Component::CurDir => {}
            Component::ParentDir if matches!(out.components().next_back(), Some(Component::Normal(_))) => {
                out.pop();
            }
            other => out.push(other),
        }
    }
    out
}

fn slashed(path: &Path) -> String {
    let mut parts = Vec::new();
    let mut rooted = false;
    for component in path.components() {
        match component {
            Component::Prefix(prefix) => parts.push(prefix.as_os_str().to_string_lossy().into_owned()),
            Component::RootDir => rooted = true,
            Component::CurDir => {}
            Component::ParentDir => parts.push("..".to_string()),
            Component::Normal(part) => parts.push(part.to_string_lossy().into_owned()),
        }
    }
    let joined = parts.join("/");
    if rooted && !path.components().any(|c| matches!(c, Component::Prefix(_))) {
        format!("/{joined}")
    } else {
        joined
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_inside_the_current_folder_are_relative() {
        let cwd = Path::new("/home/jo/project");
        assert_eq!(display_name(Path::new("./playbooks/renewal.play"), Some(cwd)), "playbooks/renewal.play");
        assert_eq!(display_name(Path::new("/home/jo/project/a.play"), Some(cwd)), "a.play");
        assert_eq!(display_name(Path::new("sub/../a.play"), Some(cwd)), "a.play");
    }

    #[test]
    fn names_outside_the_current_folder_are_kept_as_given() {
        let cwd = Path::new("/home/jo/project");
        assert_eq!(display_name(Path::new("../other/a.play"), Some(cwd)), "../other/a.play");
        assert_eq!(display_name(Path::new("/srv/a.play"), Some(cwd)), "/srv/a.play");
    }

    #[test]
    fn invalid_utf8_keeps_offsets_and_points_at_the_first_bad_byte() {
        let (text, bad) = decode(b"ok\n\xff\xfe x \xc3".to_vec());
        assert_eq!(text, "ok\n?? x ?");
        assert_eq!(bad.map(Span::range), Some(3..4));
    }

    #[test]
    fn valid_utf8_is_taken_as_it_is() {
        let (text, bad) = decode("çé".as_bytes().to_vec());
        assert_eq!(text, "çé");
        assert!(bad.is_none());
    }
}
