-- A planned shift may say where it happens (issue 8 §2: the public "Today" answer shows the
-- planned distributions and rounds with their places and times). One of the antenna's places.
ALTER TABLE planned_shifts ADD COLUMN place_id INTEGER REFERENCES places (id);
