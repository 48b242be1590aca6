#[test]
fn explore() {
    let src = "playbook p {\n  for a: Account // c1\n  step s \"T\" { // c2\n    task \"x\" to a.owner  // c3\n    update a { x: 1, // c4\n y: 2 }  /* c5 */\n  }\n  wait 3d  // c6\n\n  when a.b == 1 // c7\n}\n";
    let p = play_compiler::parse(src);
    println!("{:#?}", p.diagnostics);
    let show = |s: play_compiler::syntax::Span| format!("{:?}", &src[s.range()]);
    for item in &p.file.items {
        if let play_compiler::syntax::ast::Item::Playbook(pb) = item {
            println!("pb {}", show(pb.span));
            for c in &pb.clauses {
                println!("clause {}", show(c.span));
                if let play_compiler::syntax::ast::ClauseKind::Step(s) = &c.kind {
                    for a in &s.actions { println!("  action {}", show(a.span)); 
                      if let play_compiler::syntax::ast::ActionKind::Update{fields,..} = &a.kind { for f in fields { println!("    fv {}", show(f.span)); } } }
                }
            }
        }
    }
    for c in &p.file.comments { println!("comment {:?} {}", c.text, show(c.span)); }
}
