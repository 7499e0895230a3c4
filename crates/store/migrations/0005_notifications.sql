-- Notifications (DESIGN §8): one in-app row per recipient of a step that hands them work, and
-- the e-mails / text messages that carry it, queued in the same transaction as the action so
-- that a mail server outage loses nothing. Queue times (next_attempt_at, claimed_until,
-- sent_at) are wall-clock RFC 3339 UTC, while created_at follows the application clock.

CREATE TABLE notifications (
    id {id},
    user_id BIGINT NOT NULL REFERENCES users(id),
    event_id BIGINT,
    item_id BIGINT,
    kind TEXT NOT NULL,
    title TEXT NOT NULL,
    body TEXT NOT NULL,
    link TEXT,
    created_at TEXT NOT NULL,
    read_at TEXT
);
CREATE INDEX notifications_user ON notifications (user_id, id);
CREATE INDEX notifications_unread ON notifications (user_id, read_at);

-- channel: email | sms, state: queued | sent | failed. A row is never deleted: a failed send
-- is retried later (attempts, next_attempt_at, last_error). SQLite has no SKIP LOCKED, so a
-- deliverer claims rows by setting claimed_by/claimed_until in a write transaction.
CREATE TABLE outgoing_messages (
    id {id},
    channel TEXT NOT NULL,
    recipient TEXT NOT NULL,
    recipient_name TEXT,
    locale TEXT NOT NULL,
    subject TEXT NOT NULL,
    body TEXT NOT NULL,
    link TEXT,
    notification_id BIGINT REFERENCES notifications(id),
    state TEXT NOT NULL,
    attempts BIGINT NOT NULL DEFAULT 0,
    next_attempt_at TEXT NOT NULL,
    claimed_by TEXT,
    claimed_until TEXT,
    last_error TEXT,
    created_at TEXT NOT NULL,
    sent_at TEXT
);
CREATE INDEX outgoing_messages_due ON outgoing_messages (state, next_attempt_at);

-- The daily reminder remembers each clock (assignment or reply, clock name and due date) per
-- colour, so every clock is reminded at most once yellow and once red, however often it runs
-- and on however many instances.
CREATE TABLE clock_reminders (
    clock_key TEXT NOT NULL,
    colour TEXT NOT NULL,
    reminded_on TEXT NOT NULL,
    PRIMARY KEY (clock_key, colour)
);

-- Days the daily reminder has run (so a restart does not wait for tomorrow's hour).
CREATE TABLE reminder_runs (
    day TEXT PRIMARY KEY,
    ran_at TEXT NOT NULL,
    notifications BIGINT NOT NULL
);

-- Text messages are off unless an administrator turns them on for the organisation.
ALTER TABLE organisations ADD COLUMN sms_enabled BIGINT NOT NULL DEFAULT 0
