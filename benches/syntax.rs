//! Parse and format speed on a generated project, against a floor: one pass over the
//! bytes that only counts lines (no parser can be faster than reading its input).
//! Sizes of 1,000, 10,000 and 100,000 lines show whether growth stays linear.

use criterion::{black_box, criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};

/// One playbook of 40 lines exercising most of the syntax, renamed per copy.
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
  when account.stage == Renewal
  when account.tier == Enterprise and account.arr > 200_000
  exit when account.stage == Churned // a goal reached

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

  wait for Login where trigger.event.feature in ["reports", "billing"] timeout 5d

  step nudge when timed_out {{
    enroll account.champion ?? skip in flow "Re-engage {i}"
  }}
}}

"##
    )
}

/// A project source of at least `lines` lines.
fn project(lines: usize) -> String {
    let mut out = String::new();
    let mut i = 0;
    while out.lines().count() < lines {
        out.push_str(&playbook(i));
        i += 1;
    }
    out
}

fn bench(c: &mut Criterion) {
    let mut group = c.benchmark_group("syntax");
    group.sample_size(10);
    for lines in [1_000, 10_000, 100_000] {
        let source = project(lines);
        group.throughput(Throughput::Bytes(source.len() as u64));
        group.bench_with_input(BenchmarkId::new("baseline_count_lines", lines), &source, |b, s| {
            b.iter(|| black_box(s).bytes().filter(|&c| c == b'\n').count())
        });
        group.bench_with_input(BenchmarkId::new("parse", lines), &source, |b, s| {
            b.iter(|| play_compiler::parse(black_box(s)))
        });
        let parsed = play_compiler::parse(&source);
        assert!(parsed.diagnostics.is_empty(), "generated project must be valid");
        group.bench_with_input(BenchmarkId::new("format", lines), &source, |b, s| {
            b.iter(|| play_compiler::format::format_file(&parsed.file, black_box(s)))
        });
        group.bench_with_input(BenchmarkId::new("parse_and_format", lines), &source, |b, s| {
            b.iter(|| play_compiler::format::format_source(black_box(s)))
        });
    }
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
