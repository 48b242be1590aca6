//! `play schema import`: read a CRM's JSON description of one object and print it as
//! formatted Play source on stdout; problems with the input go to stderr.

use std::path::Path;

use serde_json::Value;

use super::{to_stderr, to_stdout};
use crate::cli::{Crm, ImportArgs, SchemaArgs, SchemaCommand};
use crate::error::Error;
use crate::exit::Exit;
use crate::schema::{hubspot, salesforce, Options, Schema};

pub fn run(args: &SchemaArgs) -> Result<Exit, Error> {
    match &args.command {
        SchemaCommand::Import(args) => import(args),
    }
}

fn import(args: &ImportArgs) -> Result<Exit, Error> {
    let object = match (args.crm, &args.object) {
        (Crm::Salesforce, Some(_)) => {
            return Ok(could_not_run(
                "`--object` is for HubSpot listings; a Salesforce describe result names its object",
            ));
        }
        (Crm::Salesforce, None) => None,
        (Crm::Hubspot, Some(object)) => Some(object.clone()),
        (Crm::Hubspot, None) => match hubspot::object_from_file(&args.file) {
            Some(object) => Some(object),
            None => {
                let file = args.file.display();
                let problem = format!("cannot tell which HubSpot object `{file}` lists; name it with `--object contacts` (or companies, deals, …)");
                return Ok(could_not_run(&problem));
            }
        },
    };
    let bytes = crate::read::read(&args.file, crate::read::Kind::Schema)?;
    let file = args.file.display().to_string();
    let document: Value = match serde_json::from_slice(&bytes) {
        Ok(document) => document,
        Err(e) => return Ok(problems(&file, &[format!("not JSON: {e}")])),
    };
    let options = Options { record_name: args.name.clone() };
    let converted = match (args.crm, object) {
        (Crm::Salesforce, _) => salesforce::convert(&document, &options),
        (Crm::Hubspot, object) => hubspot::convert(&document, object.as_deref().unwrap_or_default(), &options),
    };
    match converted {
        Ok(schema) => print(&schema, args.crm, &args.file),
        Err(found) => Ok(problems(&file, &found)),
    }
}

/// Formats and prints the schema. Source that does not parse is a bug in the importer,
/// never the input's fault: names and comment text are made safe before they are written.
fn print(schema: &Schema, crm: Crm, file: &Path) -> Result<Exit, Error> {
    let crm = match crm {
        Crm::Salesforce => "salesforce",
        Crm::Hubspot => "hubspot",
    };
    let file_name = file.file_name().map(|n| n.to_string_lossy()).unwrap_or_default();
    let header = vec![format!("Imported by `play schema import {crm}` from {file_name}.")];
    let source = schema.to_source(&header);
    match play_compiler::format::format_source(&source) {
        Ok(formatted) => {
            to_stdout(|out| out.write_all(formatted.as_bytes()))?;
            Ok(Exit::Success)
        }
        Err(diagnostics) => {
            let first = diagnostics.first().map(|d| d.message.as_str()).unwrap_or("no diagnostic");
            to_stderr(|out| {
                writeln!(out, "internal error: the imported schema does not parse: {first}")?;
                writeln!(out, "this is a bug in play; please report it with the input that caused it")?;
                out.write_all(source.as_bytes())
            });
            Ok(Exit::Internal)
        }
    }
}

/// Reports each problem with the input, prefixed with the file's name.
fn problems(file: &str, problems: &[String]) -> Exit {
    to_stderr(|out| problems.iter().try_for_each(|problem| writeln!(out, "error: {file}: {problem}")));
    Exit::Problems
}

fn could_not_run(problem: &str) -> Exit {
    to_stderr(|out| writeln!(out, "error: {problem}"));
    Exit::CouldNotRun
}
