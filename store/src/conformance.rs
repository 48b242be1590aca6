//! The one conformance suite every [`Store`] passes: `run(|| a fresh store)` panics with
//! the name of the first rule the store breaks. SQLite (`store/tests/conformance.rs`) and
//! PostgreSQL (`store/tests/postgres.rs`) run this same function.

use crate::{
    ActionQuery, ActionRow, ActionState, ActionUpdate, Batch, Command, Cursor, FieldValue, HistoryQuery, HistoryRow,
    OutboxRow, RunRow, Store,
};

/// Runs every rule against fresh stores made by `fresh`.
pub fn run<S: Store>(mut fresh: impl FnMut() -> S) {
    journal_positions_grow_and_read_back_in_order(&mut fresh());
    an_empty_store_is_at_position_zero_with_a_schema(&mut fresh());
    the_latest_snapshot_wins(&mut fresh());
    programs_are_kept_by_hash(&mut fresh());
    actions_rank_by_priority_then_age(&mut fresh());
    cursor_paging_visits_every_action_once(&mut fresh());
    filters_and_visibility_narrow_the_queue(&mut fresh());
    an_action_produced_again_is_not_a_second_row(&mut fresh());
    people_working_actions_change_their_state(&mut fresh());
    history_filters_by_record_playbook_and_since(&mut fresh());
    runs_are_updated_in_place(&mut fresh());
    field_values_keep_the_last_numbers_of_a_field(&mut fresh());
    tokens_are_found_by_their_hash(&mut fresh());
    change_ids_are_remembered(&mut fresh());
    counters_count(&mut fresh());
}

/// An action for tests.
pub fn action(id: &str, priority: f64, at: i64, seq: u64) -> ActionRow {
    ActionRow {
        id: id.to_string(),
        at,
        seq,
        playbook: "renewal".into(),
        step: "review".into(),
        record: "Account/acme".into(),
        kind: "task".into(),
        category: Some("risk".into()),
        assignee: Some("jo@example.com".into()),
        priority,
        state: ActionState::Open,
        public: true,
        owner: None,
        snoozed_until: None,
        json: format!("{{\"id\":\"{id}\"}}"),
    }
}

fn change(n: usize) -> Command {
    Command::Change { line: format!("{{\"n\":{n}}}"), arrival: (n % 2 == 0).then_some(1_000 + n as i64) }
}

fn journal_positions_grow_and_read_back_in_order(s: &mut impl Store) {
    let first = Batch { commands: vec![change(1), Command::Tick { at: 5 }], ..Batch::default() };
    assert_eq!(s.append(&first).unwrap(), 2, "journal: a batch of two ends at position 2");
    let deploy = Command::Deploy { hash: "h".into(), at: 7 };
    assert_eq!(s.append(&Batch { commands: vec![deploy.clone()], ..Batch::default() }).unwrap(), 3);
    assert_eq!(s.journal_position().unwrap(), 3);
    let all = s.read_journal(0, 100).unwrap();
    assert_eq!(all, vec![(1, change(1)), (2, Command::Tick { at: 5 }), (3, deploy)], "journal: read back in order");
    assert_eq!(s.read_journal(1, 1).unwrap(), vec![(2, Command::Tick { at: 5 })], "journal: after and limit");
    assert!(s.read_journal(3, 10).unwrap().is_empty(), "journal: nothing after the end");
}

fn an_empty_store_is_at_position_zero_with_a_schema(s: &mut impl Store) {
    assert_eq!(s.journal_position().unwrap(), 0);
    assert!(s.schema_version().unwrap() >= 1, "schema: migrations ran");
    assert_eq!(s.latest_snapshot().unwrap(), None);
}

fn the_latest_snapshot_wins(s: &mut impl Store) {
    s.put_snapshot(10, b"ten").unwrap();
    s.put_snapshot(20, b"twenty").unwrap();
    assert_eq!(s.latest_snapshot().unwrap(), Some((20, b"twenty".to_vec())), "snapshots: the latest");
}

fn programs_are_kept_by_hash(s: &mut impl Store) {
    s.put_program("abc", b"program").unwrap();
    s.put_program("abc", b"program").unwrap();
    assert_eq!(s.program("abc").unwrap(), Some(b"program".to_vec()), "programs: by hash");
    assert_eq!(s.program("nope").unwrap(), None);
}

fn append_actions(s: &mut impl Store, actions: Vec<ActionRow>) {
    s.append(&Batch { actions, ..Batch::default() }).unwrap();
}

fn ids(page: &crate::Page) -> Vec<&str> {
    page.items.iter().map(|a| a.id.as_str()).collect()
}

