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

const SHARED: &str = r##"public segment enterprise for account: Account =
  account.tier == Enterprise and account.arr >= 100_000

public signal usage_drop for account: Account =
  change(account.weekly_active_users, over: 14d) <= -40%

public template renewal_followup for contact: Contact {
  subject "Your renewal with {contact.account.name}"
  body """
    Hi {contact.first_name ?? "there"},
    Your renewal is on {contact.account.renewal_date ?? today() + 30d}.
    """
}
"##;

/// A playbook of 42 lines, with every kind of clause and action the checker looks at.
fn playbook(i: usize) -> String {
    format!(
        r##"/// Renewal risk, copy {i}.
playbook renewal_risk_{i} "Renewal at risk {i}" {{
  for account: Account
  visibility public
  category risk
  priority account.arr / 10_000 + {i}
  reentry after 30d
  inflight keep

  on account.health falls or account.stage becomes Renewal
  when account.stage == Renewal and enterprise
  when account.tier == Enterprise and account.arr > 200_000
  when usage_drop or count(TicketOpened, within: 7d) >= 5
  exit when account.stage == Churned

  step review "Review the account" {{
    task "Review renewal risk for {{account.name}}" to account.owner due 2d
    notify slack "#cs-alerts" "Health at {{account.name}} fell to {{account.health}}"
  }}

  wait 3d

  step follow_up when not did(Login, within: 3d) {{
    email_task to account.champion ?? skip template renewal_followup
  }}

  wait until (account.renewal_date ?? today() + 60d) - 30d

  step escalate {{
    assign account.owner to manager_of(account.owner)
    notify email "cs-leads@example.com" "Renewal risk escalated: {{account.name}}"
    update account {{ health: account.health - 5, tags: ["escalated", "risk"] }}
  }}

  wait for Login where (event.feature ?? "") in ["reports", "billing"] timeout 5d

  step nudge when timed_out {{
    enroll account.champion ?? skip in flow "Re-engage {i}"
    brief account to account.owner
  }}
}}

"##
    )
}

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
