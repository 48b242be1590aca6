//! `play diff`: what changed between two programs, playbook by playbook — triggers,
//! conditions, exits, steps and settings — compared by what they do, not where they are
//! written (spans are left out of the comparison).

use play_compiler::program::{duration_text, Code, Inflight, Node, PlaybookDef, Program, Reentry, WaitDef};
use serde::Serialize;
use serde_json::Value as Json;

/// How a playbook differs between the program deployed and the one about to be.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    Added,
    Removed,
    Changed,
    Unchanged,
}

/// Names (or texts) present in one program and not the other, and those in both that
/// differ.
#[derive(Debug, Default, Serialize)]
pub struct Parts {
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub added: Vec<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub removed: Vec<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub changed: Vec<String>,
}

impl Parts {
    pub fn is_empty(&self) -> bool {
        self.added.is_empty() && self.removed.is_empty() && self.changed.is_empty()
    }
}

/// A setting with its old and new value.
#[derive(Debug, Serialize)]
pub struct Setting {
    pub setting: &'static str,
    pub old: String,
    pub new: String,
}

#[derive(Debug, Serialize)]
pub struct PlaybookDiff {
    pub playbook: String,
    pub status: Status,
    /// The new program's `inflight` setting (the old one's, for a removed playbook):
    /// what its runs in flight do when the playbook changed.
    pub inflight: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub old_version: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub new_version: Option<String>,
    #[serde(skip_serializing_if = "Parts::is_empty")]
    pub triggers: Parts,
    #[serde(skip_serializing_if = "Parts::is_empty")]
    pub conditions: Parts,
    #[serde(skip_serializing_if = "Parts::is_empty")]
    pub exits: Parts,
    #[serde(skip_serializing_if = "Parts::is_empty")]
    pub steps: Parts,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub settings: Vec<Setting>,
    /// What deploying the new program does to each of the playbook's runs in flight.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub runs: Vec<RunFate>,
}

/// One run in flight under the old program, and what the deploy does to it.
#[derive(Debug, Serialize)]
pub struct RunFate {
    /// `Account/acme`.
    pub record: String,
    pub run: u64,
    /// Where it is: `step review`, `wait 3d before follow_up`.
    pub at: String,
    /// `keep`, `migrate` or `cancel`.
    pub outcome: &'static str,
    /// For `migrate`: where it goes on in the new version.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub to: Option<String>,
    pub reason: String,
}

pub fn inflight_name(i: &Inflight) -> &'static str {
    match i {
        Inflight::Keep => "keep",
        Inflight::Migrate => "migrate",
        Inflight::Cancel => "cancel",
    }
}

/// Every playbook of either program: the new program's in its order, then those removed.
pub fn playbooks(old: &Program, new: &Program) -> Vec<PlaybookDiff> {
    let mut out: Vec<PlaybookDiff> = new
        .playbooks
        .iter()
        .map(|n| match old.playbook_named(&n.name) {
            Some(o) => compare(old, &old.playbooks[o], new, n),
            None => PlaybookDiff {
                new_version: Some(n.version.clone()),
                triggers: Parts { added: n.triggers.iter().map(|t| t.source.clone()).collect(), ..Parts::default() },
                steps: Parts {
                    added: body_keys(new, &n.body).into_iter().map(|(k, _)| k).collect(),
                    ..Parts::default()
                },
                ..empty(n, Status::Added)
            },
        })
        .collect();
    for o in &old.playbooks {
        if new.playbook_named(&o.name).is_none() {
            out.push(PlaybookDiff { old_version: Some(o.version.clone()), ..empty(o, Status::Removed) });
        }
    }
    out
}

fn empty(pb: &PlaybookDef, status: Status) -> PlaybookDiff {
    PlaybookDiff {
        playbook: pb.name.clone(),
        status,
        inflight: inflight_name(&pb.inflight),
        old_version: None,
        new_version: None,
        triggers: Parts::default(),
        conditions: Parts::default(),
        exits: Parts::default(),
        steps: Parts::default(),
        settings: Vec::new(),
        runs: Vec::new(),
    }
}

