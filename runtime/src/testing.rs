//! `play test`: each `test` block replayed in simulated time against a fresh in-memory
//! engine, its expectations checked against the actions produced.

use std::sync::Arc;

use play_compiler::program::{
    ActionKind, Channel, Code, Expect, ExpectKind, Program, SrcSpan, TestDef, TestStmtKind, Verb,
};

use crate::change::{Change, ChangeKind};
use crate::config::Workspace;
use crate::engine::{Action, Engine, Outcome};
use crate::store::{MemoryStore, Store};
use crate::value::Value;
use crate::vm::Fault;

/// How one test went.
#[derive(Clone, Debug, PartialEq)]
pub struct TestResult {
    pub name: String,
    pub span: SrcSpan,
    pub failures: Vec<Failure>,
    /// The run history of the test, for explaining a failure.
    pub history: Vec<crate::engine::HistoryEntry>,
}

impl TestResult {
    pub fn passed(&self) -> bool {
        self.failures.is_empty()
    }
}

/// One thing that did not go as the test said.
#[derive(Clone, Debug, PartialEq)]
pub struct Failure {
    /// The statement at fault.
    pub span: SrcSpan,
    /// What was expected (or what went wrong).
    pub message: String,
    /// What was produced instead, one action per line.
    pub produced: Vec<String>,
}

/// Runs every test of the program.
pub fn run_all(program: &Program, workspace: &Workspace) -> Vec<TestResult> {
    program.tests.iter().map(|t| run(program, workspace, t)).collect()
}

/// Runs one test.
pub fn run(program: &Program, workspace: &Workspace, test: &TestDef) -> TestResult {
    // The clock starts at the test's first `at`, so that setting up records does not
    // count as time passing.
    let start = test
        .stmts
        .iter()
        .find_map(|s| match &s.kind {
            TestStmtKind::At(c) => Some(moment(c, workspace)),
            _ => None,
        })
        .unwrap_or(0);
    let store = MemoryStore::new(program.schema.records.len());
    let mut engine = Engine::new(program.clone(), workspace.clone(), store, start);
    let mut failures = Vec::new();
    let mut seen: Vec<Action> = Vec::new();
    // Actions a `complete` or `dismiss` took before the next group of `expect`s looked.
    let mut carried: Vec<Action> = Vec::new();
    // Actions still open, for `complete` and `dismiss`.
    let mut pending: Vec<Action> = Vec::new();
    let mut history_seen = 0;
    for stmt in &test.stmts {
        let result = match &stmt.kind {
            TestStmtKind::Put { created, record, name, fields } => {
                let types = &program.schema.records[*record].fields;
                let Some(fields) = values(&mut engine, types, fields, &mut failures) else { continue };
                let id: Arc<str> = Arc::from(name.as_str());
                if *created {
                    let at = engine.now();
                    engine.ingest(Change { at, kind: ChangeKind::Upsert { record: *record as u32, id, fields } })
                } else {
                    engine.given(*record as u32, id, fields)
                }
            }
            TestStmtKind::Update { record, name, fields } => {
                let types = &program.schema.records[*record].fields;
                let Some(fields) = values(&mut engine, types, fields, &mut failures) else { continue };
                let at = engine.now();
                engine.ingest(Change {
                    at,
                    kind: ChangeKind::Upsert { record: *record as u32, id: Arc::from(name.as_str()), fields },
                })
            }
            TestStmtKind::Delete { record, name } => {
                let at = engine.now();
                engine.ingest(Change {
                    at,
                    kind: ChangeKind::Delete { record: *record as u32, id: Arc::from(name.as_str()) },
                })
            }
            TestStmtKind::Event { event, subject, fields } => {
                let types = &program.schema.events[*event].fields;
                let Some(fields) = values(&mut engine, types, fields, &mut failures) else { continue };
                let at = engine.now();
                engine.ingest(Change {
                    at,
                    kind: ChangeKind::Event { event: *event as u32, subject: Arc::from(subject.as_str()), fields },
                })
            }
            TestStmtKind::At(c) => {
                let t = moment(c, workspace);
                if t < engine.now() {
                    failures.push(Failure {
                        span: stmt.span,
                        message: "the clock cannot go back: `at` is before the test's current time".into(),
                        produced: Vec::new(),
                    });
                }
                engine.advance_to(t);
                Ok(())
            }
            TestStmtKind::After(d) => {
                let t = crate::vm::shift(&engine.workspace, engine.now(), *d);
                engine.advance_to(t);
                Ok(())
            }
            TestStmtKind::AddActivity { activity, record } => {
                if let Err(message) = add_activity(&mut engine, activity, record.as_deref()) {
                    failures.push(Failure { span: stmt.span, message, produced: Vec::new() });
                }
                Ok(())
            }
            TestStmtKind::Act { verb, expect, snooze_for } => {
                // Actions produced so far are seen by the next group of `expect`s too.
                let fresh = engine.take_actions();
                carried.extend(fresh.iter().cloned());
                pending.extend(fresh);
                let open = opened(&engine, &pending);
                let found = matching(&mut engine, expect, &open).map(|a| a.seq);
                match found {
                    Some(seq) => {
                        match verb {
                            Verb::Complete => engine.complete(seq),
                            Verb::Dismiss => engine.dismiss(seq, "dismissed in a test"),
                            Verb::Snooze => {
                                let for_ = snooze_for.unwrap_or_default();
                                let until = crate::vm::shift(&engine.workspace, engine.now(), for_);
                                engine.snooze(seq, until)
                            }
                        };
                        // A snoozed action is still open: it can be completed later.
                        if *verb != Verb::Snooze {
                            pending.retain(|a| a.seq != seq);
                        }
                    }
                    None => {
                        let source = expect.source.split_whitespace().collect::<Vec<_>>().join(" ");
                        let open = opened(&engine, &pending);
                        let produced = if open.is_empty() {
                            vec!["nothing open".to_string()]
                        } else {
                            open.iter().map(describe).collect()
                        };
                        failures.push(Failure {
                            span: stmt.span,
                            message: format!("`{source}`: no open action like this"),
                            produced,
                        });
                    }
                }
                Ok(())
            }
            TestStmtKind::Expect(expect) => {
                if expect.starts_group {
                    let fresh = engine.take_actions();
                    pending.extend(fresh.iter().cloned());
                    seen = std::mem::take(&mut carried);
                    seen.extend(fresh);
                }
                if let Some(message) = check(&mut engine, expect, &seen) {
                    let produced =
                        if seen.is_empty() { vec!["nothing".to_string()] } else { seen.iter().map(describe).collect() };
                    failures.push(Failure { span: stmt.span, message, produced });
                }
                Ok(())
            }
        };
        if let Err(rejection) = result {
            failures.push(Failure {
                span: stmt.span,
                message: format!("the change was refused: {}", rejection.message),
                produced: Vec::new(),
            });
        }
        // A run that failed is a failure of the test, reported where it happened.
        for entry in &engine.history[history_seen..] {
            if let Outcome::Failed { error, file, line, column } = &entry.outcome {
                failures.push(Failure {
                    span: stmt.span,
                    message: format!(
                        "the playbook `{}` failed for {} at {file}:{line}:{column}: {error}",
                        entry.playbook, entry.record
                    ),
                    produced: Vec::new(),
                });
            }
        }
        history_seen = engine.history.len();
    }
    TestResult { name: test.name.clone(), span: test.span, failures, history: std::mem::take(&mut engine.history) }
}

