//! Who opted out of automatic email, read from the journal (not the engine): a
//! `Contact` or `Lead` upserted with `opted_out: true` is recorded by its record (and its
//! address, when the change carries one), and `false` clears it. A watermark keeps how
//! far the journal was read, so each change is read once.

use play_store::{Command, Store};
use serde_json::Value;

const MARK: &str = "opt_outs";

/// Reads the journal written since the last call.
pub fn catch_up(store: &mut dyn Store) -> play_store::Result<()> {
    let Some(outbox) = store.as_outbox() else { return Ok(()) };
    let mut after = outbox.mark(MARK)?;
    loop {
        let commands = store.read_journal(after, 2048)?;
        let Some(&(last, _)) = commands.last() else { return Ok(()) };
        let mut found = Vec::new();
        for (_, command) in &commands {
            if let Command::Change { line, .. } = command {
                found.extend(opt_outs(line));
            }
        }
        let outbox = store.as_outbox_mut().expect("checked above");
        for (who, out, at) in found {
            outbox.set_opt_out(&who, out.then_some("opted_out"), at)?;
        }
        outbox.set_mark(MARK, last)?;
        after = last;
    }
}

/// What a change line says about opting out: `(who, opted out, when)` for its record
/// and, when given, its address.
fn opt_outs(line: &str) -> Vec<(String, bool, i64)> {
    // Cheap test first: most lines say nothing about it.
    if !line.contains("opted_out") {
        return Vec::new();
    }
    let Ok(change) = serde_json::from_str::<Value>(line) else { return Vec::new() };
    let record = change["record"].as_str().unwrap_or_default();
    if change["change"].as_str() != Some("upsert") || !matches!(record, "Contact" | "Lead") {
        return Vec::new();
    }
    let (Some(id), Some(out)) = (change["id"].as_str(), change["fields"]["opted_out"].as_bool()) else {
        return Vec::new();
    };
    let at =
        change["at"].as_str().and_then(|t| chrono::DateTime::parse_from_rfc3339(t).ok()).map_or(0, |t| t.timestamp());
    let mut found = vec![(format!("{record}/{id}"), out, at)];
    if let Some(address) = change["fields"]["email"].as_str() {
        found.push((address.trim().to_lowercase(), out, at));
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_upsert_of_opted_out_names_the_record_and_its_address() {
        let line = r#"{"at":"2026-03-02T10:30:00Z","change":"upsert","record":"Contact","id":"c-17","fields":{"email":"Vic@Acme.example","opted_out":true}}"#;
        let found = opt_outs(line);
        assert_eq!(found[0], ("Contact/c-17".to_string(), true, 1_772_447_400));
        assert_eq!(found[1].0, "vic@acme.example");
        assert!(opt_outs(r#"{"change":"upsert","record":"Account","id":"a","fields":{"opted_out":true}}"#).is_empty());
        assert!(opt_outs(r#"{"change":"upsert","record":"Lead","id":"l","fields":{"name":"opted_out"}}"#).is_empty());
    }
}
