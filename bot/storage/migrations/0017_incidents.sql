-- Rights-violation reports (issue 11, SPEC §5). Everything that describes what happened and
-- to whom (place, coordinates, people, minors, injuries, description, media file ids) is in
-- `sealed`: AES-256-GCM under INCIDENT_KEY, bound to "incidents:<id>:details". Only what the
-- statistics and the access rules need stays readable: antenna, kind, times, the reference.
-- `reporter_id` is set to NULL when the reporter's user row goes (/forget); the report stays.
CREATE TABLE incidents (
    id             INTEGER PRIMARY KEY AUTOINCREMENT,
    reference      TEXT NOT NULL UNIQUE,
    antenna        TEXT NOT NULL,
    reporter_id    INTEGER REFERENCES users (id) ON DELETE SET NULL,
    kind           TEXT NOT NULL CHECK (kind IN (
                       'police', 'eviction', 'seizure', 'teargas', 'refusal', 'sea', 'other')),
    occurred_at    TEXT NOT NULL,
    created_at     TEXT NOT NULL,
    -- The reporter agreed, at confirmation, to be named in a legal referral.
    name_reporter  INTEGER NOT NULL DEFAULT 0 CHECK (name_reporter IN (0, 1)),
    sealed         BLOB NOT NULL
);
CREATE INDEX incidents_antenna ON incidents (antenna, occurred_at);
CREATE INDEX incidents_reporter ON incidents (reporter_id);

-- A report being written: one per volunteer, its whole content sealed (bound to
-- "incident_drafts:<id>"), so a restart loses nothing and the file shows nothing.
CREATE TABLE incident_drafts (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id     INTEGER NOT NULL UNIQUE REFERENCES users (id) ON DELETE CASCADE,
    antenna     TEXT NOT NULL,
    nonce       TEXT NOT NULL,
    sealed      BLOB NOT NULL,
    created_at  TEXT NOT NULL,
    updated_at  TEXT NOT NULL
);

-- Who read, exported or changed which report, and when. Append-only: the triggers refuse any
-- change, so not even the bot's own code can rewrite the record. No foreign keys: a row must
-- outlive the user and the report it names (a foreign key's SET NULL would be an UPDATE).
CREATE TABLE incident_audit (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    at           TEXT NOT NULL,
    actor_id     INTEGER,
    action       TEXT NOT NULL,
    incident_id  INTEGER,
    antenna      TEXT,
    -- Never incident text: a filter, a count, a period.
    detail       TEXT
);
CREATE INDEX incident_audit_antenna ON incident_audit (antenna, id);
CREATE TRIGGER incident_audit_no_update BEFORE UPDATE ON incident_audit
BEGIN
    SELECT RAISE(ABORT, 'incident_audit is append-only');
END;
CREATE TRIGGER incident_audit_no_delete BEFORE DELETE ON incident_audit
BEGIN
    SELECT RAISE(ABORT, 'incident_audit is append-only');
END;
