-- Daily totals kept beside the logs, in the same transactions, so that a report reads a few
-- hundred rows whatever the number of logs (a month of a busy antenna stays instant).
-- day is the local date (TIMEZONE) of the log; reports cover whole local days.

ALTER TABLE distributions ADD COLUMN day TEXT;

CREATE TABLE distribution_item_days (
    antenna    TEXT NOT NULL,
    day        TEXT NOT NULL,
    item_code  TEXT NOT NULL,
    quantity   INTEGER NOT NULL,
    PRIMARY KEY (antenna, day, item_code)
) WITHOUT ROWID;

-- One log (one /distrib, whatever its number of items) counts once for its slot and place;
-- place_id 0 stands for "no place given".
CREATE TABLE distribution_log_days (
    antenna   TEXT NOT NULL,
    day       TEXT NOT NULL,
    slot      TEXT NOT NULL,
    place_id  INTEGER NOT NULL,
    logs      INTEGER NOT NULL,
    PRIMARY KEY (antenna, day, slot, place_id)
) WITHOUT ROWID;
