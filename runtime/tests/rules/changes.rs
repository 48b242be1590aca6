//! Changes in, as the engine takes them: a refused change stores nothing, an update gives
//! only what changed, and `given` sets up a record without firing anything.

use serde_json::json;

use crate::harness::{account, World};

const CREATED: &str = r##"playbook welcome {
  for account: Account
  on created or updated
  step hello {
    notify slack "#cs" "Hello {account.name}"
  }
}
"##;

fn exists(w: &World, record: &str, id: &str) -> bool {
    let r = w.engine.program().schema.record_named(record).expect("a standard record") as u32;
    w.engine.store_record_exists(r, id)
}

#[test]
fn a_create_missing_a_required_field_is_refused_and_stores_nothing() {
    let mut w = World::new(CREATED);
    let refused = w.try_upsert("Account/acme", json!({"name": "Acme", "health": 50}));
    let rejection = refused.expect_err("a new Account needs its required fields");
    assert_eq!(rejection.field.as_deref(), Some("tier"));
    assert_eq!(
        rejection.message,
        "a new Account needs these fields: missing `tier`, `arr`, `stage`, `owner`, `weekly_active_users`"
    );
    assert!(!exists(&w, "Account", "acme"));
    assert_eq!((w.actions(), w.history()), (Vec::<String>::new(), Vec::<String>::new()));
    // Nothing was kept, so the whole record later is a creation.
    w.upsert("Account/acme", account(json!({})));
    assert_eq!(w.history()[0], "enrolled by `created`");
}

#[test]
fn an_update_s_context_names_only_the_fields_it_changed() {
    let mut w = World::new(CREATED);
    w.given("Account/acme", account(json!({})));
    w.upsert("Account/acme", json!({"name": "Acme Corp"}));
    assert_eq!(w.actions(), ["notify_slack Hello Acme Corp to #cs (hello)"]);
    assert_eq!(w.take_changed(), json!({"name": ["Acme", "Acme Corp"]}));
}

#[test]
fn given_sets_up_a_record_without_firing_triggers() {
    let mut w = World::new(CREATED);
    w.given("Account/acme", account(json!({})));
    assert!(exists(&w, "Account", "acme"));
    assert_eq!((w.actions(), w.history()), (Vec::<String>::new(), Vec::<String>::new()));
}
