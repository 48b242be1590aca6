//! The language server as the client sees it, on a project whose edited file has 5,000
//! lines: diagnostics after a one-character change (from `didChange` to the
//! `publishDiagnostics` of that version) and completion at a cursor (request to answer),
//! against `Analysis::new` of the same project as the baseline. Goals: under 50 ms and
//! under 5 ms.
//!
//! The server's pause after an edit (150 ms by default, so that typing is analysed once)
//! is set to zero here: the pause is a policy, not work, and would only add itself.

use std::time::{Duration, Instant};

use criterion::{black_box, criterion_group, criterion_main, Criterion};
use play_compiler::analysis::Analysis;
use play_lsp::Config;
use serde_json::json;
use tower_lsp::lsp_types::Position;

#[path = "../tests/server/harness.rs"]
#[expect(dead_code, reason = "the benchmark uses part of the test client")]
mod harness;

use harness::Client;

#[path = "../../benches/support/mod.rs"]
mod support;

use support::{playbook, SHARED};

/// The big file: 120 playbooks of 42 lines, with a cursor after `account.` in the middle.
fn big_file() -> String {
    let mut text: String = (0..120).map(playbook).collect();
    let middle = text.find("playbook renewal_risk_60 ").unwrap_or(0);
    let at = middle + text[middle..].find("when account.tier").unwrap_or(0) + "when account.".len();
    text.insert_str(at, "$0");
    text
}

fn bench(c: &mut Criterion) {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap_or_else(|e| panic!("no runtime: {e}"));
    let big = big_file();
    let fixture = format!("//- shared.play\n{SHARED}//- renewals.play\n{big}");
    let config = Config { debounce: Duration::ZERO };
    let (mut client, name, cursor) = runtime.block_on(Client::with_fixture_config(&fixture, config));
    let text = client.texts[&name].clone();
    assert!(text.lines().count() >= 5_000, "the edited file has {} lines", text.lines().count());

    let sources: Vec<(String, String)> = client.texts.iter().map(|(n, t)| (n.clone(), t.clone())).collect();
    let opened = runtime.block_on(client.diagnostics(&name, Some(1)));
    assert!(opened.diagnostics.is_empty(), "the generated project must check clean: {:#?}", opened.diagnostics);

    let mut group = c.benchmark_group("lsp_5000_lines");
    group.sample_size(20);
    group.bench_function("baseline_analysis_new", |b| b.iter(|| Analysis::new(black_box(sources.clone()))));

    // One character changed in the middle of the file, then changed back, by turns.
    let one = text.replace("priority account.arr / 10_000 + 60\n", "priority account.arr / 10_000 + 61\n");
    assert_ne!(one, text);
    let mut flip = false;
    group.bench_function("diagnostics_after_one_character_change", |b| {
        b.iter_custom(|iterations| {
            let mut total = Duration::ZERO;
            for _ in 0..iterations {
                flip = !flip;
                let new = if flip { &one } else { &text };
                let start = Instant::now();
                runtime.block_on(async {
                    let version = client.change(&name, new).await;
                    client.diagnostics(&name, Some(version)).await
                });
                total += start.elapsed();
            }
            total
        })
    });

    let at = client.at(&name, cursor);
    group.bench_function("completion_after_dot", |b| {
        b.iter(|| runtime.block_on(client.request_value("textDocument/completion", at.clone())))
    });

    let hover_at = client.at(&name, Position { line: cursor.line, character: cursor.character + 1 });
    group.bench_function("hover_on_a_field", |b| {
        b.iter(|| runtime.block_on(client.request_value("textDocument/hover", hover_at.clone())))
    });
    let doc = json!({ "textDocument": { "uri": client.url(&name) } });
    group.bench_function("document_symbols", |b| {
        b.iter(|| runtime.block_on(client.request_value("textDocument/documentSymbol", doc.clone())))
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
