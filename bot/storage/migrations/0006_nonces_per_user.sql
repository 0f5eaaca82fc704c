-- A save button's nonce is unique per person, not across everyone: two volunteers' random
-- codes may meet, and one must never be taken for the other's log. Old rows are dropped: they
-- only protect against a double tap, which is seconds old.

DROP TABLE used_nonces;
CREATE TABLE used_nonces (
    user_id  INTEGER NOT NULL,
    nonce    TEXT NOT NULL,
    batch    TEXT NOT NULL,
    used_at  TEXT NOT NULL,
    PRIMARY KEY (user_id, nonce)
);
CREATE INDEX used_nonces_used_at ON used_nonces (used_at);
