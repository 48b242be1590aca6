//! Compiling a project folder for the commands that run it (`build`, `test`, `replay`,
//! `explain`): its `.play` files to a program, its `play.toml` to workspace settings. A
//! project with errors is reported the way `play check` reports it.

use std::path::{Path, PathBuf};

use play_compiler::program::Program;
use play_runtime::config::Workspace;

use crate::commands::to_stderr;
use crate::error::Error;
use crate::exit::Exit;
use crate::report::{human, Findings};
use crate::{analysis, project};

/// A compiled project.
pub struct Compiled {
    pub program: Program,
    pub workspace: Workspace,
}

/// Compiles the project at `path`, or loads the program `play build` wrote there (a
/// `.playc` file, with the `play.toml` beside it); `Err(Exit::Problems)` after reporting
/// the project's errors.
pub fn compile(path: &Path) -> Result<Result<Compiled, Exit>, Error> {
    if path.is_file() && path.extension().is_some_and(|e| e == "playc") {
        return load(path);
    }
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
    Ok(Ok(Compiled { program, workspace }))
}

/// A program built before: it runs without its source (spans carry their lines).
fn load(path: &Path) -> Result<Result<Compiled, Exit>, Error> {
    let bytes = std::fs::read(path).map_err(|source| Error::Read { path: path.to_path_buf(), source })?;
    let program = Program::from_bytes(&bytes).map_err(|source| Error::Program { path: path.to_path_buf(), source })?;
    Ok(workspace(path)?.map_or_else(
        |message| {
            to_stderr(|out| writeln!(out, "error: {message}"));
            Err(Exit::Problems)
        },
        |workspace| Ok(Compiled { program, workspace }),
    ))
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

/// A moment given on the command line: a datetime as in change lines or as in `.play`
/// literals (seconds optional; without an offset, in the workspace time zone), or a date
/// (midnight in the workspace). Read strictly, by the one reader of dates.
pub fn moment(text: &str, workspace: &Workspace) -> Result<i64, Error> {
    use play_compiler::dates::Form;
    if let Some(d) = play_compiler::dates::parse_date(text) {
        return Ok(workspace.at_local(d, 0, 0).timestamp());
    }
    for form in [Form::Rfc3339, Form::Literal] {
        if let Ok(t) = play_runtime::change::read_moment_as(text, workspace, form) {
            return Ok(t);
        }
    }
    Err(Error::Usage(format!("`{text}` is not a moment: write it as 2026-03-02T09:00:00Z or 2026-03-02")))
}
