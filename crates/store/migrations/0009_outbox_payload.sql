-- An event's handover (who hears of it, and the words' values), taken in the step's own
-- transaction and read by the notifier when it writes the notifications.
ALTER TABLE outbox ADD COLUMN payload TEXT
