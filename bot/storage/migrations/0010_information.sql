-- The information catalogue (content/*.toml) lives in files; the database keeps only what
-- coordinators do with it, and counts of what people asked.

-- "✅ still true": the latest confirmation of an entry (scope: 'common' or an antenna code).
-- It overrides the file's `verified` date when newer. Who confirmed is kept by id, for the
-- team's record; /forget of that coordinator sets it to NULL and keeps the date.
CREATE TABLE content_confirmations (
    scope         TEXT NOT NULL,
    entry_id      TEXT NOT NULL,
    confirmed_at  TEXT NOT NULL,
    confirmed_by  INTEGER REFERENCES users (id) ON DELETE SET NULL,
    PRIMARY KEY (scope, entry_id)
) WITHOUT ROWID;

-- Information requests per local day, antenna, topic and language: counts only, no person.
CREATE TABLE info_requests (
    day      TEXT NOT NULL,
    antenna  TEXT NOT NULL,
    topic    TEXT NOT NULL,
    locale   TEXT NOT NULL,
    count    INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (day, antenna, topic, locale)
) WITHOUT ROWID;