/// `add activity NAME [on RECORD]`: the optional activity added to the one run (of the
/// record, when named) in a stage that offers it.
fn add_activity(engine: &mut Engine<MemoryStore>, activity: &str, record: Option<&str>) -> Result<(), String> {
    let program = engine.program();
    let runs: Vec<u64> = engine
        .store
        .all_active_runs()
        .into_iter()
        .filter(|run| {
            engine.run(*run).is_some_and(|run| {
                record.is_none_or(|id| *run.record_id == *id)
                    && run.state == crate::engine::run::RunState::InStage
                    && program.playbooks.get(run.playbook).and_then(|p| p.body.get(run.pc)).is_some_and(|node| {
                        matches!(node, play_compiler::program::Node::Stage(stage)
                            if stage.activities.iter().any(|a| a.optional && a.name.as_deref() == Some(activity)))
                    })
            })
        })
        .collect();
    let on = record.map(|r| format!(" for `{r}`")).unwrap_or_default();
    match runs[..] {
        [run] => match engine.add_activity(run, activity) {
            Some(_) => Ok(()),
            None => Err(format!("the optional activity `{activity}` was not added{on}")),
        },
        [] => Err(format!("no run{on} is in a stage with the optional activity `{activity}`")),
        _ => Err(format!(
            "{} runs are in a stage with `{activity}`: name the record, `add activity {activity} on …`",
            runs.len()
        )),
    }
}

fn moment(c: &play_compiler::program::Const, workspace: &Workspace) -> i64 {
    match Value::from_const(c, |t| {
        workspace.at_local(t.date(), 0, 0).timestamp()
            + i64::from(chrono::Timelike::num_seconds_from_midnight(&t.time()))
    }) {
        Value::Moment(t) => t,
        _ => 0,
    }
}

/// A test's field values; a teammate written as an address is a reference to them. A
/// value that cannot be worked out (`1 / 0`) fails the test at its place: `None`.
fn values(
    engine: &mut Engine<MemoryStore>,
    types: &[play_compiler::program::FieldDef],
    fields: &[(usize, Code)],
    failures: &mut Vec<Failure>,
) -> Option<Vec<(u32, Value)>> {
    let mut out = Vec::with_capacity(fields.len());
    for (slot, code) in fields {
        let v = match engine.eval_about_nothing(code) {
            Ok(v) => v,
            Err(Fault::Skip { .. }) => Value::Empty,
            Err(Fault::Failed { message, span } | Fault::Gone { message, span }) => {
                let field = types.get(*slot).map_or("?", |f| f.name.as_str());
                failures.push(Failure {
                    span,
                    message: format!("the value of `{field}` cannot be worked out: {message}"),
                    produced: Vec::new(),
                });
                return None;
            }
        };
        let v = match (types.get(*slot).map(|f| f.ty.required()), v) {
            (Some(play_compiler::program::Ty::Record(r)), Value::Text(id)) => Value::Ref { record: *r as u32, id },
            (_, v) => v,
        };
        out.push((*slot as u32, v));
    }
    Some(out)
}

