//! Engine snapshots and recovery, as a daemon uses them: for generated change streams over
//! the customer-success example (late changes and queue work included), an engine that
//! takes everything gives the same actions, action states, history and final snapshot as
//! one restored from a snapshot taken part way and fed the rest.

use play_compiler::program::{ActionKind, Program};
use play_runtime::change::parse_line;
use play_runtime::engine::{Engine, Output, SnapshotError};
use play_runtime::store::MemoryStore;
use proptest::prelude::*;
use serde_json::json;

use crate::determinism::{render, stream, Op};
use crate::direct::{customer_success, Project};

/// What a daemon does to the engine besides feeding it: the queue's work on the actions it
/// handed out (the `pick`-th task seen so far), after a change line.
#[derive(Clone, Debug)]
struct Work {
    kind: u8,
    pick: u8,
    /// Minutes the change line arrives after its `at`.
    late: u16,
}

fn work() -> impl Strategy<Value = Work> {
    (0..6u8, any::<u8>(), prop_oneof![3 => Just(0u16), 1 => 1..600u16]).prop_map(|(kind, pick, late)| Work {
        kind,
        pick,
        late,
    })
}

/// Everything handed over, in order, as text that compares.
#[derive(Debug, Default, PartialEq)]
struct Seen {
    actions: Vec<String>,
    updates: Vec<String>,
    history: Vec<String>,
    refused: Vec<String>,
}

impl Seen {
    fn take(&mut self, out: Output, tasks: &mut Vec<String>) {
        for a in out.actions {
            if matches!(a.action, ActionKind::Task | ActionKind::EmailTask | ActionKind::Activity) {
                tasks.push(a.id.clone());
            }
            self.actions.push(a.to_json_line());
        }
        self.updates.extend(out.updates.iter().map(|u| format!("{u:?}")));
        self.history.extend(out.history.iter().map(|h| serde_json::to_string(h).unwrap_or_default()));
    }
}

fn fresh(project: &Project, start: i64, hand_over: bool) -> Engine<MemoryStore> {
    let store = MemoryStore::new(project.program.schema.records.len());
    let mut engine = Engine::new(project.program.clone(), project.workspace.clone(), store, start);
    engine.hand_over = hand_over;
    engine.keep_ended_runs = !hand_over;
    engine
}

fn by_hash(project: &Project) -> impl Fn(&str) -> Option<Program> + '_ {
    move |hash: &str| (project.program.hash == hash).then(|| project.program.clone())
}

/// Feeds the lines (with the queue's work after each) to an engine that is snapshotted
/// and restored before line `cut`; gives what it handed over and its final snapshot.
fn daemon(
    project: &Project,
    lines: &[&str],
    work: &[Work],
    until: i64,
    cut: usize,
    hand_over: bool,
) -> (Seen, Vec<u8>) {
    let start = moment("2026-03-02T08:00:00Z");
    let mut engine = fresh(project, start, hand_over);
    let mut seen = Seen::default();
    let mut tasks = Vec::new();
    for (i, (line, w)) in lines.iter().zip(work).enumerate() {
        if i == cut {
            let bytes = engine.snapshot();
            engine = Engine::restore(&bytes, project.workspace.clone(), &by_hash(project)).expect("restores");
        }
        let parsed = parse_line(line, engine.program(), &engine.workspace);
        let taken = parsed.and_then(|l| {
            let arrival = l.change.at + i64::from(w.late) * 60;
            engine.ingest_arrived(l.change, l.change_id, arrival)
        });
        if let Err(r) = taken {
            seen.refused.push(format!("{i}: {}", r.message));
        }
        seen.take(engine.take_output(), &mut tasks);
        if w.kind < 3 && !tasks.is_empty() {
            let id = &tasks[usize::from(w.pick) % tasks.len()];
            let at = play_runtime::value::moment_text(engine.now());
            let until = play_runtime::value::moment_text(engine.now() + 2 * 86_400);
            let line = match w.kind {
                0 => json!({"at": at, "change": "action", "op": "complete", "action": id, "by": "jo@example.com"}),
                1 => json!({"at": at, "change": "action", "op": "dismiss", "action": id, "reason": "not now"}),
                _ => json!({"at": at, "change": "action", "op": "snooze", "action": id, "until": until}),
            };
            let taken = parse_line(&line.to_string(), engine.program(), &engine.workspace)
                .and_then(|l| engine.ingest_arrived(l.change, None, engine.now()));
            if let Err(r) = taken {
                seen.refused.push(format!("{i} (work): {}", r.message));
            }
            seen.take(engine.take_output(), &mut tasks);
        }
    }
    if cut == lines.len() {
        let bytes = engine.snapshot();
        engine = Engine::restore(&bytes, project.workspace.clone(), &by_hash(project)).expect("restores");
    }
    engine.advance_to(until);
    seen.take(engine.take_output(), &mut tasks);
    (seen, engine.snapshot())
}

