//! Document and workspace symbols, semantic tokens, folding ranges and inlay hints: the
//! shape of a file.

use serde_json::{json, Value};

use crate::harness::{range, Client};

const PROJECT: &str = r#"
/// Big spenders.
segment big for account: Account = account.arr > 100_000

/// Days since the last touch.
signal quiet_days for account: Account = days_since(account.last_activity_at ?? now())

playbook grow "Grow" {
  for account: Account
  on enters big

  step call "Call them" {
    task "Call {account.name}" to account.owner
  }

  wait 2d

  step follow_up "Follow up" {
    task "Follow up with {account.name}" to account.owner
  }
}

enum Mood {
  Happy
  Grumpy
}
"#;

fn tree(symbols: &Value, depth: usize, out: &mut String) {
    for s in symbols.as_array().into_iter().flatten() {
        let r = range(&s["range"]);
        let sel = range(&s["selectionRange"]);
        out.push_str(&format!(
            "{}{} (kind {}) {} lines {}-{} name at {}:{}\n",
            "  ".repeat(depth),
            s["name"].as_str().unwrap_or("?"),
            s["kind"],
            s["detail"].as_str().map(|d| format!("{d:?}")).unwrap_or_default(),
            r.start.line + 1,
            r.end.line + 1,
            sel.start.line + 1,
            sel.start.character + 1,
        ));
        tree(&s["children"], depth + 1, out);
    }
}

#[tokio::test]
async fn document_symbols_nest_steps_in_playbooks() {
    let (mut client, name, _) = Client::with_fixture(PROJECT).await;
    let answer = client
        .request_value("textDocument/documentSymbol", json!({ "textDocument": { "uri": client.url(&name) } }))
        .await;
    let mut out = String::new();
    tree(&answer, 0, &mut out);
    insta::assert_snapshot!(out);
}

#[tokio::test]
async fn workspace_symbols_find_items_by_part_of_their_name() {
    let (mut client, _, _) = Client::with_fixture(PROJECT).await;
    let answer = client.request_value("workspace/symbol", json!({ "query": "g" })).await;
    let mut out = String::new();
    for s in answer.as_array().into_iter().flatten() {
        let r = range(&s["location"]["range"]);
        out.push_str(&format!(
            "{} (kind {}) in {} at {}:{}\n",
            s["name"].as_str().unwrap_or("?"),
            s["kind"],
            client.name_of(s["location"]["uri"].as_str().unwrap_or("")),
            r.start.line + 1,
            r.start.character + 1
        ));
    }
    insta::assert_snapshot!(out);
}

#[tokio::test]
async fn semantic_tokens_decode_to_the_names_they_cover() {
    let (mut client, name, _) = Client::with_fixture(PROJECT).await;
    let legend = [
        "keyword",
        "type",
        "enumMember",
        "property",
        "function",
        "variable",
        "event",
        "string",
        "number",
        "comment",
        "operator",
    ];
    let answer = client
        .request_value("textDocument/semanticTokens/full", json!({ "textDocument": { "uri": client.url(&name) } }))
        .await;
    let data: Vec<u64> = answer["data"].as_array().into_iter().flatten().filter_map(Value::as_u64).collect();
    let lines: Vec<&str> = client.texts[&name].split('\n').collect();
    let (mut line, mut column) = (0u64, 0u64);
    let mut out = String::new();
    for t in data.chunks(5) {
        let &[dl, ds, len, kind, _] = t else { panic!("a token is five numbers") };
        line += dl;
        column = if dl == 0 { column + ds } else { ds };
        let text: String = lines[line as usize]
            .encode_utf16()
            .skip(column as usize)
            .take(len as usize)
            .map(|u| u as u8 as char)
            .collect();
        out.push_str(&format!("{}:{} {:<10} {text}\n", line + 1, column + 1, legend[kind as usize]));
    }
    insta::assert_snapshot!(out);
}

#[tokio::test]
async fn folding_ranges_cover_items_and_steps() {
    let (mut client, name, _) = Client::with_fixture(PROJECT).await;
    let answer = client
        .request_value("textDocument/foldingRange", json!({ "textDocument": { "uri": client.url(&name) } }))
        .await;
    let out: String = answer
        .as_array()
        .into_iter()
        .flatten()
        .map(|r| {
            format!(
                "lines {}-{} {}\n",
                r["startLine"].as_u64().unwrap_or(0) + 1,
                r["endLine"].as_u64().unwrap_or(0) + 1,
                r["kind"]
            )
        })
        .collect();
    insta::assert_snapshot!(out);
}

#[tokio::test]
async fn inlay_hints_show_the_types_of_signals() {
    let (mut client, name, _) = Client::with_fixture(PROJECT).await;
    let params = json!({
        "textDocument": { "uri": client.url(&name) },
        "range": { "start": { "line": 0, "character": 0 }, "end": { "line": 100, "character": 0 } }
    });
    let answer = client.request_value("textDocument/inlayHint", params).await;
    let out: String = answer
        .as_array()
        .into_iter()
        .flatten()
        .map(|h| {
            format!(
                "{}:{} {}\n",
                h["position"]["line"].as_u64().unwrap_or(0) + 1,
                h["position"]["character"].as_u64().unwrap_or(0) + 1,
                h["label"]
            )
        })
        .collect();
    insta::assert_snapshot!(out);
}
