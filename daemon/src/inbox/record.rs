//! A record as the action page shows it: its fields now and the history of the field that
//! fired the action, read from the engine (a read request on the engine thread, answered
//! after the batch before it commits), and the small trend line of that field.

use maud::{html, Markup, PreEscaped};
use play_runtime::value::moment_text;
use serde_json::{Map, Value};
use tokio::sync::oneshot;

use super::{Inbox, Problem};
use crate::host::RecordView;
use crate::writer::Request;

/// The most values a trend shows: the last ones.
const TREND_POINTS: usize = 30;

/// The record (`Type/id`) as the engine holds it, with the history of `trend`: the
/// numbers the store kept from the changes taken (the last [`TREND_POINTS`]), else what
/// the engine keeps of the field's past; empty when the engine has no such record
/// (deleted, or never seen).
pub async fn read(inbox: &Inbox, record: &str, trend: Option<String>) -> Result<RecordView, Problem> {
    let (reply, answer) = oneshot::channel();
    inbox.app.send(Request::Record { record: record.to_string(), trend: trend.clone(), here_only: false, reply })?;
    let view = answer.await.map_err(|_| {
        Problem::new(axum::http::StatusCode::SERVICE_UNAVAILABLE, "The daemon is stopping: try again once it is back.")
    })?;
    let mut view = view.unwrap_or_default();
    if let Some(field) = trend {
        let record = record.to_string();
        let kept = inbox.app.read(move |st| st.field_values(&record, &field, TREND_POINTS)).await?;
        if kept.len() >= 2 && kept.len() >= view.history.len() {
            view.history = kept;
        }
    }
    Ok(view)
}

/// The numeric field whose change fired the action (the first number among the context's
/// changed fields), if any.
pub fn fired_by(action: &Value) -> Option<String> {
    let changed = action["context"]["changed"].as_object()?;
    changed.iter().find(|(_, v)| v[1].is_number()).map(|(k, _)| k.clone())
}

/// One value of the trend: when (a day, or words) and the value.
pub type Point = (String, f64);

/// The values `field` took, oldest first: those the engine keeps (as far back as the
/// program reads the field's past), else the change that fired the action (`at`, from
/// its context) and the value the record has now.
pub fn series(action: &Value, field: &str, view: &RecordView, at: i64) -> Vec<Point> {
    if view.history.len() >= 2 {
        return view.history.iter().map(|(t, v)| (day(&moment_text(*t)).to_string(), *v)).collect();
    }
    let changed = &action["context"]["changed"][field];
    let fired_on = day(&moment_text(at)).to_string();
    let mut points = Vec::new();
    if let Some(was) = changed[0].as_f64() {
        points.push((format!("before {fired_on}"), was));
    }
    if let Some(then) = changed[1].as_f64() {
        points.push((fired_on, then));
    }
    let now = view.fields.get(field).and_then(Value::as_f64);
    if let (Some(now), Some(last)) = (now, points.last()) {
        if now != last.1 {
            points.push(("now".into(), now));
        }
    }
    points
}

/// The action page's trend of the field that fired it, when it has two values or more.
pub fn section(action: &Value, view: &RecordView, at: i64) -> Markup {
    let Some(field) = fired_by(action) else { return html! {} };
    match trend(&field, &series(action, &field, view, at)) {
        Some(line) => html! { h2 { "Trend of " (field) } (line) },
        None => html! {},
    }
}

/// The record's fields now, for the edit form.
pub fn current(view: &RecordView) -> &Map<String, Value> {
    &view.fields
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
    let words: Vec<String> = points.iter().map(|(at, v)| format!("{} {}", number(*v), on(at))).collect();
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
                (points[0].0) " to " (points[points.len() - 1].0)
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

/// When a value was, in words: `on 2026-03-02`, `before 2026-03-02`, `now`.
fn on(when: &str) -> String {
    if when.starts_with(|c: char| c.is_ascii_digit()) {
        format!("on {when}")
    } else {
        when.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const DAY1: i64 = 1_772_409_600; // 2026-03-02

    #[test]
    fn the_trend_is_the_history_the_engine_keeps() {
        let view = RecordView { fields: Map::new(), history: vec![(DAY1, 40.0), (DAY1 + 86_400, 55.5)] };
        let action = serde_json::json!({"context": {"changed": {"health": [72, 41]}}});
        let points = series(&action, "health", &view, DAY1);
        assert_eq!(points, [("2026-03-02".to_string(), 40.0), ("2026-03-03".to_string(), 55.5)]);
        let svg = trend("health", &points).unwrap().into_string();
        assert!(svg.contains("health over time: 40 on 2026-03-02, 55.50 on 2026-03-03"), "{svg}");
        assert!(svg.contains("points=\"6.0,58.0 314.0,6.0\""), "lowest at the bottom, highest at the top: {svg}");
        assert!(trend("health", &points[..1]).is_none(), "one value is no line");
    }

    #[test]
    fn without_kept_history_the_trend_is_the_firing_change_and_the_value_now() {
        let mut fields = Map::new();
        fields.insert("health".into(), serde_json::json!(68));
        let view = RecordView { fields, history: Vec::new() };
        let action = serde_json::json!({"context": {"changed": {"health": [72, 41]}}});
        let points = series(&action, "health", &view, DAY1);
        let words: Vec<String> = points.iter().map(|(w, v)| format!("{v} {}", on(w))).collect();
        assert_eq!(words, ["72 before 2026-03-02", "41 on 2026-03-02", "68 now"]);
        let unchanged = RecordView { fields: Map::new(), history: Vec::new() };
        assert_eq!(series(&action, "health", &unchanged, DAY1).len(), 2, "no value now: the change alone");
    }

    #[test]
    fn the_firing_field_is_the_first_changed_number() {
        let action = serde_json::json!({"context": {"changed": {"stage": ["A", "B"], "health": [72, 41]}}});
        assert_eq!(fired_by(&action).as_deref(), Some("health"));
        assert_eq!(fired_by(&serde_json::json!({"context": {}})), None);
    }
}
