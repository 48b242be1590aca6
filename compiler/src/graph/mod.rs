//! Pictures of playbooks (`play graph`): a playbook's triggers, conditions, steps with
//! their filters and actions, waits (a `wait for` with its timeout branch), stages with
//! their activities and exits, as a small graph written out as DOT, Mermaid or SVG. Built
//! from a compiled program, so a `.playc` file draws as well as a project.

mod dot;
mod mermaid;
mod svg;

pub use svg::to_svg;

use crate::program::{ActionDef, Node, PlaybookDef, Program, WaitDef};

/// One playbook as boxes and arrows.
#[derive(Clone, Debug, PartialEq)]
pub struct Graph {
    pub playbook: String,
    pub nodes: Vec<Shape>,
    pub edges: Vec<Edge>,
}

/// What a box stands for; each kind is drawn its own way.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    Trigger,
    Conditions,
    Step,
    Wait,
    Stage,
    Exit,
    End,
}

/// One box: its lines of text, the first its title.
#[derive(Clone, Debug, PartialEq)]
pub struct Shape {
    pub kind: Kind,
    pub lines: Vec<String>,
}

/// An arrow between two boxes (by index); a dashed one is a path taken only sometimes
/// (a timeout, an exit, a record not enrolled).
#[derive(Clone, Debug, PartialEq)]
pub struct Edge {
    pub from: usize,
    pub to: usize,
    pub label: Option<String>,
    pub dashed: bool,
}

/// The longest line a box shows; longer source text is cut with `…`.
const LINE: usize = 60;

impl Graph {
    /// The picture of one playbook of `program`.
    pub fn of(program: &Program, pb: &PlaybookDef) -> Graph {
        let mut g = Graph { playbook: pb.name.clone(), nodes: Vec::new(), edges: Vec::new() };
        let triggers: Vec<usize> =
            pb.triggers.iter().map(|t| g.add(Kind::Trigger, vec![format!("on {}", t.source)])).collect();
        let mut from: Vec<(usize, Option<String>, bool)> = triggers.iter().map(|t| (*t, None, false)).collect();
        if !pb.conditions.is_empty() {
            let mut lines = vec!["when".to_string()];
            lines.extend(pb.conditions.iter().map(|c| c.source.clone()));
            let when = g.add(Kind::Conditions, lines);
            g.join(&from, when);
            let not = g.add(Kind::End, vec!["not enrolled".into()]);
            g.edge(when, not, Some("no"), true);
            from = vec![(when, Some("yes".into()), false)];
        }
        let entry = from.first().map(|f| f.0);
        for node in &pb.body {
            let (kind, lines, next) = describe(program, node);
            let at = g.add(kind, lines);
            g.join(&from, at);
            from = next.into_iter().map(|(label, dashed)| (at, label, dashed)).collect();
        }
        let done = g.add(Kind::End, vec!["completed".into()]);
        g.join(&from, done);
        if let (false, Some(entry)) = (pb.exits.is_empty(), entry) {
            let mut lines = vec!["exit when".to_string()];
            lines.extend(pb.exits.iter().map(|c| c.source.clone()));
            let exit = g.add(Kind::Exit, lines);
            g.edge(entry, exit, Some("at any time"), true);
        }
        g
    }

    /// Every playbook of `program` (or the one named), in the program's order.
    pub fn all(program: &Program, only: Option<&str>) -> Vec<Graph> {
        program.playbooks.iter().filter(|p| only.is_none_or(|n| p.name == n)).map(|p| Graph::of(program, p)).collect()
    }

    pub fn to_dot(&self) -> String {
        dot::write(self)
    }

    pub fn to_mermaid(&self) -> String {
        mermaid::write(self)
    }

    fn add(&mut self, kind: Kind, lines: Vec<String>) -> usize {
        let lines = lines.iter().map(|l| clip(l)).collect();
        self.nodes.push(Shape { kind, lines });
        self.nodes.len() - 1
    }

    fn edge(&mut self, from: usize, to: usize, label: Option<&str>, dashed: bool) {
        self.edges.push(Edge { from, to, label: label.map(clip), dashed });
    }

    fn join(&mut self, from: &[(usize, Option<String>, bool)], to: usize) {
        for (f, label, dashed) in from {
            self.edge(*f, to, label.as_deref(), *dashed);
        }
    }
}

/// A body node's box, and the arrows that leave it (label, dashed).
type Next = Vec<(Option<String>, bool)>;

fn describe(program: &Program, node: &Node) -> (Kind, Vec<String>, Next) {
    let straight = vec![(None, false)];
    match node {
        Node::Step(step) => {
            let mut lines = vec![titled("step", &step.name, step.title.as_deref())];
            if let Some(f) = &step.filter {
                lines.push(format!("when {}", f.source));
            }
            lines.extend(step.actions.iter().map(action));
            (Kind::Step, lines, straight)
        }
        Node::Stage(stage) => {
            let mut lines = vec![titled("stage", &stage.name, stage.title.as_deref())];
            lines.extend(stage.activities.iter().map(action));
            (Kind::Stage, lines, straight)
        }
        Node::Wait(WaitDef::Delay(c)) => (Kind::Wait, vec![format!("wait {}", c.source)], straight),
        Node::Wait(WaitDef::Until(c)) => (Kind::Wait, vec![format!("wait until {}", c.source)], straight),
        Node::Wait(WaitDef::For { event, filter, timeout }) => {
            let name = program.schema.events.get(*event).map_or("?", |e| e.name.as_str());
            let mut lines = vec![format!("wait for {name}")];
            if let Some(f) = filter {
                lines.push(format!("where {}", f.source));
            }
            let next =
                vec![(Some(format!("{name} happens")), false), (Some(format!("timeout {}", timeout.source)), true)];
            (Kind::Wait, lines, next)
        }
    }
}

fn titled(what: &str, name: &str, title: Option<&str>) -> String {
    match title {
        Some(t) => format!("{what} {name}: {t}"),
        None => format!("{what} {name}"),
    }
}

/// An action in one line: its kind and what best names it.
fn action(a: &ActionDef) -> String {
    let kind = a.kind.name().replace('_', " ");
    let what = [&a.title, &a.about, &a.to, &a.flow, &a.url, &a.target].into_iter().flatten().next();
    let optional = if a.optional { " (optional)" } else { "" };
    match (&a.name, what) {
        (Some(name), _) => format!("{kind} {name}{optional}"),
        (None, Some(code)) => format!("{kind} {}{optional}", code.source),
        (None, None) => format!("{kind}{optional}"),
    }
}

/// One line of a box: control characters made spaces, cut at [`LINE`] characters.
fn clip(text: &str) -> String {
    let clean: String = text.chars().map(|c| if c.is_control() { ' ' } else { c }).collect();
    if clean.chars().count() <= LINE {
        return clean;
    }
    let mut cut: String = clean.chars().take(LINE - 1).collect();
    cut.push('…');
    cut
}

#[cfg(test)]
mod tests;
