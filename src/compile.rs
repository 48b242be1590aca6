//! Compiling a project folder for the commands that run it (`build`, `test`, `replay`,
//! `explain`): its `.play` files to a program, its `play.toml` to workspace settings, which the program then carries. A
//! project with errors is reported the way `play check` reports it.

use std::path::Path;

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
/// `.playc` file, which carries its project's settings); `Err(Exit::Problems)` after
/// reporting the project's errors, in its `.play` files or its `play.toml`.
pub fn compile(path: &Path) -> Result<Result<Compiled, Exit>, Error> {
    compile_reporting(path, &mut |report| to_stderr(|out| report(out)), human::stderr_style())
}

/// A report of a project's problems, written to where it goes.
pub type Report<'a> = &'a dyn Fn(&mut dyn std::io::Write) -> std::io::Result<()>;

/// As [`compile`], with the project's problems written through `sink` in `style` (the
/// daemon's reload keeps them as text).
pub fn compile_reporting(
    path: &Path,
    sink: &mut dyn FnMut(Report),
    style: play_compiler::diagnostic::render::Style,
) -> Result<Result<Compiled, Exit>, Error> {
    if path.is_file() && path.extension().is_some_and(|e| e == "playc") {
        return load(path);
    }
    let roots = [path.to_path_buf()];
    let mut files = project::load(&roots)?;
    // A single file runs in the settings of the folder it is in.
    let folder = match path.parent() {
        Some(parent) if path.is_file() => parent.to_path_buf(),
        _ => path.to_path_buf(),
    };
    let folder = if folder.as_os_str().is_empty() { Path::new(".").to_path_buf() } else { folder };
    let settings = project::load_settings(&[folder])?;
    let mut diagnostics = analysis::analyze(&files);
    diagnostics.extend(analysis::analyze_settings(&settings));
    let workspace = settings.first().map_or_else(Workspace::default, |f| Workspace::check_toml(&f.text).0);
    let sources: Vec<(String, String)> = files.iter().map(|f| (f.name.clone(), f.text.clone())).collect();
    files.extend(settings);
    let findings = Findings::new(&files, &diagnostics);
    if findings.counts().fail(false) {
        sink(&|out| human::write(out, findings, style));
        sink(&|out| writeln!(out, "{}", human::summary(findings.file_count(), findings.counts())));
        return Ok(Err(Exit::Problems));
    }
    let sources: Vec<(&str, &str)> = sources.iter().map(|(n, t)| (n.as_str(), t.as_str())).collect();
    let program = match play_compiler::lower::build(&sources) {
        Ok(p) => p.with_settings(workspace.to_settings()),
        Err(_) => return Ok(Err(Exit::Problems)),
    };
    Ok(Ok(Compiled { program, workspace }))
}

/// A program built before: it runs without its source, in the settings it was built with.
pub fn load(path: &Path) -> Result<Result<Compiled, Exit>, Error> {
    let program = load_program(path)?;
    match Workspace::from_settings(&program.settings) {
        Ok(workspace) => Ok(Ok(Compiled { program, workspace })),
        Err(message) => {
            to_stderr(|out| writeln!(out, "error: {}: {message}", path.display()));
            Ok(Err(Exit::Problems))
        }
    }
}

/// A `.playc` file, read and verified.
pub fn load_program(path: &Path) -> Result<Program, Error> {
    let bytes = crate::read::read(path, crate::read::Kind::Program)?;
    Program::from_bytes(&bytes).map_err(|source| Error::Program { path: path.to_path_buf(), source })
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
