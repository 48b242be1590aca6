//! The project as the editor sees it: every `.play` file under each workspace folder, read
//! from disk, with the open buffers laid over them. Each workspace folder is a project of
//! its own (as each folder is for `play check`); an open file outside every folder is a
//! project by itself.

use std::collections::{BTreeMap, HashMap};
use std::fs;
use std::path::{Path, PathBuf};

use tower_lsp::lsp_types::Url;
use walkdir::WalkDir;

use crate::convert::{path_of_url, url_of_path};

/// An open buffer: the editor's text, newer than the disk's.
#[derive(Clone, Debug)]
pub struct Buffer {
    pub version: i32,
    pub text: String,
}

/// One file of a project as it is now.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SourceFile {
    pub url: Url,
    /// The name the analysis knows it by: the path relative to its workspace folder.
    pub name: String,
    pub text: String,
    /// The buffer's version, for a file that is open.
    pub version: Option<i32>,
}

/// The files of one project, sorted by name.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ProjectInput {
    pub files: Vec<SourceFile>,
}

#[derive(Debug, Default)]
pub struct Workspace {
    roots: Vec<PathBuf>,
    disk: BTreeMap<PathBuf, String>,
    open: HashMap<Url, Buffer>,
    /// Bumped by every change, so an analysis knows whether it is still current.
    revision: u64,
}

impl Workspace {
    pub fn revision(&self) -> u64 {
        self.revision
    }

    /// Sets the workspace folders and reads their files.
    pub fn set_roots(&mut self, roots: Vec<PathBuf>) {
        self.roots = roots;
        self.reload();
    }

    pub fn add_root(&mut self, root: PathBuf) {
        if !self.roots.contains(&root) {
            self.roots.push(root);
            self.reload();
        }
    }

    pub fn remove_root(&mut self, root: &Path) {
        self.roots.retain(|r| r != root);
        self.reload();
    }

    /// Reads every `.play` file under the workspace folders again.
    pub fn reload(&mut self) {
        self.disk =
            self.roots.iter().flat_map(|root| find(root)).filter_map(|path| read(&path).map(|t| (path, t))).collect();
        self.revision += 1;
    }

    /// Reads one file again after it changed on disk (or forgets it, and everything under
    /// it, if it is gone).
    pub fn reload_path(&mut self, path: &Path) {
        self.disk.retain(|known, _| !known.starts_with(path));
        if self.root_of(path).is_none() || hidden_below_root(path, &self.roots) {
            // Outside the project: nothing to read.
        } else if path.is_dir() {
            self.disk.extend(find(path).into_iter().filter_map(|p| read(&p).map(|t| (p, t))));
        } else if is_play_file(path) {
            if let Some(text) = read(path) {
                self.disk.insert(path.to_path_buf(), text);
            }
        }
        self.revision += 1;
    }

    pub fn open(&mut self, url: Url, version: i32, text: String) {
        self.open.insert(url, Buffer { version, text });
        self.revision += 1;
    }

    /// Replaces an open buffer's text; a version older than the one held is ignored, so
    /// notifications handled out of order cannot roll the buffer back.
    pub fn change(&mut self, url: &Url, version: i32, text: String) -> bool {
        match self.open.get_mut(url) {
            Some(buffer) if version >= buffer.version => {
                *buffer = Buffer { version, text };
                self.revision += 1;
                true
            }
            Some(_) => false,
            None => {
                self.open(url.clone(), version, text);
                true
            }
        }
    }

    pub fn close(&mut self, url: &Url) {
        if self.open.remove(url).is_some() {
            self.revision += 1;
        }
    }

    pub fn buffer(&self, url: &Url) -> Option<&Buffer> {
        self.open.get(url)
    }

    /// The workspace folder a path belongs to: the innermost one holding it.
    fn root_of(&self, path: &Path) -> Option<usize> {
        (0..self.roots.len())
            .filter(|&i| path.starts_with(&self.roots[i]))
            .max_by_key(|&i| self.roots[i].as_os_str().len())
    }

    /// Every project with its files as they are now: disk files under each folder, open
    /// buffers over them, and each open file outside the folders alone.
    pub fn projects(&self) -> Vec<ProjectInput> {
        let mut rooted: Vec<BTreeMap<String, SourceFile>> = vec![BTreeMap::new(); self.roots.len()];
        for (path, text) in &self.disk {
            let (Some(root), Some(url)) = (self.root_of(path), url_of_path(path)) else { continue };
            let name = name_in(&self.roots[root], path);
            rooted[root].insert(name.clone(), SourceFile { url, name, text: text.clone(), version: None });
        }
        let mut loose: Vec<ProjectInput> = Vec::new();
        for (url, buffer) in &self.open {
            if crate::stdlib::name_of(url).is_some() {
                continue;
            }
            let path = path_of_url(url);
            let root = path.as_deref().and_then(|p| self.root_of(p));
            match (root, path) {
                (Some(root), Some(path)) => {
                    let name = name_in(&self.roots[root], &path);
                    let file = SourceFile {
                        url: url.clone(),
                        name: name.clone(),
                        text: buffer.text.clone(),
                        version: Some(buffer.version),
                    };
                    rooted[root].insert(name, file);
                }
                (_, path) => {
                    let name = path.map_or_else(|| url.to_string(), |p| slashed(&p));
                    let file =
                        SourceFile { url: url.clone(), name, text: buffer.text.clone(), version: Some(buffer.version) };
                    loose.push(ProjectInput { files: vec![file] });
                }
            }
        }
        loose.sort_by(|a, b| a.files[0].name.cmp(&b.files[0].name));
        rooted
            .into_iter()
            .map(|files| ProjectInput { files: files.into_values().collect() })
            .filter(|p| !p.files.is_empty())
            .chain(loose)
            .collect()
    }
}

