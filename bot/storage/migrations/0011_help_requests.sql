-- "I need help" (SPEC §2 Public, §6): requests reach the team without naming the person.
-- `user_id` and the location are removed after RETENTION_DAYS or on /forget; the need, the
-- language, the antenna and the times stay for the yearly counts. `owner_id` is the volunteer
-- who took it. `alerts` lists the messages showing it ([ref, locale] pairs) to edit them all.
CREATE TABLE help_requests (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id         INTEGER,
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
    relay_open      INTEGER NOT NULL DEFAULT 0,
    alerts          TEXT NOT NULL DEFAULT '[]',
    anonymised_at   TEXT
);
CREATE INDEX help_requests_user ON help_requests (user_id, created_at);
CREATE INDEX help_requests_owner ON help_requests (owner_id) WHERE owner_id IS NOT NULL;
CREATE INDEX help_requests_created ON help_requests (created_at);

-- People a coordinator blocked from help requests (their requests reach nobody).
CREATE TABLE help_blocks (
    user_id     INTEGER PRIMARY KEY,
    request_id  INTEGER NOT NULL,
    blocked_at  TEXT NOT NULL
);
