-- The statistics facts of a session read from their index alone, already in the order of
-- the sums' groups (unit, category): no row look-ups and no sort (990,000 items: 1.15 s with
-- the narrow index on SQLite).
DROP INDEX stat_items_session;
CREATE INDEX stat_items_session ON stat_items (session_id, org_id, category_id, filed_on, replied);
DROP INDEX stat_assignments_session;
CREATE INDEX stat_assignments_session ON stat_assignments (session_id, org_id, unit_id, category_id, filed_on, due_on, first_sent_on, on_time, consulted, grade, evaluation_due, handling, result);
DROP INDEX stat_commitments_session;
CREATE INDEX stat_commitments_session ON stat_commitments (session_id, org_id, unit_id, category_id, filed_on, due_on, done_on_time)
