//! Compiling a project folder for the commands that run it (`build`, `test`, `replay`,
//! `explain`): its `.play` files to a program, its `play.toml` to workspace settings. A
//! project with errors is reported the way `play check` reports it.

use std::path::{Path, PathBuf};

use play_compiler::program::Program;
use play_runtime::config::Workspace;
use play_runtime::engine::Sources;

use crate::commands::to_stderr;
use crate::error::Error;
use crate::exit::Exit;
use crate::report::{human, Findings};
use crate::{analysis, project};

/// A compiled project.
pub struct Compiled {
    pub program: Program,
    pub workspace: Workspace,
    /// Every file's name and text (the standard library's too), for run-time reports.
    pub sources: Sources,
}

/// Compiles the project at `path`; `Err(Exit::Problems)` after reporting its errors.
pub fn compile(path: &Path) -> Result<Result<Compiled, Exit>, Error> {
    let files = project::load(&[path.to_path_buf()])?;
    let diagnostics = analysis::analyze(&files);
    let findings = Findings::new(&files, &diagnostics);
    if findings.counts().fail(false) {
        let style = human::stderr_style();
        to_stderr(|out| human::write(out, findings, style));
        to_stderr(|out| writeln!(out, "{}", human::summary(findings.file_count(), findings.counts())));
        return Ok(Err(Exit::Problems));
    }
    let workspace = match workspace(path)? {
        Ok(w) => w,
        Err(message) => {
            to_stderr(|out| writeln!(out, "error: {message}"));
            return Ok(Err(Exit::Problems));
        }
    };
    let sources: Vec<(&str, &str)> = files.iter().map(|f| (f.name.as_str(), f.text.as_str())).collect();
    let program = match play_compiler::lower::build(&sources) {
        Ok(p) => p,
        Err(_) => return Ok(Err(Exit::Problems)),
    };
    let mut all: Sources = files.iter().map(|f| (f.name.clone(), f.text.clone())).collect();
    all.extend(play_compiler::stdlib::parsed().iter().map(|(n, s, _)| (n.to_string(), s.to_string())));
    Ok(Ok(Compiled { program, workspace, sources: all }))
}

/// The project's `play.toml`, or the defaults (UTC, Saturday and Sunday off) without one.
fn workspace(path: &Path) -> Result<Result<Workspace, String>, Error> {
    let folder =
        if path.is_dir() { path.to_path_buf() } else { path.parent().map(Path::to_path_buf).unwrap_or_default() };
    let file: PathBuf = folder.join("play.toml");
    if !file.exists() {
        return Ok(Ok(Workspace::default()));
    }
    let text = std::fs::read_to_string(&file).map_err(|source| Error::Read { path: file.clone(), source })?;
    Ok(Workspace::from_toml(&text).map_err(|e| format!("{}: {e}", file.display())))
}

/// A moment given on the command line: RFC 3339, or a date (midnight in the workspace).
pub fn moment(text: &str, workspace: &Workspace) -> Result<i64, Error> {
    if let Ok(t) = chrono::DateTime::parse_from_rfc3339(text) {
        return Ok(t.timestamp());
    }
    if let Ok(d) = chrono::NaiveDate::parse_from_str(text, "%Y-%m-%d") {
        return Ok(workspace.at_local(d, 0, 0).timestamp());
    }
    Err(Error::Usage(format!("`{text}` is not a moment: write it as 2026-03-02T09:00:00Z or 2026-03-02")))
}
