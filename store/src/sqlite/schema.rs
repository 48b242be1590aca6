//! The SQLite schema as numbered migrations. The version a database is at is its
//! `user_version`; opening runs the migrations after it, each in its own transaction.

/// Migration `n` (1-based) takes a database from version `n - 1` to `n`.
pub const MIGRATIONS: &[&str] = &[
    // 1: the journal, snapshots, programs, projections, tokens.
    "CREATE TABLE journal (
        position INTEGER PRIMARY KEY,
        kind TEXT NOT NULL,
        text TEXT,
        at INTEGER
    );
    CREATE TABLE snapshots (
        position INTEGER PRIMARY KEY,
        bytes BLOB NOT NULL
    );
    CREATE TABLE programs (
        hash TEXT PRIMARY KEY,
        bytes BLOB NOT NULL
    );
    CREATE TABLE change_ids (
        id TEXT PRIMARY KEY
    ) WITHOUT ROWID;
    CREATE TABLE actions (
        id TEXT PRIMARY KEY,
        at INTEGER NOT NULL,
        seq INTEGER NOT NULL,
        playbook TEXT NOT NULL,
        step TEXT NOT NULL,
        record TEXT NOT NULL,
        kind TEXT NOT NULL,
        category TEXT,
        assignee TEXT,
        priority REAL NOT NULL,
        state TEXT NOT NULL,
        public INTEGER NOT NULL,
        owner TEXT,
        snoozed_until INTEGER,
        worked_by TEXT,
        worked_at INTEGER,
        json TEXT NOT NULL
    );
    CREATE INDEX actions_rank ON actions (priority DESC, at, seq);
    CREATE INDEX actions_record ON actions (record);
    CREATE INDEX actions_assignee ON actions (assignee, state);
    CREATE TABLE outbox (
        action_id TEXT PRIMARY KEY,
        kind TEXT NOT NULL,
        at INTEGER NOT NULL,
        json TEXT NOT NULL,
        attempts INTEGER NOT NULL DEFAULT 0,
        delivered_at INTEGER
    );
    CREATE TABLE history (
        n INTEGER PRIMARY KEY,
        at INTEGER NOT NULL,
        playbook TEXT NOT NULL,
        record TEXT NOT NULL,
        run INTEGER,
        json TEXT NOT NULL
    );
    CREATE INDEX history_record ON history (record, n);
    CREATE INDEX history_playbook ON history (playbook, n);
    CREATE TABLE runs (
        run INTEGER PRIMARY KEY,
        playbook TEXT NOT NULL,
        record TEXT NOT NULL,
        started INTEGER NOT NULL,
        updated INTEGER NOT NULL,
        step TEXT,
        state TEXT NOT NULL
    );
    CREATE INDEX runs_record ON runs (record);
    CREATE TABLE tokens (
        sha256 TEXT PRIMARY KEY,
        email TEXT NOT NULL
    );",
    // 2: delivery's state of each outbox row, the sync log, opt-outs, watermarks.
    "ALTER TABLE outbox ADD COLUMN state TEXT NOT NULL DEFAULT 'pending';
    ALTER TABLE outbox ADD COLUMN next_at INTEGER;
    ALTER TABLE outbox ADD COLUMN since INTEGER;
    ALTER TABLE outbox ADD COLUMN last_code TEXT;
    ALTER TABLE outbox ADD COLUMN last_message TEXT;
    UPDATE outbox SET state = 'delivered' WHERE delivered_at IS NOT NULL;
    CREATE INDEX outbox_pending ON outbox (state) WHERE state = 'pending';
    CREATE TABLE attempts (
        n INTEGER PRIMARY KEY,
        action_id TEXT NOT NULL,
        at INTEGER NOT NULL,
        sink TEXT NOT NULL,
        record TEXT NOT NULL,
        teammate TEXT,
        attempt INTEGER NOT NULL,
        outcome TEXT NOT NULL,
        code TEXT NOT NULL,
        message TEXT NOT NULL,
        next_at INTEGER
    );
    CREATE INDEX attempts_at ON attempts (at);
    CREATE TABLE opt_outs (
        who TEXT PRIMARY KEY,
        reason TEXT NOT NULL,
        at INTEGER NOT NULL
    );
    CREATE TABLE marks (
        name TEXT PRIMARY KEY,
        value INTEGER NOT NULL
    );",
    // 3: the sink each outbox row goes to, chosen when it is projected; rows already
    // there get the sink their kind went to.
    "ALTER TABLE outbox ADD COLUMN sink TEXT NOT NULL DEFAULT 'none';
    UPDATE outbox SET sink = CASE
        WHEN kind IN ('email', 'notify_email') THEN 'smtp'
        WHEN kind = 'notify_slack' THEN 'slack'
        WHEN kind IN ('webhook', 'enroll') THEN 'webhook'
        WHEN kind IN ('assign', 'update') THEN 'crm'
        WHEN kind = 'brief' THEN CASE WHEN json LIKE '%\"to\":\"#%' THEN 'slack' ELSE 'smtp' END
        ELSE 'none' END;
    CREATE INDEX outbox_sink ON outbox (sink);",
    // 4: email-sync settings (the company's blacklist and switches, each teammate's own),
    // JSON by scope.
    "CREATE TABLE sync_settings (
        scope TEXT PRIMARY KEY,
        json TEXT NOT NULL,
        at INTEGER NOT NULL
    );",
    // 5: the numbers records' fields took, for trends.
    "CREATE TABLE field_values (
        n INTEGER PRIMARY KEY,
        record TEXT NOT NULL,
        field TEXT NOT NULL,
        at INTEGER NOT NULL,
        value REAL NOT NULL
    );
    CREATE INDEX field_values_record ON field_values (record, field, at);",
];
