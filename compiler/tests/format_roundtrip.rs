//! Property tests of the formatter: random files built from every construct, with random
//! whitespace, comments and blank lines between tokens, must format to a fixed point that
//! parses to the same tree with the same comments (see `format_support::check`).
//!
//! The generators write source text with `~` wherever whitespace may go; each `~` is then
//! replaced by a random gap (spaces, line breaks, comments). Inside an interpolation a
//! `~` becomes one space, because a line break there would end the text.

mod format_support;

use proptest::prelude::*;

/// What may stand between two tokens. Spaces come up most, as in real files.
const GAPS: &[&str] = &[
    " ",
    " ",
    " ",
    " ",
    " ",
    " ",
    " ",
    " ",
    "  ",
    "\t",
    "\n  ",
    "\n    ",
    "\n\n  ",
    "\n\n\n      ",
    " /* c */ ",
    "/*c*/",
    "\n  // own line\n  ",
    " // trailing   \n    ",
    "\n\n  /* two\n  lines */\n  ",
    " /* a */ /* b */ ",
    "\n  // one\n\n  // two\n  ",
];

/// What may stand between two items.
const ITEM_GAPS: &[&str] =
    &["\n", "\n\n", "\n\n\n\n", "\n// between\n", "  // trailing\n\n", "\n/* block */\n", "\n\n// a\n\n// b\n\n"];

fn fill(template: &str, gaps: &[usize]) -> String {
    let mut out = String::new();
    let mut next = gaps.iter().cycle();
    for c in template.chars() {
        match c {
            '~' => out.push_str(GAPS[next.next().copied().unwrap_or(0) % GAPS.len()]),
            c => out.push(c),
        }
    }
    out
}

fn tight(s: &str) -> String {
    s.replace('~', " ")
}

fn word() -> BoxedStrategy<String> {
    prop::sample::select(vec!["Hi", " ", "there", "é", "#", "ok.", "a  b", "x\ty", "'", "}"])
        .prop_map(String::from)
        .boxed()
}

fn escape() -> BoxedStrategy<String> {
    prop::sample::select(vec!["\\n", "\\\"", "\\\\", "{{", "\\t", "\\r", "\\u{1b}", "\\u{20}", "\\{", "\\}", "\\u{e9}"])
        .prop_map(String::from)
        .boxed()
}

fn leaf() -> BoxedStrategy<String> {
    let simple = prop::sample::select(vec![
        "a.x",
        "a.owner",
        "a.champion",
        "Enterprise",
        "timed_out",
        "trigger.event.severity",
        "42",
        "200_000",
        "0.25",
        "40%",
        "3d",
        "2bd",
        "30m",
        "2026-03-12",
        "2026-03-12T09:00:00Z",
        "true",
        "false",
        "09:30",
    ])
    .prop_map(String::from);
    prop_oneof![4 => simple, 1 => short_text(leaf_text())].boxed()
}

fn leaf_text() -> BoxedStrategy<String> {
    prop::collection::vec(prop_oneof![word(), escape()], 0..4).prop_map(|p| format!("\"{}\"", p.concat())).boxed()
}

/// `"…"` with words, escapes and interpolations of `interp` expressions.
fn short_text(interp: BoxedStrategy<String>) -> BoxedStrategy<String> {
    let interp = interp.prop_map(|e| format!("{{{}}}", tight(&e)));
    prop::collection::vec(prop_oneof![3 => word(), 2 => escape(), 1 => interp], 0..6)
        .prop_map(|parts| format!("\"{}\"", parts.concat()))
        .boxed()
}

/// `"""…"""` with indented lines, blank lines, edge spaces, quotes and interpolations.
fn long_text() -> BoxedStrategy<String> {
    let piece = prop_oneof![
        4 => word(),
        2 => escape(),
        1 => Just("\"".to_string()),
        1 => Just("\"\"".to_string()),
        1 => Just("{a.x}".to_string()),
        1 => Just("{a.x ?? \"y\"}".to_string()),
    ];
    let line = (
        prop::sample::select(vec!["", "  ", "    ", "      ", "\t"]),
        prop::collection::vec(piece, 0..4),
        any::<bool>(),
    )
        .prop_map(|(indent, parts, trailing)| {
            format!("{indent}{}{}", parts.concat(), if trailing { "  " } else { "" })
        });
    (any::<bool>(), prop::collection::vec(line, 0..5), any::<bool>())
        .prop_map(|(open_inline, lines, close_inline)| {
            let mut s = String::from("\"\"\"");
            if open_inline {
                s.push_str("first");
            }
            for line in lines {
                s.push('\n');
                s.push_str(&line);
            }
            if !close_inline {
                s.push_str("\n    ");
            }
            s.push_str("\"\"\"");
            s
        })
        .boxed()
}

