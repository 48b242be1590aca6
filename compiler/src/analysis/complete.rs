//! Completion at a cursor. It reads the buffer as it is now (the line being typed need
//! not parse): the open `{` blocks before the cursor say where we are (a playbook, a
//! step, a record, …), the words before the cursor on its line say what may come next,
//! and the last analysis says what the project's records, fields and items are.

#[path = "complete_test.rs"]
mod complete_test;

use super::view::ModelView;
use super::Analysis;
use crate::check::functions::FUNCTIONS;
use crate::check::types::{Ty, BUILTIN_NAMES};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CompletionKind {
    Keyword,
    Field,
    Variant,
    Item,
    Event,
    Function,
    Type,
    Snippet,
    Variable,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Completion {
    pub label: String,
    pub kind: CompletionKind,
    pub detail: Option<String>,
    pub documentation: Option<String>,
    /// Text to insert when it differs from the label (snippets use `$1` placeholders).
    pub insert_text: Option<String>,
}

impl Completion {
    fn new(label: impl Into<String>, kind: CompletionKind) -> Self {
        Completion { label: label.into(), kind, detail: None, documentation: None, insert_text: None }
    }

    fn detail(mut self, detail: impl Into<String>) -> Self {
        self.detail = Some(detail.into());
        self
    }

    fn doc(mut self, doc: Option<String>) -> Self {
        self.documentation = doc;
        self
    }

    fn snippet(label: &str, insert: &str, detail: &str) -> Self {
        Completion {
            insert_text: Some(insert.into()),
            ..Completion::new(label, CompletionKind::Snippet).detail(detail)
        }
    }
}

/// The kind of block the cursor is in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Block {
    TopLevel,
    Playbook,
    Step,
    Stage,
    Record,
    Template,
    Test,
    Enum,
    /// `{ name: value, … }` after `update x`, `creates T`, `given T x`, `create T x`.
    Values,
}

const ITEM_WORDS: &[&str] = &[
    "playbook",
    "record",
    "extend record",
    "enum",
    "event",
    "segment",
    "signal",
    "template",
    "limit",
    "test",
    "public",
];
const CLAUSE_WORDS: &[&str] = &[
    "for",
    "visibility",
    "owner",
    "category",
    "priority",
    "reentry",
    "inflight",
    "on",
    "when",
    "exit when",
    "step",
    "wait",
    "wait until",
    "wait for",
    "stage",
];
const ACTION_WORDS: &[&str] =
    &["task", "email_task", "email", "assign", "notify email", "notify slack", "enroll", "brief", "update", "webhook"];
const TEST_WORDS: &[&str] =
    &["given", "create", "update", "delete", "event", "at", "after", "expect", "expect no", "complete", "dismiss"];
const TRIGGER_WORDS: &[&str] = &["event", "enters", "leaves", "created", "updated", "deleted", "date", "every"];

impl Analysis {
    /// What may be typed at `offset` in `file`, whose text is now `source_now` (it may be
    /// newer than the analysed text).
    pub fn completions(&self, file: &str, offset: usize, source_now: &str) -> Vec<Completion> {
        let mut offset = offset.min(source_now.len());
        while !source_now.is_char_boundary(offset) {
            offset -= 1;
        }
        let _ = file;
        let before = &source_now[..offset];
        let line_start = before.rfind('\n').map_or(0, |i| i + 1);
        let line = &before[line_start..];
        let item_start = item_start(source_now, offset);
        let item_text = &source_now[item_start..offset];
        let (block, header) = innermost_block(item_text);
        let ctx = Context { view: &self.view, item_text, line };

        // `x.y.` : fields of what the path is, or variants of an enum.
        if let Some((path, _partial)) = dotted_before(line) {
            return ctx.members(&path);
        }
        let words: Vec<&str> = line.split_whitespace().collect();
        let typing_word = !line.ends_with(char::is_whitespace) && !line.is_empty();
        let prev: Vec<&str> = if typing_word { words[..words.len().saturating_sub(1)].to_vec() } else { words.clone() };
        // Values of an enum after a comparison with a path of that enum.
        if let Some(out) = ctx.variants_after_comparison(&prev) {
            return out;
        }
        if let Some(out) = ctx.after_word(&prev, block) {
            return out;
        }
        // Right after `{` or `,` of a `{ name: value }` list, its record's fields.
        if block == Block::Values {
            let open = item_text.rfind('{').map_or(0, |i| i + 1);
            let partial = if typing_word { words.last().copied().unwrap_or("") } else { "" };
            let so_far = item_text[open..].trim_end().strip_suffix(partial).unwrap_or("").trim_end();
            if so_far.is_empty() || so_far.ends_with(',') {
                return ctx.value_fields(&header);
            }
        }
        if prev.is_empty() {
            return ctx.line_start(block, &header);
        }
        ctx.expression()
    }
}

