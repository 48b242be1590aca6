//! The analysis `play check` runs over a whole project: every file parsed, then (as the
//! compiler grows) the project-wide steps that need all files at once.

use play_compiler::Diagnostic;

use crate::project::SourceFile;

/// Every diagnostic of a project: one list per file, in the order of `files`, each list
/// sorted by position.
pub fn analyze(files: &[SourceFile]) -> Vec<Vec<Diagnostic>> {
    // Each file on its own first. Name resolution and type checking will follow here, over
    // all the parsed trees together, adding diagnostics to the file each one points into.
    files.iter().map(parse_file).collect()
}

fn parse_file(file: &SourceFile) -> Vec<Diagnostic> {
    // A file that is not UTF-8 has no text worth parsing; one error says why.
    match file.encoding_diagnostic() {
        Some(encoding) => vec![encoding],
        None => play_compiler::parse(&file.text).diagnostics,
    }
}
