-- A refresh-token family (the chain of rotated tokens from one log-in) ends for good once it
-- is PARLEY_REFRESH_FAMILY_DAYS old, however often it is rotated; each token carries the
-- family's start so that the check needs no other row (earlier ones are purged as they expire).
ALTER TABLE refresh_tokens ADD COLUMN family_started_at timestamptz;
-- Families already issued count from their oldest token still stored.
UPDATE refresh_tokens r SET family_started_at = f.started
FROM (SELECT family_id, min(issued_at) AS started FROM refresh_tokens GROUP BY family_id) f
WHERE f.family_id = r.family_id;
ALTER TABLE refresh_tokens ALTER COLUMN family_started_at SET NOT NULL;