fn actions_rank_by_priority_then_age(s: &mut impl Store) {
    append_actions(s, vec![action("low", 1.0, 10, 1), action("high-new", 9.0, 20, 2), action("high-old", 9.0, 5, 3)]);
    let page = s.actions(&ActionQuery { limit: 10, ..ActionQuery::default() }).unwrap();
    assert_eq!(ids(&page), ["high-old", "high-new", "low"], "queue: priority first, then the oldest");
    assert_eq!(page.next, None, "queue: no next page after the last");
}

fn cursor_paging_visits_every_action_once(s: &mut impl Store) {
    let actions: Vec<_> = (0..25).map(|n| action(&format!("a{n:02}"), (n % 4) as f64, (n % 3) as i64, n)).collect();
    append_actions(s, actions);
    let mut seen = Vec::new();
    let mut cursor = None;
    loop {
        let page = s.actions(&ActionQuery { limit: 7, cursor: cursor.clone(), ..ActionQuery::default() }).unwrap();
        seen.extend(page.items.iter().map(|a| a.id.clone()));
        match page.next {
            Some(next) => cursor = Some(Cursor::decode(&next.encode()).expect("a cursor reads back")),
            None => break,
        }
    }
    let whole = s.actions(&ActionQuery { limit: 100, ..ActionQuery::default() }).unwrap();
    let whole: Vec<String> = whole.items.into_iter().map(|a| a.id).collect();
    assert_eq!(seen, whole, "paging: pages put together are the whole queue, in order, none twice");
    assert_eq!(seen.len(), 25);
}

fn filters_and_visibility_narrow_the_queue(s: &mut impl Store) {
    let mut private = action("private", 5.0, 1, 1);
    private.public = false;
    private.owner = Some("sam@example.com".into());
    let mut other = action("other", 4.0, 1, 2);
    other.assignee = Some("kim@example.com".into());
    other.category = Some("growth".into());
    other.playbook = "expansion".into();
    other.record = "Account/globex".into();
    append_actions(s, vec![private, other, action("plain", 3.0, 1, 3)]);
    let q = |f: fn(&mut ActionQuery)| {
        let mut q = ActionQuery { limit: 10, ..ActionQuery::default() };
        f(&mut q);
        q
    };
    let found = |s: &mut _, q| ids(&Store::actions(s, &q).unwrap()).into_iter().map(String::from).collect::<Vec<_>>();
    assert_eq!(found(s, q(|q| q.visible_to = Some("jo@example.com".into()))), ["other", "plain"], "private: hidden");
    assert_eq!(found(s, q(|q| q.visible_to = Some("sam@example.com".into()))), ["private", "other", "plain"]);
    assert_eq!(found(s, q(|q| q.assignee = Some("kim@example.com".into()))), ["other"], "filter: assignee");
    assert_eq!(found(s, q(|q| q.category = Some("growth".into()))), ["other"], "filter: category");
    assert_eq!(found(s, q(|q| q.playbook = Some("expansion".into()))), ["other"], "filter: playbook");
    assert_eq!(found(s, q(|q| q.record = Some("Account/globex".into()))), ["other"], "filter: record");
    assert_eq!(found(s, q(|q| q.state = Some(ActionState::Done))), Vec::<String>::new(), "filter: state");
}

fn an_action_produced_again_is_not_a_second_row(s: &mut impl Store) {
    append_actions(s, vec![action("a", 1.0, 1, 1)]);
    append_actions(s, vec![action("a", 1.0, 1, 1)]);
    assert_eq!(s.counters().unwrap().actions, 1, "an id is one row");
    let snooze = ActionUpdate { id: "a".into(), state: ActionState::Snoozed, snoozed_until: Some(9), by: None, at: 2 };
    s.append(&Batch { updates: vec![snooze], ..Batch::default() }).unwrap();
    append_actions(s, vec![action("a", 1.0, 1, 1)]);
    let a = s.action("a").unwrap().unwrap();
    assert_eq!((a.state, a.snoozed_until), (ActionState::Open, None), "a snoozed action produced again reopens");
}

fn people_working_actions_change_their_state(s: &mut impl Store) {
    append_actions(s, vec![action("a", 1.0, 1, 1)]);
    assert_eq!(s.open_action("renewal", "review", "Account/acme").unwrap().map(|a| a.id), Some("a".into()));
    let done =
        ActionUpdate { id: "a".into(), state: ActionState::Done, snoozed_until: None, by: Some("jo".into()), at: 3 };
    let outbox =
        OutboxRow { action_id: "a".into(), kind: "email".into(), sink: "smtp".into(), at: 3, json: "{}".into() };
    s.append(&Batch { updates: vec![done], outbox: vec![outbox], ..Batch::default() }).unwrap();
    assert_eq!(s.action("a").unwrap().unwrap().state, ActionState::Done, "a completed action is done");
    assert_eq!(s.open_action("renewal", "review", "Account/acme").unwrap(), None, "and no longer open");
    assert_eq!(s.action("missing").unwrap(), None);
    assert_eq!(s.counters().unwrap().outbox_backlog, 1, "the outbox holds what delivery is to send");
}