fn moment(text: &str) -> i64 {
    chrono::DateTime::parse_from_rfc3339(text).expect("a moment").timestamp()
}

/// A stream of ops with the queue's work beside each, and where to cut.
fn case() -> impl Strategy<Value = (Vec<(Op, u32)>, u16, Vec<Work>, usize, bool)> {
    stream().prop_flat_map(|(ops, extra)| {
        let n = ops.len();
        (Just(ops), Just(extra), prop::collection::vec(work(), n), 0..=n, any::<bool>())
    })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

    #[test]
    fn a_restored_engine_acts_as_the_one_that_never_stopped((ops, extra, work, cut, hand_over) in case()) {
        let (text, until, _) = render(&ops, extra);
        let lines: Vec<&str> = text.lines().collect();
        let project = customer_success();
        let until = moment(&until);
        let (all, end) = daemon(project, &lines, &work, until, usize::MAX, hand_over);
        let (resumed, resumed_end) = daemon(project, &lines, &work, until, cut, hand_over);
        prop_assert_eq!(&all.actions, &resumed.actions, "changes:\n{}", text);
        prop_assert_eq!(&all.updates, &resumed.updates);
        prop_assert_eq!(&all.history, &resumed.history);
        prop_assert_eq!(&all.refused, &resumed.refused);
        prop_assert!(end == resumed_end, "the final snapshots differ");
    }
}

/// A snapshot of a busy engine: the example's changes, with a task worked.
fn busy() -> (Vec<u8>, &'static Project) {
    let project = customer_success();
    let text = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/examples/customer-success/changes.jsonl"))
        .expect("the example's changes");
    let mut engine = fresh(project, moment("2026-03-02T08:00:00Z"), true);
    for line in text.lines().filter(|l| !l.trim().is_empty()) {
        if let Ok(l) = parse_line(line, engine.program(), &engine.workspace) {
            let arrival = l.change.at;
            let _ = engine.ingest_arrived(l.change, l.change_id, arrival);
        }
        engine.take_output();
    }
    (engine.snapshot(), project)
}

#[test]
fn the_same_state_gives_the_same_snapshot_bytes() {
    let (bytes, project) = busy();
    let restored = Engine::restore(&bytes, project.workspace.clone(), &by_hash(project)).expect("restores");
    assert_eq!(restored.snapshot(), bytes);
    assert_eq!(busy().0, bytes);
}

#[test]
fn a_damaged_snapshot_is_an_error_never_a_panic() {
    let (bytes, project) = busy();
    let restore = |b: &[u8]| Engine::restore(b, project.workspace.clone(), &by_hash(project)).map(|_| ());
    // Every byte flipped in turn (every bit of the header, one bit of each body byte).
    for i in 0..bytes.len() {
        let bits: &[u8] = if i < 20 { &[1, 2, 4, 8, 16, 32, 64, 128] } else { &[1 << (i % 8)] };
        for bit in bits {
            let mut damaged = bytes.clone();
            damaged[i] ^= bit;
            assert!(restore(&damaged).is_err(), "byte {i} flipped by {bit} was restored");
        }
    }
    for len in [0, 7, 12, 19, 20, bytes.len() / 2, bytes.len() - 1] {
        assert!(restore(&bytes[..len]).is_err(), "cut to {len} bytes was restored");
    }
    assert_eq!(restore(b"not a snapshot at all"), Err(SnapshotError::NotASnapshot));
}

#[test]
fn a_snapshot_names_its_programs_by_hash() {
    let (bytes, project) = busy();
    let nothing = |_: &str| None::<Program>;
    let missing = Engine::restore(&bytes, project.workspace.clone(), &nothing).map(|_| ());
    assert_eq!(missing, Err(SnapshotError::MissingProgram(project.program.hash.clone())));
}

#[test]
fn a_change_id_is_remembered_for_its_window_then_let_go() {
    let project = customer_success();
    let start = moment("2026-03-02T08:00:00Z");
    let mut engine = fresh(project, start, true);
    let line = |at: i64| {
        let at = play_runtime::value::moment_text(at);
        json!({"at": at, "change": "upsert", "record": "Account", "id": "a1", "change_id": "crm-1",
            "fields": {"name": "A", "tier": "Smb", "arr": 1, "stage": "Onboarding", "health": 50, "owner": "jo@example.com",
                "weekly_active_users": 3}})
        .to_string()
    };
    let feed = |engine: &mut Engine<MemoryStore>, at: i64| {
        let l = parse_line(&line(at), engine.program(), &engine.workspace).expect("a line");
        engine.ingest_arrived(l.change, l.change_id, at).expect("taken")
    };
    use play_runtime::engine::Taken;
    assert_eq!(feed(&mut engine, start), Taken::Accepted);
    assert_eq!(feed(&mut engine, start + 86_400), Taken::Duplicate);
    let later = start + play_runtime::engine::CHANGE_ID_WINDOW + 86_400;
    assert_eq!(feed(&mut engine, later), Taken::Accepted);
}
