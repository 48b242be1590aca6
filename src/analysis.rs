//! The analysis `play check` runs over a whole project: every file parsed, then name
//! resolution and type checking over all of them together (with the standard library).

use play_compiler::Diagnostic;
use play_runtime::config::Workspace;

use crate::project::SourceFile;

/// Every diagnostic of the projects the files belong to: one list per file, in the order
/// of `files`, each list sorted by position. Each project is checked on its own, with the
/// standard library.
pub fn analyze(files: &[SourceFile]) -> Vec<Vec<Diagnostic>> {
    // A file that is not UTF-8 has no text worth parsing; one error says why, and the
    // rest of its project is checked without it.
    let mut out: Vec<Vec<Diagnostic>> = files.iter().map(|f| f.encoding_diagnostic().into_iter().collect()).collect();
    let mut projects: Vec<usize> = files.iter().map(|f| f.project).collect();
    projects.sort_unstable();
    projects.dedup();
    for project in projects {
        let members: Vec<usize> = (0..files.len())
            .filter(|&i| files[i].project == project && files[i].encoding_diagnostic().is_none())
            .collect();
        let sources: Vec<(&str, &str)> =
            members.iter().map(|&i| (files[i].name.as_str(), files[i].text.as_str())).collect();
        for (i, diagnostics) in members.into_iter().zip(play_compiler::check::check_sources(&sources)) {
            out[i] = diagnostics;
        }
    }
    out
}

/// The problems in each settings file (`play.toml`), one list per file: every one, each
/// with its code and place.
pub fn analyze_settings(files: &[SourceFile]) -> Vec<Vec<Diagnostic>> {
    files
        .iter()
        .map(|f| match f.encoding_diagnostic() {
            Some(encoding) => vec![encoding],
            None => Workspace::check_toml(&f.text).1.iter().map(|p| p.to_diagnostic()).collect(),
        })
        .collect()
}
