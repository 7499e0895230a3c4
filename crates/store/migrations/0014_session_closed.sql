-- The day a session was closed (闭会): a closed session takes no new items. NULL while open.
ALTER TABLE sessions ADD COLUMN closed_on TEXT
