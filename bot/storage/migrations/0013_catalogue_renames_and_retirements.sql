-- Coordinators rename and retire places and items (issue 9, point 10). Nothing is ever
-- deleted: old logs, reports and exports keep naming what they counted. The database decides
-- over content/: reloading items.toml and places.toml at start-up never un-retires or
-- un-renames anything.

-- A retired item or place is offered nowhere and matched nowhere; restoring clears the mark.
ALTER TABLE items ADD COLUMN retired_at TEXT;
ALTER TABLE items ADD COLUMN retired_by INTEGER;
ALTER TABLE places ADD COLUMN retired_at TEXT;
ALTER TABLE places ADD COLUMN retired_by INTEGER;

-- A renamed place keeps its new name in `name` (content/ no longer overwrites it once
-- `renamed_at` is set) and its earlier names in `old_names`, still accepted when typed.
ALTER TABLE places ADD COLUMN renamed_at TEXT;
ALTER TABLE places ADD COLUMN renamed_by INTEGER;
ALTER TABLE places ADD COLUMN old_names TEXT NOT NULL DEFAULT '[]';

-- Names coordinators gave an item, in the language they use the bot in. The latest (highest
-- id) of an item and locale is shown first; the earlier ones and the names of items.toml stay
-- accepted when typed. content/ never writes here, so a restart keeps every rename.
CREATE TABLE item_renames (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    item_code   TEXT NOT NULL REFERENCES items (code) ON DELETE CASCADE,
    locale      TEXT NOT NULL,
    name        TEXT NOT NULL,
    renamed_by  INTEGER,
    renamed_at  TEXT NOT NULL,
    UNIQUE (item_code, locale, name)
);
