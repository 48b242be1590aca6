//! `play sync` end to end: `play run` on the example project with `[crm.salesforce]` in
//! `play.toml`, pointed at a local fake of Salesforce's query API. The records are taken
//! once however often they are pulled; a record with a picklist value the project does
//! not have is refused, named on stderr and in the sync log, with exit status 1; a daemon
//! that cannot be reached is exit status 2.

use serde_json::{json, Value};

use crate::support::{example_copy, play, token, Daemon};

#[path = "../../delivery/tests/support/crm_fakes.rs"]
mod fakes;
#[path = "../../delivery/tests/support/mod.rs"]
mod support;

const FIELDS: &[&str] =
    &["Name", "Tier__c", "ARR__c", "Stage__c", "Health__c", "Weekly_Active_Users__c", "OwnerId", "Type"];

fn account(n: usize, kind: &str) -> Value {
    let mut account = fakes::sf_account(n, "Adoption");
    account["Type"] = json!(kind);
    account
}

#[test]
fn play_sync_pulls_through_the_daemon_and_takes_each_record_once() {
    let fake = fakes::Salesforce::start("Account", FIELDS, 2);
    for n in 1..=3 {
        fake.put(account(n, "Customer"));
    }
    let dir = example_copy("customer-success");
    let settings = format!(
        "[crm.salesforce]\ninstance_url = \"{}\"\ntoken_env = \"SF_TOKEN\"\npull_every = \"12h\"\n",
        fake.root()
    );
    std::fs::write(dir.path().join("play.toml"), settings).unwrap();
    let jo = token(dir.path(), "jo@example.com");
    let daemon = Daemon::start(dir.path(), &[], &[("SF_TOKEN", fakes::TOKEN)]);

    let (code, _, err) = play(dir.path(), &["sync", "--to", &daemon.url, "--token", &jo]);
    assert_eq!(code, 0, "{err}");
    assert!(err.contains("0 refused"), "{err}");
    // Whether the scheduled pull at start came first or not, the three are taken once.
    let (code, _, err) = play(dir.path(), &["sync", "--to", &daemon.url, "--token", &jo]);
    assert_eq!(code, 0, "{err}");
    assert!(err.contains("0 accepted"), "pulled again, nothing new: {err}");

    fake.put(account(4, "Reseller"));
    let (code, _, err) = play(dir.path(), &["sync", "--record", "Account/001A04", "--to", &daemon.url, "--token", &jo]);
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("Account/001A04: refused (field `type`)"), "{err}");
    assert!(err.contains("1 pulled: 0 accepted, 0 duplicates, 1 refused"), "{err}");
    let (status, log) = daemon.get("/v1/sync-log", Some(&jo));
    assert_eq!(status, 200, "{log}");
    assert!(log.to_string().contains("Account/001A04"), "the refusal is in the sync log: {log}");

    let (code, _, err) = play(dir.path(), &["sync", "--record", "acme", "--to", &daemon.url, "--token", &jo]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("Type/id"), "{err}");
    daemon.stop();

    let (code, _, err) =
        play(dir.path(), &["sync", "--to", &support::closed_port_url().replace("/hook", ""), "--token", &jo]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("cannot reach the daemon"), "{err}");
}