struct Context<'a> {
    view: &'a ModelView,
    /// The enclosing item's text up to the cursor.
    item_text: &'a str,
    line: &'a str,
}

impl Context<'_> {
    fn keywords(words: &[&str]) -> Vec<Completion> {
        words.iter().map(|w| Completion::new(*w, CompletionKind::Keyword)).collect()
    }

    fn items_of_kind(&self, kinds: &[&str]) -> Vec<Completion> {
        self.view
            .items
            .iter()
            .filter(|i| kinds.contains(&i.kind))
            .map(|i| {
                let kind = if i.kind == "event" { CompletionKind::Event } else { CompletionKind::Item };
                let detail = match &i.about {
                    Some(about) if i.kind == "event" => format!("event on {about}"),
                    Some(about) => format!("{} for {about}", i.kind),
                    None => i.kind.to_string(),
                };
                Completion::new(&i.name, kind).detail(detail).doc(i.doc.clone())
            })
            .collect()
    }

    fn types(&self) -> Vec<Completion> {
        let mut out: Vec<Completion> =
            BUILTIN_NAMES.iter().map(|t| Completion::new(*t, CompletionKind::Type).detail("built-in type")).collect();
        out.extend(
            self.items_of_kind(&["record", "enum"]).into_iter().map(|c| Completion { kind: CompletionKind::Type, ..c }),
        );
        out
    }

    /// `name: Type` bindings visible at the cursor: the item's `for x: T`, a test's records.
    fn bindings(&self) -> Vec<(String, String)> {
        let mut out = Vec::new();
        for line in self.item_text.lines() {
            let words: Vec<&str> = line.split_whitespace().collect();
            if let Some(i) = words.iter().position(|w| *w == "for") {
                if let (Some(name), Some(ty)) = (words.get(i + 1), words.get(i + 2)) {
                    if let Some(name) = name.strip_suffix(':') {
                        out.push((name.to_string(), ty.trim_end_matches(['{', '=']).to_string()));
                    }
                }
            }
            if matches!(words.first(), Some(&"given") | Some(&"create")) {
                if let (Some(ty), Some(name)) = (words.get(1), words.get(2)) {
                    out.push((name.to_string(), ty.to_string()));
                }
            }
        }
        out
    }

    /// The type a dotted path from a binding (or `trigger.event`, `event`) has.
    fn path_type(&self, path: &[String]) -> Option<Ty> {
        let (first, rest) = path.split_first()?;
        let mut ty = if let Some((_, t)) = self.bindings().into_iter().rev().find(|(n, _)| n == first) {
            let item = self.view.item(&t)?;
            if item.kind != "record" {
                return None;
            }
            record_ty(self.view, &t)?
        } else if first == "trigger" || first == "event" {
            // `trigger.event` is the `on event E` trigger's event; `event` is the awaited one.
            let (keyword, skip) = if first == "trigger" { ("event", 1) } else { ("for", 0) };
            let name = self.item_text.lines().rev().find_map(|l| {
                let w: Vec<&str> = l.split_whitespace().collect();
                w.windows(2)
                    .find(|p| p[0] == keyword && (first != "trigger" || l.trim_start().starts_with("on")))
                    .map(|p| p[1].to_string())
            })?;
            let event = self.view.item(&name).filter(|i| i.kind == "event")?;
            let rest = rest.get(skip..)?;
            let mut ty = event_ty(self.view, &event.name)?;
            for f in rest {
                ty = self.view.members_of(&ty)?.members.iter().find(|m| &m.name == f)?.ty.clone();
            }
            return Some(ty);
        } else {
            return None;
        };
        for f in rest {
            ty = self.view.members_of(&ty)?.members.iter().find(|m| &m.name == f)?.ty.clone();
        }
        Some(ty)
    }

    /// Completions after `path.`: the fields of a record or event, or an enum's variants.
    fn members(&self, path: &[String]) -> Vec<Completion> {
        if let [only] = path {
            if let Some(e) = self.view.item(only).filter(|i| i.kind == "enum") {
                return variants(e);
            }
        }
        let Some(ty) = self.path_type(path) else { return Vec::new() };
        let Some(item) = self.view.members_of(&ty) else { return Vec::new() };
        item.members
            .iter()
            .map(|m| {
                Completion::new(&m.name, CompletionKind::Field).detail(self.view.type_name(&m.ty)).doc(m.doc.clone())
            })
            .collect()
    }

    fn variants_after_comparison(&self, prev: &[&str]) -> Option<Vec<Completion>> {
        let n = prev.len();
        let (path, _) = match prev {
            [.., path, op] if matches!(*op, "==" | "!=" | "becomes") => (*path, n),
            [.., path, "in", list] | [.., path, "not", "in", list] if list.starts_with('[') => (*path, n),
            [.., path, "in"] => (*path, n),
            _ => return None,
        };
        let segments: Vec<String> = path.trim_start_matches('(').split('.').map(str::to_string).collect();
        let ty = self.path_type(&segments)?;
        let Ty::Enum(_) = ty.required() else { return None };
        let name = self.view.type_name(ty.required());
        self.view.item(&name).map(variants)
    }

    /// Completions that depend on the word just before the cursor.
    fn after_word(&self, prev: &[&str], block: Block) -> Option<Vec<Completion>> {
        let last = *prev.last()?;
        if block == Block::Test {
            if let Some(out) = self.after_test_word(prev) {
                return Some(out);
            }
        }
        let on_line = prev.first() == Some(&"on");
        Some(match last {
            "on" | "or" if on_line => {
                let mut out = Self::keywords(TRIGGER_WORDS);
                out.extend(
                    self.bindings().into_iter().map(|(n, t)| Completion::new(n, CompletionKind::Variable).detail(t)),
                );
                out
            }
            "event" if on_line => self.items_of_kind(&["event"]),
            "for" if prev.first() == Some(&"wait") => self.items_of_kind(&["event"]),
            "enters" | "leaves" => self.items_of_kind(&["segment"]),
            "template" if block == Block::Step => self.items_of_kind(&["template"]),
            "every" => Self::keywords(&[
                "day",
                "weekday",
                "monday",
                "tuesday",
                "wednesday",
                "thursday",
                "friday",
                "saturday",
                "sunday",
            ]),
            "reentry" => Self::keywords(&["after_exit", "never", "always", "after"]),
            "inflight" => Self::keywords(&["keep", "migrate", "cancel"]),
            "category" => Self::keywords(&["outreach", "risk", "growth"]),
            "visibility" => Self::keywords(&["public", "private"]),
            "notify" => Self::keywords(&["email", "slack"]),
            "did(" | "count(" | "last(" => self.items_of_kind(&["event"]),
            w if w.ends_with(':') && matches!(block, Block::Record) => self.types(),
            w if w.ends_with(':') && prev.first() == Some(&"for") => self.items_of_kind(&["record"]),
            _ => return None,
        })
    }

    /// At the start of a line: what a member of this block starts with.
    fn line_start(&self, block: Block, header: &str) -> Vec<Completion> {
        match block {
            Block::TopLevel => {
                let mut out = Self::keywords(ITEM_WORDS);
                out.push(Completion::snippet(
                    "playbook …",
                    "playbook ${1:name} \"${2:Title}\" {\n  for ${3:account}: ${4:Account}\n  on ${5:created}\n  step ${6:first} {\n    $0\n  }\n}",
                    "a new playbook",
                ));
                out
            }
            Block::Playbook => {
                // A playbook has one subject.
                let has_for = self.item_text.lines().any(|l| l.trim_start().starts_with("for "));
                let words: Vec<&str> = CLAUSE_WORDS.iter().copied().filter(|w| !(has_for && *w == "for")).collect();
                let mut out = Self::keywords(&words);
                out.push(Completion::snippet(
                    "step …",
                    "step ${1:name} \"${2:Title}\" {\n  $0\n}",
                    "a step with its actions",
                ));
                out.push(Completion::snippet("wait for …", "wait for ${1:Event} timeout ${2:5d}", "wait for an event"));
                out
            }
            Block::Step => {
                let mut out = Self::keywords(ACTION_WORDS);
                out.extend([
                    Completion::snippet(
                        "task …",
                        "task \"${1:Title}\" to ${2:account.owner} due ${3:2d}",
                        "a task in the queue",
                    ),
                    Completion::snippet(
                        "email_task …",
                        "email_task to ${1:account.champion ?? skip} template ${2:template}",
                        "a drafted email to approve",
                    ),
                    Completion::snippet(
                        "notify slack …",
                        "notify slack \"${1:#channel}\" \"${2:message}\"",
                        "a Slack message",
                    ),
                    Completion::snippet("update …", "update ${1:account} { ${2:field}: ${3:value} }", "a CRM update"),
                ]);
                out
            }
            Block::Stage => Self::keywords(&["activity", "optional activity"]),
            Block::Test => Self::keywords(TEST_WORDS),
            Block::Template => Self::keywords(&["subject", "body"]),
            Block::Record | Block::Enum => Vec::new(),
            Block::Values => self.value_fields(header),
        }
    }

    /// Fields of the record a `{ name: value }` list is for.
    fn value_fields(&self, header: &str) -> Vec<Completion> {
        let words: Vec<&str> = header.split_whitespace().collect();
        let record = match words.as_slice() {
            [.., "creates", t] => Some(t.to_string()),
            ["given" | "create", t, ..] => Some(t.to_string()),
            [.., "update", path] => {
                let segments: Vec<String> = path.split('.').map(str::to_string).collect();
                self.path_type(&segments).map(|t| self.view.type_name(t.required()))
            }
            _ => None,
        };
        let Some(item) = record.as_deref().and_then(|r| self.view.item(r)) else { return Vec::new() };
        item.members
            .iter()
            .map(|m| Completion {
                insert_text: Some(format!("{}: ", m.name)),
                ..Completion::new(&m.name, CompletionKind::Field).detail(self.view.type_name(&m.ty)).doc(m.doc.clone())
            })
            .collect()
    }

    /// Anywhere a value may go: bindings, segments and signals, functions, `timed_out`.
    fn expression(&self) -> Vec<Completion> {
        let mut out: Vec<Completion> =
            self.bindings().into_iter().map(|(n, t)| Completion::new(n, CompletionKind::Variable).detail(t)).collect();
        out.extend(self.items_of_kind(&["segment", "signal"]));
        out.extend(FUNCTIONS.iter().map(|f| Completion {
            insert_text: Some(format!("{}($0)", f.name)),
            ..Completion::new(f.name, CompletionKind::Function).doc(Some(f.doc.to_string()))
        }));
        if self.item_text.lines().any(|l| l.trim_start().starts_with("wait for")) {
            out.push(Completion::new("timed_out", CompletionKind::Variable).detail("Bool"));
        }
        out.extend(Self::keywords(&["and", "or", "not", "true", "false"]));
        let _ = self.line;
        out
    }
}

