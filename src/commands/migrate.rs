//! `play migrate --from URL --to URL`: a whole store copied to another place (SQLite to
//! PostgreSQL and back), with progress on a terminal, then checked by the counters.

use indicatif::{ProgressBar, ProgressStyle};
use play_store::Place;

use super::to_stdout;
use crate::cli::MigrateArgs;
use crate::error::Error;
use crate::exit::Exit;

pub fn run(args: &MigrateArgs) -> Result<Exit, Error> {
    let from = Place::parse(&args.from).map_err(Error::Usage)?;
    let to = Place::parse(&args.to).map_err(Error::Usage)?;
    if let Place::Sqlite(path) = &from {
        if !path.exists() {
            return Err(Error::Usage(format!("there is no store at {}", from.describe())));
        }
    }
    // Hidden when stderr is not a terminal.
    let bar = ProgressBar::new(0);
    bar.set_style(
        ProgressStyle::with_template("{msg:>12} [{bar:30}] {pos}/{len}")
            .unwrap_or_else(|_| ProgressStyle::default_bar()),
    );
    let copied = play_store::migrate::copy(&from, &to, |table, done, total| {
        bar.set_message(table.to_string());
        bar.set_length(total);
        bar.set_position(done);
    });
    bar.finish_and_clear();
    let copied = copied.map_err(|e| Error::Usage(e.to_string()))?;
    let counters = |place: &Place| place.open().and_then(|s| s.counters()).map_err(|e| Error::Usage(e.to_string()));
    let (before, after) = (counters(&from)?, counters(&to)?);
    if before != after {
        return Err(Error::Usage(format!(
            "the copy does not count the same as the source (source {before:?}, copy {after:?}): was `play run` still writing?"
        )));
    }
    to_stdout(|out| {
        writeln!(out, "copied {} to {}:", from.describe(), to.describe())?;
        for (table, rows) in &copied {
            writeln!(out, "  {table:<11} {rows}")?;
        }
        writeln!(out, "both stores count the same: journal at {}, {} actions", after.journal_position, after.actions)
    })?;
    Ok(Exit::Success)
}