fn history_filters_by_record_playbook_and_since(s: &mut impl Store) {
    let entry = |at, playbook: &str, record: &str| HistoryRow {
        at,
        playbook: playbook.into(),
        record: record.into(),
        run: Some(1),
        json: "{}".into(),
    };
    let history = vec![entry(1, "a", "Account/x"), entry(2, "b", "Account/x"), entry(3, "a", "Account/y")];
    s.append(&Batch { history, ..Batch::default() }).unwrap();
    let at =
        |q: HistoryQuery| s.history(&HistoryQuery { limit: 10, ..q }).unwrap().iter().map(|h| h.at).collect::<Vec<_>>();
    assert_eq!(at(HistoryQuery { record: Some("Account/x".into()), ..HistoryQuery::default() }), [1, 2]);
    assert_eq!(at(HistoryQuery { playbook: Some("a".into()), ..HistoryQuery::default() }), [1, 3]);
    assert_eq!(at(HistoryQuery { since: Some(2), ..HistoryQuery::default() }), [2, 3]);
    assert_eq!(at(HistoryQuery { hidden: vec!["a".into()], limit: 1, ..HistoryQuery::default() }), [2], "hidden first");
}

fn field_values_keep_the_last_numbers_of_a_field(s: &mut impl Store) {
    let value =
        |record: &str, field: &str, at, value| FieldValue { record: record.into(), field: field.into(), at, value };
    let first = vec![
        value("Account/x", "health", 3, 70.0),
        value("Account/x", "arr", 3, 1e5),
        value("Account/y", "health", 1, 9.0),
    ];
    s.append(&Batch { values: first, ..Batch::default() }).unwrap();
    // A late change: taken after, at an earlier moment; and two values at one moment.
    let more = vec![
        value("Account/x", "health", 1, 80.0),
        value("Account/x", "health", 5, 40.0),
        value("Account/x", "health", 5, 35.5),
    ];
    s.append(&Batch { values: more, ..Batch::default() }).unwrap();
    assert_eq!(s.field_values("Account/x", "health", 10).unwrap(), [(1, 80.0), (3, 70.0), (5, 40.0), (5, 35.5)]);
    assert_eq!(
        s.field_values("Account/x", "health", 2).unwrap(),
        [(5, 40.0), (5, 35.5)],
        "the last ones, oldest first"
    );
    assert_eq!(s.field_values("Account/x", "arr", 10).unwrap(), [(3, 1e5)]);
    assert!(s.field_values("Account/z", "health", 10).unwrap().is_empty());
}

fn runs_are_updated_in_place(s: &mut impl Store) {
    let run = |state: &str, step: Option<&str>, updated| RunRow {
        run: 7,
        playbook: "p".into(),
        record: "Account/x".into(),
        started: 1,
        updated,
        step: step.map(String::from),
        state: state.into(),
    };
    s.append(&Batch { runs: vec![run("active", Some("one"), 1)], ..Batch::default() }).unwrap();
    s.append(&Batch { runs: vec![run("completed", None, 5)], ..Batch::default() }).unwrap();
    let runs = s.runs(Some("Account/x"), 10).unwrap();
    assert_eq!(runs, vec![run("completed", Some("one"), 5)], "a run is one row; its last step stays");
    assert!(s.runs(Some("Account/other"), 10).unwrap().is_empty());
}

fn tokens_are_found_by_their_hash(s: &mut impl Store) {
    s.add_token("jo@example.com", "hash-1").unwrap();
    assert_eq!(s.token_owner("hash-1").unwrap().as_deref(), Some("jo@example.com"));
    assert_eq!(s.token_owner("hash-2").unwrap(), None);
}

fn change_ids_are_remembered(s: &mut impl Store) {
    s.append(&Batch { commands: vec![change(1)], change_ids: vec!["c-1".into()], ..Batch::default() }).unwrap();
    assert!(s.change_id_taken("c-1").unwrap());
    assert!(!s.change_id_taken("c-2").unwrap());
}

fn counters_count(s: &mut impl Store) {
    append_actions(s, vec![action("a", 1.0, 1, 1), action("b", 1.0, 1, 2)]);
    s.put_snapshot(2, b"x").unwrap();
    let c = s.counters().unwrap();
    assert_eq!((c.actions, c.actions_open, c.snapshot_position), (2, 2, Some(2)));
}
