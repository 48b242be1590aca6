//! Parses a file and prints its diagnostics and tree: a debugging aid for grammar work.
fn main() {
    let Some(path) = std::env::args().nth(1) else { return eprintln!("usage: parse_dump FILE") };
    let Ok(src) = std::fs::read_to_string(&path) else { return eprintln!("cannot read {path}") };
    let parse = play_compiler::parse(&src);
    for d in &parse.diagnostics {
        print!(
            "{}",
            play_compiler::diagnostic::render::render(d, &path, &src, play_compiler::diagnostic::render::Style::Plain)
        );
    }
    if std::env::args().any(|a| a == "--tree") {
        println!("{:#?}", parse.file);
    }
    println!(
        "{} items, {} errors, {} comments",
        parse.file.items.len(),
        parse.diagnostics.len(),
        parse.file.comments.len()
    );
}
