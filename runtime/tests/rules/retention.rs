//! History is kept only as far back as the program reads it: fields no `change(…)` reads
//! keep none, events are kept for the windows they are read over, and the answers are
//! those of a store that keeps everything.

use play_runtime::retention::Retention;
use play_runtime::store::Store;
use play_runtime::vm::Data;
use serde_json::json;

use crate::harness::{account, World};

const SRC: &str = r##"playbook quiet_week {
  for account: Account
  on account.health falls
  when not did(TicketOpened, within: 3d)
  step usage when change(account.weekly_active_users, over: 14d) < -0.2 {
    notify slack "#cs" "usage fell for {account.name}"
  }
}

playbook counted {
  for account: Account
  on account.arr rises
  when count(TicketOpened) > 20
  step tell {
    notify slack "#cs" "many tickets"
  }
}
"##;

fn world(keep_all: bool) -> World {
    let mut w = World::new(SRC);
    if keep_all {
        w.engine.store.set_retention(Retention::default());
    }
    w.given("Account/acme", account(json!({})));
    w
}

#[test]
fn the_program_says_how_far_back_each_field_and_event_is_read() {
    let w = World::new(SRC);
    let program = w.engine.program();
    let retention = Retention::of(program, &w.engine.workspace);
    let account = program.schema.records.iter().position(|r| r.name == "Account").unwrap() as u32;
    let slot = |name: &str| program.schema.records[account as usize].slot(name).unwrap() as u32;
    let event = |name: &str| program.schema.events.iter().position(|e| e.name == name).unwrap() as u32;
    let usage = retention.field(account, slot("weekly_active_users"));
    assert_eq!((usage.all, usage.windows.len(), usage.latest), (false, 1, false));
    assert_eq!(usage.windows[0].seconds, 14 * 86_400);
    assert!(!retention.field(account, slot("health")).is_read());
    // `count` without a window reads every one; `did … within: 3d` is a window of its own.
    let tickets = retention.event(event("TicketOpened"));
    assert!(tickets.all);
    assert!(!retention.event(event("Login")).is_read());
}

#[test]
fn a_trimmed_history_answers_as_the_whole_one_does() {
    let (mut trimmed, mut whole) = (world(false), world(true));
    for day in 0..120 {
        for w in [&mut trimmed, &mut whole] {
            w.after("1d");
            if day % 5 == 0 {
                w.event("TicketOpened", "acme", json!({"severity": "Low", "subject": "Hi"}));
            }
            // Changed now and then, so that a window often starts between two changes.
            if day % 9 == 0 {
                w.upsert("Account/acme", json!({"weekly_active_users": 40 + (day * 7) % 23}));
            }
            w.upsert("Account/acme", json!({"health": 70 - day % 3, "arr": 250_000 + day}));
        }
    }
    let actions = trimmed.actions();
    assert!(actions.iter().any(|a| a.contains("usage fell")), "{actions:?}");
    assert!(actions.iter().any(|a| a.contains("many tickets")), "{actions:?}");
    assert_eq!(actions, whole.actions());
    assert_eq!(trimmed.history(), whole.history());
}

#[test]
fn events_no_code_reads_are_not_kept_and_windows_bound_the_rest() {
    let src = r##"playbook no_logins {
  for account: Account
  on account.health falls
  when not did(TicketOpened, within: 3d)
  step tell {
    notify slack "#cs" "quiet"
  }
}
"##;
    let mut w = World::new(src);
    w.given("Account/acme", account(json!({})));
    for _ in 0..200 {
        w.after("1d");
        w.event("TicketOpened", "acme", json!({"severity": "Low", "subject": "Hi"}));
    }
    let program = w.engine.program();
    let event = |name: &str| program.schema.events.iter().position(|e| e.name == name).unwrap() as u32;
    let account = program.schema.records.iter().position(|r| r.name == "Account").unwrap() as u32;
    let kept = w.engine.store.events(account, "acme", event("TicketOpened")).len();
    // Three days of one a day, and at most as many again before the next trim.
    assert!((3..=8).contains(&kept), "{kept} kept");
}
