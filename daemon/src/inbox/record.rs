//! A record as the action page shows it: its fields now and their history, read from the
//! journal's accepted upserts (the engine keeps records in memory and has no read of them),
//! and the small trend line of the numeric field that fired the action.

use maud::{html, Markup, PreEscaped};
use play_store::Store;
use serde_json::{Map, Value};

/// Journal commands read per store call while scanning for a record's changes.
const CHUNK: usize = 5_000;

/// One accepted upsert or delete of the record: when, and the fields it set (none: deleted).
pub struct Step {
    pub at: String,
    pub fields: Option<Map<String, Value>>,
}

/// The record's upserts and deletes, oldest first. `record` is `Type/id`.
pub fn history(store: &dyn Store, record: &str) -> play_store::Result<Vec<Step>> {
    let Some((ty, id)) = record.split_once('/') else { return Ok(Vec::new()) };
    let mut steps = Vec::new();
    let mut after = 0;
    loop {
        let chunk = store.read_journal(after, CHUNK)?;
        let Some((last, _)) = chunk.last() else { break };
        after = *last;
        for (_, command) in &chunk {
            let play_store::Command::Change { line, .. } = command else { continue };
            let Ok(Value::Object(change)) = serde_json::from_str::<Value>(line) else { continue };
            if change.get("record").and_then(Value::as_str) != Some(ty)
                || change.get("id").and_then(Value::as_str) != Some(id)
            {
                continue;
            }
            let at = change.get("at").and_then(Value::as_str).unwrap_or_default().to_string();
            match change.get("change").and_then(Value::as_str) {
                Some("upsert") => {
                    let fields = change.get("fields").and_then(Value::as_object).cloned().unwrap_or_default();
                    steps.push(Step { at, fields: Some(fields) });
                }
                Some("delete") => steps.push(Step { at, fields: None }),
                _ => {}
            }
        }
        if chunk.len() < CHUNK {
            break;
        }
    }
    Ok(steps)
}

/// The record's fields now: every upsert since its last delete, merged.
pub fn current(steps: &[Step]) -> Map<String, Value> {
    let mut now = Map::new();
    for step in steps {
        match &step.fields {
            Some(fields) => now.extend(fields.iter().map(|(k, v)| (k.clone(), v.clone()))),
            None => now.clear(),
        }
    }
    now
}

/// The numeric field whose change fired the action (the first number among the context's
/// changed fields), if any.
pub fn fired_by(action: &Value) -> Option<String> {
    let changed = action["context"]["changed"].as_object()?;
    changed.iter().find(|(_, v)| v[1].is_number()).map(|(k, _)| k.clone())
}

/// The values `field` took, oldest first (a delete starts the line afresh).
pub fn series(steps: &[Step], field: &str) -> Vec<(String, f64)> {
    let mut points = Vec::new();
    for step in steps {
        match &step.fields {
            Some(fields) => {
                if let Some(v) = fields.get(field).and_then(Value::as_f64) {
                    points.push((step.at.clone(), v));
                }
            }
            None => points.clear(),
        }
    }
    points
}

/// The action page's trend of the field that fired it, when it has two values or more.
pub fn section(action: &Value, steps: &[Step]) -> Markup {
    let Some(field) = fired_by(action) else { return html! {} };
    match trend(&field, &series(steps, &field)) {
        Some(line) => html! { h2 { "Trend of " (field) } (line) },
        None => html! {},
    }
}

const WIDTH: f64 = 320.0;
const HEIGHT: f64 = 64.0;
const PAD: f64 = 6.0;