fn compare(old: &Program, o: &PlaybookDef, new: &Program, n: &PlaybookDef) -> PlaybookDiff {
    let triggers = texts(o.triggers.iter().map(|t| &t.source), n.triggers.iter().map(|t| &t.source));
    let conditions = texts(o.conditions.iter().map(|c| &c.source), n.conditions.iter().map(|c| &c.source));
    let exits = texts(o.exits.iter().map(|c| &c.source), n.exits.iter().map(|c| &c.source));
    let steps = keyed(body_keys(old, &o.body), body_keys(new, &n.body));
    let mut settings = Vec::new();
    let mut setting = |setting: &'static str, old: String, new: String| {
        if old != new {
            settings.push(Setting { setting, old, new });
        }
    };
    setting("subject", old.schema.records[o.subject].name.clone(), new.schema.records[n.subject].name.clone());
    setting("title", o.title.clone().unwrap_or_default(), n.title.clone().unwrap_or_default());
    setting("priority", code(o.priority.as_ref()), code(n.priority.as_ref()));
    setting("category", format!("{:?}", o.category).to_lowercase(), format!("{:?}", n.category).to_lowercase());
    setting("reentry", reentry(&o.reentry), reentry(&n.reentry));
    setting("inflight", inflight_name(&o.inflight).into(), inflight_name(&n.inflight).into());
    setting("visibility", visibility(o.public).into(), visibility(n.public).into());
    let same = o.version == n.version;
    PlaybookDiff {
        old_version: Some(o.version.clone()),
        new_version: Some(n.version.clone()),
        triggers,
        conditions,
        exits,
        steps,
        settings,
        ..empty(n, if same { Status::Unchanged } else { Status::Changed })
    }
}

fn visibility(public: bool) -> &'static str {
    if public {
        "public"
    } else {
        "private"
    }
}

fn code(c: Option<&Code>) -> String {
    c.map(|c| c.source.clone()).unwrap_or_default()
}

fn reentry(r: &Reentry) -> String {
    match r {
        Reentry::AfterExit => "after_exit".into(),
        Reentry::Never => "never".into(),
        Reentry::Always => "always".into(),
        Reentry::After(d) => format!("after {}", duration_text(d)),
    }
}

/// Texts in `new` and not `old` (added) and in `old` and not `new` (removed).
fn texts<'a>(old: impl Iterator<Item = &'a String>, new: impl Iterator<Item = &'a String>) -> Parts {
    let (old, new): (Vec<&String>, Vec<&String>) = (old.collect(), new.collect());
    Parts {
        added: new.iter().filter(|t| !old.contains(t)).map(|t| t.to_string()).collect(),
        removed: old.iter().filter(|t| !new.contains(t)).map(|t| t.to_string()).collect(),
        changed: Vec::new(),
    }
}

/// Keyed parts: added, removed, and changed where both have the key with other content.
fn keyed(old: Vec<(String, Json)>, new: Vec<(String, Json)>) -> Parts {
    let mut parts = Parts::default();
    for (k, v) in &new {
        match old.iter().find(|(ok, _)| ok == k) {
            None => parts.added.push(k.clone()),
            Some((_, ov)) if ov != v => parts.changed.push(k.clone()),
            Some(_) => {}
        }
    }
    parts.removed = old.iter().filter(|(k, _)| !new.iter().any(|(nk, _)| nk == k)).map(|(k, _)| k.clone()).collect();
    parts
}

/// Each step, stage and wait of a body, named (`step review`, `stage triage`, `wait
/// before review`), with its content as data without spans and instructions (each
/// expression is compared by its source text).
fn body_keys(p: &Program, body: &[Node]) -> Vec<(String, Json)> {
    (0..body.len()).map(|i| (node_key(p, body, i), content(&body[i]))).collect()
}

/// How the node at `i` of a body is named in a diff.
pub fn node_key(p: &Program, body: &[Node], i: usize) -> String {
    let Some(node) = body.get(i) else { return "the end".to_string() };
    match node {
        Node::Step(s) => format!("step {}", s.name),
        Node::Stage(s) => format!("stage {}", s.name),
        Node::Wait(w) => {
            let next = body[i + 1..].iter().find_map(Node::name);
            let what = match w {
                WaitDef::Delay(c) | WaitDef::Until(c) => c.source.clone(),
                WaitDef::For { event, .. } => {
                    format!("for {}", p.schema.events.get(*event).map_or("?", |e| e.name.as_str()))
                }
            };
            match next {
                Some(next) => format!("wait {what} before {next}"),
                None => format!("wait {what} at the end"),
            }
        }
    }
}

/// A node as JSON without what depends on where it is written.
fn content(node: &Node) -> Json {
    let mut json = serde_json::to_value(node).unwrap_or(Json::Null);
    strip(&mut json);
    json
}

/// Removes what depends on where the text is rather than on what it does: spans, and
/// compiled instructions (whose constants are indexes into the whole program's pool;
/// each expression's `source` stays).
fn strip(json: &mut Json) {
    match json {
        Json::Object(map) => {
            map.remove("span");
            map.remove("spans");
            map.remove("ops");
            map.values_mut().for_each(strip);
        }
        Json::Array(items) => items.iter_mut().for_each(strip),
        _ => {}
    }
}
