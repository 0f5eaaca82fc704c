-- Distribution logging: the item and place catalogues, the logs, and drafts awaiting a fix.

CREATE TABLE items (
    code        TEXT PRIMARY KEY,
    unit        TEXT NOT NULL CHECK (unit IN ('piece', 'litre', 'portion', 'kg')),
    position    INTEGER NOT NULL DEFAULT 1000,
    created_by  INTEGER,
    created_at  TEXT NOT NULL
);

-- Names and aliases per locale; position 0 is the name shown, the others are accepted too.
CREATE TABLE item_names (
    item_code  TEXT NOT NULL REFERENCES items (code) ON DELETE CASCADE,
    locale     TEXT NOT NULL,
    position   INTEGER NOT NULL,
    name       TEXT NOT NULL,
    PRIMARY KEY (item_code, locale, position)
);

CREATE TABLE places (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    antenna     TEXT NOT NULL REFERENCES antennas (code),
    code        TEXT NOT NULL,
    name        TEXT NOT NULL,
    aliases     TEXT NOT NULL DEFAULT '[]',
    latitude    REAL,
    longitude   REAL,
    created_by  INTEGER,
    created_at  TEXT NOT NULL,
    UNIQUE (antenna, code)
);

-- One row per item given; rows logged by one command share a batch, which /undo removes.
-- user_id is cleared, not the row, when a volunteer erases their data.
CREATE TABLE distributions (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    antenna    TEXT NOT NULL REFERENCES antennas (code),
    user_id    INTEGER REFERENCES users (id) ON DELETE SET NULL,
    item_code  TEXT NOT NULL REFERENCES items (code),
    quantity   INTEGER NOT NULL CHECK (quantity > 0),
    place_id   INTEGER REFERENCES places (id),
    slot       TEXT NOT NULL CHECK (slot IN ('day', 'evening', 'night')),
    logged_at  TEXT NOT NULL,
    shift_id   INTEGER REFERENCES shifts (id) ON DELETE SET NULL,
    batch      TEXT NOT NULL,
    undone_at  TEXT
);
-- Covering index for the reports: a month of a busy antenna is read from the index alone.
CREATE INDEX distributions_report
    ON distributions (antenna, logged_at, item_code, quantity, slot, place_id, batch)
    WHERE undone_at IS NULL;
CREATE INDEX distributions_user ON distributions (user_id, logged_at);
CREATE INDEX distributions_shift ON distributions (shift_id) WHERE shift_id IS NOT NULL;
CREATE INDEX distributions_batch ON distributions (batch);

-- A pressed button must not log twice (a double tap on a weak network): each save button
-- carries a nonce, recorded here with the batch it produced.
CREATE TABLE used_nonces (
    nonce     TEXT PRIMARY KEY,
    batch     TEXT NOT NULL,
    used_at   TEXT NOT NULL
);

-- Quick logs with a name to fix, and guided logs waiting for a shared location.
CREATE TABLE drafts (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id     INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    kind        TEXT NOT NULL,
    payload     TEXT NOT NULL,
    created_at  TEXT NOT NULL
);
CREATE INDEX drafts_user ON drafts (user_id, kind);
