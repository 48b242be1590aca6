//! Type-checking speed on generated projects of 100, 1,000 and 10,000 playbooks (about
//! 50 lines each), against parsing alone as the baseline: checking should cost a small
//! multiple of parsing and grow linearly with the project.

use criterion::{black_box, criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};

/// Shared items every playbook uses.
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

/// A project of `n` playbooks spread over files of 100 playbooks each.
fn project(n: usize) -> Vec<(String, String)> {
    let mut files = vec![("shared.play".to_string(), SHARED.to_string())];
    for chunk in 0..n.div_ceil(100) {
        let text: String = (chunk * 100..(chunk * 100 + 100).min(n)).map(playbook).collect();
        files.push((format!("playbooks_{chunk}.play"), text));
    }
    files
}

fn bench(c: &mut Criterion) {
    let mut group = c.benchmark_group("check");
    group.sample_size(10);
    for n in [100, 1_000, 10_000] {
        let files = project(n);
        let sources: Vec<(&str, &str)> = files.iter().map(|(a, b)| (a.as_str(), b.as_str())).collect();
        let lines: usize = files.iter().map(|(_, t)| t.lines().count()).sum();
        let diagnostics: usize = play_compiler::check::check_sources(&sources).iter().map(Vec::len).sum();
        assert_eq!(diagnostics, 0, "the generated project must check clean");
        group.throughput(Throughput::Elements(lines as u64));
        group.bench_with_input(BenchmarkId::new("baseline_parse_only", n), &sources, |b, s| {
            b.iter(|| s.iter().map(|(_, src)| play_compiler::parse(black_box(src)).diagnostics.len()).sum::<usize>())
        });
        group.bench_with_input(BenchmarkId::new("parse_and_check", n), &sources, |b, s| {
            b.iter(|| play_compiler::check::check_sources(black_box(s)))
        });
    }
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
