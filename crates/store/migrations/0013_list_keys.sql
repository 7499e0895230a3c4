-- What the item and assignment lists page and count through, kept per item like the
-- statistics facts (store::list_keys::refresh, in the transaction of every event of an item):
-- the filter and sort columns of every item and assignment with the organisation beside them,
-- as plain columns under covering indexes, so a page is a walk of one index however deep, and
-- the number of rows per filter group, so a total is a sum over a few hundred groups instead
-- of a count of a million rows. Not in backups: rebuilt on restore.
CREATE TABLE list_item_keys (
    item_id BIGINT PRIMARY KEY,
    org_id BIGINT NOT NULL,
    session_id BIGINT NOT NULL,
    state TEXT NOT NULL,
    category_id BIGINT NOT NULL,
    on_paper BIGINT NOT NULL,
    number_key BIGINT NOT NULL,
    submitted_key TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX list_item_keys_number ON list_item_keys (org_id, number_key, item_id, state, on_paper, session_id, category_id);
CREATE INDEX list_item_keys_updated ON list_item_keys (org_id, updated_at, item_id, state, on_paper, session_id, category_id);
CREATE INDEX list_item_keys_submitted ON list_item_keys (org_id, submitted_key, item_id, state, on_paper, session_id, category_id);
CREATE TABLE list_item_counts (
    org_id BIGINT NOT NULL,
    session_id BIGINT NOT NULL,
    state TEXT NOT NULL,
    category_id BIGINT NOT NULL,
    on_paper BIGINT NOT NULL,
    n BIGINT NOT NULL,
    PRIMARY KEY (org_id, session_id, state, category_id, on_paper)
);
-- An assignment's keys carry its item's, so a unit's items are a walk of one index too.
CREATE TABLE list_assignment_keys (
    assignment_id BIGINT PRIMARY KEY,
    item_id BIGINT NOT NULL,
    org_id BIGINT NOT NULL,
    unit_id BIGINT NOT NULL,
    state TEXT NOT NULL,
    due_on TEXT NOT NULL,
    item_state TEXT NOT NULL,
    session_id BIGINT NOT NULL,
    category_id BIGINT NOT NULL,
    on_paper BIGINT NOT NULL,
    number_key BIGINT NOT NULL,
    submitted_key TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX list_assignment_keys_item ON list_assignment_keys (item_id);
CREATE INDEX list_assignment_keys_unit_items ON list_assignment_keys (unit_id, number_key, item_id, state, org_id, item_state, on_paper, session_id, category_id);
CREATE INDEX list_assignment_keys_org ON list_assignment_keys (org_id, due_on, assignment_id, unit_id, state);
CREATE INDEX list_assignment_keys_unit ON list_assignment_keys (unit_id, due_on, assignment_id, org_id, state);
CREATE TABLE list_assignment_counts (
    org_id BIGINT NOT NULL,
    unit_id BIGINT NOT NULL,
    state TEXT NOT NULL,
    due_on TEXT NOT NULL,
    n BIGINT NOT NULL,
    PRIMARY KEY (org_id, unit_id, state, due_on)
);
-- Whether a unit was named to answer a rejected item's letter (its staff see those items).
CREATE INDEX items_disposition_unit ON items (disposition_unit_id)
