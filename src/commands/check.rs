//! `play check`: load a project, analyse it, report every diagnostic in the chosen format.

use super::{to_stderr, to_stdout};
use crate::cli::{CheckArgs, Format};
use crate::error::Error;
use crate::exit::Exit;
use crate::report::{github, human, json, sarif, Findings};
use crate::{analysis, project};

pub fn run(args: &CheckArgs) -> Result<Exit, Error> {
    let files = project::load(&args.paths)?;
    let diagnostics = analysis::analyze(&files);
    let findings = Findings::new(&files, &diagnostics);
    // People read stderr; machines read a single document on stdout.
    match args.format {
        Format::Human => {
            let style = human::stderr_style();
            to_stderr(|out| human::write(out, findings, style));
        }
        Format::Json => to_stdout(|out| json::write(out, findings))?,
        Format::Sarif => to_stdout(|out| sarif::write(out, findings))?,
        Format::Github => to_stdout(|out| github::write(out, findings))?,
    }
    let counts = findings.counts();
    to_stderr(|out| writeln!(out, "{}", human::summary(findings.file_count(), counts)));
    Ok(Exit::problems_if(counts.fail(args.deny_warnings)))
}