fn kind_matches(kind: ExpectKind, action: ActionKind) -> bool {
    match kind {
        ExpectKind::Task => action == ActionKind::Task,
        ExpectKind::EmailTask => action == ActionKind::EmailTask,
        ExpectKind::Email => action == ActionKind::Email,
        ExpectKind::Assign => action == ActionKind::Assign,
        ExpectKind::Notify(None) => matches!(action, ActionKind::NotifyEmail | ActionKind::NotifySlack),
        ExpectKind::Notify(Some(Channel::Email)) => action == ActionKind::NotifyEmail,
        ExpectKind::Notify(Some(Channel::Slack)) => action == ActionKind::NotifySlack,
        ExpectKind::Enroll => action == ActionKind::Enroll,
        ExpectKind::Brief => action == ActionKind::Brief,
        ExpectKind::Update => action == ActionKind::Update,
        ExpectKind::Webhook => action == ActionKind::Webhook,
        ExpectKind::Activity => action == ActionKind::Activity,
    }
}

/// The actions of `list` that are still open.
fn opened(engine: &Engine<MemoryStore>, list: &[Action]) -> Vec<Action> {
    list.iter().filter(|a| engine.is_open(a.seq)).cloned().collect()
}

/// The first action of `list` an expectation matches.
fn matching(engine: &mut Engine<MemoryStore>, expect: &Expect, list: &[Action]) -> Option<Action> {
    let found = find(engine, expect, list);
    found.first().map(|a| (*a).clone())
}

/// Checks one expectation; the message when it does not hold.
fn check(engine: &mut Engine<MemoryStore>, expect: &Expect, seen: &[Action]) -> Option<String> {
    let found = find(engine, expect, seen);
    let source = expect.source.split_whitespace().collect::<Vec<_>>().join(" ");
    if let Some(n) = expect.count {
        if found.len() != n as usize {
            let produced = match found.len() {
                0 => "none was".to_string(),
                1 => "1 was".to_string(),
                k => format!("{k} were"),
            };
            return Some(format!("`{source}` did not hold: {n} such actions were expected, {produced} produced"));
        }
        return None;
    }
    match (expect.negated, found.first()) {
        (false, None) => Some(format!("`{source}` did not hold: no such action was produced")),
        (true, Some(a)) => Some(format!("`{source}` did not hold: produced {}", describe(a))),
        _ => None,
    }
}

/// The actions an expectation matches.
fn find<'a>(engine: &mut Engine<MemoryStore>, expect: &Expect, seen: &'a [Action]) -> Vec<&'a Action> {
    let to = expect.to.as_ref().map(|c| engine.eval_plain(c));
    let titled = expect.titled.as_ref().map(|c| engine.eval_plain(c).display(engine.program()));
    let containing = expect.containing.as_ref().map(|c| engine.eval_plain(c).display(engine.program()));
    let matches = |a: &&Action| {
        kind_matches(expect.kind, a.action)
            && to.as_ref().is_none_or(|want| match want {
                Value::Ref { record, id } => {
                    let name = engine.program().schema.records.get(*record as usize).map_or("", |r| r.name.as_str());
                    a.to_record.as_deref() == Some(&format!("{name}/{id}")) || a.to.as_deref() == Some(id)
                }
                other => a.to.as_deref() == Some(other.display(engine.program()).as_str()),
            })
            // A notification's title is its message.
            && titled.as_ref().is_none_or(|t| a.title.as_deref().or(a.message.as_deref()) == Some(t.as_str()))
            && containing.as_ref().is_none_or(|part| {
                [&a.title, &a.message, &a.subject, &a.body].into_iter().flatten().any(|text| text.contains(part.as_str()))
            })
            && expect.template.as_ref().is_none_or(|t| a.template.as_deref() == Some(t.as_str()))
            && expect.playbook.as_ref().is_none_or(|p| *a.playbook == **p)
            && expect.step.as_ref().is_none_or(|s| *a.step == **s || a.activity.as_deref() == Some(s.as_str()))
    };
    seen.iter().filter(matches).collect()
}

/// An action in one line, for failure reports.
pub fn describe(a: &Action) -> String {
    let mut s = a.action.name().to_string();
    if let Some(to) = &a.to {
        s.push_str(&format!(" to {to:?}"));
    }
    if let Some(t) = &a.title {
        s.push_str(&format!(" titled {t:?}"));
    }
    if let Some(t) = &a.template {
        s.push_str(&format!(" template {t}"));
    }
    s.push_str(&format!(" ({} · {}, {})", a.playbook, a.step, crate::value::moment_text(a.at)));
    s
}
