-- "I need help" (SPEC §2 Public, §6): requests reach the team without naming the person.
-- `user_id` and the location are removed after RETENTION_DAYS or on /forget; the need, the
-- language, the antenna and the times stay for the yearly counts. `owner_id` is the volunteer
-- who took it. `alerts` lists the messages showing it ([ref, locale] pairs) to edit them all.
-- `person_key` is a keyed hash (HMAC-SHA256, key in `meta`) of the person's id: it survives
-- /forget so the daily limit and a block still hold, and is removed after RETENTION_DAYS.
CREATE TABLE help_requests (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id         INTEGER,
    person_key      TEXT,
    antenna         TEXT NOT NULL,
    need            TEXT NOT NULL,
    locale          TEXT NOT NULL,
    latitude        REAL,
    longitude       REAL,
    status          TEXT NOT NULL CHECK (status IN ('open', 'taken', 'closed', 'cancelled')),
    created_at      TEXT NOT NULL,
    taken_at        TEXT,
    closed_at       TEXT,
    owner_id        INTEGER,
    relay_open      INTEGER NOT NULL DEFAULT 0,  -- 0 closed, 1 open, 2 ended by the person
    alerts          TEXT NOT NULL DEFAULT '[]',
    anonymised_at   TEXT
);
CREATE INDEX help_requests_user ON help_requests (user_id, created_at);
CREATE INDEX help_requests_person ON help_requests (person_key, created_at);
CREATE INDEX help_requests_owner ON help_requests (owner_id) WHERE owner_id IS NOT NULL;
CREATE INDEX help_requests_created ON help_requests (created_at);

-- People a coordinator blocked from help requests (their requests reach nobody), by the
-- keyed hash of their id (never the id: a block outlives /forget, and lapses at retention).
CREATE TABLE help_blocks (
    person_key  TEXT PRIMARY KEY,
    request_id  INTEGER NOT NULL,
    blocked_at  TEXT NOT NULL
);

-- When help alerts were posted to an antenna's team chat (re-alerts included): beyond
-- TEAM_CHAT_PER_HOUR in an hour, the next go to its coordinators privately. Kept a day.
CREATE TABLE help_team_posts (
    antenna    TEXT NOT NULL,
    posted_at  TEXT NOT NULL
);
CREATE INDEX help_team_posts_antenna ON help_team_posts (antenna, posted_at);
