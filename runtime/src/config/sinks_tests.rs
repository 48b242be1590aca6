//! The sinks' settings read from `play.toml`, and each problem with its code, place and fix.

use crate::config::Workspace;
use play_compiler::diagnostic::codes;

const GOOD: &str = r#"
[sinks.smtp]
host = "smtp.example.com"
username = "play@example.com"
password_env = "PLAY_SMTP_PASSWORD"
from = "Customer Success <cs@example.com>"
unsubscribe = "https://example.com/unsubscribe"

[sinks.slack]
webhook_env = "PLAY_SLACK_WEBHOOK"

[sinks.webhook]
url = "https://hooks.example.com/play"
secret_env = "PLAY_WEBHOOK_SECRET"

[crm.salesforce]
instance_url = "https://acme.my.salesforce.com"
token_env = "SF_TOKEN"

[crm.hubspot]
token_env = "HUBSPOT_TOKEN"
"#;

#[test]
fn every_sink_is_read_with_its_defaults() {
    let w = Workspace::from_toml(GOOD).expect("valid settings");
    let smtp = w.sinks.smtp.expect("smtp");
    assert_eq!((smtp.host.as_str(), smtp.port, smtp.security.as_str()), ("smtp.example.com", 587, "starttls"));
    assert_eq!(smtp.password_env.as_deref(), Some("PLAY_SMTP_PASSWORD"));
    assert_eq!(w.sinks.slack.expect("slack").webhook_env, "PLAY_SLACK_WEBHOOK");
    assert_eq!(w.sinks.webhook.expect("webhook").secret_env, "PLAY_WEBHOOK_SECRET");
    let salesforce = w.sinks.salesforce.expect("salesforce");
    assert_eq!(salesforce.api_version, "61.0");
    assert_eq!(salesforce.task_external_id, "Play_Action_Id__c", "activities are upserted by default");
    assert_eq!(w.sinks.hubspot.expect("hubspot").url, "https://api.hubapi.com");
}

fn rendered(text: &str) -> Vec<String> {
    let (_, problems) = Workspace::check_toml(text);
    problems
        .iter()
        .map(|p| {
            let d = p.to_diagnostic();
            let fix = d.fix.map(|f| format!(" [fix: `{}` -> `{}`]", &text[f.span.range()], f.replacement));
            format!("{} {}{}", p.problem.code(), p, fix.unwrap_or_default())
        })
        .collect()
}

#[test]
fn a_secret_in_the_file_is_refused_with_the_variable_to_use_instead() {
    let text = "[sinks.smtp]\nhost = \"smtp.example.com\"\nfrom = \"cs@example.com\"\npassword = \"hunter2\"\n";
    insta::assert_snapshot!(rendered(text).join("\n"), @"play::E0609 `password` would put a secret in `play.toml` (line 4, column 1): keep secrets out of `play.toml`: write `password_env = \"PLAY_SMTP_PASSWORD\"` and set that environment variable where the daemon runs [fix: `password = \"hunter2\"` -> `password_env = \"PLAY_SMTP_PASSWORD\"`]");
}

