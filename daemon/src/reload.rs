//! Hot reload: the project folder watched (debounced); an edit that checks is deployed as
//! a journaled command, one that does not leaves the last good program running and its
//! diagnostics in `/v1/status` and the log.

use std::path::{Path, PathBuf};
use std::sync::mpsc::Sender;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use notify_debouncer_mini::{new_debouncer, notify::RecursiveMode, DebounceEventResult};

use crate::status::{RefusedReload, Status};
use crate::writer::Request;
use crate::Compile;

/// Whether a changed path is part of the project (a `.play` file or `play.toml`, outside
/// hidden folders such as `.play/`, where the state lives).
fn is_source(root: &Path, path: &Path) -> bool {
    let inside = path.strip_prefix(root).unwrap_or(path);
    let hidden = inside.components().any(|c| c.as_os_str().to_str().is_some_and(|s| s.starts_with('.')));
    let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
    !hidden && (name.ends_with(".play") || name == "play.toml")
}

/// Watches `root` until the process ends. The watcher lives on its own thread.
pub fn watch(root: PathBuf, compile: Compile, requests: Sender<Request>, status: Arc<Mutex<Status>>) {
    // Events name absolute paths: the root must be one too, for hidden folders to be told
    // apart from a hidden folder the project happens to be in.
    let root = std::fs::canonicalize(&root).unwrap_or(root);
    let root_for_thread = root.clone();
    let (tx, rx) = std::sync::mpsc::channel::<DebounceEventResult>();
    let mut debouncer = match new_debouncer(Duration::from_millis(300), tx) {
        Ok(d) => d,
        Err(e) => {
            tracing::warn!("the project folder cannot be watched, so edits are not deployed: {e}");
            return;
        }
    };
    if let Err(e) = debouncer.watcher().watch(&root, RecursiveMode::Recursive) {
        tracing::warn!("the project folder cannot be watched, so edits are not deployed: {e}");
        return;
    }
    std::thread::spawn(move || {
        let _keep = debouncer;
        for events in rx {
            let Ok(events) = events else { continue };
            if !events.iter().any(|e| is_source(&root_for_thread, &e.path)) {
                continue;
            }
            match compile(&root_for_thread) {
                Ok(program) => {
                    tracing::info!(hash = %program.hash, "the project changed and checks: deploying it");
                    let wall = crate::clock::wall();
                    if requests.send(Request::Deploy { program: Box::new(program), wall }).is_err() {
                        return;
                    }
                }
                Err(diagnostics) => {
                    tracing::warn!(
                        "the project changed but does not check; the last good program keeps running:\n{diagnostics}"
                    );
                    let mut s = status.lock().unwrap_or_else(|e| e.into_inner());
                    s.refused_reload = Some(RefusedReload { at: crate::clock::wall(), diagnostics });
                }
            }
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_project_sources_outside_hidden_folders_trigger_a_reload() {
        let root = Path::new("/p");
        assert!(is_source(root, Path::new("/p/renewal.play")));
        assert!(is_source(root, Path::new("/p/sub/play.toml")));
        assert!(!is_source(root, Path::new("/p/.play/state.db")));
        assert!(!is_source(root, Path::new("/p/.play/x.play")));
        assert!(!is_source(root, Path::new("/p/notes.md")));
    }
}
