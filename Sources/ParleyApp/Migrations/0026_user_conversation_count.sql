-- How many conversations each user takes part in, kept on the user's row.
--
-- The API's conversation list (DRF's `count`) counted the viewer's participant rows on every
-- request: an index-only scan of as many entries as the viewer has conversations, about 30 µs
-- of PostgreSQL's ~200 µs per list for the bench user's 103 (bench/README.md, "The list's
-- count"), and more for every conversation a user joins. Statement triggers with transition
-- tables keep the count, in the transaction of the change. They lock the users' rows in id
-- order, as the notification counters do (0016), so the two cannot deadlock each other.
ALTER TABLE users ADD COLUMN conversation_count bigint NOT NULL DEFAULT 0 CHECK (conversation_count >= 0);

-- Recounts every user (writing only the ones that are wrong): the migration's backfill, and
-- loads that switch triggers off (the bench's COPY) call it afterwards.
CREATE FUNCTION users_recount_conversations() RETURNS void
LANGUAGE sql AS $$
    UPDATE users u SET conversation_count = coalesce(n.count, 0)
      FROM users v LEFT JOIN (SELECT user_id, count(*) FROM conversation_participants GROUP BY user_id) n ON n.user_id = v.user_id
     WHERE u.user_id = v.user_id AND u.conversation_count IS DISTINCT FROM coalesce(n.count, 0)
$$;

SELECT users_recount_conversations();

CREATE FUNCTION conversation_participants_count() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    step bigint := CASE TG_OP WHEN 'INSERT' THEN 1 ELSE -1 END;
BEGIN
    PERFORM 1 FROM users WHERE user_id IN (SELECT user_id FROM changed) ORDER BY user_id FOR NO KEY UPDATE;
    UPDATE users u
       SET conversation_count = u.conversation_count + step * d.n
      FROM (SELECT user_id, count(*) AS n FROM changed GROUP BY user_id) d
     WHERE u.user_id = d.user_id;
    RETURN NULL;
END
$$;

CREATE TRIGGER conversation_participants_count_added
    AFTER INSERT ON conversation_participants
    REFERENCING NEW TABLE AS changed
    FOR EACH STATEMENT EXECUTE FUNCTION conversation_participants_count();

CREATE TRIGGER conversation_participants_count_removed
    AFTER DELETE ON conversation_participants
    REFERENCING OLD TABLE AS changed
    FOR EACH STATEMENT EXECUTE FUNCTION conversation_participants_count();

-- A participant row moved to another user (nothing in parley does it; SQL by hand might).
CREATE FUNCTION conversation_participants_count_moved() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    PERFORM 1 FROM users WHERE user_id IN (OLD.user_id, NEW.user_id) ORDER BY user_id FOR NO KEY UPDATE;
    UPDATE users SET conversation_count = conversation_count - 1 WHERE user_id = OLD.user_id;
    UPDATE users SET conversation_count = conversation_count + 1 WHERE user_id = NEW.user_id;
    RETURN NULL;
END
$$;

CREATE TRIGGER conversation_participants_count_moved
    AFTER UPDATE OF user_id ON conversation_participants
    FOR EACH ROW WHEN (OLD.user_id IS DISTINCT FROM NEW.user_id)
    EXECUTE FUNCTION conversation_participants_count_moved();
