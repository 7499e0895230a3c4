-- The staff web app: browser sessions (the cookie holds a random token, stored here only as
-- SHA-256), sign-in throttling per username, and per-user preferences and contact details.

CREATE TABLE web_sessions (
    id {id},
    token_hash TEXT NOT NULL UNIQUE,
    user_id BIGINT NOT NULL REFERENCES users(id),
    csrf TEXT NOT NULL,
    created_at TEXT NOT NULL,
    last_seen_at TEXT NOT NULL,
    expires_at TEXT NOT NULL
);
CREATE INDEX web_sessions_user ON web_sessions (user_id);

CREATE TABLE login_failures (
    username TEXT PRIMARY KEY,
    failures BIGINT NOT NULL,
    locked_until TEXT,
    last_failure_at TEXT NOT NULL
);

ALTER TABLE users ADD COLUMN locale TEXT NOT NULL DEFAULT 'zh-Hans';
ALTER TABLE users ADD COLUMN email TEXT;
ALTER TABLE users ADD COLUMN phone TEXT
