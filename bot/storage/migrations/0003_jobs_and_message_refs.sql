-- Timed jobs live here (SPEC §4): the JobQueue is only a cache rebuilt from this table.
-- Messages the bot may edit later (a sign-up post in the team chat) are found by a stable ref.

CREATE TABLE jobs (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    kind        TEXT NOT NULL,
    key         TEXT NOT NULL UNIQUE,
    due_at      TEXT NOT NULL,
    payload     TEXT NOT NULL,
    status      TEXT NOT NULL DEFAULT 'pending'
                CHECK (status IN ('pending', 'done', 'skipped', 'cancelled', 'failed')),
    created_at  TEXT NOT NULL,
    fired_at    TEXT,
    note        TEXT
);
CREATE INDEX jobs_pending ON jobs (due_at) WHERE status = 'pending';

ALTER TABLE outbox ADD COLUMN ref TEXT;

CREATE TABLE message_refs (
    ref         TEXT PRIMARY KEY,
    chat_id     INTEGER NOT NULL,
    message_id  INTEGER NOT NULL,
    updated_at  TEXT NOT NULL
);
