-- Where the scan of an item received on paper is kept.
ALTER TABLE items ADD COLUMN scan_ref TEXT
