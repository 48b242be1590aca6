//! `brief` actions: the record's data as the daemon captured it when the brief was made
//! (the outbox row's `data`: key fields, trends of numeric fields, recent events, open
//! actions), written out as plain text and, when `[sinks.brief]` names an
//! OpenAI-compatible endpoint, summarised by it (`POST {url}/chat/completions`) above that
//! data. The text then goes by email or to Slack like any other message.

use serde_json::{json, Value};

use crate::http::{clip, outcome, post};
use crate::Outcome;

/// An OpenAI-compatible chat-completions API.
#[derive(Clone, Debug)]
pub struct Summariser {
    /// The API's root (`https://api.openai.com/v1`).
    pub url: String,
    pub model: String,
    pub api_key: Option<String>,
}

/// What the model is asked to do with a brief's data.
const INSTRUCTIONS: &str = "You write account briefs for customer-success managers. From the data given, write a \
     short summary (at most 120 words): where the account stands, what changed, what needs attention. Use only the \
     data given; do not invent facts.";

impl Summariser {
    /// One request: the summary, or what the API answered as an outcome (401
    /// `invalid_api_key` pauses, 429 and 5xx are tried again after `Retry-After`).
    pub fn summarise(&self, data: &str) -> Result<String, Outcome> {
        let body = json!({
            "model": self.model,
            "messages": [
                {"role": "system", "content": INSTRUCTIONS},
                {"role": "user", "content": data},
            ],
        });
        let mut headers = Vec::new();
        if let Some(key) = &self.api_key {
            headers.push(("authorization", format!("Bearer {key}")));
        }
        let answer = post(&format!("{}/chat/completions", self.url), &headers, &body.to_string())?;
        let reply: Value = serde_json::from_str(&answer.body).unwrap_or(Value::Null);
        match outcome(&answer) {
            Outcome::Delivered { .. } => {
                let text = reply["choices"][0]["message"]["content"].as_str().map(str::trim).unwrap_or_default();
                if text.is_empty() {
                    return Err(Outcome::Retry {
                        code: "empty".into(),
                        message: format!("the summariser answered without a summary: {}", clip(&answer.body)),
                        after: None,
                    });
                }
                Ok(text.to_string())
            }
            other => Err(api_error(other, &reply)),
        }
    }
}

/// An error answer with the API's own code and message (`{"error":{"code","message"}}`).
fn api_error(outcome: Outcome, reply: &Value) -> Outcome {
    let error = &reply["error"];
    let code = error["code"].as_str().or_else(|| error["type"].as_str());
    let message = error["message"].as_str().map(|m| format!("the brief's summariser: {}", clip(m)));
    match outcome {
        Outcome::Retry { code: c, message: m, after } => {
            Outcome::Retry { code: code.map_or(c, String::from), message: message.unwrap_or(m), after }
        }
        Outcome::Paused { code: c, message: m } => {
            Outcome::Paused { code: code.map_or(c, String::from), message: message.unwrap_or(m) }
        }
        Outcome::Failed { code: c, message: m } => {
            Outcome::Failed { code: code.map_or(c, String::from), message: message.unwrap_or(m) }
        }
        delivered => delivered,
    }
}

/// A brief's subject and text: the summary (when there is a summariser) above the data.
pub fn write(action: &Value, summariser: Option<&Summariser>) -> Result<(String, String), Outcome> {
    let data = &action["data"];
    let name =
        data["fields"]["name"].as_str().or_else(|| data["record"].as_str()).or_else(|| action["record"].as_str());
    let subject = format!("Brief: {}", name.unwrap_or("a record"));
    let text = data_text(action);
    match summariser {
        None => Ok((subject, text)),
        Some(s) => Ok((subject, format!("{}\n\n---\nThe data it is made from:\n\n{text}", s.summarise(&text)?))),
    }
}

/// The data as plain text, section by section.
pub fn data_text(action: &Value) -> String {
    let data = &action["data"];
    let record = data["record"].as_str().or_else(|| action["record"].as_str()).unwrap_or_default();
    let mut out = format!(
        "{record}: a brief from the playbook {} (step {}).\n",
        action["playbook"].as_str().unwrap_or_default(),
        action["step"].as_str().unwrap_or_default()
    );
    let fields = data["fields"].as_object().filter(|f| !f.is_empty());
    out.push_str("\nKey fields\n");
    match fields {
        Some(fields) => fields.iter().for_each(|(k, v)| out.push_str(&format!("- {k}: {}\n", shown(v)))),
        None => out.push_str("- none recorded\n"),
    }
    let trends = data["trends"].as_array().filter(|t| !t.is_empty());
    if let Some(trends) = trends {
        out.push_str("\nTrends\n");
        for t in trends {
            let (now, before) = (t["now"].as_f64().unwrap_or(0.0), t["before"].as_f64().unwrap_or(0.0));
            let delta = now - before;
            let sign = if delta >= 0.0 { "+" } else { "" };
            out.push_str(&format!(
                "- {}: {} {} ago, {} now ({sign}{})\n",
                t["field"].as_str().unwrap_or_default(),
                shown(&t["before"]),
                t["since"].as_str().unwrap_or("30 days"),
                shown(&t["now"]),
                number(delta)
            ));
        }
    }
    out.push_str("\nRecent events\n");
    match data["events"].as_array().filter(|e| !e.is_empty()) {
        Some(events) => {
            for e in events {
                let fields = e["fields"]
                    .as_object()
                    .map(|f| f.iter().map(|(k, v)| format!("{k} {}", shown(v))).collect::<Vec<_>>().join(", "));
                let fields = fields.filter(|f| !f.is_empty()).map(|f| format!(": {f}")).unwrap_or_default();
                out.push_str(&format!("- {} {}{fields}\n", shown(&e["at"]), shown(&e["event"])));
            }
        }
        None => out.push_str("- none in the last 30 days\n"),
    }
    out.push_str("\nOpen actions on the record\n");
    match data["open_actions"].as_array().filter(|a| !a.is_empty()) {
        Some(actions) => {
            for a in actions {
                let what = a["title"].as_str().map_or_else(|| shown(&a["action"]).replace('_', " "), String::from);
                let to = a["to"].as_str().map(|t| format!(" for {t}")).unwrap_or_default();
                out.push_str(&format!("- {what}{to} ({})\n", shown(&a["playbook"])));
            }
        }
        None => out.push_str("- none\n"),
    }
    out
}

fn shown(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Null => "—".into(),
        Value::Number(n) => n.as_f64().map_or_else(|| n.to_string(), number),
        Value::Array(items) => items.iter().map(shown).collect::<Vec<_>>().join(", "),
        other => other.to_string(),
    }
}

/// A number without a needless `.0`.
fn number(n: f64) -> String {
    if n.fract() == 0.0 && n.abs() < 1e15 {
        format!("{}", n as i64)
    } else {
        format!("{n:.2}")
    }
}