/// The `.play` files under a folder, skipping hidden entries and `target/` folders as
/// `play check` does.
fn find(root: &Path) -> Vec<PathBuf> {
    WalkDir::new(root)
        .into_iter()
        .filter_entry(|entry| entry.depth() == 0 || !skipped(entry))
        .filter_map(Result::ok)
        .filter(|entry| is_play_file(entry.path()) && entry.path().is_file())
        .map(walkdir::DirEntry::into_path)
        .collect()
}

fn skipped(entry: &walkdir::DirEntry) -> bool {
    let name = entry.file_name().to_string_lossy();
    name.starts_with('.') || (entry.file_type().is_dir() && name == "target")
}

fn is_play_file(path: &Path) -> bool {
    path.extension().is_some_and(|ext| ext == "play")
}

/// Whether a path lies in a hidden folder or `target/` below its workspace folder.
fn hidden_below_root(path: &Path, roots: &[PathBuf]) -> bool {
    let Some(root) = roots.iter().filter(|r| path.starts_with(r)).max_by_key(|r| r.as_os_str().len()) else {
        return false;
    };
    let Ok(relative) = path.strip_prefix(root) else { return false };
    let parts: Vec<_> = relative.components().map(|c| c.as_os_str().to_string_lossy()).collect();
    parts.iter().enumerate().any(|(i, part)| part.starts_with('.') || (i + 1 < parts.len() && part == "target"))
}

/// Reads a file's text; bytes that are not UTF-8 become replacement characters (the
/// editor shows its own decoding anyway).
fn read(path: &Path) -> Option<String> {
    fs::read(path)
        .ok()
        .map(|bytes| String::from_utf8(bytes).unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned()))
}

/// A file's name within its folder, with `/` separators. A project's own `stdlib/` folder
/// is named `./stdlib/…` so that it cannot be taken for the standard library.
fn name_in(root: &Path, path: &Path) -> String {
    let name = path.strip_prefix(root).map_or_else(|_| slashed(path), slashed);
    if name.starts_with("stdlib/") {
        format!("./{name}")
    } else {
        name
    }
}

fn slashed(path: &Path) -> String {
    path.components().map(|c| c.as_os_str().to_string_lossy()).collect::<Vec<_>>().join("/")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn url(path: &Path) -> Url {
        url_of_path(path).unwrap_or_else(|| panic!("no URI for {}", path.display()))
    }

    #[test]
    fn files_under_the_folder_are_read_and_hidden_ones_skipped() -> std::io::Result<()> {
        let dir = tempfile::tempdir()?;
        fs::create_dir_all(dir.path().join("sub"))?;
        fs::create_dir_all(dir.path().join(".git"))?;
        fs::create_dir_all(dir.path().join("target"))?;
        fs::write(dir.path().join("a.play"), "a")?;
        fs::write(dir.path().join("sub/b.play"), "b")?;
        fs::write(dir.path().join(".git/c.play"), "c")?;
        fs::write(dir.path().join("target/d.play"), "d")?;
        fs::write(dir.path().join("notes.txt"), "e")?;
        let mut ws = Workspace::default();
        ws.set_roots(vec![dir.path().to_path_buf()]);
        let projects = ws.projects();
        let names: Vec<&str> = projects[0].files.iter().map(|f| f.name.as_str()).collect();
        assert_eq!(names, ["a.play", "sub/b.play"]);
        Ok(())
    }

    #[test]
    fn open_buffers_replace_the_disk_text() -> std::io::Result<()> {
        let dir = tempfile::tempdir()?;
        let path = dir.path().join("a.play");
        fs::write(&path, "on disk")?;
        let mut ws = Workspace::default();
        ws.set_roots(vec![dir.path().to_path_buf()]);
        ws.open(url(&path), 1, "in the editor".into());
        assert_eq!(ws.projects()[0].files[0].text, "in the editor");
        assert_eq!(ws.projects()[0].files[0].version, Some(1));
        ws.close(&url(&path));
        assert_eq!(ws.projects()[0].files[0].text, "on disk");
        Ok(())
    }

    #[test]
    fn an_older_version_does_not_replace_a_newer_one() {
        let mut ws = Workspace::default();
        let u = url(&std::env::temp_dir().join("loose.play"));
        ws.open(u.clone(), 3, "three".into());
        assert!(!ws.change(&u, 2, "two".into()));
        assert!(ws.change(&u, 4, "four".into()));
        assert_eq!(ws.buffer(&u).map(|b| b.text.as_str()), Some("four"));
    }

    #[test]
    fn files_outside_the_folders_are_projects_of_their_own() {
        let mut ws = Workspace::default();
        let a = url(&std::env::temp_dir().join("one.play"));
        let b = url(&std::env::temp_dir().join("two.play"));
        ws.open(a, 1, String::new());
        ws.open(b, 1, String::new());
        assert_eq!(ws.projects().len(), 2);
    }

    #[test]
    fn a_deleted_file_is_forgotten() -> std::io::Result<()> {
        let dir = tempfile::tempdir()?;
        let path = dir.path().join("a.play");
        fs::write(&path, "a")?;
        let mut ws = Workspace::default();
        ws.set_roots(vec![dir.path().to_path_buf()]);
        fs::remove_file(&path)?;
        ws.reload_path(&path);
        assert!(ws.projects().is_empty());
        Ok(())
    }
}
