//! The customer-success example, built, for the tests that measure the engine on it.

use play_runtime::config::Workspace;

/// The example's program and workspace settings.
pub fn example() -> (play_compiler::program::Program, Workspace) {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../examples/customer-success");
    let mut sources = Vec::new();
    for entry in std::fs::read_dir(dir).expect("the example is there") {
        let path = entry.expect("a readable folder").path();
        if path.extension().is_some_and(|e| e == "play") {
            let text = std::fs::read_to_string(&path).expect("a readable file");
            sources.push((path.file_name().unwrap().to_string_lossy().into_owned(), text));
        }
    }
    sources.sort();
    let pairs: Vec<(&str, &str)> = sources.iter().map(|(n, t)| (n.as_str(), t.as_str())).collect();
    let program = play_compiler::lower::build(&pairs).unwrap_or_else(|_| panic!("the example builds"));
    let toml = std::fs::read_to_string(format!("{dir}/play.toml")).unwrap_or_default();
    let workspace = Workspace::from_toml(&toml).unwrap_or_default();
    (program, workspace)
}
