//! `play build`: compile a project to a bytecode program file, or print its disassembly.

use super::{to_stderr, to_stdout};
use crate::cli::BuildArgs;
use crate::compile::compile;
use crate::error::Error;
use crate::exit::Exit;

pub fn run(args: &BuildArgs) -> Result<Exit, Error> {
    let compiled = match compile(&args.path)? {
        Ok(c) => c,
        Err(exit) => return Ok(exit),
    };
    if args.dump {
        to_stdout(|out| out.write_all(compiled.program.disassemble().as_bytes()))?;
        return Ok(Exit::Success);
    }
    let bytes = compiled.program.to_bytes();
    std::fs::write(&args.output, &bytes).map_err(|source| Error::Write { path: args.output.clone(), source })?;
    let p = &compiled.program;
    to_stderr(|out| {
        writeln!(
            out,
            "built {} ({} playbooks, {} segments and signals, {} templates, {} tests; program {})",
            args.output.display(),
            p.playbooks.len(),
            p.segments.len(),
            p.templates.len(),
            p.tests.len(),
            p.hash
        )
    });
    Ok(Exit::Success)
}
