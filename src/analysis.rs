//! The analysis `play check` runs over a whole project: every file parsed, then name
//! resolution and type checking over all of them together (with the standard library).

use play_compiler::Diagnostic;

use crate::project::SourceFile;

/// Every diagnostic of a project: one list per file, in the order of `files`, each list
/// sorted by position.
pub fn analyze(files: &[SourceFile]) -> Vec<Vec<Diagnostic>> {
    // A file that is not UTF-8 has no text worth parsing; one error says why, and the
    // rest of the project is checked without it.
    let readable: Vec<(usize, (&str, &str))> = files
        .iter()
        .enumerate()
        .filter(|(_, f)| f.encoding_diagnostic().is_none())
        .map(|(i, f)| (i, (f.name.as_str(), f.text.as_str())))
        .collect();
    let sources: Vec<(&str, &str)> = readable.iter().map(|(_, s)| *s).collect();
    let mut checked = play_compiler::check::check_sources(&sources).into_iter();
    let mut out: Vec<Vec<Diagnostic>> = files.iter().map(|f| f.encoding_diagnostic().into_iter().collect()).collect();
    for (i, _) in &readable {
        out[*i] = checked.next().unwrap_or_default();
    }
    out
}
