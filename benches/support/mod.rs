//! The generated project every benchmark measures: shared segments, signals and
//! templates, and copies of one playbook that uses every kind of clause and action.
//! (Also compiled into `lsp/benches/lsp.rs` by path.)

/// Shared items every playbook uses.
pub const SHARED: &str = r##"public segment enterprise for account: Account =
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
pub fn playbook(i: usize) -> String {
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
