-- Platform: antennas, users and roles, invites, the durable update inbox, the outbox, metadata.

CREATE TABLE antennas (
    code          TEXT PRIMARY KEY,
    name          TEXT NOT NULL,
    team_chat_id  INTEGER UNIQUE
);
INSERT INTO antennas (code, name) VALUES ('calais', 'Calais'), ('grande-synthe', 'Grande-Synthe');

-- Public users: only id, language and antenna (data minimisation, SPEC §6).
-- display_name and username are stored for volunteers and above, so coordinators can name them.
CREATE TABLE users (
    id                 INTEGER PRIMARY KEY,
    locale             TEXT,
    telegram_language  TEXT,
    role               TEXT NOT NULL DEFAULT 'public'
                       CHECK (role IN ('public', 'volunteer', 'legal', 'coordinator', 'admin')),
    antenna            TEXT REFERENCES antennas (code),
    display_name       TEXT,
    username           TEXT,
    active             INTEGER NOT NULL DEFAULT 1,
    created_at         TEXT NOT NULL,
    last_seen_at       TEXT NOT NULL,
    menu_signature     TEXT
);
CREATE INDEX users_role_antenna ON users (role, antenna);
CREATE INDEX users_username ON users (username COLLATE NOCASE);

CREATE TABLE invites (
    code        TEXT PRIMARY KEY,
    antenna     TEXT NOT NULL REFERENCES antennas (code),
    created_by  INTEGER NOT NULL,
    created_at  TEXT NOT NULL,
    expires_at  TEXT NOT NULL,
    used_by     INTEGER,
    used_at     TEXT
);

-- Every update is stored here before Telegram is told it was received (SPEC §8).
-- payload is cleared once handled: update_id alone is enough to refuse a re-delivery.
CREATE TABLE inbox (
    update_id    INTEGER PRIMARY KEY,
    payload      TEXT,
    received_at  TEXT NOT NULL,
    handled_at   TEXT,
    outcome      TEXT
);
CREATE INDEX inbox_pending ON inbox (update_id) WHERE handled_at IS NULL;

-- Every message the bot sends is written here in the transaction that decided to send it.
CREATE TABLE outbox (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    chat_id     INTEGER,
    method      TEXT NOT NULL,
    payload     TEXT NOT NULL,
    priority    INTEGER NOT NULL DEFAULT 0,
    batch       TEXT,
    created_at  TEXT NOT NULL,
    not_before  TEXT NOT NULL,
    attempts    INTEGER NOT NULL DEFAULT 0,
    status      TEXT NOT NULL DEFAULT 'pending'
                CHECK (status IN ('pending', 'sent', 'failed', 'blocked', 'dropped')),
    last_error  TEXT,
    sent_at     TEXT,
    message_id  INTEGER
);
CREATE INDEX outbox_pending ON outbox (priority, id) WHERE status = 'pending';
CREATE INDEX outbox_chat_pending ON outbox (chat_id, id) WHERE status = 'pending';
CREATE INDEX outbox_batch ON outbox (batch) WHERE batch IS NOT NULL;

CREATE TABLE meta (
    key    TEXT PRIMARY KEY,
    value  TEXT NOT NULL
);
