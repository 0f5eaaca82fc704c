-- Count how many start-ups found an update still unhandled, to skip one that crashes the bot.

ALTER TABLE inbox ADD COLUMN attempts INTEGER NOT NULL DEFAULT 0;
