-- Sign-in throttling per client address, beside the lock per username: one address may fail
-- only so often in a window, whichever names it tries.

CREATE TABLE address_failures (
    address TEXT PRIMARY KEY,
    failures BIGINT NOT NULL,
    window_start TEXT NOT NULL
)
