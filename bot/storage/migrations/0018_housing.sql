-- Volunteer housing (issue 12): stays at an antenna's house, contributions paid, reductions.
-- A stay's nights are arrival .. departure - 1 (the departure morning is not a night); dates
-- are local calendar days in TIMEZONE ("YYYY-MM-DD"), so a clock change never adds a night.
-- `status`: 'waiting' (the house was full on some nights: a coordinator decides),
-- 'confirmed', 'refused', 'cancelled'. An early departure moves `departure` and sets ended_early.
CREATE TABLE stays (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id     INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    antenna     TEXT NOT NULL,
    house       TEXT NOT NULL,
    arrival     TEXT NOT NULL,
    departure   TEXT NOT NULL CHECK (departure > arrival),
    status      TEXT NOT NULL CHECK (status IN ('waiting', 'confirmed', 'refused', 'cancelled')),
    created_at  TEXT NOT NULL,
    updated_at  TEXT NOT NULL,
    decided_by  INTEGER REFERENCES users (id) ON DELETE SET NULL,
    decided_at  TEXT,
    ended_early INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX stays_user ON stays (user_id, departure);
CREATE INDEX stays_antenna ON stays (antenna, status, arrival, departure);

-- Contributions paid (/paid), recorded once per update (nonce); an undone payment keeps its row.
-- Amounts are decimal text ("12.50"), never floats.
CREATE TABLE housing_payments (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id     INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    stay_id     INTEGER REFERENCES stays (id) ON DELETE SET NULL,
    amount      TEXT NOT NULL,
    recorded_by INTEGER REFERENCES users (id) ON DELETE SET NULL,
    recorded_at TEXT NOT NULL,
    nonce       TEXT NOT NULL UNIQUE,
    undone_at   TEXT,
    undone_by   INTEGER REFERENCES users (id) ON DELETE SET NULL
);
CREATE INDEX housing_payments_user ON housing_payments (user_id) WHERE undone_at IS NULL;
CREATE INDEX housing_payments_stay ON housing_payments (stay_id);

-- Reduction requests (/stay reduce) and the coordinators' decisions: from `effective_from`
-- (the decision's local date) on, the stay's nightly contribution is `nightly` (decimal text,
-- "0.00" when waived). Never retroactive. At most one open request per stay.
CREATE TABLE housing_reductions (
    id             INTEGER PRIMARY KEY AUTOINCREMENT,
    stay_id        INTEGER NOT NULL REFERENCES stays (id) ON DELETE CASCADE,
    user_id        INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    requested_at   TEXT NOT NULL,
    reason         TEXT NOT NULL DEFAULT '',
    status         TEXT NOT NULL CHECK (status IN ('open', 'waived', 'half', 'amount', 'refused')),
    nightly        TEXT,
    decided_by     INTEGER REFERENCES users (id) ON DELETE SET NULL,
    decided_at     TEXT,
    effective_from TEXT
);
CREATE UNIQUE INDEX housing_reductions_open ON housing_reductions (stay_id) WHERE status = 'open';
CREATE INDEX housing_reductions_stay ON housing_reductions (stay_id, status);