fn expr() -> BoxedStrategy<String> {
    let atom = leaf().prop_recursive(3, 16, 3, |inner| {
        prop_oneof![
            inner.clone().prop_map(|e| format!("(~{e}~)")),
            inner.clone().prop_map(|e| format!("-{e}")),
            (inner.clone(), inner.clone()).prop_map(|(a, b)| format!("did(~{a},~within:~{b}~)")),
            prop::collection::vec(inner.clone(), 0..3).prop_map(|items| format!("[~{}~]", items.join(",~"))),
            short_text(inner.clone()),
            Just("today()".to_string()),
        ]
    });
    let ops = prop::sample::select(vec!["+", "-", "*", "/", "==", "!=", "<", "<=", ">", ">=", "and", "or", "??"]);
    prop_oneof![
        3 => atom.clone(),
        3 => (atom.clone(), ops, atom.clone()).prop_map(|(a, op, b)| format!("{a}~{op}~{b}")),
        1 => (atom.clone(), atom.clone()).prop_map(|(a, b)| format!("not~{a}~==~{b}")),
        1 => (atom.clone(), atom.clone(), any::<bool>())
            .prop_map(|(a, b, neg)| format!("{a}~{}~[~{b}~]", if neg { "not in" } else { "in" })),
    ]
    .boxed()
}

fn field_values() -> BoxedStrategy<String> {
    prop::collection::vec((expr(), any::<bool>()), 0..4)
        .prop_map(|fields| {
            let fields: Vec<String> = fields
                .iter()
                .enumerate()
                .map(|(i, (value, comma))| format!("~f{i}:~{value}{}", if *comma { "," } else { "" }))
                .collect();
            format!("{{{}~}}", fields.concat())
        })
        .boxed()
}

fn target() -> BoxedStrategy<String> {
    prop_oneof![expr(), Just("a.champion~??~skip".to_string())].boxed()
}

fn action() -> BoxedStrategy<String> {
    prop_oneof![
        (short_text(leaf()), prop::option::of(target()), any::<bool>(), prop::option::of(short_text(leaf()))).prop_map(
            |(title, to, due, note)| {
                let mut s = format!("task~{title}");
                if let Some(note) = note {
                    s.push_str(&format!("~note~{note}"));
                }
                if due {
                    s.push_str("~due~2d");
                }
                if let Some(to) = to {
                    s.push_str(&format!("~to~{to}"));
                }
                s
            }
        ),
        target().prop_map(|t| format!("email_task~to~{t}~template~t")),
        target().prop_map(|t| format!("email~to~{t}~template~t")),
        target().prop_map(|t| format!("assign~a.owner~to~{t}")),
        short_text(leaf()).prop_map(|m| format!("notify~slack~\"#cs\"~{m}")),
        long_text().prop_map(|m| format!("notify~email~a.owner~{m}")),
        Just("enroll~a.champion~in~flow~\"F\"".to_string()),
        Just("brief~a~to~a.owner".to_string()),
        field_values().prop_map(|f| format!("update~a.champion~{f}")),
        field_values().prop_map(|f| format!("webhook~\"https://x.io\"~{f}")),
    ]
    .boxed()
}

fn trigger() -> BoxedStrategy<String> {
    prop::sample::select(vec![
        "event~Login",
        "enters~enterprise",
        "leaves~enterprise",
        "created",
        "updated",
        "updated~a.x,~a.y",
        "deleted",
        "date~a.d~-~90d~at~09:00",
        "date~a.d",
        "every~monday~at~08:00",
        "a.stage~becomes~Renewal",
        "a.h~rises",
        "a.h~falls",
    ])
    .prop_map(String::from)
    .boxed()
}

fn clause() -> BoxedStrategy<String> {
    prop_oneof![
        Just("for~a:~Account".to_string()),
        Just("visibility~public".to_string()),
        Just("category~risk".to_string()),
        Just("reentry~after~30d".to_string()),
        Just("inflight~cancel".to_string()),
        expr().prop_map(|e| format!("priority~{e}")),
        prop::collection::vec(trigger(), 1..3).prop_map(|t| format!("on~{}", t.join("~or~"))),
        expr().prop_map(|e| format!("when~{e}")),
        expr().prop_map(|e| format!("exit~when~{e}")),
        Just("wait~3d".to_string()),
        expr().prop_map(|e| format!("wait~until~{e}")),
        prop::option::of(expr()).prop_map(|w| match w {
            Some(w) => format!("wait~for~Login~where~{w}~timeout~5d"),
            None => "wait~for~Login~timeout~5d".to_string(),
        }),
        (any::<bool>(), prop::option::of(expr()), prop::collection::vec(action(), 0..4)).prop_map(
            |(title, filter, actions)| {
                let title = if title { "~\"Title\"" } else { "" };
                let filter = filter.map(|f| format!("~when~{f}")).unwrap_or_default();
                format!("step~s{title}{filter}~{{{}~}}", actions.iter().map(|a| format!("~{a}")).collect::<String>())
            }
        ),
        prop::collection::vec(activity(), 0..3)
            .prop_map(|a| format!("stage~st~\"T\"~{{{}~}}", a.iter().map(|a| format!("~{a}")).collect::<String>())),
    ]
    .boxed()
}

