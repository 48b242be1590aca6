//! `play graph`: pictures of playbooks, as SVG, Mermaid or DOT.

use play_compiler::graph::{to_svg, Graph};

use super::to_stdout;
use crate::cli::{GraphArgs, GraphFormat};
use crate::compile::compile;
use crate::error::Error;
use crate::exit::Exit;

pub fn run(args: &GraphArgs) -> Result<Exit, Error> {
    let compiled = match compile(&args.path)? {
        Ok(c) => c,
        Err(exit) => return Ok(exit),
    };
    let program = &compiled.program;
    if let Some(name) = &args.playbook {
        if !program.playbooks.iter().any(|p| &p.name == name) {
            let names: Vec<&str> = program.playbooks.iter().map(|p| p.name.as_str()).collect();
            let hint = play_compiler::suggest::closest(name, names.iter().copied())
                .map(|b| format!(": did you mean `{b}`?"))
                .unwrap_or_default();
            return Err(Error::Usage(format!("there is no playbook `{name}`{hint}")));
        }
    }
    let graphs = Graph::all(program, args.playbook.as_deref());
    if graphs.is_empty() {
        return Err(Error::Usage("the project has no playbooks to draw".into()));
    }
    let drawn: Vec<(String, String)> =
        graphs.iter().map(|g| Ok((g.playbook.clone(), draw(g, args.format)?))).collect::<Result<_, Error>>()?;
    match &args.output {
        Some(folder) => write_files(folder, &drawn, args.format),
        None if args.format == GraphFormat::Svg && drawn.len() > 1 => Err(Error::Usage(format!(
            "the project has {} playbooks and an SVG document holds one: name one with `--playbook`, or write \
             each to a folder with `--output FOLDER`",
            drawn.len()
        ))),
        None => {
            let text: Vec<&str> = drawn.iter().map(|(_, t)| t.as_str()).collect();
            to_stdout(|out| out.write_all(text.join("\n").as_bytes()))?;
            Ok(Exit::Success)
        }
    }
}

fn draw(g: &Graph, format: GraphFormat) -> Result<String, Error> {
    match format {
        GraphFormat::Svg => to_svg(g).map_err(Error::Usage),
        GraphFormat::Mermaid => Ok(g.to_mermaid()),
        GraphFormat::Dot => Ok(g.to_dot()),
    }
}

fn write_files(folder: &std::path::Path, drawn: &[(String, String)], format: GraphFormat) -> Result<Exit, Error> {
    std::fs::create_dir_all(folder).map_err(|source| Error::Write { path: folder.to_path_buf(), source })?;
    let ext = match format {
        GraphFormat::Svg => "svg",
        GraphFormat::Mermaid => "mmd",
        GraphFormat::Dot => "dot",
    };
    for (name, text) in drawn {
        let path = folder.join(format!("{name}.{ext}"));
        std::fs::write(&path, text).map_err(|source| Error::Write { path: path.clone(), source })?;
    }
    Ok(Exit::Success)
}
