-- The statistics (§7) and the proposer's queue find a reply's evaluations by document: without
-- this index each lookup scans every evaluation, which made the figures of a 10,000-item
-- session quadratic (measured with `banli bench stats`).
CREATE INDEX evaluations_document ON evaluations (document_id)
