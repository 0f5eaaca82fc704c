-- Broadcasts (issue 10, §2): a coordinator's message to the team chat or, privately, to every
-- reachable member of an antenna. The copies themselves are outbox rows of the batch
-- 'bc:<id>' (durable: a restart goes on where it stopped); this row holds what the delivery
-- summary needs. The text is not kept here: it lives in the outbox rows until they are sent.
CREATE TABLE broadcasts (
    id               INTEGER PRIMARY KEY AUTOINCREMENT,
    antenna          TEXT NOT NULL REFERENCES antennas (code),
    target           TEXT NOT NULL CHECK (target IN ('team', 'volunteers')),
    -- The preview it was confirmed from: a second confirm of the same preview finds it here
    -- (and UNIQUE makes a second broadcast from one preview impossible). NULL from the CLI.
    draft_id         INTEGER UNIQUE,
    created_by       INTEGER REFERENCES users (id) ON DELETE SET NULL,
    created_at       TEXT NOT NULL,
    recipients       INTEGER NOT NULL,
    -- Where the summary is shown (the coordinator's private chat); NULL from the CLI.
    summary_chat_id  INTEGER,
    -- The summary's text as last shown: Telegram refuses an edit that changes nothing.
    summary          TEXT,
    sent             INTEGER NOT NULL DEFAULT 0,
    blocked          INTEGER NOT NULL DEFAULT 0,
    failed           INTEGER NOT NULL DEFAULT 0,
    finished_at      TEXT
);
CREATE INDEX broadcasts_unfinished ON broadcasts (id) WHERE finished_at IS NULL;

-- "Is anything of this broadcast still to send?" is asked as each copy goes out.
CREATE INDEX outbox_batch_pending ON outbox (batch) WHERE status = 'pending' AND batch IS NOT NULL;
