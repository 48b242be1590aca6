//! `play check`: load a project (its `.play` files and its `play.toml`), analyse it, report every diagnostic in the chosen format.

use super::{to_stderr, to_stdout};
use crate::cli::{CheckArgs, Format};
use crate::error::Error;
use crate::exit::Exit;
use crate::report::{github, human, json, sarif, Findings};
use crate::{analysis, project};

pub fn run(args: &CheckArgs) -> Result<Exit, Error> {
    let mut files = project::load(&args.paths)?;
    let settings = project::load_settings(&args.paths)?;
    let mut diagnostics = analysis::analyze(&files);
    diagnostics.extend(analysis::analyze_settings(&settings));
    files.extend(settings);
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
