-- Team alerts (/alert, issue 10 §4): a text posted to the antenna's team chat at a time, once
-- or every day or week. `kind` is 'once' (`day` and `at`), 'daily' (`at`) or 'weekly'
-- (`weekday` 0 = Monday, and `at`); `at` is a local wall time "HH:MM" in TIMEZONE. The next
-- occurrence is a stored job keyed "alert:<id>". A deleted alert keeps its row (deleted_at).
CREATE TABLE alerts (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    antenna     TEXT NOT NULL,
    kind        TEXT NOT NULL CHECK (kind IN ('once', 'daily', 'weekly')),
    at          TEXT NOT NULL,
    weekday     INTEGER CHECK (weekday BETWEEN 0 AND 6),
    day         TEXT,
    text        TEXT NOT NULL,
    created_by  INTEGER REFERENCES users (id) ON DELETE SET NULL,
    created_at  TEXT NOT NULL,
    deleted_at  TEXT
);
CREATE INDEX alerts_antenna ON alerts (antenna) WHERE deleted_at IS NULL;

-- The weekly summary (issue 10 §5) is on for every antenna unless a coordinator switched it
-- off: a row here says which way, by whom and when.
CREATE TABLE weekly_summaries (
    antenna     TEXT PRIMARY KEY,
    enabled     INTEGER NOT NULL,
    changed_by  INTEGER REFERENCES users (id) ON DELETE SET NULL,
    changed_at  TEXT NOT NULL
) WITHOUT ROWID;
