//! The standard library on disk, so that "go to definition" can open it: its sources are
//! written once into a cache folder, and its files are known by their URIs there.

use std::fs;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use tower_lsp::lsp_types::Url;

use crate::convert::{path_of_url, url_of_path};

/// The cache folder: one per version of the compiler, shared by every server.
fn folder() -> PathBuf {
    std::env::temp_dir().join(format!("play-stdlib-{}", env!("CARGO_PKG_VERSION")))
}

/// The folder the standard library was written to, or `None` if it could not be written
/// (then standard-library locations are not offered).
fn written() -> Option<&'static Path> {
    static WRITTEN: OnceLock<Option<PathBuf>> = OnceLock::new();
    WRITTEN.get_or_init(|| write_all(&folder()).ok()).as_deref()
}

/// Writes every standard-library file under `root` by its name (`stdlib/account.play`),
/// unless it is already there with the same text. Each file is written whole and renamed
/// into place, so a second server reading it never sees half a file.
fn write_all(root: &Path) -> std::io::Result<PathBuf> {
    for (name, source) in play_compiler::stdlib::FILES {
        let path = root.join(name);
        if fs::read_to_string(&path).is_ok_and(|text| text == *source) {
            continue;
        }
        if let Some(parent) = path.parent() {
            fs::create_dir_all(parent)?;
        }
        let partial = path.with_extension(format!("play.{}.partial", std::process::id()));
        fs::write(&partial, source)?;
        fs::rename(&partial, &path)?;
    }
    Ok(root.to_path_buf())
}

/// The URI of a standard-library file, by its name in the analysis.
pub fn url_of(name: &str) -> Option<Url> {
    url_of_path(&written()?.join(name))
}

/// The standard-library name of a URI in the cache folder (`stdlib/account.play`).
pub fn name_of(url: &Url) -> Option<String> {
    let path = path_of_url(url)?;
    let relative = path.strip_prefix(written()?).ok()?;
    let name = relative.components().map(|c| c.as_os_str().to_string_lossy()).collect::<Vec<_>>().join("/");
    play_compiler::stdlib::FILES.iter().any(|(n, _)| *n == name).then_some(name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn standard_library_files_round_trip_through_their_uris() {
        let Some(url) = url_of("stdlib/account.play") else { panic!("the cache folder could not be written") };
        assert_eq!(name_of(&url).as_deref(), Some("stdlib/account.play"));
        let text = path_of_url(&url).and_then(|p| fs::read_to_string(p).ok());
        assert!(text.is_some_and(|t| t.contains("record Account")));
    }

    #[test]
    fn other_files_are_not_the_standard_library() {
        let url = url_of_path(&std::env::temp_dir().join("elsewhere.play"));
        assert_eq!(url.and_then(|u| name_of(&u)), None);
    }
}
