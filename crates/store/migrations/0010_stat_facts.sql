-- The facts of the statistics (DESIGN §7), kept per item: one row per counted item, per
-- counted (live lead or separate) assignment with its first reply, in-person consultation,
-- latest grade and rating, and per commitment of its sent replies. They are derived from the
-- other tables and refreshed in the transaction of every event of their item
-- (store::stats::refresh), so a session's figures are three indexed scans instead of seven
-- look-ups per assignment (990,000 items took 19-23 s). Not in backups: rebuilt on restore.
CREATE TABLE stat_items (
    item_id BIGINT PRIMARY KEY,
    org_id BIGINT NOT NULL,
    session_id BIGINT NOT NULL,
    category_id BIGINT,
    filed_on TEXT,
    replied INTEGER NOT NULL
);
CREATE INDEX stat_items_session ON stat_items (session_id, org_id);
CREATE TABLE stat_assignments (
    assignment_id BIGINT PRIMARY KEY,
    item_id BIGINT NOT NULL,
    org_id BIGINT NOT NULL,
    session_id BIGINT NOT NULL,
    unit_id BIGINT NOT NULL,
    category_id BIGINT,
    filed_on TEXT,
    due_on TEXT,
    first_sent_on TEXT,
    on_time INTEGER NOT NULL,
    consulted INTEGER NOT NULL,
    grade TEXT,
    evaluation_due TEXT,
    handling TEXT,
    result TEXT
);
CREATE INDEX stat_assignments_session ON stat_assignments (session_id, org_id);
CREATE INDEX stat_assignments_item ON stat_assignments (item_id);
CREATE TABLE stat_commitments (
    commitment_id BIGINT PRIMARY KEY,
    item_id BIGINT NOT NULL,
    org_id BIGINT NOT NULL,
    session_id BIGINT NOT NULL,
    unit_id BIGINT NOT NULL,
    category_id BIGINT,
    filed_on TEXT,
    due_on TEXT NOT NULL,
    done_on_time INTEGER NOT NULL
);
CREATE INDEX stat_commitments_session ON stat_commitments (session_id, org_id);
CREATE INDEX stat_commitments_item ON stat_commitments (item_id)
