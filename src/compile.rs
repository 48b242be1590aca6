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
    let bytes = crate::read::read(path, crate::read::Kind::Program)?;
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
    let bytes = crate::read::read(&file, crate::read::Kind::Config)?;
    let Ok(text) = String::from_utf8(bytes) else {
        return Ok(Err(format!("{}: the file is not valid UTF-8", file.display())));
    };
    Ok(Workspace::from_toml(&text).map_err(|e| format!("{}: {e}", file.display())))
}

/// A moment given on the command line: a datetime as in change lines (without an offset,
/// in the workspace time zone), or a date (midnight in the workspace). Read strictly, by
/// the same reader as `.play` literals.
pub fn moment(text: &str, workspace: &Workspace) -> Result<i64, Error> {
    use play_compiler::dates::{parse_date, parse_datetime, Fraction};
    if let Some(t) = parse_datetime(text, Fraction::Allowed) {
        let (date, time) = (t.local.date(), t.local.time());
        use chrono::Timelike;
        let local = || workspace.at_local(date, time.hour(), time.minute()).timestamp() + i64::from(time.second());
        return Ok(t.timestamp().unwrap_or_else(local));
    }
    if let Some(d) = parse_date(text) {
        return Ok(workspace.at_local(d, 0, 0).timestamp());
    }
    Err(Error::Usage(format!("`{text}` is not a moment: write it as 2026-03-02T09:00:00Z or 2026-03-02")))
}
