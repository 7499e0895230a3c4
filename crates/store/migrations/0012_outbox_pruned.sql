-- How far the outbox has been pruned (store::events::prune): a search index whose watermark
-- lies below it has missed rows and is rebuilt. At most one row.
CREATE TABLE outbox_pruned (
    id {id},
    below BIGINT NOT NULL,
    pruned_at TEXT NOT NULL
)
