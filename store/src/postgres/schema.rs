//! The PostgreSQL schema as numbered migrations, the same tables as SQLite's with
//! PostgreSQL's types, plus the leases of the workers. The version a database is at is the
//! one row of `play_schema`; opening runs the migrations after it, each in its own
//! transaction, under an advisory lock so that workers starting together migrate once.

/// Migration `n` (1-based) takes a database from version `n - 1` to `n`.
pub const MIGRATIONS: &[&str] = &[
    // 1: the journal, snapshots, programs, projections, tokens, leases.
    "CREATE TABLE journal (
        position BIGINT PRIMARY KEY,
        kind TEXT NOT NULL,
        text TEXT,
        at BIGINT
    );
    CREATE TABLE snapshots (
        position BIGINT PRIMARY KEY,
        bytes BYTEA NOT NULL
    );
    CREATE TABLE programs (
        hash TEXT PRIMARY KEY,
        bytes BYTEA NOT NULL
    );
    CREATE TABLE change_ids (
        id TEXT PRIMARY KEY
    );
    CREATE TABLE actions (
        id TEXT PRIMARY KEY,
        at BIGINT NOT NULL,
        seq BIGINT NOT NULL,
        playbook TEXT NOT NULL,
        step TEXT NOT NULL,
        record TEXT NOT NULL,
        kind TEXT NOT NULL,
        category TEXT,
        assignee TEXT,
        priority DOUBLE PRECISION NOT NULL,
        state TEXT NOT NULL,
        public BOOLEAN NOT NULL,
        owner TEXT,
        snoozed_until BIGINT,
        worked_by TEXT,
        worked_at BIGINT,
        json TEXT NOT NULL
    );
    CREATE INDEX actions_rank ON actions (priority DESC, at, seq);
    CREATE INDEX actions_record ON actions (record);
    CREATE INDEX actions_assignee ON actions (assignee, state);
    CREATE TABLE outbox (
        action_id TEXT PRIMARY KEY,
        kind TEXT NOT NULL,
        at BIGINT NOT NULL,
        json TEXT NOT NULL,
        attempts INTEGER NOT NULL DEFAULT 0,
        delivered_at BIGINT
    );
    CREATE TABLE history (
        n BIGSERIAL PRIMARY KEY,
        at BIGINT NOT NULL,
        playbook TEXT NOT NULL,
        record TEXT NOT NULL,
        run BIGINT,
        json TEXT NOT NULL
    );
    CREATE INDEX history_record ON history (record, n);
    CREATE INDEX history_playbook ON history (playbook, n);
    CREATE TABLE runs (
        run BIGINT PRIMARY KEY,
        playbook TEXT NOT NULL,
        record TEXT NOT NULL,
        started BIGINT NOT NULL,
        updated BIGINT NOT NULL,
        step TEXT,
        state TEXT NOT NULL
    );
    CREATE INDEX runs_record ON runs (record);
    CREATE TABLE tokens (
        sha256 TEXT PRIMARY KEY,
        email TEXT NOT NULL
    );
    CREATE TABLE leases (
        partition INTEGER PRIMARY KEY,
        holder TEXT NOT NULL,
        token BIGINT NOT NULL,
        expires TIMESTAMPTZ NOT NULL
    );",
    // 2: delivery's state of each outbox row (and `seq`, the order rows were written in;
    // rows already there are numbered by their moment), the sync log, opt-outs, watermarks.
    "ALTER TABLE outbox ADD COLUMN seq BIGINT;
    CREATE SEQUENCE outbox_seq_seq OWNED BY outbox.seq;
    UPDATE outbox SET seq = t.n
        FROM (SELECT action_id, row_number() OVER (ORDER BY at, action_id) AS n FROM outbox) AS t
        WHERE outbox.action_id = t.action_id;
    SELECT setval('outbox_seq_seq', coalesce(max(seq), 0) + 1, false) FROM outbox;
    ALTER TABLE outbox ALTER COLUMN seq SET DEFAULT nextval('outbox_seq_seq');
    ALTER TABLE outbox ALTER COLUMN seq SET NOT NULL;
    CREATE UNIQUE INDEX outbox_seq ON outbox (seq);
    ALTER TABLE outbox ADD COLUMN state TEXT NOT NULL DEFAULT 'pending';
    ALTER TABLE outbox ADD COLUMN next_at BIGINT;
    ALTER TABLE outbox ADD COLUMN since BIGINT;
    ALTER TABLE outbox ADD COLUMN last_code TEXT;
    ALTER TABLE outbox ADD COLUMN last_message TEXT;
    UPDATE outbox SET state = 'delivered' WHERE delivered_at IS NOT NULL;
    CREATE INDEX outbox_pending ON outbox (seq) WHERE state = 'pending';
    CREATE TABLE attempts (
        n BIGSERIAL PRIMARY KEY,
        action_id TEXT NOT NULL,
        at BIGINT NOT NULL,
        sink TEXT NOT NULL,
        record TEXT NOT NULL,
        teammate TEXT,
        attempt INTEGER NOT NULL,
        outcome TEXT NOT NULL,
        code TEXT NOT NULL,
        message TEXT NOT NULL,
        next_at BIGINT
    );
    CREATE INDEX attempts_at ON attempts (at);
    CREATE TABLE opt_outs (
        who TEXT PRIMARY KEY,
        reason TEXT NOT NULL,
        at BIGINT NOT NULL
    );
    CREATE TABLE marks (
        name TEXT PRIMARY KEY,
        value BIGINT NOT NULL
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
        at BIGINT NOT NULL
    );",
    // 5: the numbers records' fields took, for trends.
    "CREATE TABLE field_values (
        n BIGSERIAL PRIMARY KEY,
        record TEXT NOT NULL,
        field TEXT NOT NULL,
        at BIGINT NOT NULL,
        value DOUBLE PRECISION NOT NULL
    );
    CREATE INDEX field_values_record ON field_values (record, field, at);",
];
