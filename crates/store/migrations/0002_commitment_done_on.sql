-- The organisation-local date a commitment was completed, for the completion rate (办成率).
ALTER TABLE commitments ADD COLUMN done_on TEXT