fn activity() -> BoxedStrategy<String> {
    (any::<bool>(), prop::option::of(field_values()), prop::option::of(short_text(leaf())))
        .prop_map(|(optional, creates, note)| {
            let mut s = format!("{}activity~x~\"X\"~to~a.owner", if optional { "optional~" } else { "" });
            if let Some(fields) = creates {
                s.push_str(&format!("~creates~Task~{fields}"));
            }
            if let Some(note) = note {
                s.push_str(&format!("~note~{note}"));
            }
            s
        })
        .boxed()
}

fn test_stmt() -> BoxedStrategy<String> {
    prop_oneof![
        field_values().prop_map(|f| format!("given~Account~acme~{f}")),
        field_values().prop_map(|f| format!("create~Contact~c~{f}")),
        field_values().prop_map(|f| format!("update~acme~{f}")),
        Just("delete~acme".to_string()),
        prop::option::of(field_values()).prop_map(|f| match f {
            Some(f) => format!("event~Login~on~c~{f}"),
            None => "event~Login~on~c".to_string(),
        }),
        Just("at~2026-03-02T09:00:00Z".to_string()),
        Just("after~3d".to_string()),
        (any::<bool>(), prop::option::of(leaf())).prop_map(|(no, to)| {
            let to = to.map(|t| format!("~to~{t}")).unwrap_or_default();
            format!("expect~{}notify~slack{to}~titled~\"t\"", if no { "no~" } else { "" })
        }),
    ]
    .boxed()
}

fn doc() -> BoxedStrategy<String> {
    prop::sample::select(vec!["", "/// Doc.\n", "/// Doc.   \n///\n///   indented\n"]).prop_map(String::from).boxed()
}

fn item() -> BoxedStrategy<String> {
    let members = |m: BoxedStrategy<String>| prop::collection::vec(m, 0..4).prop_map(|m| m.concat());
    let variant = (doc(), any::<bool>())
        .prop_map(|(d, comma)| format!("~{}V{}", d.replace('\n', "\n  "), if comma { "," } else { "" }));
    let field = (doc(), prop::sample::select(vec!["Text", "Text?", "List<~Text~>", "Map<Text,~Number>?"]))
        .prop_map(|(d, ty)| format!("~{}f:~{ty}", d.replace('\n', "\n  ")));
    prop_oneof![
        members(variant.boxed()).prop_map(|v| format!("enum~E~{{{v}~}}")),
        members(field.clone().boxed()).prop_map(|f| format!("record~R~{{{f}~}}")),
        members(field.boxed()).prop_map(|f| format!("event~Ev~on~Contact~{{{f}~}}")),
        Just("event~Ev~on~Contact".to_string()),
        expr().prop_map(|e| format!("public~signal~s~for~a:~Account~=~{e}")),
        expr().prop_map(|e| format!("segment~s~for~a:~Account~=~{e}")),
        (short_text(leaf()), long_text())
            .prop_map(|(s, b)| format!("template~t~for~c:~Contact~{{~subject~{s}~body~{b}~}}")),
        Just("limit~l:~2~email~per~contact~per~7d~then~drop".to_string()),
        (any::<bool>(), prop::collection::vec(clause(), 0..5)).prop_map(|(title, clauses)| {
            let title = if title { "~\"P\"" } else { "" };
            format!("playbook~p{title}~{{{}~}}", clauses.iter().map(|c| format!("~{c}")).collect::<String>())
        }),
        prop::collection::vec(test_stmt(), 0..5)
            .prop_map(|s| format!("test~\"t\"~{{{}~}}", s.iter().map(|s| format!("~{s}")).collect::<String>())),
    ]
    .boxed()
}

fn file() -> BoxedStrategy<String> {
    let one = (doc(), item(), prop::collection::vec(0..GAPS.len(), 8..40), prop::sample::select(ITEM_GAPS))
        .prop_map(|(doc, item, gaps, after)| format!("{doc}{}{after}", fill(&item, &gaps)));
    (prop::sample::select(vec!["", "// header\n\n"]), prop::collection::vec(one, 0..4))
        .prop_map(|(head, items)| format!("{head}{}", items.concat()))
        .boxed()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    #[test]
    fn formatting_keeps_meaning_and_comments_and_is_idempotent(source in file()) {
        let parse = play_compiler::parse(&source);
        prop_assume!(!parse.has_errors());
        format_support::check(&source);
    }
}

/// The generators make files that parse: a sample of them must, or the property above
/// tests little.
#[test]
fn generated_files_mostly_parse() {
    use proptest::strategy::ValueTree;
    use proptest::test_runner::TestRunner;
    let mut runner = TestRunner::deterministic();
    let strategy = file();
    let mut clean = 0;
    let mut failures = Vec::new();
    for _ in 0..200 {
        let Ok(tree) = strategy.new_tree(&mut runner) else { continue };
        let source = tree.current();
        let parse = play_compiler::parse(&source);
        if parse.has_errors() {
            failures.push((source, parse.diagnostics[0].message.clone()));
        } else {
            clean += 1;
        }
    }
    assert!(
        clean >= 180,
        "only {clean} of 200 generated files parse; first failures: {:#?}",
        &failures[..failures.len().min(3)]
    );
}
