-- Every tap of the guided /distrib form reads, inside the only write lock, the team's most
-- used items and the places the caller used last. Both were scans of a month of logs (10 ms
-- and 60 ms a tap at 43 000 logs a month); they now read small tables kept up to date in the
-- same transactions as the logs.

-- Most used = most logged: how many log rows each item has per day, beside its quantity.
-- Rebuilt from the logs (rows whose day is still unknown get it, and their count, at start-up).
ALTER TABLE distribution_item_days ADD COLUMN logs INTEGER NOT NULL DEFAULT 0;
DELETE FROM distribution_item_days;
INSERT INTO distribution_item_days (antenna, day, item_code, quantity, logs)
    SELECT antenna, day, item_code, SUM(quantity), COUNT(*) FROM distributions
    WHERE undone_at IS NULL AND day IS NOT NULL GROUP BY antenna, day, item_code;

-- When each volunteer last logged at each place, per antenna: a handful of rows per person
-- (the most recent ten), erased with the person by /forget.
CREATE TABLE recent_places (
    user_id   INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    antenna   TEXT NOT NULL,
    place_id  INTEGER NOT NULL REFERENCES places (id) ON DELETE CASCADE,
    used_at   TEXT NOT NULL,
    PRIMARY KEY (user_id, antenna, place_id)
) WITHOUT ROWID;

INSERT INTO recent_places (user_id, antenna, place_id, used_at)
    SELECT user_id, antenna, place_id, used_at FROM (
        SELECT user_id, antenna, place_id, MAX(logged_at) AS used_at,
            ROW_NUMBER() OVER (
                PARTITION BY user_id, antenna ORDER BY MAX(logged_at) DESC
            ) AS recency
        FROM distributions
        WHERE user_id IS NOT NULL AND place_id IS NOT NULL AND undone_at IS NULL
        GROUP BY user_id, antenna, place_id
    )
    WHERE recency <= 10;