#[test]
fn every_problem_of_the_sinks_is_reported_with_its_code() {
    let text = "[sinks.smtp]\nhost = \"smtp.example.com\"\nsecurity = \"ssl\"\nport = 70000\n\n[sinks.slak]\nx = 1\n\n[sinks.webhook]\nurl = \"ftp://x\"\nsecret_env = \"my secret\"\n\n[crm.hubspot]\ntoken_env = \"HS\"\ntokn_env = \"HS\"\n";
    insta::assert_snapshot!(rendered(text).join("\n"), @r#"
        play::E0608 `[sinks.smtp]` needs `from` (line 1, column 8): add `from = …` to the section
        play::E0611 `security` cannot be `ssl` (line 3, column 12): write `starttls`, `tls` or `none`
        play::E0611 `port` cannot be `70000` (line 4, column 8): write a port number from 1 to 65535
        play::E0602 unknown section `[sinks.slak]` (line 6, column 8): did you mean `[sinks.slack]`? [fix: `slak` -> `slack`]
        play::E0611 `url` cannot be `ftp://x` (line 10, column 7): write an `https://` address
        play::E0610 `secret_env` names the environment variable holding a secret, and `my secret` is not one (line 11, column 14): environment variable names are capital letters, digits and `_`, like `PLAY_SMTP_PASSWORD` [fix: `"my secret"` -> `"MY_SECRET"`]
        play::E0602 unknown setting `tokn_env` in `[crm.hubspot]` (line 15, column 1): did you mean `token_env`? [fix: `tokn_env` -> `token_env`]
        "#);
    assert_eq!(Workspace::check_toml(text).1[0].problem.code(), codes::MISSING_SETTING);
}

#[test]
fn pulling_defaults_to_every_12_hours_and_the_accounts() {
    let w = Workspace::from_toml(GOOD).expect("valid settings");
    let sf = w.sinks.salesforce.expect("salesforce").pull;
    assert_eq!((sf.every, sf.objects.as_slice()), (12 * 3600, &["Account".to_string()][..]));
    assert!(sf.unsynced.is_empty());
    assert_eq!(w.sinks.hubspot.expect("hubspot").pull.objects, vec!["companies".to_string()]);
}

#[test]
fn pull_settings_are_read() {
    let text = "[crm.salesforce]\ninstance_url = \"https://acme.my.salesforce.com\"\ntoken_env = \"SF\"\npull_every = \"30m\"\nobjects = [\"Account\", \"Contact\"]\nunsynced = [\"Account.health_score\"]\n";
    let pull = Workspace::from_toml(text).expect("valid settings").sinks.salesforce.expect("salesforce").pull;
    assert_eq!(pull.every, 1800);
    assert_eq!(pull.objects, vec!["Account".to_string(), "Contact".to_string()]);
    assert!(pull.is_unsynced("Account", "health_score"));
    assert!(!pull.is_unsynced("Account", "health"));
    assert!(!pull.is_unsynced("Contact", "health_score"));
}

#[test]
fn the_task_external_id_is_a_field_name_or_empty() {
    let base = "[crm.salesforce]\ninstance_url = \"https://acme.my.salesforce.com\"\ntoken_env = \"SF\"\n";
    let read = |line: &str| {
        let w = Workspace::from_toml(&format!("{base}{line}\n")).expect("valid settings");
        w.sinks.salesforce.expect("salesforce").task_external_id
    };
    assert_eq!(read("task_external_id = \"Action_Key__c\""), "Action_Key__c");
    assert_eq!(read("task_external_id = \"\""), "", "empty: a plain POST");
    let problems = rendered(&format!("{base}task_external_id = \"Play Action\"\n"));
    assert_eq!(problems.len(), 1, "{problems:?}");
    assert!(problems[0].starts_with("play::E0611 `task_external_id` cannot be `Play Action`"), "{problems:?}");
}

#[test]
fn bad_pull_settings_are_reported_by_name() {
    let text = "[crm.hubspot]\ntoken_env = \"HS\"\npull_every = \"often\"\nobjects = [\"companies\", \"widgets\"]\nunsynced = [\"health_score\"]\n";
    insta::assert_snapshot!(rendered(text).join("\n"), @r#"
        play::E0611 `pull_every` cannot be `often` (line 3, column 14): write a time of a minute or more, like `12h`, `30m` or `1d`
        play::E0611 `objects` cannot be `widgets` (line 4, column 11): write a list of HubSpot objects: `companies`, `contacts`, `deals`, `tickets`
        play::E0611 `unsynced` cannot be `health_score` (line 5, column 12): write a list of `Record.field`, like `["Account.health_score"]`
        "#);
}

#[test]
fn the_brief_summariser_is_read_and_checked_like_the_other_sinks() {
    let good = "[sinks.brief]\nurl = \"https://api.openai.com/v1/\"\nmodel = \"gpt-4o-mini\"\napi_key_env = \"PLAY_BRIEF_API_KEY\"\n";
    let brief = Workspace::from_toml(good).expect("valid settings").sinks.brief.expect("brief");
    assert_eq!(brief.url, "https://api.openai.com/v1", "the root, without its trailing slash");
    assert_eq!((brief.model.as_str(), brief.api_key_env.as_deref()), ("gpt-4o-mini", Some("PLAY_BRIEF_API_KEY")));
    let bad = "[sinks.brief]\nurl = \"api.openai.com\"\napi_key = \"sk-123\"\n";
    insta::assert_snapshot!(rendered(bad).join("\n"), @r#"
        play::E0608 `[sinks.brief]` needs `model` (line 1, column 8): add `model = …` to the section
        play::E0611 `url` cannot be `api.openai.com` (line 2, column 7): write an `https://` address
        play::E0609 `api_key` would put a secret in `play.toml` (line 3, column 1): keep secrets out of `play.toml`: write `api_key_env = "PLAY_BRIEF_API_KEY"` and set that environment variable where the daemon runs [fix: `api_key = "sk-123"` -> `api_key_env = "PLAY_BRIEF_API_KEY"`]
        "#);
}
