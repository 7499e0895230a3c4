-- The notifier takes the outbox's `event` rows oldest first, beside the index's `item` rows.
CREATE INDEX outbox_topic ON outbox (topic, id)