/// The trend of `field` as a small inline SVG line (points spaced evenly, in the order the
/// values came), with its values in words for screen readers; none under two values.
pub fn trend(field: &str, points: &[(String, f64)]) -> Option<Markup> {
    if points.len() < 2 {
        return None;
    }
    let lo = points.iter().map(|p| p.1).fold(f64::INFINITY, f64::min);
    let hi = points.iter().map(|p| p.1).fold(f64::NEG_INFINITY, f64::max);
    let span = if hi > lo { hi - lo } else { 1.0 };
    let step = (WIDTH - 2.0 * PAD) / (points.len() - 1) as f64;
    let xy: Vec<(f64, f64)> = points
        .iter()
        .enumerate()
        .map(|(i, (_, v))| (PAD + step * i as f64, HEIGHT - PAD - (v - lo) / span * (HEIGHT - 2.0 * PAD)))
        .collect();
    let line: Vec<String> = xy.iter().map(|(x, y)| format!("{x:.1},{y:.1}")).collect();
    let words: Vec<String> = points.iter().map(|(at, v)| format!("{} on {}", number(*v), day(at))).collect();
    let label = format!("{field} over time: {}", words.join(", "));
    let svg = format!(
        "<svg class=\"trend\" role=\"img\" aria-label=\"{label}\" viewBox=\"0 0 {WIDTH} {HEIGHT}\" width=\"{WIDTH}\" \
         height=\"{HEIGHT}\" xmlns=\"http://www.w3.org/2000/svg\"><polyline fill=\"none\" stroke=\"#0b57d0\" \
         stroke-width=\"2\" points=\"{}\"/>{}</svg>",
        line.join(" "),
        xy.iter()
            .map(|(x, y)| format!("<circle cx=\"{x:.1}\" cy=\"{y:.1}\" r=\"2.5\" fill=\"#0b57d0\"/>"))
            .collect::<String>(),
    );
    let (first, last) = (points[0].1, points[points.len() - 1].1);
    Some(html! {
        figure.trend {
            (PreEscaped(svg))
            figcaption.muted {
                code { (field) } ": " (number(first)) " → " (number(last)) " over " (points.len()) " values, "
                (day(&points[0].0)) " to " (day(&points[points.len() - 1].0))
            }
        }
    })
}

fn number(v: f64) -> String {
    if v.fract() == 0.0 && v.abs() < 1e15 {
        format!("{}", v as i64)
    } else {
        format!("{v:.2}")
    }
}

fn day(at: &str) -> &str {
    at.get(..10).unwrap_or(at)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn step(at: &str, fields: Option<Value>) -> Step {
        Step { at: at.into(), fields: fields.map(|f| f.as_object().cloned().unwrap_or_default()) }
    }

    #[test]
    fn a_delete_starts_the_record_and_its_trend_afresh() {
        let steps = [
            step("2026-03-01T00:00:00Z", Some(serde_json::json!({"health": 70, "name": "Acme"}))),
            step("2026-03-02T00:00:00Z", None),
            step("2026-03-03T00:00:00Z", Some(serde_json::json!({"health": 40}))),
            step("2026-03-04T00:00:00Z", Some(serde_json::json!({"name": "Acme Inc", "health": 55.5}))),
        ];
        assert_eq!(Value::Object(current(&steps)), serde_json::json!({"health": 55.5, "name": "Acme Inc"}));
        let points = series(&steps, "health");
        assert_eq!(points.iter().map(|p| p.1).collect::<Vec<_>>(), [40.0, 55.5]);
        let svg = trend("health", &points).unwrap().into_string();
        assert!(svg.contains("health over time: 40 on 2026-03-03, 55.50 on 2026-03-04"), "{svg}");
        assert!(svg.contains("points=\"6.0,58.0 314.0,6.0\""), "lowest at the bottom, highest at the top: {svg}");
        assert!(trend("health", &points[..1]).is_none(), "one value is no line");
    }

    #[test]
    fn the_firing_field_is_the_first_changed_number() {
        let action = serde_json::json!({"context": {"changed": {"stage": ["A", "B"], "health": [72, 41]}}});
        assert_eq!(fired_by(&action).as_deref(), Some("health"));
        assert_eq!(fired_by(&serde_json::json!({"context": {}})), None);
    }
}
