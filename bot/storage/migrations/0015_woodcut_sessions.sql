-- Wood-cutting sessions with the partner wood-yard (issue 10 §3) are planned shifts of their
-- own kind: the same sign-ups, posts, reminders, cancellation and check-in linking, with a
-- "🪵 I'm in" button and reminders a day and an hour before. Every existing row is a shift.
ALTER TABLE planned_shifts ADD COLUMN kind TEXT NOT NULL DEFAULT 'shift'
    CHECK (kind IN ('shift', 'woodcut'));
