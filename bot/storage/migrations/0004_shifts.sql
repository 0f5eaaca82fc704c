-- Volunteer shifts, planned shifts and sign-ups (SPEC §2 Volunteers and Coordinators).

CREATE TABLE planned_shifts (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    antenna       TEXT NOT NULL REFERENCES antennas (code),
    activity      TEXT NOT NULL,
    starts_at     TEXT NOT NULL,
    ends_at       TEXT NOT NULL,
    needed        INTEGER NOT NULL CHECK (needed > 0),
    created_by    INTEGER,
    created_at    TEXT NOT NULL,
    cancelled_at  TEXT
);
CREATE INDEX planned_shifts_upcoming ON planned_shifts (antenna, starts_at)
    WHERE cancelled_at IS NULL;

CREATE TABLE signups (
    planned_id  INTEGER NOT NULL REFERENCES planned_shifts (id) ON DELETE CASCADE,
    user_id     INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at  TEXT NOT NULL,
    PRIMARY KEY (planned_id, user_id)
);
CREATE INDEX signups_user ON signups (user_id);

-- user_id is cleared, not the shift, when a volunteer erases their data: the hours stay in the
-- association's yearly figures without a name.
CREATE TABLE shifts (
    id                  INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id             INTEGER REFERENCES users (id) ON DELETE SET NULL,
    antenna             TEXT NOT NULL REFERENCES antennas (code),
    activity            TEXT NOT NULL,
    started_at          TEXT NOT NULL,
    ended_at            TEXT,
    expected_return_at  TEXT,
    planned_id          INTEGER REFERENCES planned_shifts (id) ON DELETE SET NULL,
    auto_closed         INTEGER NOT NULL DEFAULT 0,
    safety_state        TEXT
);
-- One running shift per volunteer, enforced by the database itself.
CREATE UNIQUE INDEX shifts_one_running ON shifts (user_id) WHERE ended_at IS NULL;
CREATE INDEX shifts_running_antenna ON shifts (antenna) WHERE ended_at IS NULL;
CREATE INDEX shifts_user_started ON shifts (user_id, started_at);
CREATE INDEX shifts_started ON shifts (started_at);