fn variants(e: &super::view::ItemView) -> Vec<Completion> {
    e.members.iter().map(|v| Completion::new(&v.name, CompletionKind::Variant).detail(e.name.clone())).collect()
}

fn record_ty(view: &ModelView, name: &str) -> Option<Ty> {
    view.record_ty(name)
}

fn event_ty(view: &ModelView, name: &str) -> Option<Ty> {
    view.event_ty(name)
}

/// Where the item holding `offset` starts: the last line at or before it that starts an
/// item at column 0.
fn item_start(source: &str, offset: usize) -> usize {
    let mut start = 0;
    let mut at = 0;
    for line in source[..offset].split_inclusive('\n') {
        if crate::syntax::starts_item(line.as_bytes()) {
            start = at;
        }
        at += line.len();
    }
    start
}

/// The innermost `{` still open in `text` and the header before it (`step s "T"`).
fn innermost_block(text: &str) -> (Block, String) {
    let mut stack: Vec<usize> = Vec::new();
    let mut chars = text.char_indices().peekable();
    let mut in_text = false;
    while let Some((i, c)) = chars.next() {
        match c {
            '"' => in_text = !in_text,
            '\\' if in_text => {
                chars.next();
            }
            '\n' => in_text = false,
            '/' if !in_text && chars.peek().is_some_and(|(_, n)| *n == '/') => {
                for (_, n) in chars.by_ref() {
                    if n == '\n' {
                        break;
                    }
                }
            }
            '{' if !in_text => stack.push(i),
            '}' if !in_text => {
                stack.pop();
            }
            _ => {}
        }
    }
    let Some(&open) = stack.last() else { return (Block::TopLevel, String::new()) };
    let line_start = text[..open].rfind(['\n', '{', '}']).map_or(0, |i| i + 1);
    let header = text[line_start..open].trim().to_string();
    let first = header.split_whitespace().next().unwrap_or("");
    let block = if header.contains("creates ") || matches!(first, "update" | "given" | "create" | "webhook") {
        Block::Values
    } else {
        match first {
            "playbook" => Block::Playbook,
            "step" => Block::Step,
            "stage" => Block::Stage,
            "record" | "extend" | "event" => Block::Record,
            "template" | "public" | "private" => Block::Template,
            "test" => Block::Test,
            "enum" => Block::Enum,
            _ => Block::Values,
        }
    };
    (block, header)
}

/// `account.owner.` or `account.ow` at the end of a line: the path and the partial field.
fn dotted_before(line: &str) -> Option<(Vec<String>, String)> {
    let tail_start = line
        .char_indices()
        .rev()
        .take_while(|(_, c)| c.is_ascii_alphanumeric() || *c == '_' || *c == '.')
        .last()
        .map(|(i, _)| i)?;
    let tail = &line[tail_start..];
    let (path, partial) = tail.rsplit_once('.')?;
    if path.is_empty() || path.split('.').any(str::is_empty) {
        return None;
    }
    Some((path.split('.').map(str::to_string).collect(), partial.to_string()))
}
